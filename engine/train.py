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

Loss (LOSS_FOR_TASK): mean cross-entropy of the logits for classification, mean squared error
for regression.
"""

from __future__ import annotations

import copy
import math
import time
from collections.abc import Callable, Generator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from numbers import Integral, Real

import numpy as np

from engine.data import Dataset
from engine.errors import PlaygroundError
from engine.functional import cross_entropy, log_softmax, mse, softmax
from engine.limits import (
    MAX_EPOCHS,
    MAX_GRID_STEPS,
    MAX_GRID_WEIGHT_STEPS,
    MAX_SEEDS,
    MAX_TRAIN_STEPS,
    check_limit,
)
from engine.nn import ACTIVATIONS, MLP, MLPSpec, Module, Sequential
from engine.ops import OPS
from engine.optim import OPTIMIZERS, Optimizer, make_optimizer
from engine.tensor import Tensor, apply, no_grad

__all__ = [
    "DIVERGENCE_FACTOR",
    "LOSS_FOR_TASK",
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
LOSS_FOR_TASK = {"classification": cross_entropy, "regression": mse}
"""The loss each task trains on, as loss(outputs, targets); _run_losses computes the same for
runs stacked along a leading axis."""
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
    epoch_*: per epoch, on the whole set in evaluation mode; *_acc is nan for regression,
        epoch_val_* nan without validation data.
    grad_norms: (steps, layers) array: the L2 norm of each Linear layer's gradient (W and b).
    wall_time: seconds spent computing (not waiting for a consumer of train_steps); runs
        trained together by compare() share the time equally.
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
    Bad settings raise PlaygroundError at the call, before the first step.
    """
    epochs, batch_size = _check_run(spec, train_data, val_data, epochs, batch_size)
    seed = _seed(seed)
    job = _Job(spec, optimizer, seed, seed if init_seed is None else _seed(init_seed))
    check_limit("The number of training steps (epochs × batches)",
                epochs * _steps_per_epoch(train_data, batch_size), MAX_TRAIN_STEPS)
    return _records(_Lockstep([job], train_data, val_data, epochs, batch_size))


def _records(lock: _Lockstep) -> Generator[StepRecord, None, History]:
    history = lock.histories[0]
    for tick in lock.ticks():
        diverged = bool(tick.diverged[0])
        metrics = {}
        if tick.epoch_end and not diverged:
            metrics = {"train_loss": history.epoch_train_loss[-1],
                       "train_acc": history.epoch_train_acc[-1],
                       "val_loss": history.epoch_val_loss[-1],
                       "val_acc": history.epoch_val_acc[-1]}
        yield StepRecord(tick.step, tick.epoch, float(tick.losses[0]), tick.grad_norms[0],
                         history, epoch_end=bool(metrics), diverged=diverged, **metrics)
    return history


def train(spec: MLPSpec, optimizer: OptimizerSpec, train_data: Dataset,
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


def compare(spec: MLPSpec, optimizers: Sequence[OptimizerSpec], dropout_p: float,
            seeds: Sequence[int], train_data: Dataset, val_data: Dataset | None, epochs: int,
            batch_size: int, with_dropout: Sequence[bool] = (False, True),
            progress: Callable[[int, int], None] | None = None) -> list[Run]:
    """Train every optimizer × {without dropout, with dropout p} × seed on the same data.

    spec's dropouts are ignored: runs without dropout use 0, runs with dropout use `dropout_p`,
    after every hidden layer; its other settings are kept.
    Runs come ordered by optimizer, then dropout variant (in `with_dropout` order), then seed.
    Each run is exactly what train() gives for its spec, optimizer and seed; for one seed every
    run starts from the same weights. progress(done, total) is called after every epoch, counting
    epochs summed over all runs. Deterministic: the same arguments give identical histories.

    The runs are trained in lockstep, stacked along a leading axis, so one forward and backward
    pass serves them all (much faster than one run after another).
    """
    epochs, batch_size = _check_run(spec, train_data, val_data, epochs, batch_size)
    seeds = [_seed(s) for s in seeds]
    check_limit("The number of seeds", len(seeds), MAX_SEEDS)
    optimizers = list(optimizers)
    for opt in optimizers:
        if not isinstance(opt, OptimizerSpec):
            raise PlaygroundError(f"compare() needs OptimizerSpecs, got {type(opt).__name__}.")
    ps = [dropout_p if dropped else 0.0 for dropped in with_dropout]
    specs = {p: spec.with_dropout(p) for p in ps}
    settings = [(opt, p, seed) for opt in optimizers for p in ps for seed in seeds]
    jobs = [_Job(specs[p], opt, seed, seed) for opt, p, seed in settings]
    if not jobs:
        raise PlaygroundError("Nothing to compare: choose at least one optimizer and one seed.")
    steps = len(jobs) * epochs * _steps_per_epoch(train_data, batch_size)
    check_limit("The number of training steps in the comparison", steps, MAX_GRID_STEPS)
    weights = sum(a * b + b for a, b in zip(spec.sizes, spec.sizes[1:]))
    check_limit("The comparison's work (training steps × network weights)", steps * weights,
                MAX_GRID_WEIGHT_STEPS)
    widest = max(spec.sizes) * max(len(train_data), len(val_data) if val_data else 0)
    per_stack = max(1, _STACK_ELEMENTS // widest)
    histories, done, total = [], 0, len(jobs) * epochs
    for first in range(0, len(jobs), per_stack):
        lock = _Lockstep(jobs[first:first + per_stack], train_data, val_data, epochs, batch_size)
        for tick in lock.ticks():
            if tick.epoch_end and tick.epoch < epochs and progress is not None:
                progress(done + tick.epoch * len(lock.jobs), total)
        done += epochs * len(lock.jobs)  # also when every run of the stack diverged early
        if progress is not None:
            progress(done, total)
        histories += lock.histories
    return [Run(opt, p, seed, history) for (opt, p, seed), history in zip(settings, histories)]


# ---- training runs in lockstep ---------------------------------------------------------------
_STACK_ELEMENTS = 2_000_000  # at most this many activations (runs × points × width) at once


@dataclass(frozen=True)
class _Job:
    """One run to train: its network, optimizer, seed (shuffling, dropout) and weights seed."""

    spec: MLPSpec
    optimizer: OptimizerSpec
    seed: int
    weights_seed: int


@dataclass(eq=False)
class _Slice:
    """Runs a:b of a stacked parameter, the way an optimizer sees a parameter."""

    data: np.ndarray
    grad: np.ndarray | None = None


@dataclass(frozen=True, eq=False)
class _Tick:
    """After one lockstep step: per run, the loss, the layer gradient norms, divergence now."""

    step: int
    epoch: int
    epoch_end: bool
    losses: np.ndarray
    grad_norms: np.ndarray
    diverged: np.ndarray


class _StackedDropout(Module):
    """Dropout on R stacked runs: slice r uses run r's own p and random stream, so it draws the
    very masks that run's own Dropout module would."""

    def __init__(self, ps: list[float], rngs: list[np.random.Generator]):
        self.dropping = [r for r, p in enumerate(ps) if p]
        self.rngs = [rngs[r] for r in self.dropping]
        self.p = np.array([ps[r] for r in self.dropping])[:, None, None]

    def forward(self, x: Tensor) -> Tensor:
        if not self.training:
            return x
        draws = np.stack([rng.random(x.shape[1:]) for rng in self.rngs])
        mask = np.ones(x.shape)
        mask[self.dropping] = (draws >= self.p) / (1.0 - self.p)  # as engine.functional.dropout
        return apply(OPS["dropout"], x, mask=mask)


class _Lockstep:
    """R runs of one architecture on the same data, trained together.

    Layer i's weights of all runs form one (R, in, out) tensor, its biases one (R, 1, out)
    tensor; the batch is (R, B, in), each run drawing its own minibatch. Matrix products, biases
    and activations act slice by slice, and the loss is the sum of the runs' losses, so the
    backward pass gives each slice exactly its own run's gradient. Every run keeps its own MLP
    whose parameters are views of its slices (always current), and consecutive runs with the same
    optimizer share one optimizer over their slices (its updates are elementwise). A diverged
    run's slice is frozen at its last good weights while the others go on.
    """

    def __init__(self, jobs: list[_Job], train_data: Dataset, val_data: Dataset | None,
                 epochs: int, batch_size: int):
        self.jobs, self.train_data, self.val_data = jobs, train_data, val_data
        self.epochs, self.batch_size = epochs, batch_size
        self.shuffle_rngs = [np.random.default_rng([j.seed, _SHUFFLE_STREAM]) for j in jobs]
        dropout_rngs = [np.random.default_rng([j.seed, _DROPOUT_STREAM]) for j in jobs]
        models = [MLP(j.spec, np.random.default_rng(j.weights_seed), dropout_rng=rng)
                  for j, rng in zip(jobs, dropout_rngs)]
        self.net, self.params = _stack(models, dropout_rngs)
        self.optimizers = []
        for a, b in _equal_runs([j.optimizer for j in jobs]):
            slices = [_Slice(p.data[a:b]) for p in self.params]
            self.optimizers.append((a, b, slices, jobs[a].optimizer.build(slices)))
        steps_per_epoch = _steps_per_epoch(train_data, batch_size)
        layer_names = [f"Layer {i} ({lin.in_features}→{lin.out_features})"
                       for i, lin in enumerate(models[0].layers, start=1)]
        self.histories = [History(m, train_data.task, steps_per_epoch, list(layer_names))
                          for m in models]
        self.frozen: dict[int, list[np.ndarray]] = {}

    def ticks(self) -> Generator[_Tick, None, None]:
        """Train, yielding a _Tick after every step; stop when done or when every run diverged."""
        data, B = self.train_data, self.batch_size
        n, R = len(data), len(self.jobs)
        targets = _targets(data)
        running, limits = np.ones(R, dtype=bool), np.full(R, np.inf)
        step = 0
        self.net.train()
        for epoch in range(1, self.epochs + 1):
            orders = np.stack([rng.permutation(n) for rng in self.shuffle_rngs])
            for start in range(0, n, B):
                clock = time.perf_counter()
                step += 1
                with np.errstate(all="ignore"):
                    losses, norms = self._gradients(data.X, targets, orders[:, start:start + B])
                    if step == 1:
                        limits = np.where(np.isfinite(losses),
                                          DIVERGENCE_FACTOR * np.maximum(losses, 1.0), np.inf)
                    healthy = np.isfinite(losses) & (losses <= limits) & np.isfinite(norms).all(1)
                    diverged = running & ~healthy
                    self._record_divergence(np.flatnonzero(diverged), step, losses)
                    running &= ~diverged
                    self._update()
                    for r in np.flatnonzero(running):
                        self.histories[r].step_loss.append(float(losses[r]))
                        self.histories[r].grad_norm_rows.append(norms[r])
                    epoch_end = start + B >= n
                    if epoch_end:
                        self._evaluate(running)
                share = (time.perf_counter() - clock) / R
                for h in self.histories:
                    h.wall_time += share
                yield _Tick(step, epoch, epoch_end, losses, norms, diverged)
                if not running.any():
                    return

    def _gradients(self, X, targets, batch) -> tuple[np.ndarray, np.ndarray]:
        """Forward and backward on each run's minibatch; (losses (R,), grad norms (R, layers))."""
        for p in self.params:
            p.grad = None
        losses = _run_losses(self.net(X[batch]), targets[batch], self.train_data.task)
        losses.sum().backward()
        squares = [np.square(p.grad).sum(axis=(1, 2)) for p in self.params]
        norms = np.sqrt(np.add(squares[0::2], squares[1::2])).T
        return losses.data.copy(), norms

    def _update(self) -> None:
        for a, b, slices, optimizer in self.optimizers:
            for s, p in zip(slices, self.params):
                s.grad = p.grad[a:b]
            optimizer.step()
        for r, weights in self.frozen.items():
            for p, w in zip(self.params, weights):
                p.data[r] = w

    def _record_divergence(self, runs, step: int, losses: np.ndarray) -> None:
        for r in runs:
            reason = _loss_problem(float(losses[r]), self.histories[r].step_loss)
            self.histories[r].diverged_at = step
            self.histories[r].diverged_reason = reason
            self.frozen[r] = [p.data[r].copy() for p in self.params]

    def _evaluate(self, running: np.ndarray) -> None:
        """Append each running run's epoch metrics (evaluation mode, whole sets)."""
        train = _stack_metrics(self.net, self.train_data)
        val = _stack_metrics(self.net, self.val_data) if self.val_data is not None else None
        for r in np.flatnonzero(running):
            h = self.histories[r]
            h.epoch_train_loss.append(float(train[0][r]))
            h.epoch_train_acc.append(float(train[1][r]))
            h.epoch_val_loss.append(float(val[0][r]) if val else math.nan)
            h.epoch_val_acc.append(float(val[1][r]) if val else math.nan)


def _stack(models: list[MLP], dropout_rngs) -> tuple[Sequential, list[Tensor]]:
    """One network computing every model at once, and its stacked parameters W1, b1, W2, ...

    Each model's own parameters become views of its slice of the stacked ones.
    """
    spec = models[0].spec
    for m in models:
        if m.spec.sizes != spec.sizes or m.spec.activations != spec.activations:
            raise PlaygroundError("Runs trained together need the same layers and activations.")
    modules, params = [], []
    for i, layers in enumerate(zip(*(m.layers for m in models))):
        weight = Tensor(np.stack([lin.weight.data for lin in layers]), requires_grad=True,
                        name=layers[0].weight.name)
        bias = Tensor(np.stack([lin.bias.data[None] for lin in layers]), requires_grad=True,
                      name=layers[0].bias.name)
        for r, lin in enumerate(layers):
            lin.weight.data, lin.bias.data = weight.data[r], bias.data[r, 0]
        stacked = copy.copy(layers[0])
        stacked.weight, stacked.bias = weight, bias
        modules.append(stacked)
        params += [weight, bias]
        if i < len(spec.hidden):
            modules.append(ACTIVATIONS[spec.activations[i]]())
            ps = [m.spec.dropouts[i] for m in models]
            if any(ps):
                modules.append(_StackedDropout(ps, dropout_rngs))
    return Sequential(*modules), params


def _equal_runs(items: list) -> list[tuple[int, int]]:
    """(start, stop) of each run of consecutive equal items."""
    bounds = [i for i in range(1, len(items)) if items[i] != items[i - 1]]
    return list(zip([0, *bounds], [*bounds, len(items)]))


def _targets(data: Dataset) -> np.ndarray:
    """One-hot rows for classification, the (n, 1) values for regression."""
    return np.eye(data.n_classes)[data.y] if data.task == "classification" else data.y


def _run_losses(out: Tensor, targets: np.ndarray, task: str) -> Tensor:
    """(R,) each run's mean loss: cross-entropy −Σ onehot · log softmax(z), or squared error."""
    if task == "classification":
        return -(log_softmax(out) * targets).sum(axis=2).mean(axis=1)
    diff = out - targets
    return (diff * diff).mean(axis=(1, 2))


def _stack_metrics(net: Module, data: Dataset) -> tuple[np.ndarray, np.ndarray]:
    """Each run's (loss, accuracy) on the whole dataset, in evaluation mode."""
    with _evaluating(net):
        out = net(data.X)
        losses = _run_losses(out, _targets(data), data.task).data
    if data.task != "classification":
        return losses, np.full(len(losses), np.nan)
    return losses, (np.argmax(out.data, axis=2) == data.y).mean(axis=1)


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


# ---- helpers ---------------------------------------------------------------------------------
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


def _loss_problem(loss: float, earlier_losses: list[float]) -> str:
    """Why a step counts as diverged (called only for a step that did)."""
    if not math.isfinite(loss):
        return f"the loss became {loss}"
    if earlier_losses and loss > DIVERGENCE_FACTOR * max(earlier_losses[0], 1.0):
        return f"the loss exploded above {DIVERGENCE_FACTOR:g} × its first value"
    return "a gradient became infinite or nan"


def _check_run(spec: MLPSpec, train_data: Dataset, val_data: Dataset | None, epochs,
               batch_size) -> tuple[int, int]:
    """Check a run's settings; return (epochs, batch size capped at the number of points)."""
    _check_data(spec, train_data, val_data)
    epochs = _whole("epochs", epochs, 1)
    check_limit("The number of epochs", epochs, MAX_EPOCHS)
    return epochs, min(_whole("The batch size", batch_size, 1), len(train_data))


def _steps_per_epoch(data: Dataset, batch_size: int) -> int:
    return -(-len(data) // batch_size)


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
