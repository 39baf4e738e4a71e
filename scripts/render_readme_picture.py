"""Render page 1 of a sample per-unit report to docs/report-page1.png (for the README).

    .venv/bin/python scripts/render_readme_picture.py [--out docs/report-page1.png]

The sample squad is scored on the bundled jiangsu-2018-street rubric (175 items) with
deterministic pseudo-random results, three rounds of history and a self-assessment, so
every section of the report shows. Needs pdftoppm (poppler-utils).
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import shutil
import subprocess
import sys
import tempfile
from decimal import Decimal
from pathlib import Path

from compliance.catalog import Catalog
from compliance.reports import render_unit_report
from compliance.rubric import Check, Deduct, Levels, Manual, Quantity, ResolvedRubric
from compliance.scoring import Assessment, AssessmentMeta, BonusClaim, ItemInput, Kind, compare, score
from compliance.units import Unit

ROOT = Path(__file__).resolve().parents[1]
UNIT = Unit(
    code="320602001", name="文峰街道综合执法队", type="街道综合执法队", city="南通市", district="崇川区"
)
NOTES = (
    "抽查案卷 3 卷，其中 1 卷缺少现场照片",
    "公示栏内容未及时更新",
    "部分执法人员着装不规范",
    "询问室未设置同步录音录像设备",
    "台账记录不完整，缺少上一季度数据",
    "执法记录仪数量不足，现有 8 台",
)


def sample_assessment(
    rubric: ResolvedRubric,
    unit: Unit,
    round_: str,
    date: dt.date,
    *,
    seed: int,
    quality: float,
    kind=Kind.AUDIT,
) -> Assessment:
    """A plausible filled checklist: better squads (higher ``quality``) fail fewer items."""
    rnd = random.Random(seed)
    entries = []
    for item in rubric.items:
        good = rnd.random() < quality
        note = None if good else rnd.choice(NOTES)
        match item.rule:
            case _ if item.veto:
                entries.append(ItemInput(item.code, result="符合"))
            case Check():
                result = "符合" if good else rnd.choice(["基本符合", "不符合", "不适用"])
                entries.append(ItemInput(item.code, result=result, note=note if result != "不适用" else None))
            case Deduct():
                entries.append(
                    ItemInput(item.code, count=Decimal(0 if good else rnd.randint(1, 3)), note=note)
                )
            case Quantity(target, _):
                share = Decimal(1) if good else Decimal(rnd.randint(40, 95)) / 100
                entries.append(
                    ItemInput(item.code, measured=(target * share).quantize(Decimal(1)), note=note)
                )
            case Levels(labels):
                entries.append(
                    ItemInput(item.code, result=labels[0][0] if good else rnd.choice(labels)[0], note=note)
                )
            case Manual():
                fraction = Decimal(1) if good else Decimal(rnd.randint(5, 9)) / 10
                entries.append(ItemInput(item.code, score=item.points * fraction, note=note))
    meta = AssessmentMeta(unit, rubric.id, kind, round_, date, ("张明", "李华"))
    bonus = (BonusClaim(rubric.bonus_items[0].code),) if rubric.bonus_items and quality > 0.9 else ()
    return Assessment(meta, tuple(entries), bonus)


def sample_report_inputs(rubric_id: str = "jiangsu-2018-street", catalog: Catalog | None = None):
    """(card, rubric, options) for a realistic report: rank, comparison and three rounds."""
    rubric = (catalog or Catalog(cwd=ROOT)).rubric(rubric_id)
    rounds = [
        ("2019-1", dt.date(2019, 6, 20), 0.72),
        ("2019-2", dt.date(2019, 12, 10), 0.82),
        ("2020-1", dt.date(2020, 6, 18), 0.9),
    ]
    history = [
        score(rubric, sample_assessment(rubric, UNIT, r, d, seed=n, quality=q))
        for n, (r, d, q) in enumerate(rounds)
    ]
    card = history[-1]
    own = score(
        rubric,
        sample_assessment(rubric, UNIT, "2020-1", dt.date(2020, 6, 1), seed=99, quality=0.95, kind=Kind.SELF),
    )
    options = {
        "rank": (3, 21),
        "district_rank": (2, 10),
        "comparison": compare(own, card),
        "history": history,
    }
    return card, rubric, options


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "report-page1.png")
    parser.add_argument("--dpi", type=int, default=80)
    args = parser.parse_args()
    if not shutil.which("pdftoppm"):
        print("需要 pdftoppm：sudo apt-get install poppler-utils", file=sys.stderr)
        return 1
    card, rubric, options = sample_report_inputs()
    with tempfile.TemporaryDirectory() as tmp:
        pdf = render_unit_report(card, rubric, out_dir=Path(tmp), **options)
        stem = Path(tmp) / "page"
        subprocess.run(
            [
                "pdftoppm",
                "-png",
                "-r",
                str(args.dpi),
                "-f",
                "1",
                "-l",
                "1",
                "-singlefile",
                str(pdf),
                str(stem),
            ],
            check=True,
        )
        args.out.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(stem.with_suffix(".png"), args.out)
    print(args.out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
