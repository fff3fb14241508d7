"""Training runs: one network, one optimizer, one dataset; and grids of runs to compare.

The training loop is plain: forward through the MLP's modules, the loss from the op table
(LOSS_FOR_TASK), backward, optimizer step (and the learning-rate schedule's step, if any). The
graph a page shows for one step is the graph that trains.

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
whose gradient is not finite, stops the run before its update. History.diverged_at is that step;
the recorded curves hold only the finite values before it.

An optimizer is given as a recipe (OptimizerRecipe, e.g. page_models.optimizers.OptimizerChoice)
that builds the engine optimizer and its schedule for a list of parameters.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Generator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import partial
from numbers import Integral
from typing import Protocol

import numpy as np

from engine.data import Dataset
from engine.errors import PlaygroundError
from engine.functional import softmax
from engine.limits import (
    MAX_EPOCHS,
    MAX_GRID_STEPS,
    MAX_GRID_WEIGHT_STEPS,
    MAX_SEEDS,
    MAX_TRAIN_STEPS,
    check_limit,
)
from engine.nn import MLP, MLPSpec, Module, stack_models
from engine.ops import OPS, cross_entropy_terms, squared_errors
from engine.optim import LRScheduler, Optimizer
from engine.tensor import apply, no_grad

__all__ = [
    "DIVERGENCE_FACTOR",
    "LOSS_FOR_TASK",
    "LOSS_OPS",
    "History",
    "OptimizerRecipe",
    "Run",
    "StepRecord",
    "accuracy",
    "check_comparison",
    "class_probabilities",
    "compare",
    "evaluate",
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
_MAX_SEED = 2**32 - 1


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


@dataclass(frozen=True)
class _Job:
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


# ---- the training loop -------------------------------------------------------------------------
def train_steps(spec: MLPSpec, optimizer: OptimizerRecipe, train_data: Dataset,
                val_data: Dataset | None, epochs: int, batch_size: int, seed: int,
                init_seed: int | None = None) -> Generator[StepRecord, None, History]:
    """Train a fresh MLP(spec) step by step: yield a StepRecord after every step; return the
    History at the end.

    Stop early by simply no longer iterating; the last record's `history` holds what was done.
    Bad settings raise PlaygroundError at the call, before the first step.
    """
    epochs, batch_size = _check_run(spec, train_data, val_data, epochs, batch_size)
    _check_recipe(optimizer)
    seed = _seed(seed)
    job = _Job(spec, optimizer, seed, seed if init_seed is None else _seed(init_seed))
    check_limit("The number of training steps (epochs × batches)",
                epochs * steps_per_epoch(len(train_data), batch_size), MAX_TRAIN_STEPS)
    return _train_loop(job, train_data, val_data, epochs, batch_size)


def _train_loop(job: _Job, train_data: Dataset, val_data: Dataset | None, epochs: int,
                batch_size: int) -> Generator[StepRecord, None, History]:
    model = job.model()
    optimizer = job.optimizer.build(model.parameters())
    schedule = job.optimizer.build_schedule(optimizer)
    shuffling = job.shuffling()
    loss_of = LOSS_FOR_TASK[train_data.task]
    history = History(model, train_data.task, steps_per_epoch(len(train_data), batch_size),
                      _layer_names(model))
    X, y, n = train_data.X, train_data.y, len(train_data)
    limit, step = math.inf, 0
    model.train()
    for epoch in range(1, epochs + 1):
        order = shuffling.permutation(n)
        for start in range(0, n, batch_size):
            step += 1
            batch = order[start:start + batch_size]
            model.zero_grad()
            with np.errstate(all="ignore"):
                loss = loss_of(model(X[batch]), y[batch])
                loss.backward()
                norms = _layer_grad_norms(model.layers)
                value = loss.item()
                if step == 1:
                    limit = _divergence_limit(value)
                healthy = _healthy(value, limit, norms)
                if healthy:
                    optimizer.step()
                    if schedule is not None:
                        schedule.step()
            if not healthy:  # yielded outside errstate: a consumer may close us from anywhere
                history.record_divergence(step, value)
                yield StepRecord(step, epoch, value, norms, history, diverged=True)
                return history
            history.record_step(value, norms)
            if start + batch_size < n:
                yield StepRecord(step, epoch, value, norms, history)
                continue
            train_metrics = evaluate(model, train_data)
            val_metrics = evaluate(model, val_data) if val_data is not None else _NO_DATA
            history.record_epoch(train_metrics, val_metrics)
            yield StepRecord(step, epoch, value, norms, history, epoch_end=True,
                             train_loss=train_metrics[0], train_acc=train_metrics[1],
                             val_loss=val_metrics[0], val_acc=val_metrics[1])
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


# ---- comparison grids --------------------------------------------------------------------------
def compare(spec: MLPSpec, optimizers: Sequence[OptimizerRecipe], dropout_p: float,
            seeds: Sequence[int], train_data: Dataset, val_data: Dataset | None, epochs: int,
            batch_size: int, with_dropout: Sequence[bool] = (False, True),
            progress: Callable[[int, int], None] | None = None) -> list[Run]:
    """Train every optimizer × {without dropout, with dropout p} × seed on the same data.

    spec's dropouts are ignored: runs without dropout use 0, runs with dropout use `dropout_p`,
    after every hidden layer; its other settings are kept.
    Runs come ordered by optimizer, then dropout variant (in `with_dropout` order), then seed.
    Each run is what train() gives for its spec, optimizer and seed (to rounding: the tests hold
    them to 1e-12); for one seed every run starts from the same weights. progress(done, total)
    is called after every epoch, counting epochs summed over all runs.

    The runs are trained stacked along a leading axis (engine.nn.stack_models), so one forward
    and backward pass of the same modules and loss serves them all.
    """
    epochs, batch_size = _check_run(spec, train_data, val_data, epochs, batch_size)
    seeds = [_seed(s) for s in seeds]
    check_limit("The number of seeds", len(seeds), MAX_SEEDS)
    optimizers = list(optimizers)
    for opt in optimizers:
        _check_recipe(opt)
    ps = [dropout_p if dropped else 0.0 for dropped in with_dropout]
    specs = {p: spec.with_dropout(p) for p in ps}
    settings = [(opt, p, seed) for opt in optimizers for p in ps for seed in seeds]
    if not settings:
        raise PlaygroundError("Nothing to compare: choose at least one optimizer and one seed.")
    check_comparison(spec, len(settings), train_data, epochs, batch_size)
    jobs = [_Job(specs[p], opt, seed, seed) for opt, p, seed in settings]
    widest = max(spec.sizes) * max(len(train_data), len(val_data) if val_data else 0)
    per_stack = max(1, _STACK_ELEMENTS // widest)
    histories, done, total = [], 0, len(jobs) * epochs
    for first in range(0, len(jobs), per_stack):
        stack = _Stack(jobs[first:first + per_stack], train_data, val_data, batch_size)
        for epoch in range(1, epochs + 1):
            if not stack.train_epoch():
                break
            if progress is not None and epoch < epochs:
                progress(done + epoch * len(stack.jobs), total)
        done += epochs * len(stack.jobs)  # also when every run of the stack diverged early
        if progress is not None:
            progress(done, total)
        histories += stack.histories
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


_STACK_ELEMENTS = 2_000_000  # at most this many activations (runs × points × width) at once


@dataclass(eq=False)
class _Slice:
    """Runs a:b of a stacked parameter, the way an optimizer sees a parameter."""

    data: np.ndarray
    grad: np.ndarray | None = None


class _Stack:
    """R runs of one architecture on the same data, trained together by the training loop's
    steps on stacked tensors: each run draws its own minibatch (its own shuffling stream), the
    stacked network (engine.nn.stack_models) runs the same modules, the loss is the task's loss
    of all runs' outputs scaled by R (so each run's gradient is its own mean loss's gradient),
    and consecutive runs with the same optimizer share one optimizer (and schedule) over their
    slices: every update rule is elementwise. A diverged run's slice is frozen at its last good
    weights while the others go on.
    """

    def __init__(self, jobs: list[_Job], train_data: Dataset, val_data: Dataset | None,
                 batch_size: int):
        self.jobs, self.train_data, self.val_data = jobs, train_data, val_data
        self.batch_size = batch_size
        self.shufflings = [job.shuffling() for job in jobs]
        models = [job.model() for job in jobs]
        self.net = stack_models(models)
        self.params = self.net.parameters()
        self.optimizers = []
        for a, b in _equal_runs([j.optimizer for j in jobs]):
            slices = [_Slice(p.data[a:b]) for p in self.params]
            optimizer = jobs[a].optimizer.build(slices)
            self.optimizers.append((a, b, slices, optimizer,
                                    jobs[a].optimizer.build_schedule(optimizer)))
        per_epoch = steps_per_epoch(len(train_data), batch_size)
        names = _layer_names(models[0])
        self.histories = [History(m, train_data.task, per_epoch, list(names)) for m in models]
        self.running = np.ones(len(jobs), dtype=bool)
        self.limits = np.full(len(jobs), math.inf)
        self.frozen: dict[int, list[np.ndarray]] = {}
        self.step = 0

    def train_epoch(self) -> bool:
        """Train one epoch; False once every run has diverged."""
        data, B = self.train_data, self.batch_size
        n, R = len(data), len(self.jobs)
        orders = np.stack([rng.permutation(n) for rng in self.shufflings])
        self.net.train()
        for start in range(0, n, B):
            self.step += 1
            batch = orders[:, start:start + B]
            for p in self.params:
                p.grad = None
            with np.errstate(all="ignore"):
                out = self.net(data.X[batch])
                LOSS_FOR_TASK[data.task](out, data.y[batch]).backward(np.float64(R))
                losses = _losses(out.data, data.y[batch], data.task)
                squares = [np.square(p.grad).sum(axis=(1, 2)) for p in self.params]
                norms = np.sqrt(np.add(squares[0::2], squares[1::2])).T
                if self.step == 1:
                    self.limits = np.array([_divergence_limit(v) for v in losses])
                for r in np.flatnonzero(self.running):
                    if not _healthy(losses[r], self.limits[r], norms[r]):
                        self._freeze(r, losses[r])
                self._update()
            for r in np.flatnonzero(self.running):
                self.histories[r].record_step(float(losses[r]), norms[r])
            if not self.running.any():
                return False
        self._evaluate()
        return True

    def _update(self) -> None:
        for a, b, slices, optimizer, schedule in self.optimizers:
            for s, p in zip(slices, self.params):
                s.grad = p.grad[a:b]
            optimizer.step()
            if schedule is not None:
                schedule.step()
        for r, weights in self.frozen.items():
            for p, w in zip(self.params, weights):
                p.data[r] = w

    def _freeze(self, r: int, loss: float) -> None:
        self.histories[r].record_divergence(self.step, float(loss))
        self.running[r] = False
        self.frozen[r] = [p.data[r].copy() for p in self.params]

    def _evaluate(self) -> None:
        """Record each running run's epoch metrics (evaluation mode, whole sets)."""
        train = _stack_metrics(self.net, self.train_data)
        val = _stack_metrics(self.net, self.val_data) if self.val_data is not None else None
        for r in np.flatnonzero(self.running):
            self.histories[r].record_epoch(
                (float(train[0][r]), float(train[1][r])),
                (float(val[0][r]), float(val[1][r])) if val else _NO_DATA)


def _equal_runs(items: list) -> list[tuple[int, int]]:
    """(start, stop) of each run of consecutive equal items."""
    bounds = [i for i in range(1, len(items)) if items[i] != items[i - 1]]
    return list(zip([0, *bounds], [*bounds, len(items)]))


def _losses(outputs: np.ndarray, targets: np.ndarray, task: str) -> np.ndarray:
    """(R,): each run's loss, all runs at once: the mean of the task's loss terms over each
    run's rows (what its loss op computes for that run alone)."""
    terms = LOSS_TERMS[task](outputs, targets).reshape(len(outputs), -1)
    return np.sum(terms, axis=1) / terms.shape[1]


def _stack_metrics(net: Module, data: Dataset) -> tuple[np.ndarray, np.ndarray]:
    """Each run's (loss, accuracy) on the whole dataset, in evaluation mode."""
    with _evaluating(net):
        out = net(data.X).data
    targets = np.broadcast_to(data.y, (len(out), *data.y.shape))
    losses = _losses(out, targets, data.task)
    if data.task != "classification":
        return losses, np.full(len(losses), np.nan)
    return losses, (np.argmax(out, axis=2) == data.y).mean(axis=1)


# ---- evaluation --------------------------------------------------------------------------------
_NO_DATA = (math.nan, math.nan)


def evaluate(model: Module, dataset: Dataset) -> tuple[float, float]:
    """(loss, accuracy) of the model on the whole dataset in evaluation mode; accuracy is nan
    for regression."""
    with _evaluating(model):
        out = model(dataset.X)
        loss = LOSS_FOR_TASK[dataset.task](out, dataset.y).item()
    if dataset.task != "classification":
        return loss, math.nan
    return loss, float(np.mean(np.argmax(out.data, axis=1) == dataset.y))


def predict(model: Module, X) -> np.ndarray:
    """The network's outputs on X (logits, or values for regression), in evaluation mode."""
    with _evaluating(model):
        return model(np.asarray(X, dtype=np.float64)).data


def class_probabilities(model: Module, X) -> np.ndarray:
    """(n, n_classes) softmax probabilities, in evaluation mode (for decision boundaries)."""
    with _evaluating(model):
        return softmax(model(np.asarray(X, dtype=np.float64))).data


def accuracy(model: Module, dataset: Dataset) -> float:
    """Fraction of points classified correctly, in evaluation mode; nan for regression."""
    if dataset.task != "classification":
        return math.nan
    return float(np.mean(np.argmax(predict(model, dataset.X), axis=1) == dataset.y))


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


def _layer_names(model: MLP) -> list[str]:
    return [f"Layer {i} ({lin.in_features}→{lin.out_features})"
            for i, lin in enumerate(model.layers, start=1)]


def _layer_grad_norms(layers: Sequence) -> np.ndarray:
    """The L2 norm of each Linear layer's gradient, W and b together."""
    return np.array([math.sqrt(np.square(lin.weight.grad).sum() + np.square(lin.bias.grad).sum())
                     for lin in layers])


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


def _check_recipe(optimizer) -> None:
    if not all(callable(getattr(optimizer, name, None)) for name in ("build", "build_schedule")):
        raise PlaygroundError("Training needs an optimizer choice (with build and "
                              f"build_schedule), got {type(optimizer).__name__}.")


def _check_run(spec: MLPSpec, train_data: Dataset, val_data: Dataset | None, epochs,
               batch_size) -> tuple[int, int]:
    """Check a run's settings; return (epochs, batch size capped at the number of points)."""
    _check_data(spec, train_data, val_data)
    epochs = _whole("epochs", epochs, 1)
    check_limit("The number of epochs", epochs, MAX_EPOCHS)
    return epochs, min(_whole("The batch size", batch_size, 1), len(train_data))


def _check_data(spec: MLPSpec, train_data: Dataset, val_data: Dataset | None) -> None:
    if not isinstance(spec, MLPSpec):
        raise PlaygroundError(f"Training needs an MLPSpec, got {type(spec).__name__}.")
    for what, data in (("training", train_data), ("validation", val_data)):
        if data is None and what == "validation":
            continue
        if not isinstance(data, Dataset):
            raise PlaygroundError(f"The {what} data must be a Dataset, got {type(data).__name__}.")
        if (data.n_features, data.n_outputs) != (spec.n_in, spec.n_out):
            raise PlaygroundError(
                f"The network takes {spec.n_in} inputs and gives {spec.n_out} outputs, but the "
                f"{what} data has {data.n_features} inputs and {data.n_outputs} outputs.")
    if val_data is not None and val_data.task != train_data.task:
        raise PlaygroundError("The training and validation data must be the same kind of task.")


def _whole(what: str, value, low: int) -> int:
    if isinstance(value, bool) or not isinstance(value, Integral) or value < low:
        raise PlaygroundError(f"{what} must be a whole number of at least {low}, got {value!r}.")
    return int(value)


def _seed(seed) -> int:
    seed = _whole("A seed", seed, 0)
    if seed > _MAX_SEED:
        raise PlaygroundError(f"A seed must be at most {_MAX_SEED}, got {seed}.")
    return seed
