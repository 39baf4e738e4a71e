"""Scoring speed: 1,000 units × 300 items (300,000 item results) through ``evaluate``.

    .venv/bin/python benchmarks/bench_scoring.py                      # the full run
    .venv/bin/python benchmarks/bench_scoring.py --units 20 --items 30 --repeat 1   # a CI smoke run
    .venv/bin/python benchmarks/bench_scoring.py --profile            # one run under pyinstrument

The rubric (a 3-level standard with a mix of every rule, one veto item and N/A entries) and
the inputs are generated in memory from a fixed seed; only scoring is timed. The goal is a
median under 0.5 s for 300,000 item results. The floor is bare Python summing the same
item Decimals, to show how far the engine is from doing nothing but the arithmetic.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
import timeit
from decimal import Decimal

from compliance.rubric import ResolvedRubric, Rubric, resolve
from compliance.scoring import Assessment, AssessmentMeta, BonusClaim, ItemInput, Kind, evaluate
from compliance.standard import Standard
from compliance.units import Unit

GOAL_SECONDS = 0.5
GOAL_RESULTS = 300_000
RULE_MIX = ["check"] * 10 + ["deduct"] * 4 + ["quantity"] * 2 + ["levels"] * 2 + ["manual"] * 2
LEVELS = {"好": Decimal(1), "较好": Decimal("0.8"), "一般": Decimal("0.5"), "差": Decimal(0)}


def build_rubric(n_items: int, rng: random.Random) -> ResolvedRubric:
    """A standard of 6 方面 × 5 子项 with ``n_items`` 小项 spread over them, and its rubric."""
    tops, subs = 6, 5
    codes: dict[tuple[int, int], list[str]] = {
        (t, s): [] for t in range(1, tops + 1) for s in range(1, subs + 1)
    }
    keys = list(codes)
    for i in range(n_items):
        t, s = keys[i % len(keys)]
        codes[(t, s)].append(f"{t}.{s}.{len(codes[(t, s)]) + 1}")
    sections = []
    for t in range(1, tops + 1):
        children = [
            {
                "code": f"{t}.{s}",
                "name": f"子项{t}.{s}",
                "items": [{"code": c, "text": f"条文 {c}"} for c in codes[(t, s)]],
            }
            for s in range(1, subs + 1)
            if codes[(t, s)]
        ]
        if children:
            sections.append({"code": str(t), "name": f"方面{t}", "sections": children})
    standard = Standard.model_validate(
        {
            "standard": {
                "id": "bench",
                "title": "基准测试标准",
                "version": "1",
                "fidelity": "illustrative",
                "levels": ["方面", "子项", "小项"],
            },
            "sections": sections,
        }
    )
    items: dict[str, dict] = {}
    all_codes = [c for cs in codes.values() for c in cs]
    for n, code in enumerate(all_codes):
        rule = "check" if n == 0 else rng.choice(RULE_MIX)
        entry: dict = {"points": Decimal(rng.choice(["0.5", "1", "2", "3", "5", "6"])), "rule": rule}
        if n == 0:
            entry.update(points=Decimal(0), veto=True)
        elif rule == "deduct":
            entry["per"] = Decimal(rng.choice(["0.5", "1", "2"]))
        elif rule == "quantity":
            entry.update(
                target=Decimal(rng.choice(["3", "10", "15"])), mode=rng.choice(["proportional", "threshold"])
            )
        elif rule == "levels":
            entry["levels"] = LEVELS
        items[code] = entry
    total = sum((e["points"] for e in items.values()), Decimal(0))
    rubric = Rubric.model_validate(
        {
            "rubric": {
                "id": "bench-rubric",
                "title": "基准测试评分细则",
                "standard": "bench",
                "total": total,
                "pass": {"min_rate": Decimal("0.9"), "min_section_rate": Decimal("0.6")},
                "grades": [
                    {"name": "优秀", "min_rate": Decimal("0.9")},
                    {"name": "良好", "min_rate": Decimal("0.8")},
                    {"name": "合格", "min_rate": Decimal("0.6")},
                    {"name": "不合格", "min_rate": Decimal(0)},
                ],
                "items": items,
                "bonus": {
                    "cap": Decimal(30),
                    "items": [
                        {"code": "J1", "text": "通报表扬", "points": Decimal(20)},
                        {"code": "J2", "text": "示范单位", "points": Decimal(10)},
                    ],
                },
            }
        }
    )
    resolved, problems = resolve(standard, rubric)
    if resolved is None:
        raise SystemExit(f"benchmark rubric does not resolve: {problems}")
    return resolved


def entry_for(item, rng: random.Random, quality: float) -> ItemInput:
    """One checklist row as the workbook import would hand it over: about 5 % N/A, and the
    best result with probability ``quality`` (a unit's own standard), else any result."""
    code = item.code
    if rng.random() < 0.05 and item.points > 0 and not item.veto:
        return ItemInput(code, result=rng.choice(["不适用", "/", "合理缺项"]))
    best = rng.random() < (0.99 if item.veto else quality)
    match item.rule.name:
        case "check":
            return ItemInput(code, result="符合" if best else rng.choice(["符合", "基本符合", "不符合"]))
        case "deduct":
            return ItemInput(code, count=Decimal(0 if best else rng.choice([0, 1, 2, 5])))
        case "quantity":
            return ItemInput(code, measured=item.rule.target if best else Decimal(rng.randint(0, 20)))
        case "levels":
            return ItemInput(code, result="好" if best else rng.choice(list(LEVELS)))
        case _:
            fraction = "1" if best else rng.choice(["1", "0.8", "0.5", "0"])
            return ItemInput(code, score=item.points * Decimal(fraction))


def build_assessments(rubric: ResolvedRubric, n_units: int, rng: random.Random) -> list[Assessment]:
    out = []
    for u in range(n_units):
        unit = Unit(
            code=f"{320602001 + u}",
            name=f"第{u + 1}街道综合执法队",
            type="街道综合执法队",
            city="南通市",
            district=f"区{u % 7}",
        )
        meta = AssessmentMeta(unit, rubric.id, Kind.AUDIT, "2024-1")
        quality = rng.uniform(0.6, 1.0)
        items = tuple(entry_for(item, rng, quality) for item in rubric.items)
        bonus = tuple(BonusClaim(c) for c in ("J1", "J2") if rng.random() < 0.2)
        out.append(Assessment(meta, items, bonus, source=f"{unit.code}.xlsx"))
    return out


def score_all(rubric: ResolvedRubric, assessments: list[Assessment]) -> list:
    cards = []
    for a in assessments:
        card, findings = evaluate(rubric, a)
        if card is None:
            raise SystemExit("benchmark input has errors:\n" + "\n".join(str(f) for f in findings))
        cards.append(card)
    return cards


def floor(earned: list[list[Decimal]]) -> Decimal:
    grand = Decimal(0)
    for unit in earned:
        total = Decimal(0)
        for value in unit:
            total += value
        grand += total
    return grand


def timed(fn, repeat: int) -> tuple[float, float]:
    """Median wall-clock and median CPU seconds of ``repeat`` runs."""
    wall, cpu = [], []
    for _ in range(repeat):
        start, start_cpu = time.perf_counter(), time.process_time()
        fn()
        cpu.append(time.process_time() - start_cpu)
        wall.append(time.perf_counter() - start)
    return statistics.median(wall), statistics.median(cpu)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--units", type=int, default=1000)
    parser.add_argument("--items", type=int, default=300)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--seed", type=int, default=20240101)
    parser.add_argument("--profile", action="store_true", help="profile one run with pyinstrument")
    args = parser.parse_args(argv)

    rng = random.Random(args.seed)
    rubric = build_rubric(args.items, rng)
    assessments = build_assessments(rubric, args.units, rng)
    results = len(assessments) * len(rubric.items)

    if args.profile:
        from pyinstrument import Profiler

        profiler = Profiler()
        with profiler:
            score_all(rubric, assessments)
        print(profiler.output_text(unicode=True, color=False))
        return 0

    cards = score_all(rubric, assessments)  # warm-up, and the numbers the floor sums
    earned = [[i.earned for i in card.items] for card in cards]
    engine, engine_cpu = timed(lambda: score_all(rubric, assessments), args.repeat)
    bare, _ = timed(lambda: floor(earned), args.repeat)
    passed = sum(c.passed for c in cards)
    print(f"{len(assessments)} units × {len(rubric.items)} items = {results:,} item results; {passed} 达标")
    print(
        f"engine: median {engine:.3f} s of {args.repeat} runs (CPU {engine_cpu:.3f} s); "
        f"{engine / results * 1e6:.2f} µs per item"
    )
    print(f"floor:  median {bare:.4f} s (bare Python summing the same Decimals)")
    print(f"ratio:  {engine / bare:.1f}× the floor")
    goal = GOAL_SECONDS * results / GOAL_RESULTS
    wall_verdict = "meets" if engine < goal else "misses"
    cpu_verdict = "meets" if engine_cpu < goal else "misses"
    print(
        f"goal:   < {goal:.3f} s for {results:,} item results — wall {wall_verdict} it, CPU {cpu_verdict} it"
    )
    # how fast this interpreter and machine are, to compare runs made on different machines
    calibration = min(timeit.repeat("sum(range(1000))", number=1000, repeat=5)) / 1000 * 1e6
    print(f"machine: sum(range(1000)) takes {calibration:.1f} µs; wall / CPU = {engine / engine_cpu:.1f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
