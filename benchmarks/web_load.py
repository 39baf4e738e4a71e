"""Load check of the web app (not a test): N concurrent loopback clients reading and
uploading against a real ``compliance serve``, on SQLite and on PostgreSQL.

    python benchmarks/web_load.py                       # SQLite, 8 clients, 20 s
    python benchmarks/web_load.py --pg URL --workers 2  # also PostgreSQL (an empty database's URL)
    ./scripts/with-postgres.sh .venv/bin/python benchmarks/web_load.py --pg-from-env

Builds a demo-like store (the Nantong squads, two rounds, filled by the demo's own
filling code, imported by the store's import path), starts ``compliance serve`` as a
subprocess on 127.0.0.1, and runs ``--clients`` threads for ``--seconds`` seconds. Each
client logs in (its own session) and loops over a mix: the overview page, a round's
ranking page, ``/api/rank``, a unit page, ``/api/units/CODE/assessments``, and every
``--upload-every``-th request an upload of a filled workbook (the first of each stores,
later ones are checked in full and skipped as already stored). Prints requests/s and
p50/p95 latency per kind and overall, as a markdown table. Bounded: at most 64 clients
and 300 s, loopback only; the first ``--warmup`` seconds are not counted.
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections import defaultdict
from pathlib import Path

import httpx2 as httpx

MAX_CLIENTS, MAX_SECONDS = 64, 300
PASSWORD = "load-test-password"
CLI = str(Path(sys.executable).with_name("compliance"))


def build_store(db: str, folder: Path, units: int) -> tuple[list[str], list[Path]]:
    """Two rounds imported into ``db``; returns the unit codes and a third round's workbooks."""
    from compliance.demo import _sample, checklist, workbook_path
    from compliance.simulate import Programme, half_year_rounds
    from compliance.store import Store
    from compliance.store.accounts import Accounts
    from compliance.workbook import applies

    _, rubric, units_file, _ = _sample()
    squads = [u for u in units_file.units if applies(rubric, u)][:units]
    fillings = Programme(rubric, squads, half_year_rounds(2019, 3), seed=3).fillings()
    spare = []
    with Store.open(db) as store:
        for filling in fillings:
            path = workbook_path(folder, filling)
            path.parent.mkdir(parents=True, exist_ok=True)
            [checked] = checklist((filling, path))
            if filling.round.label == "2020H1":
                spare.append(path)
                continue
            store.import_assessment(
                rubric, checked.assessment, checked.card, source_name=path.name, source_sha256=checked.sha256
            )
        accounts = Accounts(store)
        accounts.add("压测管理员", "管理员", PASSWORD)
    return [u.code for u in squads], spare


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def serve(db: str, port: int, workers: int) -> subprocess.Popen:
    process = subprocess.Popen(
        [CLI, "serve", "--db", db, "--host", "127.0.0.1", "--port", str(port), "--workers", str(workers)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/login", timeout=2).status_code == 200:
                return process
        except httpx.TransportError:
            time.sleep(0.2)
        if process.poll() is not None:
            raise SystemExit(f"compliance serve exited: {process.stderr.read()}")
    process.kill()
    raise SystemExit("compliance serve did not start in 180 s")


def client_loop(
    base: str,
    codes: list[str],
    spare: list[Path],
    span: tuple[float, float],
    upload_every: int,
    seed: int,
    out,
):
    measured_from, until = span
    rng = random.Random(seed)
    with httpx.Client(base_url=base, timeout=60) as http:
        r = http.post("/login", data={"username": "压测管理员", "password": PASSWORD})
        if r.status_code not in (200, 303):
            out.append(("login-failed", 0.0, r.status_code))
            return
        n = 0
        while time.monotonic() < until:
            n += 1
            code = rng.choice(codes)
            if upload_every and n % upload_every == 0:
                path = rng.choice(spare)
                kind, call = (
                    "POST /upload",
                    lambda p=path: http.post(
                        "/upload",
                        files=[("files", (p.name, p.read_bytes()))],
                        headers={"accept": "application/json"},
                    ),
                )
            else:
                kind, url = rng.choice(
                    [
                        ("GET /", "/"),
                        ("GET /rounds/R", "/rounds/2019H2"),
                        ("GET /api/rank", "/api/rank?round=2019H2&kind=考评"),
                        ("GET /units/CODE", f"/units/{code}"),
                        ("GET /api/units/CODE/assessments", f"/api/units/{code}/assessments"),
                    ]
                )
                call = lambda u=url: http.get(u)  # noqa: E731
            start = time.perf_counter()
            response = call()
            # The warm-up (each worker's first rescoring, first charts) is not counted.
            if time.monotonic() >= measured_from:
                out.append((kind, time.perf_counter() - start, response.status_code))


def run_load(base: str, codes, spare, clients: int, seconds: float, upload_every: int, warmup: float) -> list:
    results: list = []
    measured_from = time.monotonic() + warmup
    span = (measured_from, measured_from + seconds)
    threads = [
        threading.Thread(target=client_loop, args=(base, codes, spare, span, upload_every, i, results))
        for i in range(clients)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return [results, time.monotonic() - measured_from]


def p(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))] if ordered else float("nan")


def table(label: str, results: list, elapsed: float) -> str:
    by_kind = defaultdict(list)
    errors = defaultdict(int)
    for kind, seconds, status in results:
        by_kind[kind].append(seconds)
        if status >= 400:
            errors[kind] += 1
    lines = [
        f"\n### {label}: {len(results)} requests in {elapsed:.1f} s = {len(results) / elapsed:.1f} requests/s\n",
        "| request | count | req/s | p50 ms | p95 ms | errors |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    everything = [s for _, s, _ in results]
    for kind in sorted(by_kind):
        v = by_kind[kind]
        lines.append(
            f"| {kind} | {len(v)} | {len(v) / elapsed:.1f} | {statistics.median(v) * 1000:.0f} | "
            f"{p(v, 0.95) * 1000:.0f} | {errors[kind]} |"
        )
    lines.append(
        f"| **all** | {len(everything)} | {len(everything) / elapsed:.1f} | "
        f"{statistics.median(everything) * 1000:.0f} | {p(everything, 0.95) * 1000:.0f} | {sum(errors.values())} |"
    )
    return "\n".join(lines)


def fresh_pg_database(server_url: str) -> tuple[str, callable]:
    from sqlalchemy import create_engine
    from sqlalchemy.engine import make_url

    name = f"web_load_{uuid.uuid4().hex[:8]}"
    admin = create_engine(server_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.exec_driver_sql(f'CREATE DATABASE "{name}"')

    def drop() -> None:
        with admin.connect() as connection:
            connection.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.dispose()

    return make_url(server_url).set(database=name).render_as_string(hide_password=False), drop


def one_backend(label: str, db: str, args, folder: Path) -> str:
    codes, spare = build_store(db, folder, args.units)
    port = free_port()
    process = serve(db, port, args.workers)
    try:
        results, elapsed = run_load(
            f"http://127.0.0.1:{port}",
            codes,
            spare,
            args.clients,
            args.seconds,
            args.upload_every,
            args.warmup,
        )
    finally:
        process.terminate()
        process.wait(timeout=30)
    return table(f"{label}, {args.workers} worker(s), {args.clients} clients", results, elapsed)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--warmup", type=float, default=10, help="seconds of load before measuring starts")
    parser.add_argument("--units", type=int, default=21)
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--upload-every", type=int, default=10, help="every n-th request of a client uploads")
    parser.add_argument("--pg", help="PostgreSQL server URL (a database is created and dropped)")
    parser.add_argument("--pg-from-env", action="store_true", help="take --pg from $COMPLIANCE_TEST_PG_URL")
    parser.add_argument("--no-sqlite", action="store_true")
    args = parser.parse_args()
    if not 1 <= args.clients <= MAX_CLIENTS or not 0 < args.seconds <= MAX_SECONDS:
        parser.error(f"--clients 1–{MAX_CLIENTS}, --seconds up to {MAX_SECONDS}")
    pg = os.environ.get("COMPLIANCE_TEST_PG_URL") if args.pg_from_env else args.pg
    folder = Path(tempfile.mkdtemp(prefix="web-load-"))
    print(f"web load check: {args.units} units, {os.cpu_count()} CPUs, python {sys.version.split()[0]}")
    try:
        if not args.no_sqlite:
            print(one_backend("SQLite", str(folder / "load.db"), args, folder / "sqlite"), flush=True)
        if pg:
            url, drop = fresh_pg_database(pg)
            try:
                print(one_backend("PostgreSQL", url, args, folder / "pg"), flush=True)
            finally:
                drop()
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
