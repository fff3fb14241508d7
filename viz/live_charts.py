"""Charts of one network being trained: its loss curves and each layer's gradient norm,
the vanishing-gradient comparison, and the outputs of repeated forward passes (dropout).

Kept small (few traces, no frames) so the live area can redraw them several times a second.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import plotly.graph_objects as go
from plotly.colors import sample_colorscale

from engine.data import Dataset
from engine.train import History
from viz.boundary import boundary_figure
from viz.curves import projector_layout
from viz.palette import INK

__all__ = [
    "BOUNDARY_RESOLUTION",
    "LiveFigures",
    "dropout_passes_figure",
    "grad_norm_figure",
    "layer_norms_figure",
    "loss_figure",
]

BOUNDARY_RESOLUTION = 50  # grid points per side of the live decision boundary (cheap to redraw)
LAYER_SCALE = "Viridis"  # layer 1 (next to the inputs) dark, the output layer light
VALIDATION_DASH = "dot"  # dashed lines mean dropout elsewhere, so validation is dotted
MARKED_EPOCHS = 15  # loss points get markers up to this many epochs (one epoch is one point)
MAX_LINE_POINTS = 400  # steps drawn per gradient line; beyond that every k-th step and the last
LEGEND_Y = -0.3  # the legend under the x axis title even in a short (335 px) live chart


def layer_colors(n: int) -> list[str]:
    """One colour per layer, from the input side to the output side."""
    return sample_colorscale(LAYER_SCALE, [0.0] if n == 1 else list(np.linspace(0, 0.85, n)))


def loss_mode(epochs: int) -> str:
    """Lines with markers while there are few epochs (a single epoch draws no line), then lines."""
    return "lines+markers" if epochs <= MARKED_EPOCHS else "lines"


def loss_figure(history: History, color: str, *, height: int = 330) -> go.Figure:
    """Training and validation loss after each epoch (evaluation mode, whole sets), in the
    optimizer's colour."""
    epochs = np.arange(1, history.epochs + 1)
    mode = loss_mode(history.epochs)
    fig = go.Figure([
        go.Scatter(x=epochs, y=history.epoch_train_loss, mode=mode, name="training",
                   line={"color": color, "width": 3}, marker={"size": 10}),
        go.Scatter(x=epochs, y=history.epoch_val_loss, mode=mode, name="validation",
                   line={"color": color, "width": 3, "dash": VALIDATION_DASH},
                   marker={"size": 10, "symbol": "circle-open"}),
    ])
    fig.update_xaxes(title_text="epoch", rangemode="tozero")
    fig.update_yaxes(title_text="loss", rangemode="tozero")
    fig.update_layout(title={"text": "Loss", "x": 0.01})
    return projector_layout(fig, height=height).update_layout(legend_y=LEGEND_Y)


def drawn_norms(history: History) -> tuple[np.ndarray, np.ndarray]:
    """(steps, norms) a gradient-norm chart draws: every step up to MAX_LINE_POINTS, then every
    k-th step and the last (thousands of points per line blur on a small chart and slow every
    live redraw). Steps count from 1."""
    n = len(history.grad_norms)
    drawn = np.arange(n)
    if n > MAX_LINE_POINTS:
        drawn = np.unique(np.append(drawn[::-(-n // MAX_LINE_POINTS)], n - 1))
    return drawn + 1, history.grad_norms[drawn]


def grad_norm_figure(history: History, *, title: str = "Gradient norm per layer",
                     log_range: tuple[float, float] | None = None,
                     height: int = 330) -> go.Figure:
    """The gradient norm of each layer at every step, on a log scale (`log_range`: the y axis
    from 10^a to 10^b, to compare figures side by side)."""
    steps, norms = drawn_norms(history)
    colors = layer_colors(len(history.layer_names))
    fig = go.Figure([
        go.Scatter(x=steps, y=norms[:, i], mode="lines", name=name,
                   line={"color": colors[i], "width": 2})
        for i, name in enumerate(history.layer_names)
    ])
    fig.update_xaxes(title_text="step")
    fig.update_yaxes(title_text="‖gradient‖", type="log", exponentformat="power", dtick=1,
                     range=log_range)
    fig.update_layout(title={"text": title, "x": 0.01})
    return projector_layout(fig, height=height).update_layout(legend_y=LEGEND_Y)


def layer_norms_figure(norms: Mapping[str, np.ndarray], colors: Mapping[str, str], *,
                       height: int = 380) -> go.Figure:
    """Mean gradient norm of each layer (x: layer 1 next to the inputs), one line per network."""
    fig = go.Figure()
    for label, values in norms.items():
        layers = np.arange(1, len(values) + 1)
        fig.add_trace(go.Scatter(
            x=layers, y=values, mode="lines+markers", name=label,
            line={"color": colors.get(label, INK), "width": 3}, marker={"size": 11},
            hovertemplate=f"{label}<br>layer %{{x}}: %{{y:.3g}}<extra></extra>"))
    fig.update_xaxes(title_text="layer (1 = next to the inputs)", dtick=1)
    fig.update_yaxes(title_text="mean ‖gradient‖", type="log", exponentformat="power", dtick=1)
    fig.update_layout(title={"text": "Gradient norm by layer", "x": 0.01})
    return projector_layout(fig, height=height)


def dropout_passes_figure(outputs: np.ndarray, sample_labels: Sequence[str], y_title: str, *,
                          height: int = 340) -> go.Figure:
    """Grouped bars: outputs[k, i] is forward pass k's output for sample i."""
    colors = sample_colorscale("Greys", list(np.linspace(0.45, 0.9, len(outputs))))
    fig = go.Figure([
        go.Bar(x=list(sample_labels), y=row, name=f"pass {k + 1}", marker_color=colors[k])
        for k, row in enumerate(outputs)
    ])
    fig.update_yaxes(title_text=y_title)
    fig.update_layout(barmode="group")
    return projector_layout(fig, height=height)


class LiveFigures:
    """What the live area draws on every update while one run trains: the decision boundary (the
    fit, for regression), then, once an epoch is done, the loss curves and the gradient norms.

    Building a plotly figure costs milliseconds (validation, templates); replacing a trace's data
    costs microseconds. So the loss and gradient figures are built once per run and afterwards
    only get their data replaced; the boundary is redrawn from scratch (its grid is small).
    """

    def __init__(self, optimizer_color: str, *, height: int = 380):
        self.optimizer_color, self.height = optimizer_color, height
        self.history: History | None = None
        self.loss = self.grads = go.Figure()

    def figures(self, history: History | None, predictor, dataset: Dataset) -> list[go.Figure]:
        """[boundary] before the first epoch, then [boundary, loss, gradient norms]."""
        title = "Decision boundary" if dataset.task == "classification" else "Fit"
        boundary = boundary_figure(predictor, dataset, title=title,
                                   resolution=BOUNDARY_RESOLUTION, height=self.height)
        if history is None or not history.epochs:
            return [boundary]
        if history is not self.history:
            self.history = history
            self.loss = loss_figure(history, self.optimizer_color, height=self.height)
            self.grads = grad_norm_figure(history, height=self.height)
            return [boundary, self.loss, self.grads]
        epochs = np.arange(1, history.epochs + 1)
        with self.loss.batch_update():
            mode = loss_mode(history.epochs)
            self.loss.data[0].update(x=epochs, y=history.epoch_train_loss, mode=mode)
            self.loss.data[1].update(x=epochs, y=history.epoch_val_loss, mode=mode)
        steps, norms = drawn_norms(history)
        with self.grads.batch_update():
            for i, trace in enumerate(self.grads.data):
                trace.update(x=steps, y=norms[:, i])
        return [boundary, self.loss, self.grads]
