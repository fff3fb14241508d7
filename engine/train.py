"""The training loop: R ≥ 1 runs of one network architecture on one dataset, trained together.

One loop (`Runs`) trains every run: forward through the network's modules, the loss from the op
table (LOSS_FOR_TASK), backward, optimizer step (and the learning-rate schedule's step, if any).
With R = 1 the network is the run's MLP itself, so the graph a page shows for one training step
is the graph that trains (`train_steps`, `train`). With R > 1 the runs' MLPs are stacked along a
leading axis (engine.nn.stack_models) and run through the same modules at once; comparison
grids (engine.train_grid.compare) train that way. Either way each run is the same run, to
rounding (the tests hold them to 1e-12).

A run is reproducible from its seed. Three independent random streams come from it:
  weights       np.random.default_rng(init_seed if given, else seed)   (MLP's rng)
  shuffling     np.random.default_rng([seed, 1])                        (a new order every epoch)
  dropout masks np.random.default_rng([seed, 2])
so for one seed every optimizer, with or without dropout, starts from the same weights and sees
the minibatches in the same order: the comparison is honest. Each epoch draws one permutation of
the training points; the masks are drawn layer by layer, one uniform number per activation.

Steps are counted from 1: step k is the k-th minibatch update, its loss is step_loss[k − 1].
Each epoch visits every training point once, in batches of `batch_size` (the last one smaller if
the batch size does not divide the number of points). After each epoch the model is evaluated in
evaluation mode (no dropout) on the whole training and validation sets.

Divergence: a step whose loss is not finite, or above DIVERGENCE_FACTOR × max(first loss, 1), or
whose gradient is not finite, stops the run before its update (the other runs of a stack go on).
History.diverged_at is that step; the recorded curves hold only the finite values before it.

An optimizer is given as a recipe (OptimizerRecipe, e.g. page_models.optimizers.OptimizerChoice)
that builds the engine optimizer and its schedule for a list of parameters. The arguments are
checked by engine.checks.
"""

from __future__ import annotations

import math
from collections.abc import Generator, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import partial
from typing import Protocol

import numpy as np

from engine import checks
from engine.data import Dataset
from engine.errors import PlaygroundError
from engine.functional import softmax
from engine.limits import MAX_EPOCHS, MAX_TRAIN_STEPS, check_limit
from engine.nn import MLP, MLPSpec, Module, stack_models
from engine.ops import OPS, cross_entropy_terms, squared_errors
from engine.optim import LRScheduler, Optimizer
from engine.tensor import apply, no_grad, quietly

__all__ = [
    "DIVERGENCE_FACTOR",
    "LOSS_FOR_TASK",
    "LOSS_OPS",
    "History",
    "OptimizerRecipe",
    "Runs",
    "StepRecord",
    "check_training",
    "class_probabilities",
    "predict",
    "steps_per_epoch",
    "train",
    "train_steps",
]

DIVERGENCE_FACTOR = 1e3  # a loss above this × max(first loss, 1) counts as diverged
LOSS_OPS = {"classification": OPS["cross_entropy"], "regression": OPS["mse"]}
"""The op of the loss each task trains on: mean cross-entropy of the logits against class
indices, or mean squared error."""
LOSS_FOR_TASK = {task: partial(apply, op) for task, op in LOSS_OPS.items()}
"""The same losses as functions on tensors: loss(outputs, targets)."""
LOSS_TERMS = {"classification": cross_entropy_terms, "regression": squared_errors}
"""The terms each loss averages (one per row, or per entry), on arrays."""
_SHUFFLE_STREAM, _DROPOUT_STREAM = 1, 2


class OptimizerRecipe(Protocol):
    """What training needs of an optimizer: build it (and its schedule) for parameters."""

    @property
    def label(self) -> str: ...

    @property
    def title(self) -> str: ...

    def build(self, params) -> Optimizer: ...

    def build_schedule(self, optimizer: Optimizer) -> LRScheduler | None: ...


@dataclass(eq=False)
class History:
    """Everything a run recorded; filled in while it runs (train_steps shares it live).

    step_loss: training loss of each minibatch (training mode), finite values only.
    epoch_*: per epoch, on the whole set in evaluation mode; *_acc is nan for regression,
        epoch_val_* nan without validation data.
    grad_norms: (steps, layers) array: the L2 norm of each Linear layer's gradient (W and b).
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
    diverged_at: int | None = None
    diverged_reason: str = ""

    @property
    def grad_norms(self) -> np.ndarray:
        """(steps, n_layers): per step, the gradient norm of each Linear layer."""
        return np.array(self.grad_norm_rows).reshape(-1, len(self.layer_names))

    @property
    def steps(self) -> int:
        """Number of completed steps (minibatch updates)."""
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

    def record_step(self, loss: float, grad_norms: np.ndarray) -> None:
        self.step_loss.append(loss)
        self.grad_norm_rows.append(grad_norms)

    def record_epoch(self, train: tuple[float, float], val: tuple[float, float]) -> None:
        """Append one epoch's (loss, accuracy) on the training and validation sets."""
        self.epoch_train_loss.append(train[0])
        self.epoch_train_acc.append(train[1])
        self.epoch_val_loss.append(val[0])
        self.epoch_val_acc.append(val[1])

    def record_divergence(self, step: int, loss: float) -> None:
        self.diverged_at = step
        self.diverged_reason = _loss_problem(loss, self.step_loss)


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


@dataclass(frozen=True)
class Job:
    """One run to train: its network, optimizer, seed (shuffling, dropout) and weights seed."""

    spec: MLPSpec
    optimizer: OptimizerRecipe
    seed: int
    weights_seed: int

    def model(self) -> MLP:
        """A fresh network with this run's initial weights and dropout stream."""
        return MLP(self.spec, np.random.default_rng(self.weights_seed),
                   dropout_rng=np.random.default_rng([self.seed, _DROPOUT_STREAM]))

    def shuffling(self) -> np.random.Generator:
        return np.random.default_rng([self.seed, _SHUFFLE_STREAM])


@dataclass(eq=False)
class _Slice:
    """Runs a:b of a parameter (its leading axis is the run), the way an optimizer sees one."""

    data: np.ndarray
    grad: np.ndarray | None = None


class Runs:
    """R ≥ 1 runs of one architecture on the same data, trained step by step by one loop.

    Each run draws its own minibatch (its own shuffling stream). The network is the run's MLP
    (R = 1) or the runs' MLPs stacked (engine.nn.stack_models); every parameter is seen through
    a view with a leading run axis. The loss is the task's loss of all runs' outputs, its
    backward pass seeded with R (so each run's gradient is its own mean loss's gradient), and
    consecutive runs with the same optimizer share one optimizer (and schedule) over their
    slices: every update rule is elementwise. A diverged run's slice is frozen at its last good
    weights while the others go on.
    """

    def __init__(self, jobs: Sequence[Job], train_data: Dataset, val_data: Dataset | None,
                 batch_size: int):
        self.jobs, self.train_data, self.val_data = list(jobs), train_data, val_data
        self.batch_size = batch_size
        self.shufflings = [job.shuffling() for job in self.jobs]
        models = [job.model() for job in self.jobs]
        self.stacked = len(models) > 1
        self.net: Module = stack_models(models) if self.stacked else models[0]
        self.params = self.net.parameters()
        self.by_run = [self._by_run(p.data) for p in self.params]  # views: run axis first
        self.optimizers = []
        for a, b in _equal_runs([job.optimizer for job in self.jobs]):
            slices = [_Slice(data[a:b]) for data in self.by_run]
            optimizer = self.jobs[a].optimizer.build(slices)
            self.optimizers.append((a, b, slices, optimizer,
                                    self.jobs[a].optimizer.build_schedule(optimizer)))
        per_epoch = steps_per_epoch(len(train_data), batch_size)
        names = [f"Layer {i} ({lin.in_features}→{lin.out_features})"
                 for i, lin in enumerate(models[0].layers, start=1)]
        self.histories = [History(m, train_data.task, per_epoch, list(names)) for m in models]
        self.running = np.ones(len(self.jobs), dtype=bool)
        self.limits = np.full(len(self.jobs), math.inf)
        self.frozen: dict[int, list[np.ndarray]] = {}
        self.step = 0
        self.losses = np.full(len(self.jobs), math.nan)  # each run's loss at the last step
        self.norms = np.zeros((len(self.jobs), len(names)))  # and its layers' gradient norms

    def _by_run(self, array: np.ndarray) -> np.ndarray:
        """The array with a leading run axis (a view): stacked already, or one run's."""
        return array if self.stacked else array[None]

    def steps(self, epochs: int) -> Iterator[tuple[int, int, bool]]:
        """Train up to `epochs` epochs, yielding (step, epoch, epoch ended) after each step; the
        runs' histories are up to date at each yield. Ends early once every run has diverged."""
        n, B = len(self.train_data), self.batch_size
        for epoch in range(1, epochs + 1):
            orders = np.stack([rng.permutation(n) for rng in self.shufflings])
            self.net.train()
            for start in range(0, n, B):
                self._train_step(orders[:, start:start + B])
                last = start + B >= n
                if last and self.running.any():
                    self._evaluate()
                yield self.step, epoch, last  # outside quietly(): a consumer may close us
                if not self.running.any():
                    return

    def _train_step(self, batch: np.ndarray) -> None:
        """One step of every running run on its rows `batch` (R, B) of the training data."""
        data = self.train_data
        self.step += 1
        rows = batch if self.stacked else batch[0]
        for p in self.params:
            p.grad = None
        with quietly():
            out = self.net(data.X[rows])
            LOSS_FOR_TASK[data.task](out, data.y[rows]).backward(np.float64(len(self.jobs)))
            self.losses = _losses(self._by_run(out.data), self._by_run(data.y[rows]), data.task)
            squares = [np.square(self._by_run(p.grad)).reshape(len(self.jobs), -1).sum(axis=1)
                       for p in self.params]
            self.norms = np.sqrt(np.add(squares[0::2], squares[1::2])).T
            if self.step == 1:
                self.limits = np.array([_divergence_limit(v) for v in self.losses])
            for r in np.flatnonzero(self.running):
                if not _healthy(self.losses[r], self.limits[r], self.norms[r]):
                    self._freeze(r)
            if self.running.any():
                self._update()
        for r in np.flatnonzero(self.running):
            self.histories[r].record_step(float(self.losses[r]), self.norms[r])

    def _update(self) -> None:
        for a, b, slices, optimizer, schedule in self.optimizers:
            for s, p in zip(slices, self.params):
                s.grad = self._by_run(p.grad)[a:b]
            optimizer.step()
            if schedule is not None:
                schedule.step()
        for r, weights in self.frozen.items():
            for data, w in zip(self.by_run, weights):
                data[r] = w

    def _freeze(self, r: int) -> None:
        self.histories[r].record_divergence(self.step, float(self.losses[r]))
        self.running[r] = False
        self.frozen[r] = [data[r].copy() for data in self.by_run]

    def _evaluate(self) -> None:
        """Record each running run's epoch metrics (evaluation mode, whole sets)."""
        train = self._metrics(self.train_data)
        val = self._metrics(self.val_data) if self.val_data is not None else None
        for r in np.flatnonzero(self.running):
            self.histories[r].record_epoch(
                (float(train[0][r]), float(train[1][r])),
                (float(val[0][r]), float(val[1][r])) if val else (math.nan, math.nan))

    def _metrics(self, data: Dataset) -> tuple[np.ndarray, np.ndarray]:
        """Each run's (loss, accuracy) on the whole dataset, in evaluation mode."""
        with _evaluating(self.net):
            out = self._by_run(self.net(data.X).data)
        targets = np.broadcast_to(data.y, (len(out), *data.y.shape))
        losses = _losses(out, targets, data.task)
        if data.task != "classification":
            return losses, np.full(len(losses), np.nan)
        return losses, (np.argmax(out, axis=2) == data.y).mean(axis=1)


# ---- one run -----------------------------------------------------------------------------------
def train_steps(spec: MLPSpec, optimizer: OptimizerRecipe, train_data: Dataset,
                val_data: Dataset | None, epochs: int, batch_size: int, seed: int,
                init_seed: int | None = None) -> Generator[StepRecord, None, History]:
    """Train a fresh MLP(spec) step by step: yield a StepRecord after every step; return the
    History at the end.

    Stop early by simply no longer iterating; the last record's `history` holds what was done.
    Bad settings raise PlaygroundError at the call, before the first step.
    """
    epochs, batch_size = check_training(spec, train_data, val_data, epochs, batch_size)
    checks.recipe(optimizer)
    seed = checks.seed(seed)
    job = Job(spec, optimizer, seed, seed if init_seed is None else checks.seed(init_seed))
    check_limit("The number of training steps (epochs × batches)",
                epochs * steps_per_epoch(len(train_data), batch_size), MAX_TRAIN_STEPS)
    return _records(Runs([job], train_data, val_data, batch_size), epochs)


def _records(runs: Runs, epochs: int) -> Generator[StepRecord, None, History]:
    """The StepRecords of a single run (R = 1) as the loop trains it."""
    history = runs.histories[0]
    for step, epoch, epoch_end in runs.steps(epochs):
        loss, norms = float(runs.losses[0]), runs.norms[0]
        if history.diverged:
            yield StepRecord(step, epoch, loss, norms, history, diverged=True)
        elif epoch_end:
            yield StepRecord(step, epoch, loss, norms, history, epoch_end=True,
                             train_loss=history.epoch_train_loss[-1],
                             train_acc=history.epoch_train_acc[-1],
                             val_loss=history.epoch_val_loss[-1],
                             val_acc=history.epoch_val_acc[-1])
        else:
            yield StepRecord(step, epoch, loss, norms, history)
    return history


def train(spec: MLPSpec, optimizer: OptimizerRecipe, train_data: Dataset,
          val_data: Dataset | None, epochs: int, batch_size: int, seed: int,
          init_seed: int | None = None) -> History:
    """Train a fresh MLP(spec) for `epochs` epochs and return its History (see the module doc)."""
    records = train_steps(spec, optimizer, train_data, val_data, epochs, batch_size, seed,
                          init_seed)
    while True:
        try:
            next(records)
        except StopIteration as done:
            return done.value


# ---- prediction --------------------------------------------------------------------------------
def predict(model: Module, X) -> np.ndarray:
    """The network's outputs on X (logits, or values for regression), in evaluation mode."""
    with _evaluating(model):
        return model(np.asarray(X, dtype=np.float64)).data


def class_probabilities(model: Module, X) -> np.ndarray:
    """(n, n_classes) softmax probabilities, in evaluation mode (for decision boundaries)."""
    with _evaluating(model):
        return softmax(model(np.asarray(X, dtype=np.float64))).data


def check_training(spec: MLPSpec, train_data: Dataset, val_data: Dataset | None, epochs,
                   batch_size) -> tuple[int, int]:
    """Check a training run's network, data and settings (PlaygroundError saying what is
    wrong); return (epochs, the batch size capped at the number of training points)."""
    checks.instance("Training", spec, MLPSpec)
    for what, data in (("training", train_data), ("validation", val_data)):
        if data is None and what == "validation":
            continue
        checks.instance(f"The {what} data", data, Dataset)
        if (data.n_features, data.n_outputs) != (spec.n_in, spec.n_out):
            raise PlaygroundError(
                f"The network takes {spec.n_in} inputs and gives {spec.n_out} outputs, but the "
                f"{what} data has {data.n_features} inputs and {data.n_outputs} outputs.")
    if val_data is not None and val_data.task != train_data.task:
        raise PlaygroundError("The training and validation data must be the same kind of task.")
    epochs = checks.whole("epochs", epochs)
    check_limit("The number of epochs", epochs, MAX_EPOCHS)
    return epochs, min(checks.whole("The batch size", batch_size), len(train_data))


def steps_per_epoch(n: int, batch_size: int) -> int:
    """Minibatches in one epoch over n points (the last one smaller if needed)."""
    return -(-n // batch_size)


# ---- helpers -----------------------------------------------------------------------------------
@contextmanager
def _evaluating(model: Module):
    """Evaluation mode and no graph, restoring the previous mode afterwards."""
    was_training = model.training
    model.eval()
    try:
        with no_grad():
            yield
    finally:
        model.train(was_training)


def _equal_runs(items: list) -> list[tuple[int, int]]:
    """(start, stop) of each run of consecutive equal items."""
    bounds = [i for i in range(1, len(items)) if items[i] != items[i - 1]]
    return list(zip([0, *bounds], [*bounds, len(items)]))


def _losses(outputs: np.ndarray, targets: np.ndarray, task: str) -> np.ndarray:
    """(R,): each run's loss, all runs at once: the mean of the task's loss terms over each
    run's rows (what its loss op computes for that run alone, to the last bit)."""
    terms = LOSS_TERMS[task](outputs, targets).reshape(len(outputs), -1)
    return np.sum(terms, axis=1) / terms.shape[1]


def _divergence_limit(first_loss: float) -> float:
    return DIVERGENCE_FACTOR * max(first_loss, 1.0) if math.isfinite(first_loss) else math.inf


def _healthy(loss: float, limit: float, grad_norms: np.ndarray) -> bool:
    return math.isfinite(loss) and loss <= limit and bool(np.isfinite(grad_norms).all())


def _loss_problem(loss: float, earlier_losses: list[float]) -> str:
    """Why a step counts as diverged (called only for a step that did)."""
    if not math.isfinite(loss):
        return f"the loss became {loss}"
    if earlier_losses and loss > DIVERGENCE_FACTOR * max(earlier_losses[0], 1.0):
        return f"the loss exploded above {DIVERGENCE_FACTOR:g} × its first value"
    return "a gradient became infinite or nan"
