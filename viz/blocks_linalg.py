"""Building Blocks figures on linear algebra: a matrix product cell by cell, vectors and their
span, least squares as a projection, quadratic forms, singular values, and how gradient descent
crawls on an ill-conditioned quadratic."""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from page_models.building_blocks.linear_algebra import QuadraticView, RankView, RegressionView
from viz.blocks import CHART_HEIGHT, projector_style
from viz.palette import EDGE, INK, OBSERVED, PICKED, THEORY, VALUE_SCALE


def _number(x: float) -> str:
    return f"{x:g}".replace("-", "−")


def matmul_figure(a: np.ndarray, b: np.ndarray, c: np.ndarray | None, row: int,
                  col: int) -> go.Figure:
    """A, B and C = A @ B as grids of numbers; row `row` of A, column `col` of B and the cell
    C[row, col] they make are outlined. Without C (shapes that do not fit) only A and B."""
    panels = [(f"A ({a.shape[0]}×{a.shape[1]})", a, ("row", row)),
              (f"B ({b.shape[0]}×{b.shape[1]})", b, ("col", col))]
    if c is not None:
        panels.append((f"C = A @ B ({c.shape[0]}×{c.shape[1]})", c, ("cell", (row, col))))
    widths = [m.shape[1] + 1 for _, m, _ in panels]
    fig = make_subplots(rows=1, cols=len(panels), subplot_titles=[t for t, _, _ in panels],
                        column_widths=widths, horizontal_spacing=0.06)
    scale_max = 1.8 * max(float(np.abs(m).max()) for _, m, _ in panels) or 1.0
    for k, (_, m, (kind, where)) in enumerate(panels, start=1):
        fig.add_trace(
            go.Heatmap(z=m, text=[[_number(v) for v in r] for r in m], texttemplate="%{text}",
                       textfont={"size": 18, "color": INK}, colorscale=VALUE_SCALE,
                       zmin=-scale_max, zmax=scale_max, showscale=False, xgap=2, ygap=2,
                       hovertemplate="row %{y}, column %{x}: %{z}<extra></extra>"),
            row=1, col=k)
        rows, cols = m.shape
        x0, x1, y0, y1 = -0.5, cols - 0.5, -0.5, rows - 0.5
        if kind == "row":
            y0, y1 = where - 0.5, where + 0.5
        elif kind == "col":
            x0, x1 = where - 0.5, where + 0.5
        else:
            (i, j) = where
            x0, x1, y0, y1 = j - 0.5, j + 0.5, i - 0.5, i + 0.5
        fig.add_shape(type="rect", x0=x0, x1=x1, y0=y0, y1=y1,
                      line={"color": PICKED, "width": 5}, row=1, col=k)
        fig.update_xaxes(tickvals=list(range(cols)), ticktext=[str(j + 1) for j in range(cols)],
                         showgrid=False, zeroline=False, side="top", row=1, col=k)
        fig.update_yaxes(tickvals=list(range(rows)), ticktext=[str(i + 1) for i in range(rows)],
                         showgrid=False, zeroline=False, autorange="reversed",
                         scaleanchor=f"x{'' if k == 1 else k}", row=1, col=k)
    height = min(190 + 50 * max(m.shape[0] for _, m, _ in panels), 2 * CHART_HEIGHT)
    return projector_style(fig, "Which row and column make the picked cell", height=height,
                           legend="none")


def dot_product_latex(a: np.ndarray, b: np.ndarray, row: int, col: int, value: float) -> str:
    """C_ij = Σ_k A_ik B_kj written out term by term, 1-based like the figure."""
    def term(x: float) -> str:
        return f"({_number(x)})" if x < 0 else _number(x)

    terms = " + ".join(f"{term(x)}\\cdot{term(y)}" for x, y in zip(a[row], b[:, col]))
    i, j = row + 1, col + 1
    return (rf"C_{{{i}{j}}} = \sum_k A_{{{i}k}} B_{{k{j}}} = {terms} = {_number(value)}"
            .replace("−", "-"))


def matrix_latex(a: np.ndarray, digits: int = 3) -> str:
    """A matrix as a LaTeX bmatrix with `digits` significant digits."""
    rows = [" & ".join(f"{x:.{digits}g}" for x in row) for row in a]
    return r"\begin{bmatrix}" + r" \\ ".join(rows) + r"\end{bmatrix}"


def low_rank_figure(singular_values: np.ndarray, ks: np.ndarray, spectral: np.ndarray,
                    frobenius: np.ndarray) -> go.Figure:
    """Singular values σ_k as bars and the errors of the best rank-k approximation, log scale."""
    tiny = 1e-17  # an error of exactly 0 cannot be drawn on a log axis
    fig = go.Figure(
        [
            go.Bar(x=np.arange(1, len(singular_values) + 1), y=singular_values, name="σₖ",
                   marker_color=EDGE, width=0.5),
            go.Scatter(x=ks, y=np.maximum(spectral, tiny), mode="lines+markers",
                       name="‖A−Aₖ‖₂", line={"color": THEORY, "width": 3},
                       marker={"size": 10}),
            go.Scatter(x=ks, y=np.maximum(frobenius, tiny), mode="lines+markers",
                       name="‖A−Aₖ‖F", line={"color": OBSERVED, "width": 3, "dash": "dash"},
                       marker={"size": 10}),
        ]
    )
    fig.update_xaxes(title_text="rank k", tickvals=list(ks), range=[-0.5, ks[-1] + 0.5])
    fig.update_yaxes(title_text="size (log scale)", type="log", exponentformat="power")
    return projector_style(fig, "Singular values, rank-k errors")


def descent_figure(distances: np.ndarray, kappa: float) -> go.Figure:
    """Distance to the minimum per gradient-descent step, with the rate (1 − 1/κ)ᵏ."""
    steps = np.arange(len(distances))
    fig = go.Figure(
        [
            go.Scatter(x=steps, y=np.maximum(distances, 1e-17), mode="lines",
                       name="gradient descent", line={"color": THEORY, "width": 3}),
            go.Scatter(x=steps, y=(1 - 1 / kappa) ** steps, mode="lines",
                       name="(1 − 1/κ)ᵏ", line={"color": EDGE, "width": 2, "dash": "dot"}),
        ]
    )
    fig.update_xaxes(title_text="step k")
    lowest = max(min(float(distances.min()), 1e-2) / 2, 1e-17)  # a stalled run stays near 1
    decades = -np.log10(lowest)
    fig.update_yaxes(title_text="‖xₖ − x*‖ / ‖x*‖", type="log", exponentformat="power",
                     range=[-decades, 0.1], dtick=max(1, int(np.ceil(decades / 6))))
    return projector_style(fig, "Gradient descent on ½xᵀAx − bᵀx")


def _arrow(start, end, name: str, color: str, dash: str = "solid", showlegend: bool = True,
           **extra) -> go.Scatter:
    """A 2-D arrow from `start` to `end` as a line with an arrowhead at the end."""
    return go.Scatter(x=[start[0], end[0]], y=[start[1], end[1]], mode="lines+markers",
                      name=name, showlegend=showlegend,
                      line={"color": color, "width": 4, "dash": dash},
                      marker={"symbol": "arrow", "size": [0, 16], "angleref": "previous",
                              "color": color}, **extra)


def _arrow_3d(start, end, name: str, color: str, dash: str = "solid") -> go.Scatter3d:
    """A 3-D arrow: a line with a dot at the end."""
    return go.Scatter3d(x=[start[0], end[0]], y=[start[1], end[1]], z=[start[2], end[2]],
                        mode="lines+markers", name=name,
                        line={"color": color, "width": 7, "dash": dash},
                        marker={"size": [0, 5], "color": color})


VECTOR_COLORS = (THEORY, OBSERVED, "#1b7837", "#762a83", "#35978f", "#8c510a", INK, EDGE)


def rank_figure(view: RankView, named: bool = True) -> go.Figure:
    """The vectors as arrows from the origin and their span (a line, a plane, or everything);
    a vector that adds no direction is dashed. Without `named` (the rank is a lesson's open
    question) only the arrows, all alike."""
    vectors = view.vectors
    rank = view.rank if named else None  # None: neither the span nor the rank is drawn
    reach = 1.2 * max(float(np.abs(vectors).max()), 1.0)
    independent = [vec for vec, combo in zip(vectors, view.combinations) if combo is None]
    adds = [combo is None or not named for combo in view.combinations]
    names = [f"v{k + 1}" + ("" if new else " (adds nothing)") for k, new in enumerate(adds)]
    dashes = ["solid" if new else "dash" for new in adds]
    span_title = {0: "only the origin", 1: "a line", 2: "a plane", 3: "all of 3-D space"}
    title = f"rank {rank}: the vectors span {span_title[rank]}" if named else "The vectors"
    if vectors.shape[1] == 2:
        if rank == 2:
            title = "rank 2: the vectors span the whole plane"
        traces = []
        if rank == 1:
            direction = independent[0] / np.linalg.norm(independent[0])
            ends = np.outer([-3 * reach, 3 * reach], direction)
            traces.append(go.Scatter(x=ends[:, 0], y=ends[:, 1], mode="lines", name="span",
                                     line={"color": EDGE, "width": 10}, opacity=0.4))
        traces += [_arrow((0, 0), vec, name, color, dash)
                   for vec, name, color, dash in zip(vectors, names, VECTOR_COLORS, dashes)]
        fig = go.Figure(traces)
        if rank == 2:
            fig.update_layout(plot_bgcolor="#e8eef6")
        fig.update_xaxes(range=[-reach, reach], zeroline=True, zerolinecolor=INK)
        fig.update_yaxes(range=[-reach, reach], zeroline=True, zerolinecolor=INK,
                         scaleanchor="x")
        fig.update_xaxes(constrain="domain")
        fig = projector_style(fig, title, legend="none")
        # The square plot leaves room on its right for a vertical legend.
        return fig.update_layout(showlegend=True, legend={"orientation": "v", "x": 0.72,
                                                          "xanchor": "left", "y": 0.95,
                                                          "yanchor": "top"})
    traces = []
    if rank == 1:
        direction = independent[0] / np.linalg.norm(independent[0])
        ends = np.outer([-reach, reach], direction)
        traces.append(go.Scatter3d(x=ends[:, 0], y=ends[:, 1], z=ends[:, 2], mode="lines",
                                   name="span", line={"color": EDGE, "width": 14}, opacity=0.5))
    if rank == 2:
        s, t = np.meshgrid(np.linspace(-1, 1, 2), np.linspace(-1, 1, 2))
        q, _ = np.linalg.qr(np.array(independent).T)
        plane = reach * (s[..., None] * q[:, 0] + t[..., None] * q[:, 1])
        traces.append(go.Surface(x=plane[..., 0], y=plane[..., 1], z=plane[..., 2],
                                 showscale=False, opacity=0.35, name="span",
                                 colorscale=[[0, EDGE], [1, EDGE]], hoverinfo="skip"))
    traces += [_arrow_3d((0, 0, 0), vec, name, color, dash)
               for vec, name, color, dash in zip(vectors, names, VECTOR_COLORS, dashes)]
    fig = go.Figure(traces)
    axis = {"range": [-reach, reach]}
    fig.update_layout(scene={"xaxis": axis, "yaxis": axis, "zaxis": axis,
                             "aspectmode": "cube"})
    fig = projector_style(fig, title)
    fig.update_layout(margin={"l": 0, "r": 0, "b": 0})
    return fig


def regression_figure(view: RegressionView, picked: int) -> go.Figure:
    """Left: the points, the least-squares line and each residual. Right: the plane through
    0, y and ŷ in Rⁿ: ŷ lies in the column space of X (seen edge-on, as the horizontal line)
    and r = y − ŷ stands on it at a right angle. A short r is drawn taller, by a stated
    whole factor (stretching one axis keeps the right angle)."""
    fig = make_subplots(rows=1, cols=2, column_widths=[0.5, 0.5], horizontal_spacing=0.1,
                        subplot_titles=["ŷ = w₀ + w₁x", "in Rⁿ: ‖y‖² = ‖ŷ‖² + ‖r‖²"])
    order = np.argsort(view.x)
    for xi, yi, fi in zip(view.x, view.y, view.fitted):
        fig.add_trace(go.Scatter(x=[xi, xi], y=[yi, fi], mode="lines", showlegend=False,
                                 line={"color": PICKED, "width": 2, "dash": "dot"},
                                 hoverinfo="skip"), row=1, col=1)
    fig.add_trace(go.Scatter(x=view.x[order], y=view.fitted[order], mode="lines",
                             name="least-squares line", line={"color": THEORY, "width": 3}),
                  row=1, col=1)
    sizes = [18 if k == picked else 11 for k in range(len(view.x))]
    fig.add_trace(go.Scatter(x=view.x, y=view.y, mode="markers+text", name="points",
                             text=[str(k + 1) for k in range(len(view.x))],
                             textposition="top left",
                             marker={"color": OBSERVED, "size": sizes,
                                     "line": {"color": INK, "width": 1}}), row=1, col=1)
    fitted, residual = float(np.linalg.norm(view.fitted)), float(np.linalg.norm(view.residual))
    stretch = int(min(max(0.4 * fitted / residual, 1), 20)) if residual > 0 else 1
    residual *= stretch
    corner = 0.04 * max(fitted, residual)  # the right-angle mark
    fig.add_trace(go.Scatter(x=[-0.05 * fitted, 1.15 * fitted], y=[0, 0], mode="lines",
                             line={"color": EDGE, "width": 8}, opacity=0.5,
                             hoverinfo="skip"), row=1, col=2)
    fig.add_trace(go.Scatter(x=[fitted - corner, fitted - corner, fitted],
                             y=[0, corner, corner], mode="lines", hoverinfo="skip",
                             line={"color": INK, "width": 1.5}), row=1, col=2)
    for start, end, label, color, dash in [((0, 0), (fitted, 0), "ŷ = Xw", THEORY, "solid"),
                                           ((0, 0), (fitted, residual), "y", OBSERVED, "solid"),
                                           ((fitted, 0), (fitted, residual),
                                            "r" if stretch == 1 else f"r (×{stretch})",
                                            PICKED, "dash")]:
        fig.add_trace(_arrow(start, end, label, color, dash, showlegend=False), row=1, col=2)
        fig.add_annotation(x=(start[0] + end[0]) / 2, y=(start[1] + end[1]) / 2, text=label,
                           showarrow=False, font={"color": color, "size": 18},
                           xanchor="right" if label.startswith("r") else "center",
                           xshift=-8 if label.startswith("r") else 0,
                           yshift=0 if label.startswith("r") else 14,
                           row=1, col=2)
    fig.add_annotation(x=0.55 * fitted, y=0, text="column space of X", showarrow=False,
                       yshift=-16, font={"color": EDGE, "size": 14}, row=1, col=2)
    fig.update_xaxes(title_text="x", row=1, col=1)
    low, high = min(view.y.min(), view.fitted.min()), max(view.y.max(), view.fitted.max())
    pad = 0.1 * (high - low or 1.0)
    fig.update_yaxes(title_text="y", range=[low - pad, high + 2 * pad], row=1, col=1)
    fig.update_xaxes(visible=False, row=1, col=2)
    fig.update_yaxes(visible=False, scaleanchor="x2", row=1, col=2)
    return projector_style(fig, "Least squares is a projection", legend="none")


WIRE_EVERY = 4  # a wire along every 4th grid line
VIEW_FROM = np.array([1.1, -1.1, 0.7])  # where the eye is, looking at the origin
RISE = 0.35  # the surface's height range, in grid widths


def oblique_wires(grid: np.ndarray, surface: np.ndarray) -> tuple[np.ndarray, np.ndarray,
                                                                    np.ndarray]:
    """The surface z = surface[i, j] over (grid[j], grid[i]) as wires along every WIRE_EVERY-th
    grid line, seen from VIEW_FROM (an orthographic projection, heights scaled to RISE grid
    widths): (x, y, z) of the drawn points, each wire ended by a nan."""
    forward = -VIEW_FROM / np.linalg.norm(VIEW_FROM)
    right = np.cross(forward, [0.0, 0.0, 1.0])
    right /= np.linalg.norm(right)
    up = np.cross(right, forward)
    top = np.abs(surface).max()
    height = surface * (RISE * (grid[-1] - grid[0]) / top if top > 0 else 0.0)
    gx, gy = np.meshgrid(grid, grid)
    wires = [(gx[i], gy[i], height[i], surface[i]) for i in range(0, len(grid), WIRE_EVERY)]
    wires += [(gx[:, j], gy[:, j], height[:, j], surface[:, j])
              for j in range(0, len(grid), WIRE_EVERY)]
    gap = np.array([np.nan])
    x, y, h, z = (np.concatenate([np.concatenate([w[k], gap]) for w in wires]) for k in range(4))
    points = np.stack([x, y, h], axis=1)
    return points @ right, points @ up, z


def quadratic_figure(view: QuadraticView, named: bool = True) -> go.Figure:
    """xᵀAx as a wire surface seen from above a corner (left: drawn flat, so nothing redraws
    it, unlike a WebGL 3-D scene, which plotly.js redraws on every animation frame) and as
    contours with A's eigenvectors and a gradient-descent path (right); with `named` the
    surface's title names its shape ("a bowl")."""
    fig = make_subplots(rows=1, cols=2, horizontal_spacing=0.04, column_widths=[0.5, 0.5],
                        subplot_titles=[f"a {view.shape}" if named else "xᵀAx",
                                        "contours, eigenvectors, descent"])
    g = view.grid
    sx, sy, z = oblique_wires(g, view.surface)
    for sign, colour in ((1, VALUE_SCALE[-1][1]), (-1, VALUE_SCALE[0][1])):
        side = z * sign >= 0  # positive red, negative blue; a wire crossing 0 is in both
        kept = np.where(side | np.roll(side, 1) | np.roll(side, -1), sy, np.nan)
        fig.add_trace(go.Scatter(x=sx, y=kept, mode="lines", line={"color": colour, "width": 1.5},
                                 name="xᵀAx", showlegend=False, customdata=z,
                                 hovertemplate="xᵀAx = %{customdata:.3g}<extra></extra>"),
                      row=1, col=1)
    fig.add_trace(go.Contour(x=g, y=g, z=view.surface, colorscale=VALUE_SCALE, showscale=False,
                             zmid=0, ncontours=16, line={"width": 1}, name="xᵀAx",
                             contours={"coloring": "heatmap"}), row=1, col=2)
    for k in range(2):
        vec = 1.9 * view.eigenvectors[:, k]
        fig.add_trace(_arrow((0, 0), vec, f"λ{k + 1} = {view.eigenvalues[k]:.3g}",
                             (INK, PICKED)[k], showlegend=True), row=1, col=2)
    path = view.descent
    fig.add_trace(go.Scatter(x=path[:, 0], y=path[:, 1], mode="lines+markers",
                             name="gradient descent", line={"color": OBSERVED, "width": 3},
                             marker={"size": 6}), row=1, col=2)
    fig.update_xaxes(range=[g[0], g[-1]], title_text="x₁", row=1, col=2)
    fig.update_yaxes(range=[g[0], g[-1]], title_text="x₂", scaleanchor="x2", row=1, col=2)
    bare = {"visible": False}
    fig.update_xaxes(bare, row=1, col=1)
    fig.update_yaxes(bare, scaleanchor="x", row=1, col=1)
    fig = projector_style(fig, "xᵀAx", legend="beside title")
    fig.update_layout(margin={"l": 0})
    return fig
