"""The neuron-level diagram of a small network, in the style of TensorFlow Playground.

One node per neuron, layers from left (inputs) to right (outputs). Each weight is an edge whose
colour gives its sign and whose width gives its size; after a backward pass the same edges can show
the weights' gradients instead. Nodes can be filled with the activations on one sample.

Plotly draws a line trace with one colour and one width, so edges are grouped into a few bins by
sign and size (one trace per bin): the figure stays small however many weights there are.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import plotly.graph_objects as go

from engine.data import Dataset
from engine.nn import MLPSpec
from page_models.features import FEATURES
from viz.palette import (
    FONT_FAMILY,
    GRADIENT_SCALE,
    INK,
    NODE_KIND,
    VALUE_SCALE,
    diverging,
)

__all__ = ["LayerView", "MAX_EDGES_PER_LAYER", "network_layers", "neuron_figure"]

MAX_EDGES_PER_LAYER = 600  # beyond this only the largest |values| are drawn (the rest is noise)
SIZE_BINS = 5  # edge widths (per sign)
MIN_WIDTH, MAX_WIDTH = 0.6, 7.0  # edge line widths in px
HOVER_EDGES = 400  # edges per figure that get a hover label at their midpoint
TITLE_LINE_PX = 20  # room above the plot per line of the layer titles


@dataclass(frozen=True)
class LayerView:
    """One column of neurons: its title and, optionally, each neuron's name and value."""

    title: str  # "Hidden 1 · tanh"
    size: int
    labels: Sequence[str] | None = None  # one per neuron, written beside it (inputs, outputs)
    values: np.ndarray | None = None  # one per neuron: its activation on one sample (node fill)


def _positions(size: int) -> np.ndarray:
    """Vertical positions of `size` neurons, centred on 0, one unit apart (squeezed if many)."""
    step = 1.0 if size <= 12 else 12.0 / size
    return (np.arange(size) - (size - 1) / 2.0) * -step


def _strongest(values: np.ndarray, keep: int) -> np.ndarray:
    """Flat indices of the `keep` entries of largest magnitude (all entries if fewer)."""
    flat = np.abs(values).ravel()
    if flat.size <= keep:
        return np.arange(flat.size)
    return np.argpartition(flat, -keep)[-keep:]


def _edge_traces(layers, matrices, scale_max, scale, what) -> tuple[list[go.Scatter], int]:
    """Binned edge traces (plus one hover trace) and the number of edges left out."""
    segments: dict[tuple[int, int], tuple[list, list]] = {}
    hover_x, hover_y, hover_text = [], [], []
    hidden = 0
    for k, matrix in enumerate(matrices):
        y_from, y_to = _positions(layers[k].size), _positions(layers[k + 1].size)
        chosen = _strongest(matrix, MAX_EDGES_PER_LAYER)
        hidden += matrix.size - chosen.size
        for flat in chosen:
            j, i = np.unravel_index(flat, matrix.shape)  # W[j, i]: from neuron i to neuron j
            value = float(matrix[j, i])
            finite = np.isfinite(value)
            size = min(abs(value) / scale_max, 1.0) if finite and scale_max > 0 else 1.0
            key = (int(np.sign(value)) if finite else 2, min(int(size * SIZE_BINS), SIZE_BINS - 1))
            xs, ys = segments.setdefault(key, ([], []))
            xs += [k, k + 1, None]
            ys += [y_from[i], y_to[j], None]
            if len(hover_text) < HOVER_EDGES:
                hover_x.append(k + 0.5)
                hover_y.append((y_from[i] + y_to[j]) / 2.0)
                hover_text.append(f"layer {k + 1}, {i + 1} → {j + 1}<br>{what} = {value:.4g}")
    traces = []
    for (sign, size_bin), (xs, ys) in sorted(segments.items()):
        level = (size_bin + 1) / SIZE_BINS  # the top bin is the full colour
        color = diverging(np.nan if sign == 2 else sign * level, 1.0, scale)
        width = MIN_WIDTH + (MAX_WIDTH - MIN_WIDTH) * level
        traces.append(go.Scatter(x=xs, y=ys, mode="lines", hoverinfo="skip", showlegend=False,
                                 line={"color": color, "width": width}))
    traces.append(go.Scatter(x=hover_x, y=hover_y, mode="markers", text=hover_text,
                             hoverinfo="text", showlegend=False,
                             marker={"size": 8, "opacity": 0}))
    return traces, hidden


def _node_trace(layers) -> go.Scatter:
    xs, ys, fills, texts = [], [], [], []
    for k, layer in enumerate(layers):
        values = layer.values
        scale_max = float(np.max(np.abs(values))) if values is not None and values.size else 0.0
        for i, y in enumerate(_positions(layer.size)):
            xs.append(k)
            ys.append(y)
            name = layer.labels[i] if layer.labels else f"neuron {i + 1}"
            if values is None:
                fills.append(NODE_KIND["op"] if 0 < k < len(layers) - 1 else NODE_KIND["input"])
                texts.append(f"{layer.title}<br>{name}")
            else:
                fills.append(diverging(float(values[i]), scale_max, VALUE_SCALE))
                texts.append(f"{layer.title}<br>{name} = {float(values[i]):.4g}")
    biggest = max(layer.size for layer in layers)
    size = 26 if biggest <= 12 else max(6, int(26 * 12 / biggest))
    return go.Scatter(x=xs, y=ys, mode="markers", text=texts, hoverinfo="text", showlegend=False,
                      marker={"size": size, "color": fills, "line": {"color": INK, "width": 1.5}})


def _colorbar_trace(scale, scale_max, what) -> go.Scatter:
    """An invisible trace whose only job is the colour bar of the edges."""
    return go.Scatter(
        x=[None], y=[None], mode="markers", hoverinfo="skip", showlegend=False,
        marker={"colorscale": scale, "cmin": -scale_max, "cmax": scale_max, "color": [0.0],
                "showscale": True,
                "colorbar": {"title": {"text": what}, "thickness": 14, "len": 0.8}})


def neuron_figure(layers: Sequence[LayerView], matrices: Sequence[np.ndarray], *,
                  gradient: bool = False, height: int = 440) -> go.Figure:
    """The network as neurons and weighted edges.

    layers: the columns, inputs first, outputs last.
    matrices: one (layers[k+1].size, layers[k].size) array per pair of neighbouring columns,
        in torch's (out, in) layout (engine.nn.Linear.weight): the weights, or their gradients
        when `gradient` is True (other colour scale).
    """
    if len(matrices) != len(layers) - 1:
        raise ValueError(f"{len(layers)} layers need {len(layers) - 1} matrices, "
                         f"got {len(matrices)}")
    for k, matrix in enumerate(matrices):
        if matrix.shape != (layers[k + 1].size, layers[k].size):
            raise ValueError(f"matrix {k} has shape {matrix.shape}, "
                             f"expected {(layers[k + 1].size, layers[k].size)} (out, in)")
    what = "gradient" if gradient else "weight"
    scale = GRADIENT_SCALE if gradient else VALUE_SCALE
    finite = [np.abs(m[np.isfinite(m)]) for m in matrices]
    scale_max = max((float(f.max()) for f in finite if f.size), default=0.0)

    edges, hidden = _edge_traces(layers, matrices, scale_max, scale, what)
    fig = go.Figure([*edges, _node_trace(layers), _colorbar_trace(scale, scale_max or 1.0, what)])

    top = max(float(_positions(layer.size)[0]) for layer in layers) + 0.6
    title_lines = max(layer.title.count("<br>") + 1 for layer in layers)
    for k, layer in enumerate(layers):
        fig.add_annotation(x=k, y=1.0, yref="paper", text=f"<b>{layer.title}</b>",
                           showarrow=False, font={"size": 15}, yanchor="bottom")
        if layer.labels and k in (0, len(layers) - 1):
            side = -1 if k == 0 else 1
            for label, y in zip(layer.labels, _positions(layer.size)):
                fig.add_annotation(x=k + side * 0.12, y=y, text=label, showarrow=False,
                                   xanchor="right" if side < 0 else "left", font={"size": 15})
    if hidden:
        fig.add_annotation(x=0.5, y=0, xref="paper", yref="paper", yanchor="top", showarrow=False,
                           text=f"{hidden:,} smallest {what}s not drawn",
                           font={"size": 13, "color": INK})
    fig.update_layout(
        height=height, margin={"l": 10, "r": 10, "t": 12 + TITLE_LINE_PX * title_lines, "b": 30},
        font={"family": FONT_FAMILY, "size": 15, "color": INK},
        plot_bgcolor="white", paper_bgcolor="white", hovermode="closest",
        xaxis={"visible": False, "range": [-0.6, len(layers) - 0.4], "fixedrange": True},
        yaxis={"visible": False, "range": [-top, top], "fixedrange": True},
        meta={"title": f"The network's neurons and {what}s",
              "summary": f"{' → '.join(str(layer.size) for layer in layers)} neurons, layer by "
                         f"layer; {sum(m.size for m in matrices)} edges coloured by the {what}, "
                         f"|{what}| up to {scale_max:.3g}."},
    )
    return fig



def network_layers(spec: MLPSpec, features: Sequence[str], dataset: Dataset,
                   hidden: Sequence[np.ndarray]) -> list[LayerView]:
    """The columns of an MLP on `dataset` for neuron_figure: the input features, each hidden
    layer (filled with its activations `hidden`), and the outputs; each layer's title says how
    its weights started (engine.nn.Init)."""
    layers = [LayerView("Input", len(features), [FEATURES[k].label for k in features])]
    inits = spec.inits
    for i, (width, act, p) in enumerate(zip(spec.hidden, spec.activations, spec.dropouts)):
        drop = f"<br>dropout {p:g}" if p else ""
        layers.append(LayerView(f"Hidden {i + 1}<br>{act}<br>{inits[i]}{drop}", width,
                                values=hidden[i]))
    if dataset.task == "classification":
        return [*layers, LayerView(f"Output<br>softmax<br>{inits[-1]}", dataset.n_classes,
                                   [f"class {c}" for c in range(dataset.n_classes)])]
    return [*layers, LayerView(f"Output<br>{inits[-1]}", 1, ["ŷ"])]
