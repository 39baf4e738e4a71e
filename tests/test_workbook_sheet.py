"""The template's worksheets skip XlsxWriter's search for newer functions to prefix: the
sheets they write must be byte for byte those XlsxWriter's own worksheets write."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest
from test_workbook_support import WENFENG
from xlsxwriter.worksheet import Worksheet

from compliance.catalog import Catalog
from compliance.workbook import template, write_template

ROOT = Path(__file__).resolve().parent.parent


def _sheets(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as z:
        return {n: z.read(n) for n in z.namelist() if n.startswith("xl/worksheets/")}


@pytest.mark.parametrize("rubric_id", ["jiangsu-2018-street", "jinhua-szcg-monthly"])
def test_the_sheets_are_the_ones_xlsxwriter_writes(tmp_path, monkeypatch, rubric_id):
    rubric = Catalog(cwd=ROOT).rubric(rubric_id)
    ours = write_template(tmp_path / "ours.xlsx", rubric, WENFENG, round="2019H1")
    monkeypatch.setattr(template, "Sheet", Worksheet)
    plain = write_template(tmp_path / "plain.xlsx", rubric, WENFENG, round="2019H1")
    ours_sheets, plain_sheets = _sheets(Path(ours)), _sheets(Path(plain))
    assert ours_sheets.keys() == plain_sheets.keys() and len(ours_sheets) >= 3
    assert ours_sheets == plain_sheets
    assert b"<f>" in ours_sheets["xl/worksheets/sheet2.xml"]


def test_a_newer_function_is_still_prefixed():
    sheet = template.Sheet()
    assert sheet._prepare_formula("=XLOOKUP(A1,B:B,C:C)") == "_xlfn.XLOOKUP(A1,B:B,C:C)"
    assert sheet._prepare_formula('=IF(A1="符合",1,0)') == 'IF(A1="符合",1,0)'
