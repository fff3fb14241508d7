"""Optimizers on a 2-D loss surface: contour map with animated trajectories, and loss vs steps.

The contour map shows log₁₀(f − f*) (f* the global minimum), so both the steep walls and the
flat valley floor get contour lines. The animation is plotly frames played in the browser: each
frame replaces only the trajectory traces, up to the frame's step. The level lines are a
scatter trace computed here (marching squares), not a plotly contour trace: any animation frame
erases a contour trace until it ends (plotly.js #4491, with redraw too). First and Last jump to
the ends; the slider steps through the frames and names the step ("step k of n").
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import plotly.graph_objects as go

from page_models.surfaces import Surface, Trajectory
from viz.curves import FONT_SIZE, inside_top, log_ticks, projector_layout
from viz.palette import INK

CONTOUR_COLOUR = "#b0b0b0"  # light grey: trajectories stand out
CONTOUR_LEVELS = 24
MAX_DRAWN_POINTS = 300  # points of a trajectory drawn; the first half of them unthinned
FRAMES = 40
SURFACE_HEIGHT = 450  # with the page header above, the Play buttons fit the first 720 px
GAP_FLOOR = 1e-300  # f − f* at or below this is not a measured gap on a log axis
MIN_DECADES = 3  # the loss axis spans at least this many decades below its top


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
                levels: Sequence[float]) -> tuple[np.ndarray, np.ndarray]:
    """The level lines of Z[i, j] = f(xs[j], ys[i]) by marching squares, as the x and y of
    segments, each two points then a nan (a gap): plotly draws them as one scatter trace.
    A crossing is linear along its cell edge; a cell whose four edges cross (a saddle) joins
    them as its centre (the mean of its corners) says."""
    segments = []
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
    if not segments:
        return np.array([]), np.array([])
    seg = np.concatenate(segments)
    gap = np.full(len(seg), np.nan)
    return (np.stack([seg[:, 0], seg[:, 2], gap], axis=1).ravel(),
            np.stack([seg[:, 1], seg[:, 3], gap], axis=1).ravel())


def _contour(surface: Surface, resolution: int) -> go.Scatter:
    """The level lines of log₁₀(f − f* + floor), CONTOUR_LEVELS of them evenly spaced: a
    scatter trace (an animation frame erases contour traces: plotly.js #4491)."""
    xs, ys, Z = surface.grid(resolution)
    gap = np.maximum(Z - surface.f_min, 0.0)
    floor = max(gap.max() * 1e-6, 1e-6)
    logs = np.log10(gap + floor)
    levels = np.linspace(logs.min(), logs.max(), CONTOUR_LEVELS + 2)[1:-1]
    x, y = level_lines(xs, ys, logs, levels)
    return go.Scatter(x=x, y=y, mode="lines", name="level lines", hoverinfo="skip",
                      line={"color": CONTOUR_COLOUR, "width": 1})


def trajectory_figure(surface: Surface, runs: Sequence[Trajectory], *, frames: int = FRAMES,
                      resolution: int = 120, height: int = SURFACE_HEIGHT) -> go.Figure:
    """Contour of the surface, its minima (gold stars), the start (ring), and each run's path
    in its optimizer's colour, animated: Play draws the paths step by step; the slider picks a
    step. Opens on the final paths. No legend: loss_figure beside it names the runs."""
    shown = [run.points[drawn_indices(len(run.points))] for run in runs]
    steps_shown = [drawn_indices(len(run.points)) for run in runs]
    last_step = max(len(run.points) - 1 for run in runs) if runs else 0
    frame_steps = np.unique(np.linspace(0, last_step, frames + 1).round().astype(int))

    traces: list[go.BaseTraceType] = [_contour(surface, resolution)]
    minima = np.array(surface.minima)
    traces.append(go.Scatter(
        x=minima[:, 0], y=minima[:, 1], mode="markers", name="minimum", hoverinfo="skip",
        marker={"symbol": "star", "size": 18, "color": "#ffd700", "line": {"color": INK,
                                                                           "width": 1.5}},
    ))
    start = runs[0].points[0] if runs else np.array(surface.start)
    traces.append(go.Scatter(
        x=[start[0]], y=[start[1]], mode="markers", name="start", hoverinfo="skip",
        marker={"symbol": "circle-open", "size": 16, "color": INK, "line": {"width": 3}},
    ))
    first_run_trace = len(traces)
    for run, pts in zip(runs, shown):
        color = run.optimizer.colour
        traces.append(go.Scatter(
            x=pts[:, 0], y=pts[:, 1], mode="lines+markers", name=legend_name(run),
            line={"color": color, "width": 2}, marker={"size": 4, "color": color},
            hovertemplate=f"{run.optimizer.label}<br>x=%{{x:.4g}}, y=%{{y:.4g}}<extra></extra>",
        ))
    run_traces = list(range(first_run_trace, first_run_trace + len(runs)))

    def frame(step: int) -> go.Frame:
        data = []
        for pts, idx in zip(shown, steps_shown):
            upto = pts[idx <= step]
            data.append(go.Scatter(x=upto[:, 0], y=upto[:, 1]))
        return go.Frame(data=data, traces=run_traces, name=str(step))

    fig = go.Figure(data=traces, frames=[frame(int(s)) for s in frame_steps])
    # No axis titles: x runs across, y up (as the hover says); the Play buttons sit under x.
    fig.update_xaxes(range=list(surface.x_range), constrain="domain")
    fig.update_yaxes(range=list(surface.y_range))
    fig.update_layout(
        title={"text": surface.title, "x": 0.01},
        updatemenus=[_play_buttons(frame_steps)],
        sliders=[_slider(frame_steps)],
        showlegend=False,
    )
    projector_layout(fig, height=height)
    fig.update_layout(margin={"b": 90})
    return fig


def _animate(frame_names: list[str] | None, duration: int) -> list:
    """The args of a plotly "animate" method: these frames (None: all; [None]: stop), without a
    full redraw (every trace is a scatter trace, which frames update in place)."""
    return [frame_names, {"frame": {"duration": duration, "redraw": False}, "fromcurrent": False,
                          "transition": {"duration": 0}, "mode": "immediate"}]


def _play_buttons(frame_steps: np.ndarray) -> dict:
    return {
        "type": "buttons", "direction": "left", "showactive": False,
        "x": 0.0, "xanchor": "left", "y": -0.12, "yanchor": "top", "pad": {"r": 8, "t": 0},
        "font": {"size": FONT_SIZE - 4},
        "buttons": [{"label": "▶ Play", "method": "animate", "args": _animate(None, 80)},
                    {"label": "❚❚ Pause", "method": "animate", "args": _animate([None], 0)},
                    {"label": "First", "method": "animate",
                     "args": _animate([str(frame_steps[0])], 0)},
                    {"label": "Last", "method": "animate",
                     "args": _animate([str(frame_steps[-1])], 0)}],
    }


def _slider(frame_steps: np.ndarray) -> dict:
    last = int(frame_steps[-1])
    return {
        "active": len(frame_steps) - 1,
        "x": 0.6, "len": 0.4, "y": -0.08, "yanchor": "top", "pad": {"t": 0},
        "currentvalue": {"prefix": "step ", "xanchor": "right",
                         "font": {"size": FONT_SIZE - 4, "color": INK}},
        "font": {"size": 1, "color": "rgba(0,0,0,0)"},  # tick labels hidden: the value shows it
        "steps": [{"label": f"{s} of {last}", "method": "animate",
                   "args": _animate([str(s)], 0)} for s in frame_steps],
    }


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
        color = run.optimizer.colour
        gap = run.losses - surface.f_min
        fig.add_trace(go.Scatter(
            x=steps[:len(gap)], y=np.maximum(gap, bottom), mode="lines",
            name=legend_name(run).replace(": diverged", ":<br>diverged"),  # fits a narrow plot
            line={"color": color, "width": 3}, customdata=gap,
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
