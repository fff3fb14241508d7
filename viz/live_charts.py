"""Charts of networks being trained: what the live player draws (as compact data for the
browser, see ui.live_player), each layer's gradient norm, the vanishing-gradient comparison, and
the outputs of repeated forward passes (dropout).
"""

from __future__ import annotations

import base64
import json
import math
import time
from collections.abc import Callable, Mapping, Sequence

import numpy as np
import plotly.graph_objects as go
from plotly.colors import sample_colorscale

from engine.train import History
from page_models.features import FEATURES
from page_models.live import Frame, Playback, boundary_axes
from page_models.network_builder import Setup
from page_models.vanishing_gradients import VANISHING, log_norm_range
from viz.boundary import class_fill_table, winner_and_confidence
from viz.curves import projector_layout
from viz.palette import CLASS_COLORS, INK, VALUE_SCALE, optimizer_style

__all__ = [
    "dropout_passes_figure",
    "grad_norm_figure",
    "layer_norms_figure",
    "PlayerFeed",
    "player_frames",
    "player_setup",
]

LAYER_SCALE = "Viridis"  # layer 1 (next to the inputs) dark, the output layer light
MAX_LINE_POINTS = 400  # steps drawn per gradient line; beyond that every k-th step and the last
LEGEND_Y = -0.3  # the legend under the x axis title even in a short (335 px) live chart


def layer_colors(n: int) -> list[str]:
    """One colour per layer, from the input side to the output side."""
    return sample_colorscale(LAYER_SCALE, [0.0] if n == 1 else list(np.linspace(0, 0.85, n)))


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


# ---- the live player's data (ui.live_player draws it in the browser) -------------------------
CONFIDENCE_LEVELS = 32  # shades per class in the live boundary (a code is one byte)


def _b64(array: np.ndarray, dtype) -> str:
    return base64.b64encode(np.ascontiguousarray(array, dtype=dtype).tobytes()).decode("ascii")


def _rounded(values, digits: int = 4) -> list[float | None]:
    """Floats with `digits` significant digits; None for a value that is not finite."""
    return [float(f"{v:.{digits}g}") if math.isfinite(v) else None for v in map(float, values)]


def player_setup(setup: Setup) -> dict:
    """What stays the same for the whole run: data points, axes, colours, layer names."""
    raw, spec = setup.raw, setup.spec
    xs, ys = boundary_axes(setup)
    classification = setup.task == "classification"
    y = np.asarray(raw.y, dtype=float).reshape(-1)
    y_margin = 0.25 * (y.max() - y.min()) or 1.0
    sizes = spec.sizes
    hidden = [f"{a}" + (f" · drop {p:g}" if p else "")
              for a, p in zip(spec.activations, spec.dropouts)]
    return {
        "task": setup.task,
        "maxEpochs": setup.max_epochs,
        "x": [float(xs[0]), float(xs[-1])],
        "y": [float(ys[0]), float(ys[-1])] if ys is not None else
             [float(y.min() - y_margin), float(y.max() + y_margin)],
        "resolution": len(xs),
        "points": {"x": _rounded(raw.X[:, 0]),
                   "y": _rounded(raw.X[:, 1] if classification else y),
                   "c": raw.y.tolist() if classification else None},
        "classColors": CLASS_COLORS[:max(raw.n_classes, 1)],
        "fill": class_fill_table(raw.n_outputs, CONFIDENCE_LEVELS) if classification else None,
        "levels": CONFIDENCE_LEVELS,
        "lossColor": optimizer_style(setup.optimizer.key).colour,
        "layers": [f"Layer {i} ({a}→{b})" for i, (a, b) in enumerate(zip(sizes, sizes[1:]), 1)],
        "layerColors": layer_colors(len(sizes) - 1),
        "columns": list(sizes),
        "columnTitles": ["Input", *(f"Hidden {i}" for i in range(1, len(sizes) - 1)), "Output"],
        "columnNotes": [", ".join(FEATURES[k].label for k in setup.features), *hidden,
                        "softmax" if classification else "ŷ"],
        "weightColors": [VALUE_SCALE[0][1], VALUE_SCALE[-1][1]],
    }


def player_frames(frames: Sequence[Frame]) -> list[dict]:
    """Each frame as the browser needs it: numbers rounded, the boundary as one byte per cell
    (class × CONFIDENCE_LEVELS + confidence level), the weights as bytes (row, column, value
    scaled to ±127 by the frame's largest)."""
    out = []
    for frame in frames:
        if frame.predictions.ndim == 3:
            winner, confidence = winner_and_confidence(frame.predictions)
            codes = winner * CONFIDENCE_LEVELS + np.rint(confidence * (CONFIDENCE_LEVELS - 1))
            boundary = _b64(codes, np.uint8)
        else:
            boundary = _rounded(frame.predictions)
        weights = np.concatenate([values for _, _, values in frame.edges])
        finite = np.abs(weights[np.isfinite(weights)])
        scale = float(finite.max()) if finite.size and finite.max() > 0 else 1.0
        out.append({
            "epoch": frame.epoch,
            "loss": None if frame.train_loss is None else _rounded(
                [frame.train_loss, frame.val_loss]),
            "acc": None if frame.val_acc is None else round(frame.val_acc, 4),
            "norms": [_rounded(row) for row in frame.grad_norms],
            "boundary": boundary,
            "scale": _rounded([scale])[0],
            "edges": [[_b64(rows, np.uint8), _b64(cols, np.uint8),  # widths <= MAX_WIDTH = 128
                       _b64(np.clip(np.rint(np.nan_to_num(values / scale) * 127), -127, 127),
                            np.int8)]
                      for rows, cols, values in frame.edges],
        })
    return out


class PlayerFeed:
    """The frames of one Playback in the player's form (`encode`: player_frames, or another
    encoder of that playback's frames), made on demand and kept as JSON text (one string per
    frame: few objects for the server's garbage collector to walk after every run), so a request
    the browser repeats costs nothing."""

    def __init__(self, playback: Playback,
                 encode: Callable[[Sequence], list[dict]] = player_frames):
        self.playback, self.encode = playback, encode
        self.made: list[str] = []

    def frames(self, first: int, last: int, budget_s: float = math.inf) -> list[str]:
        """Frames first..last (as far as the run goes), training the run as far as needed; after
        `budget_s` seconds of this thread's CPU it stops early (with at least one new frame), so
        the player gets the first frames of a slow network soon and asks again for the rest."""
        start = time.thread_time()
        while (len(self.made) <= last and not self.playback.finished
               and (len(self.made) <= first or time.thread_time() - start < budget_s)):
            if not self.add(self.playback.frames(1)):
                break  # the playback makes no more here (it follows another run)
        return self.made[first:last + 1]

    def add(self, frames: Sequence) -> int:
        """Keep the playback's next `frames` (made elsewhere: a run this one follows); how many."""
        self.made += map(json.dumps, self.encode(frames))
        return len(frames)

    @property
    def end(self) -> dict | None:
        """{"epoch": the last epoch, "reason": why the run stopped} once it has, else None."""
        if not self.playback.finished:
            return None
        return {"epoch": len(self.made) - 1, "reason": self.playback.stop_reason}


def lesson_figures(results: Mapping[str, tuple[History, np.ndarray]]) -> tuple[
        dict[str, go.Figure], go.Figure]:
    """The vanishing-gradient lesson (page_models.vanishing_gradients.compare_activations): each
    network's gradient norms per step on one shared log axis, and every network's mean norm
    per layer."""
    log_range = log_norm_range([history for history, _ in results.values()])
    per_step = {activation: grad_norm_figure(history, title=f"{VANISHING['depth']} × {activation}",
                                             log_range=log_range, height=380)
                for activation, (history, _) in results.items()}
    colors = dict(zip(results, layer_colors(len(results))))
    return per_step, layer_norms_figure({a: mean for a, (_, mean) in results.items()}, colors)
