"""The phrase grammar of 评分标准 wordings: ONE table of phrase forms, and its reader.

A wording («未建立的，不得分；每缺一项扣1分，扣完为止») is normalised (see ``text``), cut
into sentences at ``；。`` and into fragments at ``，``, and every fragment is matched
against ``PHRASES`` from the top; the first form that matches the whole fragment gives its
meaning (``Clause``). A fragment that matches nothing and carries no scoring word is a
condition: it is kept and handed to the next clause of its sentence («未建立的» + «不得分»).

To teach the reader a new way of writing, add a row to ``PHRASES``:

    Phrase("per", "{cond}每{u}罚{per}分")

Placeholders: ``{cond}`` any text (the condition or the trigger's name); ``{u}`` a counting
unit (处、次、件…, see ``UNITS``); ``{levels}`` labels joined by 、 (好、较好、一般、差);
``{nums}`` numbers joined by 、; any other ``{name}`` is a number (``{per}``, ``{points}``,
``{target}``, ``{step}``, ``{max}``, ``{gain}``, ``{t}``, ``{a}``, ``{b}``). ``[a|b]`` is one
of the words, ``[a|b]?`` one or none; everything else is literal text. Forms with the role
``condition`` are searched inside conditions (thresholds such as «达到90%以上»).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cached_property

from compliance.ingest.text import normalize, number

UNITS = "人次|处次|件次|户次|个百分点|百分点|处|次|件|起|项|人|宗|例|家|条|份|台|辆|户|张|批|天|日|篇|座|名|个|起次|单|宗|只|头|棵|株"
LEVEL_WORDS = "非常满意|比较满意|基本满意|不满意|满意|很好|较好|好|一般|较差|差|优秀|良好|合格|基本合格|不合格|优|良|中|及格|不及格"


@dataclass(frozen=True)
class Phrase:
    """One phrase form: what it means (``kind``), how it is written (``template``)."""

    kind: str
    template: str
    role: str = "clause"  # "clause": a whole fragment; "condition": searched inside a condition

    @cached_property
    def pattern(self) -> re.Pattern[str]:
        return re.compile(_compile(self.template))


# fmt: off
PHRASES: tuple[Phrase, ...] = (
    # --- vetoes: the item decides the unit or its top-level section ----------------------
    Phrase("veto", "{cond}[实行|实施|予以|作]?一票否决[制]?[的]?"),
    Phrase("veto", "{cond}[年度考核|考核|考评|年度考评][结果]?[直接|一律]?[定为|评为|确定为|认定为]不合格[等次]?"),
    Phrase("section_zero", "{cond}[此|本|该|这一]大项[计0分|不得分|得0分|记0分|为0分|分值全扣|全部扣除]"),
    Phrase("section_zero", "{cond}[此|本|该]部分[计0分|不得分|得0分|分值全扣]"),
    Phrase("section_zero", "{cond}[取消|扣除]?[此|本|该]大项[得分|分值|全部分值]"),
    # --- discretionary wordings: the inspector scores by hand -----------------------------
    Phrase("manual", "{cond}酌情[扣分|给分|评分|计分|打分|扣减|得分][或不得分|或者不得分]?[的]?"),
    Phrase("manual", "{cond}酌情扣{a}-{b}分"),
    Phrase("manual", "{cond}酌情扣{max}分[以内|以下]?"),
    Phrase("manual", "{cond}扣减相应[分数|分值|的分数]"),
    Phrase("situational", "{cond}[视|根据|按][实际]?情况[扣分|评分|计分|给分|打分]"),
    Phrase("manual", "{cond}计分方法同上{cond}"),
    Phrase("manual", "{cond}加倍扣分"),
    Phrase("manual", "{cond}由{cond}[评定|评分|打分|确定分值]"),
    # an average as the score («加权平均作为该项最终得分»), not a condition on one («平均分为81-100分的»)
    Phrase("manual", "{cond}[加权平均|算术平均|平均得分|平均分值|平均分|取平均值|平均值]"),
    Phrase("manual", "{cond}[加权平均|算术平均|平均得分|平均分值|平均分|平均值][作为|为准|计|计算|计分|折算|确定]{cond}"),
    Phrase("manual", "{cond}{letter}{cond}={cond}{letter}{cond}"),  # a formula of named values: A=(A1+…+An)/n
    # --- levels: labels with their points --------------------------------------------------
    Phrase("levels", "{cond}[评价为|评为|分为|按]?{levels}[四个|三个|五个|两个|4个|3个|5个|2个]?[等次|等级|档次]?[的]?[分别]?[得|计|记|给|为|评]?{nums}分"),
    Phrase("level_words", "{cond}[分为|按|分]{levels}[四个|三个|五个|两个|4个|3个|5个|2个]?[等次|等级|档次][评分|计分|评定|打分]?"),
    # --- a measured rate: a line, and points lost per point below it ----------------------
    Phrase("short", "{cond}每[少|低|下降|降低|减少|低于]{step}?[个]?百分点[的]?[扣|扣除|减]{per}分"),
    Phrase("short", "{cond}[低于此|低于该比例|低于标准]每[少|低|下降|降低]?{step}?[个]?百分点[的]?[扣|扣除|减]{per}分"),
    Phrase("short", "{cond}每[少|低|下降|降低]{step}%[的]?[扣|扣除|减]{per}分"),
    # --- proportional: the rate earns the points --------------------------------------------
    Phrase("proportional", "{cond}按[实际]?{cond}[率|比例|进度|比率][计分|得分|折算|计算得分|折算得分|换算][的]?"),
    Phrase("proportional", "{cond}按[实际]?[完成|达标|覆盖|执行]{cond}[计分|得分|折算]"),
    Phrase("proportional", "{cond}×100%×{points}[分]?"),
    Phrase("proportional", "{cond}[得分|分值]?[=]?{cond}/{cond}×{points}[分]?"),
    Phrase("proportional", "[得分|分值][=]{cond}率×{points}[分]?"),
    # --- count-based gains: every event earns points up to a ceiling --------------------
    Phrase("gain", "{cond}每[增加|有|发现|完成|办理|报送|上报|采用|刊登|被]?{cond}?[1]?{u}[的]?[得|加|计|记]{gain}分"),
    Phrase("gain_cap", "[此项|本项|该项]?[最高|最多|满分|累计最高|累计最多|上限][计|得|为]?{max}分[为止|封顶]?"),
    # --- deductions: priced per event, once, and their ceiling ---------------------------
    Phrase("cap", "[此项|本项|该项|此项分值|本项分值|该项分值]?[扣完为止|扣满为止|扣完本项分值为止|扣完该项分值为止|扣完该项分为止|直至扣完|扣完即止|扣完此项分值为止]"),
    Phrase("cap", "[此项|本项|该项]{max}分扣完为止"),
    Phrase("cap", "[最多|最高|累计最多|累计最高|累计]扣{max}分[为止|封顶]?"),
    Phrase("cap", "扣满{max}分为止"),
    Phrase("cap", "[扣完止|扣完即可|扣光为止]"),
    Phrase("cap", "[上线|上限|封顶][为]?{max}分"),
    Phrase("cap", "扣分不超过{max}分"),
    Phrase("cap", "扣{max}分封顶"),
    Phrase("cap", "[本项|该项]?扣分以{max}分为限"),
    Phrase("per", "{cond}每[发现|出现|有|查出|查实|发生|缺少|缺|少|存在|被]?{cond}?[1]?{u}{pu}?[的]?[扣|扣除|减|罚]{per}分"),
    Phrase("per", "{cond}每[发现|出现|有|查出|查实|发生]?[1]?{u}{pu}?{per}分"),
    Phrase("per", "{cond}[发现|出现|发生|查出|查实]1{u}{pu}?[的]?[扣|扣除|减]{per}分"),
    Phrase("per", "{cond}[缺|少|缺少]1{u}[的]?[扣|扣除|减]{per}分"),
    Phrase("per", "{cond}[发现|出现|查出]1{u}{cond}[扣|扣除|减]{per}分"),
    Phrase("per", "{cond}1{u}不[合格|符合|达标|到位|规范|落实][的]?[扣|扣除|减]{per}分"),
    Phrase("per", "{cond}[扣|扣除]{per}分/{u}"),
    Phrase("zero", "{cond}[本项|该项|此项|该项目]?[不得分|不计分|得0分|计0分|记0分|为0分|分值全扣|全扣]"),
    Phrase("zero", "{cond}[扣除|扣][本项|该项|此项]?[全部分值|全部分数|全部得分]"),
    Phrase("once", "{cond}[扣|扣除|减|倒扣]{per}分"),
    # --- full marks: a condition met earns points --------------------------------------------
    Phrase("full", "{cond}[得|计|记|给|可得|加]{points}分"),
    Phrase("full", "{cond}[最后得分|最终得分|得分为|得分][为|计]?{points}分"),
    # --- notes on the scale: no score of their own («问卷采取100分制», «分4个档次») ---------------
    Phrase("info", "{cond}[采取|采用|实行|按]{t}分制[评分|计分]?"),
    Phrase("info", "[分为|分成|分]{t}[个]?[档次|等次|等级|档]"),
    Phrase("full", "{cond}[得满分|得全分|计满分|得分|记满分]"),
    Phrase("full", "{cond}{points}分"),
    # --- thresholds inside conditions (达到90%以上、80%-90%、低于70%) -------------------------
    Phrase("range", "{a}[%]?[\\(含\\)]?-{b}{tu}", role="condition"),
    Phrase("range", "{a}[分]?-{b}的", role="condition"),
    Phrase("at_least", "{t}{tu}?[\\(含\\)]?[以上|及以上|或以上|\\(含\\)以上|\\(含本数\\)以上]", role="condition"),
    Phrase("at_least", "[达到|达|不低于|不少于|高于|超过|大于等于|≥|>=|在]{t}{tu}", role="condition"),
    Phrase("below", "[低于|不足|未达到|未达|少于|小于|<]{t}{tu}", role="condition"),
    Phrase("below", "{t}{tu}?[以下|以内]", role="condition"),
)
# fmt: on

_NUMBER = r"[0-9]+(?:\.[0-9]+)?"
_TOKEN = re.compile(r"\{(\w+)\}(\?)?|\[([^\]]*)\](\?)?|(.)", re.S)


def _compile(template: str) -> str:
    out, seen = [], set()
    for name, name_optional, alternatives, optional, literal in _TOKEN.findall(template):
        if name:
            group = _placeholder(name)
            if name in seen or name in {"cond", "u", "tu", "pu", "letter"}:
                out.append(f"(?:{group}){name_optional}")
            else:
                seen.add(name)
                out.append(f"(?P<{name}>{group}){name_optional}")
        elif alternatives or optional:
            words = "|".join(_literal(w) for w in alternatives.split("|"))
            out.append(f"(?:{words}){optional}")
        else:
            out.append(re.escape(literal))
    return "".join(out)


def _literal(word: str) -> str:
    # inside [...] a backslash-escaped bracket stays literal: [\\(含\\)]
    return re.escape(word.replace("\\", ""))


def _placeholder(name: str) -> str:
    if name == "cond":
        return r".*?"
    if name == "u":
        return UNITS
    if name == "letter":
        return r"[A-Za-z]"
    if name == "pu":  # a unit in brackets after another: 每次(件)
        return rf"\((?:{UNITS})\)"
    if name == "tu":  # the unit after a threshold: %, 个, 件…, or none
        return rf"%|{UNITS}|分|小时|分钟|米|平方米|元"
    if name == "levels":
        return rf"(?:{LEVEL_WORDS})(?:[、,/和或](?:{LEVEL_WORDS}))+"
    if name == "nums":
        return rf"{_NUMBER}分?(?:[、,/]{_NUMBER}分?)+"
    return _NUMBER


@dataclass(frozen=True)
class Clause:
    """The meaning of one fragment: its ``kind``, numbers, and the condition before it."""

    kind: str
    text: str
    cond: str = ""
    values: dict[str, Decimal] = field(default_factory=dict)
    unit: str = ""
    labels: tuple[str, ...] = ()
    nums: tuple[Decimal, ...] = ()


@dataclass(frozen=True)
class Threshold:
    kind: str  # at_least | range | below
    value: Decimal
    unit: str


_SCORING = re.compile(r"扣|得\d|得分|不得|加\d|加分|否决|计\d|记\d|\d分|满分|计分|评分|给分")
_ENUMERATION = re.compile(
    r"^(?:\(\d+\)|\d+[、.)](?!\d)|[①-⑳]|\([一二三四五六七八九十]+\)|[一二三四五六七八九十]+、)"
)
_METHOD_WORDS = re.compile(r"查阅|查看|抽查|问卷|听取|核查|现场|实地|检查|座谈|测评|暗访|调阅|考试|抽考")
_PAREN = re.compile(r"\(([^()]*)\)")
_CUT_SENTENCE = re.compile(r"[;。!?]")
_CUT_FRAGMENT = re.compile(r",|:(?=\D)")


def split_method(wording: str) -> tuple[str, str | None]:
    """(the wording without it, the 检查方法) from a parenthesis like «(查阅资料,实地查看)»."""
    method = None

    def take(match: re.Match[str]) -> str:
        nonlocal method
        inner = match.group(1)
        if _METHOD_WORDS.search(inner) and not re.search(r"\d|分", inner):
            method = inner.replace(",", "、")
            return ""
        return match.group(0)

    return _PAREN.sub(take, wording), method


def clauses(wording: str) -> tuple[list[Clause], list[str]]:
    """The meanings of a normalised wording, and the fragments no phrase form matched."""
    found: list[Clause] = []
    unknown: list[str] = []
    for sentence in _CUT_SENTENCE.split(wording):
        pending: list[str] = []
        for raw in _CUT_FRAGMENT.split(sentence):
            fragment = _ENUMERATION.sub("", raw)
            if not fragment:
                continue
            clause = match(fragment, ",".join(pending))
            if clause is not None:
                found.append(clause)
                pending = []
            elif _SCORING.search(fragment) and not _only_a_line(fragment):
                unknown.append(",".join([*pending, fragment]))
                pending = []
            else:
                pending.append(fragment)
    return found, unknown


def _only_a_line(fragment: str) -> bool:
    """A condition whose only «分» is the line it sets on a score («平均分为61-70分的»)."""
    rest, found = fragment, False
    for phrase in PHRASES:
        if phrase.role == "condition":
            rest, n = phrase.pattern.subn("", rest)
            found = found or n > 0
    return found and not _SCORING.search(rest)


def match(fragment: str, before: str = "") -> Clause | None:
    """The first phrase form matching the whole ``fragment``; ``before`` is the condition
    that the earlier fragments of the sentence set."""
    for phrase in PHRASES:
        if phrase.role != "clause":
            continue
        m = phrase.pattern.fullmatch(fragment)
        if m is None:
            continue
        groups = m.groupdict()
        own = _own_condition(phrase, fragment, m)
        cond = ",".join(part for part in (before, own) if part)
        values = {
            k: number(v)
            for k, v in groups.items()
            if v is not None and k not in {"cond", "levels", "nums"} and re.fullmatch(_NUMBER, v)
        }
        unit_match = re.search(UNITS, fragment[len(own) :]) if phrase.kind in {"per", "gain"} else None
        labels = tuple(re.split(r"[、,/和或]", groups["levels"])) if groups.get("levels") else ()
        nums = tuple(number(n) for n in re.findall(_NUMBER, groups["nums"])) if groups.get("nums") else ()
        return Clause(
            phrase.kind,
            fragment,
            cond,
            values,
            unit_match.group(0) if unit_match else "",
            labels,
            nums,
        )
    return None


def _own_condition(phrase: Phrase, fragment: str, m: re.Match[str]) -> str:
    """The text the first ``{cond}`` of the form took: the start of the fragment up to the
    first word the form fixes."""
    if not phrase.template.startswith("{cond}"):
        return ""
    head = re.compile(_compile(phrase.template.removeprefix("{cond}")))
    for start in range(len(fragment) + 1):
        if head.fullmatch(fragment, start):
            return fragment[:start]
    return ""


def thresholds(condition: str) -> list[Threshold]:
    """The numeric lines a condition sets: «达到90%以上» → at least 90 %."""
    out: list[Threshold] = []
    taken: list[tuple[int, int]] = []
    for phrase in PHRASES:
        if phrase.role != "condition":
            continue
        for m in phrase.pattern.finditer(condition):
            if any(a < m.end() and m.start() < b for a, b in taken):
                continue
            taken.append(m.span())
            unit = _threshold_unit(m.group(0))
            if phrase.kind == "range":
                out.append(Threshold("range", number(m.group("a")), unit))
            else:
                out.append(Threshold(phrase.kind, number(m.group("t")), unit))
    return out


def _threshold_unit(text: str) -> str:
    if "%" in text or "百分点" in text:
        return "%"
    m = re.search(rf"{_NUMBER}({UNITS}|小时|分钟|米|平方米|元)", text)
    return m.group(1) if m else ""


def read(wording: str) -> tuple[list[Clause], list[str], str | None]:
    """Clauses, unknown fragments and the 检查方法 of a raw cell text."""
    text, method = split_method(normalize(wording))
    found, unknown = clauses(text)
    return found, unknown, method
