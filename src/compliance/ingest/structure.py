"""The structure of a scoring table: header, levels, items, points, blocks and totals.

The header row is found by its words; the columns get roles (序号, text, 分值, 评分标准,
权重…). Below it, each row is a title/说明 row (skipped), a 合计 row (checked against the
sum), a heading row («一、组织保障（20分）» across the table: a level), or an item. Text
columns left of the item's own text that are merged (or left blank) over several rows are
the outer levels; their header words name the levels. Sections called 加分项, 扣分项/减分项
or 一票否决 become the rubric's bonus, penalties and veto items.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal

from compliance.ingest.reader import Grid
from compliance.ingest.text import cn_number, parse_points, squash, tidy

HEADER_SCAN_ROWS = 30

# header words → column role; the first list a word is found in wins
ROLE_WORDS: tuple[tuple[str, tuple[str, ...]], ...] = (
    (
        "ignore",
        (
            "得分",
            "扣分",
            "自评分",
            "自评得分",
            "实得分",
            "考核得分",
            "考评得分",
            "扣分原因",
            "扣分情况",
            "得分情况",
            "扣分说明",
            "实际得分",
            "评分",
            "自查得分",
            "检查得分",
            "扣分理由",
        ),
    ),
    ("seq", ("序号", "编号", "序", "项次", "条目编号")),
    (
        "points",
        (
            "分值",
            "基本分",
            "标准分",
            "分数",
            "满分",
            "标准分值",
            "配分",
            "基础分",
            "考核分值",
            "应得分",
            "分值(分)",
            "分值分",
            "基本分值",
            "标准分数",
            "总分",
            "赋分",
            "权重分",
        ),
    ),
    ("weight", ("权重", "权数", "权重(%)", "权重%", "比重")),
    (
        "rule",
        (
            "评分标准",
            "计分方法",
            "评分细则",
            "评分方法",
            "评分办法",
            "扣分标准",
            "计分标准",
            "评分方法及标准",
            "评分标准及考核办法",
            "考核评分标准",
            "评分依据",
            "计分办法",
            "评分要求",
            "扣分细则",
            "评价方法",
            "评分方法(分值)",
            "评分规则",
            "计分规则",
            "扣分办法",
            "考核计分",
            "考核评分办法",
            "评分及扣分标准",
            "扣分方法",
            "评分说明",
            "考评标准",
            "评分标准(分值)",
            "计分方法及标准",
            "评价扣分规定",
            "扣分规定",
            "评分规定",
            "评价扣分标准",
            "考核扣分标准",
            "计分细则",
            "评价要点",
            "评分要点",
        ),
    ),
    ("rule?", ("考核方法", "考评方法", "考核办法", "考评办法", "考核标准")),
    (
        "method",
        (
            "考核方式",
            "考评方式",
            "检查方法",
            "核查方式",
            "评估方法",
            "检查方式",
            "考核形式",
            "检查方式方法",
            "考核途径",
            "核查方法",
            "检查方法及评价依据",
            "考核方法及评价依据",
            "检查方法及依据",
        ),
    ),
    ("evidence", ("佐证材料", "台账资料", "备查资料", "资料要求", "佐证资料", "考核依据", "备查材料")),
    ("note", ("备注", "说明", "附注")),
)
_TEXT_WORDS = re.compile(
    r"项目|内容|指标|标准|类别|大类|要求|事项|要点|名称|分项|子项|小项|方面|领域|任务|工作|条款|描述"
)
_TOTAL = re.compile(r"^(?:合计|总计|总分|共计|总分值|满分合计|分值合计)")
_SUBTOTAL = re.compile(r"^小计")
_NOTE = re.compile(r"^(?:注|说明|填表说明|备注|附注|附:|附：|备考|填报说明)[:：\d一二三、.]?")
_HEAD_POINTS = re.compile(
    r"[(（]\s*(?:共|计|满分|分值)?[:：]?\s*([0-9０-９.]+)\s*分\s*[)）]\s*$|([0-9]+(?:\.[0-9]+)?)分$"
)
_WEIGHT_TEXT = re.compile(r"[(（]?\s*权重\s*[:：]?\s*([0-9.]+)\s*%\s*[)）]?")
_PERCENT_ONLY = re.compile(r"^[(（]\s*([0-9.]+)\s*%\s*[)）]$")
_BONUS = re.compile(r"加分")
_PENALTY = re.compile(r"扣分项|减分项|扣分事项|减分事项|倒扣分|扣减项|负面清单")
_VETO = re.compile(r"一票否决|否决项")

# numbering styles: the first style met is the outermost level
_NUMBERING: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("第N", re.compile(r"^第([一二三四五六七八九十百〇零0-9]+)[部分章条项节]\s*")),
    ("一、", re.compile(r"^([一二三四五六七八九十百〇零]+)\s*[、.．]\s*")),
    ("(一)", re.compile(r"^[(（]\s*([一二三四五六七八九十百〇零]+)\s*[)）]\s*")),
    ("1.1", re.compile(r"^(\d+(?:[.．-]\d+)+)[、.．]?\s*")),
    ("1、", re.compile(r"^(\d+)\s*[、.．](?!\d)\s*")),
    ("(1)", re.compile(r"^[(（]\s*(\d+)\s*[)）]\s*")),
    ("①", re.compile(r"^([①-⑳])\s*")),
    ("A.", re.compile(r"^([A-Z])\s*[、.．]\s*")),
)
_CIRCLED = "①②③④⑤⑥⑦⑧⑨⑩⑪⑫⑬⑭⑮⑯⑰⑱⑲⑳"


@dataclass
class Columns:
    seq: int | None = None
    texts: list[int] = field(default_factory=list)
    points: int | None = None
    rule: int | None = None
    method: int | None = None
    weight: int | None = None
    evidence: int | None = None
    note: int | None = None
    names: dict[int, str] = field(default_factory=dict)
    # no 分值 or 评分标准 column: each item's text ends with «（3分，…扣1分，扣完为止）»
    embedded: bool = False


@dataclass
class Row:
    """One item row as read: its level cells, text, points and wording with their cells."""

    index: int
    levels: list[tuple[str, int]]  # (text, origin row) of each level column
    names: list[str]
    text: str
    seq: str
    points: Decimal | None
    points_origin: tuple[int, int] | None
    wording: str
    wording_where: str
    method: str
    evidence: str
    weight: str
    headings: list[Heading]
    text_own: bool = True
    seq_own: bool = True
    text_origin: int = -1
    seq_merged_down: bool = False


@dataclass
class Heading:
    style: str
    number: str
    name: str
    points: Decimal | None
    weight: Decimal | None
    where: str
    row: int


@dataclass
class Table:
    grid: Grid
    header_row: int
    columns: Columns
    title: str
    rows: list[Row]
    totals: list[tuple[str, Decimal | None, int]]  # (where, value, row)
    notes: list[str]
    skipped: list[str]
    styles: list[str]


def role_of(word: str) -> str | None:
    key = re.sub(r"[()（）\[\]【】/、]", "", squash(word))
    if not key:
        return None
    for role, words in ROLE_WORDS:
        if key in {re.sub(r"[()（）\[\]【】/、]", "", w) for w in words}:
            return role
    if _TEXT_WORDS.search(key) and len(key) <= 12:
        return "text"
    return None


def find_header(grid: Grid) -> tuple[int, Columns] | None:
    """The header row and its columns' roles, or None when no row looks like a header."""
    best: tuple[int, int, Columns] | None = None
    for r in range(min(HEADER_SCAN_ROWS, len(grid.text))):
        cols = Columns()
        seen: set[tuple[int, int]] = set()
        roles: list[str] = []
        rule_maybe: list[int] = []
        for c in range(grid.width):
            word = grid.cell(r, c)
            origin = grid.origin_of(r, c)
            role = role_of(word) if word else None
            if role is None:
                continue
            if origin in seen:
                # a header merged across columns: the others are more of the same text
                if role == "text":
                    cols.texts.append(c)
                    cols.names[c] = squash(word)
                continue
            seen.add(origin)
            roles.append(role)
            if role == "text":
                cols.texts.append(c)
                cols.names[c] = squash(word)
            elif role == "rule?":
                rule_maybe.append(c)
                cols.names[c] = squash(word)
            elif (
                role in {"seq", "points", "rule", "method", "weight", "evidence", "note"}
                and getattr(cols, role) is None
            ):
                setattr(cols, role, c)
                cols.names[c] = squash(word)
        for c in rule_maybe:
            if cols.rule is None:
                cols.rule = c
            elif squash(grid.cell(r, c)) == "考核标准":
                cols.texts.append(c)
                cols.texts.sort()
            elif cols.method is None:
                cols.method = c
        if not cols.texts and cols.rule is not None and cols.points is not None:
            continue
        score = len(set(roles)) + (2 if cols.points is not None else 0) + (2 if cols.rule is not None else 0)
        usable = cols.texts and (cols.points is not None or cols.rule is not None) and score >= 4
        if not usable and cols.texts and "ignore" in roles and _embedded_below(grid, r, cols.texts[-1]):
            cols.embedded, usable, score = True, True, 3
        if usable and (best is None or score > best[1]):
            best = (r, score, cols)
    return (best[0], best[2]) if best else None


# «…配备专（兼）职工作人员。（3分，没列入议事日程扣1分，…扣完为止）»: points and wording at the end
_EMBEDDED = re.compile(
    r"[(（]\s*([0-9０-９]+(?:[.．][0-9０-９]+)?)\s*分\s*(?:[，,；;：:]\s*(.*?))?\s*[)）]\s*[。.；;]?\s*$",
    re.S,
)


def _embedded_below(grid: Grid, header_row: int, col: int) -> bool:
    """Most of the texts under the header end with their points and wording in brackets."""
    texts = [grid.cell(r, col) for r in range(header_row + 1, len(grid.text)) if grid.cell(r, col)]
    hits = sum(1 for t in texts if _EMBEDDED.search(t))
    return hits >= 2 and hits * 2 >= len(texts)


def split_embedded(text: str) -> tuple[str, Decimal | None, str]:
    """(the text, its points, its wording) of «条文。（3分，扣分文字）»."""
    m = _EMBEDDED.search(text)
    if m is None:
        return text, None, ""
    return text[: m.start()].rstrip(), parse_points(m.group(1)), (m.group(2) or "").strip()


def numbering(text: str) -> tuple[str, str, str] | None:
    """(style, number, rest) of a text that starts with a number of its own."""
    for style, pattern in _NUMBERING:
        m = pattern.match(text)
        if m and text[m.end() :].strip():
            return style, m.group(1), text[m.end() :].strip()
    return None


def arabic(number: str) -> str:
    """The number of a heading as digits: 三 → 3, ② → 2, 2.1 → 2.1, B → 2."""
    if number in _CIRCLED:
        return str(_CIRCLED.index(number) + 1)
    value = cn_number(number)
    if value is not None:
        return str(value)
    if re.fullmatch(r"[A-Z]", number):
        return str(ord(number) - 64)
    return re.sub(r"[．-]", ".", number)


def split_points(name: str) -> tuple[str, Decimal | None]:
    """«组织保障（20分）» → («组织保障», 20)."""
    m = _HEAD_POINTS.search(name)
    if not m:
        return name, None
    value = parse_points(m.group(1) or m.group(2))
    rest = name[: m.start()].rstrip(" ,，、:：")
    return (rest or name), value


def split_weight(name: str) -> tuple[str, Decimal | None]:
    m = _WEIGHT_TEXT.search(name)
    if not m:
        return name, None
    return (name[: m.start()] + name[m.end() :]).strip(" ,，、:："), parse_weight(m.group(1) + "%")


def parse_weight(value: object) -> Decimal | None:
    text = squash(str(value)) if value not in (None, "") else ""
    if not text:
        return None
    percent = text.endswith("%")
    number = parse_points(text.rstrip("%"))
    if number is None:
        return None
    if percent or number > 1:
        number = number / 100
    return tidy(number)


def read_table(grid: Grid, continuing: Columns | None = None) -> Table | None:
    """The table of ``grid``; ``continuing``: the columns of the table before it, for a Word
    table continued after a page break without its header row."""
    header = find_header(grid) or ((-1, continuing) if continuing is not None else None)
    if header is None:
        return None
    header_row, cols = header
    title = ""
    for r in range(header_row):
        words = [grid.cell(r, c) for c in range(grid.width) if grid.own(r, c) and grid.cell(r, c)]
        unique = list(dict.fromkeys(words))
        if unique and not title and len(unique) <= 2:
            title = unique[0]
    # header rows can span two lines (merged header cells): skip a second header line
    first = header_row + 1
    while first < len(grid.text) and _is_header_again(grid, first, cols):
        first += 1
    rows: list[Row] = []
    totals: list[tuple[str, Decimal | None, int]] = []
    notes: list[str] = []
    skipped: list[str] = []
    styles: list[str] = []
    pending: list[Heading] = []
    content = [*cols.texts, *(c for c in (cols.rule, cols.seq) if c is not None)]
    for r in range(first, len(grid.text)):
        cells = {c: grid.cell(r, c) for c in range(grid.width)}
        if not any(cells.values()):
            continue
        distinct = {grid.origin_of(r, c): cells[c] for c in range(grid.width) if cells[c]}
        first_text = next((cells[c] for c in sorted(cells) if cells[c] and grid.own(r, c)), "")
        label = squash(first_text)
        if _TOTAL.match(label) or any(_TOTAL.match(squash(cells[c])) for c in cols.texts if grid.own(r, c)):
            totals.append((grid.where_row(r), _row_total(grid, r, cols), r))
            continue
        if _SUBTOTAL.match(label):
            skipped.append(f"{grid.where_row(r)}：{first_text}")
            continue
        own_values = [v for (orow, _), v in distinct.items() if orow == r]
        if _NOTE.match(label) and len(set(own_values)) == 1:
            notes.append(first_text)
            continue
        heading = _heading(grid, r, cols, distinct, content)
        if heading is not None:
            if heading.style not in styles:
                styles.append(heading.style)
            pending.append(heading)
            continue
        row = _item_row(grid, r, cols)
        if row is None:
            skipped.append(
                f"{grid.where_row(r)}：{'｜'.join(dict.fromkeys(v for v in cells.values() if v))[:60]}"
            )
            continue
        row.headings = pending
        pending = []
        rows.append(row)
    return Table(grid, header_row, cols, title, rows, totals, notes, skipped, styles)


def _is_header_again(grid: Grid, r: int, cols: Columns) -> bool:
    """A second header line right under the first (the lower half of merged header cells)."""
    words = [grid.cell(r, c) for c in range(grid.width) if grid.cell(r, c) and grid.own(r, c)]
    if cols.points is not None and parse_points(grid.value(r, cols.points)) is not None:
        return False
    return bool(words) and all(role_of(w) is not None for w in words)


def _row_total(grid: Grid, r: int, cols: Columns) -> Decimal | None:
    if cols.points is not None:
        value = parse_points(grid.value(r, cols.points))
        if value is not None:
            return value
    for c in range(grid.width):
        if grid.own(r, c):
            value = parse_points(grid.value(r, c))
            if value is not None:
                return value
    return None


def _heading(grid: Grid, r: int, cols: Columns, distinct: dict, content: list[int]) -> Heading | None:
    """A row that names a section: one text across the row (or alone in the text columns),
    with no wording and no points of its own (its subtotal may be in the text or the 分值)."""
    own = {origin: v for origin, v in distinct.items() if origin[0] == r}
    if not own:
        return None
    texts = {grid.origin_of(r, c) for c in content if grid.cell(r, c) and grid.own(r, c)}
    if len(texts) != 1:
        return None
    origin = next(iter(texts))
    text = grid.cell(*origin)
    spans = sum(1 for c in range(grid.width) if grid.origin_of(r, c) == origin)
    points = (
        parse_points(grid.value(r, cols.points))
        if cols.points is not None and grid.own(r, cols.points)
        else None
    )
    weight = (
        parse_weight(grid.value(r, cols.weight))
        if cols.weight is not None and grid.own(r, cols.weight)
        else None
    )
    others = [
        v
        for o, v in own.items()
        if o != origin
        and (cols.points is None or o[1] != cols.points)
        and (cols.weight is None or o[1] != cols.weight)
    ]
    if others:
        return None
    number = numbering(text)
    in_rule = cols.rule is not None and origin[1] == cols.rule and spans == 1
    if in_rule:
        return None
    if spans < 2 and number is None:
        return None
    if spans < 2 and cols.texts and origin[1] == cols.texts[-1] and len(cols.texts) > 1:
        return None
    name = number[2] if number else text
    name, named_points = split_points(name)
    name, named_weight = split_weight(name)
    m = _PERCENT_ONLY.search(name)
    if m:
        name, named_weight = name[: m.start()].strip(), parse_weight(m.group(1) + "%")
    style = number[0] if number else "—"
    return Heading(
        style,
        arabic(number[1]) if number else "",
        name,
        points if points is not None else named_points,
        weight if weight is not None else named_weight,
        grid.where(*origin),
        r,
    )


def _item_row(grid: Grid, r: int, cols: Columns) -> Row | None:
    texts = cols.texts
    item_col = texts[-1]
    levels = [(grid.cell(r, c), grid.origin_of(r, c)[0]) for c in texts[:-1]]
    text = grid.cell(r, item_col)
    wording = grid.cell(r, cols.rule) if cols.rule is not None else ""
    points_cell = grid.value(r, cols.points) if cols.points is not None else ""
    if not text and not wording and points_cell in ("", None):
        return None
    points = parse_points(points_cell) if cols.points is not None else None
    origin = grid.origin_of(r, cols.points) if cols.points is not None else None
    if cols.embedded:
        text, points, wording = split_embedded(text)
        origin = (r, item_col)
    return Row(
        index=r,
        levels=levels,
        names=[],
        text=text,
        seq=grid.cell(r, cols.seq) if cols.seq is not None else "",
        points=points,
        points_origin=origin,
        wording=wording
        if cols.embedded or (cols.rule is not None and grid.own(r, cols.rule))
        else ("" if cols.rule is None else wording),
        wording_where=grid.where(r, cols.rule if cols.rule is not None else item_col),
        method=grid.cell(r, cols.method) if cols.method is not None else "",
        evidence=grid.cell(r, cols.evidence) if cols.evidence is not None else "",
        weight=grid.cell(r, cols.weight) if cols.weight is not None else "",
        headings=[],
        text_own=grid.own(r, item_col) and bool(text),
        seq_own=cols.seq is None or grid.own(r, cols.seq),
        text_origin=grid.origin_of(r, item_col)[0],
        seq_merged_down=cols.seq is not None
        and r + 1 < len(grid.text)
        and grid.origin_of(r + 1, cols.seq)[0] == r,
    )
