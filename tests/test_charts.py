"""What the charts claim: the data they are drawn from, and the words in the SVG.

The golden HTML leaves the inline SVG out (matplotlib's bytes); these tests check what a
reader of the chart is told: which line a bar is judged by, the legend, the axis titles,
milestones as points in time, the citywide line named 全市."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

import pytest
from test_reports import FLAWED, VETO, WEST, card, mini_rubric, progress_sample

from compliance.reports.charts import ProgressChart, svg
from compliance.reports.progress_view import progress_view
from compliance.reports.unit_view import section_chart, unit_view
from compliance.scoring import ItemInput

D = Decimal


@pytest.fixture(scope="module")
def rubric():
    return mini_rubric()


def svg_text(chart) -> list[str]:
    """The text elements of the chart's SVG (text stays text: svg.fonttype none)."""
    return [re.sub(r"\s+", " ", t).strip() for t in re.findall(r"<text[^>]*>([^<]*)</text>", svg(chart))]


def test_the_section_chart_is_judged_by_the_section_minimum(rubric):
    chart = section_chart(card(rubric, changes=FLAWED), rubric)
    # 执法部门 24 / 40 = 60 % (on the 60 % minimum: reached), 执法保障 39.5 / 50 = 79 %,
    # 执法评价: its only item carries 0 points, so no rate
    assert [(b.name, b.rate, b.tone, b.label) for b in chart.bars] == [
        ("执法部门", D("0.6"), "ok", "60.0%"),
        ("执法保障", D("0.79"), "ok", "79.0%"),
        ("执法评价", None, "none", "无适用条目"),
    ]
    assert (chart.minimum, chart.minimum_label) == (D("0.6"), "单项最低 60%")
    assert (chart.x_title, chart.y_title) == ("得分率", "方面")
    assert chart.legend == (("ok", "达到单项最低"), ("low", "低于单项最低"))


def test_a_section_below_the_minimum_is_marked_low(rubric):
    # 1.1.1 不符合 and 15 problems on 1.1.2 (30 − 15 × 2 = 0): 执法部门 0 / 40 = 0 % < 60 %
    failing = {**FLAWED, "1.1.2": ItemInput("1.1.2", count=D(15))}
    chart = section_chart(card(rubric, changes=failing), rubric)
    assert [(b.name, b.tone) for b in chart.bars[:2]] == [("执法部门", "low"), ("执法保障", "ok")]


def test_a_vetoed_units_section_shows_the_failure(rubric):
    chart = section_chart(card(rubric, WEST, changes=VETO), rubric)
    veto = chart.bars[2]
    assert (veto.name, veto.tone, veto.label) == ("执法评价", "veto", "无适用条目 · 一票否决（3.1.1）")
    assert chart.legend[-1] == ("veto", "含不符合的一票否决条目")


def test_the_section_chart_svg_states_its_rule(rubric):
    words = svg_text(section_chart(card(rubric, WEST, changes=VETO), rubric))
    for expected in (
        "单项最低 60%",
        "达到单项最低",
        "低于单项最低",
        "含不符合的一票否决条目",
        "得分率",
        "方面",
    ):
        assert expected in words, (expected, words)
    assert not any("达标线" in w for w in words)  # the overall pass line is not this chart's rule


def test_the_progress_chart_has_milestones_as_points_and_a_line_named_全市(rubric):
    targets, rounds, roster = progress_sample(rubric)
    chart: ProgressChart = progress_view(targets, rounds, lambda _: rubric, roster=roster).chart
    main, *districts = chart.series
    assert (main.name, main.main) == ("全市", True)
    # 文峰 达标 from 2019H2 on, 城东 never: 0 %, 50 %, 50 %, 50 % of the two squads
    assert [share for _, share in main.points] == [D(0), D("0.5"), D("0.5"), D("0.5")]
    assert [s.name for s in districts] == ["崇川区"]
    # milestones: points at their own dates, not a step from the first round
    assert [(m.by, m.share) for m in chart.milestones] == [
        (dt.date(2019, 12, 31), D("0.5")),
        (dt.date(2021, 12, 31), D(1)),
    ]
    assert [m.label for m in chart.milestones] == ["2019年12月31日\n目标 50%", "2021年12月31日\n目标 100%"]
    assert [name for _, name in chart.ticks] == [
        "2019年上半年",
        "2019年下半年",
        "2020年上半年",
        "2020年下半年",
    ]
    words = svg_text(chart)
    for expected in (
        "全市",
        "崇川区",
        "目标节点",
        "2019年12月31日",
        "目标 50%",
        "达标率",
        "评估轮次（按各轮截止日期）",
    ):
        assert any(expected in w for w in words), (expected, words)
    assert "目标" not in [s.name for s in chart.series]  # no step line posing as data


def test_the_trend_chart_names_rounds_in_chinese_and_its_line(rubric):
    from test_reports import unit_sample

    audit, options = unit_sample(rubric)
    trend = unit_view(audit, rubric, history=options["history"]).trend.chart
    # 2023H2: 8 problems (30 − 16 = 14): 53.5 / 90 = 59.44 %; 2024H1: 63.5 / 90 = 70.56 %
    assert trend.labels == ("2023年下半年", "2024年上半年")
    assert [round(r * 100, 2) for r in trend.rates] == [D("59.44"), D("70.56")]
    assert (trend.line, trend.line_label) == (D("0.9"), "达标线（得分率 90%）")
    words = svg_text(trend)
    assert "达标线（得分率 90%）" in words and "2023年下半年" in words and "评估轮次" in words
