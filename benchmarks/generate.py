"""Synthetic benchmark data: a standard + rubric of M items, N units, filled checklists.

Everything is deterministic for a given seed. The output folder holds::

    standards/bench-<M>.yaml     a 3-level standard (方面 / 子项 / 小项), illustrative
    rubrics/bench-<M>.yaml       total 1000 (100 below 150 items); check, levels,
                                 deduct, quantity and manual items, one veto item
    units.yaml                   N street squads across the cities of Jiangsu
    template.xlsx                the project's own ``write_template`` output, for unit 1
    units/<code>.xlsx            one filled checklist per unit (same layout as the template)
    bulk.xlsx                    the bulk form, one row per unit and item (shared strings)
    bulk-part<i>.xlsx            the same rows in parts of whole units, at most 152,000 rows
                                 each (only when the whole is larger)
    manifest.json                what was generated, so an unchanged request is not redone

The filled workbooks are written with bare xlsxwriter from the layout of the real
template (its sheets, cells and formulas with their cached results, captured once with
openpyxl), in parallel: about a minute for 1,000 files and the 300,000-row bulk form on
2 cores. ``--check`` imports the first checklist and the bulk forms with the real
``read_workbook`` and scores them.

    python benchmarks/generate.py --units 1000 --items 300 --check    # → benchmarks/out/data-1000x300
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import json
import os
import random
import re
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any

import xlsxwriter
import yaml

from compliance.workbook import layout as L

GENERATOR_VERSION = "2"  # bump when the generated data changes: reused data is then redone
ROOT = Path(__file__).resolve().parents[1]
DEFAULT_OUT = ROOT / "benchmarks" / "out"

KIND = "考评"
ROUND = "2024"  # the canonical label (SPEC §2.5): what the store keeps and report looks up
# The layout is the product's own: a benchmark of a copy would drift from what it measures.
CHECK_SHEET = L.ITEMS_SHEET
INFO_SHEET = L.INFO_SHEET
BONUS_SHEET = L.BONUS_SHEET
HEADERS = L.ITEM_HEADERS
BULK_HEADERS = L.BULK_REQUIRED
INFO_LABELS = L.INFO_REQUIRED
UNIT_TYPE = "街道综合执法队"
BULK_PART_ROWS = 152_000
"""The bulk form is also written in parts of at most this many rows (whole units each),
for readers that refuse one sheet of 300,000 rows."""
WORKBOOK_OPTIONS = {"strings_to_numbers": False, "strings_to_formulas": False, "in_memory": True}

# --- word lists -------------------------------------------------------------------------

ASPECTS: dict[str, list[str]] = {
    "执法部门": ["机构设置", "职责明确", "制度建设", "党建引领", "廉政建设", "权责清单"],
    "执法机构": ["队伍管理", "人员配置", "办公场所", "档案管理", "内务管理", "考勤值班"],
    "执法行为": ["执法程序", "执法文书", "执法记录", "自由裁量", "案卷管理", "执法公示", "法制审核"],
    "执法服务": ["便民服务", "投诉处理", "宣传教育", "社会参与", "柔性执法", "志愿服务"],
    "执法保障": ["装备配备", "经费保障", "信息化建设", "教育培训", "车辆管理", "着装风纪"],
    "执法评价": ["考核评议", "群众满意度", "监督检查", "示范创建", "问题整改"],
}
# (subject, verb, objects, qualifiers): an item reads "中队建立执法全过程记录制度，记录完整规范".
ACTIONS = [
    ("中队", "建立", "执法全过程记录制度 执法人员一人一档 重大执法决定法制审核制度 执法案件台账 "
     "投诉举报受理机制 与社区党组织的联勤联动机制", "记录完整规范 台账齐全、可追溯 责任落实到人 "
     "资料归档及时 并每年修订完善"),
    ("", "落实", "行政执法公示制度 首违不罚清单 “三会一课”制度 执法责任制 值班备勤制度 案件回访制度 "
     "“721”工作法", "执行情况纳入年度考核 做到全程留痕 责任落实到人 无应落实未落实情形"),
    ("中队", "配备", "执法记录仪 统一标识的执法车辆 移动执法终端 对讲机 询问室同步录音录像设备 办公电脑",
     "满足一线执勤需要 建立领用登记台账 完好率达到100% 做到人手一台"),
    ("每年", "开展", "案卷评查 法律知识培训 队列训练 群众满意度测评 执法业务竞赛 廉政风险排查 "
     "“进社区、进商铺”宣传活动", "不少于两次 覆盖全体执法人员 有方案、有记录、有总结 结果通报并整改到位"),
    ("在队部显著位置", "公示", "执法人员信息 执法依据和程序 投诉举报电话 行政处罚决定 权责清单 办事流程",
     "内容准确、更新及时 做到统一规范、标识清楚 群众知晓率达到90%以上"),
    ("执法人员", "规范", "执法文书制作 执法用语 证据收集和保存 暂扣物品管理 着装和标志佩戴 罚没款收缴",
     "符合省厅统一标准 无涂改、漏项 做到应录尽录 抽查合格率不低于95%"),
    ("", "完善", "执法车辆管理台账 应急处置预案 内部管理制度汇编 执法信息平台数据 考核评价办法 "
     "案件移送衔接机制", "并定期更新 每季度检查一次 做到可查询、可追溯"),
    ("", "推行", "非现场执法 说理式执法文书 轻微违法告知承诺制 “互联网+执法” 执法事项清单化管理",
     "覆盖主要执法事项 效果纳入年度考核 无超期未办结情形"),
]  # fmt: skip
METHODS = ["查阅资料", "实地查看", "随机抽查", "问卷调查", "听取汇报", "查阅资料、实地查看"]
EVIDENCE = [
    "制度文本、会议纪要",
    "工作台账、现场照片",
    "执法记录仪视频截图",
    "案卷目录及抽查记录",
    "培训签到表、课件",
    "公示栏照片、网站截图",
    "考核结果通报",
    "装备清单及领用登记",
]
PROBLEMS = [
    "抽查案卷5份，其中2份缺少送达回证",
    "执法记录仪视频未按规定上传存储",
    "公示栏内容未及时更新，仍为上年度信息",
    "台账记录不完整，缺少3月份记录",
    "2名执法人员执勤时未佩戴执法证件",
    "询问室录音录像设备故障，未及时维修",
    "培训签到表与课件不一致",
    "部分案件未经法制审核即作出决定",
    "暂扣物品未登记造册",
    "投诉件办理超过规定时限",
    "执法文书存在涂改，未按规定签章",
    "车辆使用登记缺失",
]
LEVELS = {"好": Decimal(1), "较好": Decimal("0.8"), "一般": Decimal("0.5"), "差": Decimal(0)}
PASS_WORDS = ["符合"] * 18 + ["√", "合格"]
PARTIAL_WORDS = ["基本符合"] * 9 + ["△"]
FAIL_WORDS = ["不符合"] * 9 + ["×"]
NA_WORDS = ["不适用"] * 4 + ["合理缺项"]
INSPECTORS = [
    "王建国",
    "李明",
    "张伟",
    "刘洋",
    "陈静",
    "杨帆",
    "赵磊",
    "黄丽",
    "周强",
    "吴敏",
    "徐涛",
    "孙悦",
]

CITIES: dict[str, tuple[str, list[str]]] = {
    "南京市": ("01", ["玄武区", "秦淮区", "建邺区", "鼓楼区", "栖霞区"]),
    "无锡市": ("02", ["梁溪区", "锡山区", "惠山区", "滨湖区"]),
    "徐州市": ("03", ["鼓楼区", "云龙区", "贾汪区", "泉山区"]),
    "常州市": ("04", ["天宁区", "钟楼区", "新北区", "武进区"]),
    "苏州市": ("05", ["姑苏区", "虎丘区", "吴中区", "相城区", "吴江区"]),
    "南通市": ("06", ["崇川区", "通州区", "海门区"]),
    "连云港市": ("07", ["连云区", "海州区", "赣榆区"]),
    "淮安市": ("08", ["淮安区", "淮阴区", "清江浦区"]),
    "盐城市": ("09", ["亭湖区", "盐都区", "大丰区"]),
    "扬州市": ("10", ["广陵区", "邗江区", "江都区"]),
    "镇江市": ("11", ["京口区", "润州区", "丹徒区"]),
    "泰州市": ("12", ["海陵区", "高港区", "姜堰区"]),
    "宿迁市": ("13", ["宿城区", "宿豫区"]),
}
STREETS = [
    "城东", "城南", "城西", "城北", "新城", "文峰", "和平", "人民", "解放", "胜利", "中山",
    "建设", "朝阳", "东风", "红旗", "长江", "滨江", "湖滨", "新华", "幸福", "永安", "青年",
    "兴隆", "金桥", "翠屏", "龙山", "观音山", "虹桥", "学田", "钟秀", "唐闸", "秦灶",
]  # fmt: skip


# --- the standard and rubric ------------------------------------------------------------


def _half(value: Decimal) -> Decimal:
    return (value * 2).quantize(Decimal(1), rounding=ROUND_HALF_UP) / 2


def _plain(value: Decimal) -> int | float:
    """3 rather than 3.0 in the YAML (and in the rule text the template shows)."""
    return int(value) if value == value.to_integral_value() else float(value)


def _item_text(rng: random.Random) -> str:
    subject, verb, objects, qualifiers = rng.choice(ACTIONS)
    subject = subject if rng.random() < 0.6 else ""
    return f"{subject}{verb}{rng.choice(objects.split())}，{rng.choice(qualifiers.split())}"


def _shape(items: int) -> list[tuple[str, list[tuple[str, int]]]]:
    """Split ``items`` over the 6 aspects and their sub-items (3–6 items each)."""
    names = list(ASPECTS)
    per_aspect = [items // len(names) + (1 if i < items % len(names) else 0) for i in range(len(names))]
    shape = []
    for name, count in zip(names, per_aspect, strict=True):
        subs = ASPECTS[name]
        n_subs = max(1, min(round(count / 4.5), 40))
        sizes = [count // n_subs + (1 if i < count % n_subs else 0) for i in range(n_subs)]
        sub_names = [
            subs[i % len(subs)] + (f"（{i // len(subs) + 1}）" if i >= len(subs) else "")
            for i in range(n_subs)
        ]
        shape.append((name, [(s, n) for s, n in zip(sub_names, sizes, strict=True) if n]))
    return [(name, subs) for name, subs in shape if subs]


def _rule_for(rng: random.Random, points: Decimal) -> dict[str, Any]:
    roll = rng.random()
    if roll < 0.55:
        return {}
    if roll < 0.67:
        return {"rule": "levels", "levels": {k: float(v) for k, v in LEVELS.items()}}
    if roll < 0.82:
        return {"rule": "deduct", "per": _plain(max(Decimal("0.5"), _half(points / 4)))}
    if roll < 0.94:
        if rng.random() < 0.6:
            return {"rule": "quantity", "target": 100, "mode": "proportional"}
        return {"rule": "quantity", "target": 2, "mode": "threshold"}
    return {"rule": "manual"}


def make_rubric(items: int, seed: int = 1) -> tuple[dict, dict]:
    """(standard document, rubric document) with ``items`` scored items."""
    rng = random.Random(f"rubric-{seed}-{items}")
    total = Decimal(1000 if items >= 150 else 100)
    ident = f"bench-{items}"
    sections = []
    codes: list[str] = []
    for a, (aspect, subs) in enumerate(_shape(items), start=1):
        children = []
        for s, (sub, n) in enumerate(subs, start=1):
            entries = []
            for i in range(1, n + 1):
                code = f"{a}.{s}.{i}"
                codes.append(code)
                entries.append(
                    {
                        "code": code,
                        "text": _item_text(rng),
                        "method": rng.choice(METHODS),
                        "evidence": rng.choice(EVIDENCE),
                    }
                )
            children.append({"code": f"{a}.{s}", "name": sub, "items": entries})
        sections.append({"code": str(a), "name": aspect, "sections": children})
    standard = {
        "standard": {
            "id": ident,
            "title": f"城市管理执法规范化建设标准（基准测试用，{items}项）",
            "issuer": "基准测试生成器",
            "version": "2024",
            "source": "benchmarks/generate.py 按词表随机组合的示例条文",
            "fidelity": "illustrative",
            "levels": ["方面", "子项", "小项"],
        },
        "sections": sections,
    }

    veto = codes[len(codes) // 2] if len(codes) > 3 else None
    scored = [c for c in codes if c != veto]
    weights = [Decimal(rng.randint(2, 6)) for _ in scored]
    points = [max(Decimal("0.5"), _half(w / sum(weights) * total)) for w in weights]
    diff = total - sum(points)
    i = 0
    while diff:  # spread the rounding difference half a point at a time
        step = Decimal("0.5") if diff > 0 else Decimal("-0.5")
        if points[i % len(points)] + step >= Decimal("0.5"):
            points[i % len(points)] += step
            diff -= step
        i += 1
    entries: dict[str, Any] = {}
    for code, p in zip(scored, points, strict=True):
        entries[code] = {"points": _plain(p), **_rule_for(rng, p)}
    if veto:
        entries[veto] = {"points": 0, "veto": True}
    bonus_cap = total * Decimal("0.03")
    rubric = {
        "rubric": {
            "id": ident,
            "title": f"街道综合执法队规范化建设评分细则（基准测试用，{items}项）",
            "standard": ident,
            "applies_to": [UNIT_TYPE],
            "total": int(total),
            "na_policy": "exclude",
            "partial_credit": 0.5,
            "precision": 2,
            "pass": {"min_rate": 0.9, "min_section_rate": 0.6},
            "grades": [
                {"name": "优秀", "min_rate": 0.9},
                {"name": "良好", "min_rate": 0.8},
                {"name": "合格", "min_rate": 0.6},
                {"name": "不合格", "min_rate": 0},
            ],
            "default": {"rule": "check"},
            "items": {code: entries[code] for code in codes},
            "bonus": {
                "cap": int(bonus_cap),
                "items": [
                    {"code": "J1", "text": "受到住房和城乡建设部通报表扬", "points": int(bonus_cap * 2 / 3)},
                    {"code": "J2", "text": "获评省级规范化建设示范单位", "points": int(bonus_cap / 3)},
                ],
            },
        }
    }
    return standard, rubric


def make_units(n: int) -> list[dict[str, str]]:
    combos = [
        (city, code, d, district, s, street)
        for city, (code, districts) in CITIES.items()
        for d, district in enumerate(districts, start=1)
        for s, street in enumerate(STREETS, start=1)
    ]
    rng = random.Random("units")
    rng.shuffle(combos)
    units = []
    for i in range(n):
        city, ccode, d, district, s, street = combos[i % len(combos)]
        lap = i // len(combos)
        suffix = f"{lap + 1}" if lap else ""
        units.append(
            {
                "code": f"32{ccode}{d:02d}{s:03d}{suffix}",
                "name": f"{district}{street}{suffix}街道综合执法队",
                "type": UNIT_TYPE,
                "city": city,
                "district": district,
            }
        )
    return sorted(units, key=lambda u: u["code"])


# --- results ------------------------------------------------------------------------------


@dataclass
class Entry:
    """One filled checklist row: what the inspector typed, and the score Excel shows."""

    code: str
    result: str | None = None
    count: int | None = None
    measured: float | None = None
    score: float | None = None  # typed (manual items only)
    shown: float = 0.0  # the cached value of the 得分 formula
    note: str | None = None
    evidence: str | None = None


@dataclass
class Filled:
    unit: dict[str, str]
    date: str
    inspectors: str
    entries: list[Entry]
    bonus: dict[str, str] = field(default_factory=dict)


def _fill_one(rng: random.Random, item: dict, rule: dict, quality: float) -> Entry:
    p = float(item["points"])
    name = rule.get("rule", "check")
    e = Entry(item["code"])
    roll = rng.random()
    if name != "manual" and roll < 0.02:
        e.result = rng.choice(NA_WORDS)
        return e
    good = roll < quality
    if name == "check":
        if good:
            e.result, e.shown = rng.choice(PASS_WORDS), p
        elif rng.random() < 0.5 and not rule.get("veto"):
            e.result, e.shown = rng.choice(PARTIAL_WORDS), p * 0.5
        else:
            e.result = rng.choice(FAIL_WORDS) if not rule.get("veto") or rng.random() < 0.1 else "符合"
            e.shown = p if e.result == "符合" else 0.0
    elif name == "levels":
        label = rng.choice(["好", "较好"]) if good else rng.choice(["一般", "差"])
        e.result, e.shown = label, p * float(LEVELS[label])
    elif name == "deduct":
        e.count = 0 if good else rng.randint(1, 3)
        e.shown = max(0.0, p - float(rule["per"]) * e.count)
    elif name == "quantity":
        target = float(rule["target"])
        if target == 100:
            e.measured = 100.0 if good else float(rng.randint(55, 95))
            e.shown = p * min(1.0, e.measured / target)
        else:
            e.measured = float(rng.randint(2, 4) if good else rng.randint(0, 1))
            e.shown = p if e.measured >= target else 0.0
    else:
        e.score = p if good else float(_half(Decimal(p * rng.uniform(0.4, 0.95))))
        e.shown = e.score
    if e.shown < p:
        e.note = rng.choice(PROBLEMS)
    e.evidence = rng.choice(EVIDENCE) if rng.random() < 0.3 else None
    return e


def make_results(standard: dict, rubric: dict, units: list[dict], seed: int = 1) -> list[Filled]:
    items = [item for aspect in standard["sections"] for sub in aspect["sections"] for item in sub["items"]]
    rules = rubric["rubric"]["items"]
    points = {code: rule["points"] for code, rule in rules.items()}
    filled = []
    for u in units:
        rng = random.Random(f"results-{seed}-{u['code']}")
        quality = rng.uniform(0.78, 0.99)
        entries = [
            _fill_one(rng, {**item, "points": points[item["code"]]}, rules[item["code"]], quality)
            for item in items
        ]
        bonus = {"J1": "是"} if rng.random() < 0.1 else {}
        if rng.random() < 0.2:
            bonus["J2"] = "是"
        day = rng.randint(1, 28)
        inspectors = "、".join(rng.sample(INSPECTORS, 2))
        filled.append(Filled(u, f"2024-11-{day:02d}", inspectors, entries, bonus))
    return filled


# --- the workbook layout, captured from the project's own template ------------------------


@dataclass
class Layout:
    """The cells of a template workbook, sheet by sheet, and where the inputs go."""

    sheets: list[tuple[str, dict[tuple[int, int], Any]]]  # (name, {(row, col): value or "=formula"})
    header_row: int  # 0-based row of the 检查表 header
    columns: dict[str, int]  # 检查表 header → 0-based column
    info_cells: dict[str, tuple[int, int]]  # 基本信息 label → value cell
    item_rows: dict[str, int]  # item code → 0-based row in 检查表
    bonus_rows: dict[str, int] = field(default_factory=dict)
    bonus_columns: dict[str, int] = field(default_factory=dict)
    source: str = "fallback"  # "write_template" or "fallback"


def _norm(value: Any) -> str:
    return re.sub(r"\s+", "", str(value)) if value is not None else ""


def capture_layout(template: Path) -> Layout:
    """Read a template made by ``write_template`` (values and formulas) with openpyxl."""
    import openpyxl

    wb = openpyxl.load_workbook(template)  # not read-only: formulas as text, every sheet
    sheets = []
    for ws in wb.worksheets:
        cells = {
            (c.row - 1, c.column - 1): c.value
            for row in ws.iter_rows()
            for c in row
            if c.value is not None and c.value != ""
        }
        sheets.append((ws.title, cells))
    by_name = dict(sheets)
    check = by_name[CHECK_SHEET]
    header_row, columns = _find_header(check, ("编号", "结论"))
    item_rows = {
        str(v).strip(): r
        for (r, c), v in check.items()
        if c == columns["编号"] and r > header_row and v is not None
    }
    info_cells = {}
    for (r, c), v in by_name.get(INFO_SHEET, {}).items():
        label = _norm(v)
        if label in INFO_LABELS:
            info_cells[label] = (r, c + 1)
    bonus_rows: dict[str, int] = {}
    bonus_columns: dict[str, int] = {}
    if BONUS_SHEET in by_name:
        b_header, bonus_columns = _find_header(by_name[BONUS_SHEET], ("编号", "是否申报"))
        bonus_rows = {
            str(v).strip(): r
            for (r, c), v in by_name[BONUS_SHEET].items()
            if c == bonus_columns["编号"] and r > b_header
        }
    return Layout(
        sheets, header_row, columns, info_cells, item_rows, bonus_rows, bonus_columns, "write_template"
    )


def _find_header(cells: dict[tuple[int, int], Any], needed: tuple[str, ...]) -> tuple[int, dict[str, int]]:
    rows: dict[int, dict[str, int]] = {}
    for (r, c), v in cells.items():
        rows.setdefault(r, {})[_norm(v)] = c
    for r in sorted(rows):
        if all(n in rows[r] for n in needed):
            return r, rows[r]
    raise ValueError(f"no header row with {needed}")


def fallback_layout(standard: dict, rubric: dict, unit: dict) -> Layout:
    """SPEC §4's layout without the workbook layer: header on row 1, label/value rows."""
    info = {(i, 0): label for i, label in enumerate(INFO_LABELS)}
    info_cells = {label: (i, 1) for i, label in enumerate(INFO_LABELS)}
    check: dict[tuple[int, int], Any] = {(0, c): h for c, h in enumerate(HEADERS)}
    rules = rubric["rubric"]["items"]
    item_rows = {}
    r = 1
    for aspect in standard["sections"]:
        for sub in aspect["sections"]:
            for item in sub["items"]:
                rule = rules[item["code"]]
                row = [item["code"], aspect["name"], sub["name"], item["text"], item.get("method"),
                       rule["points"], rule.get("rule", "check")]  # fmt: skip
                for c, v in enumerate(row):
                    check[(r, c)] = v
                item_rows[item["code"]] = r
                r += 1
    bonus = {(0, c): h for c, h in enumerate(("编号", "加分事项", "分值", "是否申报", "说明"))}
    bonus_rows = {}
    for i, b in enumerate(rubric["rubric"]["bonus"]["items"], start=1):
        bonus.update({(i, 0): b["code"], (i, 1): b["text"], (i, 2): b["points"], (i, 3): "否"})
        bonus_rows[b["code"]] = i
    return Layout(
        [(INFO_SHEET, info), (CHECK_SHEET, check), (BONUS_SHEET, bonus)],
        0,
        {h: c for c, h in enumerate(HEADERS)},
        info_cells,
        item_rows,
        bonus_rows,
        {"编号": 0, "是否申报": 3},
    )


def _info_values(f: Filled, rubric_id: str) -> dict[str, Any]:
    u = f.unit
    return {
        "单位编码": u["code"],
        "单位名称": u["name"],
        "单位类型": u["type"],
        "所属市": u["city"],
        "所属区": u["district"],
        "评分细则": rubric_id,
        "评估类型": KIND,
        "评估轮次": ROUND,
        "检查日期": dt.date.fromisoformat(f.date),
        "检查人员": f.inspectors,
    }


def write_filled(path: Path, layout: Layout, f: Filled, rubric_id: str, template_unit: dict) -> None:
    """One filled checklist, written with bare xlsxwriter from the captured layout."""
    wb = xlsxwriter.Workbook(str(path), WORKBOOK_OPTIONS)
    cols = layout.columns
    info = _info_values(f, rubric_id)
    replace = [(template_unit["name"], f.unit["name"]), (template_unit["code"], f.unit["code"])]
    overrides: dict[str, dict[tuple[int, int], Any]] = {INFO_SHEET: {}, CHECK_SHEET: {}, BONUS_SHEET: {}}
    for label, cell in layout.info_cells.items():
        overrides[INFO_SHEET][cell] = info[label]
    date_format = wb.add_format({"num_format": "yyyy-mm-dd"})
    check = overrides[CHECK_SHEET]
    for e in f.entries:
        r = layout.item_rows[e.code]
        check[(r, cols["结论"])] = e.result
        check[(r, cols["问题数"])] = e.count
        check[(r, cols["实测值"])] = e.measured
        check[(r, cols["问题描述"])] = e.note
        check[(r, cols["佐证材料"])] = e.evidence
        if e.score is not None:
            check[(r, cols["得分"])] = e.score
        else:
            check[(r, cols["得分"])] = ("shown", e.shown)
    for code, answer in f.bonus.items():
        if code in layout.bonus_rows and "是否申报" in layout.bonus_columns:
            overrides[BONUS_SHEET][(layout.bonus_rows[code], layout.bonus_columns["是否申报"])] = answer
    for name, cells in layout.sheets:
        ws = wb.add_worksheet(name)
        mine = overrides.get(name, {})
        for (r, c), v in cells.items():
            if (r, c) in mine:
                continue
            _write(ws, r, c, v, replace)
        for (r, c), v in mine.items():
            if isinstance(v, dt.date):
                ws.write_datetime(r, c, dt.datetime.combine(v, dt.time()), date_format)
                continue
            if isinstance(v, tuple):
                template_value = cells.get((r, c))
                if isinstance(template_value, str) and template_value.startswith("="):
                    ws.write_formula(r, c, template_value, None, round(v[1], 4))
                continue
            if v is not None:
                _write(ws, r, c, v, ())
    wb.close()


def _write(ws, r: int, c: int, v: Any, replace) -> None:
    if isinstance(v, str):
        if v.startswith("="):
            ws.write_formula(r, c, v)
            return
        for old, new in replace:
            if old in v:
                v = v.replace(old, new)
        ws.write_string(r, c, v)
    elif isinstance(v, bool):
        ws.write_boolean(r, c, v)
    elif isinstance(v, int | float | Decimal):
        ws.write_number(r, c, float(v))
    else:
        ws.write(r, c, v)


def write_bulk(path: Path, filled: list[Filled], rubric_id: str) -> None:
    """The bulk form: one sheet, one row per unit and item, with a shared-strings table
    (xlsxwriter's default, as Excel and WPS write). SPEC's eight columns plus 评分细则,
    which the reader takes the rubric from (without it the caller must name the rubric).
    A claimed bonus item (加分项) is a row with its code and 结论 是."""
    wb = xlsxwriter.Workbook(str(path), WORKBOOK_OPTIONS)
    ws = wb.add_worksheet("评估结果")
    ws.write_row(0, 0, [*BULK_HEADERS, "评分细则"])
    r = 1
    for f in filled:
        code = f.unit["code"]
        for e in f.entries:
            ws.write_string(r, 0, code)
            ws.write_string(r, 1, KIND)
            ws.write_string(r, 2, ROUND)
            ws.write_string(r, 3, e.code)
            if e.result is not None:
                ws.write_string(r, 4, e.result)
            if e.count is not None:
                ws.write_number(r, 5, e.count)
            if e.measured is not None:
                ws.write_number(r, 6, e.measured)
            if e.score is not None:
                ws.write_number(r, 7, e.score)
            ws.write_string(r, 8, rubric_id)
            r += 1
        for bonus_code, answer in f.bonus.items():
            ws.write_row(r, 0, [code, KIND, ROUND, bonus_code, answer])
            ws.write_string(r, 8, rubric_id)
            r += 1
    wb.close()


# --- orchestration ------------------------------------------------------------------------


@dataclass
class Dataset:
    root: Path
    units: int
    items: int
    rubric_id: str
    standard_path: Path
    rubric_path: Path
    units_path: Path
    template: Path | None
    files: list[Path]
    bulk: Path | None
    layout_source: str
    bulk_parts: list[Path] = field(default_factory=list)

    def catalog(self):
        from compliance.catalog import Catalog

        return Catalog(
            standard_dirs=[self.root / "standards"], rubric_dirs=[self.root / "rubrics"], cwd=self.root
        )


def _dump(path: Path, data: Any) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=200), encoding="utf-8")


def _write_chunk(args) -> int:
    paths, layout, chunk, rubric_id, template_unit = args
    for path, f in zip(paths, chunk, strict=True):
        write_filled(path, layout, f, rubric_id, template_unit)
    return len(paths)


def _fingerprint(units: int, items: int, seed: int, bulk: bool, layout: Layout) -> str:
    """Changes when the request, GENERATOR_VERSION or the template's cells change."""
    cells = hashlib.sha256(repr([(n, sorted(c.items())) for n, c in layout.sheets]).encode()).hexdigest()[:16]
    return f"{GENERATOR_VERSION}-{cells}-{units}-{items}-{seed}-{bulk}"


def _parts(filled: list[Filled]) -> list[list[Filled]]:
    """Whole units in as few even parts as keep each within BULK_PART_ROWS rows."""
    rows = sum(len(f.entries) + len(f.bonus) for f in filled)
    n = -(-rows // BULK_PART_ROWS)
    size = -(-len(filled) // n)
    return [filled[i : i + size] for i in range(0, len(filled), size)]


def generate(
    out: Path,
    units: int,
    items: int,
    *,
    seed: int = 1,
    bulk: bool = True,
    jobs: int | None = None,
    force: bool = False,
    log=print,
) -> Dataset:
    """Write (or reuse, when the manifest matches) the data set into ``out``."""
    out = Path(out)
    started = time.perf_counter()
    standard, rubric = make_rubric(items, seed)
    rubric_id = rubric["rubric"]["id"]
    unit_list = make_units(units)
    files = [out / "units" / f"{u['code']}.xlsx" for u in unit_list]
    ds = Dataset(
        out, units, items, rubric_id,
        out / "standards" / f"{rubric_id}.yaml", out / "rubrics" / f"{rubric_id}.yaml", out / "units.yaml",
        None, files, out / "bulk.xlsx" if bulk else None, "fallback",
    )  # fmt: skip
    for path, data in (
        (ds.standard_path, standard),
        (ds.rubric_path, rubric),
        (ds.units_path, {"units": unit_list}),
    ):
        _dump(path, data)

    # The template first (milliseconds): its cells decide whether the data must be redone.
    try:
        from compliance.units import Unit
        from compliance.workbook import write_template

        resolved = ds.catalog().rubric(rubric_id)
        ds.template = out / "template.xlsx"
        write_template(ds.template, resolved, Unit(**unit_list[0]), kind=KIND, round=ROUND)
        layout = capture_layout(ds.template)
        ds.layout_source = "write_template"
    except ImportError as exc:
        log(f"注意：compliance.workbook 尚不可用（{exc}），按 SPEC §4 的布局直接生成")
        layout = fallback_layout(standard, rubric, unit_list[0])

    manifest = out / "manifest.json"
    fingerprint = _fingerprint(units, items, seed, bulk, layout)
    if not force and manifest.is_file():
        saved = json.loads(manifest.read_text(encoding="utf-8"))
        parts = [Path(p) for p in saved.get("bulk_parts", [])]
        if saved.get("fingerprint") == fingerprint and all(p.is_file() for p in [*files, *parts]):
            ds.bulk_parts = parts
            log(f"复用已生成的数据：{out}（{units} 个单位 × {items} 项）")
            return ds
    manifest.unlink(missing_ok=True)
    (out / "units").mkdir(parents=True, exist_ok=True)
    for old in [*(out / "units").glob("*.xlsx"), *out.glob("bulk*.xlsx")]:
        old.unlink()
    filled = make_results(standard, rubric, unit_list, seed)

    jobs = jobs or min(os.cpu_count() or 1, 8)
    chunks = [
        (files[i::jobs], layout, filled[i::jobs], rubric_id, unit_list[0])
        for i in range(jobs)
        if files[i::jobs]
    ]
    if jobs > 1 and len(files) > 20:
        with ProcessPoolExecutor(jobs) as pool:
            list(pool.map(_write_chunk, chunks))
    else:
        for chunk in chunks:
            _write_chunk(chunk)
    if ds.bulk:
        write_bulk(ds.bulk, filled, rubric_id)
        parts = _parts(filled)
        if len(parts) > 1:
            ds.bulk_parts = [out / f"bulk-part{i}.xlsx" for i in range(1, len(parts) + 1)]
            for path, part in zip(ds.bulk_parts, parts, strict=True):
                write_bulk(path, part, rubric_id)
    manifest.write_text(
        json.dumps(
            {
                "fingerprint": fingerprint,
                "units": units,
                "items": items,
                "seed": seed,
                "rubric": rubric_id,
                "template": str(ds.template) if ds.template else None,
                "layout_source": ds.layout_source,
                "bulk_parts": [str(p) for p in ds.bulk_parts],
                "seconds": round(time.perf_counter() - started, 2),
            },
            ensure_ascii=False,
            indent=2,
        ),
        encoding="utf-8",
    )
    log(
        f"已生成：{out}（{units} 个单位 × {items} 项，布局来自 {ds.layout_source}，"
        f"{time.perf_counter() - started:.1f} 秒）"
    )
    return ds


def check(ds: Dataset, log=print) -> bool:
    """Import the first filled workbook and the bulk form with the real reader; score them."""
    from compliance.catalog import load_units
    from compliance.findings import errors_of
    from compliance.scoring import score
    from compliance.workbook import read_workbook

    catalog = ds.catalog()
    units = load_units(ds.units_path)
    ok = True
    for path in [ds.files[0], *([ds.bulk] if ds.bulk else []), *ds.bulk_parts]:
        pairs, findings = read_workbook(path, catalog, units=units)
        errors = errors_of(findings)
        for f in findings[:10]:
            log(f"  {f}")
        if errors or not pairs:
            ok = False
            log(f"✗ {path.name}: {len(errors)} 个错误，{len(pairs)} 份评估")
            continue
        cards = [score(r, a) for r, a in pairs]
        items = sum(len(a.items) for _, a in pairs)
        log(
            f"✓ {path.name}: {len(pairs)} 份评估，{items} 条结果，{len(findings)} 条警告；"
            f"首个单位得分 {cards[0].final:.2f}（{cards[0].status}，{cards[0].grade}）"
        )
    return ok


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--units", type=int, default=1000)
    parser.add_argument("--items", type=int, default=300)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--no-bulk", action="store_true", help="skip the bulk form")
    parser.add_argument("--jobs", type=int, default=None)
    parser.add_argument("--force", action="store_true", help="regenerate even when the manifest matches")
    parser.add_argument("--check", action="store_true", help="import one file with read_workbook")
    parser.add_argument("-o", "--out", type=Path, default=None)
    args = parser.parse_args(argv)
    out = args.out or DEFAULT_OUT / f"data-{args.units}x{args.items}"
    ds = generate(
        out, args.units, args.items, seed=args.seed, bulk=not args.no_bulk, jobs=args.jobs, force=args.force
    )
    if args.check:
        return 0 if check(ds) else 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
