"""Figures of the Building Blocks page: a common projector style, softmax and cross-entropy.

The other sections' figures are in viz/blocks_stats.py (distributions, scaling),
viz/blocks_linalg.py (matrix product, conditioning) and viz/blocks_calculus.py (derivatives).
Every builder takes plain numbers and arrays (computed by the engine) and returns a plotly figure.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import plotly.graph_objects as go

from viz.palette import (
    FONT_FAMILY,
    GRADIENT_SCALE,
    INK,
    OBSERVED,
    PICKED,
    THEORY,
    diverging,
)

FONT_SIZE = 16  # body text; titles and tick labels are derived from it (all ≥ 14)
CHART_HEIGHT = 330  # a section's main chart: fits under the controls on a 1280×720 screen


LEGEND_PLACES = {  # where the legend goes -> the top margin it needs
    "above": 80,         # its own row between the title and the plot
    "beside title": 50,  # right-aligned in the title's row (full-width charts with short titles)
    "none": 50,          # no legend
}


def projector_style(fig: go.Figure, title: str, height: int = CHART_HEIGHT,
                    legend: str = "above") -> go.Figure:
    """Large fonts, a title, the legend above the plot (see LEGEND_PLACES), white background:
    readable at 1280×720, with no empty rows above the plot."""
    if legend not in LEGEND_PLACES:
        raise ValueError(f"legend must be one of {', '.join(LEGEND_PLACES)}, not {legend!r}")
    fig.update_layout(
        title={"text": title, "font": {"size": FONT_SIZE + 4}, "x": 0.0, "xanchor": "left",
               "yref": "container", "y": 1.0, "yanchor": "top", "pad": {"t": 12}},
        font={"family": FONT_FAMILY, "size": FONT_SIZE, "color": INK},
        template="plotly_white",
        height=height,
        margin={"l": 70, "r": 20, "t": LEGEND_PLACES[legend], "b": 60},
        legend={"orientation": "h", "x": 1.0, "xanchor": "right", "y": 1.02, "yanchor": "bottom",
                "font": {"size": FONT_SIZE - 1}},
        hoverlabel={"font": {"size": FONT_SIZE - 1}},
    )
    if legend == "beside title":
        fig.update_layout(legend={"yref": "container", "y": 1.0, "yanchor": "top",
                                  "valign": "top"})
    if legend == "none":
        fig.update_layout(showlegend=False)
    fig.update_xaxes(tickfont={"size": FONT_SIZE - 1}, title_font={"size": FONT_SIZE + 1})
    fig.update_yaxes(tickfont={"size": FONT_SIZE - 1}, title_font={"size": FONT_SIZE + 1})
    fig.update_annotations(font_size=FONT_SIZE)
    _make_room_for_subplot_titles(fig)
    return fig


def _make_room_for_subplot_titles(fig: go.Figure) -> None:
    """Subplot titles sit on top of their panels: lift them over tick labels drawn on top, and
    lower the panels so no title runs into the figure's title."""
    titles = [a for a in fig.layout.annotations if a.yref == "paper" and a.yanchor == "bottom"]
    if not titles:
        return
    ticks_on_top = any(axis.side == "top" for axis in fig.select_xaxes())
    lift = FONT_SIZE + 12 if ticks_on_top else 0  # a tick label and its standoff
    for title in titles:
        title.yshift = lift
    fig.update_layout(margin_t=fig.layout.margin.t + FONT_SIZE + lift)


def softmax_figure(labels: Sequence[str], probs: np.ndarray, counts: np.ndarray,
                   numbers: bool = True) -> go.Figure:
    """Each candidate's probability next to the fraction of the draws that picked it; with
    `numbers` each probability is written over its bar (and shown on hover)."""
    n = int(counts.sum())
    fig = go.Figure(
        [
            go.Bar(x=list(labels), y=probs, name="probability", marker_color=THEORY,
                   text=[f"{p:.3f}" for p in probs] if numbers else None,
                   textposition="outside", hoverinfo=None if numbers else "skip"),
            go.Bar(x=list(labels), y=counts / n, name=f"fraction of {n:,} draws",
                   marker_color=OBSERVED, hoverinfo=None if numbers else "skip"),
        ]
    )
    fig.update_layout(barmode="group")
    fig.update_yaxes(title_text="probability", range=[0, 1.12])
    return projector_style(fig, "Softmax probabilities and what sampling picks",
                           legend="beside title")


LOSS_TOP = 7.2  # the loss axis ends here; a larger loss is marked at the top edge


def cross_entropy_loss_figure(p_true: float, label: str, loss: float | None = None,
                              numbers: bool = True) -> go.Figure:
    """The loss −ln p as the probability p of the true class moves, with the current p marked
    (and, with `numbers`, labelled with p and the loss).

    `loss`: the current loss as the engine computed it (default −ln p); one too large for the
    axis (p rounds to 0 for scores like 1000 vs −1000) is marked at the top edge with its value.
    """
    loss = -np.log(p_true) if loss is None else loss
    p = np.geomspace(1e-3, 1.0, 300)
    off_chart = not loss < LOSS_TOP
    fig = go.Figure(
        [
            go.Scatter(x=p, y=-np.log(p), mode="lines", name="loss = −ln p",
                       line={"color": THEORY, "width": 3}, showlegend=False),
            go.Scatter(x=[p_true], y=[min(loss, LOSS_TOP - 0.2)], mode="markers+text",
                       name="now", showlegend=False,
                       marker={"color": PICKED, "size": 16,
                               "symbol": "triangle-up" if off_chart else "circle"},
                       text=[f"p = {p_true:.3g}, loss = {loss:.4g}" + (" ↑" if off_chart else "")
                             if numbers else ""], hoverinfo=None if numbers else "skip",
                       textposition="middle right" if off_chart else (
                           "top right" if p_true < 0.5 else "top left")),
        ]
    )
    fig.update_xaxes(title_text=f"predicted probability of the true class “{label}”",
                     range=[0, 1.02])
    fig.update_yaxes(title_text="loss", range=[0, LOSS_TOP])
    return projector_style(fig, "Cross-entropy loss −ln p", legend="none")


def gradient_figure(labels: Sequence[str], grad: np.ndarray, true_index: int) -> go.Figure:
    """The gradient of the loss with respect to each score: softmax − onehot."""
    colours = [diverging(g, 1.0, GRADIENT_SCALE) for g in grad]
    names = [f"{name} (true)" if i == true_index else name for i, name in enumerate(labels)]
    fig = go.Figure(
        go.Bar(x=names, y=grad, marker={"color": colours, "line": {"color": INK, "width": 1}},
               text=[f"{g:+.3f}".replace("-", "−") for g in grad], textposition="outside",
               name="∂L/∂z")
    )
    fig.update_yaxes(title_text="∂L/∂z", range=[-1.15, 1.15], zeroline=True,
                     zerolinecolor=INK)
    return projector_style(fig, "Gradient ∂L/∂z = softmax − onehot", legend="none")
