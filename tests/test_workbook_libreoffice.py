"""A checklist saved again by LibreOffice reads to exactly the same ScoreCard."""

from __future__ import annotations

import shutil
import subprocess

import pytest
from test_workbook_support import good_workbook

from compliance.scoring import score
from compliance.workbook import read_workbook

SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")

pytestmark = [
    pytest.mark.libreoffice,
    pytest.mark.skipif(SOFFICE is None, reason="LibreOffice (soffice) is not installed"),
]


def resave(path, out_dir, profile):
    """Open ``path`` in LibreOffice and save it as .xlsx again, the way a user on WPS or
    LibreOffice hands a checklist back."""
    subprocess.run(
        [
            SOFFICE,
            f"-env:UserInstallation={profile.as_uri()}",  # a private profile: parallel runs do not collide
            "--headless",
            "--convert-to",
            "xlsx",
            "--outdir",
            str(out_dir),
            str(path),
        ],
        check=True,
        capture_output=True,
        timeout=180,
    )
    return out_dir / path.name


def card_and_findings(path, catalog):
    pairs, findings = read_workbook(path, catalog)
    assert len(pairs) == 1, [str(f) for f in findings]
    return score(*pairs[0]), findings


def test_libreoffice_round_trip_scores_the_same(tmp_path, mini_catalog, mini_rubric):
    original = good_workbook(tmp_path, mini_rubric)
    again = resave(original, tmp_path / "lo", tmp_path / "profile")
    assert again.is_file()
    before, before_findings = card_and_findings(original, mini_catalog)
    after, after_findings = card_and_findings(again, mini_catalog)
    assert after.to_json() == before.to_json()
    assert after.meta == before.meta
    assert before_findings == [] and after_findings == []  # LibreOffice's recalculated formulas agree
