"""The history store (SPEC §7): imported assessments, in SQLite by default or PostgreSQL.

    with Store.open("compliance.db") as store:          # or "postgresql+psycopg://…"
        outcome = store.import_assessment(rubric, assessment, card,
                                          source_name="文峰.xlsx", source_sha256=sha)
        for card in store.cards("2021H2"):          # ScoreCards, rescored from history
            ...

Writing: ``import_assessment``, ``import_many``, ``importing`` (a batch in one
transaction), ``conflict``. Reading (current, i.e. not
superseded, assessments only): ``rounds``, ``round_dates``, ``cards``, ``card``,
``history``, ``pairs``, ``latest``, ``units``, ``rubric_versions``, ``assessment_count``,
``fingerprint``, ``standings``, ``stamps``. Every card is scored again under the rubric
version it was imported with, and checked against the totals recorded at import;
``standings`` (the totals a ranking needs) and ``stamps`` (what a report is made of) read
the recorded columns only, scoring nothing.
"""

from compliance.store.codec import StoreIntegrityError
from compliance.store.store import (
    Importer,
    ImportOutcome,
    ImportRequest,
    ImportStatus,
    Prepared,
    RubricVersion,
    Stamp,
    Store,
)

__all__ = [
    "ImportOutcome",
    "ImportRequest",
    "ImportStatus",
    "Importer",
    "Prepared",
    "RubricVersion",
    "Stamp",
    "Store",
    "StoreIntegrityError",
]
