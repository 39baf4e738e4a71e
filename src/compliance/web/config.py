"""What ``compliance serve`` was started with; passed to every worker as one JSON value."""

from __future__ import annotations

import json
import os
from dataclasses import asdict, dataclass, field
from pathlib import Path

ENV = "COMPLIANCE_WEB_CONFIG"
MB = 1024 * 1024


@dataclass(frozen=True)
class WebConfig:
    db: str
    targets: str | None = None  # targets.yaml: the progress page and the overview's milestone
    units: str | None = None  # units.yaml: units that may have no assessment yet (blank workbooks)
    standards: tuple[str, ...] = ()
    rubrics: tuple[str, ...] = ()
    max_upload_bytes: int = 20 * MB  # one request, all its files together
    max_files: int = 50
    secure_cookies: bool = False  # behind HTTPS: the session cookie is sent over HTTPS only
    session_hours: int = 8
    secret: str | None = None  # the session-signing key; default: one kept in the store
    cwd: str = field(default_factory=os.getcwd)  # where ./standards and ./rubrics are looked up

    def to_env(self) -> str:
        return json.dumps(asdict(self), ensure_ascii=False)

    @classmethod
    def from_env(cls) -> WebConfig:
        data = json.loads(os.environ[ENV])
        data["standards"] = tuple(data.get("standards", ()))
        data["rubrics"] = tuple(data.get("rubrics", ()))
        return cls(**data)

    def path(self, value: str) -> Path:
        return Path(self.cwd) / value
