"""What ingest writes scores the way the table's wording says, through the engine (SPEC §3):
the best answers earn the total; a rate below its line, a trigger, weights, a bonus and a
penalty each change the score by what the table prices them at (arithmetic in comments)."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest
import yaml

from compliance.catalog import Catalog
from compliance.ingest import ingest, rule_kind
from compliance.rubric import ItemRule

CORPUS = Path(__file__).resolve().parent / "data" / "ingest"
FOLDERS = sorted(p for p in CORPUS.iterdir() if (p / "expected.yaml").is_file())

pytestmark = pytest.mark.skipif(
    "scoring_text" not in ItemRule.model_fields,
    reason="the v2 rule fields (SPEC §2.2a) are not in the rubric models yet",
)


def ingested(tmp_path: Path, name: str):
    folder = CORPUS / name
    table = next(p for p in folder.iterdir() if p.stem == name and p.suffix != ".md")
    report = ingest(table, name, tmp_path)
    catalog = Catalog(
        standard_dirs=[tmp_path / "standards"], rubric_dirs=[tmp_path / "rubrics"], cwd=tmp_path
    )
    rubric = yaml.safe_load(report.rubric_path.read_text(encoding="utf-8"))["rubric"]
    return catalog.rubric(str(report.rubric_path)), rubric


def best(code: str, entry: dict) -> list:
    from compliance.scoring import ItemInput

    kind = rule_kind(entry)
    if kind in {"check", "veto", "veto-section"}:
        return [ItemInput(code, result="符合")]
    if kind == "levels":
        labels = entry["level_points"]
        return [ItemInput(code, result=max(labels, key=lambda k: Decimal(str(labels[k]))))]
    if kind == "deduct":
        return [ItemInput(code, count=Decimal(0))]
    if kind == "triggers":
        return [ItemInput(code)] + [
            ItemInput(f"{code}/{i}", count=Decimal(0)) for i in range(1, len(entry["triggers"]) + 1)
        ]
    if kind == "criteria":
        return [ItemInput(code)] + [
            ItemInput(f"{code}/{i}", result="符合") for i in range(1, len(entry["criteria"]) + 1)
        ]
    if kind == "bands":
        return [ItemInput(code, measured=Decimal(str(entry["bands"][0]["min"])))]
    if kind in {"shortfall", "threshold", "proportional"}:
        return [ItemInput(code, measured=Decimal(str(entry["target"])))]
    return [ItemInput(code, score=Decimal(str(entry["points"])))]


def assess(resolved, rubric: dict, changes: dict | None = None, bonus=(), penalties=()):
    from compliance.scoring import Assessment, AssessmentMeta, BonusClaim, Kind, PenaltyClaim, score
    from compliance.units import Unit

    rows = []
    for code, entry in rubric["items"].items():
        rows += best(code, entry)
    changes = changes or {}
    rows = [changes.get(r.code, r) for r in rows]
    unit = Unit(
        code="320602001", name="文峰街道综合执法队", type="街道综合执法队", city="南通市", district="崇川区"
    )
    meta = AssessmentMeta(unit, resolved.id, Kind.AUDIT, "2021H1")
    return score(
        resolved,
        Assessment(
            meta,
            tuple(rows),
            tuple(BonusClaim(c) for c in bonus),
            penalties=tuple(PenaltyClaim(c, Decimal(n)) for c, n in penalties),
        ),
    )


@pytest.mark.parametrize("folder", FOLDERS, ids=lambda f: f.name)
def test_the_best_answers_earn_the_total(tmp_path, folder):
    resolved, rubric = ingested(tmp_path, folder.name)
    card = assess(resolved, rubric)
    assert card.rate == 1
    assert card.score == Decimal(str(rubric["total"]))


def test_jinhua_a_rate_below_its_line_and_a_trigger(tmp_path):
    from compliance.scoring import ItemInput

    resolved, rubric = ingested(tmp_path, "jinhua-shuzi")
    card = assess(
        resolved,
        rubric,
        {
            "2.1": ItemInput("2.1", measured=Decimal(65)),  # 70 − 65 = 5 points below × 1 分 → 50 − 5 = 45
            "2.4/2": ItemInput("2.4/2", count=Decimal(2)),  # 2 cases × 0.5 → 5 − 1 = 4
        },
    )
    assert card.score == 94  # 100 − 5 − 1


def test_pingyi_weights(tmp_path):
    from compliance.scoring import ItemInput

    resolved, rubric = ingested(tmp_path, "pingyi-quanzhong")
    card = assess(
        resolved, rubric, {"3.1": ItemInput("3.1", measured=Decimal(85))}
    )  # 80–90 % band: 80 of 100
    assert card.score == Decimal("96")  # 100 × (0.3 × 1 + 0.5 × 1 + 0.2 × 0.8)


def test_yangzhou_bonus_penalty_and_the_section_veto(tmp_path):
    from compliance.scoring import ItemInput

    resolved, rubric = ingested(tmp_path, "yangzhou-zonghe")
    card = assess(resolved, rubric, bonus=["J1"], penalties=[("K1", 2)])
    assert card.final == 101  # 100 + 5 bonus − 2 × 2 penalty
    vetoed = assess(resolved, rubric, {"4.2": ItemInput("4.2", result="不符合")})
    assert vetoed.score == 90  # 专项考核's 10 分 zeroed by 此大项计0分
