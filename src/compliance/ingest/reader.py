"""Reading a scoring table (.xlsx, .xls, .csv, .docx) into grids of cell texts.

Each table comes out as a ``Grid``: its cells' texts with, for every cell, the origin of
the merged range it belongs to (its own position when it is not merged), so the structure
reader can tell a vertically merged category cell from a new one. The containers are
opened with the same guards as the checklist workbook (size, zip members, unzipped size,
encrypted files, XML without DTDs); anything unreadable is one Chinese finding.
"""

from __future__ import annotations

import csv
import io
import re
import struct
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass, replace
from decimal import Decimal
from pathlib import Path

import python_calamine
from defusedxml import ElementTree
from defusedxml.common import DefusedXmlException

from compliance import files
from compliance.findings import Finding
from compliance.ingest.biff import sheet_extents
from compliance.ingest.text import clean
from compliance.workbook.source import MAX_FILE_BYTES, MAX_MEMBERS, MAX_UNZIPPED_BYTES, open_book

SUFFIXES = (".xlsx", ".xlsm", ".xls", ".csv", ".docx")
MAX_TABLE_ROWS = 5_000
"""Most rows read from one table: a scoring table of 300 items is well under."""
MAX_TABLE_COLUMNS = 60

_ZIP = b"PK\x03\x04"
_OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ENCRYPTED = "EncryptionInfo".encode("utf-16-le")


@dataclass(frozen=True)
class Grid:
    """One table: ``text[r][c]`` and ``origin[r][c]`` (the top-left cell of its merged range)."""

    file: str
    kind: str  # xlsx | xls | csv | docx
    name: str  # the sheet's name, or 表1, 表2… for a Word table
    text: list[list[str]]
    origin: list[list[tuple[int, int]]]
    raw: list[list[object]]
    caption: str = ""  # a Word table's title: the paragraph above it («某某评分表»)

    @property
    def width(self) -> int:
        return max((len(line) for line in self.text), default=0)

    def cell(self, row: int, col: int) -> str:
        line = self.text[row] if row < len(self.text) else []
        return line[col] if col < len(line) else ""

    def value(self, row: int, col: int) -> object:
        line = self.raw[row] if row < len(self.raw) else []
        return line[col] if col < len(line) else ""

    def origin_of(self, row: int, col: int) -> tuple[int, int]:
        line = self.origin[row] if row < len(self.origin) else []
        return line[col] if col < len(line) else (row, col)

    def own(self, row: int, col: int) -> bool:
        """Whether (row, col) is a cell of its own, not the lower part of a vertical merge."""
        return self.origin_of(row, col)[0] == row

    def where(self, row: int, col: int) -> str:
        """How a person finds the cell: ``表.xlsx!评分表!E14`` or ``表.docx 表1 第14行 第5列``."""
        if self.kind in {"xlsx", "xls"}:
            return f"{self.file}!{self.name}!{column_letters(col)}{row + 1}"
        if self.kind == "docx":
            return f"{self.file} {self.name} 第{row + 1}行 第{col + 1}列"
        return f"{self.file} 第{row + 1}行 第{col + 1}列"

    def where_row(self, row: int) -> str:
        if self.kind in {"xlsx", "xls"}:
            return f"{self.file}!{self.name}!第{row + 1}行"
        if self.kind == "docx":
            return f"{self.file} {self.name} 第{row + 1}行"
        return f"{self.file} 第{row + 1}行"


def column_letters(col: int) -> str:
    letters = ""
    col += 1
    while col:
        col, rest = divmod(col - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def read_tables(path: Path) -> tuple[list[Grid], list[Finding]]:
    """Every table of the file, or the one finding that says why it cannot be read."""
    name = path.name
    suffix = path.suffix.lower()
    if suffix not in SUFFIXES:
        return [], [
            Finding(
                name, f"不支持的文件类型“{path.suffix or '（无扩展名）'}”：应为 .xlsx、.xls、.csv 或 .docx"
            )
        ]
    try:
        head = files.read_bytes(path, 7)  # a pipe or a device is refused, never read
        size = path.stat().st_size
    except OSError as exc:
        return [], [Finding(name, f"无法读取文件：{files.reason(exc)}")]
    if size > MAX_FILE_BYTES:
        return [], [Finding(name, f"文件过大：{size} 字节，上限为 {MAX_FILE_BYTES} 字节")]
    if size == 0:
        return [], [Finding(name, "文件是空的（0 字节）")]
    if suffix == ".csv":
        return _read_csv(path)
    if suffix == ".docx":
        return _read_docx(path, head)
    if suffix == ".xls":
        return _read_xls(path, head)
    return _read_xlsx(path, head)


def _impostor(head: bytes, wanted: str) -> str | None:
    """What a file really is when its first bytes are not those of ``wanted``."""
    if head.startswith(b"%PDF"):
        return f"不是 {wanted} 文件：内容是 PDF（可能是扫描件改了扩展名）；请提供 Word/Excel 原件，或先转换为可编辑的表格"
    if head[:3] in {b"\xff\xd8\xff"} or head.startswith(b"\x89PNG"):
        return f"不是 {wanted} 文件：内容是图片；请提供 Word/Excel 原件"
    return None


# --- Excel --------------------------------------------------------------------------


def _read_xlsx(path: Path, head: bytes) -> tuple[list[Grid], list[Finding]]:
    problem = _impostor(head, ".xlsx")
    if problem:
        return [], [Finding(path.name, problem)]
    book, findings = open_book(path)
    if book is None:
        return [], [Finding(path.name, f.message, cell=f.cell) for f in findings]
    grids: list[Grid] = []
    try:
        for sheet in book.names:
            grid, more = book.grid(sheet)
            findings += [Finding(path.name, f.message, cell=f.cell) for f in more]
            if grid is None:
                continue
            problem = _too_large(*_extent(grid.rows))
            if problem:
                findings.append(Finding(path.name, problem, cell=sheet))
            else:
                grids.append(_grid(path.name, "xlsx", sheet, grid.rows, list(grid.merged)))
    finally:
        book.close()
    return grids, findings


def _read_xls(path: Path, head: bytes) -> tuple[list[Grid], list[Finding]]:
    problem = _impostor(head, ".xls")
    if problem:
        return [], [Finding(path.name, problem)]
    if head.startswith(_ZIP):
        return [], [Finding(path.name, "文件扩展名为 .xls，内容却是 .xlsx：请把扩展名改为 .xlsx 后重试")]
    if not head.startswith(_OLE):
        return [], [Finding(path.name, "不是 .xls 工作簿：文件内容不是 Excel 97–2003 格式")]
    data = path.read_bytes()
    if _ENCRYPTED in data:
        return [], [Finding(path.name, "工作簿设置了打开密码（已加密）：请取消密码后另存再导入")]
    # Measured before calamine opens the file: it allocates every sheet's rectangle then.
    try:
        extents = sheet_extents(data)
    except (OSError, ValueError, struct.error):
        return [], [Finding(path.name, "工作簿结构异常或已损坏：无法读取其中的单元格记录")]
    too_large = [
        Finding(
            path.name,
            f"工作表过大：{e.rows} 行、{e.columns} 列（上限 {MAX_TABLE_ROWS} 行、{MAX_TABLE_COLUMNS} 列）；"
            "Excel 97–2003 工作簿只能整本读入，未读取：请删除这张工作表的多余行列，或另存为 .xlsx",
            cell=e.name,
        )
        for e in extents
        if e.rows > MAX_TABLE_ROWS or e.columns > MAX_TABLE_COLUMNS
    ]
    if too_large:
        return [], too_large
    try:
        workbook = python_calamine.CalamineWorkbook.from_path(str(path))
    except python_calamine.PasswordError:
        return [], [Finding(path.name, "工作簿设置了打开密码（已加密）：请取消密码后另存再导入")]
    except (python_calamine.CalamineError, OSError, ValueError) as exc:
        return [], [Finding(path.name, f"工作簿已损坏，无法读取（{exc}）")]
    grids: list[Grid] = []
    findings: list[Finding] = []
    try:
        for meta in workbook.sheets_metadata:
            if meta.typ != python_calamine.SheetTypeEnum.WorkSheet:
                continue
            try:
                sheet = workbook.get_sheet_by_name(meta.name)
                height, width = sheet.height, sheet.width
                if height > MAX_TABLE_ROWS or width > MAX_TABLE_COLUMNS:
                    findings.append(
                        Finding(
                            path.name,
                            f"工作表过大：{height} 行、{width} 列（上限 {MAX_TABLE_ROWS} 行、{MAX_TABLE_COLUMNS} 列）",
                            cell=meta.name,
                        )
                    )
                    continue
                # calamine's rows start at row 1 but at the first used column
                offset = [""] * (sheet.start[1] if sheet.start else 0)
                rows = [[*offset, *line] for line in sheet.to_python()]
                grids.append(_grid(path.name, "xls", meta.name, rows, list(sheet.merged_cell_ranges or ())))
            except python_calamine.CalamineError as exc:
                findings.append(Finding(path.name, f"工作表已损坏，无法读取（{exc}）", cell=meta.name))
    finally:
        workbook.close()
    return grids, findings


def _too_large(height: int, width: int) -> str | None:
    if height <= MAX_TABLE_ROWS and width <= MAX_TABLE_COLUMNS:
        return None
    return (
        f"表格过大：{height} 行、{width} 列（上限 {MAX_TABLE_ROWS} 行、{MAX_TABLE_COLUMNS} 列），未读取："
        "评分表不会这么大，请删除多余的行列，或只把评分表另存为一个文件后再导入"
    )


def _extent(rows: Iterable[list[object]]) -> tuple[int, int]:
    """Rows and columns up to the last non-blank cell: the blank cells a sheet's formatting
    leaves around a table are not part of it."""
    height = width = 0
    for r, line in enumerate(rows, start=1):
        last = len(line)
        while last and _blank(line[last - 1]):
            last -= 1
        if last:
            height, width = r, max(width, last)
    return height, width


def _blank(value: object) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _grid(file: str, kind: str, name: str, rows: list[list[object]], merged: list) -> Grid:
    # Every reader has refused a table over the limits; what is cut here is blank.
    rows = rows[:MAX_TABLE_ROWS]
    width = min(max((len(line) for line in rows), default=0), MAX_TABLE_COLUMNS)
    raw = [[*line[:width], *[""] * (width - len(line[:width]))] for line in rows]
    origin = [[(r, c) for c in range(width)] for r in range(len(raw))]
    for (r0, c0), (r1, c1) in merged:
        for r in range(r0, min(r1 + 1, len(raw))):
            for c in range(c0, min(c1 + 1, width)):
                origin[r][c] = (r0, c0)
                if (r, c) != (r0, c0):
                    raw[r][c] = raw[r0][c0] if c0 < width else ""
    text = [[_text(v) for v in line] for line in raw]
    return Grid(file, kind, name, text, origin, raw)


def _text(value: object) -> str:
    if value is None or value == "":
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, float):
        number = Decimal(repr(value))
        return format(number.normalize(), "f") if number == number.to_integral_value() else repr(value)
    return clean(value)


# --- CSV ----------------------------------------------------------------------------


def _read_csv(path: Path) -> tuple[list[Grid], list[Finding]]:
    data = path.read_bytes()
    problem = _impostor(data[:8], ".csv")
    if problem:
        return [], [Finding(path.name, problem)]
    if data.startswith(_ZIP) or data.startswith(_OLE):
        return [], [
            Finding(path.name, "不是 .csv 文本文件：内容是 Excel 工作簿；请把扩展名改为 .xlsx 或 .xls")
        ]
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            content = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:  # pragma: no cover - gb18030 decodes nearly any byte string
        return [], [Finding(path.name, "无法识别文件编码：应为 UTF-8 或 GB18030（GBK）")]
    if "\x00" in content:
        return [], [Finding(path.name, "不是 .csv 文本文件：内容含二进制数据")]
    sample = content[:4096]
    try:
        dialect: type[csv.Dialect] | csv.Dialect = csv.Sniffer().sniff(sample, delimiters=",\t;，")
    except csv.Error:
        dialect = csv.excel
    rows: list[list[object]] = []
    height = width = 0
    for r, line in enumerate(csv.reader(io.StringIO(content), dialect), start=1):
        if r <= MAX_TABLE_ROWS:
            rows.append(list(line))
        # only measured past the limit: a file of blank lines must not fill the memory
        used = _extent([line])[1]
        if used:
            height, width = r, max(width, used)
    problem = _too_large(height, width)
    if problem:
        return [], [Finding(path.name, problem)]
    return [_grid(path.name, "csv", path.stem, rows, [])], []


# --- Word ---------------------------------------------------------------------------


def _read_docx(path: Path, head: bytes) -> tuple[list[Grid], list[Finding]]:
    name = path.name
    problem = _impostor(head, ".docx")
    if problem:
        return [], [Finding(name, problem)]
    if head.startswith(_OLE):
        if _ENCRYPTED in path.read_bytes():
            return [], [Finding(name, "文档设置了打开密码（已加密）：请取消密码后另存为 .docx 再导入")]
        return [], [Finding(name, "这是旧版 .doc 格式的文档：请在 Word/WPS 中另存为 .docx 后再导入")]
    if not head.startswith(_ZIP):
        return [], [Finding(name, "不是 .docx 文档：文件内容不是 Word 2007 及以上版本的格式")]
    try:
        with zipfile.ZipFile(path) as archive:
            problem = _refuse_docx(archive)
    except (zipfile.BadZipFile, OSError, ValueError, KeyError, NotImplementedError) as exc:
        problem = f"文档已损坏（{exc}）；请在 Word/WPS 中打开并另存为 .docx 后重试"
    if problem:
        return [], [Finding(name, problem)]
    import docx  # python-docx; imported here so reading Excel never pays for it
    from docx.opc.exceptions import PackageNotFoundError

    try:
        document = docx.Document(str(path))
    except (PackageNotFoundError, KeyError, ValueError, zipfile.BadZipFile, OSError) as exc:
        return [], [Finding(name, f"文档已损坏，无法读取（{exc}）")]
    except Exception as exc:  # lxml.etree.XMLSyntaxError and kin: a damaged part
        return [], [Finding(name, f"文档已损坏，无法读取（{type(exc).__name__}）")]
    grids: list[Grid] = []
    findings: list[Finding] = []
    for i, table in enumerate(document.tables, start=1):
        trs = table._tbl.tr_lst  # python-docx builds this list anew on every access
        # measured from the grid before a row is built: one w:gridSpan of 10⁹ would ask
        # for gigabytes
        problem = _too_large(len(trs), max((_docx_width(tr) for tr in trs), default=0))
        if problem:
            findings.append(Finding(f"{name} 表{i}", problem))
        else:
            grids.append(_docx_grid(name, f"表{i}", table, trs))
    if findings:
        return [], findings
    if grids:
        grids[0] = replace(grids[0], caption=_caption(document))
    if not grids:
        return [], [
            Finding(name, "文档中没有表格：评分表应是 Word 表格（不是图片、文本框或用空格对齐的文字）")
        ]
    return grids, []


# not a title: «附件1：», a note in brackets «（节选…）», «注：…», «说明…»
_ANNEX = re.compile(r"^(?:(?:附件|附表)[0-9一二三四五六七八九十]*[:：]?$|[(（〔\[【]|注[:：]|说明)")


def _caption(document) -> str:
    """The last short paragraph above the first table that is not «附件1：»: its title."""
    found = ""
    for child in document.element.body.iterchildren():
        tag = child.tag.rsplit("}", 1)[-1]
        if tag == "tbl":
            break
        if tag == "p":
            text = "".join(t.text or "" for t in child.iter() if t.tag.endswith("}t")).strip()
            if text and len(text) <= 80 and not _ANNEX.match(re.sub(r"\s+", "", text)):
                found = text
    return found


def _refuse_docx(archive: zipfile.ZipFile) -> str | None:
    members = archive.infolist()
    if "word/document.xml" not in archive.NameToInfo:
        return "不是 .docx 文档：压缩包中没有 word/document.xml（可能是 .xlsx、.zip 或其他文件）"
    if len(members) > MAX_MEMBERS:
        return f"文档结构异常：压缩包内有 {len(members)} 个部件，上限为 {MAX_MEMBERS}"
    unzipped = sum(m.file_size for m in members)
    if unzipped > MAX_UNZIPPED_BYTES:
        return f"文档解压后过大：{unzipped} 字节，上限为 {MAX_UNZIPPED_BYTES} 字节（可能是恶意构造的压缩包）"
    info = archive.getinfo("word/document.xml")
    with archive.open(info) as stream:
        xml = stream.read(info.file_size)
        if stream.read(1):
            return "文档已损坏：word/document.xml 比声明的大小更大"
    try:
        ElementTree.fromstring(xml, forbid_dtd=True)
    except (DefusedXmlException, ElementTree.ParseError, ValueError) as exc:
        return f"文档结构异常或已损坏（word/document.xml：{exc}）"
    return None


def _docx_width(tr) -> int:
    return (tr.grid_before or 0) + sum(max(1, tc.grid_span or 1) for tc in tr.tc_lst)


def _docx_grid(file: str, name: str, table, trs: list) -> Grid:
    """A Word table as a grid: ``gridSpan`` cells repeat across, ``vMerge`` continues down."""
    from docx.table import _Cell

    rows: list[list[object]] = []
    merged: list[tuple[tuple[int, int], tuple[int, int]]] = []
    open_down: dict[int, int] = {}  # column → row where its vertical merge started
    spans: dict[tuple[int, int], int] = {}
    for r, tr in enumerate(trs):
        line: list[object] = [""] * (tr.grid_before or 0)
        col = len(line)
        for tc in tr.tc_lst:
            span = max(1, tc.grid_span or 1)
            vmerge = tc.vMerge
            text = _Cell(tc, table).text
            if vmerge == "continue" and col in open_down:
                start = open_down[col]
                line.extend(rows[start][col : col + span] if col < len(rows[start]) else [""] * span)
            else:
                line.extend([text] * span)
                if vmerge == "restart":
                    open_down[col] = r
                else:
                    open_down.pop(col, None)
                if span > 1:
                    spans[(r, col)] = span
            col += span
        rows.append(line)
    # merged ranges from the spans and vertical runs
    height = len(rows)
    done: set[tuple[int, int]] = set()
    for r, tr in enumerate(trs):
        col = tr.grid_before or 0
        for tc in tr.tc_lst:
            span = max(1, tc.grid_span or 1)
            if tc.vMerge == "restart" and (r, col) not in done:
                last = r
                while last + 1 < height and _continues(trs[last + 1], col):
                    last += 1
                merged.append(((r, col), (last, col + span - 1)))
                done.add((r, col))
            elif tc.vMerge is None and span > 1:
                merged.append(((r, col), (r, col + span - 1)))
            col += span
    return _grid(file, "docx", name, rows, merged)


def _continues(tr, col: int) -> bool:
    at = tr.grid_before or 0
    for tc in tr.tc_lst:
        if at == col:
            return tc.vMerge == "continue"
        at += max(1, tc.grid_span or 1)
        if at > col:
            return False
    return False
