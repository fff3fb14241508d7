"""Building Blocks figures on factorising and combining arrays: SVD against NMF, and tensor
operations with the shape of every operand."""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from page_models.building_blocks.factorisation import FactorisationView, TensorView
from viz.blocks import CHART_HEIGHT, projector_style
from viz.palette import INK, OBSERVED, THEORY, VALUE_SCALE


def _image(matrix: np.ndarray, scale_max: float, text: bool = False) -> go.Heatmap:
    """A matrix as a grid of cells on the value scale (blue < 0 < red), optionally numbered."""
    extra = {}
    if text:
        extra = {"text": [[f"{v:g}".replace("-", "−") for v in row] for row in matrix],
                 "texttemplate": "%{text}", "textfont": {"size": 15, "color": INK}}
    return go.Heatmap(z=matrix, colorscale=VALUE_SCALE, zmin=-scale_max, zmax=scale_max,
                      showscale=False, xgap=1, ygap=1,
                      hovertemplate="row %{y}, column %{x}: %{z:.3g}<extra></extra>", **extra)


def _grid_axes(fig: go.Figure, cols: int, first: int = 1) -> None:
    for k in range(first, first + cols):
        anchor = "x" if k == 1 else f"x{k}"
        fig.update_xaxes(showticklabels=False, showgrid=False, zeroline=False, row=1, col=k)
        fig.update_yaxes(showticklabels=False, showgrid=False, zeroline=False,
                         autorange="reversed", scaleanchor=anchor, row=1, col=k)


def factorisation_figure(view: FactorisationView, errors: bool = True) -> go.Figure:
    """The matrix, its best rank-k approximation (SVD) and its rank-k NMF, then the error of
    each against the rank (left out without `errors`: a lesson's open question asks which is
    smaller)."""
    k = view.rank
    titles = ["the matrix", f"SVD, rank {k}", f"NMF, rank {k}"]
    fig = make_subplots(rows=1, cols=4 if errors else 3,
                        column_widths=[0.2, 0.2, 0.2, 0.4] if errors else None,
                        horizontal_spacing=0.05,
                        subplot_titles=titles + ["relative error ‖V − Vₖ‖ / ‖V‖"] * errors)
    scale_max = float(np.abs(view.matrix).max()) or 1.0
    for col, matrix in enumerate([view.matrix, view.svd_approximation,
                                  view.nmf_approximation], start=1):
        fig.add_trace(_image(matrix, scale_max), row=1, col=col)
    _grid_axes(fig, 3)
    if errors:
        for errs, name, color in [(view.svd_errors, "SVD (the best possible)", THEORY),
                                  (view.nmf_errors, "NMF (parts ≥ 0)", OBSERVED)]:
            fig.add_trace(go.Scatter(x=view.ranks, y=errs, mode="lines+markers", name=name,
                                     line={"color": color, "width": 3}, marker={"size": 8}),
                          row=1, col=4)
        fig.add_vline(x=k, line={"color": INK, "dash": "dot"}, row=1, col=4)
        fig.update_xaxes(title_text="rank k", dtick=1, row=1, col=4)
        fig.update_yaxes(rangemode="tozero", row=1, col=4)
    fig = projector_style(fig, "Low rank: SVD against NMF", legend="beside title")
    fig.update_annotations(yshift=-4)
    return fig


def parts_figure(view: FactorisationView) -> go.Figure:
    """The rank-1 parts each method adds up: NMF's are non-negative (shapes you can point
    at), SVD's mix signs (blue cells are negative)."""
    k = view.rank
    titles = [f"NMF part {i + 1}" for i in range(k)] + [f"SVD part {i + 1}" for i in range(k)]
    fig = make_subplots(rows=2, cols=k, subplot_titles=titles, vertical_spacing=0.12,
                        horizontal_spacing=0.02)
    scale_max = max(float(np.abs(p).max()) for p in view.nmf_parts + view.svd_parts) or 1.0
    for row, parts in enumerate([view.nmf_parts, view.svd_parts], start=1):
        for col, part in enumerate(parts, start=1):
            fig.add_trace(_image(part, scale_max), row=row, col=col)
    fig.update_xaxes(showticklabels=False, showgrid=False, zeroline=False)
    fig.update_yaxes(showticklabels=False, showgrid=False, zeroline=False, autorange="reversed")
    return projector_style(fig, "The parts each method adds up", height=300, legend="none")


def tensor_figure(view: TensorView, result: bool = True) -> go.Figure:
    """Every operand and the result as grids of numbers, titled with their shapes; a 3-axis
    array is drawn with its first two axes stacked as rows. Without `result` (a lesson's open
    question asks for its shape) the operands only."""
    panels = [(name, x) for name, x in zip(view.names, view.operands)]
    panels += [("R", view.result)] * result

    def as_grid(x: np.ndarray) -> np.ndarray:
        return x.reshape(1, -1) if x.ndim < 2 else x.reshape(-1, x.shape[-1])

    def shape(x: np.ndarray) -> str:
        return "×".join(map(str, x.shape)) or "scalar"

    grids = [as_grid(x) for _, x in panels]
    fig = make_subplots(rows=1, cols=len(panels), column_widths=[g.shape[1] + 1 for g in grids],
                        horizontal_spacing=0.05,
                        subplot_titles=[f"{name}: {shape(x)}" for name, x in panels])
    scale_max = 1.5 * max(float(np.abs(g).max()) for g in grids) or 1.0
    for col, grid in enumerate(grids, start=1):
        fig.add_trace(_image(grid, scale_max, text=True), row=1, col=col)
    _grid_axes(fig, len(panels))
    fig = projector_style(fig, "Operands and result with their shapes" if result else
                          "Operands with their shapes (the result's once you reveal the answer)",
                          height=min(CHART_HEIGHT, 160 + 34 * max(g.shape[0] for g in grids)),
                          legend="none")
    fig.update_layout(margin={"t": 80})
    return fig
