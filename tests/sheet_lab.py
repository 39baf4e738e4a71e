"""The differential test's bench (imported by tests; holds no tests itself).

- :func:`random_rubric` — a random v1 standard + rubric as plain data (written as YAML, so
  the real ``compliance score`` reads them);
- :func:`random_fill` — an inspector's entries for a template, every accepted spelling
  of 结论 (full-width, spaces, case, WPS's quote mark), numbers as numbers or as text, and
  with ``invalid`` a few inputs the engine refuses;
- :func:`recalculate` — LibreOffice recomputes a batch of workbooks in one ``soffice`` run;
- :func:`sheet_values` — the 得分 of every row and the running results, as LibreOffice
  computed them.
"""

from __future__ import annotations

import random
import shutil
import subprocess
import unicodedata
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

import python_calamine
import yaml

from compliance.scoring.results import _SYNONYMS, Result

SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")
D = Decimal
POINTS = ("0", "0.5", "1", "2", "2.5", "3", "4", "5", "6", "7.5", "8", "10", "12", "15", "20")
PERS = ("0.1", "0.2", "0.25", "0.5", "1", "1.5", "2", "3", "5")
TARGETS = ("1", "3", "7.5", "12", "15", "20", "95", "100")
FRACTIONS = ("0", "0.2", "0.25", "0.3", "0.5", "0.6", "0.75", "0.8", "0.9", "1")
RATES = ("0", "0.5", "0.6", "0.7", "0.75", "0.8", "0.85", "0.9", "1")
LABEL_POOLS = (
    ("好", "较好", "一般", "差"),
    ("优", "良", "中", "差"),
    ("A", "B", "C", "D"),
    ("A+", "A", "B-", "C"),
    ("一级", "二级", "三级"),
    ("完全落实", "基本落实", "未落实"),
)
SPELLINGS = {r: [k for k, v in _SYNONYMS.items() if v is r] for r in Result}
YES = [k for k, v in _SYNONYMS.items() if v is Result.PASS]
NO = [k for k, v in _SYNONYMS.items() if v is Result.FAIL]
UNIT = {
    "code": "990001",
    "name": "测试街道综合执法队",
    "type": "街道综合执法队",
    "city": "测试市",
    "district": "测试区",
}


def num(text: str) -> float | int:
    value = D(text)
    return int(value) if value == value.to_integral_value() else float(value)


# --- random rubrics ---------------------------------------------------------------------


def _item_rule(rng: random.Random, v2: bool = False) -> dict:
    rules = ("check", "check", "levels", "deduct", "quantity", "manual")
    rule = rng.choice((*rules, "deduct", "quantity", "criteria") if v2 else rules)
    entry: dict = {"points": num(rng.choice(POINTS)), "rule": rule}
    if v2 and (rule == "criteria" or rng.random() < 0.7):
        v2_entry = _v2_rule(rng, rule, D(str(entry["points"])))
        if v2_entry is not None:
            return v2_entry
        if rule == "criteria":  # nothing to share out: a plain check
            return {"points": entry["points"], "rule": "check"}
    if rule == "deduct":
        entry["per"] = num(rng.choice(PERS))
    elif rule == "quantity":
        entry["target"] = num(rng.choice(TARGETS))
        entry["mode"] = rng.choice(("proportional", "threshold"))
    elif rule == "levels":
        labels = rng.choice(LABEL_POOLS)
        entry["levels"] = {
            label: num(rng.choice(FRACTIONS)) for label in labels[: rng.randint(1, len(labels))]
        }
    elif rule == "check" and rng.random() < 0.15:
        entry["veto"] = True
        entry["points"] = num(rng.choice(("0", "0", "2", "5")))
    return entry


def _v2_rule(rng: random.Random, rule: str, p: Decimal) -> dict | None:
    """An item entry using the rules of real published tables (SPEC §2.2a), or None."""
    entry: dict = {"points": num(str(p)), "rule": rule}
    if rng.random() < 0.2:
        entry["scoring_text"] = "按本表原文计分：达到要求得满分，发现问题按规定扣分"
    match rule:
        case "deduct":
            if rng.random() < 0.6:
                entry["triggers"] = [
                    {"name": f"情形{k + 1}", "per": num(rng.choice(PERS))} for k in range(rng.randint(1, 3))
                ]
            else:
                entry["per"] = num(rng.choice(PERS))
            if rng.random() < 0.6 and p > 0:
                entry["max_deduct"] = num(str(rng.choice([p, p / 2, D(1), D("0.5")]).normalize()))
                if D(str(entry["max_deduct"])) > p:
                    entry["max_deduct"] = num(str(p))
        case "quantity":
            if rng.random() < 0.5:
                entry["unit"] = "%"
            if rng.random() < 0.5:
                entry |= {
                    "mode": "shortfall",
                    "target": num(rng.choice(("70", "90", "95", "12"))),
                    "per": num(rng.choice(PERS)),
                }
                if rng.random() < 0.5:
                    entry["step"] = num(rng.choice(("0.5", "1", "2", "5")))
                entry["steps"] = rng.choice(("exact", "started", "completed"))
            else:
                mins = sorted(
                    rng.sample(("95", "90", "80", "60", "30"), rng.randint(1, 3)), key=D, reverse=True
                )
                pts = sorted((D(rng.choice(POINTS)) for _ in mins), reverse=True)
                pts = [min(x, p) for x in pts]
                entry |= {
                    "mode": "bands",
                    "bands": [{"min": num(m), "points": num(str(x))} for m, x in zip(mins, pts, strict=True)]
                    + [{"min": 0, "points": 0}],
                }
        case "criteria":
            if p == 0:
                return None
            k = rng.randint(1, 3)
            parts = [(p / k).quantize(D("0.01")) for _ in range(k)]
            parts[-1] = p - sum(parts[:-1])
            if parts[-1] < 0:
                return None
            entry["criteria"] = [
                {"text": f"分项要求{i + 1}", "points": num(str(x))} for i, x in enumerate(parts)
            ]
        case "levels":
            labels = rng.choice(LABEL_POOLS)
            values = sorted((rng.choice([p, p * 2 / 3, p / 3, D(0), p / 2]) for _ in labels), reverse=True)
            entry["level_points"] = {
                label: num(str(v.quantize(D("0.01")) if v != p else v))
                for label, v in zip(labels, values, strict=True)
            }
        case "check":
            if rng.random() < 0.4:
                entry["veto"] = "section"
        case _:
            return None
    return entry


def random_rubric(rng: random.Random, n: int, v2: bool = False) -> tuple[dict, dict]:
    """(standard, rubric) documents with ids ``rand-std-<n>`` and ``rand-<n>``; with ``v2``
    the rubric uses SPEC §2.2a too (triggers, shortfall, bands, criteria, level_points,
    section veto, weights, penalties, no pass line or grades)."""
    depth = rng.choice((2, 3))
    levels = ["方面", "子项", "小项"][:depth] if depth == 3 else ["方面", "小项"]
    sections, items = [], {}
    for s in range(rng.randint(1, 4)):
        code = str(s + 1)
        if depth == 2:
            codes = [f"{code}.{i + 1}" for i in range(rng.randint(1, 5))]
            sections.append(
                {
                    "code": code,
                    "name": f"方面{code}",
                    "items": [{"code": c, "text": f"条目 {c} 的要求"} for c in codes],
                }
            )
        else:
            subs = []
            codes = []
            for t in range(rng.randint(1, 3)):
                sub = f"{code}.{t + 1}"
                mine = [f"{sub}.{i + 1}" for i in range(rng.randint(1, 4))]
                codes += mine
                subs.append(
                    {
                        "code": sub,
                        "name": f"子项{sub}",
                        "items": [{"code": c, "text": f"条目 {c} 的要求"} for c in mine],
                    }
                )
            sections.append({"code": code, "name": f"方面{code}", "sections": subs})
        for c in codes:
            items[c] = _item_rule(rng, v2)
    if not any(D(str(e["points"])) for e in items.values()):
        first = next(iter(items))
        items[first] = {"points": 10, "rule": "check"}
    total = sum(D(str(e["points"])) for e in items.values())
    rates = sorted({D(r) for r in rng.sample(RATES, 3)} | {D(0)}, reverse=True)
    standard = {
        "standard": {
            "id": f"rand-std-{n}",
            "title": f"随机标准 {n}",
            "version": "1",
            "fidelity": "illustrative",
            "levels": levels,
        },
        "sections": sections,
    }
    info: dict = {
        "id": f"rand-{n}",
        "title": f"随机评分细则 {n}",
        "standard": f"rand-std-{n}",
        "applies_to": [UNIT["type"]],
        "total": num(str(total)),
        "na_policy": rng.choice(("exclude", "full_marks")),
        "partial_credit": num(rng.choice(FRACTIONS)),
        "precision": rng.choice((0, 1, 2, 2, 2, 3)),
        "pass": {"min_rate": num(rng.choice(RATES))},
        "grades": [
            {"name": name, "min_rate": num(str(r))}
            for name, r in zip(("优秀", "良好", "合格", "不合格"), rates, strict=False)
        ],
        "items": items,
    }
    info["grades"][-1]["name"] = "不合格"
    if rng.random() < 0.5:
        info["pass"]["min_section_rate"] = num(rng.choice(RATES))
    if v2:
        tops = [s["code"] for s in sections]
        if rng.random() < 0.4:
            raw = [D(rng.randint(1, 9)) for _ in tops]
            weights = [(w / sum(raw)).quantize(D("0.0001")) for w in raw]
            weights[-1] = D(1) - sum(weights[:-1])
            if all(w > 0 for w in weights):
                info["weights"] = {code: num(str(w)) for code, w in zip(tops, weights, strict=True)}
                info["total"] = 100
        if rng.random() < 0.5:
            info["penalties"] = {
                "cap": num(rng.choice(("0", "5", "10", "20"))),
                "items": [
                    {"code": f"K{j + 1}", "text": f"减分事项 {j + 1}", "per": num(rng.choice(PERS[3:]))}
                    for j in range(rng.randint(1, 3))
                ],
            }
        if rng.random() < 0.15:
            del info["pass"]
        if rng.random() < 0.15:
            del info["grades"]
    if rng.random() < 0.7:
        info["bonus"] = {
            "cap": num(rng.choice(("0", "3", "5", "10", "30"))),
            "items": [
                {"code": f"J{j + 1}", "text": f"加分事项 {j + 1}", "points": num(rng.choice(POINTS[1:]))}
                for j in range(rng.randint(1, 3))
            ],
        }
    return standard, {"rubric": info}


def write_yaml(path: Path, document: dict) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(yaml.safe_dump(document, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


def _rules(rubric) -> dict:
    """A resolved rubric's items in the shape :func:`random_fill` reads (the YAML's)."""
    out = {}
    for item in rubric.items:
        rule = item.rule
        entry: dict = {"rule": rule.name, "points": float(item.points)}
        match rule.__class__.__name__:
            case "Levels":
                entry["level_points" if rule.absolute else "levels"] = dict(rule.labels)
            case "Quantity":
                entry |= {"target": float(rule.target), "unit": rule.unit}
            case "Shortfall":
                entry |= {"mode": "shortfall", "target": float(rule.target), "unit": rule.unit}
            case "Bands":
                entry |= {"mode": "bands", "unit": rule.unit}
            case "Deduct" if rule.triggers:
                entry["triggers"] = [{"name": t.name, "per": float(t.per)} for t in rule.triggers]
            case "Criteria":
                entry["criteria"] = [{"text": c.text, "points": float(c.points)} for c in rule.criteria]
        out[item.code] = entry
    return out


def rubric_document(rubric) -> dict:
    return {
        "rubric": {
            "items": _rules(rubric),
            "bonus": {"items": [{"code": b.code} for b in rubric.bonus_items]},
            "penalties": {"items": [{"code": k.code} for k in rubric.penalty_items]},
        }
    }


# --- random fills -----------------------------------------------------------------------


def spelled(rng: random.Random, text: str, *, case: bool = True) -> str:
    """``text`` as an inspector may type it: full-width letters, spaces, another case,
    WPS's leading quote mark; import reads every one of them as ``text``."""
    out = []
    for ch in text:
        if case and ch.isascii() and ch.isalpha() and rng.random() < 0.3:
            ch = ch.swapcase()
        if 0x21 <= ord(ch) <= 0x7E and rng.random() < 0.3:
            ch = chr(ord(ch) + 0xFEE0)
        if rng.random() < 0.1:
            ch = rng.choice((" ", "\u3000")) + ch
        out.append(ch)
    typed = "".join(out)
    if rng.random() < 0.2:
        typed = rng.choice((" ", "\u3000", "  ")) + typed
    if rng.random() < 0.2:
        typed += rng.choice((" ", "\u3000"))
    if rng.random() < 0.1:
        typed = "‘" + typed
    return typed


def typed_number(rng: random.Random, value: Decimal):
    """``value`` as a number cell, or as text the way WPS and pasting leave it."""
    roll = rng.random()
    if roll < 0.7:
        return num(str(value))
    text = format(value.normalize(), "f")
    if roll < 0.8:
        return text
    if roll < 0.9:
        return unicodedata.normalize("NFKC", text).translate({ord(c): ord(c) + 0xFEE0 for c in "0123456789."})
    return rng.choice((" ", "‘")) + text


def _word(rng: random.Random, result: Result) -> str:
    return spelled(rng, rng.choice(SPELLINGS[result]))


@dataclass
class Fill:
    """code → {header: value} of the 检查表 (part rows coded ``2.4/1``), code → value of
    是否申报, and code → 次数 of the 减分项."""

    items: dict[str, dict]
    bonus: dict[str, object]
    invalid: bool
    penalties: dict[str, object] = field(default_factory=dict)


@dataclass(frozen=True)
class Percent:
    """A number typed as a percentage: Excel stores ``value`` (0.952 for 95.2 %) in a
    cell formatted as a percentage."""

    value: float


def _measured(rng: random.Random, v: Decimal, unit: str | None):
    if unit == "%":
        roll = rng.random()
        if roll < 0.3:
            return Percent(float(v / 100))
        if roll < 0.4:
            return f"{format(v.normalize(), 'f')}%"  # text with the sign: still 95.2
    return typed_number(rng, v)


def _parts(entry: dict) -> list[tuple[str, str]]:
    """(column, kind) of each part row of a v2 entry: triggers' counts, criteria's results."""
    if entry.get("triggers"):
        return [("问题数", "trigger")] * len(entry["triggers"])
    if entry.get("criteria"):
        return [("结论", "criterion")] * len(entry["criteria"])
    return []


def _valid_parts(rng: random.Random, code: str, entry: dict) -> dict[str, dict]:
    rows = {}
    for i, (column, kind) in enumerate(_parts(entry), start=1):
        if kind == "trigger":
            rows[f"{code}/{i}"] = {column: typed_number(rng, D(rng.choice((0, 0, 1, 2, 3, 7))))}
        else:
            rows[f"{code}/{i}"] = {column: _word(rng, rng.choice((Result.PASS, Result.PARTIAL, Result.FAIL)))}
    return rows


def _valid(rng: random.Random, entry: dict) -> dict:
    rule = entry["rule"]
    p = D(str(entry["points"]))
    if _parts(entry):
        return {}  # the inputs are in the part rows
    if rule == "levels" and "level_points" in entry:
        return {"结论": spelled(rng, rng.choice(list(entry["level_points"])), case=False)}
    if rule == "quantity" and entry.get("mode") in ("shortfall", "bands"):
        t = D(str(entry.get("target", 90)))
        v = rng.choice(
            (D(0), t, t + 1, t - D("0.5"), t - 3, (t * D(rng.randint(1, 99)) / 100).quantize(D("0.1")))
        )
        return {"实测值": _measured(rng, max(v, D(0)), entry.get("unit"))}
    match rule:
        case "check":
            return {"结论": _word(rng, rng.choice((Result.PASS, Result.PARTIAL, Result.FAIL)))}
        case "levels":
            return {"结论": spelled(rng, rng.choice(list(entry["levels"])), case=False)}
        case "deduct":
            roll = rng.random()
            if roll < 0.15:
                return {"结论": _word(rng, Result.PASS)}  # no 问题数: none found
            out = {"问题数": typed_number(rng, D(rng.randint(0, 8)))}
            if roll < 0.4:
                out["结论"] = _word(rng, rng.choice((Result.PASS, Result.PARTIAL, Result.FAIL)))
            return out
        case "quantity":
            t = D(str(entry["target"]))
            v = rng.choice(
                (D(0), t, t * 2, (t * D(rng.randint(1, 99)) / 100).quantize(D("0.01")), t - D("0.01"))
            )
            out = {"实测值": _measured(rng, max(v, D(0)), entry.get("unit"))}
            if rng.random() < 0.2:
                out["结论"] = _word(rng, rng.choice((Result.PASS, Result.FAIL)))
            return out
        case "manual":
            s = rng.choice((D(0), p, (p * D(rng.randint(0, 10)) / 10).quantize(D("0.1"))))
            return {"得分": typed_number(rng, min(s, p))}
    raise AssertionError(rule)


def _invalid(rng: random.Random, entry: dict) -> dict:
    """An input the engine refuses, of a kind this rule can meet."""
    rule = entry["rule"]
    p = D(str(entry["points"]))
    unknown = {"结论": rng.choice(("还行", "?", "*", "符合？", "OK!"))}
    if _parts(entry):
        return {}  # see _invalid_parts
    if rule == "levels" and "level_points" in entry:
        return unknown
    if rule == "quantity" and entry.get("mode") in ("shortfall", "bands"):
        return rng.choice((unknown, {"实测值": -3}, {"实测值": "十五"}, {"结论": _word(rng, Result.PASS)}))
    match rule:
        case "check":
            return unknown
        case "levels":
            return rng.choice((unknown, {"结论": "很" + next(iter(entry["levels"])) + "的"}))
        case "deduct":
            return rng.choice(
                (
                    unknown,
                    {"问题数": -1},
                    {"问题数": 2.5},
                    {"问题数": "三处"},
                    {"结论": _word(rng, Result.FAIL)},  # 不符合 without 问题数
                )
            )
        case "quantity":
            return rng.choice(
                (unknown, {"实测值": -3}, {"实测值": "十五"}, {"结论": _word(rng, Result.PASS)})
            )
        case "manual":
            return rng.choice(
                (
                    unknown,
                    {"得分": float(p + 1)},
                    {"得分": -0.5},
                    {"得分": "满分"},
                    {"结论": _word(rng, Result.PASS)},
                )
            )
    raise AssertionError(rule)


def random_fill(rng: random.Random, rubric: dict, *, invalid: bool = False, blank: float = 0.1) -> Fill:
    """Entries for every item of ``rubric`` (the document's ``items``); a share ``blank``
    left empty, about one in eight 不适用, and with ``invalid`` one or two refused inputs."""
    info = rubric["rubric"]
    codes = list(info["items"])
    items: dict[str, dict] = {}
    for code in codes:
        entry = info["items"][code]
        roll = rng.random()
        if roll < blank:
            continue
        if roll < blank + 0.12:
            na = {"结论": _word(rng, Result.NA)}
            if entry["rule"] != "check" and rng.random() < 0.3:
                na |= {k: v for k, v in _valid(rng, entry).items() if k != "结论"}  # 不适用 wins
            items[code] = na
            continue
        items[code] = _valid(rng, entry)
        parts = _valid_parts(rng, code, entry)
        if parts and rng.random() < 0.1:  # one part left blank: the item is not inspected
            parts.pop(rng.choice(list(parts)))
        items |= parts
    if invalid:
        for code in rng.sample(codes, min(len(codes), rng.randint(1, 2))):
            entry = info["items"][code]
            parts = _parts(entry)
            if parts:
                i = rng.randint(1, len(parts))
                column, kind = parts[i - 1]
                bad = (
                    rng.choice(
                        ({column: -1}, {column: 1.5}, {column: "两次"}, {"结论": _word(rng, Result.NA)})
                    )
                    if kind == "trigger"
                    else rng.choice(({column: "还行"}, {column: _word(rng, Result.NA)}))
                )
                items[f"{code}/{i}"] = bad
            else:
                items[code] = _invalid(rng, entry)
    bonus = {}
    for b in info.get("bonus", {}).get("items", []):
        roll = rng.random()
        if roll < 0.4:
            bonus[b["code"]] = spelled(rng, rng.choice(YES))
        elif roll < 0.7:
            bonus[b["code"]] = spelled(rng, rng.choice(NO))
        elif roll < 0.8:
            bonus[b["code"]] = None
    if invalid and bonus and rng.random() < 0.3:
        bonus[next(iter(bonus))] = rng.choice(("基本符合", "不适用", "也许"))
    penalties: dict[str, object] = {}
    for k in info.get("penalties", {}).get("items", []):
        roll = rng.random()
        if roll < 0.4:
            penalties[k["code"]] = typed_number(rng, D(rng.randint(0, 4)))
        elif roll < 0.5:
            penalties[k["code"]] = 0
    if invalid and penalties and rng.random() < 0.3:
        penalties[next(iter(penalties))] = rng.choice((-1, 2.5, "三次"))
    return Fill(items, bonus, invalid, penalties)


# --- LibreOffice ------------------------------------------------------------------------

_RECALC_ALWAYS = """<?xml version="1.0" encoding="UTF-8"?>
<oor:items xmlns:oor="http://openoffice.org/2001/registry" xmlns:xs="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
<item oor:path="/org.openoffice.Office.Calc/Formula/Load"><prop oor:name="OOXMLRecalcMode" oor:op="fuse"><value>0</value></prop></item>
<item oor:path="/org.openoffice.Office.Calc/Formula/Load"><prop oor:name="ODFRecalcMode" oor:op="fuse"><value>0</value></prop></item>
</oor:items>
"""


def profile(folder: Path) -> Path:
    """A private LibreOffice profile that recalculates every formula on load (the default
    trusts the cached values, and openpyxl writes none)."""
    user = folder / "user"
    user.mkdir(parents=True, exist_ok=True)
    settings = user / "registrymodifications.xcu"
    if not settings.exists():
        settings.write_text(_RECALC_ALWAYS, encoding="utf-8")
    return folder


def convert(paths: list[Path], out_dir: Path, profile_dir: Path, to: str = "xlsx") -> list[Path]:
    """``soffice --headless --convert-to`` of all ``paths`` in one run (it converts many
    files per start); returns the converted files in order."""
    out_dir.mkdir(parents=True, exist_ok=True)
    subprocess.run(
        [
            SOFFICE,
            f"-env:UserInstallation={profile(profile_dir).as_uri()}",
            "--headless",
            "--norestore",
            "--convert-to",
            to,
            "--outdir",
            str(out_dir),
            *map(str, paths),
        ],
        check=True,
        capture_output=True,
        timeout=60 + 5 * len(paths),
    )
    suffix = "." + to.split(":")[0]
    return [out_dir / (p.stem + suffix) for p in paths]


@dataclass
class SheetValues:
    """What LibreOffice computed: per item code the visible 得分 and the hidden earned
    value; the running results of 基本信息 by label; the rows showing 有误."""

    score: dict[str, object]
    earned: dict[str, object]
    rows: dict[str, int]  # code → 1-based row
    info: dict[str, object]
    error_cells: set[str]


def sheet_values(path: Path) -> SheetValues:
    book = python_calamine.CalamineWorkbook.from_path(str(path))
    items = book.get_sheet_by_name("检查表").to_python(skip_empty_area=False)
    header = items[0]
    code_col, score_col = header.index("编号"), header.index("得分")
    earned_col = 18  # the hidden earned helper (column S)
    score, earned, rows, errors = {}, {}, {}, set()
    for r, line in enumerate(items[1:], start=2):
        code = line[code_col] if code_col < len(line) else ""
        if not code:
            continue
        code = str(code)
        rows[code] = r
        score[code] = line[score_col]
        earned[code] = line[earned_col] if earned_col < len(line) else ""
        if earned[code] == "有误":
            errors.add(f"检查表!{r}")
    bonus = book.get_sheet_by_name("加分项").to_python(skip_empty_area=False)
    for r, line in enumerate(bonus[1:], start=2):
        if len(line) > 8 and line[8] == "有误":
            errors.add(f"加分项!{r}")
    if "减分项" in book.sheet_names:
        penalties = book.get_sheet_by_name("减分项").to_python(skip_empty_area=False)
        for r, line in enumerate(penalties[1:], start=2):
            if len(line) > 7 and line[7] == "有误":
                errors.add(f"减分项!{r}")
    info = {}
    for line in book.get_sheet_by_name("基本信息").to_python(skip_empty_area=False):
        if line and isinstance(line[0], str) and line[0] and len(line) > 1:
            info[line[0]] = line[1]
    return SheetValues(score, earned, rows, info, errors)
