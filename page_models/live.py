"""Training that plays in the browser: the server trains ahead and records, epoch by epoch, what
the page shows (a Frame); the browser plays the frames back while the next ones are computed.

Frame 0 is the untrained network; frame N is the network after N epochs. The frames come from
engine.train.train_steps, the plain training loop, so they are exactly its states. The run ends at
the epoch cap or when training diverges, and says why in words (`Playback.stop_reason`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from engine.nn import MLP
from engine.train import class_probabilities, predict, train, train_steps
from page_models.network_builder import Setup

__all__ = ["LIVE_EDGES", "Frame", "Playback", "boundary_axes", "boundary_resolution", "model_at"]

BOUNDARY_RESOLUTION = 40  # grid points per side of the live decision boundary...
WIDE_RESOLUTION = 24  # ...and of a network with more than WIDE_WEIGHTS weights, whose pass over
WIDE_WEIGHTS = 10_000  # a 40 × 40 grid would cost more than its epoch of training
LIVE_EDGES = 300  # strongest weights of each layer the live neuron view draws
MARGIN = 0.5  # the boundary extends this far beyond the data


@dataclass(frozen=True, eq=False)
class Frame:
    """What the page shows after `epoch` epochs.

    losses (train, validation) and val_acc are None for frame 0 (val_acc also for regression).
    grad_norms: (steps of this epoch, layers), each Linear layer's gradient norm per step.
    predictions: the model on the boundary grid (boundary_axes): class probabilities
        (ny, nx, k), or for regression the predicted values (nx,).
    edges: per Linear layer, (sources, targets, weights) of its LIVE_EDGES largest |weights|:
        weight[targets[i], sources[i]] (W is (out, in)) joins neuron sources[i] of the layer's
        input to neuron targets[i] of its output.
    """

    epoch: int
    train_loss: float | None
    val_loss: float | None
    val_acc: float | None
    grad_norms: np.ndarray
    predictions: np.ndarray
    edges: tuple[tuple[np.ndarray, np.ndarray, np.ndarray], ...]


def boundary_resolution(setup: Setup) -> int:
    """Grid points per side of the live boundary: fewer for a wide network."""
    sizes = setup.spec.sizes
    weights = sum(a * b for a, b in zip(sizes, sizes[1:]))
    return WIDE_RESOLUTION if weights > WIDE_WEIGHTS else BOUNDARY_RESOLUTION


def boundary_axes(setup: Setup) -> tuple[np.ndarray, np.ndarray | None]:
    """The boundary grid over the raw inputs: (xs, ys), ys None for a 1-D (regression) input."""
    X, n = setup.raw.X, boundary_resolution(setup)
    axes = [np.linspace(X[:, d].min() - MARGIN, X[:, d].max() + MARGIN, n)
            for d in range(X.shape[1])]
    return axes[0], (axes[1] if len(axes) > 1 else None)


def _predictions(model: MLP, setup: Setup) -> np.ndarray:
    xs, ys = boundary_axes(setup)
    if ys is None:
        return predict(model, setup.expand(xs[:, None])).reshape(-1)
    gx, gy = np.meshgrid(xs, ys)
    points = setup.expand(np.column_stack([gx.ravel(), gy.ravel()]))
    return class_probabilities(model, points).reshape(len(ys), len(xs), -1)


def _edges(model: MLP) -> tuple[tuple[np.ndarray, np.ndarray, np.ndarray], ...]:
    out = []
    for layer in model.layers:
        weights = layer.weight.data
        flat = np.abs(weights).ravel()
        keep = (np.arange(flat.size) if flat.size <= LIVE_EDGES
                else np.sort(np.argpartition(flat, -LIVE_EDGES)[-LIVE_EDGES:]))
        targets, sources = np.unravel_index(keep, weights.shape)
        out.append((sources, targets, weights.ravel()[keep].copy()))
    return tuple(out)


class Playback:
    """One run, recorded frame by frame on demand: `frames(n)` trains up to n more epochs."""

    def __init__(self, setup: Setup):
        self.setup = setup
        self._records = train_steps(setup.spec, setup.optimizer, setup.train_data,
                                    setup.val_data, setup.max_epochs, setup.batch_size,
                                    setup.seed)
        self._start = MLP(setup.spec, np.random.default_rng(setup.seed))  # train_steps' start
        self.made = 0  # frames made so far
        self.watchers: list[Callable[[MLP, int], None]] = []  # shown each epoch's network
        self.finished = False
        self.stop_reason: str | None = None

    def frames(self, count: int) -> list[Frame]:
        """The next `count` frames (fewer if the run ends)."""
        out = []
        if self.made == 0 and count > 0:
            norms = np.zeros((0, len(self._start.layers)))
            out.append(self._frame(self._start, 0, None, None, norms))
        while len(out) < count and not self.finished:
            frame = self._next_epoch()
            if frame is not None:
                out.append(frame)
        self.made += len(out)
        return out

    def _next_epoch(self) -> Frame | None:
        rows = []
        for record in self._records:
            if record.diverged:
                self._stop(f"Training diverged at step {record.step} (in epoch {record.epoch}): "
                           f"{record.history.diverged_reason}. Lower the learning rate to "
                           "train again.")
                return None
            rows.append(record.grad_norms)
            if record.epoch_end:
                h = record.history
                acc = record.val_acc if self.setup.task == "classification" else None
                return self._frame(h.model, h.epochs, (record.train_loss, record.val_loss), acc,
                                   np.array(rows))
        self._stop(f"Reached the cap of {self.setup.max_epochs} epochs on this public instance. "
                   "Press Reset to watch again.")
        return None

    def _frame(self, model, epoch, losses, acc, norms) -> Frame:
        for watch in self.watchers:  # e.g. the point graphs that follow this run
            watch(model, epoch)
        train_loss, val_loss = losses if losses else (None, None)
        return Frame(epoch, train_loss, val_loss, acc, norms, _predictions(model, self.setup),
                     _edges(model))

    def _stop(self, reason: str) -> None:
        self.finished, self.stop_reason = True, reason


def model_at(setup: Setup, epoch: int) -> MLP:
    """The network after `epoch` epochs of the run (the run is deterministic: trained again)."""
    if epoch <= 0:
        return MLP(setup.spec, np.random.default_rng(setup.seed))
    return train(setup.spec, setup.optimizer, setup.train_data, setup.val_data, epoch,
                 setup.batch_size, setup.seed).model
