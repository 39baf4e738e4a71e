"""The report charts: matplotlib → deterministic SVG text.

Figures are built with the object API (no pyplot): no GUI backend, no global figure
state, safe in worker processes. Text stays text (``svg.fonttype: none``): WeasyPrint
draws it with the same CJK font as the page, which keeps the SVG small, the PDF fast
and the labels searchable. Dates and ids are fixed: the same data gives the same bytes.
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

from compliance.numbers import percent
from compliance.reports.fonts import cjk_font
from compliance.scoring.engine import reaches

GOOD, WARN, BAD, GREY, INK = "#2e7d32", "#ef8f00", "#c62828", "#9e9e9e", "#263238"
MILESTONE = "#6a1b9a"
WIDTH = 6.8  # inches: the text width of an A4 portrait page


def _style() -> dict:
    font = cjk_font()
    if font.family not in {f.name for f in font_manager.fontManager.ttflist}:
        font_manager.fontManager.addfont(font.path)
    return {
        "font.family": [font.family],
        "font.size": 9,
        "axes.unicode_minus": False,
        "svg.fonttype": "none",
        "svg.hashsalt": "compliance",
        "axes.spines.top": False,
        "axes.spines.right": False,
    }


def _svg(fig: Figure, left: float = 0.08, bottom: float = 0.16) -> str:
    """Fixed margins (in figure fractions) rather than a tight bounding box: one drawing
    instead of two."""
    fig.subplots_adjust(left=left, right=0.98, bottom=bottom, top=0.92)
    buffer = io.StringIO()
    fig.savefig(buffer, format="svg", metadata={"Date": None, "Creator": None})
    return buffer.getvalue()


def data_uri(svg: str) -> str:
    """An ``<img src>`` value: the chart travels inside the HTML, no file, no fetch."""
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode("utf-8")).decode("ascii")


def _pct(value: Decimal) -> float:
    return float(value * 100)


def section_chart(
    names: Sequence[str],
    rates: Sequence[Decimal | None],
    pass_rate: Decimal,
    section_min: Decimal | None = None,
) -> str:
    """Horizontal bars of top-level section rates against the pass line (and the section
    minimum): green at or above the pass line, orange below it, red below the minimum."""
    with matplotlib.rc_context(_style()):
        fig = Figure(figsize=(WIDTH, 0.34 * len(names) + 0.8))
        ax = fig.subplots()
        rows = list(range(len(names)))[::-1]
        values = [_pct(r) if r is not None else 0.0 for r in rates]
        colours = [
            GREY
            if r is None
            else GOOD
            if reaches(r, pass_rate)
            else BAD
            if section_min is not None and not reaches(r, section_min)
            else WARN
            for r in rates
        ]
        ax.barh(rows, values, color=colours, height=0.6)
        for y, rate, value in zip(rows, rates, values, strict=True):
            label = "无适用条目" if rate is None else percent(rate, 1)
            ax.text(value + 1, y, label, va="center", fontsize=8, color=INK)
        top = len(names) - 0.3
        ax.axvline(_pct(pass_rate), color=GOOD, linewidth=1.2)
        ax.text(_pct(pass_rate) + 0.8, top, f"达标线 {percent(pass_rate, 0)}", color=GOOD, fontsize=8)
        if section_min is not None:
            ax.axvline(_pct(section_min), color=BAD, linewidth=1, linestyle="--")
            ax.text(
                _pct(section_min) - 0.8,
                top,
                f"单项最低 {percent(section_min, 0)}",
                color=BAD,
                fontsize=8,
                ha="right",
            )
        ax.set_yticks(rows, list(names))
        ax.set_xlim(0, 112)
        ax.set_ylim(-0.6, len(names) + 0.1)
        ax.set_xticks([0, 20, 40, 60, 80, 100])
        ax.xaxis.set_major_formatter(PercentFormatter(decimals=0))
        ax.tick_params(axis="y", length=0)
        widest = max((len(n) for n in names), default=2)
        return _svg(fig, left=min(0.4, (0.25 + 0.13 * widest) / WIDTH), bottom=0.45 / fig.get_figheight())


def trend_chart(labels: Sequence[str], rates: Sequence[Decimal], pass_rate: Decimal) -> str:
    """得分率 round by round, with the pass line."""
    with matplotlib.rc_context(_style()):
        fig = Figure(figsize=(WIDTH, 2.1))
        ax = fig.subplots()
        xs = list(range(len(labels)))
        ys = [_pct(r) for r in rates]
        ax.plot(xs, ys, marker="o", color=INK, linewidth=1.6)
        for x, y, rate in zip(xs, ys, rates, strict=True):
            ax.annotate(
                percent(rate, 1), (x, y), textcoords="offset points", xytext=(0, 6), ha="center", fontsize=8
            )
        ax.axhline(_pct(pass_rate), color=GOOD, linestyle="--", linewidth=1)
        ax.annotate(
            f"达标线 {percent(pass_rate, 0)}",
            (1, _pct(pass_rate)),
            xycoords=("axes fraction", "data"),
            textcoords="offset points",
            xytext=(0, 3),
            ha="right",
            color=GOOD,
            fontsize=8,
        )
        ax.set_xticks(xs, list(labels))
        ax.set_xlim(-0.5, len(labels) - 0.5)
        ax.set_ylim(max(0.0, min([*ys, _pct(pass_rate)]) - 10), 103)
        ax.yaxis.set_major_formatter(PercentFormatter(decimals=0))
        ax.grid(axis="y", color="#e0e0e0", linewidth=0.6)
        return _svg(fig)


def progress_chart(
    series: Sequence[tuple[str, Sequence[tuple[dt.date, Decimal]]]],
    milestones: Sequence[tuple[dt.date, Decimal]],
    rounds: Sequence[tuple[dt.date, str]] = (),
) -> str:
    """达标率 over time: the first series bold (the whole scope), one thin line per
    district after it, the milestones as a dashed step with star markers; the x axis is
    labelled with the ``rounds`` (date, name)."""
    with matplotlib.rc_context(_style()):
        fig = Figure(figsize=(WIDTH, 3.2))
        ax = fig.subplots()
        for n, (name, points) in enumerate(series):
            if not points:
                continue
            dates, ys = [d for d, _ in points], [_pct(s) for _, s in points]
            if n == 0:
                ax.plot(dates, ys, marker="o", color=INK, linewidth=2.4, label=name, zorder=3)
            else:
                ax.plot(dates, ys, marker=".", linewidth=1, alpha=0.85, label=name)
        if milestones:
            first = min([d for _, points in series for d, _ in points[:1]] + [milestones[0][0]])
            steps = [(first, Decimal(0)), *milestones]
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
                    f"{by:%Y-%m-%d}\n目标 {percent(share, 0)}",
                    (by, _pct(share)),
                    textcoords="offset points",
                    xytext=(-8, 4),
                    ha="right",
                    va="bottom",
                    fontsize=7.5,
                    color=MILESTONE,
                )
        if rounds:
            ax.set_xticks(
                [d for d, _ in rounds], [name for _, name in rounds], rotation=30 if len(rounds) > 8 else 0
            )
        ax.set_ylim(0, 118)
        ax.set_yticks([0, 20, 40, 60, 80, 100])
        ax.yaxis.set_major_formatter(PercentFormatter(decimals=0))
        ax.grid(axis="y", color="#e0e0e0", linewidth=0.6)
        ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.1), fontsize=8, frameon=False, ncols=6)
        return _svg(fig, bottom=0.22 if len(series) + bool(milestones) <= 6 else 0.3)
