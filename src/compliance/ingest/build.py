"""From the rows of the tables to a tree of sections and scored items, with findings."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal

from compliance.findings import Finding, Severity
from compliance.ingest.phrases import read as read_phrases
from compliance.ingest.rules import Reading, interpret
from compliance.ingest.structure import (
    _BONUS,
    _PENALTY,
    _VETO,
    Heading,
    Row,
    Table,
    arabic,
    numbering,
    parse_weight,
    split_points,
    split_weight,
)
from compliance.ingest.text import parse_points, squash, tidy

MAX_LEVELS = 4
_GENERIC_LEVELS = ("类别", "项目", "子项", "细项")


@dataclass
class Entry:
    code: str
    text: str
    points: Decimal
    wording: str
    where: str
    reading: Reading
    guesses: list[str] = field(default_factory=list)
    method: str | None = None
    evidence: str | None = None
    number: str = ""


@dataclass
class Node:
    code: str
    name: str
    where: str
    points: Decimal | None = None
    weight: Decimal | None = None
    number: str = ""
    children: list[Node] = field(default_factory=list)
    entries: list[Entry] = field(default_factory=list)
    guesses: list[str] = field(default_factory=list)
    block: str = ""  # "" | bonus | penalties | veto

    def walk(self):
        for child in self.children:
            yield from child.walk()
        yield from self.entries

    def sum(self) -> Decimal:
        return sum((e.points for e in self.walk()), Decimal(0))


@dataclass
class Extra:
    code: str
    text: str
    amount: Decimal  # points of a bonus, per of a penalty
    wording: str
    where: str
    guesses: list[str] = field(default_factory=list)


@dataclass
class Result:
    title: str
    levels: list[str]
    sections: list[Node]
    bonus: list[Extra]
    bonus_cap: Decimal | None
    penalties: list[Extra]
    penalty_cap: Decimal | None
    weights: dict[str, Decimal] | None
    total: Decimal
    findings: list[Finding]
    notes: list[str]
    level_guess: str | None = None

    def entries(self):
        for node in self.sections:
            yield from node.walk()


def _warn(where: str, message: str) -> Finding:
    return Finding(where, message, severity=Severity.WARNING)


def _err(where: str, message: str) -> Finding:
    return Finding(where, message)


@dataclass
class _Block:
    key: tuple
    name: str
    number: str
    where: str
    points: Decimal | None
    weight: Decimal | None


def build(tables: list[Table], fallback_title: str) -> Result:
    findings: list[Finding] = []
    notes: list[str] = []
    styles: list[str] = []
    for t in tables:
        styles += [s for s in t.styles if s not in styles]
        notes += t.notes
        for skipped in t.skipped:
            findings.append(
                _warn(
                    skipped.split("：", 1)[0],
                    f"这一行既不是条目也不是标题，已跳过：{skipped.split('：', 1)[-1]}",
                )
            )
    title = next((t.title for t in tables if t.title), "") or fallback_title
    # --- which text columns are levels (merged or blank over several rows) -------------
    level_cols: list[bool] = []
    first = tables[0]
    n_levels = len(first.columns.texts) - 1
    for i in range(n_levels):
        grouping = False
        for t in tables:
            for row in t.rows:
                if i < len(row.levels):
                    value, origin = row.levels[i]
                    if origin != row.index or not value:
                        grouping = True
        level_cols.append(grouping)
    # the item column itself merged over rows that each have points and a wording: it is a
    # category, and each wording is an item
    item_is_level = all(
        any(not r.text_own and r.text for r in t.rows)
        and all(
            r.points is not None and (r.points_origin is None or r.points_origin[0] == r.index) and r.wording
            for r in t.rows
        )
        for t in tables
    )
    if item_is_level:
        level_cols.append(True)
        for t in tables:
            for row in t.rows:
                row.levels.append((row.text, row.text_origin))
                row.text, row.text_own = row.wording, True
    level_columns = first.columns.texts if item_is_level else first.columns.texts[:-1]
    level_names_cols = [
        first.columns.names.get(c, "") for c, g in zip(level_columns, level_cols, strict=False) if g
    ]
    item_level = first.columns.names.get(first.columns.texts[-1], "") or "条目"
    names_cols = [c for c, g in zip(first.columns.texts[:-1], level_cols, strict=False) if not g]
    if names_cols and not item_is_level:  # 考核指标 names the item better than its 考核标准
        item_level = first.columns.names.get(names_cols[0], "") or item_level
    if item_is_level:
        item_level = first.columns.names.get(first.columns.rule, "") or "评分标准"
    # --- chains of blocks per row --------------------------------------------------------
    chains: list[tuple[list[_Block], Row, Table]] = []
    open_headings: dict[int, _Block] = {}
    for t in tables:
        previous: list[tuple[str, int]] | None = None
        # a 序号 merged down with a category anywhere in the table numbers categories
        seq_numbers_levels = any(r.seq_merged_down for r in t.rows)
        for row in t.rows:
            for h in row.headings:
                depth = styles.index(h.style)
                open_headings = {d: b for d, b in open_headings.items() if d < depth}
                open_headings[depth] = _heading_block(h)
            levels = []
            for i, (value, origin) in enumerate(row.levels):
                if not value and previous is not None and i < len(previous):
                    value, origin = previous[i]
                levels.append((value, origin))
            previous = levels
            chain = [open_headings[d] for d in sorted(open_headings)]
            seq = numbering_of_seq(row)
            for i, (value, origin) in enumerate(levels):
                if i < len(level_cols) and level_cols[i] and value:
                    name, points = split_points(value)
                    name, weight = split_weight(name)
                    number = numbering(name)
                    col = level_columns[i]
                    weight_cell = (
                        parse_weight(t.grid.value(origin, t.columns.weight))
                        if t.columns.weight is not None
                        else None
                    )
                    own_number = arabic(number[1]) if number else ""
                    if not own_number and seq and origin == row.index:
                        own_number, seq = seq, ""
                        row.seq = ""
                    elif (
                        not own_number
                        and seq_numbers_levels
                        and row.seq_own
                        and origin == row.index
                        and squash(row.seq)
                    ):
                        # a 序号 merged down like this category: the category's number
                        own_number = arabic(squash(row.seq).rstrip("、.．"))
                        row.seq = ""
                        row.seq_merged_down = False
                    chain.append(
                        _Block(
                            ("col", id(t), i, origin, value),
                            number[2] if number else name,
                            own_number,
                            t.grid.where(origin, col),
                            points,
                            weight if weight is not None else weight_cell,
                        )
                    )
            chains.append((chain, row, t))
    # --- the seq column: a level's number when merged like it, else the item's ----------
    # --- the tree ------------------------------------------------------------------------
    depth = max((len(c) for c, _, _ in chains), default=0)
    level_guess = None
    if depth == 0:
        level_guess = f"表格没有分类层级，已把全部条目放在一个类别“{title}”之下"
        root = _Block(("root",), title, "", tables[0].grid.where_row(tables[0].header_row), None, None)
        chains = [([root], row, t) for _, row, t in chains]
        depth = 1
    if depth > MAX_LEVELS - 1:
        findings.append(
            _warn(
                tables[0].grid.where_row(tables[0].header_row),
                f"表格有 {depth + 1} 层，标准最多 4 层：最内层的类别已并入条目内容",
            )
        )
    heading_names = [_GENERIC_LEVELS[i] for i in range(len(styles))]
    names = [*heading_names, *level_names_cols]
    if level_guess:
        names = ["类别"]
    names = names[:depth] + [_GENERIC_LEVELS[i] for i in range(len(names), depth)]
    keep = min(depth, MAX_LEVELS - 1)
    levels = [*names[:keep], item_level]
    if len(set(levels)) != len(levels):
        levels = [f"{n}{i + 1}" if levels.count(n) > 1 else n for i, n in enumerate(levels)]
    sections: list[Node] = []
    by_key: dict[tuple, Node] = {}
    group_points: dict[tuple, list[Entry]] = {}
    for chain, row, t in chains:
        extra_names = [b.name for b in chain[keep:]]
        chain = chain[:keep]
        parent: Node | None = None
        siblings = sections
        for d in range(keep):
            if d < len(chain):
                block = chain[d]
                key = tuple(b.key for b in chain[: d + 1])
            else:
                block = chain[-1] if chain else None
                key = (*tuple(b.key for b in chain), ("pad", d))
            node = by_key.get(key)
            if node is None:
                if d < len(chain):
                    node = Node("", block.name, block.where, block.points, block.weight, block.number)
                else:  # an item above the level its siblings are at: a section of the same name
                    name = block.name if block else title
                    node = Node("", name, block.where if block else "", number="0")
                    node.guesses.append(f"此处原表少一层类别，已补一层同名类别“{name}”")
                node.block = _block_kind(node.name) or (parent.block if parent else "")
                by_key[key] = node
                siblings.append(node)
            parent = node
            siblings = node.children
        assert parent is not None
        last = parent.entries[-1] if parent.entries else None
        if last is not None and _continues(row, t):
            # the lower rows of one item: its text (and points) merged or left blank
            if row.wording:
                last.wording = f"{last.wording}；{row.wording}" if last.wording else row.wording
            continue
        entry = _entry(row, t, parent, extra_names)
        if entry is None:
            continue
        origin = row.points_origin
        if origin is not None and t.grid.value(*origin) not in ("", None):
            merged_over = sum(1 for r in t.rows if r.points_origin == origin)
            if merged_over > 1:  # one 分值 cell merged over several items: shared out below
                group_points.setdefault((id(t), origin), []).append(entry)
        parent.entries.append(entry)
    # --- points merged over several items --------------------------------------------------
    for (tid, origin), entries in group_points.items():
        if len(entries) < 2:
            continue
        t = next(t for t in tables if id(t) == tid)
        _split_group(entries, parse_points(t.grid.value(*origin)) or Decimal(0), t.grid.where(*origin))
    # --- readings (now that every item's points are known) ---------------------------------
    for node in _all_nodes(sections):
        for entry in node.entries:
            if node.block in {"bonus", "penalties"}:
                entry.points = max(entry.points, Decimal(0))  # a 加分/减分 row prices itself
            else:
                _read(entry, findings)
    # --- blocks: bonus, penalties, veto ------------------------------------------------------
    bonus: list[Extra] = []
    penalties: list[Extra] = []
    bonus_cap = penalty_cap = None
    for node in list(_all_nodes(sections)):
        if node.block == "bonus" and not _inside_block(node, sections):
            bonus_cap = node.points
            for entry in node.walk():
                bonus.append(_bonus(entry, len(bonus) + 1, findings))
        elif node.block == "penalties" and not _inside_block(node, sections):
            penalty_cap = node.points
            for entry in node.walk():
                penalties.append(_penalty(entry, len(penalties) + 1, findings))
        elif node.block == "veto":
            for entry in node.walk():
                if entry.reading.kind != "veto":
                    entry.reading = Reading(
                        "veto",
                        {"veto": True},
                        (*entry.reading.guesses, "位于“一票否决”类别中，按一票否决处理"),
                    )
    sections = _without_blocks(sections)
    if bonus and bonus_cap is None:
        bonus_cap = sum((b.amount for b in bonus), Decimal(0))
    if penalties and penalty_cap is None:
        penalty_cap = sum((p.amount for p in penalties), Decimal(0))
    # --- codes must be unique ---------------------------------------------------------------
    _assign_codes(sections)
    # --- weights ----------------------------------------------------------------------------
    weights = None
    given = {n.code: n.weight for n in sections if n.weight is not None}
    if given:
        missing = [n.name for n in sections if n.weight is None]
        total_w = sum(given.values(), Decimal(0))
        where = tables[0].grid.where_row(tables[0].header_row)
        if missing:
            findings.append(
                _err(where, f"只有部分一级类别给出了权重，缺少：{'、'.join(missing)}；未写入 weights")
            )
        elif total_w != 1:
            findings.append(
                _err(where, f"各一级类别的权重之和为 {tidy(total_w * 100)}%，应为 100%；未写入 weights")
            )
        else:
            weights = given
    # --- totals -----------------------------------------------------------------------------
    scored = sum((e.points for e in _all_entries(sections)), Decimal(0))
    total = Decimal(100) if weights else tidy(scored)  # 1.5 + 5.5 is 7, not 7.0
    for t in tables:
        for where, value, _ in t.totals:
            if value is None:
                continue
            expected = Decimal(100) if weights else scored
            if weights:
                continue
            if value != expected:
                findings.append(
                    _err(
                        where,
                        f"合计 {value} 分与各条目分值之和 {expected} 分不一致；已按各条目分值之和作为总分",
                    )
                )
    for node in _all_nodes(sections):
        if node.points is not None and node.sum() != node.points:
            findings.append(
                _warn(
                    node.where, f"类别“{node.name}”标注 {node.points} 分，其下条目分值之和为 {node.sum()} 分"
                )
            )
    if total <= 0:
        findings.append(
            _err(tables[0].grid.where_row(tables[0].header_row), "所有条目的分值之和为 0：请检查分值列")
        )
    return Result(
        title,
        levels,
        sections,
        bonus,
        bonus_cap,
        penalties,
        penalty_cap,
        weights,
        total,
        findings,
        notes,
        level_guess,
    )


_LEVEL_SEQ = re.compile(
    r"^(?:第[一二三四五六七八九十百零〇0-9]+[部分章条项节]|[一二三四五六七八九十]+[、.．]?)$"
)


def numbering_of_seq(row: Row) -> str:
    """The 序号 of a row when it numbers a level (第八条, 一、), not the item."""
    seq = squash(row.seq)
    if seq and row.seq_own and _LEVEL_SEQ.match(seq):
        number = numbering(seq + "x")
        return arabic(number[1]) if number else ""
    return ""


def _continues(row: Row, t: Table) -> bool:
    """Whether ``row`` is the lower part of the item above: no text of its own, and its
    points merged with the row above or left blank."""
    if row.text_own:
        return False
    points_merged = row.points_origin is not None and row.points_origin[0] != row.index
    return row.points is None or points_merged


def _heading_block(h: Heading) -> _Block:
    return _Block(("head", h.where, h.row), h.name, h.number, h.where, h.points, h.weight)


def _block_kind(name: str) -> str:
    key = squash(name)
    if _PENALTY.search(key):
        return "penalties"
    if _BONUS.search(key):
        return "bonus"
    if _VETO.search(key):
        return "veto"
    return ""


_METHOD_PAREN = re.compile(r"[（(][^（）()]*(?:查阅|查看|抽查|实地|问卷|听取|核查)[^（）()]*[）)]\s*$")
_SCORING_WORDS = re.compile(
    r"扣\s*[0-9０-９一二三四五六七八九十.]+\s*分|得\s*[0-9０-９.]+\s*分|不得分|一票否决|计0分|酌情"
)
_ITEM_NUMBER = re.compile(
    r"^(?:\d+(?:\.\d+)*|[一二三四五六七八九十]+|[①-⑳]|\((?:\d+|[一二三四五六七八九十]+)\))$"
)


def _entry(row: Row, t: Table, parent: Node, extra_names: list[str]) -> Entry | None:
    text = row.text
    if extra_names:
        text = "：".join([*extra_names, text]) if text else "：".join(extra_names)
    levels_here = {b for b in extra_names}
    names = [
        split_points(v)[0]
        for (v, _), is_level in zip(row.levels, _level_flags(t), strict=False)
        if not is_level and v and v not in levels_here
    ]
    if names:
        text = "：".join([*dict.fromkeys(names), text]) if text and text not in names else "：".join(names)
    if not text:
        text = row.wording
    if not text:
        return None
    points = row.points
    guesses: list[str] = []
    if not row.wording and _SCORING_WORDS.search(text):
        # no 评分标准 column (or an empty cell): the wording is inside the item's text
        row.wording = text
        guesses.append("评分标准写在条目内容中，已从内容解析")
    if points is None:
        bare, in_text = split_points(text)
        if in_text is not None:
            text, points = bare, in_text
    seq = squash(row.seq)
    number = ""
    if seq and _ITEM_NUMBER.match(seq) and row.seq_own and not row.seq_merged_down:
        number = arabic(seq.strip("()（）"))
    else:
        own = numbering(text)
        if own and own[0] in {"1、", "(1)", "①", "1.1", "(一)"}:
            number = arabic(own[1])
            text = own[2]
    return Entry(
        "",
        text,
        points if points is not None else Decimal(-1),
        row.wording,
        row.wording_where,
        Reading("check"),
        guesses,
        row.method or None,
        row.evidence or None,
        number,
    )


def _level_flags(t: Table) -> list[bool]:
    flags = []
    for i in range(len(t.columns.texts) - 1):
        flags.append(
            any(r.levels[i][1] != r.index or not r.levels[i][0] for r in t.rows if i < len(r.levels))
        )
    return flags


def _split_group(entries: list[Entry], total: Decimal, where: str) -> None:
    """Points written once in a cell merged over several items: the items' own prices when
    they add up to it, else equal shares."""
    prices = []
    for e in entries:
        found, _, _ = read_phrases(e.wording)
        amounts = [v for c in found for k, v in c.values.items() if k in {"per", "points"}]
        prices.append(amounts[0] if len(amounts) == 1 else None)
    if all(p is not None for p in prices) and sum(prices, Decimal(0)) == total:
        shares = prices
        how = "按各条目评分标准中的分数"
    else:
        share = (total / len(entries)).quantize(Decimal("0.01"))
        shares = [share] * len(entries)
        shares[-1] = total - share * (len(entries) - 1)
        how = "平均分配"
    for e, share in zip(entries, shares, strict=True):
        e.points = tidy(share)
        e.guesses.append(
            f"原表 {where} 的 {total} 分合并跨 {len(entries)} 个条目，已{how}：本项 {tidy(share)} 分"
        )


def _read(entry: Entry, findings: list[Finding]) -> None:
    missing = entry.points < 0
    reading = interpret(entry.wording, None if missing else entry.points)
    if missing:
        natural = _natural_points(reading)
        if natural is not None:
            entry.points = natural
            entry.guesses.append(f"表中没有分值，按评分标准取 {natural} 分")
            reading = interpret(entry.wording, natural)
        else:
            entry.points = Decimal(0)
            findings.append(_err(entry.where, f"条目“{entry.text[:30]}”没有分值：已暂记 0 分，请补上"))
    entry.reading = reading
    if reading.method and not entry.method:
        entry.method = reading.method
        # the method has its own field now: the text need not carry «（实地查看）» too
        entry.text = _METHOD_PAREN.sub("", entry.text).strip() or entry.text
    if reading.problem:
        findings.append(
            _err(entry.where, f"{reading.problem}；已设为人工评分（manual）。原文：{entry.wording}")
        )


def _natural_points(reading: Reading) -> Decimal | None:
    f = reading.fields
    if "criteria" in f:
        return sum((c["points"] for c in f["criteria"]), Decimal(0))
    if "level_points" in f:
        return max(f["level_points"].values())
    if "bands" in f:
        return max(b["points"] for b in f["bands"])
    return None


def _bonus(entry: Entry, n: int, findings: list[Finding]) -> Extra:
    found, _, _ = read_phrases(entry.wording or entry.text)
    amounts = [c.values.get("points") or c.values.get("gain") for c in found if c.kind in {"full", "gain"}]
    amounts = [a for a in amounts if a]
    guesses = []
    points = entry.points if entry.points > 0 else (amounts[0] if amounts else None)
    if any(c.kind == "gain" for c in found):
        guesses.append("原表按次加分；加分项只能申报“是/否”，已按一次计")
    if points is None or points <= 0:
        points = Decimal(1)
        findings.append(_err(entry.where, f"加分项“{entry.text[:30]}”没有分值：已暂记 1 分，请补上"))
    return Extra(f"J{n}", entry.text, points, entry.wording, entry.where, guesses)


def _penalty(entry: Entry, n: int, findings: list[Finding]) -> Extra:
    found, _, _ = read_phrases(entry.wording or entry.text)
    pers = [c.values["per"] for c in found if c.kind in {"per", "once"} and "per" in c.values]
    guesses = []
    if pers:
        per = pers[0]
        if len(pers) > 1:
            guesses.append(f"原表有 {len(pers)} 种扣分，只取了第一种（每次 {per} 分）")
    elif entry.points > 0:
        per = entry.points
        guesses.append(f"评分标准未写每次扣几分，按分值 {per} 分计")
    else:
        per = Decimal(1)
        findings.append(_err(entry.where, f"减分项“{entry.text[:30]}”没有写每次扣几分：已暂记 1 分，请补上"))
    return Extra(f"K{n}", entry.text, per, entry.wording, entry.where, guesses)


def _all_nodes(nodes: list[Node]):
    for node in nodes:
        yield node
        yield from _all_nodes(node.children)


def _all_entries(nodes: list[Node]):
    for node in nodes:
        yield from node.walk()


def _inside_block(node: Node, sections: list[Node]) -> bool:
    """Whether an ancestor of ``node`` is already the same block (its items are taken once)."""
    for top in sections:
        for ancestor in _ancestors(top, node, []):
            if ancestor.block == node.block:
                return True
    return False


def _ancestors(current: Node, target: Node, path: list[Node]) -> list[Node]:
    if current is target:
        return path
    for child in current.children:
        found = _ancestors(child, target, [*path, current])
        if found or child is target:
            return found
    return []


def _without_blocks(nodes: list[Node]) -> list[Node]:
    kept = []
    for node in nodes:
        if node.block in {"bonus", "penalties"}:
            continue
        node.children = _without_blocks(node.children)
        if node.children or node.entries:
            kept.append(node)
    return kept


def _code(parent_code: str | None, number: str, position: int) -> str:
    """A code from the table's own number where it has one (一 → 1, (二) under 1 → 1.2,
    a dotted 2.3 under 2 stays 2.3), else from the position (1 / 1.1 / 1.1.1)."""
    own = number or str(position)
    if parent_code is None:
        return own
    if "." in own and own.startswith(parent_code + "."):
        return own
    return f"{parent_code}.{own.split('.')[-1]}"


def _assign_codes(sections: list[Node]) -> None:
    seen: set[str] = set()

    def place(obj: Node | Entry, parent_code: str | None, position: int) -> None:
        code = _code(parent_code, obj.number, position)
        if code in seen:
            fallback = _code(parent_code, "", position)
            while fallback in seen:
                fallback += "0"
            obj.guesses.append(f"原表编号“{obj.number or code}”（编号 {code}）重复，已改为 {fallback}")
            code = fallback
        seen.add(code)
        obj.code = code

    def inferred(node: Node, parent_code: str | None) -> str:
        """A category without a number of its own takes the one its rows share:
        爱卫工作 over 5.1, 5.2.1, 5.2.2 is 5 (under 3: 3.x over 3.x.1, 3.x.2)."""
        depth = 1 if parent_code is None else parent_code.count(".") + 2
        numbers = [e.number for e in node.entries] + [c.number for c in node.children]
        if not numbers or not all(n and n.count(".") >= depth for n in numbers):
            return ""
        heads = {".".join(n.split(".")[:depth]) for n in numbers}
        if len(heads) != 1:
            return ""
        head = heads.pop()
        if parent_code is not None and not head.startswith(parent_code + "."):
            return ""
        return head if head not in seen else ""

    def visit(node: Node, parent_code: str | None, position: int) -> None:
        if not node.number:
            node.number = inferred(node, parent_code)
        place(node, parent_code, position)
        for i, child in enumerate(node.children, start=1):
            visit(child, node.code, i)
        for i, entry in enumerate(node.entries, start=1):
            place(entry, node.code, i)

    for i, node in enumerate(sections, start=1):
        visit(node, None, i)
