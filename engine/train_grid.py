"""Comparison grids: every optimizer × {without, with dropout} × seed, trained by the one training
loop (engine.train.Runs) with the runs stacked, so one forward and backward pass serves them all.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from engine import checks
from engine.data import Dataset
from engine.errors import PlaygroundError
from engine.limits import MAX_GRID_STEPS, MAX_GRID_WEIGHT_STEPS, MAX_SEEDS, check_limit
from engine.nn import MLPSpec
from engine.train import (
    History,
    Job,
    OptimizerRecipe,
    Runs,
    check_training,
    steps_per_epoch,
)

__all__ = ["Run", "check_comparison", "compare"]

_STACK_ELEMENTS = 2_000_000  # at most this many activations (runs × points × width) at once


@dataclass(frozen=True, eq=False)
class Run:
    """One run of a comparison grid."""

    optimizer: OptimizerRecipe
    dropout_p: float
    seed: int
    history: History

    @property
    def label(self) -> str:
        """The optimizer's display name: "SGD", "Adam", ..."""
        return self.optimizer.label

    @property
    def title(self) -> str:
        """"Adam, lr=0.01, dropout 0.2, seed 1" (or "..., no dropout, seed 1")."""
        drop = f"dropout {self.dropout_p:g}" if self.dropout_p else "no dropout"
        return f"{self.optimizer.title}, {drop}, seed {self.seed}"


def compare(spec: MLPSpec, optimizers: Sequence[OptimizerRecipe], dropout_p: float,
            seeds: Sequence[int], train_data: Dataset, val_data: Dataset | None, epochs: int,
            batch_size: int, with_dropout: Sequence[bool] = (False, True),
            progress: Callable[[int, int], None] | None = None) -> list[Run]:
    """Train every optimizer × {without dropout, with dropout p} × seed on the same data.

    spec's dropouts are ignored: runs without dropout use 0, runs with dropout use `dropout_p`,
    after every hidden layer; its other settings are kept.
    Runs come ordered by optimizer, then dropout variant (in `with_dropout` order), then seed.
    Each run is what engine.train.train gives for its spec, optimizer and seed (to rounding);
    for one seed every run starts from the same weights. progress(done, total) is called after
    every epoch, counting epochs summed over all runs.
    """
    epochs, batch_size = check_training(spec, train_data, val_data, epochs, batch_size)
    seeds = [checks.seed(s) for s in seeds]
    check_limit("The number of seeds", len(seeds), MAX_SEEDS)
    optimizers = list(optimizers)
    for opt in optimizers:
        checks.recipe(opt)
    ps = [dropout_p if dropped else 0.0 for dropped in with_dropout]
    specs = {p: spec.with_dropout(p) for p in ps}
    settings = [(opt, p, seed) for opt in optimizers for p in ps for seed in seeds]
    if not settings:
        raise PlaygroundError("Nothing to compare: choose at least one optimizer and one seed.")
    check_comparison(spec, len(settings), train_data, epochs, batch_size)
    jobs = [Job(specs[p], opt, seed, seed) for opt, p, seed in settings]
    widest = max(spec.sizes) * max(len(train_data), len(val_data) if val_data else 0)
    per_stack = max(1, _STACK_ELEMENTS // widest)
    histories, done, total = [], 0, len(jobs) * epochs
    for first in range(0, len(jobs), per_stack):
        runs = Runs(jobs[first:first + per_stack], train_data, val_data, batch_size)
        for _, epoch, epoch_end in runs.steps(epochs):
            if progress is not None and epoch_end and epoch < epochs:
                progress(done + epoch * len(runs.jobs), total)
        done += epochs * len(runs.jobs)  # also when every run of the stack diverged early
        if progress is not None:
            progress(done, total)
        histories += runs.histories
    return [Run(opt, p, seed, history) for (opt, p, seed), history in zip(settings, histories)]


def check_comparison(spec: MLPSpec, runs: int, train_data: Dataset, epochs: int,
                     batch_size: int) -> None:
    """LimitError if `runs` runs of this network, epochs and batch size are too much work."""
    steps = runs * epochs * steps_per_epoch(len(train_data), min(batch_size, len(train_data)))
    check_limit("The number of training steps in this comparison (runs × epochs × batches)",
                steps, MAX_GRID_STEPS)
    weights = sum(a * b + b for a, b in zip(spec.sizes, spec.sizes[1:]))
    check_limit("The comparison's work (training steps × network weights)", steps * weights,
                MAX_GRID_WEIGHT_STEPS)
