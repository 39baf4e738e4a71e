"""Rounds (SPEC §2.5): every accepted spelling, the refused ones, order and dates."""

import datetime as dt

import pytest

from compliance.rounds import RoundError, canonical, chinese, order_key, parse_round

ACCEPTED = [
    ("2021", "2021", "2021年度"),
    ("2021年度", "2021", "2021年度"),
    ("2021H1", "2021H1", "2021年上半年"),
    ("2021h2", "2021H2", "2021年下半年"),
    ("２０２１Ｈ２", "2021H2", "2021年下半年"),
    (" 2021 H1 ", "2021H1", "2021年上半年"),
    ("2021年上半年", "2021H1", "2021年上半年"),
    ("2021年下半年", "2021H2", "2021年下半年"),
    ("2021Q1", "2021Q1", "2021年第一季度"),
    ("2021q4", "2021Q4", "2021年第四季度"),
    ("2021年第一季度", "2021Q1", "2021年第一季度"),
    ("2021年第三季度", "2021Q3", "2021年第三季度"),
    ("2021年第1季度", "2021Q1", "2021年第一季度"),
    ("2021年第４季度", "2021Q4", "2021年第四季度"),
    ("2021-03", "2021-03", "2021年3月"),
    ("2021-12", "2021-12", "2021年12月"),
    ("2021年3月", "2021-03", "2021年3月"),
    ("2021年03月", "2021-03", "2021年3月"),
    ("2021年12月", "2021-12", "2021年12月"),
]

REFUSED = [
    "2021H3",
    "21H1",
    "2021-13",
    "2021-3",
    "2021-00",
    "2021年中",
    "2021年",
    "2021Q5",
    "2021年第五季度",
    "2021年13月",
    "2021H1H2",
    "H1 2021",
    "1800H1",
    "",
    "   ",
    "2021" * 2000,
]


@pytest.mark.parametrize(("typed", "label", "shown"), ACCEPTED)
def test_accepted_spellings(typed, label, shown):
    assert canonical(typed) == label
    assert parse_round(typed).chinese == shown
    assert chinese(label) == shown


@pytest.mark.parametrize("typed", REFUSED)
def test_refused_spellings_name_the_accepted_forms(typed):
    with pytest.raises(RoundError) as caught:
        parse_round(typed)
    assert "2021H1" in str(caught.value)


def test_non_text_is_refused():
    for value in (None, 2021.5, True, ["2021"]):
        with pytest.raises(RoundError):
            parse_round(value)
    assert canonical(2021) == "2021"


@pytest.mark.parametrize(
    ("label", "start", "end"),
    [
        ("2021", dt.date(2021, 1, 1), dt.date(2021, 12, 31)),
        ("2021H1", dt.date(2021, 1, 1), dt.date(2021, 6, 30)),
        ("2021H2", dt.date(2021, 7, 1), dt.date(2021, 12, 31)),
        ("2021Q1", dt.date(2021, 1, 1), dt.date(2021, 3, 31)),
        ("2021Q3", dt.date(2021, 7, 1), dt.date(2021, 9, 30)),
        ("2020-02", dt.date(2020, 2, 1), dt.date(2020, 2, 29)),
        ("2021-02", dt.date(2021, 2, 1), dt.date(2021, 2, 28)),
    ],
)
def test_dates(label, start, end):
    r = parse_round(label)
    assert (r.start, r.end) == (start, end)


def test_order_by_period_legacy_labels_last():
    labels = ["2021H2", "2019H1", "2021", "2021-01", "2020Q4", "旧轮次", "2021Q2"]
    assert sorted(labels, key=order_key) == [
        "2019H1",
        "2020Q4",
        "2021-01",
        "2021Q2",
        "2021",
        "2021H2",
        "旧轮次",
    ]
    assert parse_round("2019H2") < parse_round("2020H1")
    assert chinese("旧轮次") == "旧轮次"
