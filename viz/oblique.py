"""3-D drawn flat: points seen from above a corner (an orthographic projection) as plain 2-D
plotly traces. A WebGL 3-D scene (go.Surface, go.Scatter3d) makes plotly.js redraw on every
animation frame, ~60 times a second, even when nothing moves; a flat drawing is drawn once.

    sx, sy = project(points)                      # points: rows (x, y, z)
    traces = wire_traces(xs, ys, Z, scale, names)  # a surface as wires, red above 0, blue below
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import plotly.graph_objects as go

from viz.palette import VALUE_SCALE

WIRE_EVERY = 4  # a wire along every 4th grid line
VIEW_FROM = np.array([1.1, -1.1, 0.7])  # where the eye is, looking at the origin
RISE = 0.35  # a surface's largest height, in widths of its grid


def project(points: np.ndarray, view_from: np.ndarray = VIEW_FROM) -> tuple[np.ndarray,
                                                                            np.ndarray]:
    """Screen coordinates (right, up) of the rows (x, y, z) of `points` seen from `view_from`
    (looking at the origin, z up); nan rows stay nan (a gap in a line)."""
    forward = -view_from / np.linalg.norm(view_from)
    right = np.cross(forward, [0.0, 0.0, 1.0])
    right /= np.linalg.norm(right)
    up = np.cross(right, forward)
    points = np.asarray(points, dtype=float).reshape(-1, 3)
    return points @ right, points @ up


def rise_scale(xs: np.ndarray, heights: np.ndarray) -> float:
    """The factor that draws the largest |height| RISE grid widths tall (0 if all are 0)."""
    top = float(np.nanmax(np.abs(heights))) if np.isfinite(heights).any() else 0.0
    return RISE * (xs[-1] - xs[0]) / top if top > 0 else 0.0


def oblique_wires(xs: np.ndarray, ys: np.ndarray, Z: np.ndarray, scale: float,
                  base: float = 0.0) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The surface Z[i, j] over (xs[j], ys[i]) as wires along every WIRE_EVERY-th grid line,
    drawn (Z − base)·scale tall: (sx, sy) of the drawn points and the points themselves, rows
    (x, y, Z); each wire is ended by a nan row."""
    gx, gy = np.meshgrid(xs, ys)
    rows, cols = range(0, len(ys), WIRE_EVERY), range(0, len(xs), WIRE_EVERY)
    wires = [np.stack([gx[i], gy[i], Z[i]], axis=1) for i in rows]
    wires += [np.stack([gx[:, j], gy[:, j], Z[:, j]], axis=1) for j in cols]
    gap = np.full((1, 3), np.nan)
    points = np.concatenate([part for wire in wires for part in (wire, gap)])
    sx, sy = project(points * [1.0, 1.0, scale] - [0.0, 0.0, base * scale])
    return sx, sy, points


def wire_traces(xs: np.ndarray, ys: np.ndarray, Z: np.ndarray, scale: float,
                names: Sequence[str], base: float = 0.0) -> list[go.Scatter]:
    """The surface as wires (oblique_wires) in two traces: red where Z ≥ 0, blue and dotted
    (not told by colour alone) where Z ≤ 0 (a wire crossing 0 is in both), hovering
    "x = …, y = …, z = …" with `names` (x, y, z). They have no trace name: their x and y are
    not data, which a chart's text must not read."""
    sx, sy, points = oblique_wires(xs, ys, Z, scale, base)
    nx, ny, nz = names
    hover = (f"{nx} = %{{customdata[0]:.3g}}<br>{ny} = %{{customdata[1]:.3g}}<br>"
             f"{nz} = %{{customdata[2]:.4g}}<extra></extra>")
    traces = []
    sides = ((1, VALUE_SCALE[-1][1], "solid"), (-1, VALUE_SCALE[0][1], "dot"))
    for sign, colour, dash in sides:
        side = points[:, 2] * sign >= 0
        kept = np.where(side | np.roll(side, 1) | np.roll(side, -1), sy, np.nan)
        traces.append(go.Scatter(x=sx, y=kept, mode="lines",
                                 line={"color": colour, "width": 1.5, "dash": dash},
                                 showlegend=False, customdata=points,
                                 hovertemplate=hover))
    return traces

