"""Faults around the real command line: killed imports, read-only stores and folders, a full
disk, and several importers at once. After each, the store opens, holds only whole
assessments, and a rerun finishes the job.

Held elsewhere, not repeated: an importer killed inside its transaction, two library-level
writers, a read-only store opened by the library (tests/test_store_processes.py), and
SQLITE_FULL forced with ``PRAGMA max_page_count`` (tests/test_store.py).
"""

from __future__ import annotations

import hashlib
import os
import shutil
import signal
import sqlite3
import subprocess
import time
from pathlib import Path

import pytest
from test_workbook_support import checklist, info_rows

from compliance.catalog import Catalog
from compliance.store import Store
from compliance.units import Unit

TESTS = Path(__file__).resolve().parent
ROOT = TESTS.parent
DATA = TESTS / "data"
COMPLIANCE = ROOT / ".venv" / "bin" / "compliance"
SEARCH = ["--standards", str(DATA), "--rubrics", str(DATA)]
ROUND = "2024年度"
BOOKS = 40


@pytest.fixture(scope="module")
def books(tmp_path_factory) -> list[Path]:
    """Filled checklists of BOOKS different units (not in any units list: none is needed)."""
    folder = tmp_path_factory.mktemp("books")
    rubric = Catalog(standard_dirs=[DATA], rubric_dirs=[DATA]).rubric("mini-2024-street")
    paths = []
    for n in range(BOOKS):
        unit = Unit(
            code=f"3206{n:05d}",
            name=f"第{n}街道综合执法队",
            type="街道综合执法队",
            city="南通市",
            district="崇川区",
        )
        paths.append(checklist(folder / f"{unit.code}.xlsx", rubric, info=info_rows(rubric, unit)))
    return paths


def compliance(*args, prefix: list[str] = (), **kw) -> subprocess.CompletedProcess:
    done = subprocess.run(
        [*prefix, str(COMPLIANCE), *map(str, args)], capture_output=True, text=True, timeout=300, **kw
    )
    assert "Traceback" not in done.stderr and "内部错误" not in done.stderr, done.stderr
    return done


def whole(db: Path) -> int:
    """Checks the store file is sound and every assessment in it complete; returns how many."""
    with sqlite3.connect(db) as connection:
        assert connection.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        counts = connection.execute(
            "SELECT a.id, count(i.code) FROM assessments a LEFT JOIN item_results i ON i.assessment_id = a.id "
            "GROUP BY a.id"
        ).fetchall()
        orphans = connection.execute(
            "SELECT count(*) FROM item_results WHERE assessment_id NOT IN (SELECT id FROM assessments)"
        ).fetchone()
    assert orphans == (0,)
    assert {n for _, n in counts} <= {7}, counts  # the mini rubric has 7 scored items
    with Store.open(str(db)) as store:
        cards = store.cards("2024")  # ROUND, as stored: its canonical label
        assert all(card.final == 80 for card in cards)  # GOOD filling: 77 + 3
        return len(cards)


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


# --- killed midway ---------------------------------------------------------------------------


@pytest.mark.parametrize("kill_after", [1, 9, 27, 0.05, 0.4])
def test_an_import_killed_midway_leaves_whole_assessments_and_a_rerun_finishes(tmp_path, books, kill_after):
    """``kill_after``: SIGKILL after that many stored lines (int), or that many seconds (float),
    which lands anywhere: reading the files, opening the store, inside a transaction."""
    db = tmp_path / "h.db"
    process = subprocess.Popen(
        [str(COMPLIANCE), "import", *map(str, books), "--db", str(db), *SEARCH],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    if isinstance(kill_after, float):
        time.sleep(kill_after)
    else:
        stored = 0
        for line in process.stdout:
            stored += line.startswith("已导入")
            if stored == kill_after:
                break
    process.send_signal(signal.SIGKILL)
    process.wait(timeout=30)
    if process.returncode != -signal.SIGKILL:
        pytest.skip("the import finished before the kill")
    before = whole(db) if db.exists() else 0
    assert isinstance(kill_after, float) or before >= kill_after

    done = compliance("import", *books, "--db", db, *SEARCH)
    assert done.returncode == 0, done.stderr
    assert f"新导入 {BOOKS - before}，替换 0，跳过 {before}" in done.stdout
    assert whole(db) == BOOKS


# --- several importers at once ----------------------------------------------------------------


def test_three_importers_with_overlapping_files_into_one_new_store_lose_nothing(tmp_path, books):
    db = tmp_path / "h.db"
    batches = [books[0:20], books[10:30], books[20:40]]
    processes = [
        subprocess.Popen(
            [str(COMPLIANCE), "import", *map(str, batch), "--db", str(db), *SEARCH],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for batch in batches
    ]
    outputs = [p.communicate(timeout=300) for p in processes]
    for process, (_stdout, stderr) in zip(processes, outputs, strict=True):
        assert process.returncode == 0, stderr
        assert "Traceback" not in stderr and "locked" not in stderr
    assert whole(db) == BOOKS
    stored = sum(out.count("已导入：") for out, _ in outputs)
    skipped = sum(out.count("已导入，跳过：") for out, _ in outputs)
    assert stored == BOOKS and stored + skipped == 60


# --- read-only store, read-only folders ----------------------------------------------------------


def unprivileged() -> list[str]:
    """A command prefix under which file permissions hold, even for root."""
    if os.geteuid() != 0:
        return []
    setpriv = shutil.which("setpriv")
    if setpriv is None:
        pytest.skip("running as root without setpriv: root ignores file permissions")
    return [setpriv, "--bounding-set", "-dac_override,-dac_read_search", "--inh-caps=-all"]


@pytest.fixture
def one_stored(tmp_path, books) -> Path:
    folder = tmp_path / "store"
    folder.mkdir()
    db = folder / "h.db"
    done = compliance("import", books[0], "--db", db, *SEARCH)
    assert done.returncode == 0, done.stderr
    return db


@pytest.mark.parametrize("read_only", ["file", "folder"])
def test_importing_into_a_read_only_store_is_a_clear_error_and_changes_nothing(one_stored, books, read_only):
    db = one_stored
    before = digest(db)
    target = db if read_only == "file" else db.parent
    mode = target.stat().st_mode
    target.chmod(0o555 if read_only == "folder" else 0o444)
    try:
        done = compliance("import", books[1], "--db", db, *SEARCH, prefix=unprivileged())
    finally:
        target.chmod(mode)
    assert done.returncode == 1, done.stdout + done.stderr
    assert str(db) in done.stderr and ("只读" in done.stderr or "写权限" in done.stderr), done.stderr
    assert digest(db) == before
    assert whole(db) == 1


def test_reports_into_a_read_only_folder_are_a_clear_error(one_stored, tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    out.chmod(0o555)
    try:
        results = [
            compliance(*args, "--round", ROUND, "--db", one_stored, "-o", out, prefix=unprivileged())
            for args in (["rank"], ["report", "--all"])
        ]
    finally:
        out.chmod(0o755)
    for done in results:
        assert done.returncode == 1, done.stdout + done.stderr
        assert "无法读写文件" in done.stderr and str(out) in done.stderr, done.stderr
    assert list(out.iterdir()) == []


def test_a_template_into_a_read_only_folder_is_a_clear_error(tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    out.chmod(0o555)
    try:
        done = subprocess.run(
            [*unprivileged(), str(COMPLIANCE), "template", "--rubric", "mini-2024-street", "--units",
             str(DATA / "good_units.yaml"), "--unit", "320602001", "--round", ROUND, "-o", str(out / "t.xlsx"), *SEARCH],
            capture_output=True, text=True, timeout=120,
        )  # fmt: skip
    finally:
        out.chmod(0o755)
    assert done.returncode == 1 and "内部错误" not in done.stderr, done.stderr
    assert str(out) in done.stderr


# --- a full disk ------------------------------------------------------------------------------------

FULL_DISK = r"""
set -u
mount -t tmpfs -o size=4m tmpfs "$DISK" || exit 99
run() { "$COMPLIANCE" "$@"; echo "exit=$?"; }
run import "$FIRST" --db "$DISK/h.db" $SEARCH                       >"$LOG/1-first.txt" 2>&1
avail=$(df -k --output=avail "$DISK" | tail -1)
dd if=/dev/zero of="$DISK/filler" bs=1k count=$((avail - FREE_KB)) 2>/dev/null
dd if=/dev/zero of="$DISK/filler2" bs=1k 2>/dev/null  # the rest, in case df rounded
[ "$FREE_KB" -gt 0 ] && rm -f "$DISK/filler2"
run import $REST --db "$DISK/h.db" $SEARCH                   >"$LOG/2-full.txt" 2>&1
run report --round "$ROUND" --all --db "$DISK/h.db" -o "$DISK/out" >"$LOG/3-report.txt" 2>&1
ls -a "$DISK/out" >"$LOG/4-out.txt" 2>&1
cp "$DISK"/h.db* "$LOG/"
rm -f "$DISK/filler" "$DISK/filler2"
run rank --round "$ROUND" --json --db "$DISK/h.db"           >"$LOG/5-after.txt" 2>&1
run import $REST --db "$DISK/h.db" $SEARCH                   >"$LOG/6-rerun.txt" 2>&1
umount "$DISK"
"""


@pytest.mark.parametrize("free_kb", [0, 72], ids=["full-before", "full-midway"])
def test_a_full_disk_is_a_clear_error_and_the_store_keeps_its_content(tmp_path, books, free_kb):
    """A 4 MB tmpfs in a private mount namespace (unshare; as root or with user namespaces),
    full before the import starts, or with room for only a few assessments: the second
    import stores nothing of its batch either way, and a re-run stores all of it."""
    unshare = shutil.which("unshare")
    if unshare is None:
        pytest.skip("no unshare: tests/test_store.py forces SQLITE_FULL with max_page_count instead")
    disk, log = tmp_path / "disk", tmp_path / "log"
    disk.mkdir()
    log.mkdir()
    env = {
        **os.environ,
        "DISK": str(disk),
        "LOG": str(log),
        "FREE_KB": str(free_kb),
        "COMPLIANCE": str(COMPLIANCE),
        "SEARCH": " ".join(SEARCH),
        "FIRST": str(books[0]),
        "REST": " ".join(map(str, books[1:])),
        "ROUND": ROUND,
    }
    prefix = [unshare, "-m"] if os.geteuid() == 0 else [unshare, "-r", "-m"]
    done = subprocess.run(
        [*prefix, "bash", "-c", FULL_DISK], env=env, capture_output=True, text=True, timeout=300
    )
    if done.returncode == 99 or "unshare failed" in done.stderr:
        pytest.skip(f"cannot mount a tmpfs here ({done.stderr.strip()}): see tests/test_store.py")
    step = {p.stem: p.read_text(encoding="utf-8") for p in log.glob("*.txt")}
    assert step["1-first"].endswith("exit=0\n"), step["1-first"]
    for name in ("2-full", "3-report"):
        text = step[name]
        assert text.endswith("exit=1\n") and "Traceback" not in text and "内部错误" not in text, text
    assert f"磁盘空间已满，无法写入历史库 {disk / 'h.db'}" in step["2-full"], step["2-full"]
    assert "No space left" in step["3-report"] or "磁盘" in step["3-report"], step["3-report"]
    assert not any(name.endswith(".pdf") for name in step["4-out"].split()), step["4-out"]
    # One batch, one transaction: full before or midway, none of the batch is stored.
    assert "已导入：" not in step["2-full"], step["2-full"]
    stored = 1
    assert whole(log / "h.db") == stored
    assert step["5-after"].endswith("exit=0\n") and step["5-after"].count('"code": "3206') == stored
    assert step["6-rerun"].endswith("exit=0\n"), step["6-rerun"]
    assert f"新导入 {BOOKS - stored}，替换 0，跳过 {stored - 1}" in step["6-rerun"], step["6-rerun"]
