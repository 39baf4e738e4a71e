"""Rebuild the ingest corpus: real public scoring tables laid out the way bureaus do.

    .venv/bin/python tests/data/ingest/make_corpus.py

writes each ``<name>/<name>.xlsx|.docx|.csv`` from the table specs in ``corpus_specs.py``.
A spec row is a list of cells; ``^`` merges a cell with the one above (the category cells
of real tables), ``<`` with the one to its left (title and 合计 rows). CSV files cannot
merge: ``^`` and ``<`` become blank cells, as 政务 systems export them, and they are written
in GB18030 when the spec says so.
"""

from __future__ import annotations

import csv
import io
import sys
from datetime import datetime
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from corpus_specs import SPECS, Spec  # noqa: E402

FIXED = datetime(2024, 1, 1, 8, 0, 0)


def _spans(rows: list[list[str]]) -> list[tuple[int, int, int, int]]:
    """Merged ranges (r0, c0, r1, c1), 0-based, from the ^ and < markers."""
    height, width = len(rows), max(len(r) for r in rows)
    owner = {}
    for r in range(height):
        for c in range(width):
            value = rows[r][c] if c < len(rows[r]) else ""
            if value == "^" and r > 0:
                owner[(r, c)] = owner.get((r - 1, c), (r - 1, c))
            elif value == "<" and c > 0:
                owner[(r, c)] = owner.get((r, c - 1), (r, c - 1))
    ranges: dict[tuple[int, int], list[int]] = {}
    for (r, c), (r0, c0) in owner.items():
        box = ranges.setdefault((r0, c0), [r0, c0, r0, c0])
        box[2], box[3] = max(box[2], r), max(box[3], c)
    return [tuple(v) for v in ranges.values()]


def _grid(spec: Spec) -> list[list[str]]:
    width = len(spec.header)
    rows = []
    if spec.title and spec.kind != "docx":
        rows.append([spec.title] + ["<"] * (width - 1))
    rows.append(list(spec.header))
    for row in spec.rows:
        rows.append([*row, *[""] * (width - len(row))])
    return rows


def write_xlsx(spec: Spec, path: Path) -> None:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Border, Font, Side

    rows = _grid(spec)
    wb = Workbook()
    ws = wb.active
    ws.title = spec.sheet
    thin = Side(style="thin")
    widths = list(spec.widths) or [12, 16, 36, 40, 8, 8, 8][: len(spec.header)]
    widths += [10] * (len(spec.header) - len(widths))
    first = 2 if spec.title else 1
    for r, line in enumerate(rows, start=1):
        lines = 1
        for c, value in enumerate(line, start=1):
            cell = ws.cell(r, c)
            if r >= first:
                cell.border = Border(left=thin, right=thin, top=thin, bottom=thin)
            if value in {"^", "<"}:
                continue
            cell.value = _typed(value, spec)
            cell.alignment = Alignment(
                wrap_text=True, vertical="center", horizontal="center" if len(value) < 8 else "left"
            )
            if r > 1 or not spec.title:
                lines = max(lines, -(-len(value) * 2 // max(widths[c - 1] - 1, 1)))
        ws.row_dimensions[r].height = 15 * lines + 3
    for r0, c0, r1, c1 in _spans(rows):
        ws.merge_cells(start_row=r0 + 1, start_column=c0 + 1, end_row=r1 + 1, end_column=c1 + 1)
    if spec.title:
        ws.cell(1, 1).font = Font(bold=True, size=14)
        ws.cell(1, 1).alignment = Alignment(horizontal="center", vertical="center")
        ws.row_dimensions[1].height = 28
    for i, width in enumerate(widths, start=1):
        ws.column_dimensions[chr(64 + i)].width = width
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_title_rows = f"{first}:{first}"
    wb.properties.created = FIXED
    wb.properties.modified = FIXED
    wb.properties.creator = "compliance corpus"
    wb.save(path)


def _typed(value: str, spec: Spec) -> object:
    """Points typed as numbers where the bureau typed numbers (spec.numeric_points)."""
    if spec.numeric_points and value.replace(".", "", 1).isdigit():
        return float(value) if "." in value else int(value)
    return value


def write_docx(spec: Spec, path: Path) -> None:
    import docx
    from docx.enum.text import WD_ALIGN_PARAGRAPH

    document = docx.Document()
    if spec.title:
        heading = document.add_paragraph(spec.title)
        heading.alignment = WD_ALIGN_PARAGRAPH.CENTER
        heading.runs[0].bold = True
    for line in spec.preamble:
        document.add_paragraph(line)
    rows = _grid(spec)
    table = document.add_table(rows=len(rows), cols=len(spec.header))
    table.style = "Table Grid"
    for r, line in enumerate(rows):
        for c, value in enumerate(line):
            if value not in {"^", "<"}:
                table.cell(r, c).text = value
    for r0, c0, r1, c1 in _spans(rows):
        table.cell(r0, c0).merge(table.cell(r1, c1))
        table.cell(r0, c0).text = rows[r0][c0]
    for line in spec.footer:
        document.add_paragraph(line)
    props = document.core_properties
    props.created = props.modified = FIXED
    props.author = "compliance corpus"
    document.save(path)


def write_csv(spec: Spec, path: Path) -> None:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    for line in _grid(spec):
        writer.writerow(["" if v in {"^", "<"} else v for v in line])
    data = buffer.getvalue()
    path.write_bytes(data.encode(spec.encoding))


def main() -> None:
    for spec in SPECS:
        folder = HERE / spec.name
        folder.mkdir(exist_ok=True)
        path = folder / f"{spec.name}.{spec.kind}"
        {"xlsx": write_xlsx, "docx": write_docx, "csv": write_csv}[spec.kind](spec, path)
        print(f"{path.relative_to(HERE)}")


if __name__ == "__main__":
    main()
