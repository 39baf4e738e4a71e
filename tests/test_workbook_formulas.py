"""The sheet never disagrees with the engine (SPEC §4), as LibreOffice computes it.

Templates of the bundled rubrics and of random rubrics are filled at random with every
accepted spelling (openpyxl writes no cached values), recomputed by LibreOffice
(``soffice --headless --convert-to xlsx``, many files per run), read back, and every row's
得分, the running 当前得分, rate, bonus, final score, 达标 and grade must equal what
``compliance score --json --allow-incomplete`` gives for the same file. Fills with refused
inputs must show 有误 on exactly the rows the engine names.

``COMPLIANCE_SHEET_WORKBOOKS`` sets how many random workbooks (CI: 300; default 24).
"""

from __future__ import annotations

import json
import os
import random
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest
from sheet_lab import (
    SOFFICE,
    UNIT,
    Fill,
    Percent,
    convert,
    random_fill,
    random_rubric,
    rubric_document,
    sheet_values,
    write_yaml,
)
from typer.testing import CliRunner

from compliance.catalog import Catalog
from compliance.cli import app
from compliance.findings import errors_of
from compliance.numbers import rounded
from compliance.scoring import ItemStatus, evaluate
from compliance.units import Unit
from compliance.workbook import read_workbook, write_template

pytestmark = [
    pytest.mark.libreoffice,
    pytest.mark.slow,
    pytest.mark.skipif(SOFFICE is None, reason="LibreOffice (soffice) is not installed"),
]
WORKBOOKS = int(os.environ.get("COMPLIANCE_SHEET_WORKBOOKS", "24"))
BATCH = 60  # files per soffice run
ROOT = Path(__file__).resolve().parents[1]
BUNDLED = (
    "jiangsu-2018-street",
    "jiangsu-2018-brigade",
    "chengdu-2020-squad",
    "weifang-annual",
    "jinhua-szcg-monthly",
)
EXACT = 1e-9  # the sheet computes in binary floating point; the engine in Decimal


def fill(template: Path, entries: Fill, out: Path) -> Path:
    book = openpyxl.load_workbook(template)
    ws = book["检查表"]
    cols = {c.value: c.column for c in ws[1] if c.value}
    rows = {ws.cell(r, 1).value: r for r in range(2, ws.max_row + 1) if ws.cell(r, 1).value}
    for code, values in entries.items.items():
        for header, value in values.items():
            cell = ws.cell(rows[code], cols[header])
            if isinstance(value, Percent):  # typed as 95.2 %: Excel keeps 0.952, shown as a percentage
                cell.value, cell.number_format = value.value, "0.0%"
            else:
                cell.value = value
    bonus = book["加分项"]
    bonus_rows = {bonus.cell(r, 1).value: r for r in range(2, bonus.max_row + 1) if bonus.cell(r, 1).value}
    for code, value in entries.bonus.items():
        bonus.cell(bonus_rows[code], 4).value = value
    if entries.penalties:
        sheet = book["减分项"]
        heads = {c.value: c.column for c in sheet[1] if c.value}
        found = {sheet.cell(r, 1).value: r for r in range(2, sheet.max_row + 1) if sheet.cell(r, 1).value}
        for code, value in entries.penalties.items():
            sheet.cell(found[code], heads["次数"]).value = value
    info = book["基本信息"]
    for row in info.iter_rows():
        if row[0].value == "检查日期":
            row[1].value = "2024-06-30"
        elif row[0].value == "检查人员":
            row[1].value = "张三"
    book.save(out)
    return out


def engine_json(path: Path, dirs: list[Path]) -> tuple[dict | None, str]:
    """``compliance score --json --allow-incomplete`` of ``path``: (JSON or None, output)."""
    search = [a for d in dirs for a in ("--standards", str(d), "--rubrics", str(d))]
    result = CliRunner().invoke(app, ["score", str(path), "--json", "--allow-incomplete", *search])
    assert "Traceback" not in result.output
    if result.exit_code != 0:
        return None, result.output
    return json.loads(result.stdout), result.output


def close(sheet: object, engine: Decimal | float) -> bool:
    return isinstance(sheet, int | float) and abs(float(sheet) - float(engine)) < EXACT


def compare(original: Path, recomputed: Path, catalog: Catalog, dirs: list[Path]) -> list[str]:
    """Every disagreement between the sheet (as LibreOffice computed it) and the engine."""
    sheet = sheet_values(recomputed)
    pairs, findings = read_workbook(original, catalog, allow_incomplete=True)
    errors = errors_of(findings)
    data, output = engine_json(original, dirs)
    name = original.name
    if errors:
        assert data is None, f"{name}: the library refused, the CLI did not"
        rows = set()
        item_row = {row: sheet.rows[code.partition("/")[0]] for code, row in sheet.rows.items()}
        for f in errors:
            if f.cell and "!" in f.cell:
                sheet_name, ref = f.cell.split("!")
                row = int("".join(ch for ch in ref if ch.isdigit()))
                if sheet_name == "检查表":  # a trigger's or criterion's row: its item shows 有误
                    row = item_row.get(row, row)
                rows.add(f"{sheet_name}!{row}")
        if not rows:  # a whole-file refusal: nothing applicable
            shown = sheet.info.get("当前得分")
            return [] if str(shown).startswith("无法计算") else [f"{name}: engine {errors}, sheet {shown!r}"]
        problems = []
        if rows != sheet.error_cells:
            problems.append(
                f"{name}: engine refuses {sorted(rows)}, the sheet marks {sorted(sheet.error_cells)}"
            )
        if not str(sheet.info.get("当前得分")).startswith("有误"):
            problems.append(f"{name}: 当前得分 shows {sheet.info.get('当前得分')!r} for a refused file")
        return problems
    assert data is not None, output
    ((rubric, assessment),) = pairs
    card, _ = evaluate(rubric, assessment, allow_incomplete=True)
    problems = []
    for item, shown in zip(card.items, data["items"], strict=True):
        got, earned = sheet.score[item.code], sheet.earned[item.code]
        where = f"{name} {item.code} (row {sheet.rows[item.code]})"
        assert shown["earned"] == float(rounded(item.earned, card.precision))
        if item.status is ItemStatus.NOT_INSPECTED:
            if got not in ("", None) or earned not in ("", None):
                problems.append(f"{where}: not filled in, the sheet shows {got!r}")
        elif item.status is ItemStatus.NOT_APPLICABLE and rubric.info.na_policy == "exclude":
            if earned != "不适用":
                problems.append(f"{where}: 不适用 (exclude), the sheet shows {earned!r}")
        elif not close(earned, item.earned):
            problems.append(f"{where}: engine {item.earned}, the sheet {earned!r}")
        if "score" not in rubric.item(item.code).rule.own and got != earned:
            problems.append(f"{where}: 得分 {got!r} differs from the earned helper {earned!r}")
    info = sheet.info
    if card.not_inspected == len(card.items):
        expected = {"当前得分": "待填"}
    else:
        expected = {"当前得分": data["score"], "得分率": card.rate, "达标情况": data["status"] or "—"}
        if data["grade"] is not None:
            expected["等级"] = data["grade"]
        elif "等级" in info:
            problems.append(f"{name}: the rubric has no grades, the sheet shows 等级 {info['等级']!r}")
        if rubric.bonus_items:
            expected |= {"当前加分": data["bonus"]}
        if rubric.info.penalties is not None:
            expected |= {"当前减分": data["penalty"]}
        if rubric.bonus_items or rubric.info.penalties is not None:
            expected |= {"最终得分": data["final"]}
    for label, value in expected.items():
        got = info.get(label)
        ok = got == value if isinstance(value, str) else close(got, value)
        if not ok:
            problems.append(f"{name} {label}: engine {value}, the sheet {got!r}")
    return problems


def run_batch(jobs: list[tuple[Path, Catalog, list[Path]]], tmp: Path) -> list[str]:
    problems = []
    for start in range(0, len(jobs), BATCH):
        chunk = jobs[start : start + BATCH]
        out = convert([p for p, _, _ in chunk], tmp / f"lo-{start}", tmp / "profile")
        for (original, catalog, dirs), recomputed in zip(chunk, out, strict=True):
            problems += compare(original, recomputed, catalog, dirs)
    return problems


def test_bundled_rubrics_agree_with_the_engine(tmp_path):
    rng = random.Random(20241)
    catalog = Catalog(cwd=ROOT)
    jobs = []
    for rubric_id in BUNDLED:
        rubric = catalog.rubric(rubric_id)
        unit = Unit(**UNIT | {"type": (rubric.info.applies_to or [UNIT["type"]])[0]})
        template = write_template(tmp_path / f"{rubric_id}.xlsx", rubric, unit, round="2024H1")
        document = rubric_document(rubric)
        for k in range(4):
            entries = random_fill(rng, document, invalid=k == 3, blank=0.05 if k else 0.3)
            jobs.append((fill(template, entries, tmp_path / f"{rubric_id}-{k}.xlsx"), catalog, []))
    assert run_batch(jobs, tmp_path) == []


def test_random_rubrics_agree_with_the_engine(tmp_path):
    rng = random.Random(int(os.environ.get("COMPLIANCE_SHEET_SEED", "7")))
    unit = Unit(**UNIT)
    jobs = []
    for n in range(WORKBOOKS):
        standard, rubric_doc = random_rubric(rng, n, v2=n % 2 == 1)  # v1 and v2 rubrics in turn
        folder = tmp_path / f"r{n}"
        write_yaml(folder / "standard.yaml", standard)
        write_yaml(folder / "rubric.yaml", rubric_doc)
        catalog = Catalog(standard_dirs=[folder], rubric_dirs=[folder], cwd=folder)
        rubric = catalog.rubric(rubric_doc["rubric"]["id"])
        template = write_template(folder / "template.xlsx", rubric, unit, round="2024H1")
        entries = random_fill(rng, rubric_doc, invalid=rng.random() < 0.2, blank=rng.choice((0, 0, 0.1, 0.5)))
        jobs.append((fill(template, entries, tmp_path / f"w{n:04d}.xlsx"), catalog, [folder]))
    assert run_batch(jobs, tmp_path) == []


def test_printed_form_names_unit_round_and_kind_and_ends_with_signatures(tmp_path):
    """The template as LibreOffice prints it (A4 landscape): every page's header names the
    unit, the round and the kind, the 检查表 pages hold every column, and the last page
    has the signature lines."""
    import subprocess

    from sheet_lab import convert

    rubric = Catalog(cwd=ROOT).rubric("jiangsu-2018-street")
    unit = Unit(**UNIT | {"type": rubric.info.applies_to[0]})
    template = write_template(tmp_path / "form.xlsx", rubric, unit, round="2024H1")
    (pdf,) = convert([template], tmp_path / "pdf", tmp_path / "profile", to="pdf")

    def page(n: int) -> str:
        args = ["pdftotext", "-layout", "-f", str(n), "-l", str(n), str(pdf), "-"]
        return subprocess.run(args, check=True, capture_output=True, text=True).stdout

    info = subprocess.run(["pdfinfo", str(pdf)], check=True, capture_output=True, text=True).stdout
    pages = int(next(line.split()[-1] for line in info.splitlines() if line.startswith("Pages:")))
    assert pages > 3
    second = page(2)
    assert "测试街道综合执法队（990001）" in second and "2024年上半年 · 考评 · 检查表" in second
    for n in range(1, pages + 1):
        text = page(n)
        assert "测试街道综合执法队" in text and "2024年上半年 · 考评" in text, n
        if "检查表" in text.split("\n")[0]:
            assert "编号" in text and "佐证材料" in text, f"page {n} misses columns: they spilled"
        assert "0.00" not in text, f"page {n} prints 0.00 in a blank form"
    last = page(pages)
    assert "检查人员签字" in last and "被检查单位负责人签字" in last and "日期" in last
