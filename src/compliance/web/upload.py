"""Uploads: one or many filled workbooks, all checked before any is stored (as
``compliance import``): any error in any file, a clash between two files, or a workbook
for a unit, round and kind already stored with other content, and nothing is stored."""

from __future__ import annotations

import dataclasses
import re
import tempfile
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

from compliance.findings import ComplianceError, Finding
from compliance.intake import FileCheck, Scored, check_file, clashes
from compliance.numbers import fmt
from compliance.scoring import Kind
from compliance.store import ImportOutcome, ImportRequest
from compliance.store.accounts import Action, Role, User
from compliance.web.state import AppState
from compliance.workbook import layout

_UNSAFE = re.compile(r"[\x00-\x1f\x7f/\\:*?\"<>|]")


def safe_filename(raw: str | None, n: int) -> str:
    """The base name the user's browser sent, made harmless; never a path."""
    name = unicodedata.normalize("NFKC", raw or "").replace("\\", "/").rsplit("/", 1)[-1]
    name = _UNSAFE.sub("_", name).strip(" .")[:120]
    return name or f"未命名{n}.xlsx"


@dataclass
class UploadResult:
    files: list[FileCheck]
    problems: list[str] = field(default_factory=list)  # refusals of the batch as a whole
    stored: list[tuple[Scored, ImportOutcome]] = field(default_factory=list)

    @property
    def error_count(self) -> int:
        return sum(len(f.errors) for f in self.files) + len(self.problems)

    @property
    def status_code(self) -> int:
        if self.stored:
            return 200
        return 422 if any(f.errors for f in self.files) or not self.files else 409

    def to_json(self) -> dict:
        """``stored``, the stored assessments as ``compliance import --json`` prints them,
        and the findings of every file (``where`` is ``文件!工作表!单元格``)."""
        return {
            "stored": bool(self.stored),
            "assessments": [
                {
                    "file": s.name,
                    "outcome": o.status.name.lower(),
                    "assessment_id": o.assessment_id,
                    "replaced_id": o.replaced_id,
                    **s.card.to_json(),
                }
                for s, o in self.stored
            ],
            "files": [
                {
                    "file": f.name,
                    "size": f.size,
                    "sha256": f.sha256,
                    "findings": [
                        {
                            "where": x.where,
                            "cell": x.cell,
                            "severity": "error" if x.is_error else "warning",
                            "message": x.message,
                        }
                        for x in f.findings
                    ],
                }
                for f in self.files
            ],
            "problems": self.problems,
        }


def _squad_limits(check: FileCheck, user: User) -> FileCheck:
    """A squad uploads its own unit's 自评 only; anything else is an error of the file."""
    if user.role is not Role.SQUAD or not check.ok:
        return check
    wrong = [
        Finding(
            check.name,
            f"中队账号只能上传本单位（{user.unit_code}）的自评检查表；此表是 "
            f"{s.assessment.meta.unit.code} {s.assessment.meta.unit.name} 的{s.assessment.meta.kind}",
            cell=layout.INFO_SHEET,
        )
        for s in check.scored
        if s.assessment.meta.unit.code != user.unit_code or s.assessment.meta.kind is not Kind.SELF
    ]
    if not wrong:
        return check
    return dataclasses.replace(check, scored=(), findings=(*check.findings, *wrong))


def receive(
    state: AppState,
    user: User,
    files: list[tuple[str | None, bytes]],
    *,
    replace: bool = False,
    remote: str | None = None,
) -> UploadResult:
    """Check every file, then store every assessment, or store nothing and say why."""
    checks = []
    with tempfile.TemporaryDirectory(dir=state.cache) as folder:
        for n, (raw_name, data) in enumerate(files, start=1):
            name = safe_filename(raw_name, n)
            path = Path(folder) / str(n) / name
            path.parent.mkdir()
            path.write_bytes(data)
            check = check_file(path, state.catalog, name=name, units=state.units_file)
            checks.append(_squad_limits(check, user))
    result = UploadResult(checks)
    if not checks:
        result.problems.append("没有收到文件：请选择一个或多个 .xlsx 检查表")
    scored = [s for c in checks for s in c.scored]
    if not result.error_count:
        result.problems += clashes(scored)
    if not result.error_count and not replace:
        result.problems += [m for s in scored if (m := state.store.conflict(s.rubric, s.assessment, s.name))]
    if not result.error_count:
        stored = []
        try:
            with state.store.importing(replace=replace) as batch:  # all of them, or none
                for s in scored:
                    request = ImportRequest(s.rubric, s.assessment, s.card, s.name, s.sha256)
                    stored.append((s, batch.add(request)))
            result.stored += stored
        except ComplianceError as exc:  # another upload stored this unit, round and kind meanwhile
            result.problems.append(str(exc))
    _record(state, user, result, remote)
    return result


def _record(state: AppState, user: User, result: UploadResult, remote: str | None) -> None:
    stored = {id(s): o for s, o in result.stored}
    for check in result.files:
        lines = [f"文件“{check.name}”（{check.size} 字节，SHA-256 {check.sha256[:16]}）"]
        done = [(s, stored[id(s)]) for s in check.scored if id(s) in stored]
        for s, o in done:
            m = s.card.meta
            lines.append(
                f"{o.status}：{m.unit.code} {m.unit.name} {m.round} {m.kind} 得分 "
                f"{fmt(s.card.final, s.card.precision)}（评估记录 {o.assessment_id}）"
            )
        if check.errors:
            lines.append(f"{len(check.errors)} 个错误，未导入")
        elif not done:
            lines.append("未导入：" + "；".join(result.problems or ["同批其他文件有错误"]))
        state.accounts.record(Action.UPLOAD, user.name, ok=bool(done), detail="\n".join(lines), remote=remote)
