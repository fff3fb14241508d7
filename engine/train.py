"""Training runs: one network, one optimizer, one dataset; and grids of runs to compare.

A run is reproducible from its seed. Three independent random streams come from it:
  weights       np.random.default_rng(init_seed if given, else seed)   (MLP's rng)
  shuffling     np.random.default_rng([seed, 1])                        (a new order every epoch)
  dropout masks np.random.default_rng([seed, 2])
so for one seed every optimizer, with or without dropout, starts from the same weights and sees
the minibatches in the same order: the comparison is honest.

Steps are counted from 1: step k is the k-th minibatch update, its loss is step_loss[k − 1].
Each epoch visits every training point once, in batches of `batch_size` (the last one smaller if
the batch size does not divide the number of points). After each epoch the model is evaluated in
evaluation mode (no dropout) on the whole training and validation sets.

Divergence: a step whose loss is not finite, or above DIVERGENCE_FACTOR × max(first loss, 1), or
whose gradient is not finite, stops the run before its update. History.diverged_at is that step;
the recorded curves hold only the finite values before it.

Loss: mean cross-entropy of the logits for classification, mean squared error for regression.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Generator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from numbers import Integral, Real

import numpy as np

from engine.data import Dataset
from engine.errors import PlaygroundError
from engine.functional import cross_entropy, mse, softmax
from engine.limits import MAX_EPOCHS, MAX_GRID_STEPS, MAX_SEEDS, MAX_TRAIN_STEPS, check_limit
from engine.nn import MLP, MLPSpec, Module
from engine.optim import OPTIMIZERS, Optimizer, make_optimizer
from engine.tensor import Tensor, no_grad

__all__ = [
    "DIVERGENCE_FACTOR",
    "History",
    "OptimizerSpec",
    "Run",
    "StepRecord",
    "accuracy",
    "class_probabilities",
    "compare",
    "predict",
    "train",
    "train_steps",
]

DIVERGENCE_FACTOR = 1e3  # a loss above this × max(first loss, 1) counts as diverged
_SHUFFLE_STREAM, _DROPOUT_STREAM = 1, 2
_LABELS = {"sgd": "SGD", "momentum": "Momentum", "adam": "Adam"}  # keys of viz.palette.OPTIMIZER
_MAX_SEED = 2**32 - 1


@dataclass(frozen=True)
class OptimizerSpec:
    """An optimizer to build later: name "sgd", "momentum" (SGD with momentum) or "adam".

    `momentum` is used only by "momentum", `betas` only by "adam".
    """

    name: str
    lr: float
    momentum: float = 0.9
    betas: tuple[float, float] = (0.9, 0.999)

    def __post_init__(self):
        name = str(self.name).strip().lower()
        if name not in OPTIMIZERS:
            raise PlaygroundError(
                f"Unknown optimizer {self.name!r}; choose one of: {', '.join(OPTIMIZERS)}.")
        object.__setattr__(self, "name", name)
        if isinstance(self.lr, bool) or not isinstance(self.lr, Real) or not (
                0 < self.lr < math.inf):
            raise PlaygroundError(f"The learning rate must be a positive number, got {self.lr!r}.")
        object.__setattr__(self, "betas", tuple(self.betas))

    @property
    def label(self) -> str:
        """"SGD", "Momentum" or "Adam" (the keys of viz.palette.OPTIMIZER)."""
        return _LABELS[self.name]

    @property
    def title(self) -> str:
        """"Adam, lr=0.01"."""
        return f"{self.label}, lr={self.lr:g}"

    def build(self, params) -> Optimizer:
        """The optimizer, over `params`."""
        hyper = {"momentum": {"momentum": self.momentum}, "adam": {"betas": self.betas}}
        return make_optimizer(self.name, params, lr=self.lr, **hyper.get(self.name, {}))


@dataclass(eq=False)
class History:
    """Everything a run recorded; filled in while it runs (train_steps shares it live).

    step_loss: training loss of each minibatch (training mode), finite values only.
    epoch_*: per epoch, on the whole set in evaluation mode; *_acc is nan for regression.
    grad_norms: (steps, layers) array: the L2 norm of each Linear layer's gradient (W and b).
    wall_time: seconds spent computing (not waiting for a consumer of train_steps).
    diverged_at: the step that diverged (1-based), or None; diverged_reason says why.
    """

    model: MLP
    task: str
    steps_per_epoch: int
    layer_names: list[str]
    step_loss: list[float] = field(default_factory=list)
    epoch_train_loss: list[float] = field(default_factory=list)
    epoch_train_acc: list[float] = field(default_factory=list)
    epoch_val_loss: list[float] = field(default_factory=list)
    epoch_val_acc: list[float] = field(default_factory=list)
    grad_norm_rows: list[np.ndarray] = field(default_factory=list, repr=False)
    wall_time: float = 0.0
    diverged_at: int | None = None
    diverged_reason: str = ""

    @property
    def grad_norms(self) -> np.ndarray:
        """(steps, n_layers): per step, the gradient norm of each Linear layer."""
        return np.array(self.grad_norm_rows).reshape(-1, len(self.layer_names))

    @property
    def steps(self) -> int:
        """Number of completed steps."""
        return len(self.step_loss)

    @property
    def epochs(self) -> int:
        """Number of completed epochs."""
        return len(self.epoch_train_loss)

    @property
    def diverged(self) -> bool:
        return self.diverged_at is not None

    @property
    def epoch_end_steps(self) -> list[int]:
        """The step at which each completed epoch ended (to draw epoch metrics on a step axis)."""
        return [min((e + 1) * self.steps_per_epoch, self.steps) for e in range(self.epochs)]


@dataclass(frozen=True, eq=False)
class StepRecord:
    """What train_steps yields after each step (and once more, with diverged=True, on divergence).

    The epoch metrics are set only when `epoch_end` is True. `history` is the run's History,
    complete up to this step, so a consumer that stops early still has it.
    """

    step: int
    epoch: int
    loss: float
    grad_norms: np.ndarray
    history: History
    epoch_end: bool = False
    diverged: bool = False
    train_loss: float | None = None
    train_acc: float | None = None
    val_loss: float | None = None
    val_acc: float | None = None


@dataclass(frozen=True, eq=False)
class Run:
    """One run of a comparison grid."""

    optimizer: OptimizerSpec
    dropout_p: float
    seed: int
    history: History

    @property
    def label(self) -> str:
        """The optimizer's label: "SGD", "Momentum" or "Adam"."""
        return self.optimizer.label

    @property
    def title(self) -> str:
        """"Adam, lr=0.01, dropout 0.2, seed 1" (or "..., no dropout, seed 1")."""
        drop = f"dropout {self.dropout_p:g}" if self.dropout_p else "no dropout"
        return f"{self.optimizer.title}, {drop}, seed {self.seed}"


def train_steps(spec: MLPSpec, optimizer: OptimizerSpec, train_data: Dataset,
                val_data: Dataset | None, epochs: int, batch_size: int, seed: int,
                init_seed: int | None = None) -> Generator[StepRecord, None, History]:
    """Train step by step: yield a StepRecord after every step; return the History at the end.

    Stop early by simply no longer iterating; the last record's `history` holds what was done.
    """
    raise NotImplementedError


def train(spec: MLPSpec, optimizer: OptimizerSpec, train_data: Dataset,
          val_data: Dataset | None, epochs: int, batch_size: int, seed: int,
          init_seed: int | None = None) -> History:
    """Train a fresh MLP(spec) for `epochs` epochs and return its History (see the module doc)."""
    raise NotImplementedError


def compare(spec: MLPSpec, optimizers: Sequence[OptimizerSpec], dropout_p: float,
            seeds: Sequence[int], train_data: Dataset, val_data: Dataset | None, epochs: int,
            batch_size: int, with_dropout: Sequence[bool] = (False, True),
            progress: Callable[[int, int], None] | None = None) -> list[Run]:
    """Train every optimizer × {without dropout, with dropout p} × seed on the same data.

    spec.dropout is ignored: runs without dropout use 0, runs with dropout use `dropout_p`.
    Runs come ordered by optimizer, then dropout variant (in `with_dropout` order), then seed.
    For one seed every run starts from the same weights. progress(done, total) is called after
    each run. Deterministic: the same arguments give identical histories.
    """
    raise NotImplementedError


def predict(model: Module, X) -> np.ndarray:
    """The network's outputs on X (logits, or values for regression), in evaluation mode."""
    raise NotImplementedError


def class_probabilities(model: Module, X) -> np.ndarray:
    """(n, n_classes) softmax probabilities, in evaluation mode (for decision boundaries)."""
    raise NotImplementedError


def accuracy(model: Module, dataset: Dataset) -> float:
    """Fraction of points classified correctly, in evaluation mode; nan for regression."""
    raise NotImplementedError
