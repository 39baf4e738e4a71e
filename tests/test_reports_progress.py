"""Progress against targets: milestone standing, and who counts as 达标 (考评 or 复查)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from compliance.scoring.progress import (
    RoundCards,
    Status,
    gap_to_pass,
    in_scope,
    milestone_status,
    needed_for,
    scope_units,
    share_series,
    standing_cards,
)
from compliance.scoring.results import Kind
from compliance.targets import Milestone, Scope
from compliance.units import Unit

D = Decimal
# rounds are placed at the end of their period (SPEC §2.5)
JUNE_19, DEC_19, JUNE_20, DEC_20 = (
    dt.date(2019, 6, 30),
    dt.date(2019, 12, 31),
    dt.date(2020, 6, 30),
    dt.date(2020, 12, 31),
)
BY_2019 = Milestone(by=dt.date(2019, 12, 31), share=D("0.5"))
BY_2021 = Milestone(by=dt.date(2021, 12, 31), share=D("1"))


def squads(n):
    return [unit(str(i)) for i in range(1, n + 1)]


def rounds_of(units, *passed_by_round):
    """One RoundCards per (date, codes 达标) pair; every unit is assessed in every round."""
    return [
        RoundCards(f"R{i}", date, [Card(u, u.code in codes) for u in units])
        for i, (date, codes) in enumerate(passed_by_round, start=1)
    ]


def status(milestone, rounds, units, **options):
    return milestone_status([milestone], rounds, units, **options)[0]


def test_units_needed_for_a_share():
    # 50 % of 21 = 10.5 → 11; 100 % of 21 = 21; 50 % of 2 = 1; 1/3 of 3 = 1 (no Decimal noise)
    assert [needed_for(D("0.5"), 21), needed_for(D(1), 21), needed_for(D("0.5"), 2)] == [11, 21, 1]
    assert needed_for(D(1) / D(3), 3) == 1 and needed_for(D(0), 5) == 0


def test_met_when_the_last_round_by_the_date_reaches_the_share():
    units = squads(4)
    rounds = rounds_of(units, (JUNE_19, {"1"}), (DEC_19, {"1", "2"}), (JUNE_20, {"1"}))
    s = status(BY_2019, rounds, units)
    # 50 % of 4 → 2 needed; 2019H2 (ends on the milestone's date) has 2 达标 → 达成
    assert (s.status, s.round, s.passed, s.needed, s.short) == (Status.MET, "R2", 2, 2, 0)
    assert str(s.status) == "达成"


def test_missed_names_who_was_missing():
    units = squads(4)
    rounds = rounds_of(units, (JUNE_19, {"1"}), (JUNE_20, {"1", "2", "3", "4"}))
    s = status(BY_2019, rounds, units)
    # the last round by 2019-12-31 is R1 with 1 of 2 needed: short by 1; later rounds do not count
    assert (s.status, s.round, s.passed, s.short) == (Status.MISSED, "R1", 1, 1)
    assert [u.code for u in s.missing] == ["2", "3", "4"] and str(s.status) == "未达成"


def test_a_milestone_on_the_last_rounds_end_is_decided_not_projected():
    # the case: 2021H2 ends on 2021-12-31, so the 2021 milestone is decided by it
    units = squads(3)
    rounds = rounds_of(units, (dt.date(2021, 6, 30), {"1"}), (dt.date(2021, 12, 31), {"1", "2"}))
    s = status(BY_2021, rounds, units)
    assert (s.status, s.short, [u.code for u in s.missing]) == (Status.MISSED, 1, ["3"])


def test_a_future_milestone_is_pending_with_the_latest_standing():
    units = squads(2)
    s = status(BY_2021, rounds_of(units, (JUNE_19, set()), (DEC_20, {"2"})), units)
    assert (s.status, s.round, s.passed, s.needed, s.short) == (Status.PENDING, "R2", 1, 2, 1)
    assert str(s.status) == "未到期"


def test_as_of_decides_what_is_past():
    units = squads(2)
    rounds = rounds_of(units, (JUNE_19, set()))
    assert status(BY_2019, rounds, units).status is Status.PENDING  # the data's present is mid-2019
    late = status(BY_2019, rounds, units, as_of=dt.date(2020, 1, 1))
    assert late.status is Status.MISSED and late.short == 1


def test_no_data_yet():
    units = squads(2)
    assert status(BY_2019, [], units).status is Status.PENDING
    s = status(BY_2019, [], units, as_of=dt.date(2020, 1, 1))
    assert (s.status, s.round, s.short) == (Status.MISSED, None, 1)


# --- who counts -----------------------------------------------------------------------------


def unit(code, district="崇川区", type_="街道综合执法队", city="南通市"):
    return Unit(code=code, name=f"{code}队", type=type_, city=city, district=district)


class Card:
    """Just what the counting reads from a ScoreCard."""

    def __init__(self, who, passed, score="95", total="100", kind=Kind.AUDIT):
        self.meta = type("Meta", (), {"unit": who, "kind": kind})()
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


def test_a_recheck_stands_for_its_round_and_is_counted_as_such():
    a, b = unit("1"), unit("2")
    audits = [Card(a, False), Card(b, False)]
    rechecks = [Card(a, True, kind=Kind.RECHECK)]
    chosen = standing_cards(audits, rechecks)
    assert [(c.meta.unit.code, c.meta.kind, c.passed) for c in chosen] == [
        ("1", Kind.RECHECK, True),
        ("2", Kind.AUDIT, False),
    ]
    (point,) = share_series([RoundCards("R1", JUNE_19, chosen)], [a, b])
    assert (point.passed, point.rechecked, point.share) == (1, 1, D("0.5"))
