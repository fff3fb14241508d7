"""Building Blocks figures: a matrix product cell by cell, singular values, and how gradient
descent crawls on an ill-conditioned quadratic."""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from viz.blocks import projector_style
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
    height = 190 + 50 * max(m.shape[0] for _, m, _ in panels)
    fig = projector_style(fig, "Which row and column make the picked cell", height=height,
                          legend="none")
    fig.update_annotations(yshift=24)  # subplot titles above the top column numbers
    fig.update_layout(margin={"t": 120})
    return fig


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
