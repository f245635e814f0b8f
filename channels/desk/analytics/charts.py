"""The overview's charts as SVG, drawn on the server by matplotlib (a dependency of Rasa already).

The page shows them as images, so they need no JavaScript; bars and lines of points carry ids
("bar-…", "bars-<series>", "points-<series>") so tests and assistive tools can find them. Text in an SVG is
escaped by matplotlib's writer.
"""
import io
import math
from typing import List, Optional, Sequence

import matplotlib
from matplotlib.backends.backend_svg import FigureCanvasSVG
from matplotlib.collections import PolyCollection
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

from channels.desk.analytics.figures import Series

COLORS = ("#002855", "#eaaa00", "#0b6e4f", "#a23b72", "#5f6b7a", "#d45d00")  # the desk's navy first
STYLE = {"svg.fonttype": "none", "svg.hashsalt": "credential-advisor", "font.size": 9,
         "axes.spines.top": False, "axes.spines.right": False}


def _svg(figure: Figure) -> str:
    out = io.StringIO()
    FigureCanvasSVG(figure).print_svg(out, metadata={"Date": None})
    # matplotlib 3.5 quotes the generic family, which makes it a (missing) font's name: browsers fall back to serif.
    return out.getvalue().replace("'sans-serif'", "sans-serif")


def _figure(height: float = 2.8):
    figure = Figure(figsize=(8, height), constrained_layout=True)
    return figure, figure.add_subplot()


def _empty(axes, rows: Sequence) -> bool:
    if rows:
        return False
    axes.text(0.5, 0.5, "Nothing in this period", ha="center", va="center", transform=axes.transAxes)
    axes.set_axis_off()
    return True


def _day_ticks(axes, days: List[str]) -> None:
    step = max(1, math.ceil(len(days) / 15))
    axes.set_xticks(range(0, len(days), step))
    axes.set_xticklabels([day[5:] for day in days[::step]], rotation=45, ha="right")


def days_by_column(series: Series) -> str:
    """Per day, one bar per column (conversations by channel), each column in a panel of its own with its
    own scale, so a channel with a handful of conversations reads as clearly as one with thousands. Each
    column's bars are one collection ("bars-<column>", a path a day), which draws several times faster
    than a patch a bar."""
    columns = series.header[1:]
    with matplotlib.rc_context(STYLE):
        figure = Figure(figsize=(8, 0.4 + 1.3 * max(len(columns), 1)), constrained_layout=True)
        panels = figure.subplots(max(len(columns), 1), 1, sharex=True, squeeze=False)[:, 0]
        days = [row[0] for row in series.rows]
        for n, (column, axes) in enumerate(zip(columns, panels), start=1):
            values = [row[n] for row in series.rows]
            bars = PolyCollection([[(x - 0.4, 0), (x + 0.4, 0), (x + 0.4, v), (x - 0.4, v)] for x, v in enumerate(values)],
                                  facecolors=COLORS[(n - 1) % len(COLORS)])
            bars.set_gid(f"bars-{column}")
            axes.add_collection(bars)
            axes.set_xlim(-0.6, len(days) - 0.4)
            axes.set_ylim(0, max(max(values, default=0), 1) * 1.15)
            axes.yaxis.set_major_locator(MaxNLocator(integer=True, nbins=3))
            axes.set_ylabel(column, rotation=0, ha="right", va="center")
        _day_ticks(panels[-1], days)
        figure.supylabel("conversations")
        return _svg(figure)


def lines_per_day(series: Series, columns: Sequence[int], names: Sequence[str],
                  unit: str = "% of conversations") -> str:
    """Per day, one line of points for each of the columns (percentages); days without data are gaps."""
    with matplotlib.rc_context(STYLE):
        figure, axes = _figure()
        days = [row[0] for row in series.rows]
        for n, (column, name) in enumerate(zip(columns, names)):
            values = [math.nan if row[column] is None else row[column] for row in series.rows]
            (line,) = axes.plot(range(len(days)), values, marker="o", markersize=3.5, color=COLORS[n % len(COLORS)],
                                label=series.header[column])
            line.set_gid(f"points-{name}")
        _day_ticks(axes, days)
        axes.set_ylim(0, 100)
        axes.set_ylabel(unit)
        axes.legend(loc="lower left", frameon=False, ncol=len(columns))
        return _svg(figure)


def bars(series: Series, upper: Optional[float] = None) -> str:
    """One horizontal bar per row, (label, count), in the rows' order from the top; on a scale up to
    `upper` (100 for percentages), else to the longest bar."""
    with matplotlib.rc_context(STYLE):
        figure, axes = _figure(1.0 + 0.28 * max(len(series.rows), 3))
        if not _empty(axes, series.rows):
            labels = [str(row[0]) for row in series.rows]
            drawn = axes.barh(range(len(labels)), [row[1] for row in series.rows], color=COLORS[0], height=0.7)
            axes.set_yticks(range(len(labels)))
            axes.set_yticklabels(labels)
            axes.invert_yaxis()
            axes.set_xlim(0, upper or max(max(row[1] or 0 for row in series.rows), 1) * 1.05)
            axes.xaxis.set_major_locator(MaxNLocator(integer=True))
            axes.set_xlabel(series.header[1])
            for n, bar in enumerate(drawn):
                bar.set_gid(f"bar-{n}")
        return _svg(figure)
