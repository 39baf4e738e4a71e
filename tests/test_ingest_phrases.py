"""The phrase grammar of 评分标准 wordings: every phrase form, with its variants
(full-width digits, Chinese numerals, stray spaces), read into the rule SPEC §2.2a names."""

from __future__ import annotations

from decimal import Decimal as D

import pytest

from compliance.ingest.phrases import PHRASES, clauses, match, thresholds
from compliance.ingest.rules import interpret
from compliance.ingest.text import cn_number, normalize, parse_points

# (wording, the item's points, kind, fields that must be there); the expected numbers are
# read off the wording by hand.
CASES = [
    # check
    ("未建立的不得分", 5, "check", {}),
    ("符合得分", 2, "check", {}),
    ("符合要求的得5分，否则不得分", 5, "check", {}),
    ("未落实的，扣１分。", 1, "check", {}),  # 扣 all its points: all or nothing
    ("", 3, "check", {}),
    # deduct with per
    ("每处扣2分，扣完为止", 6, "deduct", {"per": D(2)}),
    ("每处扣２分，扣完为止", 6, "deduct", {"per": D(2)}),
    ("每 处 扣 二 分 ， 扣 完 为 止", 6, "deduct", {"per": D(2)}),
    ("每发现一处扣0.2分", 4, "deduct", {"per": D("0.2")}),
    ("发现一处扣０.５分", 4, "deduct", {"per": D("0.5")}),
    ("每次扣1分，最多扣5分", 10, "deduct", {"per": D(1), "max_deduct": D(5)}),
    ("每件扣1分，最多扣五分", 10, "deduct", {"per": D(1), "max_deduct": D(5)}),
    ("每起扣3分，扣满6分为止", 10, "deduct", {"per": D(3), "max_deduct": D(6)}),
    ("一项不合格扣2分", 6, "deduct", {"per": D(2)}),
    ("缺一项扣2分", 4, "deduct", {"per": D(2)}),
    ("发生1起扣2分", 10, "deduct", {"per": D(2)}),
    ("发现一人次未持证的，扣2分，扣完为止", 40, "deduct", {"per": D(2)}),
    ("每人次扣0.5分，扣分不超过3分", 5, "deduct", {"per": D("0.5"), "max_deduct": D(3)}),
    ("每处扣1分，扣3分封顶", 5, "deduct", {"per": D(1), "max_deduct": D(3)}),
    ("每处扣1分，本项扣分以3分为限", 5, "deduct", {"per": D(1), "max_deduct": D(3)}),
    ("扣1分/处", 5, "deduct", {"per": D(1)}),
    ("每发现1起违规扣1分，该项分值扣完为止", 5, "deduct", {"per": D(1)}),
    ("以上每发现1次扣1分，此项5分扣完为止", 10, "deduct", {"per": D(1), "max_deduct": D(5)}),
    ("未按时完成的，每延迟一天扣0.5分", 5, "deduct", {"per": D("0.5")}),
    (
        "未制定方案的，扣除该项全部分值；方案不完善的，每处扣1分",
        5,
        "triggers",
        {"triggers": [("方案不完善", D(1)), ("未制定方案", D(5))]},
    ),
    # several triggers in one cell
    (
        "出现未通过核查的案件，每件扣0.2分；出现三次（含）以上核查未通过的案件，每件扣0.5分；弄虚作假的，每次（件）扣1分。",
        5,
        "triggers",
        {
            "triggers": [
                ("出现未通过核查的案件", D("0.2")),
                ("出现3次(含)以上核查未通过的案件", D("0.5")),
                ("弄虚作假", D(1)),
            ]
        },
    ),
    (
        "发现问题每宗0.3分，未及时整改的扣1分",
        10,
        "triggers",
        {"triggers": [("发现问题", D("0.3")), ("未及时整改", D(1))]},
    ),
    (
        "信访投诉亮红灯扣1分，蓝灯扣0.5分",
        2,
        "triggers",
        {"triggers": [("信访投诉亮红灯", D(1)), ("蓝灯", D("0.5"))]},
    ),
    # quantity shortfall
    (
        "按期结案率达70%以上（含）的，得50分；未达到70%的，每少一个百分点扣1分。",
        50,
        "shortfall",
        {"target": D(70), "per": D(1), "unit": "%"},
    ),
    (
        "按期结案率达７０％以上的得５０分；每少一个百分点扣１分",
        50,
        "shortfall",
        {"target": D(70), "per": D(1)},
    ),
    ("结案率低于百分之九十的，每下降1个百分点扣0.5分", 10, "shortfall", {"target": D(90), "per": D("0.5")}),
    (
        "全年结案率达到90%，低于此每10个百分点扣1分",
        3,
        "shortfall",
        {"target": D(90), "per": D(1), "step": D(10)},
    ),
    ("达到95%，每低1%扣0.5分", 5, "shortfall", {"target": D(95), "per": D("0.5")}),
    # bands and a single line
    (
        "达到90%以上得3分，80%–90%得2分",
        3,
        "bands",
        {"bands": [(D(90), D(3)), (D(80), D(2)), (D(0), D(0))], "unit": "%"},
    ),
    (
        "达到90%以上的得10分，80%（含）至90%的得6分，80%以下不得分",
        10,
        "bands",
        {"bands": [(D(90), D(10)), (D(80), D(6)), (D(0), D(0))]},
    ),
    (
        "满意度达到九十%以上得5分，八十%～九十%得3分",
        5,
        "bands",
        {"bands": [(D(90), D(5)), (D(80), D(3)), (D(0), D(0))]},
    ),
    ("结案率达到95%以上得5分，否则不得分", 5, "threshold", {"target": D(95)}),
    # proportional
    ("按完成率得分", 4, "proportional", {"target": D(100), "unit": "%"}),
    ("按实际完成比例计分", 4, "proportional", {"target": D(100)}),
    ("（常规案件按时结案数/常规案件应结案数）×100%×60", 60, "proportional", {"target": D(100)}),
    ("每起得0.5分，最高2分", 2, "proportional", {"target": D(4), "unit": "起"}),
    ("得分=实际完成数/计划完成数×10分", 10, "proportional", {"target": D(100)}),
    ("得分=满意率×5", 5, "proportional", {"target": D(100)}),
    ("刊登发表后每篇得0.5分，此项最高计3分", 3, "proportional", {"target": D(6), "unit": "篇"}),
    # criteria
    (
        "设有数字城管组织，得1分；能通过月报、季报、年报等报告反映具有相应职能，得1分",
        2,
        "criteria",
        {"criteria": [("设有数字城管组织", D(1)), ("能通过月报、季报、年报等报告反映具有相应职能", D(1))]},
    ),
    (
        "有制度得2分；有台账得2分，视情况扣分",
        4,
        "criteria",
        {"criteria": [("有制度", D(2)), ("有台账", D(2))]},
    ),
    (
        "有制度得２分；有台账得２分；有考核得１分",
        5,
        "criteria",
        {"criteria": [("有制度", D(2)), ("有台账", D(2)), ("有考核", D(1))]},
    ),
    # levels
    (
        "好、较好、一般、差分别得10、8、5、0分",
        10,
        "levels",
        {"level_points": {"好": D(10), "较好": D(8), "一般": D(5), "差": D(0)}},
    ),
    (
        "好得十分，较好得八分，一般得五分，差不得分",
        10,
        "levels",
        {"level_points": {"好": D(10), "较好": D(8), "一般": D(5), "差": D(0)}},
    ),
    (
        "满意、基本满意、不满意分别得5、3、0分",
        5,
        "levels",
        {"level_points": {"满意": D(5), "基本满意": D(3), "不满意": D(0)}},
    ),
    (
        "评价为优秀的得4分，良好的得3分，合格的得2分，不合格的不得分",
        4,
        "levels",
        {"level_points": {"优秀": D(4), "良好": D(3), "合格": D(2), "不合格": D(0)}},
    ),
    (
        "分好、较好、一般、差四个等次评分",
        10,
        "levels",
        {"level_points": {"好": D(10), "较好": D(8), "一般": D(5), "差": D(0)}},
    ),
    # vetoes
    ("发生重大责任事故的，此大项计0分", 0, "veto-section", {"veto": "section"}),
    ("弄虚作假的，本大项不得分", 0, "veto-section", {"veto": "section"}),
    ("弄虚作假的，本部分不得分", 0, "veto-section", {"veto": "section"}),
    ("发现弄虚作假的，取消该大项得分", 0, "veto-section", {"veto": "section"}),
    ("一票否决", 0, "veto", {"veto": True}),
    ("发生群体性事件的，实行一票否决", 0, "veto", {"veto": True}),
    ("发生重大违法违纪案件的，年度考核直接定为不合格", 0, "veto", {"veto": True}),
    # discretionary: manual, recognised
    ("扣减相应分数", 4, "manual", {}),
    ("不得分或酌情扣分", 4, "manual", {}),
    ("计分方法同上，加倍扣分。", 5, "manual", {}),
    ("酌情扣1-3分", 5, "manual", {}),
    ("执行不到位的，酌情扣2分以内", 4, "manual", {}),
    ("由考核组评定", 5, "manual", {}),
    ("按各项目检查得分的加权平均计", 25, "manual", {}),
    ("A=（A1+A2+…An）×（1/n）", 25, "manual", {}),
    ("各次检查得分取平均值", 10, "manual", {}),
    # held-out tables (aiwei-qingjie, chengguan-kaoping): caps written 上线/上限, 扣完止
    ("每处扣0.2分，上线1分，扣完止", 2, "deduct", {"per": D("0.2"), "max_deduct": D(1)}),
    ("每 处 扣 ０.２ 分 ， 上限为一分", 2, "deduct", {"per": D("0.2"), "max_deduct": D(1)}),
    # bands over a score (分) with the scale noted first; «71-80的» without its unit
    (
        "问卷采取100分制，分4个档次：平均分为0-60分的为不满意，最后得分0.5分；平均分为61-70分的为一般，"
        "最后得分0.8分；平均分为71-80的较满意，最后得分1.2分；平均分为81-100分的为满意，最后得分1.5分。",
        1.5,
        "bands",
        {"bands": [(D(81), D("1.5")), (D(71), D("1.2")), (D(61), D("0.8")), (D(0), D("0.5"))]},
    ),
    (
        "问卷采用百分制计分，分为四个档次：平均分为８１-１００分的，最后得分为1.5分；平均分为0-80分的，最后得分0.5分",
        1.5,
        "bands",
        {"bands": [(D(81), D("1.5")), (D(0), D("0.5"))]},
    ),
    ("检查结果为合格，该项得20分；检查不合格，该项不得分；未检查的单位，该项得20分。", 20, "check", {}),
]


@pytest.mark.parametrize(
    ("wording", "points", "kind", "fields"), CASES, ids=[c[0][:24] or "空" for c in CASES]
)
def test_a_wording_is_read_into_its_rule(wording, points, kind, fields):
    reading = interpret(wording, D(points))
    assert reading.kind == kind, (reading, wording)
    got = reading.fields
    for name, value in fields.items():
        if name == "triggers":
            assert [(t["name"], t["per"]) for t in got["triggers"]] == value
        elif name == "criteria":
            assert [(c["text"], c["points"]) for c in got["criteria"]] == value
        elif name == "bands":
            assert [(b["min"], b["points"]) for b in got["bands"]] == value
        else:
            assert got[name] == value, name
    assert reading.problem is None


def test_the_wordings_a_person_must_score_say_why():
    two = interpret(
        "紧急问题结案率未达到100%的，每少一个百分点扣0.5分；按期结案率未达到95%的，每少一个百分点扣0.5分",
        D(10),
    )
    assert two.kind == "manual" and "2 个考核指标" in two.problem
    unknown = interpret("视同未完成", D(3))
    assert unknown.kind == "check"  # a wording without a scoring word is a description
    garbled = interpret("扣分按附件三执行", D(3))
    assert garbled.kind == "manual" and "扣分按附件三执行" in garbled.problem
    mismatch = interpret("有制度得2分；有台账得2分", D(5))
    assert mismatch.kind == "manual" and "4 分与本项分值 5 分不一致" in mismatch.problem


def test_every_phrase_form_is_exercised_by_a_case():
    """A phrase form nobody tests is a form nobody knows works: each row of PHRASES must
    match some fragment of the cases above (or a threshold inside a condition)."""
    fragments = []
    conditions = []
    for wording, *_ in CASES:
        found, unknown = clauses(normalize(wording))
        fragments += [c.text for c in found] + unknown
        conditions += [c.cond for c in found]
    for phrase in PHRASES:
        if phrase.role == "condition":
            assert any(phrase.pattern.search(c) for c in conditions), phrase
        else:
            assert any(phrase.pattern.fullmatch(f) for f in fragments), phrase


@pytest.mark.parametrize(
    ("text", "normal"),
    [
        ("每少一个百分点扣１分", "每少1个百分点扣1分"),
        ("扣 二 分", "扣2分"),
        ("三次（含）以上", "3次(含)以上"),
        ("百分之九十以上", "90%以上"),
        ("一票否决", "一票否决"),
        ("好、较好、一般", "好、较好、一般"),
        ("达到８０％～９０％", "达到80%-90%"),
        ("每件扣十二分", "每件扣12分"),
    ],
)
def test_normalising_digits_numerals_and_spaces(text, normal):
    assert normalize(text) == normal


@pytest.mark.parametrize(
    ("value", "points"),
    [
        (5, D(5)),
        (5.0, D(5)),
        ("5分", D(5)),
        ("５", D(5)),
        ("5.0", D(5)),
        (" 2.5 分", D("2.5")),
        ("五分", D(5)),
        ("十", D(10)),
        ("", None),
        ("约5分", None),
    ],
)
def test_points_as_tables_write_them(value, points):
    assert parse_points(value) == points


def test_chinese_numerals():
    assert [cn_number(t) for t in ("三", "十", "十二", "二十", "一百", "一〇〇", "两")] == [
        3,
        10,
        12,
        20,
        100,
        100,
        2,
    ]


def test_thresholds_in_conditions():
    assert [(t.kind, t.value, t.unit) for t in thresholds("达到90%以上")] == [("at_least", D(90), "%")]
    assert [(t.kind, t.value) for t in thresholds("80%-90%")] == [("range", D(80))]
    assert [(t.kind, t.value) for t in thresholds("低于70%")] == [("below", D(70))]


def test_a_person_can_extend_the_table():
    from compliance.ingest import phrases

    extra = phrases.Phrase("per", "{cond}每{u}记负{per}分")
    assert match("每处记负3分").kind == "full"  # read as «3分» before the new row
    original = phrases.PHRASES
    phrases.PHRASES = (extra, *original)
    try:
        clause = match("每处记负3分")
        assert (clause.kind, clause.values, clause.unit) == ("per", {"per": D(3)}, "处")
        assert interpret("每处记负3分，扣完为止", D(6)).fields == {"rule": "deduct", "per": D(3)}
    finally:
        phrases.PHRASES = original


@pytest.mark.parametrize(
    ("text", "points", "wording"),
    [
        (
            "配备专（兼）职工作人员。（3分，无爱国卫生组织扣1分，扣完为止）",
            D(3),
            "无爱国卫生组织扣1分，扣完为止",
        ),
        ("有检查评比记录。(２ 分 ; 缺少一项扣1分)", D(2), "缺少一项扣1分"),
        ("有年度计划。（0.5分）", D("0.5"), ""),
        ("有年度计划。", None, ""),
    ],
)
def test_points_and_wording_written_at_the_end_of_an_item_text(text, points, wording):
    from compliance.ingest.structure import split_embedded

    rest, got_points, got_wording = split_embedded(text)
    assert (got_points, got_wording) == (points, wording)
    assert "分" not in rest or points is None
