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
from engine.tensor import no_grad

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
    epoch_*: per epoch, on the whole set in evaluation mode; *_acc is nan for regression,
        epoch_val_* nan without validation data.
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
    _check_data(spec, train_data, val_data)
    epochs = _whole("epochs", epochs, 1)
    check_limit("The number of epochs", epochs, MAX_EPOCHS)
    batch_size = min(_whole("The batch size", batch_size, 1), len(train_data))
    seed = _seed(seed)
    weights_seed = seed if init_seed is None else _seed(init_seed)
    steps_per_epoch = -(-len(train_data) // batch_size)
    check_limit("The number of training steps (epochs × batches)", epochs * steps_per_epoch,
                MAX_TRAIN_STEPS)
    return _run(spec, optimizer, train_data, val_data, epochs, batch_size, seed, weights_seed,
                steps_per_epoch)


def _run(spec, optimizer, train_data, val_data, epochs, batch_size, seed, weights_seed,
         steps_per_epoch) -> Generator[StepRecord, None, History]:
    model = MLP(spec, np.random.default_rng(weights_seed),
                dropout_rng=np.random.default_rng([seed, _DROPOUT_STREAM]))
    opt = optimizer.build(model.parameters())
    shuffle_rng = np.random.default_rng([seed, _SHUFFLE_STREAM])
    layer_names = [f"Layer {i} ({lin.in_features}→{lin.out_features})"
                   for i, lin in enumerate(model.layers, start=1)]
    history = History(model, train_data.task, steps_per_epoch, layer_names)
    loss_fn = _LOSSES[train_data.task]
    X, y = train_data.X, train_data.y
    n = len(X)
    step, limit = 0, math.inf
    clock = time.perf_counter()
    for epoch in range(1, epochs + 1):
        model.train()
        order = shuffle_rng.permutation(n)
        for start in range(0, n, batch_size):
            step += 1
            batch = order[start:start + batch_size]
            opt.zero_grad()
            loss = loss_fn(model(X[batch]), y[batch])
            value = float(loss.data)
            if step == 1 and math.isfinite(value):
                limit = DIVERGENCE_FACTOR * max(value, 1.0)
            norms = np.full(len(layer_names), np.nan)
            reason = _loss_problem(value, limit)
            if reason is None:
                loss.backward()
                norms = _grad_norms(model.layers)
                if not np.isfinite(norms).all():
                    reason = "a gradient became infinite or nan"
            if reason is not None:
                history.diverged_at, history.diverged_reason = step, reason
                history.wall_time += time.perf_counter() - clock
                yield StepRecord(step, epoch, value, norms, history, diverged=True)
                return history
            opt.step()
            history.step_loss.append(value)
            history.grad_norm_rows.append(norms)
            metrics = {}
            if start + batch_size >= n:
                metrics = _epoch_metrics(model, loss_fn, train_data, val_data, history)
            history.wall_time += time.perf_counter() - clock
            yield StepRecord(step, epoch, value, norms, history, epoch_end=bool(metrics),
                             **metrics)
            clock = time.perf_counter()
    return history


def train(spec: MLPSpec, optimizer: OptimizerSpec, train_data: Dataset,
          val_data: Dataset | None, epochs: int, batch_size: int, seed: int,
          init_seed: int | None = None) -> History:
    """Train a fresh MLP(spec) for `epochs` epochs and return its History (see the module doc)."""
    steps = train_steps(spec, optimizer, train_data, val_data, epochs, batch_size, seed,
                        init_seed)
    while True:
        try:
            next(steps)
        except StopIteration as done:
            return done.value


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
    seeds = [_seed(s) for s in seeds]
    check_limit("The number of seeds", len(seeds), MAX_SEEDS)
    optimizers = list(optimizers)
    for opt in optimizers:
        if not isinstance(opt, OptimizerSpec):
            raise PlaygroundError(f"compare() needs OptimizerSpecs, got {type(opt).__name__}.")
    ps = [dropout_p if dropped else 0.0 for dropped in with_dropout]
    specs = {p: spec.with_dropout(p) for p in ps}
    jobs = [(opt, p, s) for opt in optimizers for p in ps for s in seeds]
    if not jobs:
        raise PlaygroundError("Nothing to compare: choose at least one optimizer and one seed.")
    batch = min(_whole("The batch size", batch_size, 1), len(train_data))
    steps = len(jobs) * _whole("epochs", epochs, 1) * -(-len(train_data) // batch)
    check_limit("The number of training steps in the comparison", steps, MAX_GRID_STEPS)
    runs = []
    for done, (opt, p, s) in enumerate(jobs, start=1):
        history = train(specs[p], opt, train_data, val_data, epochs, batch_size, s)
        runs.append(Run(opt, p, s, history))
        if progress is not None:
            progress(done, len(jobs))
    return runs


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
    return _accuracy(predict(model, dataset.X), dataset.y)


# ---- helpers ---------------------------------------------------------------------------------
_LOSSES = {"classification": cross_entropy, "regression": mse}


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


def _accuracy(logits: np.ndarray, y: np.ndarray) -> float:
    return float(np.mean(np.argmax(logits, axis=1) == y))


def _evaluate(model, loss_fn, data: Dataset) -> tuple[float, float]:
    """(loss, accuracy) on the whole dataset in evaluation mode; accuracy nan for regression."""
    with _evaluating(model):
        out = model(data.X)
        loss = float(loss_fn(out, data.y).data)
    acc = _accuracy(out.data, data.y) if data.task == "classification" else math.nan
    return loss, acc


def _epoch_metrics(model, loss_fn, train_data, val_data, history: History) -> dict:
    """Evaluate after an epoch; append to the history; return the StepRecord fields."""
    train_loss, train_acc = _evaluate(model, loss_fn, train_data)
    val_loss, val_acc = (_evaluate(model, loss_fn, val_data) if val_data is not None
                         else (math.nan, math.nan))
    history.epoch_train_loss.append(train_loss)
    history.epoch_train_acc.append(train_acc)
    history.epoch_val_loss.append(val_loss)
    history.epoch_val_acc.append(val_acc)
    return {"train_loss": train_loss, "train_acc": train_acc, "val_loss": val_loss,
            "val_acc": val_acc}


def _grad_norms(layers) -> np.ndarray:
    """L2 norm of each layer's gradient (weights and bias together)."""
    norms = np.empty(len(layers))
    for i, layer in enumerate(layers):
        w, b = layer.weight.grad.ravel(), layer.bias.grad
        norms[i] = math.sqrt(float(w @ w + b @ b))
    return norms


def _loss_problem(value: float, limit: float) -> str | None:
    if not math.isfinite(value):
        return f"the loss became {value}"
    if value > limit:
        return f"the loss exploded above {DIVERGENCE_FACTOR:g} × its first value"
    return None


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
