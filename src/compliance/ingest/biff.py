"""How large each sheet of an Excel 97–2003 (.xls) workbook is, before calamine loads it.

calamine allocates a sheet's whole used rectangle at once — for an .xls, every sheet's,
as it opens the file — and a cell record may name any row and column up to 65,535: one
forged record in a 6 KB file asks for 4 billion cells and the process dies. The cell
records of the BIFF stream are read here, sheet by sheet, so that a workbook with a
sheet too large is refused before calamine opens it.
"""

from __future__ import annotations

import struct
from collections.abc import Iterator
from dataclasses import dataclass

import olefile

# Records whose data begins with the cell's row and column (u16 each), in BIFF2–BIFF8.
_CELLS = frozenset(
    {
        0x0001, 0x0002, 0x0003, 0x0004, 0x0005,  # BIFF2 BLANK…BOOLERR
        0x0006, 0x0201, 0x0203, 0x0204, 0x0205, 0x0206, 0x0406,  # FORMULA, BLANK…BOOLERR
        0x00D6, 0x00FD, 0x027E,  # RSTRING, LABELSST, RK
    }
)  # fmt: skip
_MULTIPLE = frozenset({0x00BD, 0x00BE})  # MULRK, MULBLANK: row, first column … last column
_BOF = frozenset({0x0009, 0x0209, 0x0409, 0x0809})
_EOF = 0x000A
_BOUNDSHEET = 0x0085
_PAIR = struct.Struct("<HH")  # a record's type and length; a cell's row and column


@dataclass(frozen=True, slots=True)
class Extent:
    """One sheet's name and the rectangle calamine would allocate for it, from A1."""

    name: str
    rows: int
    columns: int


def sheet_extents(data: bytes) -> list[Extent]:
    """The extent of every sheet of an .xls file, in the order its sheets are listed.
    ValueError when the file is not a BIFF workbook that can be read this way."""
    with olefile.OleFileIO(data) as ole:
        stream = next((name for name in ("Workbook", "Book") if ole.exists(name)), None)
        if stream is None:
            raise ValueError("no Workbook stream")
        biff = ole.openstream(stream).read()
    records = list(_records(biff))
    extents = _substreams(biff, records)
    sheets = []
    for number, (_, at, length) in enumerate((r for r in records if r[0] == _BOUNDSHEET), start=1):
        offset = struct.unpack_from("<I", biff, at)[0]
        if offset not in extents:
            raise ValueError("a sheet's position does not start a substream")
        rows, columns = extents[offset]
        sheets.append(Extent(_name(biff[at + 6 : at + length]) or f"第 {number} 张工作表", rows, columns))
    return sheets


def _name(data: bytes) -> str:
    """A BOUNDSHEET's sheet name: BIFF8's short Unicode string, else BIFF5's bytes."""
    if len(data) < 2:
        return ""
    length, flags = data[0], data[1]
    if len(data) == 2 + length * (2 if flags & 1 else 1) and flags in (0, 1):  # BIFF8
        body = data[2:]
        return body.decode("utf-16-le" if flags & 1 else "latin-1", "replace")
    return data[1 : 1 + length].decode("gbk", "replace")  # BIFF5: the Chinese code page


def _records(biff: bytes) -> Iterator[tuple[int, int, int]]:
    """(type, data start, data length) of each record of a BIFF stream."""
    at, end = 0, len(biff)
    while at + _PAIR.size <= end:
        kind, length = _PAIR.unpack_from(biff, at)
        start = at + _PAIR.size
        if start + length > end:
            raise ValueError("a record runs past the end of the stream")
        yield kind, start, length
        at = start + length


def _substreams(biff: bytes, records: list[tuple[int, int, int]]) -> dict[int, tuple[int, int]]:
    """(rows, columns) of the cells of every substream, by the offset of its BOF record."""
    extents: dict[int, tuple[int, int]] = {}
    current = None
    for kind, start, length in records:
        if kind in _BOF:
            current = start - _PAIR.size
            extents[current] = (0, 0)
        elif kind == _EOF:
            current = None
        elif current is not None and kind in _CELLS and length >= 4:
            _grow(extents, current, *_PAIR.unpack_from(biff, start))
        elif current is not None and kind in _MULTIPLE and length >= 6:
            last = struct.unpack_from("<H", biff, start + length - 2)[0]  # the last column
            _grow(extents, current, _PAIR.unpack_from(biff, start)[0], last)
    return extents


def _grow(extents: dict[int, tuple[int, int]], at: int, row: int, col: int) -> None:
    rows, columns = extents[at]
    extents[at] = (max(rows, row + 1), max(columns, col + 1))
