"""Building Blocks figures on linear algebra: a matrix product cell by cell, vectors and their
span, least squares as a projection, quadratic forms, singular values, and how gradient descent
crawls on an ill-conditioned quadratic."""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from page_models.building_blocks.linear_algebra import QuadraticView, RankView, RegressionView
from viz.blocks import CHART_HEIGHT, projector_style
from viz.oblique import VIEW_FROM, project, rise_scale, wire_traces
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
    return _rank_figure_3d(vectors, independent, names, dashes, rank, reach, title)


def _point(vec) -> str:
    return "(" + ", ".join(_number(float(v)) for v in vec) + ")"


def _eye_for(vectors: np.ndarray, independent: list[np.ndarray], rank: int | None) -> np.ndarray:
    """Of VIEW_FROM turned about the z axis in eighths of a turn: the first that sees every
    vector and axis longest (none end-on), every two vectors of different directions most
    apart (not one behind the other) and a spanned plane most face-on (not edge-on)."""
    normal = np.cross(*independent[:2]) if rank == 2 else None
    shown = [v / np.linalg.norm(v) for v in vectors if np.linalg.norm(v) > 0]
    apart = [(a, b) for k, a in enumerate(shown) for b in shown[k + 1:]
             if np.linalg.norm(np.cross(a, b)) > 0.1]
    best, best_score = VIEW_FROM, -1.0
    for eighth in range(8):
        c, s = np.cos(eighth * np.pi / 4), np.sin(eighth * np.pi / 4)
        eye = np.array([[c, -s, 0], [s, c, 0], [0, 0, 1]]) @ VIEW_FROM
        sight = eye / np.linalg.norm(eye)
        scores = [np.linalg.norm(np.cross(v, sight)) for v in [*shown, *np.eye(3)]]
        seen = {id(v): np.array(project(v[None], eye)).ravel() for v in shown}
        scores += [abs(np.linalg.det([seen[id(a)], seen[id(b)]])) / max(
            np.linalg.norm(seen[id(a)]) * np.linalg.norm(seen[id(b)]), 1e-12) for a, b in apart]
        if normal is not None:
            scores.append(abs(normal @ sight) / np.linalg.norm(normal))
        if min(scores, default=1.0) > best_score + 1e-9:
            best, best_score = eye, min(scores, default=1.0)
    return best


def _rank_figure_3d(vectors: np.ndarray, independent: list[np.ndarray], names: list[str],
                    dashes: list[str], rank: int | None, reach: float, title: str) -> go.Figure:
    """rank_figure for 3-D vectors, drawn flat (viz.oblique: no WebGL scene redrawing itself):
    the axes, the span (a line or a shaded parallelogram) and the vectors as arrows."""
    eye = _eye_for(vectors, independent, rank)
    traces = []
    for k, axis in enumerate("xyz"):
        ends = np.zeros((2, 3))
        ends[:, k] = [-reach, reach]
        sx, sy = project(ends, eye)
        traces.append(go.Scatter(x=sx, y=sy, mode="lines+text", text=["", axis],
                                 textposition="top center", showlegend=False, hoverinfo="skip",
                                 line={"color": EDGE, "width": 1.5}, textfont={"color": INK}))
    if rank == 1:
        direction = independent[0] / np.linalg.norm(independent[0])
        sx, sy = project(np.outer([-reach, reach], direction), eye)
        traces.append(go.Scatter(x=sx, y=sy, mode="lines", name="span", opacity=0.5,
                                 line={"color": EDGE, "width": 14}, hoverinfo="skip"))
    if rank == 2:
        q, _ = np.linalg.qr(np.array(independent).T)
        corners = reach * np.array([q[:, 0] + q[:, 1], q[:, 0] - q[:, 1], -q[:, 0] - q[:, 1],
                                    -q[:, 0] + q[:, 1], q[:, 0] + q[:, 1]])
        sx, sy = project(corners, eye)
        traces.append(go.Scatter(x=sx, y=sy, mode="lines", fill="toself", name="span",
                                 fillcolor="rgba(120, 120, 120, 0.25)", hoverinfo="skip",
                                 line={"color": EDGE, "width": 1}))
    for vec, name, color, dash in zip(vectors, names, VECTOR_COLORS, dashes):
        (x0, x1), (y0, y1) = project(np.array([np.zeros(3), vec]), eye)
        traces.append(_arrow((x0, y0), (x1, y1), name, color, dash,
                             hovertemplate=f"{name} = {_point(vec)}<extra></extra>"))
    fig = go.Figure(traces)
    if rank == 3:
        fig.update_layout(plot_bgcolor="#e8eef6")
    drawn = np.array([(x, y) for t in traces for x, y in zip(t.x, t.y)])
    low, high = drawn.min(axis=0), drawn.max(axis=0)
    pad = 0.08 * (high - low).max()  # room for the axes' names
    fig.update_xaxes(visible=False, range=[low[0] - pad, high[0] + pad])
    fig.update_yaxes(visible=False, range=[low[1] - pad, high[1] + pad], scaleanchor="x")
    said = "; ".join(f"{name.removesuffix(' (adds nothing)')} = {_point(vec)}"
                     + (" adds nothing" if name.endswith("(adds nothing)") else "")
                     for vec, name in zip(vectors, names))
    fig.update_layout(meta={"summary": f"In 3-D: {said}."})
    fig = projector_style(fig, title, legend="none")
    # The legend under the drawing: on a phone it wraps down, not into the title.
    return fig.update_layout(showlegend=True, legend={"orientation": "h", "x": 0.5,
                                                      "xanchor": "center", "y": 0,
                                                      "yanchor": "top"})


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


def quadratic_figure(view: QuadraticView, named: bool = True) -> go.Figure:
    """xᵀAx as a wire surface seen from above a corner (left: drawn flat, so nothing redraws
    it, unlike a WebGL 3-D scene, which plotly.js redraws on every animation frame) and as
    contours with A's eigenvectors and a gradient-descent path (right); with `named` the
    surface's title names its shape ("a bowl")."""
    fig = make_subplots(rows=1, cols=2, horizontal_spacing=0.04, column_widths=[0.5, 0.5],
                        subplot_titles=[f"a {view.shape}" if named else "xᵀAx",
                                        "contours, eigenvectors, descent"])
    g = view.grid
    scale = rise_scale(g, view.surface)
    for wires in wire_traces(g, g, view.surface, scale, ("x₁", "x₂", "xᵀAx")):
        fig.add_trace(wires, row=1, col=1)
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
