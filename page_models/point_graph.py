"""The computation graph of one data point while the network trains: the point's forward pass
(evaluation mode: dropout off) and the backward pass of its loss, epoch by epoch.

    record = point_record(model, setup, index)       # one epoch's graph (tensor_graph draws it)
    playback = PointPlayback(setup, index)           # frame N: the point after N epochs
    frame = playback.frames(1)[0]                    # PointFrame: every node's value, gradient

A PointPlayback replays the run (engine.train is deterministic), so its frame N is the point in
the network of the live player's frame N, until it has caught up with the run itself: from then
on it follows the run's own networks as they are made (`follow`), without training again. Nodes
are numbered as tensor_graph numbers them (the record's topological order), so a frame's lists
fit the graph drawn once.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass

import numpy as np

from engine.errors import PlaygroundError
from engine.nn import MLP
from engine.tensor import Tensor
from engine.train import LOSS_FOR_TASK
from page_models.graph_record import BackwardRecord, record_backward
from page_models.live import Playback
from page_models.network_builder import Setup

__all__ = ["PointFrame", "PointPlayback", "check_point", "point_record"]


def check_point(setup: Setup, index: int) -> int:
    """`index` if it names a point of the data, else a PlaygroundError saying which do."""
    n = len(setup.raw)
    if not 0 <= index < n:
        raise PlaygroundError(f"There is no point {index}: the data has {n} points, numbered "
                              f"0 to {n - 1}.")
    return index


def point_record(model: MLP, setup: Setup, index: int) -> BackwardRecord:
    """The recorded forward and backward pass of point `index` (of the data the boundary shows)
    through a copy of `model` in evaluation mode; the loss is the one training uses. The input
    is named "x", the target "y"; the parameters keep their names (W1, b1, ...)."""
    twin = copy.deepcopy(model)
    twin.eval()
    X = setup.expand(setup.raw.X[index:index + 1])
    y = setup.raw.y[index:index + 1]
    loss = LOSS_FOR_TASK[setup.task](twin(Tensor(X, name="x")), Tensor(y, name="y"))
    return record_backward(loss)


@dataclass(frozen=True, eq=False)
class PointFrame:
    """The point after `epoch` epochs: each node's value and gradient (None where none flows),
    by node number."""

    epoch: int
    values: tuple[np.ndarray, ...]
    gradients: tuple[np.ndarray | None, ...]

    @classmethod
    def of(cls, epoch: int, record: BackwardRecord) -> PointFrame:
        return cls(epoch, tuple(t.data for t in record.order),
                   tuple(record.gradients.get(t) for t in record.order))


class PointPlayback(Playback):
    """The run of `setup` again, recording point `index` after each epoch (not the boundary)."""

    def __init__(self, setup: Setup, index: int):
        super().__init__(setup)
        self.index = check_point(setup, index)
        self.following = False  # in step with the run: frames come from `follow`, no replay

    def frames(self, count: int) -> list[PointFrame]:
        return [] if self.following else super().frames(count)

    def follow(self, model: MLP, epoch: int) -> PointFrame | None:
        """The frame of `epoch` from the run's own network as the run makes it (a Playback
        watcher), if that is this playback's next frame; then it stays in step."""
        if epoch != self.made:
            return None
        self.made, self.following = epoch + 1, True
        return self._frame(model, epoch, None, None, None)

    def _frame(self, model, epoch, losses, acc, norms) -> PointFrame:
        return PointFrame.of(epoch, point_record(model, self.setup, self.index))
