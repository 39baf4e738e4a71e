"""Parse rate of `compliance ingest` on the corpus: per table, the share of 评分标准 wordings
read into the rule kind that the hand-written expectation names, and the wordings left to a
person (manual).

    .venv/bin/python scripts/ingest-parse-rate.py
"""

from __future__ import annotations

from pathlib import Path

import yaml

from compliance.ingest import analyse, rule_kind
from compliance.ingest.emit import rubric_fields

CORPUS = Path(__file__).resolve().parents[1] / "tests" / "data" / "ingest"


def main() -> None:
    right_all = total_all = 0
    manual = []
    print(f"{'table':<28} {'items':>5} {'wordings':>8} {'right':>5} {'rate':>7}")
    for folder in sorted(p for p in CORPUS.iterdir() if (p / "expected.yaml").is_file()):
        table = next(p for p in folder.iterdir() if p.stem == folder.name and p.suffix != ".md")
        expected = yaml.safe_load((folder / "expected.yaml").read_text(encoding="utf-8"))["items"]
        result, _ = analyse(table)
        entries = list(result.entries())
        right = total = 0
        for entry in entries:
            kind = rule_kind(rubric_fields(entry))
            if kind == "manual":
                manual.append((entry.where, entry.wording))
            if not entry.wording:
                continue
            total += 1
            if kind == expected[entry.code][1]:
                right += 1
            else:
                print(
                    f"  ✗ {entry.where}: read as {kind}, expected {expected[entry.code][1]}: {entry.wording}"
                )
        right_all += right
        total_all += total
        print(f"{table.name:<28} {len(entries):>5} {total:>8} {right:>5} {right / total:>7.1%}")
    print(f"{'all':<28} {'':>5} {total_all:>8} {right_all:>5} {right_all / total_all:>7.1%}")
    print(f"\nwordings left to manual ({len(manual)}):")
    for where, wording in manual:
        print(f"  {where}: {wording}")


if __name__ == "__main__":
    main()
