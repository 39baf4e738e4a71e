"""The benchmark runner: our code against the bare libraries, side by side, in one run.

    python benchmarks/run.py                    # full size: 1,000 units × 300 items
    python benchmarks/run.py --tiny             # seconds; CI proves the runner still works
    python benchmarks/run.py --only import --repeat 5
    python benchmarks/run.py --only import --profile   # + a pyinstrument profile of ours

Prints one markdown table (workload | ours | floor | ratio | goal | met?) with the median
of ``--repeat`` repetitions of each measure, ours and its floor measured alternately in
the same run. A workload whose layer is not importable yet shows "n/a" and why. The exit
code is 0 whether goals are met or not (``--strict`` makes a missed goal exit 1); it is 1
when a workload fails with an error.
"""

from __future__ import annotations

import argparse
import contextlib
import gc
import json
import os
import platform
import re
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import floors  # noqa: E402
import generate  # noqa: E402

FULL_UNITS, FULL_ITEMS, FULL_REPORT_UNITS, FULL_REPORT_ITEMS = 1000, 300, 100, 60
TINY_UNITS, TINY_ITEMS, TINY_REPORT_UNITS, TINY_REPORT_ITEMS = 6, 30, 2, 12
WORKLOADS = ("import", "template", "pdf", "report-all", "rerun", "memory", "scoring")


class NotAvailable(Exception):
    """A layer the workload needs is not there (yet): the row says n/a and why."""


# --- measuring --------------------------------------------------------------------------


def timed(fn: Callable[[], Any]) -> tuple[float, Any]:
    gc.collect()
    started = time.perf_counter()
    value = fn()
    return time.perf_counter() - started, value


def cpu_timed(fn: Callable[[], Any]) -> tuple[float, float, float]:
    """(wall, this process's CPU, CPU of the child processes that ended meanwhile) seconds."""
    gc.collect()
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    started, cpu = time.perf_counter(), time.process_time()
    fn()
    wall, cpu = time.perf_counter() - started, time.process_time() - cpu
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    child = (after.ru_utime + after.ru_stime) - (children.ru_utime + children.ru_stime)
    return wall, cpu, child


def median(values: list[float]) -> float:
    return statistics.median(values)


def seconds(value: float | None) -> str:
    if value is None:
        return "—"
    if value < 1:
        return f"{value * 1000:.0f} ms" if value >= 0.01 else f"{value * 1000:.1f} ms"
    return f"{value:.2f} s"


def megabytes(kib: float) -> str:
    return f"{kib / 1024:.0f} MB"


@dataclass
class Row:
    workload: str
    ours: str
    floor: str = "—"
    ratio: str = "—"
    goal: str = "—"
    met: bool | None = None  # None: not measured / no goal
    note: str = ""
    error: bool = False

    @property
    def mark(self) -> str:
        if self.error:
            return "错误"
        return {True: "✓", False: "✗", None: "n/a"}[self.met]


def unavailable(workload: str, goal: str, why: str) -> Row:
    return Row(workload, "n/a", "n/a", "—", goal, None, why)


@dataclass
class Context:
    args: argparse.Namespace
    units: int
    items: int
    report_units: int
    report_items: int
    repeat: int
    work: Path  # scratch folder for databases, templates, PDFs
    data: Path
    ds: generate.Dataset | None = None
    report_ds: generate.Dataset | None = None
    cache: dict[str, Any] = field(default_factory=dict)

    def log(self, message: str) -> None:
        print(f"  · {message}", file=sys.stderr, flush=True)

    def dataset(self) -> generate.Dataset:
        if self.ds is None:
            self.ds = generate.generate(self.data, self.units, self.items, log=self.log)
        return self.ds

    def report_dataset(self) -> generate.Dataset:
        """The report workloads' data: ``report_units`` units of a ``report_items``-item rubric."""
        if self.report_ds is None:
            folder = self.data.parent / f"data-{self.report_units}x{self.report_items}"
            self.report_ds = generate.generate(
                folder, self.report_units, self.report_items, bulk=False, log=self.log
            )
        return self.report_ds

    def scratch(self, name: str) -> Path:
        path = self.work / name
        if path.exists():
            shutil.rmtree(path) if path.is_dir() else path.unlink()
        return path


def _need(module: str, *names: str):
    """Import ``names`` from ``module`` or raise NotAvailable."""
    try:
        mod = __import__(module, fromlist=list(names) or ["__name__"])
        return [getattr(mod, n) for n in names] if names else mod
    except (ImportError, AttributeError) as exc:
        raise NotAvailable(f"{module} 尚不可用：{exc}") from None


def _profile(ctx: Context, name: str, fn: Callable[[], Any]) -> None:
    if not ctx.args.profile:
        return
    from pyinstrument import Profiler

    profiler = Profiler(interval=0.001)
    profiler.start()
    try:
        fn()
    finally:
        profiler.stop()
    out = ctx.work.parent / f"profile-{name}.txt"
    out.write_text(profiler.output_text(unicode=True, color=False, show_all=False), encoding="utf-8")
    ctx.log(f"profile of {name}: {out}")


# --- 1. import + score + store ------------------------------------------------------------


def import_files(ds: generate.Dataset, files: list[Path], db: Path, *, jobs: int = 1) -> int:
    """``compliance import FILES --db DB --jobs N``, run in this process as the command runs
    (its output captured); returns how many assessments it stored."""
    from typer.testing import CliRunner

    (app,) = _need("compliance.cli", "app")
    folders = ["--standards", str(ds.root / "standards"), "--rubrics", str(ds.root / "rubrics")]
    args = ["import", *map(str, files), "--db", str(db), "--jobs", str(jobs), *folders]
    result = CliRunner().invoke(app, args)
    if result.exit_code != 0:
        raise AssertionError(f"compliance import exited {result.exit_code}: {result.output[-2000:]}")
    found = re.search(r"新导入 (\d+)", result.output)
    return int(found.group(1)) if found else 0


def w_import(ctx: Context) -> list[Row]:
    ds = ctx.dataset()
    label = f"导入+评分+入库，{ctx.units} 单位 × {ctx.items} 项（逐单位文件）"
    goal_1, goal_2, goal_pd = "≤ 2.5×", "≤ 1.5×", "快 ≥ 10×"
    try:
        _need("compliance.cli", "app")
    except NotAvailable as exc:
        return [unavailable(f"1a {label} vs calamine 裸读", goal_1, str(exc))]
    header = _layout(ctx).header_row
    times: dict[str, list[float]] = {"cal": [], "j1": [], "j2": [], "pd": []}
    ratios: dict[int, list[float]] = {1: [], 2: []}
    rows = None
    for i in range(ctx.repeat):
        # calamine before and after each of ours: the machine's speed drifts within a
        # repeat (the floor varied 8–12 s within minutes), so each import is compared
        # with the floor measured right around it, and the ratios' median reported.
        t, rows = timed(lambda: floors.calamine_read(ds.files))
        around = [t]
        for jobs in (1, 2):
            db = ctx.scratch(f"import-{i}-j{jobs}.db")
            t, n = timed(lambda db=db, jobs=jobs: import_files(ds, ds.files, db, jobs=jobs))
            times[f"j{jobs}"].append(t)
            if n != len(ds.files):
                raise AssertionError(f"--jobs {jobs}: stored {n} of {len(ds.files)}")
            after, _ = timed(lambda: floors.calamine_read(ds.files))
            ratios[jobs].append(t / ((around[-1] + after) / 2))
            around.append(after)
        times["cal"] += around
        if not ctx.args.no_pandas:
            t, _ = timed(lambda: floors.pandas_sum(ds.files, header=header))
            times["pd"].append(t)
        ctx.log(
            f"import #{i + 1}: --jobs 1 {times['j1'][-1]:.2f}s, --jobs 2 {times['j2'][-1]:.2f}s, "
            f"calamine {' / '.join(f'{t:.2f}s' for t in around)}"
            + (f", pandas {times['pd'][-1]:.2f}s" if times["pd"] else "")
            + f"; 比值 {ratios[1][-1]:.2f}× / {ratios[2][-1]:.2f}×；{load()}"
        )
    _profile(ctx, "import", lambda: import_files(ds, ds.files, ctx.scratch("import-profile.db"), jobs=1))
    cal, j1, j2 = (median(times[k]) for k in ("cal", "j1", "j2"))
    r1, r2 = median(ratios[1]), median(ratios[2])
    paired = "比值为每次 ours 与其前后两次 calamine 裸读平均值之比的中位数"
    out = [
        Row(
            f"1a {label}，--jobs 1 vs calamine 裸读",
            seconds(j1),
            seconds(cal),
            f"{r1:.2f}×",
            goal_1,
            r1 <= 2.5,
            f"calamine 读 {rows} 行（含表头）；{paired}（各次 {', '.join(f'{r:.2f}' for r in ratios[1])}）；{load()}",
        ),
        Row(
            f"1b {label}，--jobs 2 vs calamine 裸读",
            seconds(j2),
            seconds(cal),
            f"{r2:.2f}×",
            goal_2,
            r2 <= 1.5,
            f"本机 {os.cpu_count()} 核；各次 {', '.join(f'{r:.2f}' for r in ratios[2])}",
        ),
    ]
    if times["pd"]:
        pd_med = median(times["pd"])
        out.append(
            Row(
                f"1c {label}，--jobs 1 vs pandas+openpyxl 求和",
                seconds(j1),
                seconds(pd_med),
                f"快 {pd_med / j1:.1f}×",
                goal_pd,
                pd_med / j1 >= 10,
            )
        )
    else:
        out.append(unavailable(f"1c {label} vs pandas+openpyxl", goal_pd, "--no-pandas"))
    return out


def load() -> str:
    """The machine's load, to print next to a figure (a shared machine is noisy)."""
    one, five, _ = os.getloadavg()
    return f"负载 {one:.1f}/{five:.1f}"


def _layout(ctx: Context) -> generate.Layout:
    if "layout" not in ctx.cache:
        ds = ctx.dataset()
        if ds.template:
            ctx.cache["layout"] = generate.capture_layout(ds.template)
        else:
            standard, rubric = generate.make_rubric(ds.items)
            ctx.cache["layout"] = generate.fallback_layout(standard, rubric, generate.make_units(1)[0])
    return ctx.cache["layout"]


# --- 2. template generation ---------------------------------------------------------------


def w_template(ctx: Context) -> list[Row]:
    label = f"2 生成检查表模板，{ctx.items} 项：write_template vs 裸 xlsxwriter"
    goal = "≤ 1.5×"
    try:
        (write_template,) = _need("compliance.workbook", "write_template")
    except NotAvailable as exc:
        return [unavailable(label, goal, str(exc))]
    from compliance.units import Unit

    ds = ctx.dataset()
    rubric = ds.catalog().rubric(ds.rubric_id)
    unit = Unit(**generate.make_units(1)[0])
    folder = ctx.scratch("template")
    folder.mkdir()
    ours_path, floor_path = folder / "ours.xlsx", folder / "floor.xlsx"
    write_template(ours_path, rubric, unit, kind=generate.KIND, round=generate.ROUND)
    sheets = generate.capture_layout(ours_path).sheets  # the same cells, values and formulas
    loops = 5 if ctx.args.tiny else 20
    ours_t, floor_t = [], []
    for _ in range(ctx.repeat):
        for _ in range(loops):
            floor_t.append(timed(lambda: floors.xlsxwriter_cells(floor_path, sheets))[0])
            ours_t.append(
                timed(
                    lambda: write_template(ours_path, rubric, unit, kind=generate.KIND, round=generate.ROUND)
                )[0]
            )
    _profile(
        ctx,
        "template",
        lambda: [
            write_template(ours_path, rubric, unit, kind=generate.KIND, round=generate.ROUND)
            for _ in range(20)
        ],
    )
    ours, floor = median(ours_t), median(floor_t)
    cells = sum(len(c) for _, c in sheets)
    return [
        Row(
            label,
            seconds(ours),
            seconds(floor),
            f"{ours / floor:.2f}×",
            goal,
            ours / floor <= 1.5,
            f"{cells} 个单元格；每次重复取 {loops} 次的中位数",
        )
    ]


# --- 3. per-unit PDF ---------------------------------------------------------------------------


def _reports():
    """The reports layer as ``compliance report`` uses it, or NotAvailable."""
    reports = _need("compliance.reports")
    assemble = _need("compliance.reports.assemble")
    for name in ("unit_jobs", "render_unit_reports", "unit_documents", "stored_rubrics"):
        if not hasattr(assemble, name):
            raise NotAvailable(f"compliance.reports.assemble 没有 {name}")
    return reports, assemble


def _issue():
    """A fixed 成文日期, so that a run crossing midnight does not change every report."""
    import datetime as dt

    (Issue,) = _need("compliance.reports", "Issue")
    return Issue("基准测试考评单位", dt.date(2024, 12, 31))


def _seed_store(ctx: Context, n: int) -> Path:
    """A store holding the first ``n`` units (imported once, reused by the report workloads)."""
    key = f"store-{n}"
    if key not in ctx.cache:
        db = ctx.scratch(f"reports-{n}.db")
        ds = ctx.report_dataset()
        started = time.perf_counter()
        import_files(ds, ds.files[:n], db)
        ctx.log(f"历史库：导入 {n} 个单位用于报告负载（{time.perf_counter() - started:.1f} s）")
        ctx.cache[key] = db
    return ctx.cache[key]


def report_command(
    db: Path, out: Path, *, units: list[str] | None = None, workers: int | None = None, force: bool = False
) -> list:
    """What ``compliance report --round R (--unit X | --all) --db DB -o OUT`` does, call for
    call (cli/report_cmd.py): open the store, find and key the reports, render the stale ones."""
    _, assemble = _reports()
    (Store,) = _need("compliance.store", "Store")
    from compliance.scoring import Kind

    with Store.open(str(db)) as store:
        round_ = assemble.stored_round(store, generate.ROUND)
        jobs = assemble.unit_jobs(store, round_, Kind(generate.KIND), units=units, issue=_issue())
        return assemble.render_unit_reports(store, jobs, out, workers=workers, force=force)


def unit_html(db: Path, code: str) -> str:
    """The HTML the command builds for one unit's report (the floor renders the same)."""
    _, assemble = _reports()
    (Store,) = _need("compliance.store", "Store")
    from compliance.scoring import Kind

    with Store.open(str(db)) as store:
        rubric_for = assemble.stored_rubrics(store)
        (document,) = assemble.unit_documents(
            store, generate.ROUND, Kind(generate.KIND), rubric_for, units=[code], issue=_issue()
        )
    return document.html


def w_pdf(ctx: Context) -> list[Row]:
    label_a = "3a 单位报告 PDF（report --unit）vs 裸 WeasyPrint 同一 HTML"
    label_b = "3b 单位报告 PDF 绝对耗时"
    goal_a, goal_b = "≤ 1.1×", "≤ 1.5 s（约 6 页）"
    try:
        _reports()
        db = _seed_store(ctx, ctx.report_units)
    except NotAvailable as exc:
        return [unavailable(label_a, goal_a, str(exc)), unavailable(label_b, goal_b, str(exc))]
    code = generate.make_units(ctx.report_units)[0]["code"]
    folder = ctx.scratch("pdf")
    folder.mkdir()
    bare_html = _inline_assets(unit_html(db, code))
    pages = floors.weasyprint_pdf(bare_html, folder / "floor.pdf")

    def ours() -> None:
        [(_, rendered)] = report_command(db, folder, units=[code], workers=1, force=True)
        assert rendered

    ours()  # warm: fonts, templates, the same as the floor's first render
    ours_t, floor_t, html_t = [], [], []
    for _ in range(ctx.repeat):
        floor_t.append(timed(lambda: floors.weasyprint_pdf(bare_html, folder / "floor.pdf"))[0])
        ours_t.append(timed(ours)[0])
        html_t.append(timed(lambda: unit_html(db, code))[0])
    _profile(ctx, "pdf", ours)
    t, f, h = median(ours_t), median(floor_t), median(html_t)
    # each render against the floor's just before it: the machine's speed drifts by
    # tens of percent within minutes, the pair shares the moment
    ratios = [o / b for o, b in zip(ours_t, floor_t, strict=True)]
    ratio = median(ratios)
    note = (
        f"{pages} 页，{ctx.report_items} 项；ours = `compliance report --unit` 的库调用（打开历史库 {ctx.report_units} 个单位"
        f"→ 按存储的总分排名 → 只重算本单位 → 图表 → HTML → PDF），其中打开历史库到 HTML {seconds(h)}；"
        f"比值为每次 ours 与紧接其前的裸 WeasyPrint 之比的中位数（各次 {', '.join(f'{r:.2f}' for r in ratios)}）"
    )
    return [
        Row(label_a, seconds(t), seconds(f), f"{ratio:.2f}×", goal_a, ratio <= 1.1, note),
        Row(
            label_b,
            seconds(t),
            "—",
            "—",
            goal_b,
            t <= 1.5 * max(1.0, pages / 6),
            f"{pages} 页（目标按页数折算）",
        ),
    ]


def _inline_assets(html: str) -> str:
    """The report's HTML with its stylesheet inlined, so bare WeasyPrint needs no fetcher."""
    import re

    render = _need("compliance.reports.render")

    def inline(match: re.Match) -> str:
        return "<style>" + render.asset(match.group(1)).decode("utf-8") + "</style>"

    return re.sub(r'<link[^>]*href="compliance-asset:([^"]+\.css)"[^>]*>', inline, html)


# --- 4 and 5. report --all -----------------------------------------------------------------


def _cli_rerun(ctx: Context, db: Path, out: Path) -> float | None:
    """The same re-run through the command line, as a user types it (a fresh interpreter)."""
    exe = Path(sys.executable).with_name("compliance")
    if not exe.exists():
        return None
    ds = ctx.report_dataset()
    issue = _issue()
    command = [
        str(exe),
        "report",
        "--round",
        generate.ROUND,
        "--all",
        "--db",
        str(db),
        "-o",
        str(out),
        "--assessor",
        issue.assessor,
        "--date",
        issue.issued.isoformat(),
    ]  # run in the data folder: its ./standards and ./rubrics are found by id
    started = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True, check=False, cwd=ds.root)
    if done.returncode != 0:
        ctx.log(f"CLI 重跑失败：{done.stderr.strip()[-500:]}")
        return None
    elapsed = time.perf_counter() - started
    if "已生成" in done.stdout:
        ctx.log("CLI 重跑又生成了报告，尽管没有变化")
        return None
    return elapsed


def w_report_all(ctx: Context) -> list[Row]:
    n = ctx.report_units
    label4 = f"4 report --all，{n} 个单位：2 进程 vs 1 进程"
    label5 = f"5 report --all 重跑（无变化）vs 首次运行（2 进程），{n} 个单位"
    goal4, goal5 = "加速 ≥ 1.7×", "≤ 首次的 2%"
    try:
        _reports()
        db = _seed_store(ctx, n)
    except NotAvailable as exc:
        return [unavailable(label4, goal4, str(exc)), unavailable(label5, goal5, str(exc))]
    one, two, rerun, bound, loads = [], [], [], [], []
    out2 = ctx.work
    code = generate.make_units(n)[0]["code"]
    report_command(db, ctx.scratch("warm-up"), units=[code], workers=1)  # fonts, caches
    for i in range(ctx.repeat):
        out1, out2 = ctx.scratch(f"all-1-{i}"), ctx.scratch(f"all-2-{i}")
        load = os.getloadavg()[0]
        wall1, cpu1, _ = cpu_timed(lambda out1=out1: report_command(db, out1, workers=1))
        wall2, parent2, children2 = cpu_timed(lambda out2=out2: report_command(db, out2, workers=2))
        one.append(wall1)
        two.append(wall2)
        # What two free cores would give: the parent's serial part plus half the workers' CPU.
        bound.append(cpu1 / (parent2 + children2 / 2))
        t, results = timed(lambda out2=out2: report_command(db, out2, workers=2))
        if any(rendered for _, rendered in results):
            raise AssertionError("re-run rendered again although nothing changed")
        rerun.append(t)
        loads.append(f"{load:.1f}→{os.getloadavg()[0]:.1f}")
        ctx.log(
            f"report --all #{i + 1}: 1 进程 {wall1:.2f}s（CPU {cpu1:.1f}s），2 进程 {wall2:.2f}s"
            f"（主进程 CPU {parent2:.1f}s + 子进程 CPU {children2:.1f}s），重跑 {t:.3f}s；负载 {loads[-1]}"
        )
        shutil.rmtree(out1, ignore_errors=True)
    cli = None if ctx.args.tiny else _cli_rerun(ctx, db, out2)
    _profile(ctx, "rerun", lambda: report_command(db, out2, workers=2))
    t1, t2, tr = median(one), median(two), median(rerun)
    # each repeat's 1- and 2-process runs are adjacent: their ratio, not the ratio of
    # medians taken minutes apart, is what the machine's drift leaves alone
    speedups = [a / b for a, b in zip(one, two, strict=True)]
    speedup = median(speedups)
    cores = os.cpu_count() or 1
    note4 = (
        f"本机 {cores} 核；加速为每次重复中 1 进程与 2 进程耗时之比的中位数（各次 "
        f"{', '.join(f'{x:.2f}' for x in speedups)}）；"
        f"ours = `compliance report --all` 的库调用，HTML 与图表在工作进程中生成；"
        f"按 CPU 时间推算，两个空闲核最多加速 {median(bound):.2f}×（不受机器上其他负载影响）；"
        f"各次 1 分钟平均负载 {'、'.join(loads)}"
    )
    note5 = "重跑只读存储的总分、摘要排名并比较清单中的输入键，不计分、不画图、不生成 HTML"
    if cli is not None:
        note5 += (
            f"；命令行 `compliance report --all` 重跑（含解释器启动）{seconds(cli)}，为首次的 {cli / t2:.1%}"
        )
    return [
        Row(label4, seconds(t2), seconds(t1), f"{speedup:.2f}×", goal4, speedup >= 1.7, note4),
        Row(label5, seconds(tr), seconds(t2), f"{tr / t2:.3f}×", goal5, tr <= 0.02 * t2, note5),
    ]


# --- 6. peak memory ----------------------------------------------------------------------------


def _peak(mode: str, data: Path, workbooks: list[Path]) -> dict:
    done = subprocess.run(
        [sys.executable, str(HERE / "peak.py"), mode, str(data), *map(str, workbooks)],
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        return {"error": done.stderr.strip()[-1000:] or f"exit {done.returncode}"}
    return json.loads(done.stdout.strip().splitlines()[-1])


def _memory_row(ctx: Context, label: str, workbooks: list[Path], expected: int) -> Row:
    ds = ctx.dataset()
    goal = "≤ 1.5×"
    ours, floor, ours_s, floor_s = [], [], [], []
    for _ in range(ctx.repeat):
        a = _peak("calamine", ds.root, workbooks)
        b = _peak("ours", ds.root, workbooks)
        if "error" in b:
            first = b["error"].splitlines()[0]
            return Row(
                label, "拒绝读取", megabytes(a["maxrss_kb"]), "—", goal, False, f"read_scored 报错：{first}"
            )
        floor.append(a["maxrss_kb"])
        floor_s.append(a["seconds"])
        ours.append(b["maxrss_kb"])
        ours_s.append(b["seconds"])
        if b["rows"] != expected or a["rows"] != expected:
            raise AssertionError(f"rows read: ours {b['rows']}, calamine {a['rows']}, expected {expected}")
    base_ours = _peak("ours-imports", ds.root, [])["maxrss_kb"]
    base_cal = _peak("calamine-imports", ds.root, [])["maxrss_kb"]
    o, f = median(ours), median(floor)
    note = (
        f"进程峰值 RSS（VmHWM）；仅导入模块时 ours {megabytes(base_ours)}、calamine {megabytes(base_cal)}，"
        f"读表增量 ours {megabytes(o - base_ours)} vs calamine {megabytes(f - base_cal)}"
        f"（{(o - base_ours) / max(1, f - base_cal):.1f}×）；耗时 ours {seconds(median(ours_s))}"
        f"（读取并校验、计分）vs calamine {seconds(median(floor_s))}"
    )
    return Row(label, megabytes(o), megabytes(f), f"{o / f:.2f}×", goal, o / f <= 1.5, note)


def w_memory(ctx: Context) -> list[Row]:
    ds = ctx.dataset()
    rows = ds.units * ds.items + _bonus_rows(ctx)
    label = f"6 峰值内存：导入汇总表 {rows:,} 行（{ds.units} 单位 × {ds.items} 项，一个文件）vs calamine 裸读"
    try:
        _need("compliance.workbook", "read_scored")
    except NotAvailable as exc:
        return [unavailable(label, "≤ 1.5×", str(exc))]
    out = [_memory_row(ctx, label, [ds.bulk], rows)]
    if out[0].ours == "拒绝读取" and ds.bulk_parts:
        n = len(ds.bulk_parts)
        label_b = f"6b 峰值内存：同样 {rows:,} 行分成 {n} 个文件，一次导入 vs calamine 裸读"
        out.append(_memory_row(ctx, label_b, ds.bulk_parts, rows))
    return out


def _bonus_rows(ctx: Context) -> int:
    standard, rubric = generate.make_rubric(ctx.items)
    return sum(len(f.bonus) for f in generate.make_results(standard, rubric, generate.make_units(ctx.units)))


# --- 7. scoring alone --------------------------------------------------------------------------


def _assessments(ctx: Context):
    """1,000 in-memory Assessments (no workbook involved), from the generator's results."""
    from decimal import Decimal

    from compliance.scoring import Assessment, AssessmentMeta, BonusClaim, ItemInput, Kind
    from compliance.units import Unit

    standard, rubric_doc = generate.make_rubric(ctx.items)
    units = generate.make_units(ctx.units)
    filled = generate.make_results(standard, rubric_doc, units)

    def dec(v):
        return None if v is None else Decimal(repr(v)) if isinstance(v, float) else Decimal(v)

    out = []
    for f in filled:
        meta = AssessmentMeta(Unit(**f.unit), rubric_doc["rubric"]["id"], Kind(generate.KIND), generate.ROUND)
        items = tuple(
            ItemInput(e.code, e.result, dec(e.count), dec(e.measured), dec(e.score), e.note, e.evidence)
            for e in f.entries
        )
        out.append(Assessment(meta, items, tuple(BonusClaim(c) for c in f.bonus), f"{f.unit['code']}.xlsx"))
    return out


def w_scoring(ctx: Context) -> list[Row]:
    results = ctx.units * ctx.items
    label = f"7 仅计分，{results:,} 条结果（{ctx.units} 单位 × {ctx.items} 项）"
    limit = 0.5 * results / 300_000
    goal = "≤ 0.5 s" if results == 300_000 else f"≤ {seconds(limit)}（30 万条 0.5 s 按比例）"
    try:
        import bench_scoring  # the scoring engineer's benchmark: same data, same timing
    except ImportError:
        bench_scoring = None
    if bench_scoring is not None:
        import random

        rng = random.Random(20240101)
        rubric = bench_scoring.build_rubric(ctx.items, rng)
        assessments = bench_scoring.build_assessments(rubric, ctx.units, rng)

        def ours():
            return bench_scoring.score_all(rubric, assessments)

        source = "数据与计时取自 benchmarks/bench_scoring.py"
    else:
        from compliance.scoring import score

        ds = ctx.dataset()
        rubric = ds.catalog().rubric(ds.rubric_id)
        assessments = _assessments(ctx)

        def ours():
            return [score(rubric, a) for a in assessments]

        source = "生成器的数据"
    cards = ours()
    earned = [[i.earned for i in card.items] for card in cards]
    times, bare = [], []
    for _ in range(ctx.repeat):
        times.append(timed(ours)[0])
        bare.append(timed(lambda: _decimal_sum(earned))[0])
    _profile(ctx, "scoring", ours)
    t, f = median(times), median(bare)
    note = (
        f"evaluate() 全部单位，每张 ScoreCard 含逐项文字说明；floor = 裸 Python 累加同样的 Decimal；{source}"
    )
    return [Row(label, seconds(t), seconds(f), f"{t / f:.0f}×", goal, t <= limit, note)]


def _decimal_sum(earned):
    from decimal import Decimal

    grand = Decimal(0)
    for unit in earned:
        total = Decimal(0)
        for value in unit:
            total += value
        grand += total
    return grand


# --- the table -------------------------------------------------------------------------------

RUNNERS: dict[str, Callable[[Context], list[Row]]] = {
    "import": w_import,
    "template": w_template,
    "pdf": w_pdf,
    "report-all": w_report_all,
    "memory": w_memory,
    "scoring": w_scoring,
}


def table(rows: list[Row]) -> str:
    lines = ["| workload | ours | floor | ratio | goal | met? |", "|---|---|---|---|---|---|"]
    lines += [f"| {r.workload} | {r.ours} | {r.floor} | {r.ratio} | {r.goal} | {r.mark} |" for r in rows]
    notes: list[str] = []
    for r in rows:
        line = f"- {r.workload.split(' ')[0]}：{r.note}"
        if r.note and line not in notes:
            notes.append(line)
    return "\n".join([*lines, *(["", *notes] if notes else [])])


def environment() -> str:
    from importlib.metadata import PackageNotFoundError, version

    parts = [f"Python {platform.python_version()}", f"{os.cpu_count()} 核"]
    for name in ("python-calamine", "XlsxWriter", "openpyxl", "pandas", "WeasyPrint", "SQLAlchemy"):
        with contextlib.suppress(PackageNotFoundError):
            parts.append(f"{name} {version(name)}")
    return "，".join(parts)


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description="compliance 性能基准：我们的实现 vs 裸库（同一次运行、取中位数）")
    p.add_argument(
        "--tiny", action="store_true", help=f"极小规模（{TINY_UNITS} 单位 × {TINY_ITEMS} 项），CI 用"
    )
    p.add_argument("--units", type=int, help=f"单位数（默认 {FULL_UNITS}）")
    p.add_argument("--items", type=int, help=f"每单位条目数（默认 {FULL_ITEMS}）")
    p.add_argument("--report-units", type=int, help=f"report --all 的单位数（默认 {FULL_REPORT_UNITS}）")
    p.add_argument(
        "--report-items",
        type=int,
        help=f"报告负载（3–5）所用细则的条目数（默认 {FULL_REPORT_ITEMS}，报告约 6 页）",
    )
    p.add_argument("--repeat", type=int, help="每项测量重复次数，取中位数（默认 3，--tiny 为 1）")
    p.add_argument(
        "--only",
        action="append",
        default=[],
        metavar="WORKLOAD",
        help=f"只跑某些负载（可重复或用逗号分隔；名称或序号 1–7）：{', '.join(WORKLOADS)}",
    )
    p.add_argument(
        "--out", type=Path, default=generate.DEFAULT_OUT, help="数据与结果目录（默认 benchmarks/out）"
    )
    p.add_argument("--no-pandas", action="store_true", help="跳过最慢的 pandas+openpyxl 基线")
    p.add_argument(
        "--profile", action="store_true", help="另用 pyinstrument 剖析一次 ours，写入 OUT/profile-*.txt"
    )
    p.add_argument("--strict", action="store_true", help="有目标未达成时退出码为 1")
    return p.parse_args(argv)


def selected(only: list[str]) -> list[str]:
    if not only:
        return list(WORKLOADS)
    chosen = []
    for part in ",".join(only).split(","):
        part = part.strip()
        if part.isdigit() and 1 <= int(part) <= len(WORKLOADS):
            part = WORKLOADS[int(part) - 1]
        if part not in WORKLOADS:
            raise SystemExit(f"未知的负载“{part}”；可选：{', '.join(WORKLOADS)} 或 1–{len(WORKLOADS)}")
        chosen.append(part)
    return chosen


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    units = args.units or (TINY_UNITS if args.tiny else FULL_UNITS)
    items = args.items or (TINY_ITEMS if args.tiny else FULL_ITEMS)
    report_units = args.report_units or (TINY_REPORT_UNITS if args.tiny else FULL_REPORT_UNITS)
    report_items = args.report_items or (TINY_REPORT_ITEMS if args.tiny else FULL_REPORT_ITEMS)
    repeat = args.repeat or (1 if args.tiny else 3)
    args.out.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix="run-", dir=args.out))
    ctx = Context(
        args, units, items, report_units, report_items, repeat, work, args.out / f"data-{units}x{items}"
    )
    chosen = selected(args.only)
    if "rerun" in chosen and "report-all" not in chosen:
        chosen.append("report-all")  # measured in the same pass
    rows: list[Row] = []
    failed = False
    started = time.perf_counter()
    load_before = os.getloadavg()[0]
    try:
        for name in WORKLOADS:
            if name not in chosen or name not in RUNNERS:
                continue
            print(f"[{name}]", file=sys.stderr, flush=True)
            try:
                produced = RUNNERS[name](ctx)
            except NotAvailable as exc:
                produced = [unavailable(name, "—", str(exc))]
            except Exception as exc:
                traceback.print_exc()
                failed = True
                produced = [Row(name, "—", note=f"{type(exc).__name__}: {exc}", error=True)]
            if name == "report-all" and "rerun" not in chosen:
                produced = produced[:1]
            if name == "report-all" and "report-all" not in selected(args.only) and args.only:
                produced = produced[1:]
            rows += produced
    finally:
        shutil.rmtree(work, ignore_errors=True)
    print()
    print(
        f"compliance 基准：{units} 单位 × {items} 项；报告负载 {report_units} 单位 × {report_items} 项；"
        f"重复 {repeat} 次取中位数；用时 {time.perf_counter() - started:.0f} s"
    )
    print(f"环境：{environment()}；1 分钟平均负载 {load_before:.1f} → {os.getloadavg()[0]:.1f}")
    print()
    print(table(rows))
    if failed:
        return 1
    if args.strict and any(r.met is False for r in rows):
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
