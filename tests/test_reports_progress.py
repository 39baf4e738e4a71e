"""Progress against targets: milestone status, the projection, and who counts as 达标."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from compliance.reports.progress import (
    RoundCards,
    Status,
    gap_to_pass,
    in_scope,
    milestone_status,
    project,
    scope_units,
    share_series,
)
from compliance.targets import Milestone, Scope
from compliance.units import Unit

D = Decimal
JUNE_19, DEC_19, JUNE_20, DEC_20 = (
    dt.date(2019, 6, 28),
    dt.date(2019, 12, 20),
    dt.date(2020, 6, 28),
    dt.date(2020, 12, 20),
)
BY_2019 = Milestone(by=dt.date(2019, 12, 31), share=D("0.5"))
BY_2021 = Milestone(by=dt.date(2021, 12, 31), share=D("1"))


def status(milestone, points, **options):
    return milestone_status([milestone], points, **options)[0]


def test_met_when_a_round_on_or_before_the_date_reached_the_share():
    s = status(BY_2019, [(JUNE_19, D("0.3")), (DEC_19, D("0.5")), (JUNE_20, D("0.4"))])
    assert s.status is Status.MET and s.reached == DEC_19 and str(s.status) == "已达成"


def test_a_round_on_the_milestone_date_counts():
    assert status(BY_2019, [(BY_2019.by, D("0.5"))]).status is Status.MET


def test_reaching_the_share_after_the_date_is_missed():
    s = status(BY_2019, [(JUNE_19, D("0.3")), (JUNE_20, D("0.9"))])
    assert s.status is Status.MISSED and s.reached is None and str(s.status) == "未达成"


def test_a_future_milestone_on_a_rising_trend_is_on_track():
    s = status(BY_2021, [(JUNE_19, D("0.2")), (DEC_19, D("0.4")), (JUNE_20, D("0.6"))])
    assert s.status is Status.ON_TRACK and str(s.status) == "按计划推进"
    assert s.projected == 1  # about +0.4 a year from 0.6 in mid-2020: past 100 %, kept at 1


def test_a_future_milestone_on_a_flat_trend_is_behind():
    s = status(BY_2021, [(JUNE_19, D("0.2")), (DEC_19, D("0.5")), (JUNE_20, D("0.5")), (DEC_20, D("0.5"))])
    assert s.status is Status.BEHIND and s.projected == D("0.5") and str(s.status) == "滞后"


def test_the_trend_is_taken_from_the_last_rounds_only():
    points = [(JUNE_19, D("0")), (DEC_19, D("0.9")), (JUNE_20, D("0.9")), (DEC_20, D("0.9"))]
    assert status(BY_2021, points, window=3).status is Status.BEHIND  # flat at 0.9 lately
    assert status(BY_2021, points, window=4).status is Status.ON_TRACK  # the early jump lifts the line


def test_as_of_decides_what_is_past():
    points = [(JUNE_19, D("0.2"))]
    assert status(BY_2019, points).status is Status.BEHIND  # the data's present is mid-2019
    assert status(BY_2019, points, as_of=dt.date(2020, 1, 1)).status is Status.MISSED


def test_no_data_yet_is_behind():
    assert status(BY_2019, []).status is Status.BEHIND


@pytest.mark.parametrize(
    ("points", "when", "expected"),
    [
        ([], DEC_20, D(0)),
        ([(JUNE_19, D("0.4"))], DEC_20, D("0.4")),
        ([(JUNE_19, D("0.2")), (JUNE_20, D("0.4"))], dt.date(2021, 6, 28), D("0.6")),
        ([(JUNE_19, D("0.8")), (JUNE_20, D("0.4"))], dt.date(2022, 6, 28), D(0)),
        ([(JUNE_19, D("0.5")), (JUNE_20, D("0.9"))], dt.date(2022, 6, 28), D(1)),
    ],
)
def test_projection(points, when, expected):
    assert abs(project(points, when) - expected) < D("0.002")


# --- who counts -----------------------------------------------------------------------------


def unit(code, district="崇川区", type_="街道综合执法队", city="南通市"):
    return Unit(code=code, name=f"{code}队", type=type_, city=city, district=district)


class Card:
    """Just what the counting reads from a ScoreCard."""

    def __init__(self, who, passed, score="95", total="100"):
        self.meta = type("Meta", (), {"unit": who})()
        self.passed, self.score, self.total = passed, D(score), D(total)


def test_scope_filters_by_city_district_and_type():
    assert in_scope(unit("1"), Scope(city="南通市", type="街道综合执法队"))
    assert not in_scope(unit("1", type_="区综合执法大队"), Scope(type="街道综合执法队"))
    assert not in_scope(unit("1", city="苏州市"), Scope(city="南通市"))
    assert in_scope(unit("1", district="港闸区"), Scope())
    assert not in_scope(unit("1", district="港闸区"), Scope(district="崇川区"))


def test_a_squad_keeps_its_latest_result_and_everyone_in_scope_counts():
    a, b, c, brigade = unit("1"), unit("2"), unit("3"), unit("9", type_="区综合执法大队")
    rounds = [
        RoundCards("R1", JUNE_19, [Card(a, True), Card(b, False), Card(brigade, True)]),
        RoundCards("R2", DEC_19, [Card(b, True)]),  # a not assessed again: still 达标
        RoundCards("R3", JUNE_20, [Card(a, False)]),  # a failed a recheck: no longer
    ]
    units = scope_units(Scope(type="街道综合执法队"), rounds, roster=[a, b, c, brigade])
    assert [u.code for u in units] == ["1", "2", "3"]  # c never assessed, still in the denominator
    series = share_series(rounds, units)
    assert [(p.passed, p.assessed, p.units) for p in series] == [(1, 2, 3), (2, 2, 3), (1, 2, 3)]
    assert series[1].share == D(2) / D(3)


def test_assessed_units_missing_from_the_roster_still_count():
    a, b = unit("1"), unit("2")
    rounds = [RoundCards("R1", JUNE_19, [Card(a, True), Card(b, True)])]
    assert [u.code for u in scope_units(Scope(), rounds, roster=[a])] == ["1", "2"]


def test_gap_to_the_pass_line_on_the_rubrics_scale():
    assert gap_to_pass(Card(unit("1"), False, "873.87", "1000"), D("0.9")) == D("26.13")
    assert gap_to_pass(Card(unit("1"), False, "950", "1000"), D("0.9")) == 0  # failed on another condition
