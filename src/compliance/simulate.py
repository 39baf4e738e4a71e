"""A seeded simulation of a standardization programme: what inspectors would write.

Each squad has a *maturity* per item, a number between 0 and 1: the squad's overall level
(a baseline that rises round by round at the squad's own pace), plus how hard the item is
for everyone, plus how the squad happens to stand on it, plus a little noise per round. An
audit (考评) writes down what the maturity shows; a self-assessment (自评) starts from
the same facts and sometimes reports a shortfall as 符合 (虚报). Everything is drawn from
``random.Random`` seeded by ``seed``, the squad, the round and the kind, so the same seed
gives the same programme and a reduced run (fewer squads or rounds) is a prefix of the
full one.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from compliance.rubric import Check, Deduct, Levels, Manual, Quantity, ResolvedRubric, ScoredItem
from compliance.scoring import Assessment, AssessmentMeta, BonusClaim, ItemInput, Kind
from compliance.units import Unit

# --- the programme's calendar -------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Round:
    label: str  # "2019H1": sorts as text in time order
    date: dt.date  # the audit date (the self-assessment is two weeks earlier)


def half_year_rounds(first_year: int, count: int) -> tuple[Round, ...]:
    """``count`` half-year rounds from ``first_year``: 2019H1 (06-28), 2019H2 (12-20), …"""
    rounds = []
    for n in range(count):
        year, half = first_year + n // 2, n % 2 + 1
        date = dt.date(year, 6, 28) if half == 1 else dt.date(year, 12, 20)
        rounds.append(Round(f"{year}H{half}", date))
    return tuple(rounds)


# Progress slowed in the first half of 2020 (epidemic control took the squads' time).
PACE_FACTOR = {"2020H1": 0.4}
SELF_ASSESSMENT_LEAD = dt.timedelta(days=14)

# --- what gets written --------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Entry:
    """One checklist row as an inspector fills it (the workbook's input columns)."""

    code: str
    result: str | None = None  # 结论
    count: int | None = None  # 问题数
    measured: Decimal | None = None  # 实测值
    score: Decimal | None = None  # 得分 (manual items only)
    note: str | None = None  # 问题描述


@dataclass(frozen=True, slots=True)
class Filling:
    """Everything one filled workbook carries: who, when, by whom, and every row."""

    unit: Unit
    round: Round
    kind: Kind
    date: dt.date
    inspectors: tuple[str, ...]
    entries: tuple[Entry, ...]
    bonus: tuple[tuple[str, str], ...]  # (code, 说明) of the bonus items claimed

    def assessment(self, rubric_id: str) -> Assessment:
        """The engine's input for this filling, without a workbook in between."""
        meta = AssessmentMeta(self.unit, rubric_id, self.kind, self.round.label, self.date, self.inspectors)
        items = tuple(
            ItemInput(
                e.code,
                result=e.result,
                count=None if e.count is None else Decimal(e.count),
                measured=e.measured,
                score=e.score,
                note=e.note,
            )
            for e in self.entries
        )
        return Assessment(meta, items, tuple(BonusClaim(code, note) for code, note in self.bonus))


# --- the squads ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Squad:
    unit: Unit
    baseline: float  # overall maturity in the first round
    pace: float  # share of the gap to CEILING closed per round, on average
    candour: float  # chance that a self-assessment reports a shortfall as it is
    stand: dict[str, float]  # per item: how this squad stands on it, around 0
    not_applicable: frozenset[str]
    leaders: tuple[str, ...]  # who signs the self-assessment


CITY_INSPECTORS = ("陈建华", "顾晓东", "陆文斌", "周丽娟", "施卫东", "钱慧", "曹志刚", "季红梅")
SURNAMES = "张王李赵陈顾陆周施钱曹季吴徐朱孙黄袁"
GIVEN = ("志强", "建军", "海峰", "晓燕", "国平", "玉兰", "振华", "雪梅", "卫国", "春生", "秀英", "立新")

# Items hard for everyone (equipment that costs money, rooms that need space, habits).
HARD = {"2.3.4": 0.18, "5.7.3": 0.2, "3.9.2": 0.12, "5.9.1": 0.12, "2.11.1": 0.1, "3.12.1": 0.1}

# 合理缺项: items some streets legitimately do not have, with the reason the inspector writes.
NOT_APPLICABLE = (
    (("2.4.1", "2.4.2", "2.4.3"), 0.15, "暂扣物品由区城管局统一存放管理，街道不单独设置"),
    (("3.6.2",), 0.3, "本考核期内辖区无强制拆除案件"),
    (("3.5.3",), 0.2, "本考核期内未发生先行登记保存证据的情形"),
    (("3.14.3",), 0.25, "本考核期内未发生行政复议和行政诉讼案件"),
)
NA_REASONS = {code: reason for codes, _, reason in NOT_APPLICABLE for code in codes}

BASELINE = (0.66, 0.82)  # range of the squads' overall maturity in the first round
PACE = (0.1, 0.4)  # range of the share of the gap to CEILING a squad closes per round
CEILING = 0.95
VETO_CHANCE = 0.006  # per veto item, squad and round
BONUS_NOTES = {
    "J1": "因规范执法工作受到住房和城乡建设部通报表扬",
    "J2": "获评省级城管执法规范化建设示范单位",
    "J3": "办理的违法建设案件入选省级典型案例",
}


def _rng(seed: int, *keys: object) -> random.Random:
    # A string seed is hashed with SHA-512: stable across runs and Python processes.
    return random.Random("/".join(str(k) for k in (seed, *keys)))


def _person(rng: random.Random) -> str:
    return rng.choice(SURNAMES) + rng.choice(GIVEN)


def make_squad(unit: Unit, rubric: ResolvedRubric, seed: int) -> Squad:
    rng = _rng(seed, "squad", unit.code)
    baseline = rng.uniform(*BASELINE)
    pace = rng.uniform(*PACE)
    candour = rng.uniform(0.55, 0.97)
    stand = {item.code: rng.gauss(0, 0.1) for item in rubric.items}
    na = frozenset(
        code
        for codes, chance, _ in NOT_APPLICABLE
        if rng.random() < chance
        for code in codes
        if rubric.item(code)
    )
    leaders = (_person(rng), _person(rng))
    return Squad(unit, baseline, pace, candour, stand, na, leaders)


def difficulty(rubric: ResolvedRubric, seed: int) -> dict[str, float]:
    rng = _rng(seed, "difficulty")
    return {item.code: rng.gauss(0, 0.06) + HARD.get(item.code, 0.0) for item in rubric.items}


# --- from maturity to what is written -----------------------------------------------------


def _clamp(x: float, lo: float = 0.0, hi: float = 1.0) -> float:
    return max(lo, min(hi, x))


def _is_percent(item: ScoredItem) -> bool:
    return "%" in item.text or "率" in item.text or item.rule.target == 100


def _half(x: float) -> Decimal:
    return Decimal(round(x * 2)) / 2


def _measure(item: ScoredItem, rule: Quantity, m: float, rng: random.Random) -> Decimal:
    lo = 0.55 if rule.mode == "proportional" else 0.8
    target = float(rule.target)
    value = target * (lo + (1 - lo) * m / 0.8 + rng.gauss(0, 0.02))
    if _is_percent(item):
        return Decimal(str(round(_clamp(value, 0, 100), 1)))
    return Decimal(max(0, round(value)))


def _level(rule: Levels, m: float) -> str:
    wanted = _clamp((m - 0.35) / 0.5)
    return min(rule.labels, key=lambda lf: (abs(float(lf[1]) - wanted), -lf[1]))[0]


def observe(item: ScoredItem, m: float, rng: random.Random) -> Entry:
    """What an honest inspector writes for an item whose maturity is ``m``."""
    match item.rule:
        case Check():
            result = "符合" if m >= 0.62 else "基本符合" if m >= 0.5 else "不符合"
            return Entry(item.code, result=result)
        case Levels() as rule:
            return Entry(item.code, result=_level(rule, m))
        case Deduct(per):
            wipe = float(item.points / per)
            count = max(0, round((0.86 - m) * 2.5 * wipe + rng.gauss(0, 0.3)))
            return Entry(item.code, result=None if count else "符合", count=count)
        case Quantity() as rule:
            return Entry(item.code, measured=_measure(item, rule, m, rng))
        case Manual():
            return Entry(
                item.code, score=min(item.points, _half(float(item.points) * _clamp((m - 0.3) / 0.55)))
            )
    raise AssertionError(item.rule)


def best(item: ScoredItem) -> Entry:
    """The entry claiming full marks (what an inflated self-assessment writes)."""
    match item.rule:
        case Levels(labels):
            return Entry(item.code, result=max(labels, key=lambda lf: lf[1])[0])
        case Deduct():
            return Entry(item.code, result="符合", count=0)
        case Quantity(target):
            return Entry(item.code, measured=target)
        case Manual():
            return Entry(item.code, score=item.points)
    return Entry(item.code, result="符合")


def short_of_full(item: ScoredItem, entry: Entry) -> bool:
    """Whether ``entry`` earns less than the item's points (不适用 is not a shortfall)."""
    if entry.result == "不适用":
        return False
    match item.rule:
        case Levels(labels):
            return dict(labels).get(entry.result or "") != 1
        case Deduct():
            return bool(entry.count)
        case Quantity(target):
            return entry.measured is None or entry.measured < target
        case Manual():
            return entry.score != item.points
    return entry.result != "符合"


# --- the programme ------------------------------------------------------------------------


class Programme:
    """The simulated programme: squads, rounds, and every filling, deterministic in ``seed``."""

    def __init__(self, rubric: ResolvedRubric, units: Sequence[Unit], rounds: Sequence[Round], seed: int):
        self.rubric = rubric
        self.rounds = tuple(rounds)
        self.seed = seed
        self.squads = tuple(make_squad(u, rubric, seed) for u in units)
        self.difficulty = difficulty(rubric, seed)
        self._levels = {s.unit.code: self._level_curve(s) for s in self.squads}

    def _level_curve(self, squad: Squad) -> list[float]:
        rng = _rng(self.seed, "pace", squad.unit.code)
        level, curve = squad.baseline, []
        for t, rnd in enumerate(self.rounds):
            if t:  # the squad closes part of its gap to the ceiling between two rounds
                gain = squad.pace * PACE_FACTOR.get(rnd.label, 1.0) * rng.uniform(0.5, 1.5)
                level += gain * (CEILING - level)
            curve.append(level)
        return curve

    def maturity(self, squad: Squad, t: int, rng: random.Random) -> dict[str, float]:
        level = self._levels[squad.unit.code][t]
        return {
            item.code: _clamp(
                level + squad.stand[item.code] - self.difficulty[item.code] + rng.gauss(0, 0.04)
            )
            for item in self.rubric.items
        }

    def fillings(self) -> list[Filling]:
        """Every filling, round by round: each squad's 自评, then its 考评."""
        out = []
        for t in range(len(self.rounds)):
            for squad in self.squads:
                audit = self.audit(squad, t)
                out.append(self.self_assessment(squad, t, audit))
                out.append(audit)
        return out

    def audit(self, squad: Squad, t: int) -> Filling:
        rnd = self.rounds[t]
        rng = _rng(self.seed, squad.unit.code, rnd.label, "考评")
        maturity = self.maturity(squad, t, rng)
        entries = []
        for item in self.rubric.items:
            if item.code in squad.not_applicable:
                entries.append(Entry(item.code, result="不适用", note=NA_REASONS.get(item.code)))
                continue
            if item.veto:
                failed = rng.random() < VETO_CHANCE
                entries.append(Entry(item.code, result="不符合" if failed else "符合"))
            else:
                entries.append(observe(item, maturity[item.code], rng))
        entries = [self._noted(e, rng) for e in entries]
        team = rng.sample(CITY_INSPECTORS, rng.choice((2, 3)))
        date = rnd.date - dt.timedelta(days=self.squads.index(squad) % 5)
        return Filling(
            squad.unit, rnd, Kind.AUDIT, date, tuple(team), tuple(entries), self._bonus(squad, t, rng)
        )

    def self_assessment(self, squad: Squad, t: int, audit: Filling) -> Filling:
        """The squad's own view of the same facts: mostly right, sometimes flattering."""
        rnd = self.rounds[t]
        rng = _rng(self.seed, squad.unit.code, rnd.label, "自评")
        entries = []
        for item, seen in zip(self.rubric.items, audit.entries, strict=True):
            na_note = seen.note if seen.result == "不适用" else None
            entry = Entry(seen.code, seen.result, seen.count, seen.measured, seen.score, na_note)
            if item.veto:
                if entry.result == "不符合" and rng.random() < 0.7:
                    entry = best(item)  # an incident left out of the self-assessment
            elif short_of_full(item, entry) and rng.random() > squad.candour:
                entry = best(item)  # 虚报: a shortfall reported as 符合
            entries.append(self._noted(entry, rng, own=True))
        bonus = list(audit.bonus)
        if not any(code == "J3" for code, _ in bonus) and rng.random() < 0.1:
            bonus.append(("J3", BONUS_NOTES["J3"] + "（待核实）"))
        return Filling(
            squad.unit,
            rnd,
            Kind.SELF,
            rnd.date - SELF_ASSESSMENT_LEAD,
            squad.leaders,
            tuple(entries),
            tuple(b for b in bonus if self._has_bonus(b[0])),
        )

    def _has_bonus(self, code: str) -> bool:
        return any(b.code == code for b in self.rubric.bonus_items)

    def _bonus(self, squad: Squad, t: int, rng: random.Random) -> tuple[tuple[str, str], ...]:
        level = self._levels[squad.unit.code][t]
        claimed = []
        if rng.random() < 0.08:
            claimed.append("J3")
        if level > 0.8 and rng.random() < 0.25:
            claimed.append("J2")
        if rng.random() < 0.015:
            claimed.append("J1")
        return tuple((code, BONUS_NOTES.get(code, "")) for code in claimed if self._has_bonus(code))

    def _noted(self, entry: Entry, rng: random.Random, *, own: bool = False) -> Entry:
        item = self.rubric.item(entry.code)
        if item is None or entry.note or not short_of_full(item, entry):
            return entry
        note = note_for(item, entry, rng)
        if own:
            note += rng.choice(("，正在整改", "，已列入整改计划", "，整改中", ""))
        return Entry(entry.code, entry.result, entry.count, entry.measured, entry.score, note)


# --- 问题描述 -----------------------------------------------------------------------------


def note_for(item: ScoredItem, entry: Entry, rng: random.Random) -> str:
    """A 问题描述 as an inspector would write it for a shortfall on ``item``."""
    variants = NOTES.get(item.code) or GENERIC.get(item.item.method or "", GENERIC[""])
    note = rng.choice(variants)
    measured = "" if entry.measured is None else f"{entry.measured:f}".rstrip("0").rstrip(".")
    return note.format(n=entry.count or 0, v=measured or "—")


GENERIC = {
    "查阅资料": ("相关台账资料不完整", "未能提供佐证材料"),
    "实地查看": ("现场查看未达到标准要求", "设施设置不规范"),
    "随机抽查": ("随机抽查发现问题{n}处", "抽查情况不符合要求"),
    "问卷调查": ("问卷调查结果不理想",),
    "听取汇报": ("汇报内容缺少具体做法和成效",),
    "": ("未达到标准要求",),
}

# {n}: the 问题数 of a deduct item; {v}: the 实测值 of a quantity item.
NOTES: dict[str, tuple[str, ...]] = {
    "1.1.1": ("街道综合执法队成立文件未能提供", "街道统一管理的文件依据不足"),
    "1.1.2": ("未能提供机构编制部门的核定文件", "核定编制数偏少，与辖区人口和管理任务不相适应"),
    "1.1.3": ("执法队队长未取得行政执法证件", "街道分管领导分工文件未明确城管执法工作"),
    "1.2.1": ("权力清单和责任清单未在街道门户网站公布", "责任清单未列明追责情形"),
    "1.2.2": ("下放事项交接手续不全，缺少书面交接清单",),
    "1.2.3": ("与市场监管部门的联席会议全年仅召开1次", "协作机制有文件，运行记录不全"),
    "1.3.1": ("支部委员会设置不健全，缺少组织委员",),
    "1.3.2": ("主题党日活动记录不全，部分月份缺失", "组织生活会记录未见整改措施"),
    "1.3.3": ("党员先锋岗未在执法一线亮牌", "党员作用发挥情况缺少记录"),
    "1.4.1": ("内部管理制度未汇编成册", "车辆使用和装备管理制度缺失"),
    "1.4.2": ("随机询问2名执法人员，不能说出本岗位主要职责", "主要管理制度未上墙公示"),
    "1.4.3": ("年度制度梳理评估无记录",),
    "1.5.1": ("年度工作计划未明确完成时限和责任人", "未制定规范化建设年度工作计划"),
    "1.5.2": ("党工委会议专题研究规范化建设仅1次",),
    "1.6.1": ("抽查在岗人员，{n}人未携带执法证件", "{n}名执法人员执法证件已过有效期"),
    "1.6.2": ("部分协管人员未签订劳动合同", "发现协管人员单独开具处罚文书"),
    "1.6.3": ("抽查人员档案，{n}份缺少培训和考核记录", "{n}名协管人员未建立个人档案"),
    "1.7.1": ("廉政风险点排查未覆盖暂扣物品处理环节",),
    "1.7.2": ("廉洁执法承诺书未逐人签订", "本年度仅开展1次廉政警示教育"),
    "1.8.1": ("罚缴分离执行记录不完整",),
    "1.8.2": ("协管人员社会保险缴纳不足额",),
    "1.9.1": ("法制审核人员数量未达到执法人员总数的5%",),
    "1.9.2": ("未明确专（兼）职法制员",),
    "1.10.1": ("目标考核结果未与绩效分配挂钩",),
    "2.1.1": ("对外文书与公示栏中的执法队名称不一致",),
    "2.1.2": ("门牌标识非全省统一式样", "门牌标识字迹褪色，夜间无法辨识"),
    "2.1.3": ("{n}处科室标牌缺失或破损", "楼层索引缺失，{n}处标识褪色"),
    "2.2.1": ("办公场所与社区服务中心混用，未相对独立",),
    "2.2.2": ("会议室面积不足，无法满足全队集中学习",),
    "2.2.3": ("{n}处办公区域文件资料乱堆乱放", "走廊乱贴乱挂{n}处"),
    "2.3.1": ("违章处理室未安装视频监控设备", "未单独设置违章处理室，与接待室合用"),
    "2.3.2": ("业务受理窗口未公示办理时限",),
    "2.3.3": ("投诉处理登记簿记录不完整",),
    "2.3.4": ("询问室未配置同步录音录像设备", "询问室与办公区未隔离"),
    "2.3.5": ("档案室无防潮设施", "装备室物品混放，标识不清"),
    "2.4.1": ("暂扣物品仓库未安装视频监控", "暂扣物品仓库面积不足，物品堆放在过道"),
    "2.4.2": ("抽查暂扣物品台账，{n}件物品未贴标签", "{n}件物品出入库手续不全"),
    "2.4.3": ("鲜活物品处理无负责人审批记录",),
    "2.5.1": ("在编执法人员不足，无法保证双人执法和轮班执勤",),
    "2.5.2": ("协管人员与执法人员比例超出规定范围",),
    "2.6.1": ("执法人员中无法律专业背景人员",),
    "2.6.2": ("2名新录用人员未经岗前培训即上岗",),
    "2.7.1": ("考勤记录与排班表不符{n}处",),
    "2.7.2": ("夜间拨打值班电话{n}次无人接听", "值班记录缺失{n}天"),
    "2.7.3": ("队务会记录不全",),
    "2.8.1": ("责任区图和责任人未公示",),
    "2.8.2": ("农贸市场周边早间时段无人值守", "未实行错时勤务"),
    "2.8.3": ("抽查巡查日志，{n}本未记录处置结果",),
    "2.9.1": ("未与区数字城管平台对接，案件反馈滞后",),
    "2.9.2": ("应急预案未组织演练",),
    "2.10.1": ("档案未编制目录，借阅无登记",),
    "2.10.2": ("{n}件办结案件超期未归档",),
    "2.10.3": ("执法音视频资料未备份",),
    "2.11.1": ("队史室尚未建设，仅有一面宣传栏", "文化墙内容陈旧"),
    "2.11.2": ("队伍文化活动记录较少",),
    "2.12.1": ("值班休息室兼作储物间", "未配备更衣室"),
    "2.12.2": ("灭火器过期未更换", "安全通道堆放杂物"),
    "3.1.1": ("抽查发现协管人员单独实施暂扣",),
    "3.1.2": ("抽查执法视频，1起案件仅一名执法人员在场",),
    "3.2.1": ("现场抽查{n}名执法人员混穿便服",),
    "3.2.2": ("{n}名执法人员未佩戴臂章和胸号",),
    "3.2.3": ("巡查中发现{n}名执勤人员玩手机",),
    "3.3.1": ("执法视频中个别人员语气生硬", "告知事项不完整"),
    "3.3.2": ("对流动摊贩处置方式简单，缺少解释",),
    "3.4.1": ("抽查案卷10卷，{n}卷存在程序倒置", "{n}卷先处罚后调查取证"),
    "3.4.2": ("1卷处罚决定前未告知陈述申辩权利",),
    "3.4.3": ("简易程序处罚决定书未备案",),
    "3.4.4": ("2件案件超期办结且无延期审批",),
    "3.5.1": ("{n}份询问笔录无当事人签名", "{n}份勘验笔录要素不全"),
    "3.5.2": ("现场照片未注明拍摄时间和取证人员",),
    "3.5.3": ("先行登记保存超过七日未作出处理决定",),
    "3.6.1": ("扣押物品清单未当场交付",),
    "3.6.2": ("强制拆除未履行公告程序",),
    "3.6.3": ("暂扣物品返还无签收记录",),
    "3.7.1": ("处罚决定书未载明裁量情节和理由",),
    "3.7.2": ("{n}组同类案件处罚幅度差异较大",),
    "3.7.3": ("首违不罚案件无教育记录",),
    "3.8.1": ("门户网站未公示执法人员信息",),
    "3.8.2": ("行政处罚决定信息公开超期", "公开信息中未隐去当事人身份证号码"),
    "3.8.3": ("公示执法人员与在岗人员不一致",),
    "3.9.1": ("未制定执法全过程记录实施办法",),
    "3.9.2": ("抽查{n}起案件执法记录仪未全程录像", "{n}起强制措施无音像记录"),
    "3.9.3": ("音像资料未当日导入，存在个人保存",),
    "3.10.1": ("未编制法制审核事项目录清单",),
    "3.10.2": ("1件重大执法决定未经法制审核",),
    "3.10.3": ("法制审核意见未附卷",),
    "3.11.1": ("文书编号不连续",),
    "3.11.2": ("{n}份文书存在涂改", "{n}份文书法律依据引用不准确"),
    "3.11.3": ("送达回证填写不完整",),
    "3.12.1": ("{n}卷案卷缺少卷内目录或备考表", "{n}卷文书排列顺序不规范"),
    "3.12.2": ("上级案卷评查合格率未达90%",),
    "3.12.3": ("季度案卷自查无记录",),
    "3.13.1": ("违法线索移送无跟踪反馈记录",),
    "3.13.2": ("与派出所联勤联动机制未落实",),
    "3.14.1": ("执法过错责任追究制度未落实",),
    "3.14.2": ("案件回访记录不全",),
    "3.14.3": ("行政机关负责人未出庭应诉",),
    "4.1.1": ("“721工作法”无具体实施方案",),
    "4.1.2": ("教育劝导记录不全",),
    "4.1.3": ("未编制常见违法行为教育劝导指引",),
    "4.2.1": ("便民疏导点管理秩序一般，存在超范围经营",),
    "4.2.2": ("便民设施不全，无应急药箱",),
    "4.2.3": ("护考保障活动无记录",),
    "4.3.1": ("{n}件热线工单超期办结", "{n}件工单未按时反馈"),
    "4.3.2": ("热线工单满意率{v}%，未达到90%",),
    "4.3.3": ("重复投诉工单无会商记录",),
    "4.4.1": ("投诉答复未形成闭环",),
    "4.4.2": ("投诉处理结果未告知投诉人",),
    "4.5.1": ("社区城管工作室未公示联系人",),
    "4.5.2": ("走访社区记录较少",),
    "4.5.3": ("问卷调查显示居民对社区联系人知晓率偏低",),
    "4.6.1": ("宣传活动全年仅2次",),
    "4.6.2": ("微信公众号更新不及时",),
    "4.7.1": ("志愿服务活动记录不全",),
    "4.7.2": ("门前三包责任书签订率不高",),
    "4.8.1": ("依申请公开答复超期",),
    "4.8.2": ("服务承诺未公开",),
    "4.9.1": ("服务事项材料清单未公开",),
    "4.9.2": ("首问负责制落实不到位",),
    "4.10.1": ("防汛期间响应记录不完整",),
    "4.10.2": ("重大活动保障工作总结缺失",),
    "4.10.3": ("应急物资未定期检查，部分已过期",),
    "5.1.1": ("执法车辆{v}辆，不能满足执勤需要",),
    "5.1.2": ("电动巡逻车仅{v}辆",),
    "5.1.3": ("车辆使用登记台账缺{n}处记录",),
    "5.2.1": ("执法记录仪配备率{v}%，部分一线人员未配备",),
    "5.2.2": ("未配备音视频数据采集工作站",),
    "5.2.3": ("执法记录仪完好率{v}%，部分时间设置不准确",),
    "5.3.1": ("对讲机配备率{v}%",),
    "5.3.2": ("移动执法终端仅{v}台",),
    "5.3.3": ("装备领用登记不全",),
    "5.4.1": ("办公电脑配备率{v}%",),
    "5.4.2": ("缺少扫描仪，办案材料无法电子化",),
    "5.4.3": ("办公网络未落实安全防护措施",),
    "5.5.1": ("防寒保暖用品配备不足",),
    "5.5.2": ("未配备防刺背心等防护装备",),
    "5.5.3": ("执勤车辆未配备急救药箱",),
    "5.6.1": ("装备购置经费未列入年度预算",),
    "5.6.2": ("协管人员未办理人身意外伤害保险",),
    "5.7.1": ("数字城管案件核查环节未闭环",),
    "5.7.2": ("网上办案率{v}%，未达到90%",),
    "5.7.3": ("未配备或共享使用无人机",),
    "5.8.1": ("重点路段视频未接入指挥终端",),
    "5.8.2": ("未建立视频巡查台账",),
    "5.9.1": ("执法人员人均培训{v}学时，未达到40学时",),
    "5.9.2": ("新任执法人员岗前培训考试记录缺失",),
    "5.9.3": ("未开展岗位练兵或技能比武",),
    "5.10.1": ("值勤津贴未按时发放",),
    "5.10.2": ("协管人员未纳入年度体检",),
    "5.10.3": ("未建立依法履职保护机制",),
    "5.11.1": ("协管人员着装与执法人员制式服装难以区分",),
    "5.11.2": ("抽查发现协管人员单独巡查并开具告知书",),
    "5.11.3": ("协管人员退出机制未建立",),
    "5.12.1": ("未开展先进典型评选",),
    "5.12.2": ("谈心谈话记录不全",),
    "6.1.1": ("群众满意度测评满意率{v}%，未达到85%",),
    "6.1.2": ("未开展管理相对人回访评议",),
    "6.2.1": ("社会监督员座谈会全年仅召开1次",),
    "6.2.2": ("{n}件媒体曝光问题未公开回应",),
    "6.3.1": ("月度考核记录不全",),
    "6.3.2": ("未开展中队间互查互评",),
    "6.4.1": ("辖区新增违法建设发现不及时，处置滞后",),
    "6.4.2": ("数字城管案件按期处置率未达要求",),
    "6.5.1": ("上级案卷评查中有1卷不合格",),
    "6.5.2": ("1件行政复议案件被确认违法",),
    "6.6.1": ("发生执法人员违纪案件，造成恶劣社会影响",),
    "6.6.2": ("查实1起以罚代管行为",),
    "6.7.1": ("发生执法人员与摊贩冲突事件，被媒体曝光",),
    "6.7.2": ("发生1起执法人员与当事人肢体冲突",),
    "6.8.1": ("因拆除违法建设处置不当引发群体性上访",),
    "6.8.2": ("发生1起执法车辆交通事故",),
    "6.9.1": ("自评报告未形成问题清单",),
    "6.9.2": ("上次考评发现的问题尚有部分未整改到位",),
    "6.10.1": ("特色做法提炼不足",),
    "6.10.2": ("典型做法未见市级以上媒体报道",),
}
