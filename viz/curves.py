"""Training curves of a comparison grid: one line per optimizer × dropout setting.

Each line is the mean over seeds with a min–max band around it; the colour and marker are the
optimizer's (viz.palette.optimizer_style), runs with dropout are dashed, and each line ends in
its name, so no line is told from another by colour alone. A run that
diverged is named in the legend ("Adam, lr=5: diverged at step 12") and its curve simply stops;
one that ended no lower than it started is named too ("Adam, lr=10: stalled at loss 17.2").
The y range is fitted to the runs that did neither, so a blow-up never flattens the others; a
failed seed's last value is marked (×, or ▲ on the top edge when it is above the range).
Log axes are labelled with plain numbers (0.05, 0.1, 0.2), never a bare digit beside a power.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from engine.train_grid import Run
from viz.palette import DROPOUT_DASH, FONT_FAMILY, INK, optimizer_style

FONT_SIZE = 17  # readable on a projector at 1280×720
END_LABEL_PX = 26  # the room a line's end label takes, presenter mode's larger type included
PLOT_SHARE = 0.6  # the share of a figure's height its plot gets (title, axis title, legend below)
MARKERS_SHOWN = 8  # the optimizer's marker, this many times along each line
Y_CEILING = 3.0  # the y axis goes at most this × the largest first value above it
NOTHING_TO_DRAW = "Nothing to draw: every run<br>diverged before the first<br>value was recorded"

# metric -> (History epoch field, title); "train_loss" on a step axis uses the minibatch losses.
METRICS = {
    "train_loss": ("epoch_train_loss", "Training loss"),
    "val_loss": ("epoch_val_loss", "Validation loss"),
    "train_acc": ("epoch_train_acc", "Training accuracy"),
    "val_acc": ("epoch_val_acc", "Validation accuracy"),
}


def projector_layout(fig: go.Figure, *, height: int = 420, legend_below: bool = True) -> go.Figure:
    """Big fonts, white background, and the legend under the plot (never over the data)."""
    fig.update_layout(
        font={"family": FONT_FAMILY, "size": FONT_SIZE, "color": INK},
        template="plotly_white",
        height=height,
        margin={"l": 70, "r": 20, "t": 50, "b": 10},
        hoverlabel={"font_size": FONT_SIZE - 2},
    )
    if legend_below:
        # y: clear of the axis title even when a phone's legend takes five rows
        fig.update_layout(legend={"orientation": "h", "x": 0, "xanchor": "left",
                                  "y": -0.4, "yanchor": "top"})
    return fig


def group_title(run: Run) -> str:
    """The legend name of a run's group: "Adam, lr=0.01" or "Adam, lr=0.01, dropout 0.2"."""
    drop = f", dropout {run.dropout_p:g}" if run.dropout_p else ""
    return f"{run.optimizer.title}{drop}"


def stalled(history) -> bool:
    """A run that did not diverge but ended no lower than its first minibatch loss (the loss at
    its initial weights): too large a step that bounces instead of descending."""
    return (not history.diverged and bool(history.epoch_train_loss) and bool(history.step_loss)
            and history.epoch_train_loss[-1] >= history.step_loss[0])


def failure_note(runs: Sequence[Run]) -> str:
    """": diverged at step 12" or ": stalled at loss 17.2" (the mean final training loss), with
    "in 2 of 3 seeds" if not all did; or "" for runs that descended."""
    steps = [r.history.diverged_at for r in runs if r.history.diverged]
    stuck = [r.history.epoch_train_loss[-1] for r in runs if stalled(r.history)]
    failed = steps or stuck
    if not failed:
        return ""
    some = f" in {len(failed)} of {len(runs)} seeds" if len(failed) < len(runs) else ""
    what = f"diverged at step {min(steps)}" if steps else f"stalled at loss {np.mean(stuck):.3g}"
    return f": {what}{some}"


@dataclass(frozen=True)
class Series:
    """One line of a figure: the runs of one optimizer × dropout setting over the seeds.

    ys has one row per seed, padded with nan where a seed stopped; diverged[i] says whether
    seed i diverged (its row ends where it did), stalled[i] whether it stalled; note is the
    failure_note in the name ("" if every seed descended).
    """

    label: str
    colour: str
    marker: str
    dashed: bool
    name: str
    x: np.ndarray
    ys: np.ndarray
    diverged: tuple[bool, ...]
    stalled: tuple[bool, ...]
    note: str

    @property
    def failed(self) -> tuple[bool, ...]:
        """Per seed: diverged or stalled."""
        return tuple(d or s for d, s in zip(self.diverged, self.stalled))

    @property
    def mean(self) -> np.ndarray:
        """Mean over seeds, only where every seed has a value."""
        return self.ys.mean(axis=0)

    @property
    def low(self) -> np.ndarray:
        return _nan_reduce(np.nanmin, self.ys)

    @property
    def high(self) -> np.ndarray:
        return _nan_reduce(np.nanmax, self.ys)


def _nan_reduce(reduce, ys: np.ndarray) -> np.ndarray:
    out = np.full(ys.shape[1], np.nan)
    seen = ~np.isnan(ys).all(axis=0)
    out[seen] = reduce(ys[:, seen], axis=0)
    return out


def _values(run: Run, metric: str, x_axis: str) -> tuple[np.ndarray, np.ndarray]:
    """(x, y) of one run's metric against "steps" or "epochs"."""
    history = run.history
    if x_axis == "steps" and metric == "train_loss":
        return np.arange(1, history.steps + 1), np.array(history.step_loss)
    y = np.array(getattr(history, METRICS[metric][0]), dtype=float)
    if x_axis == "steps":
        return np.array(history.epoch_end_steps), y
    return np.arange(1, len(y) + 1), y


def _groups(runs: Sequence[Run]) -> list[list[Run]]:
    """The runs of each optimizer × dropout setting (all seeds), in the order they come."""
    groups: dict[tuple, list[Run]] = {}
    for run in runs:
        groups.setdefault((run.optimizer, run.dropout_p), []).append(run)
    return list(groups.values())


def series(runs: Sequence[Run], metric: str, x_axis: str = "epochs") -> list[Series]:
    """One Series per optimizer × dropout setting, in the order the runs come."""
    if metric not in METRICS or x_axis not in ("steps", "epochs"):
        raise ValueError(f"unknown metric {metric!r} or x axis {x_axis!r}")
    out = []
    for members in _groups(runs):
        first = members[0]
        pairs = [_values(r, metric, x_axis) for r in members]
        x = max((x for x, _ in pairs), key=len)
        ys = np.full((len(pairs), len(x)), np.nan)
        for row, (_, y) in zip(ys, pairs):
            row[: len(y)] = y
        note = failure_note(members)
        style = optimizer_style(first.optimizer.key)
        out.append(Series(first.label, style.colour, style.marker, bool(first.dropout_p),
                          group_title(first) + note, x, ys,
                          tuple(r.history.diverged for r in members),
                          tuple(stalled(r.history) for r in members), note))
    return out


def _y_range(all_series: Sequence[Series], log_y: bool,
             from_zero: bool = True) -> list[float] | None:
    """A y range from the finite data of the seeds that neither diverged nor stalled (of all, if
    every seed failed; from 0 if `from_zero` on a linear axis), capped at Y_CEILING × the
    largest first value."""
    rows = [s.ys[~np.array(s.failed)] for s in all_series]
    if not any(np.isfinite(r).any() for r in rows):
        rows = [s.ys for s in all_series]
    values = np.concatenate([r[np.isfinite(r)] for r in rows] or [np.array([])])
    firsts = [r[:, 0] for r in rows if r.size]
    firsts = np.concatenate(firsts) if firsts else np.array([])
    firsts = firsts[np.isfinite(firsts)]
    if log_y:
        values = values[values > 0]
    if not values.size or not firsts.size:
        return None
    low, high = values.min(), min(values.max(), Y_CEILING * max(firsts.max(), 1e-12))
    if log_y:
        low, high = np.log10(low), np.log10(max(high, low * 10))
        pad = 0.05 * (high - low)
    else:
        low = min(low, 0.0) if from_zero else low
        pad = 0.05 * (high - low or 1.0)
    return [float(low - pad), float(high + pad)]


def _rgba(color: str, alpha: float) -> str:
    color = color.lstrip("#")
    r, g, b = (int(color[i:i + 2], 16) for i in (0, 2, 4))
    return f"rgba({r},{g},{b},{alpha})"


def _end_markers(s: Series, top: float) -> tuple[list[float], list[float], list[str]]:
    """(x, y, symbol) of the last value of every seed that diverged or stalled: an × there, or
    a ▲ at `top` (the axis' top value) if it is above it."""
    xs, ys, symbols = [], [], []
    for row, failed in zip(s.ys, s.failed):
        seen = np.flatnonzero(~np.isnan(row))
        if failed and seen.size:
            xs.append(float(s.x[seen[-1]]))
            above = row[seen[-1]] > top
            ys.append(top if above else float(row[seen[-1]]))
            symbols.append("triangle-up" if above else "x")
    return xs, ys, symbols


def inside_top(y_range: Sequence[float], log_y: bool) -> float:
    """The y of a mark on the top edge of this axis range (log₁₀ units if log_y), a hair
    inside: plotly drops a point that rounding puts just outside its log axis."""
    edge = y_range[1] - 0.01 * (y_range[1] - y_range[0])
    return float(10**edge if log_y else edge)


def log_ticks(low: float, high: float) -> dict:
    """Tick values and plain-number labels for a log axis spanning 10^low … 10^high: 1, 2, 5
    of each decade over fewer than two decades, else the powers of ten (every n-th over many)."""
    decades = range(int(np.floor(low)), int(np.ceil(high)) + 1)
    if high - low < 2:
        values = [m * 10.0**d for d in decades for m in (1, 2, 5)]
    else:
        every = max(1, int(np.ceil((high - low) / 8)))
        values = [10.0**d for d in decades if d % every == 0]
    values = [v for v in values if low <= np.log10(v) <= high]
    return {"tickvals": values, "ticktext": [f"{v:.6g}" for v in values]}


def curves_figure(panels: Sequence[tuple[str, Sequence[Series]]], *, y_title: str,
                  x_title: str = "epoch", log_y: bool = False, from_zero: bool = True,
                  show_legend: bool = True, height: int = 430) -> go.Figure:
    """Side-by-side panels (title, series) sharing one legend: per Series a mean line with its
    min–max band; an × (▲ on the top edge) where a seed diverged or stalled; each panel's y
    range from its sane data."""
    fig = make_subplots(rows=1, cols=len(panels), subplot_titles=[t for t, _ in panels],
                        horizontal_spacing=0.08)
    for col, (_, all_series) in enumerate(panels, start=1):
        y_range = _y_range(all_series, log_y, from_zero)
        top = np.inf if y_range is None else inside_top(y_range, log_y)
        for s in all_series:
            _add_series(fig, s, col, x_title, top, show_legend=show_legend and col == 1)
        if y_range is not None:
            gap = END_LABEL_PX / (PLOT_SHARE * height)
            _add_end_labels(fig, all_series, col, y_range, log_y, top, gap)
        if not any(np.isfinite(s.ys).any() for s in all_series):
            _note_nothing_to_draw(fig, col)
        ticks = log_ticks(*y_range) if log_y and y_range is not None else {}
        fig.update_yaxes(type="log" if log_y else "linear", range=y_range, **ticks,
                         row=1, col=col)
        fig.update_xaxes(title_text=x_title, row=1, col=col)
    fig.update_yaxes(title_text=y_title, row=1, col=1)
    projector_layout(fig, height=height, legend_below=show_legend)
    fig.update_annotations(font_size=FONT_SIZE + 1)
    fig.update_layout(showlegend=show_legend, margin={"t": 40})
    return fig


def _note_nothing_to_draw(fig: go.Figure, col: int) -> None:
    """A panel without a single value (every run diverged before its first epoch ended) says
    so instead of showing empty axes."""
    axis = "" if col == 1 else str(col)
    fig.add_annotation(text=NOTHING_TO_DRAW, showarrow=False, x=0.5, y=0.5,
                       xref=f"x{axis} domain", yref=f"y{axis} domain", font_size=FONT_SIZE)
    fig.update_xaxes(showticklabels=False, row=1, col=col)
    fig.update_yaxes(showticklabels=False, row=1, col=col)


def _add_series(fig: go.Figure, s: Series, col: int, x_title: str, top: float,
                show_legend: bool) -> None:
    color = s.colour
    where = {"row": 1, "col": col}
    if s.ys.shape[0] > 1:
        fig.add_trace(go.Scatter(x=s.x, y=s.high, mode="lines", line={"width": 0},
                                 legendgroup=s.name, showlegend=False, hoverinfo="skip"), **where)
        fig.add_trace(go.Scatter(x=s.x, y=s.low, mode="lines", line={"width": 0},
                                 fill="tonexty", fillcolor=_rgba(color, 0.15), legendgroup=s.name,
                                 showlegend=False, hoverinfo="skip"), **where)
    fig.add_trace(go.Scatter(
        x=s.x, y=s.mean, mode="lines+markers", name=s.name, legendgroup=s.name,
        showlegend=show_legend,
        line={"color": color, "dash": DROPOUT_DASH if s.dashed else "solid", "width": 3},
        marker={"symbol": s.marker, "size": 9, "color": color, "maxdisplayed": MARKERS_SHOWN},
        hovertemplate=f"{s.name}<br>{x_title} %{{x}}: %{{y:.4g}}<extra></extra>",
    ), **where)
    end_x, end_y, symbols = _end_markers(s, top)
    if end_x:
        fig.add_trace(go.Scatter(
            x=end_x, y=end_y, mode="markers", legendgroup=s.name, showlegend=False,
            cliponaxis=False,
            marker={"symbol": symbols, "size": 14, "color": color, "line": {"width": 1}},
            hovertemplate=f"{s.name}<extra></extra>",
        ), **where)


def _add_end_labels(fig: go.Figure, all_series: Sequence[Series], col: int,
                    y_range: Sequence[float], log_y: bool, top: float, gap: float) -> None:
    """Each line's name at its end (not a line that ends above the axis: its ▲ says it), the
    names moved apart (label_heights) so none covers another."""
    ends = []
    for s in all_series:
        seen = np.flatnonzero(np.isfinite(s.mean))
        if seen.size and s.mean[seen[-1]] <= top and (not log_y or s.mean[seen[-1]] > 0):
            ends.append((s, s.x[seen[-1]], float(s.mean[seen[-1]])))
    low, high = y_range
    at = [((np.log10(y) if log_y else y) - low) / (high - low) for _, _, y in ends]
    for (s, x, _), f in zip(ends, label_heights(at, gap)):
        y = low + f * (high - low)
        fig.add_trace(go.Scatter(
            x=[x], y=[10**y if log_y else y], mode="text", text=[end_label(s)],
            textposition="top left", textfont={"color": INK, "size": FONT_SIZE - 3},
            legendgroup=s.name, showlegend=False, hoverinfo="skip", cliponaxis=False),
            row=1, col=col)


def label_heights(at: Sequence[float], gap: float) -> list[float]:
    """Heights (fractions of the axis, 0 at the bottom) for labels that would sit at `at`: each
    at its own where it can, else just under the one above it, at least `gap` apart, in the
    same order, between 0 and 1 − gap (the plot's top leaves room for the label above its
    point); ends off the axis are pulled onto it."""
    order = sorted(range(len(at)), key=lambda i: -at[i])
    placed: dict[int, float] = {}
    ceiling = 1.0 - gap
    for i in order:
        ceiling = min(min(max(at[i], 0.0), 1.0 - gap), ceiling)
        placed[i] = ceiling
        ceiling -= gap
    lowest = min(placed.values(), default=0.0)
    lift = max(0.0, -lowest)
    return [placed[i] + lift for i in range(len(at))]


def end_label(s: Series) -> str:
    """The words at a line's end: the optimizer's name, "+ dropout" if it has dropout."""
    return s.label + (" + dropout" if s.dashed else "")


def _mean_or_nan(values: Sequence[float]) -> float:
    values = [v for v in values if v is not None and np.isfinite(v)]
    return float(np.mean(values)) if values else float("nan")


def _last(values: Sequence[float]) -> float:
    return values[-1] if values else float("nan")


def steps_to_reach(run: Run, target: float) -> int | None:
    """The first step whose epoch ended with the training loss (evaluation mode) ≤ target."""
    history = run.history
    for step, loss in zip(history.epoch_end_steps, history.epoch_train_loss):
        if loss <= target:
            return step
    return None


def summary_rows(runs: Sequence[Run], target_loss: float) -> list[dict]:
    """One row per optimizer × dropout setting, values averaged over seeds (nan if none):
    final training/validation loss and accuracy (classification only), best validation epoch
    (of the mean curve), steps to reach `target_loss`, and divergence."""
    rows = []
    for members in _groups(runs):
        ok = [r.history for r in members if not r.history.diverged]
        reached = [steps_to_reach(r, target_loss) for r in members]
        val = series(members, "val_loss")[0].mean
        best = int(np.nanargmin(val)) + 1 if np.isfinite(val).any() else None
        row = {
            "run": group_title(members[0]),
            "train loss": _mean_or_nan([_last(h.epoch_train_loss) for h in ok]),
            "val loss": _mean_or_nan([_last(h.epoch_val_loss) for h in ok]),
            "train acc": _mean_or_nan([_last(h.epoch_train_acc) for h in ok]),
            "val acc": _mean_or_nan([_last(h.epoch_val_acc) for h in ok]),
            "best val epoch": best,
            f"steps to ≤ {target_loss:g}": (
                round(float(np.mean(reached))) if None not in reached else None),
            "diverged": failure_note(members).removeprefix(": ").removeprefix("diverged ")
            or "no",
        }
        if members[0].history.task != "classification":
            del row["train acc"], row["val acc"]
        rows.append(row)
    return rows

