"""The store across processes: killed importers, concurrent writers, file permissions."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import conftest_store
import pytest
from conftest_store import make, mini_rubric, put
from sqlalchemy import create_engine, text

from compliance.catalog import Catalog
from compliance.store import Store

# The shared fixtures (a module-level name is what makes pytest see a fixture).
store_url = conftest_store.store_url

TESTS = Path(__file__).resolve().parent
ROOT = TESTS.parent

# A child process: imports COUNT assessments of units PREFIX000.. into URL. With "hang",
# the import after those stops inside its transaction, its rows written, and waits to die.
CHILD = textwrap.dedent(
    """
    import sys, time
    sys.path.insert(0, {tests!r})
    from sqlalchemy import Engine, event
    from compliance.catalog import Catalog
    from compliance.store import Store
    from conftest_store import make, mini_rubric, put

    url, prefix, count, mode = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
    rubric = Catalog().rubric("jiangsu-2018-street") if mode == "hang" else mini_rubric()

    def hang(_conn, _cursor, statement, *_args):
        if statement.lstrip().upper().startswith("INSERT INTO ITEM_RESULTS"):
            print("midway", flush=True)
            time.sleep(60)

    with Store.open(url) as store:
        for n in range(count + (mode == "hang")):
            if n == count:
                event.listen(Engine, "after_cursor_execute", hang)
            put(store, rubric, *make(rubric, f"{{prefix}}{{n:03d}}", seed=n))
            print("stored", n, flush=True)
    """
).format(tests=str(TESTS))


def child(url: str, prefix: str, count: int, mode: str = "plain") -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-c", CHILD, url, prefix, str(count), mode],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def rows(url: str, sql: str) -> list[tuple]:
    engine = create_engine(url)
    with engine.connect() as connection:
        result = [tuple(r) for r in connection.execute(text(sql))]
    engine.dispose()
    return result


def test_an_importer_killed_midway_leaves_no_partial_assessment(store_url):
    process = child(store_url, "3206", 3, "hang")
    lines = []
    for line in process.stdout:
        lines.append(line.strip())
        if line.startswith("midway"):
            process.send_signal(signal.SIGKILL)
            break
    process.wait(timeout=30)
    assert lines[-1] == "midway", process.stderr.read()
    assert process.returncode == -signal.SIGKILL

    with Store.open(store_url) as store:  # also: the killed writer's lock is gone
        assert store.assessment_count() == 3
        cards = store.cards("2019年第一轮")
        per_assessment = rows(
            store_url,
            "SELECT a.id, count(i.code) FROM assessments a LEFT JOIN item_results i ON i.assessment_id = a.id "
            "GROUP BY a.id",
        )
        orphans = rows(
            store_url,
            "SELECT count(*) FROM item_results WHERE assessment_id NOT IN (SELECT id FROM assessments)",
        )
        scored = len(Catalog(cwd=ROOT).rubric("jiangsu-2018-street").items)
        assert [n for _, n in per_assessment] == [len(cards[0].items)] * 3 == [scored] * 3
        assert orphans == [(0,)]
        rubric = mini_rubric()
        put(store, rubric, *make(rubric, "3206999"))


def test_two_processes_importing_into_one_store_store_everything(store_url):
    # Both open a store that does not exist yet, then write 50 assessments each.
    writers = [child(store_url, prefix, 50) for prefix in ("32060", "32061")]
    results = [w.communicate(timeout=120) for w in writers]
    for writer, (stdout, stderr) in zip(writers, results, strict=True):
        assert writer.returncode == 0, stderr
        assert "locked" not in stderr and stdout.count("stored") == 50
    with Store.open(store_url) as store:
        assert store.assessment_count() == 100
        assert len(store.units()) == 100


def _without_file_permission_override() -> list[str]:
    """A command prefix under which file permissions hold, even for root."""
    if os.geteuid() != 0:
        return []
    setpriv = shutil.which("setpriv")
    if setpriv is None:
        pytest.skip("running as root without setpriv: root ignores file permissions")
    return [setpriv, "--bounding-set", "-dac_override,-dac_read_search", "--inh-caps=-all"]


@pytest.mark.parametrize("read_only", ["file", "folder"])
def test_a_read_only_store_serves_reads_and_refuses_writes_clearly(tmp_path, read_only):
    path = tmp_path / "history.db"
    rubric = mini_rubric()
    with Store.open(str(path)) as store:
        put(store, rubric, *make(rubric))
    before = path.read_bytes()
    path.chmod(0o444)
    if read_only == "folder":
        path.chmod(0o644)
        tmp_path.chmod(0o555)
    probe = (
        "import sys\nfrom conftest_store import make, mini_rubric, put\n"
        "from compliance.findings import ComplianceError\nfrom compliance.store import Store\n"
        "store = Store.open(sys.argv[1])\n"
        "print('read', store.assessment_count(), len(store.cards('2019年第一轮')), store.rounds())\n"
        "rubric = mini_rubric()\n"
        "try:\n    put(store, rubric, *make(rubric, '320602999'))\n"
        "except ComplianceError as exc:\n    print(exc)\n"
    )
    try:
        done = subprocess.run(
            [*_without_file_permission_override(), sys.executable, "-c", probe, str(path)],
            capture_output=True,
            text=True,
            timeout=60,
            cwd=Path(__file__).parent,
        )
    finally:
        tmp_path.chmod(0o755)
        path.chmod(0o644)
    assert done.returncode == 0 and "Traceback" not in done.stderr, done.stderr
    assert "read 1 1 ['2019年第一轮']" in done.stdout, done.stdout
    assert str(path) in done.stdout and "只读" in done.stdout, done.stdout
    assert path.read_bytes() == before
