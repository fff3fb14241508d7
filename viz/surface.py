"""The surface z = f(x, y) of a two-input program around the current point, with its two tangent
lines: along x (slope ∂z/∂x, the hill walked east-west) and along y (slope ∂z/∂y, north-south)."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import plotly.graph_objects as go

from engine import PlaygroundError
from page_models import expression_graph as model
from viz import palette
from viz.numbers import format_number
from viz.oblique import project, rise_scale, wire_traces

GRID = 25  # grid points along each axis


def span_around(x0: float, y0: float) -> float:
    """Half the width of the square shown around (x0, y0): 1, or more for a far-away point."""
    return max(1.0, 0.5 * max(abs(x0), abs(y0)))


def program_surface(view: model.View) -> tuple[go.Figure, tuple[str, str, str]] | None:
    """The surface of a program's scalar output over its two scalar parameters, around their
    values, with the gradient's slopes there, and the names (x, y, output); None for a program
    without such a pair (model.surface_inputs) or one that fails on the grid."""
    if (pair := model.surface_inputs(view)) is None:
        return None
    (x, y), (f, elementwise) = pair, model.surface_function(view)
    x0, y0 = x.data.item(), y.data.item()
    try:
        grid = surface_grid(f, x0, y0, span_around(x0, y0), vectorised=elementwise)
    except PlaygroundError:
        return None
    built, gradients = view.built, view.record.gradients
    names = (x.name, y.name, built.program.output_name)
    slopes = (gradients[x].item(), gradients[y].item())
    return surface_figure(*grid, (x0, y0, built.output.data.item()), slopes, names), names


def surface_grid(f: Callable, x0: float, y0: float, span: float, n: int = GRID,
                 vectorised: bool = False) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """xs, ys and Z[i, j] = f(xs[j], ys[i]) on an n × n grid around (x0, y0); inf becomes nan.

    With `vectorised`, f is called once with the grid as two arrays (right for elementwise
    programs); otherwise once per grid point with two floats.
    """
    xs = np.linspace(x0 - span, x0 + span, n)
    ys = np.linspace(y0 - span, y0 + span, n)
    if vectorised:
        X, Y = np.meshgrid(xs, ys)
        Z = np.broadcast_to(np.asarray(f(X, Y), dtype=np.float64), X.shape).copy()
    else:
        Z = np.array([[f(x, y) for x in xs] for y in ys], dtype=np.float64)
    Z[~np.isfinite(Z)] = np.nan
    return xs, ys, Z


def surface_figure(xs, ys, Z, point: tuple[float, float, float], slopes: tuple[float, float],
                   names: tuple[str, str, str] = ("x", "y", "z")) -> go.Figure:
    """The surface as wires seen from above a corner (viz.oblique: drawn flat, no WebGL scene
    redrawing itself), heights drawn from the point's, with the point, the tangent lines whose
    slopes are the partial derivatives, and an arrow along each input's axis."""
    (x0, y0, z0), (dx, dy), (nx, ny, nz) = point, slopes, names
    scale = rise_scale(xs, Z - z0)
    t = np.array([-1.0, 1.0]) * (xs[-1] - xs[0]) / 2

    def flat(x, y, z) -> tuple[np.ndarray, np.ndarray]:
        heights = (np.asarray(z, dtype=float) - z0) * scale
        return project(np.stack(np.broadcast_arrays(*np.atleast_1d(x, y, heights)), axis=1))

    corner_x, corner_y = xs[0], ys[0]  # the axis arrows start at the grid's near-left corner
    floor = np.nanmin(Z) if np.isfinite(Z).any() else z0
    traces = wire_traces(xs, ys, Z, scale, names, base=z0)
    names_at = []  # each axis's name at its arrow's end, on white, outside the surface
    for name, end, anchor in ((nx, (xs[-1], corner_y), {"yanchor": "top", "yshift": -6}),
                              (ny, (corner_x, ys[-1]), {"xanchor": "right", "xshift": -8})):
        (sx0, sx1), (sy0, sy1) = flat([corner_x, end[0]], [corner_y, end[1]], floor)
        traces.append(go.Scatter(x=[sx0, sx1], y=[sy0, sy1], mode="lines+markers",
                                 showlegend=False, hoverinfo="skip",
                                 line={"color": palette.INK, "width": 1.5},
                                 marker={"symbol": "arrow", "size": [0, 11], "color": palette.INK,
                                         "angleref": "previous"}))
        names_at.append({"x": sx1, "y": sy1, "text": name, "showarrow": False,
                         "bgcolor": "rgba(255,255,255,0.85)", "font": {"size": 18}, **anchor})
    along_x = f"along {nx}: slope ∂{nz}/∂{nx} = {format_number(dx)}"
    along_y = f"along {ny}: slope ∂{nz}/∂{ny} = {format_number(dy)}"
    for name, colour, line in ((along_x, palette.TANGENT_X, (x0 + t, y0, z0 + dx * t)),
                               (along_y, palette.TANGENT_Y, (x0, y0 + t, z0 + dy * t))):
        sx, sy = flat(*line)
        traces.append(go.Scatter(x=sx, y=sy, mode="lines", name=name, hoverinfo="name",
                                 customdata=np.stack(np.broadcast_arrays(*line), axis=1),
                                 line={"color": colour, "width": 6}))
    sx, sy = flat(x0, y0, z0)
    traces.append(go.Scatter(x=sx, y=sy, mode="markers", name=f"({nx}, {ny}) now",
                             marker={"size": 12, "color": palette.INK},
                             hovertemplate=f"{nx} = {format_number(x0)}, {ny} = "
                                           f"{format_number(y0)}: {nz} = {format_number(z0)}"
                                           "<extra></extra>"))
    fig = go.Figure(traces, layout={"annotations": names_at})
    finite = Z[np.isfinite(Z)]
    low, high = (format_number(float(v)) for v in (finite.min(), finite.max())) if finite.size \
        else ("?", "?")
    fig.update_layout(
        height=560,
        title={"text": f"{nz} over ({nx}, {ny}), seen from above<br>the corner of largest {nx} "
                       f"and smallest {ny}", "x": 0.01, "font": {"size": 17}},  # fits a phone
        margin={"l": 0, "r": 0, "t": 64, "b": 0},
        font={"family": palette.FONT_FAMILY, "size": 16, "color": palette.INK},
        legend={"x": 0, "y": 1, "bgcolor": "rgba(255,255,255,0.8)", "font": {"size": 17}},
        plot_bgcolor="white",
        meta={"summary": f"{nz} from {low} to {high} for {nx} from {format_number(xs[0])} to "
                         f"{format_number(xs[-1])} and {ny} from {format_number(ys[0])} to "
                         f"{format_number(ys[-1])}; at {nx} = {format_number(x0)}, {ny} = "
                         f"{format_number(y0)}: {nz} = {format_number(z0)}, {along_x}, "
                         f"{along_y}."},
    )
    fig.update_xaxes(visible=False)
    fig.update_yaxes(visible=False, scaleanchor="x")
    return fig
