"""Units from a sheet named 单位, with the columns of units.yaml (SPEC §2.3)."""

from __future__ import annotations

from pathlib import Path

from compliance.findings import Finding, FindingsError, errors_of
from compliance.units import Unit, UnitsFile
from compliance.workbook import layout as L
from compliance.workbook.cells import NAME_MAX, BadCell, limited
from compliance.workbook.meta import unit_code_of
from compliance.workbook.source import Grid, open_book
from compliance.workbook.table import Header, Where, find_header, header_row, rows_below

_ENGLISH = tuple(L.UNIT_COLUMNS)  # code, name, type, city, district: the keys of units.yaml
_CHINESE = tuple(L.UNIT_COLUMNS.values())


def units_from_grid(grid: Grid, where: Where) -> tuple[UnitsFile | None, list[Finding]]:
    """Headers may be the Chinese labels (单位编码 …) or units.yaml's keys (code …)."""
    names = _ENGLISH if header_row(grid, _ENGLISH, _ENGLISH) is not None else _CHINESE
    header, findings = find_header(grid, where, names, names)
    if header is None or errors_of(findings):
        return None, findings
    units: list[Unit] = []
    seen: dict[str, str] = {}
    for row, values in rows_below(grid.below(header.row), header, names):
        details, more = _unit_details(row, values, header, where, names)
        findings += more
        code = details.get("code")
        code_cell = where.ref(row, header.columns[names[0]])
        if code in seen:
            message = f"单位编码“{code}”重复：{seen[code]} 已有；每个单位的编码必须唯一"
            findings.append(Finding(where.file, message, cell=code_cell))
        elif code:
            seen[code] = code_cell
            if len(details) == len(_ENGLISH):
                units.append(Unit(**details))
    if not units and not errors_of(findings):
        findings.append(Finding(where.file, "单位表中没有任何单位", cell=where.sheet))
    if errors_of(findings):
        return None, findings
    return UnitsFile(units=units), findings


def _unit_details(
    row: int, values: dict, header: Header, where: Where, names: tuple[str, ...]
) -> tuple[dict[str, str], list[Finding]]:
    """The readable fields of one unit row, and a finding for each one that is not."""
    details, findings = {}, []
    for name, column in zip(_ENGLISH, names, strict=True):
        col = header.columns[column]
        try:
            if name == "code":
                text = unit_code_of(values[column])
            else:
                text = limited(values[column], L.UNIT_COLUMNS[name], NAME_MAX)
        except BadCell as exc:
            findings.append(where.finding(row, col, str(exc)))
            continue
        if text is None:
            findings.append(where.finding(row, col, f"{L.UNIT_COLUMNS[name]}未填写"))
        else:
            details[name] = text
    return details, findings


def read_units_sheet(path: Path | str) -> UnitsFile:
    """The units of the 单位 sheet of a workbook; raises FindingsError with every problem."""
    book, findings = open_book(Path(path))
    if book is None:
        raise FindingsError(findings)
    try:
        sheet = book.find(L.UNITS_SHEET)
        if sheet is None:
            raise FindingsError(
                [
                    Finding(
                        book.file, f"缺少工作表“{L.UNITS_SHEET}”；工作簿中的工作表：{'、'.join(book.names)}"
                    )
                ]
            )
        grid, findings = book.grid(sheet)
        units, more = units_from_grid(grid, Where(book.file, sheet)) if grid else (None, [])
    finally:
        book.close()
    if units is None:
        raise FindingsError([*findings, *more])
    return units
