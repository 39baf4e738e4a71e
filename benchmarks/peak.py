"""Peak memory of one job, run in a fresh interpreter (``run.py`` starts one per measure).

    python benchmarks/peak.py MODE DATA_DIR WORKBOOK...

MODE is ``ours`` (the project's ``read_scored`` on each bulk form, every assessment and
its score card kept, as ``compliance import`` keeps them until it stores), ``calamine`` (bare
python-calamine: each first sheet's rows as Python values, kept), or ``ours-imports`` /
``calamine-imports`` (the same imports, no reading: each side's interpreter baseline).

Prints one JSON line: ``{"mode", "maxrss_kb", "seconds", "rows"}``; ``maxrss_kb`` is this
process's own peak resident set in KiB: ``VmHWM`` of /proc/self/status on Linux. Not
``ru_maxrss``: Linux carries the parent's peak into a child started with fork/vfork +
exec, so with a large parent every child would report at least the parent's size.
On an error (a refused file) prints the findings to stderr and exits 1.
"""

from __future__ import annotations

import json
import resource
import sys
import time
from pathlib import Path


def high_water_kib() -> int:
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # KiB on Linux, bytes on macOS


def main(argv: list[str]) -> int:
    mode, data_dir, workbooks = argv[0], Path(argv[1]), [Path(p) for p in argv[2:]]
    kept: list = []
    rows = 0
    started = time.perf_counter()
    if mode.startswith("calamine"):
        from python_calamine import CalamineWorkbook

        if mode == "calamine":
            for path in workbooks:
                book = CalamineWorkbook.from_path(str(path))
                data = book.get_sheet_by_name(book.sheet_names[0]).to_python()
                rows += len(data) - 1  # the header row
                kept.append(data)
    else:
        from compliance.catalog import Catalog, load_units
        from compliance.findings import errors_of
        from compliance.workbook import read_scored

        if mode == "ours":
            catalog = Catalog(
                standard_dirs=[data_dir / "standards"], rubric_dirs=[data_dir / "rubrics"], cwd=data_dir
            )
            units = load_units(data_dir / "units.yaml")
            for path in workbooks:
                scored, findings = read_scored(path, catalog, units=units)
                errors = errors_of(findings)
                if errors:
                    print("\n".join(str(f) for f in errors[:5]), file=sys.stderr)
                    return 1
                rows += sum(len(s.assessment.items) + len(s.assessment.bonus) for s in scored)
                kept.append(scored)
    seconds = time.perf_counter() - started
    print(json.dumps({"mode": mode, "maxrss_kb": high_water_kib(), "seconds": seconds, "rows": rows}))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
