"""Parse rate of `compliance ingest` on the corpus: per table, the share of 评分标准 wordings
read into the rule kind that the hand-written expectation names, how many were read into a
concrete rule and how many were left to a person (manual) — split into the manual the
expectation names (the wording leaves the score to the inspector, or the v2 format cannot
express it) and the manual it does not (a wording the parser should have read).

    .venv/bin/python scripts/ingest-parse-rate.py
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import yaml

from compliance.ingest import analyse, rule_kind
from compliance.ingest.emit import rubric_fields

CORPUS = Path(__file__).resolve().parents[1] / "tests" / "data" / "ingest"


@dataclass
class Tally:
    items: int = 0
    wordings: int = 0
    right: int = 0
    concrete: int = 0  # read into a rule kind other than manual
    manual_expected: int = 0
    manual_unexpected: int = 0
    wrong: list[str] = field(default_factory=list)
    manual: list[tuple[str, str, bool]] = field(default_factory=list)  # (where, wording, expected)

    def add(self, other: Tally) -> None:
        for name in ("items", "wordings", "right", "concrete", "manual_expected", "manual_unexpected"):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        self.wrong += other.wrong
        self.manual += other.manual


def tally(folder: Path) -> tuple[str, Tally]:
    table = next(p for p in folder.iterdir() if p.stem == folder.name and p.suffix != ".md")
    expected = yaml.safe_load((folder / "expected.yaml").read_text(encoding="utf-8"))["items"]
    result, _ = analyse(table)
    t = Tally()
    for entry in result.entries():
        t.items += 1
        kind = rule_kind(rubric_fields(entry))
        want = expected.get(entry.code, [None, None])[1]
        if kind == "manual":
            t.manual.append((entry.where, entry.wording, want == "manual"))
        if not entry.wording:
            continue
        t.wordings += 1
        if kind == want:
            t.right += 1
        else:
            t.wrong.append(f"{entry.where}: read as {kind}, expected {want}: {entry.wording}")
        if kind != "manual":
            t.concrete += 1
        elif want == "manual":
            t.manual_expected += 1
        else:
            t.manual_unexpected += 1
    return table.name, t


def _rate(right: int, total: int) -> str:
    return f"{right / total:.1%}" if total else "—"


def _line(name: str, t: Tally) -> str:
    return (
        f"{name:<28} {t.items:>5} {t.wordings:>8} {t.right:>5} {_rate(t.right, t.wordings):>7}"
        f" {t.concrete:>8} {t.manual_expected:>8} {t.manual_unexpected:>10}"
    )


def main() -> None:
    folders = sorted(p for p in CORPUS.iterdir() if (p / "expected.yaml").is_file())
    everything = Tally()
    print(
        f"{'table':<28} {'items':>5} {'wordings':>8} {'right':>5} {'rate':>7}"
        f" {'concrete':>8} {'manual':>8} {'manual':>10}"
    )
    print(f"{'':<28} {'':>5} {'':>8} {'':>5} {'':>7} {'rule':>8} {'expected':>8} {'unexpected':>10}")
    for folder in folders:
        name, t = tally(folder)
        for line in t.wrong:
            print(f"  ✗ {line}")
        print(_line(name, t))
        everything.add(t)
    print(_line("all", everything))
    e = everything
    print(
        f"\nwordings: {e.wordings}; read into the expected kind: {e.right} ({_rate(e.right, e.wordings)});"
        f" read into a concrete rule: {e.concrete} ({_rate(e.concrete, e.wordings)});"
        f" left to manual: {e.manual_expected + e.manual_unexpected}"
        f" = {e.manual_expected} expected (discretionary / not expressible)"
        f" + {e.manual_unexpected} unexpected"
    )
    for title, flag in (
        ("expected manual (discretionary / not expressible)", True),
        ("unexpected manual", False),
    ):
        rows = [(where, wording) for where, wording, expected in e.manual if expected is flag]
        print(f"\n{title} ({len(rows)}):")
        for where, wording in rows:
            print(f"  {where}: {wording}")


if __name__ == "__main__":
    main()
