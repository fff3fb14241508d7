"""Optimizers on a 2-D loss surface: the trajectory map's data, and loss vs steps.

The map shows the level lines of log₁₀(f − f*) (f* the global minimum), so both the steep walls
and the flat valley floor get lines; they are computed here (marching squares) and sent with the
paths, as plain JSON, to the browser player (ui.surface_player), which draws them on a canvas
and plays the paths step by step. The loss gap per step is a plotly figure.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import plotly.graph_objects as go

from page_models.surfaces import Surface, Trajectory
from viz.curves import MARKERS_SHOWN, inside_top, label_heights, log_ticks, projector_layout
from viz.palette import optimizer_style

CONTOUR_LEVELS = 24
MAX_DRAWN_POINTS = 300  # points of a trajectory drawn; the first half of them unthinned
SURFACE_HEIGHT = 450  # with the page header above, the loss chart fits the first 720 px
GAP_FLOOR = 1e-300  # f − f* at or below this is not a measured gap on a log axis
MIN_DECADES = 3  # the loss axis spans at least this many decades below its top
# A name at a path's end, in heights of the map: presenter mode's 17 px type and 4 px of space
# over its ~320 px map (ui/static/surface_player.css: 360 px less the ticks below).
NAME_HEIGHT = 0.07


def legend_name(run: Trajectory) -> str:
    """"SGD, lr=0.1", "Momentum, lr=0.0331, momentum=0.669", or "SGD, lr=5: diverged at step
    12"."""
    note = f": diverged at step {run.diverged_at}" if run.diverged_at is not None else ""
    return f"{run.optimizer.title}{note}"


def drawn_indices(n: int, max_points: int = MAX_DRAWN_POINTS) -> np.ndarray:
    """Which of n trajectory points to draw: all of the first max_points/2, then evenly thinned
    (zig-zags happen early, where every step is drawn); always the last one."""
    if n <= max_points:
        return np.arange(n)
    head = np.arange(max_points // 2)
    tail = np.linspace(max_points // 2, n - 1, max_points - len(head)).round().astype(int)
    return np.unique(np.concatenate([head, tail]))


def level_lines(xs: np.ndarray, ys: np.ndarray, Z: np.ndarray,
                levels: Sequence[float]) -> np.ndarray:
    """The level lines of Z[i, j] = f(xs[j], ys[i]) by marching squares, as segments: rows
    (x₁, y₁, x₂, y₂). A crossing is linear along its cell edge; a cell whose four edges cross (a
    saddle) joins them as its centre (the mean of its corners) says."""
    segments = [np.empty((0, 4))]
    for level in levels:
        above = Z > level
        with np.errstate(divide="ignore", invalid="ignore"):
            th = (level - Z[:, :-1]) / (Z[:, 1:] - Z[:, :-1])  # along rows: edge (i, j)-(i, j+1)
            tv = (level - Z[:-1]) / (Z[1:] - Z[:-1])  # along columns: edge (i, j)-(i+1, j)
        hx, hy = xs[:-1] + th * np.diff(xs), np.broadcast_to(ys[:, None], th.shape)
        vx, vy = np.broadcast_to(xs, tv.shape), ys[:-1, None] + tv * np.diff(ys)[:, None]
        hcross, vcross = above[:, :-1] != above[:, 1:], above[:-1] != above[1:]
        edges = [  # per cell: (x, y, crossed) of its bottom, right, top and left edge
            (hx[:-1], hy[:-1], hcross[:-1]), (vx[:, 1:], vy[:, 1:], vcross[:, 1:]),
            (hx[1:], hy[1:], hcross[1:]), (vx[:, :-1], vy[:, :-1], vcross[:, :-1]),
        ]
        crossed = sum(c.astype(int) for _, _, c in edges)
        centre_above = (Z[:-1, :-1] + Z[:-1, 1:] + Z[1:, :-1] + Z[1:, 1:]) / 4 > level
        corner_joined = centre_above == above[:-1, :-1]  # the bottom-left corner reaches the centre
        pairs = [((a, b), (crossed == 2) & edges[a][2] & edges[b][2])
                 for a in range(4) for b in range(a + 1, 4)]
        saddle = crossed == 4
        pairs += [((0, 1), saddle & corner_joined), ((2, 3), saddle & corner_joined),
                  ((0, 3), saddle & ~corner_joined), ((1, 2), saddle & ~corner_joined)]
        for (a, b), cells in pairs:
            if cells.any():
                segments.append(np.stack([edges[a][0][cells], edges[a][1][cells],
                                          edges[b][0][cells], edges[b][1][cells]], axis=1))
    return np.concatenate(segments)


def _contour(surface: Surface, resolution: int) -> np.ndarray:
    """The level lines of log₁₀(f − f* + floor), CONTOUR_LEVELS of them evenly spaced."""
    xs, ys, Z = surface.grid(resolution)
    gap = np.maximum(Z - surface.f_min, 0.0)
    floor = max(gap.max() * 1e-6, 1e-6)
    logs = np.log10(gap + floor)
    levels = np.linspace(logs.min(), logs.max(), CONTOUR_LEVELS + 2)[1:-1]
    return level_lines(xs, ys, logs, levels)


def _decimals(span: float) -> int:
    """Decimals that resolve a thousandth of `span` (an axis range): finer than a pixel."""
    return max(0, 3 - int(np.floor(np.log10(span))))


def surface_player_data(surface: Surface, runs: Sequence[Trajectory], *,
                        resolution: int = 120) -> dict:
    """The trajectory map as plain JSON for ui.surface_player: the level lines as flat
    [x₁, y₁, x₂, y₂, …] segments, the minima, the start, the axis ranges, the title, and per run
    its colour, marker, name (written at its path's end), label, the drawn points
    (drawn_indices) with their step numbers and losses (3 significant digits, for the words a
    screen reader hears), the heights of its name at the `name_steps` (end_name_heights), and
    the step it diverged at (or None). Coordinates rounded to a thousandth of the axis span."""
    (x_lo, x_hi), (y_lo, y_hi) = surface.x_range, surface.y_range
    x_digits, y_digits = _decimals(x_hi - x_lo), _decimals(y_hi - y_lo)

    def rounded(points: np.ndarray) -> list[float]:
        """Rows of x, y, x, y, … as one flat list, each axis to its digits."""
        pairs = np.asarray(points, dtype=float).reshape(-1, 2)
        return np.stack([pairs[:, 0].round(x_digits), pairs[:, 1].round(y_digits)],
                        axis=1).ravel().tolist()

    start = runs[0].points[0] if runs else np.array(surface.start)
    drawn = [drawn_indices(len(run.points)) for run in runs]
    name_steps, name_heights = end_name_heights(surface, runs, drawn)
    return {
        "title": surface.title,
        "x": [x_lo, x_hi], "y": [y_lo, y_hi],
        "levels": rounded(_contour(surface, resolution)),
        "minima": rounded(np.array(surface.minima)),
        "start": rounded(np.array([start])),
        "last": max((len(run.points) - 1 for run in runs), default=0),
        "name_steps": name_steps,
        "runs": [{**optimizer_style(run.optimizer.key)._asdict(), "name": run.optimizer.label,
                  "label": legend_name(run), "steps": idx.tolist(),
                  "points": rounded(run.points[idx]),
                  "losses": [float(f"{loss:.3g}") for loss in run.losses[idx]],
                  "name_heights": heights, "diverged_at": run.diverged_at}
                 for run, idx, heights in zip(runs, drawn, name_heights)],
    }


def end_name_heights(surface: Surface, runs: Sequence[Trajectory],
                     drawn: Sequence[np.ndarray]) -> tuple[list[int], list[list[float]]]:
    """Where the names at the paths' ends go: the steps at which some path's shown end (its
    last drawn point at or before the step) moves, and per run the height of its name at each
    of them (a fraction of the map, 0 at the bottom): at its end's height where it can, else
    moved apart (viz.curves.label_heights), NAME_HEIGHT apart, so no name covers another."""
    steps = np.unique(np.concatenate(drawn)) if runs else np.array([], int)
    (y_lo, y_hi) = surface.y_range
    ends = np.array([run.points[idx[np.searchsorted(idx, steps, side="right") - 1], 1]
                     for run, idx in zip(runs, drawn)]).reshape(len(runs), len(steps))
    at = np.clip((ends - y_lo) / (y_hi - y_lo), 0.0, 1.0)  # a far end is drawn on the edge
    heights = np.array([label_heights(column, NAME_HEIGHT) for column in at.T]).reshape(
        len(steps), len(runs))
    return steps.tolist(), heights.T.round(4).tolist()


def loss_figure(surface: Surface, runs: Sequence[Trajectory],
                rates: Mapping[str, float] | None = None, *,
                height: int = SURFACE_HEIGHT) -> go.Figure:
    """f − f* against the step on a log axis fitted to the runs that did not diverge: a diverged
    run leaves through the top, marked ▲ on the top edge at its last good step; a gap at 0 or
    below the axis is drawn on the bottom edge, so a one-step descent (κ = 1) still shows. For
    each optimizer name in `rates`, the dotted line (f(θ₀) − f*)·rate^(2k): the loss shrinks
    like the square of the contraction of ‖θ‖."""
    fig = go.Figure()
    y_range = _log_range(runs, surface)
    bottom, top = (10.0 ** y_range[0], inside_top(y_range, True)) if y_range else (GAP_FLOOR,
                                                                                   np.inf)
    steps = np.arange(max((len(r.losses) for r in runs), default=0))
    for run in runs:
        style = optimizer_style(run.optimizer.key)
        color = style.colour
        gap = run.losses - surface.f_min
        fig.add_trace(go.Scatter(
            x=steps[:len(gap)], y=np.maximum(gap, bottom), mode="lines+markers",
            name=legend_name(run).replace(": diverged", ":<br>diverged"),  # fits a narrow plot
            line={"color": color, "width": 3}, customdata=gap,
            marker={"symbol": style.marker, "size": 9, "color": color,
                    "maxdisplayed": MARKERS_SHOWN},  # not told apart by colour alone
            hovertemplate=f"{run.optimizer.label}<br>step %{{x}}: %{{customdata:.3g}}"
                          "<extra></extra>",
        ))
        if run.diverged_at is not None:
            fig.add_trace(go.Scatter(
                x=[len(gap) - 1], y=[top], mode="markers", showlegend=False, cliponaxis=False,
                marker={"symbol": "triangle-up", "size": 14, "color": color},
                hovertemplate=f"{legend_name(run)}<extra></extra>",
            ))
        rate = (rates or {}).get(run.optimizer.key)
        if rate is not None:
            fig.add_trace(go.Scatter(
                x=steps, y=np.maximum(gap[0] * float(rate) ** (2 * steps), bottom),
                mode="lines", name=f"{run.optimizer.label} theory: {rate:.3g}^(2k)",
                line={"color": color, "width": 2, "dash": "dot"}, hoverinfo="skip",
            ))
    fig.update_layout(title={"text": "Loss gap per step", "x": 0.01})
    last = max(len(steps) - 1, 1)  # step 0 a little right of the corner, clear of the y labels
    fig.update_xaxes(title_text="step k", range=[-0.03 * last, last])
    fig.update_yaxes(title_text="f(θₖ) − f*", type="log", range=y_range,
                     **(log_ticks(*y_range) if y_range else {}))
    return projector_layout(fig, height=height)


def _log_range(runs: Sequence[Trajectory], surface: Surface) -> list[float] | None:
    """log₁₀ range from the runs that did not diverge (all, if every one did): from the smallest
    measured gap (at least MIN_DECADES, at most 16 below the top) to 10× the largest start gap,
    the top a decade above that."""
    kept = [r for r in runs if r.diverged_at is None] or list(runs)
    gaps = np.concatenate([r.losses - surface.f_min for r in kept]) if kept else np.array([])
    gaps = gaps[gaps > GAP_FLOOR]
    if not gaps.size:
        return None
    starts = [r.losses[0] - surface.f_min for r in kept]
    top = max(max(starts), gaps.min() * 10)
    low = min(max(gaps.min(), top * 1e-16), top * 10.0**-MIN_DECADES)
    return [float(np.log10(low)) - 0.3, float(np.log10(top)) + 1.0]
