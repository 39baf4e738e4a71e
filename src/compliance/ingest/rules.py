"""From the clauses of a wording to one rule of SPEC §2.2/§2.2a.

``interpret`` reads the clauses the phrase table found and decides the rule, in this order:
vetoes, discretionary wordings (manual), levels, a measured rate below a line (shortfall),
a proportional rate, gains per event, deductions (one price, several triggers, a ceiling),
bands of a measured value, additive criteria, and last the plain check. What it had to
guess is said in ``guesses`` (the YAML's «请核对» comments); what it could not read at all
is ``problem`` and the item falls back to ``manual``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal

from compliance.ingest.phrases import LEVEL_WORDS, UNITS, Clause, read, thresholds
from compliance.ingest.text import tidy

KIND_LABELS = {
    "check": "符合性判定",
    "veto": "一票否决",
    "veto-section": "大项否决",
    "deduct": "按处扣分",
    "triggers": "多项扣分",
    "shortfall": "未达标按差距扣分",
    "threshold": "达标得分",
    "bands": "分档计分",
    "proportional": "按比例计分",
    "criteria": "分项计分",
    "levels": "等级评定",
    "manual": "人工评分",
}


@dataclass(frozen=True)
class Reading:
    """What a wording means as a rubric entry (``fields`` without ``points``)."""

    kind: str
    fields: dict = field(default_factory=dict)
    guesses: tuple[str, ...] = ()
    problem: str | None = None
    method: str | None = None


# the fractions of the usual 等次 when a table names them without points (SPEC §2.2's example)
_USUAL_FRACTIONS = {
    2: (Decimal(1), Decimal(0)),
    3: (Decimal(1), Decimal("0.6"), Decimal(0)),
    4: (Decimal(1), Decimal("0.8"), Decimal("0.5"), Decimal(0)),
    5: (Decimal(1), Decimal("0.8"), Decimal("0.6"), Decimal("0.4"), Decimal(0)),
}
_LABEL_PREFIX = re.compile(r"^(?:被评为|评价为|评定为|认定为|评为|考核为|结果为|为)")
_LABEL_SUFFIX = re.compile(r"(?:的|等次|等级|档次|者)+$")
_RATE = re.compile(r"率|%|百分点")


def interpret(wording: str, points: Decimal | None) -> Reading:
    """The rule that ``wording`` states for an item worth ``points`` (None: not known)."""
    if not wording.strip():
        return Reading("check")
    found, unknown, method = read(wording)
    reading = _decide(found, unknown, points)
    return Reading(reading.kind, reading.fields, reading.guesses, reading.problem, method)


def _manual(problem: str | None = None, guess: str | None = None) -> Reading:
    return Reading("manual", {"rule": "manual"}, (guess,) if guess else (), problem)


def _of(found: list[Clause], *kinds: str) -> list[Clause]:
    return [c for c in found if c.kind in kinds]


def _decide(found: list[Clause], unknown: list[str], p: Decimal | None) -> Reading:
    found = [c for c in found if c.kind != "info"]  # «问卷采取100分制»: no score of its own
    if _of(found, "veto"):
        rest = "；其余文字未能识别：" + "；".join(unknown) if unknown else ""
        return Reading("veto", {"veto": True}, (f"按一票否决处理{rest}",) if rest else ())
    if _of(found, "section_zero"):
        return Reading("veto-section", {"veto": "section"})
    if unknown:
        return _manual(f"未能识别的评分文字：{'；'.join(unknown)}")
    if not found:
        return Reading(
            "check", guesses=("评分标准未写明得分或扣分方式，按符合性判定（符合得满分，不符合不得分）",)
        )
    if _of(found, "manual"):
        return _manual(guess="评分标准为酌情评分或“扣减相应分数”，按人工评分（由考评人员给分）")
    situational = _of(found, "situational")
    if situational:
        # «…得10分；…得10分，按实际情况评分»: criteria judged one by one (基本符合 gives part)
        rest = [c for c in found if c.kind != "situational"]
        reading = _criteria(rest, p) if rest else None
        if reading is None or reading.kind != "criteria":
            return _manual(guess="评分标准为“按实际情况评分”，按人工评分（由考评人员给分）")
        return Reading(
            "criteria", reading.fields, ("原文“按实际情况评分”：各分项按符合/基本符合/不符合评定",)
        )
    for decide in (_levels, _shortfall, _proportional, _gain, _deductions, _measured, _criteria, _check):
        reading = decide(found, p)
        if reading is not None:
            return reading
    words = "；".join(c.text for c in found)
    return _manual(f"评分文字的各部分无法组成一个评分规则：{words}")


def _label(cond: str) -> str | None:
    label = _LABEL_SUFFIX.sub("", _LABEL_PREFIX.sub("", cond.split(",")[-1]))
    return label if re.fullmatch(LEVEL_WORDS, label) else None


def _levels(found: list[Clause], p: Decimal | None) -> Reading | None:
    listed = _of(found, "levels")
    if listed:
        clause = listed[0]
        if len(clause.labels) != len(clause.nums):
            return _manual(
                f"等级 {len(clause.labels)} 个、分数 {len(clause.nums)} 个，数目不一致：{clause.text}"
            )
        pairs = dict(zip(clause.labels, clause.nums, strict=True))
        return _level_reading(pairs, p)
    named = _of(found, "level_words")
    if named:
        labels = named[0].labels
        if p is None:
            return _manual(f"等级没有给出分数，且本项分值未知：{named[0].text}")
        fractions = _USUAL_FRACTIONS.get(len(labels))
        if fractions is None:
            return _manual(f"等级没有给出分数：{named[0].text}")
        pairs = {
            label: tidy((p * f).quantize(Decimal("0.01"))) for label, f in zip(labels, fractions, strict=True)
        }
        shown = "、".join(f"{k} {v} 分" for k, v in pairs.items())
        return Reading(
            "levels",
            {"rule": "levels", "level_points": pairs},
            (f"评分标准只列出等级未给分数，按等差暂定：{shown}",),
        )
    scored = _of(found, "full", "zero")
    if len(scored) >= 2 and len(scored) == len(found):
        labels = [_label(c.cond) for c in scored]
        if all(labels):
            pairs = {
                label: (c.values.get("points", p) if c.kind == "full" else Decimal(0))
                for label, c in zip(labels, scored, strict=True)
            }
            if any(v is None for v in pairs.values()):
                return None
            return _level_reading(pairs, p)
    return None


def _level_reading(pairs: dict[str, Decimal], p: Decimal | None) -> Reading:
    guesses = []
    top = max(pairs.values())
    if p is not None and top > p:
        return _manual(f"等级分数最高 {top} 分，超过本项分值 {p} 分")
    if p is not None and top != p:
        guesses.append(f"最高等级得 {top} 分，本项分值为 {p} 分")
    return Reading("levels", {"rule": "levels", "level_points": pairs}, tuple(guesses))


def _line(clauses: list[Clause]) -> Decimal | None:
    for clause in clauses:
        for t in thresholds(clause.cond):
            if t.kind in {"at_least", "below"}:
                return t.value
    return None


def _shortfall(found: list[Clause], p: Decimal | None) -> Reading | None:
    short = _of(found, "short")
    if not short:
        return None
    lines = {_line([c]) for c in short} - {None}
    if len(short) > 1 and (len(lines) > 1 or len({c.values["per"] for c in short}) > 1):
        return _manual(f"一条评分标准含 {len(short)} 个考核指标，无法用一个规则表达（可拆分为多个条目）")
    clause = short[0]
    target = _line([clause]) or _line(_of(found, "full", "zero"))
    if target is None:
        return _manual(f"按差距扣分但没有写明达标线：{clause.text}")
    fields: dict = {
        "rule": "quantity",
        "mode": "shortfall",
        "target": target,
        "unit": "%",
        "per": clause.values["per"],
    }
    step = clause.values.get("step", Decimal(1))
    if step != 1:
        fields["step"] = step
    guesses = []
    full = [c for c in _of(found, "full") if c.values.get("points") not in (None, p)]
    if full:
        guesses.append(f"达标得分 {full[0].values['points']} 分与本项分值 {p} 分不同")
    return Reading("shortfall", fields, tuple(guesses))


def _proportional(found: list[Clause], p: Decimal | None) -> Reading | None:
    if not _of(found, "proportional"):
        return None
    return Reading(
        "proportional",
        {"rule": "quantity", "mode": "proportional", "target": Decimal(100), "unit": "%"},
        ("按比例计分：实测值填百分比（如 95.2），100% 得满分",),
    )


def _gain(found: list[Clause], p: Decimal | None) -> Reading | None:
    gains = _of(found, "gain")
    if not gains:
        return None
    if _of(found, "full", "per", "once"):
        return _manual("按次加分与其他得分或扣分条件并存，无法用一个规则表达")
    if len(gains) > 1 or p is None:
        return _manual(f"按次得分的写法无法确定满分所需次数：{'；'.join(c.text for c in gains)}")
    gain = gains[0].values["gain"]
    caps = [c.values["max"] for c in _of(found, "gain_cap") if "max" in c.values]
    cap = caps[0] if caps else p
    guesses = [] if cap == p else [f"最高 {cap} 分与本项分值 {p} 分不同，按本项分值计"]
    target = tidy(p / gain)
    unit = gains[0].unit or "次"
    fields = {"rule": "quantity", "mode": "proportional", "target": target, "unit": unit}
    return Reading(
        "proportional", fields, (f"每{unit}得 {gain} 分：实测值填{unit}数，{target}{unit}得满分", *guesses)
    )


_COUNTED = re.compile(rf"(?:每|发现1|出现1|查出1|发生1|有1)(?:{UNITS})")
_PRICE = re.compile(r"[的,]?(?:扣|扣除|减|罚)?[0-9.]+分$")


# «未同步建设防蚊闸的，一处扣0.2分»: the trigger is named without its «,1处»
_COUNT_TAIL = re.compile(rf",(?:每|发现|出现)?1?(?:{UNITS})$")


def _name(clause: Clause) -> str:
    """A trigger's or criterion's name: its condition, else the fragment without its price."""
    name = _COUNT_TAIL.sub("", clause.cond.strip(",")).removesuffix("的").removeprefix("对")
    return (name or _PRICE.sub("", clause.text) or clause.text)[:200]


def _deductions(found: list[Clause], p: Decimal | None) -> Reading | None:
    pers, onces = _of(found, "per"), _of(found, "once")
    if not pers and not onces:
        return None
    zeros = _of(found, "zero")
    guesses: list[str] = []
    # «上限1分» after a price is the most the item loses (before a gain it is the most it earns)
    capping = _of(found, "cap") + [c for c in _of(found, "gain_cap") if "上限" in c.text]
    caps = [c.values["max"] for c in capping if "max" in c.values]
    # «发现一人次…的，扣2分，扣完为止»: a price per event, though 每 is not written
    counted = [
        c for c in onces if _COUNTED.search(c.cond) or (len(onces) == 1 and _of(found, "cap") and not caps)
    ]
    if counted:
        pers = [*pers, *counted]
        onces = [c for c in onces if c not in counted]
    fields: dict = {"rule": "deduct"}
    if not pers and len(onces) == 1 and not zeros:
        amount = onces[0].values["per"]
        if p is not None and amount >= p:
            if amount > p:
                guesses.append(f"扣 {amount} 分超过本项分值 {p} 分，按不符合不得分处理")
            return Reading("check", {}, tuple(guesses))
        fields.update(per=amount, max_deduct=amount)
        return Reading("deduct", fields, ("只写了扣一次的分数：问题数填 0 或 1",))
    if len(pers) == 1 and not onces and not zeros:
        fields["per"] = pers[0].values["per"]
        kind = "deduct"
    else:
        if zeros and p is None:
            return _manual("“不得分”的条件需要本项分值，但分值未知")
        triggers = [{"name": _name(c), "per": c.values["per"]} for c in found if c.kind in {"per", "once"}]
        triggers += [{"name": _name(c), "per": p} for c in zeros]
        fields["triggers"] = triggers
        kind = "triggers"
    if caps and zeros:
        guesses.append(f"同时写有“不得分”和“最多扣 {caps[0]} 分”：不得分的情形也只扣到 {caps[0]} 分")
    if caps:
        if p is not None and caps[0] > p:
            guesses.append(f"最多扣 {caps[0]} 分超过本项分值 {p} 分，按扣完为止处理")
        else:
            fields["max_deduct"] = caps[0]
    for c in _of(found, "full"):
        if c.values.get("points") not in (None, p):
            guesses.append(f"“{c.text}”的 {c.values['points']} 分与本项分值 {p} 分不同")
    return Reading(kind, fields, tuple(guesses))


def _measured(found: list[Clause], p: Decimal | None) -> Reading | None:
    """Bands (or a single line) of a measured value: «达到90%以上得3分，80%-90%得2分»."""
    scored = _of(found, "full", "zero")
    lined = [(c, thresholds(c.cond)) for c in scored]
    lined = [(c, ts) for c, ts in lined if ts]
    if not lined or p is None:
        return None
    total = sum((c.values.get("points", p) for c in scored if c.kind == "full"), Decimal(0))
    units = {t.unit for _, ts in lined for t in ts}
    unit = "%" if "%" in units else next(iter(sorted(units - {""})), "")
    rate_like = unit == "%" or any(_RATE.search(c.cond) for c, _ in lined)
    if len(lined) == 1 and len([c for c in scored if c.kind == "full"]) == 1:
        clause, ts = lined[0]
        if (
            clause.kind == "full"
            and clause.values.get("points", p) == p
            and ts[0].kind == "at_least"
            and rate_like
        ):
            return Reading(
                "threshold",
                {"rule": "quantity", "mode": "threshold", "target": ts[0].value, "unit": unit or None},
            )
        return None
    if len(lined) < 2 or total == p:
        return None
    bands: dict[Decimal, Decimal] = {}
    for clause, ts in lined:
        low = Decimal(0) if ts[0].kind == "below" else ts[0].value
        got = clause.values.get("points", p) if clause.kind == "full" else Decimal(0)
        if low in bands and bands[low] != got:
            return _manual(f"分档的下限 {low} 出现两次且分数不同")
        bands[low] = got
    if 0 not in bands:
        bands[Decimal(0)] = Decimal(0)
    ordered = [{"min": low, "points": bands[low]} for low in sorted(bands, reverse=True)]
    guesses = []
    if max(bands.values()) > p:
        return _manual(f"分档最高 {max(bands.values())} 分，超过本项分值 {p} 分")
    if max(bands.values()) != p:
        guesses.append(f"最高一档得 {max(bands.values())} 分，本项分值为 {p} 分")
    fields = {"rule": "quantity", "mode": "bands", "bands": ordered}
    if unit:
        fields["unit"] = unit
    return Reading("bands", fields, tuple(guesses))


def _criteria(found: list[Clause], p: Decimal | None) -> Reading | None:
    fulls = [c for c in _of(found, "full") if "points" in c.values]
    if len(fulls) < 2 or all(c.values["points"] == p for c in fulls):
        return None  # several ways to full marks («合格得20分；未检查的得20分») is a check
    total = sum((c.values["points"] for c in fulls), Decimal(0))
    if p is not None and total != p:
        return _manual(f"各项得分之和 {total} 分与本项分值 {p} 分不一致")
    criteria = [{"text": _name(c), "points": c.values["points"]} for c in fulls]
    return Reading("criteria", {"rule": "criteria", "criteria": criteria})


def _check(found: list[Clause], p: Decimal | None) -> Reading | None:
    scored = _of(found, "full", "zero")
    if not scored or len(scored) != len(found):
        return None
    for c in scored:
        got = c.values.get("points")
        if c.kind == "full" and got is not None and p is not None and got != p:
            return _manual(f"“{c.text}”得 {got} 分，与本项分值 {p} 分不同")
    return Reading("check")
