"""What a trained model predicts over a 2-D dataset: decision-boundary maps and small multiples.

Generic: the predictor is an engine model (anything engine.train.predict accepts) or any function
X (m, d) -> outputs, so a page can put its own feature map in front of the model:

    boundary_figure(model, dataset)
    boundary_figure(lambda X: class_probabilities(model, features(X)), dataset)

Classification: the predictor gives class probabilities (m, k), rows summing to 1 (a model gets
softmax applied). The background takes the predicted class's colour (viz.palette.CLASS_COLORS),
strong where the model is confident and fading to white on the boundary; points are drawn on top.
Regression (1-D input): the predicted curve over the data, the y axis fitted to the data (a
wild prediction never squashes the points). A grid with no finite value (say, the model of a run
that diverged) is drawn as its points only, with a note.

Evaluating the predictor (`boundary_grid`) is separate from drawing, so a page can cache grids
as plain arrays and draw them later.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from engine.data import Dataset
from engine.nn import Module
from engine.train import class_probabilities, predict
from viz.curves import FONT_SIZE, projector_layout
from viz.palette import CLASS_COLORS, INK

FILL_STRENGTH = 0.55  # how far a confident region goes from white towards its class colour
Predictor = Callable[[np.ndarray], np.ndarray]


@dataclass(frozen=True)
class BoundaryGrid:
    """A predictor evaluated on a grid over a dataset's inputs (plain arrays, cacheable).

    Classification: values[i, j] = class probabilities at (xs[j], ys[i]), shape (ny, nx, k).
    Regression: ys is None and values[j] is the prediction at xs[j], shape (nx,).
    """

    task: str
    xs: np.ndarray
    ys: np.ndarray | None
    values: np.ndarray


def _as_function(predictor, task: str) -> Predictor:
    if isinstance(predictor, Module):
        if task == "classification":
            return lambda X: class_probabilities(predictor, X)
        return lambda X: predict(predictor, X)
    if callable(predictor):
        return predictor
    raise TypeError(f"expected a model, a function or a BoundaryGrid, got {type(predictor)}")


def _span(values: np.ndarray, margin: float) -> tuple[float, float]:
    return float(values.min()) - margin, float(values.max()) + margin


def boundary_grid(predictor, dataset: Dataset, *, resolution: int = 80,
                  margin: float = 0.5) -> BoundaryGrid:
    """Evaluate `predictor` (model or function) on a resolution × resolution grid covering the
    dataset's points plus `margin` (a line of `resolution` points for 1-D regression)."""
    fn = _as_function(predictor, dataset.task)
    xs = np.linspace(*_span(dataset.X[:, 0], margin), resolution)
    if dataset.n_features == 1:
        return BoundaryGrid(dataset.task, xs, None, np.asarray(fn(xs[:, None])).reshape(-1))
    if dataset.n_features != 2:
        raise ValueError(f"a boundary needs 1 or 2 input features, not {dataset.n_features}")
    ys = np.linspace(*_span(dataset.X[:, 1], margin), resolution)
    X, Y = np.meshgrid(xs, ys)
    probs = np.asarray(fn(np.column_stack([X.ravel(), Y.ravel()])))
    return BoundaryGrid(dataset.task, xs, ys, probs.reshape(len(ys), len(xs), -1))


def blank_grid(grid: BoundaryGrid) -> BoundaryGrid:
    """The same grid without a prediction (nan everywhere): a small multiple shows its note."""
    return replace(grid, values=np.full_like(grid.values, np.nan))


def _lighten(color: str, strength: float) -> str:
    color = color.lstrip("#")
    rgb = [int(color[i:i + 2], 16) for i in (0, 2, 4)]
    mixed = [round(255 + (c - 255) * strength) for c in rgb]
    return "#{:02x}{:02x}{:02x}".format(*mixed)


def class_colorscale(k: int) -> list[list]:
    """A plotly colorscale over z in [0, k]: z in [c, c + 1) runs from white to class c's
    colour (lightened), so z = class + confidence draws both."""
    scale = []
    for c in range(k):
        full = _lighten(CLASS_COLORS[c % len(CLASS_COLORS)], FILL_STRENGTH)
        scale += [[c / k, "#ffffff"], [(c + 1) / k - 1e-6 if c < k - 1 else 1.0, full]]
    return scale


def winner_and_confidence(probs: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The predicted class of each row of class probabilities (..., k), and how sure the model
    is of it: 0 when every class is equally likely, 1 when one class has it all."""
    k = probs.shape[-1]
    winner = probs.argmax(axis=-1)
    if k == 1:
        return winner, np.ones(winner.shape)
    confidence = (probs.max(axis=-1) - 1.0 / k) / (1.0 - 1.0 / k)
    return winner, np.clip(np.nan_to_num(confidence), 0.0, 1.0)


def class_fill_table(k: int, levels: int) -> list[str]:
    """Colours "#rrggbb" of code c * levels + q: class c at confidence q / (levels - 1), from
    white to class c's lightened colour (the colours class_colorscale draws)."""
    table = []
    for c in range(k):
        full = _lighten(CLASS_COLORS[c % len(CLASS_COLORS)], FILL_STRENGTH)
        table += [_lighten(full, q / (levels - 1)) for q in range(levels)]
    return table


def _class_heatmap(grid: BoundaryGrid) -> go.Heatmap:
    probs = grid.values
    k = probs.shape[-1]
    winner, confidence = winner_and_confidence(probs)
    return go.Heatmap(
        x=grid.xs, y=grid.ys, z=winner + 0.999 * confidence,
        zmin=0, zmax=k, colorscale=class_colorscale(k), showscale=False,
        customdata=winner, hovertemplate="predicted class %{customdata}<extra></extra>",
    )


def _point_traces(dataset: Dataset, show_legend: bool) -> list[go.Scatter]:
    if dataset.task != "classification":
        return [go.Scatter(x=dataset.X[:, 0], y=np.asarray(dataset.y).reshape(-1),
                           mode="markers", name="data", showlegend=show_legend,
                           marker={"color": "#9e9e9e", "size": 6})]
    return [
        go.Scatter(
            x=dataset.X[dataset.y == c, 0], y=dataset.X[dataset.y == c, 1], mode="markers",
            name=f"class {c}", showlegend=show_legend, legendgroup=f"class {c}",
            marker={"color": CLASS_COLORS[c % len(CLASS_COLORS)], "size": 7,
                    "line": {"color": "#ffffff", "width": 1}},
            hovertemplate=f"class {c}<extra></extra>",
        )
        for c in range(dataset.n_classes)
    ]


def _model_traces(grid: BoundaryGrid) -> list[go.BaseTraceType]:
    if grid.ys is None:
        return [go.Scatter(x=grid.xs, y=grid.values, mode="lines", name="prediction",
                           line={"color": INK, "width": 3})]
    return [_class_heatmap(grid)]


def _grid(source, dataset: Dataset, resolution: int) -> BoundaryGrid:
    if isinstance(source, BoundaryGrid):
        return source
    return boundary_grid(source, dataset, resolution=resolution)


def boundary_figure(source, dataset: Dataset, *, title: str | None = None,
                    resolution: int = 80, height: int = 460) -> go.Figure:
    """One map: `source` (model, function or BoundaryGrid) over `dataset`, its points on top."""
    grid = _grid(source, dataset, resolution)
    fig = go.Figure([*_model_traces(grid), *_point_traces(dataset, show_legend=True)])
    _axes(fig, grid, dataset)
    if title:
        fig.update_layout(title={"text": title, "x": 0.01})
    return projector_layout(fig, height=height)


def boundary_small_multiples(panels: Sequence[tuple[str, object]], dataset: Dataset, *,
                             cols: int = 3, resolution: int = 60, row_height: int = 300,
                             empty_note: str = "no finite prediction") -> go.Figure:
    """A grid of maps, one per (title, source) in `panels`, row by row, `cols` per row; a
    panel whose grid has no finite value shows `empty_note` over its points."""
    cols = max(1, min(cols, len(panels)))
    rows = -(-len(panels) // cols)
    fig = make_subplots(rows=rows, cols=cols, subplot_titles=[t for t, _ in panels],
                        horizontal_spacing=0.04, vertical_spacing=0.12 / max(rows - 1, 1))
    for i, (_, source) in enumerate(panels):
        grid = _grid(source, dataset, resolution)
        row, col = divmod(i, cols)
        traces = [*_model_traces(grid), *_point_traces(dataset, show_legend=False)]
        for trace in traces:
            fig.add_trace(trace, row=row + 1, col=col + 1)
        _axes(fig, grid, dataset, row=row + 1, col=col + 1)
        if not np.isfinite(grid.values).any():
            fig.add_annotation(text=empty_note, showarrow=False, x=0.5, y=0.5, xref="x domain",
                               yref="y domain", bgcolor="rgba(255,255,255,0.85)",
                               row=row + 1, col=col + 1)
    projector_layout(fig, height=row_height * rows + 40)
    fig.update_layout(showlegend=False, margin={"t": 40, "b": 10, "l": 10})
    fig.update_annotations(font_size=FONT_SIZE - 1)
    fig.update_xaxes(showticklabels=False)
    fig.update_yaxes(showticklabels=False)
    return fig


def _axes(fig: go.Figure, grid: BoundaryGrid, dataset: Dataset, **where) -> None:
    fig.update_xaxes(range=[grid.xs[0], grid.xs[-1]], showgrid=False, zeroline=False, **where)
    if grid.ys is None:
        y = np.asarray(dataset.y, dtype=float).reshape(-1)
        margin = 0.25 * (y.max() - y.min()) or 1.0
        fig.update_yaxes(range=_span(y, margin), showgrid=False, **where)
        return
    fig.update_yaxes(range=[grid.ys[0], grid.ys[-1]], showgrid=False, zeroline=False, **where)
