"""The report charts: typed chart data, and matplotlib drawing it as deterministic SVG.

A chart is first a small frozen object that says what is drawn — bars and the line they
are judged by, lines and milestone points, with the legend's and axes' words — so tests
can check what a chart claims without reading pixels; :func:`svg` draws it. Figures
are built with the object API (no pyplot): no GUI backend, no global state, safe in
worker processes. Text stays text (``svg.fonttype: none``): WeasyPrint draws it with
the page's CJK font, and the labels can be searched. The same data gives the same bytes.
matplotlib is imported when the first chart is drawn, not with the reports: a re-run that
finds every report unchanged never loads it.
"""

from __future__ import annotations

import base64
import datetime as dt
import io
from dataclasses import dataclass
from decimal import Decimal
from functools import singledispatch
from typing import TYPE_CHECKING

from compliance.numbers import percent
from compliance.reports.fonts import cjk_font

if TYPE_CHECKING:
    from matplotlib.figure import Figure

GOOD, BAD, NEUTRAL, GREY, INK = "#2e7d32", "#c62828", "#1565c0", "#9e9e9e", "#263238"
MILESTONE = "#6a1b9a"
DISTRICT_COLOURS = ("#1e88e5", "#f4511e", "#43a047", "#8e24aa", "#fb8c00", "#00897b", "#6d4c41", "#d81b60")
WIDTH = 6.8  # inches: the text width of an A4 portrait page


# --- what a chart says ----------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Bar:
    name: str
    rate: Decimal | None  # None: no applicable item
    tone: str  # "ok" / "low" / "veto" / "plain" / "none"
    label: str  # the words at the bar's end


@dataclass(frozen=True, slots=True)
class SectionChart:
    """Top-level section rates judged by the section minimum (SPEC §3.2), not the overall line."""

    bars: tuple[Bar, ...]
    minimum: Decimal | None  # the rubric's min_section_rate
    minimum_label: str | None  # "单项最低 60%"
    x_title: str
    y_title: str
    legend: tuple[tuple[str, str], ...]  # (tone, words), in order


@dataclass(frozen=True, slots=True)
class TrendChart:
    labels: tuple[str, ...]  # rounds, Chinese
    rates: tuple[Decimal, ...]
    line: Decimal | None  # the pass line (overall rate)
    line_label: str | None
    x_title: str
    y_title: str


@dataclass(frozen=True, slots=True)
class Series:
    name: str
    points: tuple[tuple[dt.date, Decimal], ...]
    main: bool = False  # the whole scope (全市): bold


@dataclass(frozen=True, slots=True)
class MilestonePoint:
    by: dt.date
    share: Decimal
    label: str  # "2019年12月31日 目标50%"


@dataclass(frozen=True, slots=True)
class ProgressChart:
    """达标率 over time: lines per scope and district, milestones as points in time."""

    series: tuple[Series, ...]
    milestones: tuple[MilestonePoint, ...]
    ticks: tuple[tuple[dt.date, str], ...]  # (date, round in Chinese)
    x_title: str
    y_title: str


# --- drawing --------------------------------------------------------------------------------


def _style() -> dict:
    from matplotlib import font_manager

    font = cjk_font()
    if font.family not in {f.name for f in font_manager.fontManager.ttflist}:
        font_manager.fontManager.addfont(font.path)
    return {
        "font.family": [font.family],
        "font.size": 9,
        "axes.unicode_minus": False,
        "text.parse_math": False,  # names are data: `$\\foo$` in a unit name is text, not TeX
        "svg.fonttype": "none",
        "svg.hashsalt": "compliance",
        "axes.spines.top": False,
        "axes.spines.right": False,
    }


def _svg(fig: Figure, left: float = 0.09, bottom: float = 0.16, top: float = 0.92) -> str:
    """Fixed margins (figure fractions) rather than a tight bounding box: one drawing, not two."""
    fig.subplots_adjust(left=left, right=0.98, bottom=bottom, top=top)
    buffer = io.StringIO()
    fig.savefig(buffer, format="svg", metadata={"Date": None, "Creator": None})
    return buffer.getvalue()


def data_uri(svg_text: str) -> str:
    """An ``<img src>`` value: the chart travels inside the HTML, no file, no fetch."""
    return "data:image/svg+xml;base64," + base64.b64encode(svg_text.encode("utf-8")).decode("ascii")


def _pct(value: Decimal) -> float:
    return float(value * 100)


TONE_COLOURS = {"ok": GOOD, "low": BAD, "veto": BAD, "plain": NEUTRAL, "none": GREY}


@singledispatch
def svg(chart) -> str:
    """The SVG text of a chart object."""
    raise TypeError(f"not a chart: {chart!r}")


@svg.register
def _(chart: SectionChart) -> str:
    import matplotlib
    from matplotlib.figure import Figure
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch
    from matplotlib.ticker import PercentFormatter

    with matplotlib.rc_context(_style()):
        names = [b.name for b in chart.bars]
        fig = Figure(figsize=(WIDTH, 0.36 * len(names) + 1.25))
        ax = fig.subplots()
        rows = list(range(len(names)))[::-1]
        values = [_pct(b.rate) if b.rate is not None else 0.0 for b in chart.bars]
        colours = [TONE_COLOURS[b.tone] for b in chart.bars]
        hatches = ["////" if b.tone == "veto" else "" for b in chart.bars]
        for y, value, colour, hatch in zip(rows, values, colours, hatches, strict=True):
            ax.barh(
                [y], [value], color=colour, height=0.6, hatch=hatch, edgecolor="white" if hatch else colour
            )
        for y, bar, value in zip(rows, chart.bars, values, strict=True):
            ax.text(value + 1, y, bar.label, va="center", fontsize=8, color=INK)
        if chart.minimum is not None:
            ax.axvline(_pct(chart.minimum), color=BAD, linewidth=1.2, linestyle="--")
        ax.set_yticks(rows, names)
        ax.set_xlim(0, 125)
        ax.set_ylim(-0.6, len(names) - 0.4)
        ax.set_xticks([0, 20, 40, 60, 80, 100])
        ax.xaxis.set_major_formatter(PercentFormatter(decimals=0))
        ax.tick_params(axis="y", length=0)
        ax.set_xlabel(chart.x_title)
        ax.set_ylabel(chart.y_title)
        handles = [Patch(color=TONE_COLOURS[tone], label=words) for tone, words in chart.legend]
        if chart.minimum_label:
            handles.append(Line2D([], [], color=BAD, linestyle="--", label=chart.minimum_label))
        fig.legend(handles=handles, loc="upper center", ncols=len(handles), frameon=False, fontsize=8)
        widest = max((len(n) for n in names), default=2)
        height = fig.get_figheight()
        return _svg(
            fig,
            left=min(0.42, (0.45 + 0.13 * widest) / WIDTH),
            bottom=0.5 / height,
            top=1 - 0.32 / height,
        )


@svg.register
def _(chart: TrendChart) -> str:
    import matplotlib
    from matplotlib.figure import Figure
    from matplotlib.ticker import PercentFormatter

    with matplotlib.rc_context(_style()):
        fig = Figure(figsize=(WIDTH, 2.4))
        ax = fig.subplots()
        xs = list(range(len(chart.labels)))
        ys = [_pct(r) for r in chart.rates]
        ax.plot(xs, ys, marker="o", color=INK, linewidth=1.6, label="得分率")
        for x, y, rate in zip(xs, ys, chart.rates, strict=True):
            ax.annotate(
                percent(rate, 1), (x, y), textcoords="offset points", xytext=(0, 6), ha="center", fontsize=8
            )
        floor = min(ys, default=100.0)
        if chart.line is not None:
            ax.axhline(_pct(chart.line), color=GOOD, linestyle="--", linewidth=1, label=chart.line_label)
            floor = min(floor, _pct(chart.line))
        ax.set_xticks(xs, list(chart.labels))
        ax.set_xlim(-0.5, len(chart.labels) - 0.5)
        ax.set_ylim(max(0.0, floor - 12), 106)
        ax.yaxis.set_major_formatter(PercentFormatter(decimals=0))
        ax.grid(axis="y", color="#e0e0e0", linewidth=0.6)
        ax.set_xlabel(chart.x_title)
        ax.set_ylabel(chart.y_title)
        fig.legend(loc="upper center", ncols=2, frameon=False, fontsize=8)
        return _svg(fig, left=0.1, bottom=0.2, top=0.86)


@svg.register
def _(chart: ProgressChart) -> str:
    """Milestones are stars at their date and share, each on a dotted guide, labelled in
    the band above 100 % where no line runs; the legend sits below the axes."""
    import matplotlib
    from matplotlib.figure import Figure
    from matplotlib.ticker import PercentFormatter

    with matplotlib.rc_context(_style()):
        fig = Figure(figsize=(WIDTH, 3.6))
        ax = fig.subplots()
        colours = iter(DISTRICT_COLOURS * 4)
        for s in chart.series:
            if not s.points:
                continue
            dates, ys = [d for d, _ in s.points], [_pct(v) for _, v in s.points]
            if s.main:
                ax.plot(dates, ys, marker="o", color=INK, linewidth=2.6, label=s.name, zorder=3)
            else:
                ax.plot(dates, ys, marker=".", linewidth=1, alpha=0.85, color=next(colours), label=s.name)
        for m in chart.milestones:
            ax.plot([m.by, m.by], [0, 112], color=MILESTONE, linestyle=":", linewidth=0.9, zorder=1)
            ax.plot(
                [m.by], [_pct(m.share)], marker="*", markersize=13, color=MILESTONE, zorder=4, linestyle=""
            )
            ax.annotate(
                m.label,
                (m.by, 113),
                ha="center",
                va="bottom",
                fontsize=7.5,
                color=MILESTONE,
                annotation_clip=False,
            )
        if chart.milestones:
            ax.plot([], [], marker="*", markersize=10, color=MILESTONE, linestyle="", label="目标节点")
        dates = [d for s in chart.series for d, _ in s.points] + [m.by for m in chart.milestones]
        if dates:
            span = max((max(dates) - min(dates)).days, 60)
            margin = dt.timedelta(days=max(45, span // 12))
            ax.set_xlim(min(dates) - margin, max(dates) + margin)
        rotated = len(chart.ticks) > 4
        if chart.ticks:
            ax.set_xticks(
                [d for d, _ in chart.ticks],
                [name for _, name in chart.ticks],
                rotation=30 if rotated else 0,
                ha="right" if rotated else "center",
            )
        ax.set_ylim(0, 124)
        ax.set_yticks([0, 20, 40, 60, 80, 100])
        ax.yaxis.set_major_formatter(PercentFormatter(decimals=0))
        ax.grid(axis="y", color="#e0e0e0", linewidth=0.6)
        ax.set_xlabel(chart.x_title)
        ax.set_ylabel(chart.y_title)
        entries = len(ax.get_legend_handles_labels()[0])
        # below the (rotated) round names and the axis title, never across them
        ax.legend(
            loc="upper center",
            bbox_to_anchor=(0.5, -0.5 if rotated else -0.3),
            fontsize=8,
            frameon=False,
            ncols=min(6, entries),
        )
        rows = (entries + 5) // 6
        return _svg(fig, left=0.1, bottom=(0.38 if rotated else 0.28) + 0.05 * rows, top=0.95)


def chart_uri(chart) -> str:
    """The ``<img src>`` of a chart object (the templates call this)."""
    return data_uri(svg(chart))
