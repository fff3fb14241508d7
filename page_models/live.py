"""A training run that a page advances a little at a time: Play, Pause, Step and Reset.

It wraps engine.train.train_steps; pausing is simply not advancing, and Reset is a new LiveRun
(the same seed gives the same start). The run stops at the epoch cap or when training diverges,
and says why in words.
"""

from __future__ import annotations

import math

import numpy as np

from engine.data import Dataset
from engine.limits import MAX_EPOCHS, MAX_TRAIN_STEPS
from engine.nn import MLP, MLPSpec
from engine.train import History, OptimizerRecipe, StepRecord, train_steps

__all__ = ["EPOCHS_PER_UPDATE", "UPDATE_INTERVAL_S", "LiveRun"]

UPDATE_INTERVAL_S = 0.15  # a page's live area asks for an update this often while playing
EPOCHS_PER_UPDATE = 1  # epochs trained per live update


class LiveRun:
    """One network training on one dataset, advanced by `advance(epochs)`."""

    def __init__(self, spec: MLPSpec, optimizer: OptimizerRecipe, train_data: Dataset,
                 val_data: Dataset | None, batch_size: int, seed: int):
        steps_per_epoch = math.ceil(len(train_data) / min(batch_size, len(train_data)))
        by_steps = MAX_TRAIN_STEPS // steps_per_epoch
        self.max_epochs = min(MAX_EPOCHS, by_steps)
        self.cap_name = (f"{MAX_EPOCHS} epochs" if MAX_EPOCHS <= by_steps
                         else f"{MAX_TRAIN_STEPS:,} training steps")
        self.optimizer = optimizer
        self._steps = train_steps(spec, optimizer, train_data, val_data, self.max_epochs,
                                  batch_size, seed)
        # train_steps draws the weights from default_rng(seed): the same start, shown before step 1.
        self._initial_model = MLP(spec, np.random.default_rng(seed))
        self.record: StepRecord | None = None
        self.finished = False

    @property
    def history(self) -> History | None:
        """What has been recorded so far (None before the first step)."""
        return self.record.history if self.record else None

    @property
    def model(self) -> MLP:
        """The network being trained (its initial weights before the first step)."""
        return self.history.model if self.history else self._initial_model

    @property
    def epoch(self) -> int:
        """Completed epochs."""
        return self.history.epochs if self.history else 0

    @property
    def step(self) -> int:
        """Completed steps (minibatch updates)."""
        return self.history.steps if self.history else 0

    def advance(self, epochs: int = EPOCHS_PER_UPDATE) -> None:
        """Train until `epochs` more epochs are complete, or the run ends."""
        target = self.epoch + epochs
        while not self.finished and self.epoch < target:
            try:
                self.record = next(self._steps)
            except StopIteration:
                self.finished = True
                break
            self.finished = self.record.diverged or self.epoch >= self.max_epochs

    @property
    def stop_reason(self) -> str | None:
        """Why the run ended, in words (None while it can go on)."""
        if not self.finished:
            return None
        history = self.history
        if history is not None and history.diverged:
            return (f"Training diverged at step {history.diverged_at}: "
                    f"{history.diverged_reason}. Lower the learning rate and press Reset.")
        return (f"Reached the cap of {self.cap_name} on this public instance. "
                "Press Reset to train again.")
