"""Regenerate the golden HTML files of the reports (tests/golden/*.html).

    .venv/bin/python scripts/regen_golden.py

Run it after an intended change to a report template or its data, then read the diff
(`git diff tests/golden`) before committing: the diff is the change a user will see.
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

from test_reports import GOLDEN, golden_documents, normalise  # noqa: E402


def main() -> int:
    GOLDEN.mkdir(parents=True, exist_ok=True)
    for name, html in golden_documents().items():
        path = GOLDEN / name
        text = normalise(html)
        changed = not path.exists() or path.read_text("utf-8") != text
        path.write_text(text, "utf-8")
        print(f"{'已更新' if changed else '未变化'}：{path.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
