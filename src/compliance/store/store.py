"""The history store: every imported assessment, scored under the rubric it came with."""

from __future__ import annotations

import datetime as dt
import hashlib
import os
from collections.abc import Collection, Iterable, Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager, nullcontext
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import Protocol

from sqlalchemy import Engine, bindparam, func, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, selectinload

from compliance import rounds
from compliance.findings import ComplianceError
from compliance.rubric import ResolvedRubric
from compliance.scoring import Assessment, AssessmentMeta, Kind, ScoreCard, Standing
from compliance.scoring.recheck import base_of
from compliance.store import codec, connect, migrate
from compliance.store.models import AssessmentRow, BonusClaimRow, RubricVersionRow, UnitRow
from compliance.units import Unit


class ImportStatus(StrEnum):
    STORED = "已导入"
    SKIPPED = "已导入，跳过"
    REPLACED = "已替换"


@dataclass(frozen=True, slots=True)
class ImportOutcome:
    status: ImportStatus
    assessment_id: int  # the current assessment: the new one, or the identical one found
    unit_code: str
    round: str
    kind: Kind
    source_name: str
    replaced_id: int | None = None  # the assessment now superseded, when REPLACED


@dataclass(frozen=True, slots=True)
class ImportRequest:
    """One scored assessment and the file it came from, for :meth:`Store.import_many`."""

    rubric: ResolvedRubric
    assessment: Assessment
    card: ScoreCard
    source_name: str
    source_sha256: str


@dataclass(frozen=True, slots=True)
class Prepared:
    """One scored assessment as the store writes it: its rows encoded and checked to read
    back as the assessment, with its rubric and meta. Plain rows, not the assessment's
    and card's thousand objects, are what is cheap to send between processes:
    ``import --jobs`` prepares in the reading workers and writes in one process."""

    rubric: ResolvedRubric
    meta: AssessmentMeta
    encoded: codec.Encoded

    @classmethod
    def of(cls, request: ImportRequest) -> Prepared:
        rubric, assessment, card = request.rubric, request.assessment, request.card
        if card.meta != assessment.meta or card.rubric_hash != rubric.content_hash:
            raise ValueError("the score card was not computed from this rubric and assessment")
        encoded = codec.encode(
            assessment,
            card,
            source_name=request.source_name,
            source_sha256=request.source_sha256,
            digest=codec.digest(rubric, assessment),
            now=dt.datetime.now(dt.UTC),  # set again when written
        )
        codec.check_round_trip(encoded, assessment)
        return cls(rubric, assessment.meta, encoded)

    @property
    def digest(self) -> str:
        """codec.digest of the assessment: equal digests, the same assessment."""
        return self.encoded.assessment["digest"]

    @property
    def source_name(self) -> str:
        return self.encoded.assessment["source_name"]

    @property
    def key(self) -> tuple[str, str, str]:
        return self.meta.unit.code, self.meta.round, str(self.meta.kind)


@dataclass(frozen=True, slots=True)
class RubricVersion:
    id: str
    hash: str
    title: str
    standard_id: str
    first_imported: dt.datetime


@dataclass(frozen=True, slots=True)
class Stamp:
    """One current assessment by identity: the same stamp, the same inputs, rubric and scores."""

    id: int
    round: str
    kind: Kind
    digest: str  # of the inputs (codec.digest)
    rubric_hash: str


_CURRENT = AssessmentRow.superseded.is_(False)
_ASSESSMENTS, _BONUS, _UNITS = (model.__table__ for model in (AssessmentRow, BonusClaimRow, UnitRow))
# What an import looks up and writes, built once: a statement with its values bound as
# parameters is compiled once and found in SQLAlchemy's cache by a cheap key, where one
# built per file with its values in it is keyed anew by walking every value.
_CURRENT_OF = select(
    _ASSESSMENTS.c.id, _ASSESSMENTS.c.digest, _ASSESSMENTS.c.source_name, _ASSESSMENTS.c.imported_at
).where(
    _ASSESSMENTS.c.superseded.is_(False),
    _ASSESSMENTS.c.unit_code == bindparam("code"),
    _ASSESSMENTS.c.round == bindparam("round_"),
    _ASSESSMENTS.c.kind == bindparam("kind"),
)
_UNIT_OF = select(_UNITS).where(_UNITS.c.code == bindparam("code_"))
_SUPERSEDE = update(_ASSESSMENTS).where(_ASSESSMENTS.c.id == bindparam("old_id"))
_IN_BATCH = 500  # unit codes per IN (…): well under every backend's limit of bound parameters
_KIND_ORDER = {kind: i for i, kind in enumerate(Kind)}  # 自评, 考评, 复查


class Store:
    """Open with :meth:`open`; use as a context manager or call :meth:`close`."""

    def __init__(self, engine: Engine, where: str):
        self.where = where  # how messages name this store
        self._engine = engine
        self._writer = engine.execution_options(**{connect.WRITE: True})
        self._rubrics: dict[str, ResolvedRubric] = {}
        self._stored_rubrics: set[str] = set()  # content hashes known to be in the store
        self._cards: dict[tuple[int, Unit], ScoreCard] = {}  # assessment rows never change

    @classmethod
    def open(cls, url_or_path: str | os.PathLike) -> Store:
        """A SQLAlchemy URL or a SQLite file path; the schema is upgraded to the newest."""
        url = connect.parse(os.fspath(url_or_path))
        where = connect.label(url)
        engine = connect.create(url)
        try:
            with connect.translated(where):
                migrate.upgrade(engine, where)
        except BaseException:
            engine.dispose()
            raise
        return cls(engine, where)

    @staticmethod
    def new_file(url_or_path: str | os.PathLike) -> Path | None:
        """The SQLite file that opening ``url_or_path`` would create: None when it exists
        already, or the store is in memory or on a server."""
        url = connect.parse(os.fspath(url_or_path))
        if url.get_backend_name() != "sqlite" or connect.in_memory(url):
            return None
        path = Path(url.database or "")
        return None if path.exists() else path

    @staticmethod
    def discard(path: Path) -> None:
        """Remove a SQLite file :meth:`new_file` named, closed and holding nothing (an
        import that stored nothing leaves no empty database behind), with its WAL files."""
        for part in (path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
            part.unlink(missing_ok=True)

    def close(self) -> None:
        self._engine.dispose()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc_info) -> None:
        self.close()

    # --- writing ------------------------------------------------------------------------

    def import_assessment(
        self,
        rubric: ResolvedRubric,
        assessment: Assessment,
        card: ScoreCard,
        *,
        source_name: str,
        source_sha256: str,
        replace: bool = False,
    ) -> ImportOutcome:
        """Store one scored assessment in one transaction: all of it, or nothing.

        The same content again is skipped; different content for a unit, round and kind
        already stored is refused (ComplianceError) unless ``replace``, which keeps the
        old assessment as superseded history.
        """
        request = ImportRequest(rubric, assessment, card, source_name, source_sha256)
        with connect.translated(self.where):
            try:
                return self._import(request, replace)
            except IntegrityError:
                # PostgreSQL: another process stored this unit/round/kind, unit or rubric
                # version between our read and our write. Once more, now seeing its row.
                return self._import(request, replace)

    def import_many(self, requests: Iterable[ImportRequest], *, replace: bool = False) -> list[ImportOutcome]:
        """Each in its own transaction; a refusal stops there, those before it stay stored."""
        return [
            self.import_assessment(
                r.rubric,
                r.assessment,
                r.card,
                source_name=r.source_name,
                source_sha256=r.source_sha256,
                replace=replace,
            )
            for r in requests
        ]

    @contextmanager
    def importing(self, *, replace: bool = False) -> Iterator[Importer]:
        """A batch of assessments written in one transaction, committed when the block
        ends and rolled back, all of it, when it raises: what ``import`` needs to write
        each file as soon as it is read and still store nothing when a later file fails.

            with store.importing() as batch:
                outcome = batch.add(request)      # ComplianceError when refused
        """
        with connect.translated(self.where), self._writing() as session:
            batch = Importer(self, session, replace)
            yield batch
        self._stored_rubrics |= batch.rubrics  # committed: they are there for good

    def conflict(
        self, rubric: ResolvedRubric, assessment: Assessment, source_name: str | None = None
    ) -> str | None:
        """Why importing ``assessment`` without ``replace`` would be refused, or None."""
        current = self._current(_key_of(assessment))
        if current is None or current.digest == codec.digest(rubric, assessment):
            return None
        return _refusal(current, assessment.meta, source_name)

    def conflicts(self, batch: Sequence[Prepared]) -> list[str | None]:
        """:meth:`conflict` for each of a batch, in one query per few hundred units."""
        wanted = {p.key for p in batch}
        current: dict[tuple[str, str, str], AssessmentRow] = {}
        codes = sorted({code for code, _, _ in wanted})
        with self._reading() as session:
            for start in range(0, len(codes), _IN_BATCH):
                rows = session.scalars(
                    select(AssessmentRow).where(
                        _CURRENT, AssessmentRow.unit_code.in_(codes[start : start + _IN_BATCH])
                    )
                )
                current |= {
                    key: row for row in rows if (key := (row.unit_code, row.round, row.kind)) in wanted
                }
        answers: list[str | None] = []
        for p in batch:
            row = current.get(p.key)
            same = row is None or row.digest == p.digest
            answers.append(None if same else _refusal(row, p.meta, p.source_name))
        return answers

    def _current(self, key: tuple[str, str, str]) -> _Current | None:
        with self._reading() as session:
            return self._current_of(session, key)

    def _import(self, request: ImportRequest, replace: bool) -> ImportOutcome:
        prepared = Prepared.of(request)
        with self._writing() as session:
            outcome = self._write(session, prepared, replace)
        self._stored_rubrics.add(request.rubric.content_hash)  # committed: it is there for good
        return outcome

    def _write(
        self, session: Session, prepared: Prepared, replace: bool, known: Collection[str] = ()
    ) -> ImportOutcome:
        """One assessment's rows, in the caller's transaction; nothing is written when it
        is skipped or refused. ``known``: rubric hashes this transaction has written."""
        meta, encoded, name = prepared.meta, prepared.encoded, prepared.source_name
        now = dt.datetime.now(dt.UTC)
        current = self._current_of(session, prepared.key)
        if current is not None and current.digest == prepared.digest:
            return _outcome(ImportStatus.SKIPPED, current.id, meta, name)
        if current is not None and not replace:
            raise ComplianceError(_refusal(current, meta, name))
        self._add_rubric(session, prepared.rubric, now, known)
        _put_unit(session, meta.unit)
        if current is not None:  # the old row is history before the new one is current
            session.execute(_SUPERSEDE.values(superseded=True), {"old_id": current.id})
        row = encoded.assessment | {"imported_at": now}
        new_id = session.execute(insert(_ASSESSMENTS), row).inserted_primary_key[0]
        if encoded.items:
            self._insert_items(session, encoded, new_id)
        if encoded.bonus:
            session.execute(insert(_BONUS), [dict(row, assessment_id=new_id) for row in encoded.bonus])
        if current is None:
            return _outcome(ImportStatus.STORED, new_id, meta, name)
        session.execute(_SUPERSEDE.values(superseded_by=new_id), {"old_id": current.id})
        return _outcome(ImportStatus.REPLACED, new_id, meta, name, replaced_id=current.id)

    def _insert_items(self, session: Session, encoded: codec.Encoded, assessment_id: int) -> None:
        # The driver's own executemany (psycopg: in pipeline mode): 300 rows an assessment
        # spend more time in SQLAlchemy's per-value bind processing than in the database.
        connection = session.connection()
        dialect = connection.dialect
        mark = "?" if dialect.paramstyle == "qmark" else "%s"
        sql = f"INSERT INTO item_results ({', '.join(codec.ITEM_COLUMNS)}) VALUES ({', '.join([mark] * len(codec.ITEM_COLUMNS))})"
        connection.exec_driver_sql(sql, codec.item_tuples(encoded, assessment_id))

    def _add_rubric(
        self, session: Session, rubric: ResolvedRubric, now: dt.datetime, known: Collection[str] = ()
    ) -> None:
        """The rubric's snapshot, added when new. One content hash is one rubric: the hash
        covers everything that scores, so an equal hash needs no deeper comparison.
        ``known``: hashes this transaction has written already."""
        if rubric.content_hash in self._stored_rubrics or rubric.content_hash in known:
            return
        if session.get(RubricVersionRow, rubric.content_hash) is None:
            session.add(codec.rubric_row(rubric, now))
            session.flush()

    def _rubric_from(self, content_hash: str, snapshot: str) -> ResolvedRubric:
        if content_hash not in self._rubrics:
            self._rubrics[content_hash] = codec.rubric_from_snapshot(snapshot, content_hash)
        return self._rubrics[content_hash]

    @staticmethod
    def _current_of(session: Session, key: tuple[str, str, str]) -> _Current | None:
        code, round_, kind = key
        return session.execute(_CURRENT_OF, {"code": code, "round_": round_, "kind": kind}).first()

    @contextmanager
    def _writing(self) -> Iterator[Session]:
        """A write transaction (BEGIN IMMEDIATE on SQLite), committed when the block ends."""
        with (
            codec.decoding(self._engine, self.where),
            Session(self._writer, expire_on_commit=False) as session,
            session.begin(),
        ):
            yield session

    @contextmanager
    def _reading(self) -> Iterator[Session]:
        with (
            connect.translated(self.where),
            codec.decoding(self._engine, self.where),
            Session(self._engine) as session,
        ):
            yield session

    # --- reading ------------------------------------------------------------------------

    def rounds(self) -> list[str]:
        """Rounds in chronological order: by their period (SPEC §2.5); a label from before
        rounds were checked by its earliest 检查日期."""
        with self._reading() as session:
            rows = session.execute(
                select(AssessmentRow.round, func.min(AssessmentRow.date))
                .where(_CURRENT)
                .group_by(AssessmentRow.round)
            ).all()
        return [name for name, _ in sorted(rows, key=lambda r: _round_order(*r))]

    def round_dates(self) -> dict[str, dt.date]:
        """The latest 检查日期 of each round (rounds without any date are left out)."""
        with self._reading() as session:
            rows = session.execute(
                select(AssessmentRow.round, func.max(AssessmentRow.date))
                .where(_CURRENT, AssessmentRow.date.is_not(None))
                .group_by(AssessmentRow.round)
            ).all()
        order = {name: i for i, name in enumerate(self.rounds())}
        return {name: date for name, date in sorted(rows, key=lambda r: order.get(r[0], len(order)))}

    def cards(self, round: str, kind: Kind | str | None = Kind.AUDIT) -> list[ScoreCard]:
        """The current assessments of a round (of one kind, or all when None), by unit code."""
        conditions = [AssessmentRow.round == round]
        if kind is not None:
            conditions.append(AssessmentRow.kind == str(Kind(kind)))
        return self._select(*conditions)

    def card(self, unit_code: str, round: str, kind: Kind | str = Kind.AUDIT) -> ScoreCard | None:
        cards = self._select(
            AssessmentRow.unit_code == unit_code,
            AssessmentRow.round == round,
            AssessmentRow.kind == str(Kind(kind)),
        )
        return cards[0] if cards else None

    def assessment(self, unit_code: str, round: str, kind: Kind | str = Kind.AUDIT) -> Assessment | None:
        """The inputs of the current assessment of a unit, round and kind, as imported."""
        with self._reading() as session:
            row = session.scalar(
                select(AssessmentRow)
                .where(
                    _CURRENT,
                    AssessmentRow.unit_code == unit_code,
                    AssessmentRow.round == round,
                    AssessmentRow.kind == str(Kind(kind)),
                )
                .options(selectinload(AssessmentRow.items), selectinload(AssessmentRow.bonus_claims))
            )
            if row is None:
                return None
            return codec.assessment_of(row, self._units(session, {unit_code})[unit_code])

    def recheck_base(self, unit_code: str, round: str) -> ScoreCard | None:
        """The 考评 a 复查 of ``round`` re-scores: that round's, else the latest earlier one."""
        return base_of(self.history(unit_code, Kind.AUDIT), round)

    def history(self, unit_code: str, kind: Kind | str = Kind.AUDIT) -> list[ScoreCard]:
        """One unit's assessments across rounds, oldest round first."""
        cards = self._select(AssessmentRow.unit_code == unit_code, AssessmentRow.kind == str(Kind(kind)))
        return _chronological(cards, self.rounds())

    def pairs(self, round: str) -> list[tuple[ScoreCard, ScoreCard]]:
        """(自评, 考评) of every unit that has both in ``round``, by unit code."""
        audits = {c.meta.unit.code: c for c in self.cards(round, Kind.AUDIT)}
        return [
            (c, audits[c.meta.unit.code]) for c in self.cards(round, Kind.SELF) if c.meta.unit.code in audits
        ]

    def latest(self, kind: Kind | str = Kind.AUDIT) -> list[ScoreCard]:
        """Each unit's assessment in the latest round it has one, by unit code."""
        latest: dict[str, ScoreCard] = {}
        for card in _chronological(self._select(AssessmentRow.kind == str(Kind(kind))), self.rounds()):
            latest[card.meta.unit.code] = card
        return [latest[code] for code in sorted(latest)]

    def units(self) -> list[Unit]:
        with self._reading() as session:
            return [codec.unit_of(row) for row in session.scalars(select(UnitRow).order_by(UnitRow.code))]

    def rubric(self, content_hash: str) -> ResolvedRubric:
        """The rubric version assessments were scored with, as archived in the store."""
        if content_hash not in self._rubrics:
            with self._reading() as session:
                row = session.get(RubricVersionRow, content_hash)
                if row is None:
                    raise ComplianceError(f"历史库 {self.where} 中没有版本为 {content_hash[:12]} 的评分细则")
                self._rubric_from(content_hash, row.snapshot)
        return self._rubrics[content_hash]

    def rubric_versions(self) -> list[RubricVersion]:
        """Every rubric version assessments were imported with, oldest first."""
        with self._reading() as session:
            rows = session.scalars(
                select(RubricVersionRow).order_by(RubricVersionRow.first_imported_at, RubricVersionRow.hash)
            )
            return [
                RubricVersion(r.rubric_id, r.hash, r.title, r.standard_id, _aware(r.first_imported_at))
                for r in rows
            ]

    def assessment_count(self, *, include_superseded: bool = False) -> int:
        query = select(func.count()).select_from(AssessmentRow)
        if not include_superseded:
            query = query.where(_CURRENT)
        with self._reading() as session:
            return session.scalar(query) or 0

    def fingerprint(self, round: str | None = None, kind: Kind | str | None = None) -> str:
        """Changes exactly when the current assessments of ``round`` and ``kind`` (None: all) change.

        A renderer can keep it beside its output and skip the work when it is unchanged.
        """
        query = select(AssessmentRow.id, AssessmentRow.digest).where(_CURRENT).order_by(AssessmentRow.id)
        if round is not None:
            query = query.where(AssessmentRow.round == round)
        if kind is not None:
            query = query.where(AssessmentRow.kind == str(Kind(kind)))
        with self._reading() as session:
            lines = [f"{id_}:{digest}" for id_, digest in session.execute(query)]
        return hashlib.sha256("\n".join(lines).encode()).hexdigest()

    def standings(self, round: str, kind: Kind | str = Kind.AUDIT) -> list[Standing]:
        """Each unit's totals of its current assessment of ``round`` and ``kind``, by unit
        code, as recorded at import (where they were checked against the inputs): all a
        ranking needs, read without scoring any assessment again."""
        columns = (
            AssessmentRow.unit_code,
            AssessmentRow.rubric_hash,
            AssessmentRow.final,
            AssessmentRow.score,
            AssessmentRow.rate,
            AssessmentRow.veto,
            AssessmentRow.passed,
            AssessmentRow.grade,
        )
        with self._reading() as session:
            rows = session.execute(
                select(*columns)
                .where(_CURRENT, AssessmentRow.round == round, AssessmentRow.kind == str(Kind(kind)))
                .order_by(AssessmentRow.unit_code)
            ).all()
            units = self._units(session, {row.unit_code for row in rows})
        standings = []
        for row in rows:
            info = self.rubric(row.rubric_hash).info  # the pass line and the places shown
            standings.append(
                Standing(
                    unit=units[row.unit_code],
                    final=row.final,
                    score=row.score,
                    rate=row.rate,
                    veto=row.veto,
                    passed=row.passed if info.pass_ is not None else None,
                    grade=row.grade or None,
                    precision=info.precision,
                )
            )
        return standings

    def stamps(self, unit_codes: Iterable[str]) -> dict[str, list[Stamp]]:
        """The current assessments of these units (every round and kind), oldest round
        first: what their reports are made of, without reading a single item."""
        codes = sorted(set(unit_codes))
        found: dict[str, list[Stamp]] = {code: [] for code in codes}
        order = {name: i for i, name in enumerate(self.rounds())}
        with self._reading() as session:
            for start in range(0, len(codes), _IN_BATCH):
                query = select(
                    AssessmentRow.id,
                    AssessmentRow.unit_code,
                    AssessmentRow.round,
                    AssessmentRow.kind,
                    AssessmentRow.digest,
                    AssessmentRow.rubric_hash,
                ).where(_CURRENT, AssessmentRow.unit_code.in_(codes[start : start + _IN_BATCH]))
                for id_, code, round_, kind, digest, rubric_hash in session.execute(query):
                    found[code].append(Stamp(id_, round_, Kind(kind), digest, rubric_hash))
        for stamps in found.values():
            stamps.sort(key=lambda s: (order.get(s.round, len(order)), s.round, _KIND_ORDER[s.kind]))
        return found

    def _select(self, *conditions) -> list[ScoreCard]:
        """Score cards of the current assessments matching ``conditions``, by unit code and kind."""
        with self._reading() as session:
            found = session.execute(
                select(AssessmentRow.id, AssessmentRow.unit_code).where(_CURRENT, *conditions)
            ).all()
            units = self._units(session, {code for _, code in found})
            keys = [(id_, units[code]) for id_, code in found]
            self._rescore(session, [key for key in keys if key not in self._cards])
        cards = [self._cards[key] for key in keys]
        return sorted(cards, key=lambda c: (c.meta.unit.code, _KIND_ORDER[c.meta.kind], c.meta.round))

    def _rescore(self, session: Session, keys: list[tuple[int, Unit]]) -> None:
        """Score these assessments from their rows into the cache (keyed by the unit too: its
        name or district may change with a later import)."""
        units = dict(keys)
        rows = session.scalars(
            select(AssessmentRow)
            .where(AssessmentRow.id.in_(units))
            .options(selectinload(AssessmentRow.items), selectinload(AssessmentRow.bonus_claims))
        )
        for row in rows:
            version = session.get(RubricVersionRow, row.rubric_hash)
            if version is None:  # the foreign key forbids it
                raise codec.StoreIntegrityError(f"历史库中缺少评分细则版本 {row.rubric_hash[:12]}")
            rubric = self._rubric_from(row.rubric_hash, version.snapshot)
            self._cards[row.id, units[row.id]] = codec.rescore(rubric, row, units[row.id])

    @staticmethod
    def _units(session: Session, codes: set[str]) -> dict[str, Unit]:
        rows = session.scalars(select(UnitRow).where(UnitRow.code.in_(codes))) if codes else []
        return {row.code: codec.unit_of(row) for row in rows}


class Importer:
    """The writer of one :meth:`Store.importing` batch."""

    def __init__(self, store: Store, session: Session, replace: bool):
        self._store = store
        self._session = session
        self._replace = replace
        self.rubrics: set[str] = set()  # content hashes written in this batch

    def add(self, request: ImportRequest | Prepared) -> ImportOutcome:
        """Write one assessment into the batch: stored, skipped as already there, or
        replaced; ComplianceError, with nothing of it written, when refused."""
        prepared = request if isinstance(request, Prepared) else Prepared.of(request)
        for attempt in (1, 2):
            try:
                with self._savepoint():
                    outcome = self._store._write(self._session, prepared, self._replace, self.rubrics)
                break
            except IntegrityError:
                # PostgreSQL: another process stored this unit/round/kind, unit or rubric
                # version meanwhile. Once more, now seeing its row.
                if attempt == 2:
                    raise
        self.rubrics.add(prepared.rubric.content_hash)
        return outcome

    def _savepoint(self) -> AbstractContextManager:
        """A savepoint on PostgreSQL, where another process's write can race this one's
        and be retried alone. SQLite's writers queue for the file (BEGIN IMMEDIATE), and
        a refused assessment raises before it writes anything: none is needed there."""
        if self._session.get_bind().dialect.name == "sqlite":
            return nullcontext()
        return self._session.begin_nested()


def _round_order(label: str, first_date: dt.date | None) -> tuple[dt.date, dt.date, str]:
    parsed = rounds.try_parse(label)
    if parsed is not None:
        return parsed.end, parsed.start, label
    return first_date or dt.date.max, dt.date.min, label


def _chronological(cards: Sequence[ScoreCard], rounds: list[str]) -> list[ScoreCard]:
    order = {name: i for i, name in enumerate(rounds)}
    return sorted(cards, key=lambda c: (order.get(c.meta.round, len(order)), c.meta.round))


def _aware(value: dt.datetime) -> dt.datetime:
    # SQLite keeps no time zone; everything is written in UTC.
    return value if value.tzinfo else value.replace(tzinfo=dt.UTC)


def _outcome(
    status: ImportStatus,
    row_id: int,
    meta: AssessmentMeta,
    source_name: str,
    *,
    replaced_id: int | None = None,
) -> ImportOutcome:
    return ImportOutcome(status, row_id, meta.unit.code, meta.round, meta.kind, source_name, replaced_id)


def _key_of(assessment: Assessment) -> tuple[str, str, str]:
    meta = assessment.meta
    return meta.unit.code, meta.round, str(meta.kind)


def _put_unit(session: Session, unit: Unit) -> None:
    """The unit as this workbook describes it: added, or updated where it differs."""
    values = codec.unit_values(unit)
    stored = session.execute(_UNIT_OF, {"code_": unit.code}).mappings().first()
    if stored is None:
        session.execute(insert(_UNITS), values)
    elif dict(stored) != values:
        session.execute(update(_UNITS).where(_UNITS.c.code == unit.code).values(values))


class _Current(Protocol):
    """The current assessment of a unit, round and kind, as far as an import needs it."""

    id: int
    digest: str
    source_name: str
    imported_at: dt.datetime


def _refusal(current: _Current, meta: AssessmentMeta, source_name: str | None = None) -> str:
    when = _aware(current.imported_at).astimezone().strftime("%Y-%m-%d %H:%M")
    new = f"“{source_name}”" if source_name else "新检查表"
    return (
        f"{meta.unit.code} {meta.unit.name} 的 {meta.round} {meta.kind} 已导入过另一份检查表"
        f"（“{current.source_name}”，{when} 导入），与{new}内容不同，未导入。"
        "如确需以新表替换，请加 --replace（旧表保留为历史记录）。"
    )
