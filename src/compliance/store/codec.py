"""Between the engine's objects and the store's rows, both ways.

The store keeps the inputs and the rubric snapshot, not the ScoreCard: reading back
rebuilds the rubric and the Assessment and scores them again, so reports get every word
of the engine, and the totals kept at import prove that nothing drifted.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, fields
from decimal import Decimal
from operator import attrgetter, itemgetter

from pydantic import ValidationError
from sqlalchemy import Engine, text

from compliance.findings import ComplianceError
from compliance.rubric import ResolvedRubric, Rubric, resolve
from compliance.scoring import (
    Assessment,
    AssessmentMeta,
    BonusClaim,
    ItemInput,
    ItemScore,
    Kind,
    PenaltyClaim,
    ScoreCard,
    evaluate,
)
from compliance.standard import Standard
from compliance.store.models import AssessmentRow, RubricVersionRow, UnitRow
from compliance.units import Unit


class StoreIntegrityError(ComplianceError):
    """What the store holds does not score to what it recorded: a bug, never a user error."""


TOTALS = ("earned", "possible", "rate", "score", "final", "veto", "not_inspected")


def _totals(card: ScoreCard) -> dict[str, object]:
    """The totals kept at import, as the columns hold them: no pass line is kept as passed
    False and no grades as grade "" (the rubric snapshot says which it was)."""
    return {name: getattr(card, name) for name in TOTALS} | {
        "passed": bool(card.passed),
        "grade": card.grade or "",
        "bonus": card.bonus.counted,
        "penalty": card.penalty.counted,
    }


class UndecodableStore(ComplianceError):
    """Rows that cannot be read back (a store edited by hand, or damaged): located."""


# --- rows that fail to decode -------------------------------------------------------------

# What reading a row raises when a value in it is not what its column holds: Decimal('abc'),
# json.loads of a damaged snapshot, a date that is no date, a kind that is no kind.
DECODE_ERRORS = (ArithmeticError, ValueError, TypeError, KeyError, json.JSONDecodeError, ValidationError)
_EXACT = {
    "assessments": ("earned", "possible", "rate", "score", "bonus", "final"),
    "item_results": ("count", "measured", "score_input", "earned", "possible"),
}
_KEYS = {
    "assessments": ("id",),
    "item_results": ("assessment_id", "code"),
    "bonus_claims": ("assessment_id", "code"),
    "units": ("code",),
    "rubric_versions": ("hash",),
}
SHOWN_PROBLEMS = 10


@contextmanager
def decoding(engine: Engine, where: str) -> Iterator[None]:
    """A row that fails to decode becomes one UndecodableStore naming the table, the row
    (its key) and the column of every value that cannot be read, never a traceback."""
    try:
        yield
    except (*DECODE_ERRORS, StoreIntegrityError) as exc:
        problems = undecodable(engine)
        if not problems:
            raise
        shown = "；".join(problems[:SHOWN_PROBLEMS])
        more = f"；另有 {len(problems) - SHOWN_PROBLEMS} 处" if len(problems) > SHOWN_PROBLEMS else ""
        raise UndecodableStore(
            f"历史库 {where} 中有无法读取的数据（可能被手工改动过或已损坏）：{shown}{more}。"
            "请用备份恢复这些记录，或重新导入相应的检查表"
        ) from exc


def undecodable(engine: Engine) -> list[str]:
    """Every stored value that cannot be read as its column's type, as ``表 t（键 k）的列 c：…``.
    Read with plain SQL, value by value, so that one bad value cannot hide the others."""
    problems: list[str] = []
    with engine.connect() as connection:
        for table, keys in _KEYS.items():
            rows = connection.execute(text(f"SELECT * FROM {table}")).mappings()
            for row in rows:
                where = f"表 {table}（{'，'.join(f'{k}={row[k]}' for k in keys)}）的列"
                problems += [f"{where} {column}：{why}" for column, why in _row_problems(table, row)]
    return problems


def _row_problems(table: str, row) -> Iterator[tuple[str, str]]:
    binary = {column for column, value in row.items() if isinstance(value, bytes | memoryview)}
    for column in sorted(binary):
        yield column, "是二进制数据，不是文本或数字"
    for column in _EXACT.get(table, ()):
        if column in binary:
            continue
        value = row[column]
        if value is None and column in ("count", "measured", "score_input"):
            continue
        if not _is_number(value):
            yield column, f"“{_shown(value)}”不是数字"
    if table == "assessments":
        if row["kind"] not in {k.value for k in Kind}:
            yield "kind", f"“{_shown(row['kind'])}”不是评估类型（应为 {'、'.join(k.value for k in Kind)}）"
        if row["date"] is not None and not _is_date(row["date"]):
            yield "date", f"“{_shown(row['date'])}”不是日期"
        if not _is_json_list(row["inspectors"]):
            yield "inspectors", f"“{_shown(row['inspectors'])}”不是检查人员名单（JSON 列表）"
        if not _is_datetime(row["imported_at"]):
            yield "imported_at", f"“{_shown(row['imported_at'])}”不是时间"
        for column in ("veto", "passed", "superseded"):
            if row[column] not in (0, 1, True, False):
                yield column, f"“{_shown(row[column])}”不是真假值"
    elif table == "units":
        try:
            Unit(**{k: row[k] for k in ("code", "name", "type", "city", "district")})
        except ValidationError as exc:
            for error in exc.errors(include_url=False):
                yield str(error["loc"][0]), f"“{_shown(error.get('input'))}”无效"
    elif table == "rubric_versions":
        try:
            data = json.loads(row["snapshot"])
            Standard.model_validate(data["standard"])
            Rubric.model_validate(data["rubric"])
        except (*DECODE_ERRORS, AttributeError):
            yield "snapshot", "评分细则存档不是有效的 JSON 或内容不完整"
        if not _is_datetime(row["first_imported_at"]):
            yield "first_imported_at", f"“{_shown(row['first_imported_at'])}”不是时间"


def _shown(value: object) -> str:
    text = str(value)
    return text if len(text) <= 40 else text[:40] + "…"


def _is_number(value: object) -> bool:
    if isinstance(value, Decimal | int) and not isinstance(value, bool):
        return True
    try:
        return Decimal(str(value)).is_finite() if isinstance(value, str) else False
    except ArithmeticError:
        return False


def _is_date(value: object) -> bool:
    if isinstance(value, dt.date):
        return True
    try:
        dt.date.fromisoformat(str(value))
        return True
    except ValueError:
        return False


def _is_datetime(value: object) -> bool:
    if isinstance(value, dt.datetime):
        return True
    try:
        dt.datetime.fromisoformat(str(value))
        return True
    except ValueError:
        return False


def _is_json_list(value: object) -> bool:
    if isinstance(value, list):
        return all(isinstance(v, str) for v in value)
    try:
        data = json.loads(value) if isinstance(value, str) else None
    except json.JSONDecodeError:
        return False
    return isinstance(data, list) and all(isinstance(v, str) for v in data)


def _canonical(payload: object) -> str:
    return json.dumps(payload, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def _num(value: Decimal | None) -> str | None:
    # 1.0 and 1 are the same entry: the digest must not tell them apart.
    return None if value is None else str(value.normalize())


def digest(rubric: ResolvedRubric, assessment: Assessment) -> str:
    """sha256 of everything that decides a score; the source file's name is not part of it."""
    meta = assessment.meta
    payload = {
        "unit": meta.unit.model_dump(mode="json"),
        "rubric": rubric.content_hash,
        "kind": str(meta.kind),
        "round": meta.round,
        "date": meta.date.isoformat() if meta.date else None,
        "inspectors": list(meta.inspectors),
        "items": sorted(
            [i.code, i.result, _num(i.count), _num(i.measured), _num(i.score), i.note, i.evidence]
            for i in assessment.items
        ),
        "bonus": sorted([b.code, b.note] for b in assessment.bonus),
    }
    if assessment.penalties:  # only then: the digests of assessments without them stay as they were
        payload["penalties"] = sorted([p.code, _num(p.count), p.note] for p in assessment.penalties)
    return hashlib.sha256(_canonical(payload).encode("utf-8")).hexdigest()


# --- rubric snapshots -------------------------------------------------------------------


def snapshot(rubric: ResolvedRubric) -> str:
    # exclude_unset, not only exclude_none: resolve() merges `default` with the fields an
    # item entry sets, so a field written as its default value must stay written.
    # Not sorted: the order of a levels item's labels is the order the workbook offers them.
    dump = {"exclude_unset": True, "mode": "json", "by_alias": True}
    snap = {"standard": rubric.standard.model_dump(**dump), "rubric": rubric.rubric.model_dump(**dump)}
    return json.dumps(snap, ensure_ascii=False, separators=(",", ":"))


def rubric_from_snapshot(text: str, expected_hash: str) -> ResolvedRubric:
    data = json.loads(text)
    resolved, problems = resolve(
        Standard.model_validate(data["standard"]), Rubric.model_validate(data["rubric"])
    )
    if resolved is None or resolved.content_hash != expected_hash:
        raise StoreIntegrityError(
            f"评分细则版本 {expected_hash[:12]} 的存档无法还原（{problems or '内容摘要不一致'}）"
        )
    return resolved


def rubric_row(rubric: ResolvedRubric, now: dt.datetime) -> RubricVersionRow:
    return RubricVersionRow(
        hash=rubric.content_hash,
        rubric_id=rubric.id,
        standard_id=rubric.standard.id,
        title=rubric.info.title,
        snapshot=snapshot(rubric),
        first_imported_at=now,
    )


# --- assessments ------------------------------------------------------------------------


def unit_values(unit: Unit) -> dict[str, str]:
    return unit.model_dump()


@dataclass(frozen=True, slots=True)
class Encoded:
    """One assessment as the store's rows hold it, ready for ``executemany``: the
    assessments row (no id yet) and its item and bonus rows (no assessment_id yet)."""

    assessment: dict[str, object]
    items: list[dict[str, object]]
    bonus: list[dict[str, object]]


def encode(
    assessment: Assessment,
    card: ScoreCard,
    *,
    source_name: str,
    source_sha256: str,
    digest: str,
    now: dt.datetime,
) -> Encoded:
    meta = assessment.meta
    inputs = {i.code: i for i in assessment.items}
    row = {
        "unit_code": meta.unit.code,
        "round": meta.round,
        "kind": str(meta.kind),
        "date": meta.date,
        "inspectors": list(meta.inspectors),
        "rubric_id": card.rubric_id,
        "rubric_hash": card.rubric_hash,
        "source_name": source_name,
        "source_sha256": source_sha256,
        "digest": digest,
        "imported_at": now,
        "superseded": False,
        "superseded_by": None,
        **_totals(card),
        "penalty_claims": [[p.code, _num(p.count), p.note] for p in assessment.penalties] or None,
    }
    bonus = [{"code": b.code, "position": i, "note": b.note} for i, b in enumerate(assessment.bonus)]
    return Encoded(row, _item_rows(card, inputs), bonus)


def _item_rows(card: ScoreCard, inputs: dict[str, ItemInput]) -> list[dict[str, object]]:
    """One row per scored item, each followed by its input rows (a trigger's or criterion's
    ``2.4/1``: kept as entered, with no score of their own)."""
    parts: dict[str, list[ItemInput]] = {}
    for code, entry in inputs.items():
        base, slash, _ = code.partition("/")
        if slash:
            parts.setdefault(base, []).append(entry)
    rows: list[dict[str, object]] = []
    for score in card.items:
        entry = inputs.get(score.code)
        rows.append(_item_row(len(rows), entry or ItemInput(score.code), entry is not None, score))
        rows.extend(_item_row(len(rows), part, True, None) for part in parts.get(score.code, ()))
    return rows


PART_STATUS = "分项"
_ZERO = Decimal(0)


def _item_row(position: int, given: ItemInput, has_input: bool, score: ItemScore | None) -> dict[str, object]:
    """An item's row; an input row under an item (``score`` None) earns nothing of its own."""
    return {
        "code": given.code,
        "position": position,
        "has_input": has_input,
        "result": given.result,
        "count": given.count,
        "measured": given.measured,
        "score_input": given.score,
        "note": given.note,
        "evidence": given.evidence,
        "earned": _ZERO if score is None else score.earned,
        "possible": _ZERO if score is None else score.possible,
        "status": PART_STATUS if score is None else str(score.status),
    }


def check_round_trip(encoded: Encoded, assessment: Assessment) -> None:
    """Refuse to store what would not read back as the assessment it came from: the rows,
    decoded as reading decodes them, must give its meta, inputs and claims again. An item
    is compared as the tuple the decoder builds its ItemInput from — the same comparison
    as of the ItemInputs, without building three hundred of them per file."""
    row = encoded.assessment
    back = _assessment(row, (), encoded.bonus, assessment.meta.unit)
    stored = {entry[0]: entry for entry in map(_entered, encoded.items) if entry is not None}
    given = {entry[0]: entry for entry in map(_COMPARED, assessment.items)}
    if _inputs(back) != _inputs(assessment) or stored != given:
        raise StoreIntegrityError(
            f"单位 {row['unit_code']}（{row['round']}，{row['kind']}）的评估存入后无法原样读回，未导入。"
            "这是程序缺陷，请报告给维护者。"
        )


def _inputs(a: Assessment) -> tuple:
    # Where each came from (the cells) is not kept: only what was entered must come back.
    return (
        a.meta,
        [(b.code, b.note) for b in a.bonus],
        [(p.code, p.count, p.note) for p in a.penalties],
    )


# The item columns that hold what was entered, in the order of ItemInput's compared fields:
# the decoder builds an ItemInput from them, and check_round_trip compares them as they are.
_INPUT_COLUMNS = ("code", "result", "count", "measured", "score_input", "note", "evidence")
_INPUT_FIELDS = tuple(f.name for f in fields(ItemInput) if f.compare)
assert len(_INPUT_FIELDS) == len(_INPUT_COLUMNS), "ItemInput gained a field the store does not keep"
_COMPARED = attrgetter(*_INPUT_FIELDS)
_COLUMNS = itemgetter(*_INPUT_COLUMNS)


def _entered(row: Mapping) -> tuple | None:
    """What was entered in an item row, or None for an item the workbook had no row for."""
    return _COLUMNS(row) if row["has_input"] else None


# The keys of every _item_row, in the order its dict (and so item_tuples) has them.
ITEM_COLUMNS = (*_item_row(0, ItemInput(""), False, None), "assessment_id")


def item_tuples(encoded: Encoded, assessment_id: int) -> list[tuple]:
    """The item rows as the driver takes them, in ITEM_COLUMNS order (a Decimal as it is:
    psycopg binds it as NUMERIC, and SQLite as its text, by ``connect``'s adapter)."""
    return [(*row.values(), assessment_id) for row in encoded.items]


def assessment_of(row: AssessmentRow, unit: Unit) -> Assessment:
    """The Assessment that was imported, rebuilt from its rows."""
    items = (_Columns(i) for i in row.items if i.has_input)
    return _assessment(_Columns(row), items, map(_Columns, row.bonus_claims), unit)


class _Columns(Mapping):
    """An ORM row read like the mappings :func:`encode` writes: one decoder for both."""

    __slots__ = ("_row",)

    def __init__(self, row: object):
        self._row = row

    def __getitem__(self, name: str) -> object:
        return getattr(self._row, name)

    def __iter__(self):
        raise NotImplementedError  # only looked up by name

    def __len__(self) -> int:
        raise NotImplementedError


def _assessment(row: Mapping, items: Iterable[Mapping], bonus: Iterable[Mapping], unit: Unit) -> Assessment:
    meta = AssessmentMeta(
        unit=unit,
        rubric=row["rubric_id"],
        kind=Kind(row["kind"]),
        round=row["round"],
        date=row["date"],
        inspectors=tuple(row["inspectors"]),
    )
    inputs = tuple(ItemInput(*_COLUMNS(i)) for i in items)
    claims = tuple(BonusClaim(b["code"], b["note"]) for b in bonus)
    penalties = tuple(
        PenaltyClaim(code, None if count is None else Decimal(count), note)
        for code, count, note in row["penalty_claims"] or ()
    )
    return Assessment(meta, inputs, claims, source=row["source_name"], penalties=penalties)


def unit_of(row: UnitRow) -> Unit:
    return Unit(code=row.code, name=row.name, type=row.type, city=row.city, district=row.district)


def rescore(rubric: ResolvedRubric, row: AssessmentRow, unit: Unit) -> ScoreCard:
    """Score the stored inputs again; the totals must be the ones recorded at import."""
    card, findings = evaluate(rubric, assessment_of(row, unit), allow_incomplete=True)
    differences = [] if card is None else _differences(card, row)
    if card is None or differences:
        why = "；".join(differences) or "；".join(str(f) for f in findings)
        raise StoreIntegrityError(
            f"历史库中第 {row.id} 号评估（单位 {row.unit_code}，{row.round}，{row.kind}）重新计分的结果"
            f"与导入时记录的不一致：{why}。历史库可能被手工改动过；若没有，这是程序缺陷，请报告给维护者。"
        )
    return card


def _differences(card: ScoreCard, row: AssessmentRow) -> list[str]:
    recorded = {name: getattr(row, name) for name in (*TOTALS, "passed", "grade", "bonus", "penalty")}
    if recorded["penalty"] is None:  # stored before penalties existed
        recorded["penalty"] = Decimal(0)
    computed = _totals(card)
    recorded |= {
        f"item {i.code}": (i.earned, i.possible, i.status) for i in row.items if i.status != PART_STATUS
    }
    computed |= {f"item {i.code}": (i.earned, i.possible, str(i.status)) for i in card.items}
    return [
        f"{name} 记录为 {recorded.get(name)}，重算为 {computed.get(name)}"
        for name in sorted(recorded.keys() | computed.keys())
        if recorded.get(name) != computed.get(name)
    ]
