"""What every request of one worker shares: the open store, its accounts, the catalog of
standards and rubrics, the optional targets and units list, and a cache of rendered files."""

from __future__ import annotations

import tempfile
import threading
from dataclasses import dataclass, field
from pathlib import Path

from compliance.catalog import Catalog, load_targets
from compliance.reports.assemble import RubricFor, stored_rubrics
from compliance.store import Store
from compliance.store.accounts import Accounts, new_secret
from compliance.targets import Targets
from compliance.units import Unit, UnitsFile
from compliance.web.config import WebConfig
from compliance.workbook import load_units_file

SECRET_SETTING = "web.session_secret"
MEMO_SIZE = 256  # pages' data kept per worker
PDF_AT_ONCE = 2  # WeasyPrint is CPU-bound: more renders at once only make each slower


@dataclass
class AppState:
    config: WebConfig
    store: Store
    accounts: Accounts
    catalog: Catalog
    targets: Targets | None
    units_file: UnitsFile | None
    cache: Path
    renders: threading.BoundedSemaphore
    _memo: dict = field(default_factory=dict)
    _memo_lock: threading.Lock = field(default_factory=threading.Lock)

    @classmethod
    def open(cls, config: WebConfig) -> AppState:
        store = Store.open(config.db)
        try:
            targets = load_targets(config.path(config.targets)) if config.targets else None
            units_file = load_units_file(config.path(config.units)) if config.units else None
        except BaseException:
            store.close()
            raise
        catalog = Catalog(
            standard_dirs=tuple(config.path(d) for d in config.standards),
            rubric_dirs=tuple(config.path(d) for d in config.rubrics),
            cwd=Path(config.cwd),
        )
        cache = Path(tempfile.mkdtemp(prefix="compliance-web-"))
        return cls(
            config,
            store,
            Accounts(store),
            catalog,
            targets,
            units_file,
            cache,
            threading.BoundedSemaphore(PDF_AT_ONCE),
        )

    def memo(self, key: tuple, build, *, whole_store: bool = True):
        """``build()``, kept while the store's current assessments stay the same (or, with
        ``whole_store=False``, while ``key`` itself says everything it depends on): pages
        and their charts are drawn once per change, not once per request."""
        if whole_store:
            key = (*key, self.store.fingerprint())
        with self._memo_lock:
            if key in self._memo:
                self._memo[key] = self._memo.pop(key)  # most recently used last
                return self._memo[key]
        value = build()
        with self._memo_lock:
            self._memo[key] = value
            while len(self._memo) > MEMO_SIZE:
                self._memo.pop(next(iter(self._memo)))
        return value

    def secret(self) -> str:
        return self.config.secret or self.accounts.setting(SECRET_SETTING, new_secret())

    @property
    def rubric_for(self) -> RubricFor:
        return stored_rubrics(self.store)

    def roster(self) -> list[Unit]:
        """Every unit known: those in the store, and those of the units list not yet assessed."""
        units = {u.code: u for u in (self.units_file.units if self.units_file else ())}
        units.update((u.code, u) for u in self.store.units())
        return [units[code] for code in sorted(units)]

    def close(self) -> None:
        self.store.close()
