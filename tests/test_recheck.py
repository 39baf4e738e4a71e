"""The 整改 → 复查 loop through the real command line: a 考评 is imported from a filled
checklist; `recheck` writes the 复查 workbook of what lost points; the inspector fills it
(openpyxl, as Excel would); `import` re-scores the unit with the other items carried over;
`report --kind 复查` shows before / after; `rank --kind 复查` ranks it; progress counts it.

Every expected number is worked by hand in the comments (mini rubric, tests/data)."""

from __future__ import annotations

import datetime as dt
import json
import shutil
import subprocess
from decimal import Decimal
from pathlib import Path

import pytest
from openpyxl import load_workbook
from test_cli_flow import SEARCH, UNITS, fill, header_columns, run

from compliance.catalog import Catalog
from compliance.reports.assemble import progress_rounds, recheck_base, stored_rubrics, unit_documents
from compliance.scoring import Assessment, AssessmentMeta, ItemInput, Kind
from compliance.scoring.recheck import before_after, carry_over, recheck_items
from compliance.store import Store
from compliance.units import Unit

DATA = Path(__file__).resolve().parent / "data"
WENFENG = "320602001"
ROUND = "2021H2"
# The 考评: 1.1.1 不符合 (0/10), 1.1.2 three problems (30 − 3 × 2 = 24), 2.1.1 16 of 20
# (20 × 16/20 = 16), 2.1.2 较好 (20 × 0.8 = 16), 2.1.3 7.5 by hand, 2.1.4 不适用 (possible
# 100 − 10 = 90), 3.1.1 符合: earned 0 + 24 + 16 + 16 + 7.5 = 63.5 of 90 → 70.56 %, 不达标.
AUDIT = {
    "1.1.1": {"结论": "不符合", "问题描述": "门牌缺少夜间照明"},
    "1.1.2": {"问题数": 3, "问题描述": "抽查案卷 3 卷文书不规范", "佐证材料": "案卷 2021-017"},
    "2.1.1": {"实测值": 16},
    "2.1.2": {"结论": "较好"},
    "2.1.3": {"得分": 7.5},
    "2.1.4": {"结论": "不适用"},
    "3.1.1": {"结论": "符合"},
}
# The 复查 after 整改: 1.1.1 符合 (10), 1.1.2 one problem left (30 − 2 = 28), 2.1.1 20 of 20
# (20), 2.1.2 好 (20), 2.1.3 9 by hand. Carried over: 2.1.4 不适用, 3.1.1 符合.
# earned 10 + 28 + 20 + 20 + 9 = 87 of 90 → 96.67 %; sections 38/40 = 95 %, 49/50 = 98 % → 达标, 优秀.
RECHECK = {
    "1.1.1": {"结论": "符合", "问题描述": "已加装照明"},
    "1.1.2": {"问题数": 1},
    "2.1.1": {"实测值": 20},
    "2.1.2": {"结论": "好"},
    "2.1.3": {"得分": 9},
}


@pytest.fixture(scope="module")
def loop(tmp_path_factory):
    folder = tmp_path_factory.mktemp("recheck")
    db = folder / "c.db"
    audit = folder / "考评.xlsx"
    result = run(
        "template", "--rubric", "mini-2024-street", "--units", UNITS, "--unit", WENFENG,
        "--kind", "考评", "--round", ROUND, "-o", audit, *SEARCH,
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    fill(audit, AUDIT, [], date=dt.date(2021, 12, 10), inspectors="陈建华、顾晓东")
    result = run("import", audit, "--db", db, *SEARCH)
    assert result.exit_code == 0, result.output
    workbook = folder / "复查.xlsx"
    result = run("recheck", "--round", ROUND, "--unit", WENFENG, "--db", db, "-o", workbook)
    assert result.exit_code == 0, result.output
    return folder, db, workbook, result.stdout


def test_the_recheck_workbook_lists_only_what_lost_points(loop):
    _, _, workbook, said = loop
    assert "需复查 5 项：1.1.1、1.1.2、2.1.1、2.1.2、2.1.3" in said
    book = load_workbook(workbook)
    info = {str(r[0].value): r[1].value for r in book["基本信息"].iter_rows(min_row=2) if r[0].value}
    assert (info["评估类型"], info["评估轮次"], info["单位编码"]) == ("复查", ROUND, WENFENG)
    items = book["检查表"]
    header, cols = header_columns(items, "编号")
    rows = [
        {name: items.cell(r, col).value for name, col in cols.items()}
        for r in range(header + 1, items.max_row + 1)
        if items.cell(r, cols["编号"]).value
    ]
    # only the five items that lost points; 2.1.4 (不适用) and 3.1.1 (full marks) are left out
    assert [r["编号"] for r in rows] == ["1.1.1", "1.1.2", "2.1.1", "2.1.2", "2.1.3"]
    # the earlier result, score and note beside each, the inputs blank to fill
    assert [(r["考评结论"], r["考评得分"]) for r in rows] == [
        ("不符合", 0),
        ("不符合", 24),
        ("基本符合", 16),
        ("较好", 16),
        ("基本符合", 7.5),
    ]
    assert rows[0]["考评问题描述"] == "门牌缺少夜间照明"
    assert all(r["结论"] is None and r["问题数"] is None for r in rows)
    assert items.print_title_rows == "$1:$1" and items.page_setup.orientation == "landscape"


@pytest.fixture(scope="module")
def imported(loop):
    folder, db, workbook, _ = loop
    fill(workbook, RECHECK, [], date=dt.date(2022, 3, 15), inspectors="陈建华")
    result = run("import", workbook, "--db", db, *SEARCH)
    assert result.exit_code == 0, result.output
    return folder, db, result.stdout


def test_import_rescores_with_the_rest_carried_over(imported):
    _, db, said = imported
    assert "复查" in said and "96.67" in said
    with Store.open(db) as store:
        audit = store.card(WENFENG, ROUND, Kind.AUDIT)
        again = store.card(WENFENG, ROUND, Kind.RECHECK)
        stored = store.assessment(WENFENG, ROUND, Kind.RECHECK)
    # 63.5 → 87 of 90: 70.56 → 96.67 (87 / 90 × 100), gained 23.5 × 100/90 = 26.11
    assert (audit.earned, audit.possible, audit.passed) == (Decimal("63.5"), Decimal(90), False)
    assert (again.earned, again.possible, again.passed, again.grade) == (
        Decimal(87),
        Decimal(90),
        True,
        "优秀",
    )
    assert again.points(again.score) == Decimal("96.67")
    # the carried-over items are the 考评's own entries; the store keeps the whole 复查
    entries = {e.code: e for e in stored.items}
    assert sorted(entries) == ["1.1.1", "1.1.2", "2.1.1", "2.1.2", "2.1.3", "2.1.4", "3.1.1"]
    assert (entries["2.1.4"].result, entries["3.1.1"].result, entries["1.1.2"].count) == ("不适用", "符合", 1)
    change = before_after(audit, again)
    assert [(c.before.code, c.before.earned, c.after.earned) for c in change.changes] == [
        ("1.1.1", 0, 10),
        ("1.1.2", 24, 28),
        ("2.1.1", 16, 20),
        ("2.1.2", 16, 20),
        ("2.1.3", Decimal("7.5"), 9),
    ]
    assert change.fixed == 3  # 1.1.1, 2.1.1, 2.1.2; 1.1.2 still lost 2 points and 2.1.3 one
    assert again.points(change.score_gained) == Decimal("26.11")


def test_importing_the_same_recheck_again_changes_nothing(imported):
    _, db, _ = imported
    folder = imported[0]
    result = run("import", folder / "复查.xlsx", "--db", db, *SEARCH)
    assert result.exit_code == 0 and "跳过" in result.stdout, result.output


def test_the_report_shows_before_and_after(imported):
    _, db, _ = imported
    with Store.open(db) as store:
        (document,) = unit_documents(store, ROUND, Kind.RECHECK, stored_rubrics(store), units=[WENFENG])
    html = document.html
    assert "复查前后对比" in html and "2021年下半年规范化建设复查报告" in html
    for text in ("70.56", "96.67", "+26.11", "复查人员（签字）", "门牌缺少夜间照明", "已加装照明"):
        assert text in html, text
    # per item: 1.1.2 from 24 / 30 to 28 / 30, +4
    assert "24 / 30" in html and "28 / 30" in html and "+4" in html


@pytest.mark.skipif(not shutil.which("pdftotext"), reason="poppler-utils is not installed")
def test_report_and_rank_of_the_recheck_through_the_command_line(imported, tmp_path):
    _, db, _ = imported
    result = run(
        "report", "--round", "2021年下半年", "--unit", WENFENG, "--kind", "复查", "--db", db, "-o", tmp_path
    )
    assert result.exit_code == 0, result.output
    (pdf,) = tmp_path.glob("*.pdf")
    text = "".join(
        subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True).stdout.split()
    )
    assert "复查前后对比" in text and "70.56" in text and "96.67" in text
    result = run("rank", "--round", ROUND, "--kind", "复查", "--json", "--db", db)
    assert result.exit_code == 0, result.output
    (row,) = json.loads(result.stdout)
    assert (row["rank"], row["final"], row["status"]) == (1, 96.67, "达标")


def test_progress_counts_the_unit_from_its_recheck(imported):
    _, db, _ = imported
    with Store.open(db) as store:
        (standing,) = progress_rounds(store)
    (card,) = standing.cards
    assert (standing.round, standing.date, card.meta.kind, card.passed) == (
        ROUND,
        dt.date(2021, 12, 31),  # the end of 2021H2
        Kind.RECHECK,
        True,
    )


def test_a_recheck_without_an_audit_is_refused(tmp_path, loop):
    _, _, workbook, _ = loop
    empty = tmp_path / "empty.db"
    result = run("recheck", "--round", ROUND, "--unit", WENFENG, "--db", empty, "-o", tmp_path / "x.xlsx")
    assert result.exit_code == 1 and "没有单位 320602001" in result.output
    result = run("import", workbook, "--db", empty, *SEARCH)
    assert result.exit_code == 1 and "请先导入考评" in result.output and not list(tmp_path.glob("x.xlsx"))


# --- the rules, without files -------------------------------------------------------------


def test_carry_over_keeps_the_recheck_entries_and_the_audit_order():
    who = Unit(code="1", name="甲", type="街道综合执法队", city="南通市", district="崇川区")
    audit = Assessment(
        AssessmentMeta(who, "r", Kind.AUDIT, ROUND),
        (ItemInput("a", result="符合"), ItemInput("b", result="不符合"), ItemInput("c", result="不适用")),
    )
    again = Assessment(AssessmentMeta(who, "r", Kind.RECHECK, ROUND), (ItemInput("b", result="符合"),))
    merged = carry_over(again, audit)
    assert merged.meta.kind is Kind.RECHECK
    assert [(e.code, e.result) for e in merged.items] == [("a", "符合"), ("b", "符合"), ("c", "不适用")]


def test_the_base_is_this_rounds_audit_else_the_latest_earlier(imported):
    _, db, _ = imported
    with Store.open(db) as store:
        assert recheck_base(store, WENFENG, ROUND).meta.round == ROUND
        assert recheck_base(store, WENFENG, "2022H1").meta.round == ROUND  # latest earlier
        assert recheck_base(store, WENFENG, "2021H1") is None  # nothing before
        assert store.recheck_base(WENFENG, "2022").meta.round == ROUND


def test_recheck_items_are_those_that_lost_points():
    rubric = Catalog(standard_dirs=[DATA], rubric_dirs=[DATA]).rubric("mini-2024-street")
    from test_reports import FLAWED, card

    audit = card(rubric, changes=FLAWED)
    assert [i.code for i in recheck_items(audit)] == ["1.1.1", "1.1.2", "2.1.1", "2.1.2", "2.1.3"]
