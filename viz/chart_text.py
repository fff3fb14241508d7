"""A plotly figure in words, for a screen reader: its title and one sentence of what its data
says (ui.charts.chart puts it beside every chart).

    chart_text(fig)
    # "Training loss. SGD, lr=0.1 ends at 300 with 0.12; Adam, lr=0.01 ends at 300 with 0.03."
"""

from __future__ import annotations

import re

import numpy as np
import plotly.graph_objects as go

MAX_SERIES = 12  # lines named in the sentence; more are counted


def _plain(text) -> str:
    """Text without plotly's HTML (<br>, <b>, <sub>)."""
    text = re.sub(r"<br\s*/?>", " ", str(text or ""))
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", text)).strip()


def _number(x: float) -> str:
    return f"{x:.3g}".replace("-", "−")


def _title(fig: go.Figure) -> str:
    """The title (or `layout.meta["title"]`, for a figure that draws none) and subplot titles;
    without any, the axes' ("loss against epoch")."""
    meta = fig.layout.meta if isinstance(fig.layout.meta, dict) else {}
    titles = [_plain(fig.layout.title.text or meta.get("title"))]
    titles += [_plain(a.text) for a in fig.layout.annotations if a.xref == "paper"
               and a.yref == "paper" and a.showarrow is False]  # subplot titles
    x, y = (_plain(axis.title.text) for axis in (fig.layout.xaxis, fig.layout.yaxis))
    axes = f"{y} against {x}" if x and y else y or x
    return "; ".join(t for t in titles if t) or axes or "Chart"


def _series_end(trace) -> str | None:
    """"name ends at x with y" of a named line: its last finite value."""
    if trace.y is None or trace.x is None or not trace.name or "lines" not in (trace.mode or
                                                                                "lines"):
        return None
    y = np.asarray(trace.y, dtype=float) if len(trace.y) else np.array([])
    seen = np.flatnonzero(np.isfinite(y)) if y.dtype.kind == "f" else np.array([], int)
    if not seen.size:
        return f"{_plain(trace.name)} has no value"
    x = trace.x[seen[-1]]
    where = f" at {_number(float(x))}" if isinstance(x, int | float | np.number) else f" at {x}"
    return f"{_plain(trace.name)} ends{where} with {_number(float(y[seen[-1]]))}"


MAX_BARS = 8  # bars read out one by one; more are summed up as a range


def _bars(trace) -> str | None:
    """"pass 1: point 1 0.52, point 2 0.48" of a bar trace (or its count and range)."""
    y = np.asarray(trace.y if trace.y is not None else [], dtype=float)
    if not y.size:
        return None
    name = f"{_plain(trace.name)}: " if trace.name else ""
    if y.size > MAX_BARS or trace.x is None:
        return f"{name}{y.size} bars from {_number(np.nanmin(y))} to {_number(np.nanmax(y))}"
    return name + ", ".join(f"{_plain(x)} {_number(v)}" for x, v in zip(trace.x, y))


def _points(trace) -> str | None:
    """"raw: 50 points" of a named scatter of two or more markers (one is a mark, not data)."""
    count = len(trace.x) if trace.x is not None else 0
    if not trace.name or trace.showlegend is False or "lines" in (trace.mode or "lines") \
            or count < 2:
        return None
    return f"{_plain(trace.name)}: {count} points"


def _maps_range(maps: list) -> str | None:
    """"a map of values from a to b" ("3 maps …") of heatmaps, contours and surfaces."""
    values = np.concatenate([np.asarray(t.z, dtype=float).ravel() for t in maps
                             if t.z is not None] or [np.array([])])
    values = values[np.isfinite(values)]
    if not values.size:
        return None
    what = "a map" if len(maps) == 1 else f"{len(maps)} maps"
    return f"{what} of values from {_number(values.min())} to {_number(values.max())}"


def chart_text(fig: go.Figure) -> str:
    """The figure's title, then one sentence: the figure's own (`layout.meta["summary"]`, for a
    drawing whose x and y are not data: viz.oblique), or where each named line ends (its last
    value), the range of a map's values, each bar, how many points a named scatter has, or
    how many traces it draws."""
    if isinstance(fig.layout.meta, dict) and (own := fig.layout.meta.get("summary")):
        return f"{_title(fig)}. {own}"
    maps = [t for t in fig.data if t.type in ("heatmap", "contour", "surface")]
    parts = [span] if maps and (span := _maps_range(maps)) else []
    parts += [said for t in fig.data if (said := _series_end(t) or _points(t) if t.type ==
                                         "scatter" else _bars(t) if t.type == "bar" else None)]
    more = len(parts) - MAX_SERIES
    sentence = "; ".join(dict.fromkeys(parts[:MAX_SERIES])) + (f"; and {more} more"
                                                               if more > 0 else "")
    if not sentence:
        sentence = f"{len(fig.data)} trace{'s' if len(fig.data) != 1 else ''}"
    return f"{_title(fig)}. {sentence[0].upper()}{sentence[1:]}."
