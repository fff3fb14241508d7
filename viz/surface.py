"""The surface z = f(x, y) of a two-input program around the current point, with its two tangent
lines: along x (slope ∂z/∂x, the hill walked east-west) and along y (slope ∂z/∂y, north-south)."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import plotly.graph_objects as go

from viz import palette
from viz.numbers import format_number

GRID = 25  # grid points along each axis


def span_around(x0: float, y0: float) -> float:
    """Half the width of the square shown around (x0, y0): 1, or more for a far-away point."""
    return max(1.0, 0.5 * max(abs(x0), abs(y0)))


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
    """The surface, the point, and the tangent lines whose slopes are the partial derivatives."""
    (x0, y0, z0), (dx, dy), (nx, ny, nz) = point, slopes, names
    t = np.array([-1.0, 1.0]) * (xs[-1] - xs[0]) / 2
    finite = Z[np.isfinite(Z)]
    top = float(np.abs(finite).max()) if finite.size else 1.0
    along_x = f"along {nx}: slope ∂{nz}/∂{nx} = {format_number(dx)}"
    along_y = f"along {ny}: slope ∂{nz}/∂{ny} = {format_number(dy)}"
    fig = go.Figure([
        go.Surface(x=xs, y=ys, z=Z, colorscale=palette.VALUE_SCALE, cmin=-top, cmax=top,
                   opacity=0.85, showscale=False, name=nz,
                   hovertemplate=f"{nx} = %{{x:.3g}}<br>{ny} = %{{y:.3g}}<br>{nz} = %{{z:.4g}}"
                                 "<extra></extra>"),
        go.Scatter3d(x=x0 + t, y=[y0, y0], z=z0 + dx * t, mode="lines", name=along_x,
                     line={"color": palette.TANGENT_X, "width": 9}),
        go.Scatter3d(x=[x0, x0], y=y0 + t, z=z0 + dy * t, mode="lines", name=along_y,
                     line={"color": palette.TANGENT_Y, "width": 9}),
        go.Scatter3d(x=[x0], y=[y0], z=[z0], mode="markers", name=f"({nx}, {ny}) now",
                     marker={"size": 7, "color": palette.INK}),
    ])
    fig.update_layout(
        height=560,
        margin={"l": 0, "r": 0, "t": 10, "b": 0},
        font={"family": palette.FONT_FAMILY, "size": 16},
        legend={"x": 0, "y": 1, "bgcolor": "rgba(255,255,255,0.8)", "font": {"size": 17}},
        scene={"xaxis_title": nx, "yaxis_title": ny, "zaxis_title": nz,
               "camera": {"eye": {"x": 1.6, "y": -1.6, "z": 0.9}}},
    )
    return fig
