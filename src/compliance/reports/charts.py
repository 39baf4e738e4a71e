"""The report charts: matplotlib → deterministic SVG text.

Figures are built with the object API (no pyplot): no GUI backend, no global figure
state, safe in worker processes.

Text is drawn as paths (``svg.fonttype: path``), so a PDF never depends on how its
viewer renders SVG text; dates and random ids are fixed so the same data gives the
same bytes.
"""

from __future__ import annotations

import base64
import datetime as dt
import io
from collections.abc import Sequence
from decimal import Decimal

import matplotlib
from matplotlib import font_manager
from matplotlib.figure import Figure
from matplotlib.ticker import PercentFormatter

from compliance.reports.fonts import cjk_font

GOOD, WARN, BAD, GREY, INK = "#2e7d32", "#ef8f00", "#c62828", "#9e9e9e", "#263238"
MILESTONE = "#6a1b9a"


def _style() -> dict:
    font = cjk_font()
    if font.family not in {f.name for f in font_manager.fontManager.ttflist}:
        font_manager.fontManager.addfont(font.path)
    return {
        "font.family": [font.family],
        "font.size": 9,
        "axes.unicode_minus": False,
        "svg.fonttype": "path",
        "svg.hashsalt": "compliance",
        "axes.spines.top": False,
        "axes.spines.right": False,
    }


def _svg(fig: Figure) -> str:
    buffer = io.StringIO()
    fig.savefig(buffer, format="svg", metadata={"Date": None, "Creator": None}, bbox_inches="tight")
    return buffer.getvalue()


def data_uri(svg: str) -> str:
    """An ``<img src>`` value: the chart travels inside the HTML, no file, no fetch."""
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode("utf-8")).decode("ascii")


def _pct(value: Decimal | float) -> float:
    return float(value) * 100


def section_chart(
    names: Sequence[str],
    rates: Sequence[Decimal | None],
    pass_rate: Decimal,
    section_min: Decimal | None = None,
) -> str:
    """Horizontal bars of top-level section rates against the pass line (and section minimum)."""
    with matplotlib.rc_context(_style()):
        fig = Figure(figsize=(6.8, 0.42 * len(names) + 0.9))
        ax = fig.subplots()
        rows = range(len(names))[::-1]
        values = [_pct(r) if r is not None else 0 for r in rates]
        colours = [
            GREY
            if r is None
            else GOOD
            if r >= pass_rate
            else WARN
            if section_min is None or r >= section_min
            else BAD
            for r in rates
        ]
        ax.barh(list(rows), values, color=colours, height=0.62)
        for y, rate, value in zip(rows, rates, values, strict=True):
            label = "无适用条目" if rate is None else f"{value:.1f}%"
            ax.text(min(value, 100) + 1, y, label, va="center", fontsize=8, color=INK)
        ax.axvline(_pct(pass_rate), color=GOOD, linewidth=1.2)
        ax.text(_pct(pass_rate), len(names) - 0.35, f"达标线 {_pct(pass_rate):.0f}%", color=GOOD, ha="center", fontsize=8)
        if section_min is not None:
            ax.axvline(_pct(section_min), color=BAD, linewidth=1, linestyle="--")
            ax.text(
                _pct(section_min), len(names) - 0.35, f"单项最低 {_pct(section_min):.0f}%", color=BAD, ha="center", fontsize=8
            )
        ax.set_yticks(list(rows), list(names))
        ax.set_xlim(0, 112)
        ax.set_ylim(-0.6, len(names) - 0.1)
        ax.set_xticks([0, 20, 40, 60, 80, 100])
        ax.xaxis.set_major_formatter(PercentFormatter())
        ax.tick_params(axis="y", length=0)
        return _svg(fig)


def trend_chart(labels: Sequence[str], rates: Sequence[Decimal], pass_rate: Decimal) -> str:
    """得分率 over rounds, with the pass line."""
    with matplotlib.rc_context(_style()):
        fig = Figure(figsize=(6.8, 2.3))
        ax = fig.subplots()
        xs = list(range(len(labels)))
        ys = [_pct(r) for r in rates]
        ax.plot(xs, ys, marker="o", color=INK, linewidth=1.6)
        for x, y in zip(xs, ys, strict=True):
            ax.annotate(f"{y:.1f}%", (x, y), textcoords="offset points", xytext=(0, 6), ha="center", fontsize=8)
        ax.axhline(_pct(pass_rate), color=GOOD, linestyle="--", linewidth=1)
        ax.text(xs[-1] + 0.3 if xs else 0, _pct(pass_rate), f"达标线 {_pct(pass_rate):.0f}%", color=GOOD, va="center", fontsize=8)
        ax.set_xticks(xs, list(labels))
        ax.set_xlim(-0.4, len(labels) - 0.4 + 0.8)
        low = min([*ys, _pct(pass_rate)]) if ys else 0
        ax.set_ylim(max(0, low - 10), 104)
        ax.yaxis.set_major_formatter(PercentFormatter())
        ax.grid(axis="y", color="#e0e0e0", linewidth=0.6)
        return _svg(fig)


def progress_chart(
    series: Sequence[tuple[str, Sequence[tuple[dt.date, Decimal]]]],
    milestones: Sequence[tuple[dt.date, Decimal]],
) -> str:
    """达标率 over time: the first series bold (the whole scope), then one thin line per
    district, and the milestones as a dashed step with star markers."""
    with matplotlib.rc_context(_style()):
        fig = Figure(figsize=(6.8, 3.4))
        ax = fig.subplots()
        for n, (name, points) in enumerate(series):
            if not points:
                continue
            dates = [d for d, _ in points]
            ys = [_pct(s) for _, s in points]
            if n == 0:
                ax.plot(dates, ys, marker="o", color=INK, linewidth=2.4, label=name, zorder=3)
            else:
                ax.plot(dates, ys, marker=".", linewidth=1, alpha=0.85, label=name)
        if milestones:
            starts = [d for _, points in series for d, _ in points[:1]]
            start = min([*starts, milestones[0][0]])
            steps = [(start, Decimal(0)), *milestones]
            ax.step(
                [d for d, _ in steps],
                [_pct(s) for _, s in steps],
                where="pre",
                color=MILESTONE,
                linestyle="--",
                linewidth=1.2,
                label="目标",
            )
            for by, share in milestones:
                ax.plot([by], [_pct(share)], marker="*", markersize=11, color=MILESTONE, zorder=4)
                ax.annotate(
                    f"{by:%Y-%m-%d} 目标 {_pct(share):.0f}%",
                    (by, _pct(share)),
                    textcoords="offset points",
                    xytext=(-4, -13),
                    ha="right",
                    fontsize=8,
                    color=MILESTONE,
                )
        ax.set_ylim(0, 105)
        ax.yaxis.set_major_formatter(PercentFormatter())
        ax.grid(axis="y", color="#e0e0e0", linewidth=0.6)
        ax.legend(loc="upper left", fontsize=8, frameon=False, ncols=3)
        fig.autofmt_xdate()
        return _svg(fig)
