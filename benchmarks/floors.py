"""The floors: the same job done with the bare libraries, nothing of ours in the way.

Each function does what the matching workload of ``run.py`` does, minus the project:
no header lookup, no validation, no Decimal, no store, no styling.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any

CHECK_SHEET = "检查表"


def calamine_read(paths: Iterable[Path], sheet: str = CHECK_SHEET) -> int:
    """Every file's checklist sheet as Python values; returns the number of rows read."""
    from python_calamine import CalamineWorkbook

    rows = 0
    for p in paths:
        rows += len(CalamineWorkbook.from_path(str(p)).get_sheet_by_name(sheet).to_python())
    return rows


def pandas_sum(paths: Iterable[Path], *, header: int = 0, column: str = "得分") -> float:
    """What a user would otherwise write: pandas + openpyxl, summing the 得分 column."""
    import pandas as pd

    total = 0.0
    for p in paths:
        df = pd.read_excel(p, sheet_name=CHECK_SHEET, engine="openpyxl", header=header)
        total += float(pd.to_numeric(df[column], errors="coerce").sum())
    return total


def xlsxwriter_cells(path: Path, sheets: list[tuple[str, dict[tuple[int, int], Any]]]) -> None:
    """The template's cells written with bare xlsxwriter: same sheets, same values, no
    formats, no validation, no protection, no print setup."""
    import xlsxwriter

    wb = xlsxwriter.Workbook(str(path))
    for name, cells in sheets:
        ws = wb.add_worksheet(name)
        for (r, c), v in cells.items():
            if isinstance(v, str) and v.startswith("="):
                ws.write_formula(r, c, v)
            else:
                ws.write(r, c, v)
    wb.close()


def weasyprint_pdf(html: str, path: Path, base_url: str | None = None) -> int:
    """Bare WeasyPrint on a finished HTML string; returns the number of pages."""
    from weasyprint import HTML

    document = HTML(string=html, base_url=base_url).render()
    document.write_pdf(str(path))
    return len(document.pages)
