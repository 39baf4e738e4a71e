"""Chinese reports: golden HTML, the PDFs by their text, pages and fonts, the ranking
spreadsheet re-read, escaping, the restricted fetcher, file names and the commands."""

from __future__ import annotations

import datetime as dt
import json
import logging
import re
import shutil
import subprocess
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest
from typer.testing import CliRunner

from compliance.catalog import Catalog, load_targets, load_units
from compliance.cli import app
from compliance.findings import ComplianceError
from compliance.reports import (
    RoundCards,
    fonts,
    progress_report,
    ranking_report,
    render,
    render_pdfs,
    render_ranking,
    unit_report,
)
from compliance.reports.context import GENERATOR, Issue
from compliance.reports.progress_view import progress_view
from compliance.reports.render import inside, safe_name, url_fetcher
from compliance.reports.unit_view import unit_view
from compliance.scoring import (
    Assessment,
    AssessmentMeta,
    BonusClaim,
    ItemInput,
    Kind,
    compare,
    rank,
    rank_json,
    score,
)
from compliance.scoring.ranking import Standing, placings
from compliance.units import Unit

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "tests" / "data"
GOLDEN = ROOT / "tests" / "golden"
D = Decimal
needs_poppler = pytest.mark.skipif(not shutil.which("pdftotext"), reason="poppler-utils is not installed")

# --- sample data (also used by scripts/regen_golden.py) -----------------------------------


def mini_rubric():
    return Catalog(standard_dirs=[DATA], rubric_dirs=[DATA], cwd=ROOT).rubric("mini-2024-street")


def unit(code="320602001", name="文峰街道综合执法队", district="崇川区") -> Unit:
    return Unit(code=code, name=name, type="街道综合执法队", city="南通市", district=district)


FULL_MARKS = {
    "1.1.1": ItemInput("1.1.1", result="符合"),
    "1.1.2": ItemInput("1.1.2", count=D(0)),
    "2.1.1": ItemInput("2.1.1", measured=D(20)),
    "2.1.2": ItemInput("2.1.2", result="好"),
    "2.1.3": ItemInput("2.1.3", score=D(10)),
    "2.1.4": ItemInput("2.1.4", result="符合"),
    "3.1.1": ItemInput("3.1.1", result="符合"),
}
# 1.1.1 不符合 (虚报 against a 符合 self-assessment), 3 problems, 16 of 20 measured, 较好,
# 7.5 by hand, 2.1.4 not applicable: 63.5 of 90 → 70.56 %, not 达标.
FLAWED = {
    "1.1.1": ItemInput("1.1.1", result="不符合", note="门牌缺少夜间照明"),
    "1.1.2": ItemInput(
        "1.1.2", count=D(3), note="抽查案卷 3 卷，文书不规范", evidence="案卷 2024-017、2024-023、2024-031"
    ),
    "2.1.1": ItemInput("2.1.1", measured=D(16)),
    "2.1.2": ItemInput("2.1.2", result="较好"),
    "2.1.3": ItemInput("2.1.3", score=D("7.5")),
    "2.1.4": ItemInput("2.1.4", result="不适用"),
}


VETO = {"3.1.1": ItemInput("3.1.1", result="不符合", note="辖区内发生暴力抗法事件未及时上报")}
ISSUE = Issue("南通市城市管理局", dt.date(2024, 7, 1))


def assessment(
    rubric,
    who: Unit | None = None,
    round_="2024H1",
    date=dt.date(2024, 6, 20),
    *,
    kind=Kind.AUDIT,
    changes=None,
    bonus=(),
) -> Assessment:
    entries = {**FULL_MARKS, **(changes or {})}
    meta = AssessmentMeta(who or unit(), rubric.id, kind, round_, date, ("张明", "李华"))
    return Assessment(meta, tuple(entries.values()), tuple(BonusClaim(code) for code in bonus))


def card(rubric, *args, **options):
    return score(rubric, assessment(rubric, *args, **options))


def unit_sample(rubric, who: Unit | None = None):
    """A report with everything: bonus over the cap, a comparison and two rounds."""
    audit = card(rubric, who, changes=FLAWED, bonus=("J1", "J2"))
    own = card(rubric, who, kind=Kind.SELF, changes={"2.1.4": FLAWED["2.1.4"]})
    worse = {**FLAWED, "1.1.2": ItemInput("1.1.2", count=D(8))}
    before = card(rubric, who, "2023H2", dt.date(2023, 12, 10), changes=worse)
    options = {
        "rank": (2, 3),
        "district_rank": (1, 2),
        "comparison": compare(own, audit),
        "history": [before, audit],
    }
    return audit, options


WEST = unit("320611001", "秦灶街道综合执法队", "港闸区")
EAST = unit("320602002", "城东街道综合执法队")
EARLIER = {"round_": "2023H2", "date": dt.date(2023, 12, 10)}
# The previous round: two squads tied at full marks. This round: EAST (new) first with a
# bonus, 文峰 second, WEST vetoed last.
RANKING_BEFORE = [{"who": unit(), **EARLIER}, {"who": WEST, **EARLIER}]
RANKING_NOW = [{"changes": FLAWED}, {"who": EAST, "bonus": ("J1",)}, {"who": WEST, "changes": VETO}]


def ranking_sample(rubric):
    now = [card(rubric, **spec) for spec in RANKING_NOW]
    before = [card(rubric, **spec) for spec in RANKING_BEFORE]
    options = {
        "round": "2024H1",
        "kind": "考评",
        "rubrics": [rubric],
        "previous": rank(before),
        "previous_round": "2023H2",
    }
    return rank(now), options


def progress_sample(rubric):
    """Two squads of 南通市: 文峰 达标 from 2019H2 on, 城东 never. Targets: 50 % by
    2019-12-31 (met in 2019H2) and 100 % by 2021-12-31 (behind: flat at 50 % since)."""
    rounds = []
    for label, date, passed in (
        ("2019H1", dt.date(2019, 6, 28), False),
        ("2019H2", dt.date(2019, 12, 20), True),
        ("2020H1", dt.date(2020, 6, 28), True),
        ("2020H2", dt.date(2020, 12, 20), True),
    ):
        cards = [card(rubric, unit(), label, date, changes=None if passed else FLAWED)]
        cards.append(card(rubric, EAST, label, date, changes=FLAWED))
        rounds.append(RoundCards(label, date, cards))
    return load_targets(DATA / "good_targets.yaml"), rounds, load_units(DATA / "good_units.yaml").units


def normalise(html: str) -> str:
    """The golden form: charts (matplotlib's bytes), the program's version and the rubric's
    content hash (which moves with any change to the test rubric or its model) left out."""
    html = re.sub(r"data:image/svg\+xml;base64,[A-Za-z0-9+/=]+", "data:image/svg+xml;base64,…", html)
    html = re.sub(r"(mini-2024-street)@[0-9a-f]{12}", r"\1@（内容摘要）", html)
    return html.replace(GENERATOR, "compliance （版本）")


def element(html: str, start: str, end: str) -> str:
    """One layout element of a document: from ``start`` up to and including ``end``."""
    begin = html.index(start)
    return html[begin : html.index(end, begin) + len(end)] + "\n"


def golden_documents() -> dict[str, str]:
    """Whole documents, and each layout element on its own so a diff says which changed."""
    rubric = mini_rubric()
    audit, options = unit_sample(rubric)
    ranked, ranking_options = ranking_sample(rubric)
    targets, rounds, roster = progress_sample(rubric)
    unit_html = unit_report(audit, rubric, issue=ISSUE, **options).html
    vetoed = unit_report(card(rubric, WEST, changes=VETO), rubric, issue=Issue(date=ISSUE.date)).html
    ranking_html = ranking_report(ranked, issue=ISSUE, **ranking_options).html
    progress_html = progress_report(targets, rounds, lambda _: rubric, roster=roster, issue=ISSUE).html
    return {
        "unit_report.html": unit_html,
        "ranking.html": ranking_html,
        "progress.html": progress_html,
        "element_cover.html": element(unit_html, '<section class="cover">', "</section>"),
        "element_veto_cover.html": element(vetoed, '<section class="cover">', "</section>"),
        "element_veto_sections.html": element(vetoed, "<h2>二、", "</table>"),
        "element_rectification.html": element(unit_html, '<h2 class="break">三、整改清单', "</table>"),
        "element_signoff.html": element(unit_html, '<section class="signoff">', "</section>"),
        "element_ranking_head.html": element(ranking_html, '<h1 class="doc-title">', "<h2>"),
        "element_milestones.html": element(progress_html, "<h2>一、目标完成情况", "</table>"),
    }


# --- golden HTML ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def rubric():
    return mini_rubric()


@pytest.fixture(scope="module")
def documents():
    return golden_documents()


FULL = ("unit_report.html", "ranking.html", "progress.html")
GOLDEN_NAMES = [
    "unit_report.html",
    "ranking.html",
    "progress.html",
    "element_cover.html",
    "element_veto_cover.html",
    "element_veto_sections.html",
    "element_rectification.html",
    "element_signoff.html",
    "element_ranking_head.html",
    "element_milestones.html",
]


@pytest.mark.parametrize("name", GOLDEN_NAMES)
def test_html_matches_the_golden_file(documents, name):
    expected = (GOLDEN / name).read_text("utf-8")
    assert normalise(documents[name]) == expected, f"重新生成：python scripts/regen_golden.py（{name}）"


def test_rendering_is_deterministic(documents):
    assert golden_documents() == documents


def test_unit_report_says_what_matters(documents):
    html = documents["unit_report.html"]
    for text in (
        "文峰街道综合执法队",
        "70.56%",
        "不达标",
        "得分率 70.56% 低于达标线 90%",
        "门牌缺少夜间照明",
        "第 <b>2</b> 名",
        "虚报",
        "整改清单",
        "历次考评得分趋势",
        "超过封顶 5 分",
    ):
        assert text in html, text
    assert "注意：本标准的条文为示例性表述" in html  # the mini standard is illustrative


def test_the_rectification_list_is_on_the_rubrics_scale(rubric):
    audit, _ = unit_sample(rubric)
    rect = unit_view(audit, rubric).rectification
    # 63.5 of 90 possible (2.1.4 不适用): each lost point is worth 100 / 90 of the total.
    # 1.1.1: 10 × 100/90 = 11.11; 1.1.2: 6 → 6.67; 2.1.1, 2.1.2: 4 → 4.44; 2.1.3: 2.5 → 2.78;
    # score after each cumulative fix: (63.5 + 10) / 90 × 100 = 81.67, then 88.33, 92.78, 97.22, 100.
    assert [(r.code, r.recoverable, r.after) for r in rect.rows] == [
        ("1.1.1", "11.11", "81.67"),
        ("1.1.2", "6.67", "88.33"),
        ("2.1.1", "4.44", "92.78"),
        ("2.1.2", "4.44", "97.22"),
        ("2.1.3", "2.78", "100"),
    ]
    assert [r.reaches for r in rect.rows] == [False, False, True, False, False]  # 92.78 ≥ 90 first
    # the headline is the column's total: 26.5 lost × 100/90 = 29.44, and 100 − 70.56 = 29.44
    assert (rect.recoverable, rect.total, rect.possible, rect.pass_score) == ("29.44", "100", "90", "90")
    assert rect.rows[1].evidence == "案卷 2024-017、2024-023、2024-031"


def test_the_trend_stops_at_the_reported_round(rubric):
    audit, options = unit_sample(rubric)
    later = card(rubric, round_="2025H1", date=dt.date(2025, 6, 1))
    html = unit_report(audit, rubric, history=[*options["history"], later]).html
    assert "2023年下半年" in html and "2025年上半年" not in html


def test_a_report_of_175_items_lists_every_one():
    rubric = Catalog(cwd=ROOT).rubric("jiangsu-2018-street")
    entries = []
    for item in rubric.items:
        rule = item.rule.name
        entries.append(
            ItemInput(item.code, count=D(1))
            if rule == "deduct"
            else ItemInput(item.code, measured=D(1))
            if rule == "quantity"
            else ItemInput(item.code, score=D(0))
            if rule == "manual"
            else ItemInput(item.code, result=item.rule.labels[0][0] if rule == "levels" else "符合")
        )
    meta = AssessmentMeta(unit(), rubric.id, Kind.AUDIT, "2024H1", None, ())
    html = unit_report(score(rubric, Assessment(meta, tuple(entries))), rubric).html
    assert len(rubric.items) == 175
    assert all(f"<td>{item.code}</td>" in html for item in rubric.items)


# --- escaping, file names, the fetcher ------------------------------------------------------

NASTY = '<script>alert("x")</script>&<b>粗</b>'


def test_user_text_is_escaped(rubric):
    who = unit(name=NASTY)
    audit = card(
        rubric, who, "<img src=x>", changes={"1.1.1": ItemInput("1.1.1", result="不符合", note="<i>注</i>")}
    )
    document = unit_report(audit, rubric)
    assert (
        "<script>" not in document.html
        and "<b>粗</b>" not in document.html
        and "<i>注</i>" not in document.html
    )
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;&amp;&lt;b&gt;粗&lt;/b&gt;" in document.html
    assert "&lt;i&gt;注&lt;/i&gt;" in document.html
    assert "/" not in document.name and "<" not in document.name
    ranked, options = ranking_sample(rubric)
    assert "<script>" not in ranking_report(rank([audit, *[r.card for r in ranked]]), **options).html


@pytest.mark.parametrize(
    ("parts", "expected"),
    [
        (("320602001", "2024H1", "考评"), "320602001_2024H1_考评.pdf"),
        (("../../etc/passwd",), "etc-passwd.pdf"),
        (("..",), "_.pdf"),
        (("<b>2024</b>",), "b-2024-b.pdf"),
        ((".hidden",), "hidden.pdf"),
        (("２０２４年 第一轮",), "2024年-第一轮.pdf"),
    ],
)
def test_file_names_are_built_from_ids_only(parts, expected):
    assert safe_name(*parts, suffix=".pdf") == expected


def test_output_stays_inside_the_folder(tmp_path):
    assert inside(tmp_path, "a.pdf") == tmp_path.resolve() / "a.pdf"
    for bad in ("../a.pdf", "sub/a.pdf", "/etc/passwd"):
        with pytest.raises(ComplianceError):
            inside(tmp_path, bad)


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:9/x.css",
        "https://example.com/x.png",
        "file:///etc/passwd",
        "ftp://example.com/x",
        "compliance-asset:../../findings.py",
        "compliance-asset:/etc/passwd",
        "data:text/html,<script>1</script>",
        "report.css",
    ],
)
def test_the_fetcher_refuses_everything_but_our_assets(url):
    with pytest.raises(ValueError, match=r"拒绝|不是报告自带"):
        url_fetcher()(url)


def test_the_fetcher_serves_the_stylesheet_and_inline_images():
    css = url_fetcher()("compliance-asset:report.css")
    assert b"@page" in css.read() and css.content_type == "text/css"
    image = url_fetcher()("data:image/svg+xml;base64,PHN2Zy8+")
    assert image.read() == b"<svg/>"


def test_a_document_pointing_outside_renders_without_fetching(tmp_path, caplog):
    html = (
        '<html><head><link rel="stylesheet" href="http://127.0.0.1:9/x.css"></head>'
        '<body><img src="file:///etc/hostname"><p>文字</p></body></html>'
    )
    with caplog.at_level(logging.WARNING, logger="weasyprint"):
        render.write_pdf(html, tmp_path / "x.pdf")
    assert (tmp_path / "x.pdf").stat().st_size > 0
    refused = [r.getMessage() for r in caplog.records if "已拒绝" in r.getMessage()]
    assert len(refused) == 2, refused


def test_a_missing_chinese_font_is_a_clear_error(tmp_path, monkeypatch):
    with pytest.raises(ComplianceError, match="fonts-noto-cjk"):
        fonts.pick({"DejaVu Sans": "/x.ttf"})
    assert (
        fonts.pick({"Noto Sans CJK SC": "/n.ttc", "WenQuanYi Zen Hei": "/w.ttc"}).family == "Noto Sans CJK SC"
    )

    def no_font():
        raise ComplianceError(fonts.FONT_MISSING)

    monkeypatch.setattr(render, "cjk_font", no_font)
    with pytest.raises(ComplianceError, match="fonts-noto-cjk"):
        render.write_pdf("<p>中文</p>", tmp_path / "x.pdf")
    assert not (tmp_path / "x.pdf").exists()


def test_the_stylesheet_asks_for_the_fonts_we_look_for():
    css = render.asset("report.css").decode()
    families = re.search(r"font-family:\s*([^;]+);", css).group(1)
    assert [f.strip().strip('"') for f in families.split(",")][: len(fonts.CJK_FAMILIES)] == list(
        fonts.CJK_FAMILIES
    )


# --- PDFs -----------------------------------------------------------------------------------


def pdf_text(path: Path) -> str:
    return subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout


def pdf_pages(path: Path) -> int:
    info = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=True).stdout
    return int(re.search(r"Pages:\s+(\d+)", info).group(1))


@pytest.fixture(scope="module")
def rendered(tmp_path_factory, documents, rubric):
    """The three sample reports and the nasty-named unit's, rendered once in parallel."""
    folder = tmp_path_factory.mktemp("pdf")
    nasty = unit_report(card(rubric, unit(name=NASTY)), rubric)
    vetoed = unit_report(card(rubric, WEST, changes=VETO), rubric, issue=ISSUE)
    jobs = [(name.replace(".html", ".pdf"), documents[name]) for name in FULL]
    results = render_pdfs([*jobs, nasty, ("vetoed.pdf", vetoed.html)], folder)
    assert all(fresh for _, fresh in results)
    return folder


@needs_poppler
def test_the_unit_pdf_reads_right(rendered, rubric):
    path = rendered / "unit_report.pdf"
    text = pdf_text(path)
    for words in (
        "文峰街道综合执法队",
        "63.5",
        "70.56%",
        "不达标",
        "统一使用“综合执法队”名称，门牌标识规范",
        "执法案卷规范完整",
        "门牌缺少夜间照明",
        "整改清单",
        "自评与考评对比",
        "非官方原文",
    ):
        assert words in text, words
    pages = pdf_pages(path)
    compact = "".join(text.split())
    assert f"第{pages}页共{pages}页" in compact and "第1页" in compact
    fonts_listed = subprocess.run(["pdffonts", str(path)], capture_output=True, text=True, check=True).stdout
    embedded = [line for line in fonts_listed.splitlines() if "CJK" in line]
    assert embedded and all(" yes yes " in line for line in embedded), fonts_listed


@needs_poppler
def test_the_ranking_and_progress_pdfs_read_right(rendered):
    ranking = "".join(pdf_text(rendered / "ranking.pdf").split())
    for words in ("秦灶街道综合执法队", "分区汇总", "↓1", "↓2", "新参评", "不达标（否决）", "-29.44"):
        assert words in ranking, words
    progress = "".join(pdf_text(rendered / "progress.pdf").split())
    for words in ("达成：2019年下半年1/2个达标", "未到期", "城东街道综合执法队", "尚未达标的单位", "第1页共"):
        assert words in progress, words


def page_text(path: Path, first: int, last: int | None = None) -> str:
    """The text of pages ``first``–``last`` (1-based), spaces removed."""
    args = ["pdftotext", "-f", str(first), "-l", str(last or first), str(path), "-"]
    return "".join(subprocess.run(args, capture_output=True, text=True, check=True).stdout.split())


@needs_poppler
def test_the_unit_pdf_is_an_official_document(rendered):
    path = rendered / "unit_report.pdf"
    cover, last = page_text(path, 1), page_text(path, pdf_pages(path))
    # page 1: the title with the round in Chinese, the assessing body and the date of issue
    for words in (
        "文峰街道综合执法队2024年上半年规范化建设考评报告",
        "考评单位南通市城市管理局",
        "成文日期2024年7月1日",
    ):
        assert words in cover, words
    assert "compliance" not in cover and "2024H1" not in cover  # no product name, no raw label
    # the last page: signature lines for the inspectors (by name) and the squad's head, the seal line
    for words in (
        "考评人员（签字）",
        "张明",
        "李华",
        "被考评单位负责人（签字）",
        "考评单位（盖章）：南通市城市管理局",
    ):
        assert words in last, words
    assert "成文日期：2024年7月1日" in last


@needs_poppler
def test_a_veto_is_stated_on_page_one_with_the_item_and_the_note(rendered):
    cover = page_text(rendered / "vetoed.pdf", 1)
    assert "一票否决" in cover and "条目3.1.1" in cover
    assert "未发生严重违法违纪案件并造成恶劣影响" in cover  # the item's text
    assert "检查人员记录：辖区内发生暴力抗法事件未及时上报" in cover  # the inspector's note
    sections = page_text(rendered / "vetoed.pdf", 2, 3)
    assert "含不符合的一票否决条目" in sections  # the vetoed unit's section shows the failure


@needs_poppler
def test_the_ranking_and_progress_pdfs_are_official_documents(rendered):
    for name in ("ranking.pdf", "progress.pdf"):
        path = rendered / name
        text = page_text(path, 1, pdf_pages(path))
        for words in ("考评单位南通市城市管理局", "成文日期2024年7月1日", "制表人（签字）", "审核人（签字）"):
            assert words in text, (name, words)
    assert "2024年上半年" in page_text(rendered / "ranking.pdf", 1)
    assert "数据截至2020年下半年" in page_text(rendered / "progress.pdf", 1)


@needs_poppler
def test_markup_in_a_unit_name_is_printed_as_text(rendered):
    assert NASTY in "".join(pdf_text(rendered / "320602001_2024H1_考评.pdf").split())


def test_unchanged_reports_are_skipped_and_changed_ones_redone(rendered, documents):
    jobs = [(name.replace(".html", ".pdf"), documents[name]) for name in FULL]
    assert [fresh for _, fresh in render_pdfs(jobs, rendered)] == [False, False, False]
    jobs[1] = (jobs[1][0], jobs[1][1].replace("分区汇总", "分区情况"))
    assert [fresh for _, fresh in render_pdfs(jobs, rendered)] == [False, True, False]
    (rendered / "progress.pdf").unlink()
    assert [fresh for _, fresh in render_pdfs(jobs, rendered)] == [False, False, True]


# --- the ranking spreadsheet --------------------------------------------------------------


def test_the_ranking_spreadsheet_is_data_never_formulas(tmp_path, rubric):
    formula = unit("320699001", '=HYPERLINK("http://x","点我")', "=1+1")
    ranked, options = ranking_sample(rubric)
    cards = [*(r.card for r in ranked), card(rubric, formula, changes=FLAWED)]
    pdf, xlsx = render_ranking(rank(cards), out_dir=tmp_path, **options)
    assert pdf.exists() and xlsx.name == "2024H1_考评_排名.xlsx"
    book = openpyxl.load_workbook(xlsx)
    sheet = book["排名"]
    # title, the round line and the illustrative notice on top; the header below them
    assert sheet["A1"].value == "南通市2024年上半年规范化建设考评排名"
    assert sheet["A2"].value.startswith("评估轮次：2024年上半年　评估类型：考评")
    assert "非官方原文" in sheet["A3"].value
    assert sheet.freeze_panes == "A5" and sheet.auto_filter.ref == "A4:M8"
    header = [c.value for c in sheet[4]]
    assert header[:4] == ["排名", "单位编码", "单位名称", "所属区"]
    # prints on A4 landscape, one page wide, the header row on every page
    setup = sheet.page_setup
    assert (setup.paperSize, setup.orientation) == (9, "landscape")
    assert sheet.sheet_properties.pageSetUpPr.fitToPage and setup.fitToHeight == 0
    assert setup.fitToWidth in (None, 1)  # OOXML default: one page wide
    assert sheet.print_title_rows == "$4:$4"
    rows = {row[1].value: row for row in sheet.iter_rows(min_row=5)}
    evil = rows["320699001"]
    assert evil[2].value == '=HYPERLINK("http://x","点我")' and evil[2].data_type == "s"
    assert evil[3].value == "=1+1" and evil[3].data_type == "s"
    assert all(cell.data_type != "f" for row in sheet.iter_rows() for cell in row)
    best = rows["320602002"]
    assert best[0].value == 1 and isinstance(best[0].value, int)
    assert (best[4].value, best[5].value, best[6].value) == (100, 3, 103) and best[7].value == 1
    assert best[7].number_format == "0.00%" and best[9].value == "达标"
    assert rows["320602001"][11].value == -1 and rows["320602001"][11].number_format == '"↑"0;"↓"0;"持平"'
    assert rows["320602002"][11].value == "新参评"  # not in the previous round
    assert isinstance(rows["320602001"][12].value, float)
    districts = book["区汇总"]
    assert (
        districts.freeze_panes == "A4" and districts.auto_filter.ref and districts.print_title_rows == "$3:$3"
    )
    assert [c.value for c in districts["A"]][3:] == ["=1+1", "崇川区", "港闸区", "合计"]
    total = districts[7]
    assert (total[1].value, total[2].value) == (4, 1) and total[3].value == 0.25


# --- the commands -------------------------------------------------------------------------


@pytest.fixture
def db(tmp_path, rubric):
    """A SQLite store: the ranking sample's two rounds of 考评, and one 自评."""
    from compliance.store import Store

    url = f"sqlite:///{tmp_path / 'c.db'}"
    with Store.open(url) as store:
        for spec in [*RANKING_BEFORE, *RANKING_NOW, {"kind": Kind.SELF}]:
            entered = assessment(rubric, **spec)
            store.import_assessment(
                rubric, entered, score(rubric, entered), source_name="t.xlsx", source_sha256="0" * 64
            )
    return url


def invoke(*args):
    return CliRunner().invoke(app, [*args], catch_exceptions=False)


def test_report_all_then_one_unit_unchanged(db, tmp_path):
    out = tmp_path / "out"
    catalog = ["--db", db, "-o", str(out)]
    first = invoke("report", "--round", "2024H1", "--all", *catalog)
    assert first.exit_code == 0, first.output
    assert sorted(p.name for p in out.glob("*.pdf")) == [
        "320602001_2024H1_考评.pdf",
        "320602002_2024H1_考评.pdf",
        "320611001_2024H1_考评.pdf",
    ]
    again = invoke("report", "--round", "2024H1", "--unit", "320602001", *catalog)
    assert again.exit_code == 0, again.output
    assert "未变化：" in again.stdout and "已生成" not in again.stdout


def test_rank_json_is_the_library_ranking_and_files_are_written(db, rubric, tmp_path):
    catalog = ["--db", db]
    result = invoke("rank", "--round", "2024H1", "--json", "-o", str(tmp_path), *catalog)
    assert result.exit_code == 0, result.output
    ranked, _ = ranking_sample(rubric)
    assert json.loads(result.stdout) == rank_json(ranked)
    assert {p.name for p in tmp_path.iterdir()} >= {"2024H1_考评_排名.pdf", "2024H1_考评_排名.xlsx"}


@pytest.mark.parametrize(
    "args",
    [
        ["report", "--round", "2024H1", "-o", "x"],
        ["report", "--round", "2024H1", "--unit", "1", "--all", "-o", "x"],
        ["rank", "--round", "2024H1"],
    ],
)
def test_wrong_usage_exits_2(args, db):
    result = CliRunner().invoke(app, [*args, "--db", db])
    assert result.exit_code == 2 and "Traceback" not in result.output


def test_an_unknown_round_is_a_clear_error(db, tmp_path):
    result = CliRunner().invoke(app, ["report", "--round", "1999", "--all", "--db", db, "-o", str(tmp_path)])
    assert (
        result.exit_code == 1
        and "没有 1999年度（1999）轮" in result.output
        and "2024年上半年" in result.output
    )


def test_a_missed_milestone_says_who_was_missing(rubric):
    targets, rounds, roster = progress_sample(rubric)
    view = progress_view(targets, rounds, lambda _: rubric, roster=roster, as_of=dt.date(2022, 1, 1))
    # 2019: 1 of 2 needed (50 % of 2), 文峰 达标 in 2019H2 → met. 2021: 2 of 2 needed, only 文峰
    # by the last round before 2021-12-31 (2020H2) → missed by 1, 城东 named; no projection.
    assert [(m.status, m.detail) for m in view.milestones] == [
        ("达成", "达成：2019年下半年 1/2 个达标，目标 1 个"),
        ("未达成", "未达成（差 1 个：城东街道综合执法队）；2020年下半年 1/2 个达标，目标 2 个"),
    ]
    assert [b.unit.code for b in view.behind] == ["320602002"]
    assert all("预计" not in m.detail for m in view.milestones)


def test_places_in_city_and_district(rubric):
    ranked, _ = ranking_sample(rubric)
    places = placings([r.card for r in ranked])
    assert places["320602002"] == ((1, 3), (1, 2))
    assert places["320602001"] == ((2, 3), (2, 2))
    assert places["320611001"] == ((3, 3), (1, 1))


class FakeStore:
    """The store's reading API over a list of cards."""

    def __init__(self, cards):
        self._cards = cards

    def rounds(self):
        return sorted({c.meta.round for c in self._cards})

    def round_dates(self):
        return {c.meta.round: c.meta.date for c in self._cards}

    def cards(self, round, kind=Kind.AUDIT):
        return [c for c in self._cards if c.meta.round == round and c.meta.kind == kind]

    def card(self, unit_code, round, kind=Kind.AUDIT):
        return next((c for c in self.cards(round, kind) if c.meta.unit.code == unit_code), None)

    def history(self, unit_code, kind=Kind.AUDIT):
        return [c for c in self._cards if c.meta.unit.code == unit_code and c.meta.kind == kind]

    def standings(self, round, kind=Kind.AUDIT):
        return [
            Standing(c.meta.unit, c.final, c.score, c.rate, c.veto, c.passed, c.grade, c.precision)
            for c in self.cards(round, kind)
        ]

    def stamps(self, unit_codes):
        return {code: [] for code in unit_codes}

    def units(self):
        return sorted({c.meta.unit.code: c.meta.unit for c in self._cards}.values(), key=lambda u: u.code)


def test_assembling_from_a_store(rubric):
    from compliance.reports.assemble import progress_rounds, ranking_inputs, unit_documents

    specs = [*RANKING_BEFORE, *RANKING_NOW, {"kind": Kind.SELF}]
    store = FakeStore([card(rubric, **spec) for spec in specs])
    (document,) = unit_documents(store, "2024H1", Kind.AUDIT, lambda _: rubric, units=["320602001"])
    assert document.name == "320602001_2024H1_考评.pdf"
    assert (
        "自评与考评对比" in document.html
        and "历次考评得分趋势" in document.html
        and "第 <b>2</b> 名" in document.html
    )
    with pytest.raises(ComplianceError, match="没有单位 999"):
        unit_documents(store, "2024H1", Kind.AUDIT, lambda _: rubric, units=["999"])
    inputs = ranking_inputs(store, "2024H1", Kind.AUDIT, lambda _: rubric)
    assert inputs["previous_round"] == "2023H2" and [r.rank for r in inputs["previous"]] == [1, 1]
    assert ranking_inputs(store, "2023H2", Kind.AUDIT, lambda _: rubric)["previous"] is None
    assert [(r.round, len(r.cards)) for r in progress_rounds(store)] == [("2023H2", 2), ("2024H1", 3)]
