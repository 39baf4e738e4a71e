"""Opening an untrusted workbook safely, and its sheets as grids of values.

Everything that can go wrong before a single cell is read — not a workbook, encrypted,
corrupt, too big, a zip bomb, a sheet whose used range would not fit in memory — becomes
one Chinese finding, never a traceback and never a crash.
"""

from __future__ import annotations

import io
import posixpath
import re
import struct
import zipfile
import zlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from itertools import chain, islice
from pathlib import Path

import python_calamine
from defusedxml import ElementTree
from defusedxml.common import DefusedXmlException

from compliance import files
from compliance.findings import Finding
from compliance.workbook.cells import CellError, key

MAX_FILE_BYTES = 50 * 1024 * 1024
"""Largest workbook accepted; a checklist of a few hundred items is well under 1 MB."""
MAX_UNZIPPED_BYTES = 256 * 1024 * 1024
"""Largest total uncompressed size of the zip members: refuses zip bombs before parsing."""
MAX_MEMBERS = 10_000
MAX_ROWS = 1_048_576
"""Most rows in one sheet: Excel's own limit (a bulk form of 3,000 units × 300 items fits)."""
MAX_COLUMNS = 1_024
HEADER_SCAN_ROWS = 30
"""How far down a sheet its header row is looked for."""
MAX_CELLS = 16_000_000
"""Most cells (rows × columns) in one sheet, the guard of memory: calamine allocates the
whole rectangle at once (about 0.5 GB at this size), so a single far-away cell
(XFD1048576) in a 6 KB file would otherwise exhaust memory."""

Cell = object  # str | float | int | bool | date | datetime | time | timedelta, as calamine gives

_ZIP_MAGIC = b"PK\x03\x04"
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ENCRYPTED_MARK = "EncryptionInfo".encode("utf-16-le")
_REL_ID = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"
# A cell calamine would place outside A1:T799999 (20 columns × 799,999 rows < MAX_CELLS),
# or one whose cached result is a formula error, can only be in a cell start tag that is
# not written the way every spreadsheet writes one: ``<c r="K12" s="3" t="s">``, its
# reference first, in the box, each attribute after one space in double quotes. One
# search finds any other (calamine reads ``r='XFD1'``, ``r = "XFD1"``, lowercase
# ``xfd1``, ``t="s"r="XFD1"``, and a cell without r where its row's r and its order put
# it), and only a sheet with such a tag is parsed to measure it: see :func:`_census`.
# The bare literal ``c`` first keeps sre's fast prefix scan; ``(?<=[<:]c)`` makes it an
# element named c, with or without a namespace prefix, as calamine matches it.
_IRREGULAR_CELL = re.compile(
    rb"c(?<=[<:]c)(?![^ \t\r\n/>])"
    rb'(?! r="[A-T](?:[1-7][0-9]{5}|[1-9][0-9]{0,4})"(?: (?!r=|t="e")[A-Za-z]+="[^"<]*")*/?>)'
)
_XML_TROUBLE = (  # what a damaged zip member or XML part raises while we read it
    OSError,
    EOFError,
    NotImplementedError,  # zipfile: an unknown compression method or zip version
    zlib.error,
    KeyError,
    ValueError,
    zipfile.BadZipFile,
    ElementTree.ParseError,
    DefusedXmlException,
)
_BROKEN = "工作簿已损坏（{}）；请在 Excel/WPS 中打开并另存为 .xlsx 后重试"


Line = list[Cell]
Merged = tuple[tuple[tuple[int, int], tuple[int, int]], ...]


@dataclass(frozen=True)
class Grid:
    """Rows of a sheet held in memory; ``rows[r][c]`` is cell (r, c), 0-based, ``""`` when empty."""

    name: str
    rows: list[Line]
    merged: Merged = ()

    def value(self, row: int, col: int) -> Cell:
        line = self.rows[row] if row < len(self.rows) else ()
        return line[col] if col < len(line) else ""

    def merged_width(self, row: int, col: int) -> int:
        """Columns covered by the merged range whose top-left is (row, col), else 1."""
        for (r0, c0), (_, c1) in self.merged:
            if (r0, c0) == (row, col):
                return c1 - c0 + 1
        return 1

    def below(self, header_row: int) -> Iterator[tuple[int, Line]]:
        """(row, cells) of every row under the header, merged ranges filled."""
        return filled(enumerate(self.rows[header_row + 1 :], start=header_row + 1), self.merged, header_row)


@dataclass
class Sheet:
    """A sheet read row by row: the first rows (where the header is) kept in ``top``, the
    rest streamed from calamine once, so a bulk form is never held twice in memory."""

    top: Grid
    rest: Iterator[Line]

    @property
    def name(self) -> str:
        return self.top.name

    def below(self, header_row: int) -> Iterator[tuple[int, Line]]:
        head = enumerate(self.top.rows[header_row + 1 :], start=header_row + 1)
        lines = chain(head, enumerate(self.rest, start=len(self.top.rows)))
        return filled(lines, self.top.merged, header_row)


def filled(lines: Iterable[tuple[int, Line]], merged: Merged, header_row: int) -> Iterator[tuple[int, Line]]:
    """Give every row of a merged range below the header its top-left value, in that
    column: one 结论 written across several items' rows counts for each of them."""
    starts: dict[int, list[tuple[int, int]]] = {}
    for (r0, c0), (r1, _) in merged:
        if r0 > header_row and r1 > r0:
            starts.setdefault(r0, []).append((c0, r1))
    # Most sheets merge nothing below the header: their rows pass as they are.
    return _filling(lines, starts) if starts else iter(lines)


def _filling(
    lines: Iterable[tuple[int, Line]], starts: dict[int, list[tuple[int, int]]]
) -> Iterator[tuple[int, Line]]:
    active: dict[int, tuple[Cell, int]] = {}  # column → (value, last row of its range)
    for row, line in lines:
        for col, last in starts.get(row, ()):
            active[col] = (line[col] if col < len(line) else "", last)
        for col, (value, last) in list(active.items()):
            if row > last:
                del active[col]
            elif col < len(line):
                line[col] = value
        yield row, line


@dataclass
class Book:
    """An opened workbook: its sheets' names, each sheet loaded on demand."""

    file: str
    archive: zipfile.ZipFile
    parts: dict[str, str]  # sheet name → zip member of its XML
    workbook: python_calamine.CalamineWorkbook
    names: list[str]
    _formulas: dict[str, set[tuple[int, int]]] = field(default_factory=dict)
    _percent: dict[str, set[tuple[int, int]]] = field(default_factory=dict)

    def close(self) -> None:
        self.workbook.close()
        self.archive.close()

    def find(self, name: str) -> str | None:
        """The real name of the sheet called ``name`` (ignoring spaces and full-width forms)."""
        wanted = key(name)
        return next((n for n in self.names if key(n) == wanted), None)

    def sheet(self, name: str) -> tuple[Sheet | None, list[Finding]]:
        """Sheet ``name`` to be read row by row, refusing one too large to hold in memory."""
        try:
            part = self.parts[name]  # KeyError: unmapped
            # Only a sheet the scan flags is inflated whole and parsed: to measure it
            # exactly, and to find its error cells.
            if _scan_sheet(self.archive, part):
                rows, cols, errors = _census(_sheet_xml(self.archive, part))
            else:
                (rows, cols), errors = _INSIDE_BOX, {}
        except _XML_TROUBLE:
            # calamine might still read a part we cannot: refuse rather than load it unchecked
            return None, [Finding(self.file, "工作簿结构异常或已损坏：无法读取这张工作表的数据", cell=name)]
        if rows > MAX_ROWS or cols > MAX_COLUMNS or rows * cols > MAX_CELLS:
            message = (
                f"数据区域达 {rows} 行、{cols} 列，超过上限（{MAX_ROWS} 行、{MAX_COLUMNS} 列、"
                f"共 {MAX_CELLS} 个单元格）；请删除多余的行列，或分成几个文件"
            )
            return None, [Finding(self.file, message, cell=name)]
        try:
            sheet = self.workbook.get_sheet_by_name(name)
            lines = _marked(_absolute(sheet), errors) if errors else _absolute(sheet)
            top = list(islice(lines, HEADER_SCAN_ROWS))
        except python_calamine.CalamineError as exc:
            return None, [Finding(self.file, f"工作表已损坏，无法读取（{exc}）", cell=name)]
        return Sheet(Grid(name, top, tuple(sheet.merged_cell_ranges or ())), lines), []

    def grid(self, name: str) -> tuple[Grid | None, list[Finding]]:
        """Sheet ``name`` wholly in memory (the small sheets of a checklist)."""
        sheet, findings = self.sheet(name)
        if sheet is None:
            return None, findings
        return Grid(name, sheet.top.rows + list(sheet.rest), sheet.top.merged), findings

    def formula_cells(self, sheet: str) -> set[tuple[int, int]]:
        """Cells of ``sheet`` that hold a formula (calamine gives only their cached results).
        Parsed on first use only: it is needed just to tell a typed 得分 from a stale one."""
        if sheet not in self._formulas:
            try:
                self._formulas[sheet] = _formula_cells(self.archive, self.parts[sheet])
            except _XML_TROUBLE:
                self._formulas[sheet] = set()
        return self._formulas[sheet]

    def percent_cells(self, sheet: str) -> set[tuple[int, int]]:
        """Cells of ``sheet`` holding a number shown as a percentage (Excel stores 0.952 for
        95.2 % typed in such a cell). Parsed on first use only: needed just for the
        实测值 of items whose unit is %."""
        if sheet not in self._percent:
            try:
                styles = _percent_styles(self.archive)
                self._percent[sheet] = (
                    _styled_cells(self.archive, self.parts[sheet], styles) if styles else set()
                )
            except _XML_TROUBLE:
                self._percent[sheet] = set()
        return self._percent[sheet]


def open_book(path: Path) -> tuple[Book | None, list[Finding]]:
    """Open ``path`` for reading, or explain in one finding why it cannot be read."""
    file = str(path)
    problem = _refuse(path)
    if problem:
        return None, [Finding(file, problem)]
    try:
        archive = zipfile.ZipFile(path)
    except _XML_TROUBLE as exc:
        return None, [Finding(file, _BROKEN.format(f"压缩包无法打开：{exc}"))]
    problem = _refuse_zip(archive)
    if problem is None:
        try:
            parts = _sheet_parts(archive)
            workbook = python_calamine.CalamineWorkbook.from_path(file)
            kinds = {m.name: m.typ for m in workbook.sheets_metadata}
            names = [n for n, t in kinds.items() if t == python_calamine.SheetTypeEnum.WorkSheet]
            return Book(file, archive, parts, workbook, names), []
        except python_calamine.PasswordError:
            problem = "工作簿设置了打开密码：请在 Excel/WPS 中取消密码后另存为 .xlsx 再导入"
        except (python_calamine.CalamineError, *_XML_TROUBLE) as exc:
            problem = _BROKEN.format(f"无法读取：{exc}")
    archive.close()
    return None, [Finding(file, problem)]


def _refuse(path: Path) -> str | None:
    """Why ``path`` must not be opened, from its kind, size and first bytes; None when it may."""
    try:
        head = files.read_bytes(path, 7)
        size = path.stat().st_size
    except OSError as exc:
        return f"无法读取文件：{files.reason(exc)}"
    if size > MAX_FILE_BYTES:
        return f"文件过大：{size} 字节，上限为 {MAX_FILE_BYTES} 字节"
    if head.startswith(_OLE_MAGIC):
        # An encrypted .xlsx is an OLE container too, with an EncryptionInfo stream.
        if _ENCRYPTED_MARK in path.read_bytes():
            return "工作簿设置了打开密码（已加密）：请在 Excel/WPS 中取消密码后另存为 .xlsx 再导入"
        return "这是旧版 .xls 格式的工作簿：请在 Excel/WPS 中另存为 .xlsx（Excel 工作簿）后再导入"
    if not head.startswith(_ZIP_MAGIC):
        return "不是 .xlsx 工作簿：文件内容不是 Excel 2007 及以上版本的格式"
    return None


def _refuse_zip(archive: zipfile.ZipFile) -> str | None:
    members = archive.infolist()
    if "xl/workbook.xml" not in archive.NameToInfo:
        return "不是 .xlsx 工作簿：压缩包中没有 xl/workbook.xml（可能是 .docx、.zip 或其他文件）"
    if len(members) > MAX_MEMBERS:
        return f"工作簿结构异常：压缩包内有 {len(members)} 个部件，上限为 {MAX_MEMBERS}"
    unzipped = sum(m.file_size for m in members)
    if unzipped > MAX_UNZIPPED_BYTES:
        return (
            f"工作簿解压后过大：{unzipped} 字节，上限为 {MAX_UNZIPPED_BYTES} 字节（可能是恶意构造的压缩包）"
        )
    return None


def _read_member(archive: zipfile.ZipFile, name: str) -> bytes:
    """A zip member, inflated no further than its declared size: ``archive.read`` inflates
    all of it in one call before noticing that a 300 KB file holds 600 MB."""
    info = archive.getinfo(name)
    with archive.open(info) as stream:
        data = stream.read(info.file_size)
        if stream.read(1):
            raise zipfile.BadZipFile(f"部件 {name} 比声明的大小更大")
    return data


_LOCAL_HEADER = struct.Struct("<4s2xHH8x2L2H")  # signature, flags, method, sizes, name and extra lengths
_LOCAL_MAGIC = b"PK\x03\x04"


def _sheet_xml(archive: zipfile.ZipFile, name: str) -> bytes:
    """A sheet's XML for the checks that run before calamine loads it: inflated straight
    from the file by zlib, no further than its declared size. Its CRC is not computed:
    calamine checks it while reading the same member, and this copy is only scanned."""
    info = archive.getinfo(name)
    method = info.compress_type
    if info.flag_bits & 0x1 or method not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED) or archive.fp is None:
        return _read_member(archive, name)
    raw = _compressed(archive, info)
    data = (
        raw if method == zipfile.ZIP_STORED else zlib.decompressobj(-15).decompress(raw, info.file_size + 1)
    )
    if len(data) != info.file_size:
        raise zipfile.BadZipFile(f"部件 {name} 的大小与声明的不同")
    return data


_INSIDE_BOX = (799_999, 20)  # the bound a sheet with no cell outside A1:T799999 stays within
_SCAN_INPUT = 16 * 1024  # compressed bytes fed to zlib at a time
_SCAN_PIECE = 64 * 1024
"""Inflated bytes scanned at a time: below malloc's mmap threshold, so the buffers are
reused from the heap. Inflating a 3 MB sheet whole took fresh pages from the kernel for
every sheet of every file — about 800 page faults, a third of the cost of the check."""


def _scan_sheet(archive: zipfile.ZipFile, name: str) -> bool:
    """Whether a sheet's XML, inflated a piece at a time, has an irregular cell tag (see
    _IRREGULAR_CELL). A tag holds no ``<``: a piece is searched from its first ``<`` up
    to its last, where a tag may be cut, and what lies between the last ``<`` of one
    piece and the first of a later one — the tag cut in two — is searched on its own:
    a few bytes, where copying whole pieces would cost more than the search."""
    carry = b""
    for piece in _inflated(archive, name):
        head = piece.find(b"<")
        if head < 0:  # no tag starts here: all of it may belong to a cut tag
            carry += piece
            continue
        last = piece.rfind(b"<")
        # pos and endpos, not slices: no copy; the lookbehind still sees the '<' before
        # pos, and the negative lookahead cannot run past the cut at endpos.
        if (carry and _IRREGULAR_CELL.search(carry + piece[:head])) or _IRREGULAR_CELL.search(
            piece, head, last
        ):
            return True
        carry = piece[last:]
    return bool(carry) and _IRREGULAR_CELL.search(carry) is not None


def _inflated(archive: zipfile.ZipFile, name: str) -> Iterator[bytes]:
    """A zip member's bytes in pieces of at most _SCAN_PIECE, inflated straight from the
    file by zlib, no further than its declared size (see :func:`_sheet_xml`)."""
    info = archive.getinfo(name)
    method = info.compress_type
    if info.flag_bits & 0x1 or method not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED) or archive.fp is None:
        yield _read_member(archive, name)
        return
    raw = memoryview(_compressed(archive, info))
    inflate = zlib.decompressobj(-15) if method == zipfile.ZIP_DEFLATED else None
    size = 0
    for start in range(0, len(raw), _SCAN_INPUT):
        pending = raw[start : start + _SCAN_INPUT]
        while pending:
            if inflate is None:
                piece, pending = bytes(pending), b""
            else:
                piece = inflate.decompress(pending, _SCAN_PIECE)
                pending = inflate.unconsumed_tail
            size += len(piece)
            if size > info.file_size:
                raise zipfile.BadZipFile(f"部件 {name} 的大小与声明的不同")
            if piece:
                yield piece
    if inflate is not None:
        rest = inflate.flush()
        size += len(rest)
        if rest and size <= info.file_size:
            yield rest
    if size != info.file_size:
        raise zipfile.BadZipFile(f"部件 {name} 的大小与声明的不同")


def _compressed(archive: zipfile.ZipFile, info: zipfile.ZipInfo) -> bytes:
    """A member's raw (still compressed) bytes, found through its local header."""
    assert archive.fp is not None
    archive.fp.seek(info.header_offset)
    magic, _, _, _, _, name_len, extra_len = _LOCAL_HEADER.unpack(archive.fp.read(_LOCAL_HEADER.size))
    if magic != _LOCAL_MAGIC:
        raise zipfile.BadZipFile(f"部件 {info.filename} 的文件头已损坏")
    archive.fp.seek(name_len + extra_len, io.SEEK_CUR)
    return archive.fp.read(info.compress_size)


def _sheet_parts(archive: zipfile.ZipFile) -> dict[str, str]:
    """Sheet name → the zip member holding its XML, via workbook.xml and its relationships."""
    rels = ElementTree.fromstring(_read_member(archive, "xl/_rels/workbook.xml.rels"))
    targets = {el.get("Id"): el.get("Target") or "" for el in rels if el.get("Id")}
    book = ElementTree.fromstring(_read_member(archive, "xl/workbook.xml"))
    parts = {}
    for sheet in book.iter():
        if sheet.tag.rpartition("}")[2] == "sheet" and sheet.get(_REL_ID) in targets:
            target = targets[sheet.get(_REL_ID)]
            parts[sheet.get("name")] = (
                target[1:] if target.startswith("/") else posixpath.normpath(f"xl/{target}")
            )
    return parts


def _absolute(sheet: python_calamine.CalamineSheet) -> Iterator[Line]:
    """The sheet's rows from A1: calamine's rows start at row 1 but at the first used column."""
    start = sheet.start[1] if sheet.start else 0
    return _shifted(sheet.iter_rows(), [""] * start) if start else sheet.iter_rows()


def _shifted(lines: Iterator[Line], offset: Line) -> Iterator[Line]:
    for line in lines:
        yield offset + line


def _column_number(letters: str) -> int:
    """``A`` → 1, ``AA`` → 27."""
    number = 0
    for ch in letters:
        number = number * 26 + ord(ch) - 64
    return number


def _formula_cells(archive: zipfile.ZipFile, part: str) -> set[tuple[int, int]]:
    cells: set[tuple[int, int]] = set()
    row, col = -1, -1
    with archive.open(part) as stream:
        for event, el in ElementTree.iterparse(stream, events=("start", "end")):
            tag = el.tag.rpartition("}")[2]
            if event == "start" and tag == "row":
                row, col = int(el.get("r") or row + 2) - 1, -1
            elif event == "start" and tag == "c":
                row, col = _position(el.get("r"), row, col + 1)
            elif event == "end" and tag == "f":
                cells.add((row, col))
            elif event == "end" and tag == "row":
                el.clear()
    return cells


_PERCENT_FORMATS = {9, 10}  # the built-in number formats 0% and 0.00%
_QUOTED = re.compile(r'"[^"]*"|\\.|\[[^\]]*\]')  # literal text, an escaped character, [colour]


def _percent_styles(archive: zipfile.ZipFile) -> set[int]:
    """Indexes of the cell styles (``cellXfs``) whose number format shows a percentage."""
    try:
        root = ElementTree.fromstring(_read_member(archive, "xl/styles.xml"))
    except KeyError:
        return set()
    codes = {}
    for el in root.iter():
        if el.tag.rpartition("}")[2] == "numFmt" and (el.get("numFmtId") or "").isdigit():
            codes[int(el.get("numFmtId"))] = el.get("formatCode") or ""
    percent = _PERCENT_FORMATS | {i for i, code in codes.items() if "%" in _QUOTED.sub("", code)}
    styles = set()
    for el in root.iter():
        if el.tag.rpartition("}")[2] == "cellXfs":
            for index, xf in enumerate(x for x in el if x.tag.rpartition("}")[2] == "xf"):
                if int(xf.get("numFmtId") or 0) in percent:
                    styles.add(index)
    return styles


def _styled_cells(archive: zipfile.ZipFile, part: str, styles: set[int]) -> set[tuple[int, int]]:
    """Cells of a sheet holding a number (not text) in one of ``styles``."""
    cells: set[tuple[int, int]] = set()
    row, col = -1, -1
    with archive.open(part) as stream:
        for event, el in ElementTree.iterparse(stream, events=("start", "end")):
            tag = el.tag.rpartition("}")[2]
            if event == "start" and tag == "row":
                row, col = int(el.get("r") or row + 2) - 1, -1
            elif event == "start" and tag == "c":
                row, col = _position(el.get("r"), row, col + 1)
                style = el.get("s")
                if style and style.isdigit() and int(style) in styles and el.get("t") in (None, "n"):
                    cells.add((row, col))
            elif event == "end" and tag == "row":
                el.clear()
    return cells


def _census(xml: bytes) -> tuple[int, int, dict[tuple[int, int], CellError]]:
    """(rows, columns) of the rectangle calamine will allocate for a sheet — an upper
    bound — and (row, col) → the error value of every cell whose cached result is a
    formula error. Cells are placed as calamine places them: by their reference (letters
    in either case), else after the cell before in the row, in the row its r names or
    the one after the row before.

    calamine's versions differ on an element written self-closed (``<c r="A1"/>``,
    ``<row r="9"/>``): the one installed reads it as an empty pair, newer ones skip it,
    and this parser cannot tell the two apart. Cells are placed (and errors marked) as
    the installed one places them; the bound also follows each cell where an element
    without children is never let move the running row or column back, at or beyond
    where a version that skips it would place the cell."""
    cells: dict[tuple[int, int], CellError] = {}
    row = col = rows = cols = 0  # placed as the installed calamine places them
    high_row = high_col = 0  # never moved back by an element without children
    before = (0, 0)  # (high_row, high_col) when the current row began
    for event, el in ElementTree.iterparse(io.BytesIO(xml), events=("start", "end")):
        tag = el.tag.rpartition("}")[2]
        if tag == "row" and event == "start":
            before = (high_row, high_col)
            if (ref := el.get("r")) is not None:
                row = high_row = int(ref) - 1
        elif tag == "row":
            row, col = row + 1, 0
            high_row, high_col = (high_row + 1, 0) if len(el) else (max(before[0], high_row + 1), before[1])
            el.clear()
        elif tag == "c" and event == "end":
            at = _position(el.get("r"), row, col)
            high = _position(el.get("r"), high_row, high_col)
            rows, cols = max(rows, at[0] + 1, high[0] + 1), max(cols, at[1] + 1, high[1] + 1)
            col = at[1] + 1
            high_col = high[1] + 1 if len(el) else max(high_col, high[1] + 1)
            value = next((v for v in el if v.tag.rpartition("}")[2] == "v"), None)
            if el.get("t") == "e" and value is not None:
                cells[at] = CellError((value.text or "#VALUE!").strip())
            else:
                cells.pop(at, None)  # a later cell in the same place is the one calamine keeps
    return rows, cols, cells


def _marked(lines: Iterator[Line], errors: dict[tuple[int, int], CellError]) -> Iterator[Line]:
    """``lines`` with each error cell holding its CellError instead of calamine's ``""``."""
    by_row: dict[int, list[tuple[int, CellError]]] = {}
    for (row, col), value in errors.items():
        by_row.setdefault(row, []).append((col, value))
    for row, line in enumerate(lines):
        for col, value in by_row.get(row, ()):
            if col >= len(line):
                line = [*line, *[""] * (col + 1 - len(line))]
            if line[col] == "":
                line[col] = value
        yield line


_REFERENCE = re.compile(r"([A-Za-z]+)([0-9]+)", re.ASCII)


def _position(ref: str | None, row: int, col: int) -> tuple[int, int]:
    """(row, col) of a cell reference like ``K12`` (or ``k12``: calamine reads either); a
    cell may omit it and follow on. ValueError for anything else: calamine refuses it too."""
    if not ref:
        return row, col
    match = _REFERENCE.fullmatch(ref)
    if match is None:
        raise ValueError(f"not a cell reference: {ref[:20]!r}")
    return int(match[2]) - 1, _column_number(match[1].upper()) - 1
