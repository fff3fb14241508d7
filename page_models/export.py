"""What a page built, as files that leave the app: training scripts, the network as JSON, and an
expression program as a PyTorch snippet.

Training scripts (`numpy_script`, `pytorch_script`): one self-contained Python file each, that
trains exactly as engine.train.train does and prints `epoch N train_loss X` per epoch (X the
epoch's History.epoch_train_loss, 17 significant digits). Both embed the data and the engine's
initial weights, and redraw the batch order and dropout masks with the engine's NumPy random
streams (documented at the top of engine/train.py). The NumPy script writes out the backward
pass and the optimizer's update rule; the PyTorch script uses torch.autograd and torch.optim, so
each checks the other.

Optimizers and learning-rate schedules are registries of small templates named as in PyTorch
(OPTIMIZERS, SCHEDULES): an entry holds the torch.optim class and the NumPy code of PyTorch's
documented update rule. A schedule steps once per optimizer step, as the engine's do
(engine.optim.LRScheduler).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np

from engine.data import Dataset
from engine.errors import PlaygroundError
from engine.expr import ExprGraph
from engine.expr.builder import subscript_index
from engine.expr.functions import bind_call
from engine.expr.parser import Array, BinOp, Name, Negate, Node, Number, Subscript, Transpose
from engine.expr.program import index_operands
from engine.nn import MLP, MLPSpec
from engine.ops import OPS, TORCH_HELPERS
from engine.tensor import Tensor
from engine.train import DIVERGENCE_FACTOR

__all__ = [
    "OPTIMIZERS",
    "SCHEDULES",
    "Training",
    "network_from_json",
    "network_json",
    "numpy_script",
    "pytorch_script",
    "pytorch_snippet",
]


@dataclass(frozen=True)
class OptimizerTemplate:
    """One optimizer in both scripts: torch.optim.<torch_class>(params, **hyperparameters), and
    the body of the NumPy script's `update(theta, grad, s, lr)`: one step of one parameter
    `theta` (in place) with hyperparameters H (PyTorch's names), state dict s (empty at first)
    and the current learning rate lr."""

    torch_class: str
    numpy_update: str


_L2 = 'g = grad + H["weight_decay"] * theta if H["weight_decay"] else grad\n'
_ADAM = '''\
b1, b2 = H["betas"]
t = s["step"] = s.get("step", 0) + 1
s["m"] = b1 * s.get("m", 0.0) + (1 - b1) * g
s["v"] = b2 * s.get("v", 0.0) + (1 - b2) * g * g
v = s["v"]
if H.get("amsgrad"):
    v = s["v_max"] = np.maximum(s.get("v_max", 0.0), v)
denom = np.sqrt(v) / math.sqrt(1 - b2**t) + H["eps"]
theta -= lr / (1 - b1**t) * s["m"] / denom
'''

OPTIMIZERS: dict[str, OptimizerTemplate] = {
    "sgd": OptimizerTemplate("SGD", _L2 + '''\
if H["momentum"]:
    if "buf" in s:
        s["buf"] = H["momentum"] * s["buf"] + (1 - H["dampening"]) * g
    else:
        s["buf"] = g.copy()
    g = g + H["momentum"] * s["buf"] if H["nesterov"] else s["buf"]
theta -= lr * g
'''),
    "adam": OptimizerTemplate("Adam", _L2 + _ADAM),
    "adamw": OptimizerTemplate("AdamW", 'theta *= 1 - lr * H["weight_decay"]\ng = grad\n' + _ADAM),
    "rmsprop": OptimizerTemplate("RMSprop", _L2 + '''\
a = H["alpha"]
s["v"] = a * s.get("v", 0.0) + (1 - a) * g * g
if H["centered"]:
    s["g_avg"] = a * s.get("g_avg", 0.0) + (1 - a) * g
    avg = np.sqrt(s["v"] - s["g_avg"] * s["g_avg"]) + H["eps"]
else:
    avg = np.sqrt(s["v"]) + H["eps"]
if H["momentum"]:
    s["buf"] = H["momentum"] * s.get("buf", 0.0) + g / avg
    theta -= lr * s["buf"]
else:
    theta -= lr * g / avg
'''),
    "adagrad": OptimizerTemplate("Adagrad", _L2 + '''\
t = s["step"] = s.get("step", 0) + 1
s["sum"] = s.get("sum", H["initial_accumulator_value"]) + g * g
theta -= lr / (1 + (t - 1) * H["lr_decay"]) * g / (np.sqrt(s["sum"]) + H["eps"])
'''),
}
"""Optimizer name -> its template. Hyperparameters are torch.optim's keyword arguments."""

SCHEDULES: dict[str, tuple[str, str]] = {
    "steplr": ("StepLR", 'LR * S["gamma"] ** (t // S["step_size"])'),
    "exponentiallr": ("ExponentialLR", 'LR * S["gamma"] ** t'),
    "cosineannealinglr": ("CosineAnnealingLR", 'S["eta_min"] + (LR - S["eta_min"]) * '
                          '(1 + math.cos(math.pi * t / S["T_max"])) / 2'),
    "linearlr": ("LinearLR", 'LR * (S["start_factor"] + (S["end_factor"] - S["start_factor"]) '
                 '* min(t, S["total_iters"]) / S["total_iters"])'),
}
"""Schedule name (its engine and torch class's name in lower case) -> (torch.optim.lr_scheduler
class, the learning rate after t optimizer steps as a Python expression of LR (the initial rate)
and the settings S: PyTorch's closed form)."""


@dataclass(frozen=True)
class Training:
    """One training run as engine.train.train(spec, optimizer, data, None, epochs, batch_size,
    seed, init_seed) runs it; `optimizer` and `schedule` name a template entry and its
    hyperparameters (PyTorch's keyword arguments; the optimizer's include lr); `source` says in
    words where the data came from."""

    spec: MLPSpec
    data: Dataset
    optimizer: str
    hyperparameters: Mapping
    epochs: int
    batch_size: int
    seed: int
    init_seed: int | None = None
    schedule: tuple[str, Mapping] | None = None
    source: str = ""
    weights: list[np.ndarray] = field(init=False, repr=False, compare=False)

    def __post_init__(self):
        if self.optimizer not in OPTIMIZERS:
            raise PlaygroundError(f"Export has no template for the optimizer {self.optimizer!r}.")
        if self.schedule is not None and self.schedule[0] not in SCHEDULES:
            raise PlaygroundError(f"Export has no template for the schedule {self.schedule[0]!r}.")
        if (self.data.n_features, self.data.n_outputs) != (self.spec.n_in, self.spec.n_out):
            raise PlaygroundError("The network does not fit the data it is exported with.")
        seed = self.seed if self.init_seed is None else self.init_seed
        model = MLP(self.spec, np.random.default_rng(seed))
        object.__setattr__(self, "weights", [p.data.copy() for p in model.parameters()])

    @classmethod
    def of(cls, spec: MLPSpec, optimizer, data: Dataset, epochs: int, batch_size: int,
           seed: int, init_seed: int | None = None, source: str = "") -> Training:
        """The run of engine.train.train with these arguments (no validation data).

        `optimizer` is what train takes (a page_models.optimizers.OptimizerChoice or any
        engine.train.OptimizerRecipe): its build(params) gives the engine optimizer
        and, if it has one, build_schedule(optimizer) the schedule; the templates are their
        engine classes' names in lower case ("sgd", "adam", "steplr" ...), with their settings.
        """
        built = optimizer.build([Tensor(np.zeros(1), requires_grad=True)])
        hyperparameters = built.hyperparameters()  # before a schedule changes lr
        scheduler = getattr(optimizer, "build_schedule", lambda _: None)(built)
        schedule = scheduler and (type(scheduler).__name__.lower(), scheduler.hyperparameters())
        return cls(spec, data, type(built).__name__.lower(), hyperparameters, epochs,
                   batch_size, seed, init_seed, schedule, source)


# ---- training scripts ----------------------------------------------------------------------
_NUMPY_MODEL = '''
ACTIVATION = {"tanh": np.tanh, "sigmoid": lambda z: 0.5 * (1 + np.tanh(0.5 * z)),
              "relu": lambda z: np.maximum(z, 0.0)}
SLOPE = {"tanh": lambda a: 1 - a * a, "sigmoid": lambda a: a * (1 - a),  # from the output a
         "relu": lambda a: (a > 0).astype(float)}


def forward(params, x, training):
    """The outputs, and what backward needs: each layer's input, activations and dropout mask."""
    inputs, kept = [x], []
    for i, (name, p) in enumerate(zip(ACTIVATIONS, DROPOUTS)):
        a = ACTIVATION[name](inputs[-1] @ params[2 * i] + params[2 * i + 1])
        mask = (masks.random(a.shape) >= p) / (1 - p) if training and p else None
        kept.append((a, mask))
        inputs.append(a if mask is None else a * mask)
    return inputs[-1] @ params[-2] + params[-1], inputs, kept


def loss(out, y):
    """The mean loss and its gradient with respect to the outputs."""
    if TASK == "classification":
        shifted = out - out.max(axis=1, keepdims=True)
        log_p = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
        rows = np.arange(len(y))
        d_out = np.exp(log_p)
        d_out[rows, y] -= 1
        return -log_p[rows, y].mean(), d_out / len(y)
    diff = out - y
    return np.mean(diff * diff), 2 * diff / diff.size


def backward(params, inputs, kept, d_out):
    """Each parameter's gradient, last layer first."""
    grads = [None] * len(params)
    d = d_out
    for i in reversed(range(len(params) // 2)):
        grads[2 * i], grads[2 * i + 1] = inputs[i].T @ d, d.sum(axis=0)
        if i:
            a, mask = kept[i - 1]
            d = d @ params[2 * i].T
            d = (d if mask is None else d * mask) * SLOPE[ACTIVATIONS[i - 1]](a)
    return grads
'''

_NUMPY_LOOP = '''
params = [w.copy() for w in WEIGHTS]
states = [{} for _ in params]


def epoch_loss():
    return loss(forward(params, X, False)[0], Y)[0]


def train_step(batch):
    """Forward, loss, backward and the update; False (and no update) if the step diverged."""
    out, inputs, kept = forward(params, X[batch], True)
    value, d_out = loss(out, Y[batch])
    grads = backward(params, inputs, kept, d_out)
    if diverged(value, all(np.isfinite(g).all() for g in grads)):
        return False
    lr = learning_rate(step - 1)
    for theta, grad, s in zip(params, grads, states):
        update(theta, grad, s, lr)
    return True
'''

_TORCH_MODEL = '''
import torch

torch.set_default_dtype(torch.float64)


class Dropout(torch.nn.Module):
    """Inverted dropout whose masks come from the NumPy stream `masks`."""

    def __init__(self, p):
        super().__init__()
        self.p = p

    def forward(self, x):
        if not self.training:
            return x
        return x * torch.from_numpy((masks.random(tuple(x.shape)) >= self.p) / (1 - self.p))


ACTIVATION = {"tanh": torch.nn.Tanh, "sigmoid": torch.nn.Sigmoid, "relu": torch.nn.ReLU}
layers = []
for i, (name, p) in enumerate(zip(ACTIVATIONS, DROPOUTS)):
    layers += [torch.nn.Linear(SIZES[i], SIZES[i + 1]), ACTIVATION[name]()]
    layers += [Dropout(p)] if p else []
layers.append(torch.nn.Linear(SIZES[-2], SIZES[-1]))
model = torch.nn.Sequential(*layers)
linears = [m for m in model if isinstance(m, torch.nn.Linear)]
with torch.no_grad():
    for linear, W, b in zip(linears, WEIGHTS[0::2], WEIGHTS[1::2]):
        linear.weight.copy_(torch.from_numpy(W.T))  # torch keeps W as (out, in)
        linear.bias.copy_(torch.from_numpy(b))
params = [p for linear in linears for p in (linear.weight, linear.bias)]
'''

_TORCH_LOOP = '''
loss_fn = torch.nn.functional.cross_entropy if TASK == "classification" else \\
    torch.nn.functional.mse_loss
X_t, Y_t = torch.from_numpy(X), torch.from_numpy(Y)


def epoch_loss():
    model.eval()
    with torch.no_grad():
        return loss_fn(model(X_t), Y_t).item()


def train_step(batch):
    """Forward, loss, backward and the update; False (and no update) if the step diverged."""
    model.train()
    optimizer.zero_grad()
    index = torch.from_numpy(batch)
    value = loss_fn(model(X_t[index]), Y_t[index])
    value.backward()
    if diverged(value.item(), all(torch.isfinite(p.grad).all() for p in params)):
        return False
    optimizer.step()
    if scheduler is not None:
        scheduler.step()
    return True
'''

_MAIN = '''

first_loss = None


def diverged(value, finite_gradients):
    """As the playground: a loss not finite or above {factor:g} x max(first loss, 1), or a
    gradient not finite, stops training before the update."""
    global first_loss
    if first_loss is None:
        first_loss = value if math.isfinite(value) else math.inf
    return not (math.isfinite(value) and finite_gradients
                and value <= {factor!r} * max(first_loss, 1.0))


step = 0
for epoch in range(1, EPOCHS + 1):
    order = shuffling.permutation(len(X))
    for start in range(0, len(X), BATCH_SIZE):
        step += 1
        if not train_step(order[start:start + BATCH_SIZE]):
            raise SystemExit(f"diverged at step {{step}}")
    print(f"epoch {{epoch}} train_loss {{epoch_loss():.17g}}")
'''


def numpy_script(training: Training) -> str:
    """A Python file that trains the run with NumPy alone (backward pass written out)."""
    template = OPTIMIZERS[training.optimizer]
    update = (f'\n\ndef update(theta, grad, s, lr):\n    """One {template.torch_class} step of '
              f'one parameter, in place (PyTorch\'s update rule)."""\n'
              f'{_indent(template.numpy_update, 4)}\n\n')
    return (_header(training, "NumPy") + _NUMPY_MODEL + update + _NUMPY_LOOP
            + _MAIN.format(factor=DIVERGENCE_FACTOR))


def pytorch_script(training: Training) -> str:
    """A Python file that trains the run with PyTorch (torch.autograd and torch.optim)."""
    torch_class = OPTIMIZERS[training.optimizer].torch_class
    optimizer = f"optimizer = torch.optim.{torch_class}(params, **H)\n"
    if training.schedule is None:
        optimizer += "scheduler = None\n"
    else:
        optimizer += (f"scheduler = torch.optim.lr_scheduler."
                      f"{SCHEDULES[training.schedule[0]][0]}(optimizer, **S)\n")
    return (_header(training, "PyTorch and NumPy") + _TORCH_MODEL + optimizer + _TORCH_LOOP
            + _MAIN.format(factor=DIVERGENCE_FACTOR))


def _header(training: Training, framework: str) -> str:
    """The part both scripts share: what was trained, the data, weights, settings, streams."""
    spec, data = training.spec, training.data
    hyper = dict(training.hyperparameters)
    schedule = training.schedule
    rate = "LR" if schedule is None else SCHEDULES[schedule[0]][1]
    weights = "\n".join(f"    np.array({w.tolist()!r}),  # {name}" for w, name in
                        zip(training.weights, _weight_names(spec)))
    rows = "\n".join(f"    {row!r}," for row in data.X.tolist())
    labels = "np.array({!r})" if data.task == "classification" else "np.array({!r}, dtype=float)"
    optimizer = OPTIMIZERS[training.optimizer].torch_class
    return f'''"""Backprop Playground export: trains {spec} on {len(data)} points ({data.task}) with
{optimizer}, as the playground did. Data: {training.source or data.name}.

Run `python this_file.py` (needs {framework}): it prints the training loss after each epoch,
on the whole training set in evaluation mode, exactly as the page showed it.
"""
import math

import numpy as np

TASK = {data.task!r}
X = np.array([
{rows}
])
Y = {labels.format(data.y.tolist())}
SIZES = {spec.sizes!r}
ACTIVATIONS = {spec.activations!r}  # after each hidden layer
DROPOUTS = {spec.dropouts!r}  # dropout p after each hidden layer's activation
WEIGHTS = [  # the initial weights: W (inputs, outputs) and b of each layer
{weights}
]
EPOCHS, BATCH_SIZE, SEED = {training.epochs}, {training.batch_size}, {training.seed}
H = {hyper!r}  # the optimizer's settings (PyTorch's names)
S = {None if schedule is None else dict(schedule[1])!r}  # the learning-rate schedule's settings
LR = H["lr"]


def learning_rate(t):
    """The learning rate of step t + 1 (after t optimizer steps)."""
    return {rate}


shuffling = np.random.default_rng([SEED, 1])  # a new order of the points every epoch
masks = np.random.default_rng([SEED, 2])  # dropout masks, layer by layer, step by step
'''


def _weight_names(spec: MLPSpec) -> list[str]:
    return [f"{kind}{i}" for i in range(1, len(spec.sizes)) for kind in "Wb"]


def _indent(code: str, spaces: int) -> str:
    return "\n".join(" " * spaces + line if line else line for line in code.splitlines())


# ---- the network as JSON -------------------------------------------------------------------
_FORMAT = "backprop-playground-network"


def network_json(model: MLP, training: Training) -> str:
    """The trained network (spec, weights), how it was trained, and where its data came from."""
    return json.dumps({
        "format": _FORMAT, "version": 1,
        "spec": model.spec.to_text(),
        "weights": {name: p.data.tolist()
                    for name, p in zip(_weight_names(model.spec), model.parameters())},
        "training": {"optimizer": training.optimizer,
                     "hyperparameters": dict(training.hyperparameters),
                     "schedule": training.schedule and [training.schedule[0],
                                                        dict(training.schedule[1])],
                     "epochs": training.epochs, "batch_size": training.batch_size,
                     "seed": training.seed, "init_seed": training.init_seed},
        "data": {"source": training.source or training.data.name, "task": training.data.task,
                 "n_classes": training.data.n_classes, "points": len(training.data)},
    }, indent=1)


def network_from_json(text: str | bytes) -> tuple[MLP, dict]:
    """The network network_json wrote (same predictions), and the rest of the file as a dict;
    PlaygroundError for anything else."""
    try:
        doc = json.loads(text)
        if not isinstance(doc, dict) or doc.get("format") != _FORMAT:
            raise ValueError("not a network file")
        spec = MLPSpec.from_text(doc["spec"])
        model = MLP(spec, np.random.default_rng(0))
        names = _weight_names(spec)
        weights = doc["weights"]
        if not isinstance(weights, dict) or sorted(weights) != sorted(names):
            raise ValueError("the weights do not match the network")
        for name, p in zip(names, model.parameters()):
            value = np.array(weights[name], dtype=np.float64)
            if value.shape != p.data.shape or not np.isfinite(value).all():
                raise ValueError(f"{name} has the wrong shape or a value that is not finite")
            p.data[...] = value
    except PlaygroundError as err:
        raise PlaygroundError(f"This file's network cannot be built: {err}") from None
    except (ValueError, TypeError, KeyError, RecursionError) as err:
        raise PlaygroundError(f"This is not a network file from the playground ({err}).") from None
    return model, {k: v for k, v in doc.items() if k != "weights"}


# ---- expression programs as PyTorch --------------------------------------------------------
_TAKEN = {"torch", "t", "T", "out_"}  # names the snippet uses itself: a typed one gets a "_"


def pytorch_snippet(built: ExprGraph) -> str:
    """The program with its input values as PyTorch code whose backward pass (seeded with ones,
    as the page's) gives the gradients the page shows; it prints each parameter's gradient."""
    rename = {name: name + "_" if name in _TAKEN else name
              for name in {*built.inputs, *(s.target for s in built.program.statements
                                            if s.target)}}
    lines = ['"""Backprop Playground export: the program below, in PyTorch."""', "import torch",
             "", "", "def t(value):", "    return torch.tensor(value, dtype=torch.float64)", "",
             "", "", *TORCH_HELPERS.splitlines(), "", ""]
    for name, tensor in built.inputs.items():
        grad = ", requires_grad=True" if tensor.requires_grad else ""
        lines.append(f"{rename[name]} = torch.tensor({_literal(tensor.data)}, "
                     f"dtype=torch.float64{grad})")
    output = "output_"  # the program's output, kept when its name is assigned again later
    for statement in built.program.statements:
        if statement.leaf:  # `a = -4.0`: an input above, with requires_grad
            continue
        target = rename[statement.target] if statement.target else output
        lines.append(f"{target} = {_torch(statement.value, rename)}  # {statement.text}")
        if statement.name == built.program.output_name and target != output:
            lines.append(f"{output} = {target}")
    lines += [f"{output}.backward(torch.ones_like({output}))", ""]
    lines += [f'print("d{built.program.output_name}/d{name} =", {rename[name]}.grad)'
              for name, tensor in built.inputs.items() if tensor.requires_grad]
    return "\n".join(lines) + "\n"


def _literal(data: np.ndarray) -> str:
    """An exact Python literal of an array (nan and inf included)."""
    text = repr(data.tolist())
    return text.replace("nan", 'float("nan")').replace("inf", 'float("inf")')


def _torch(node: Node, rename: dict[str, str]) -> str:
    """PyTorch code computing one expression node of the program (each op's code is its
    entry's torch template)."""
    if isinstance(node, Name):
        return rename[node.id]
    if isinstance(node, Number | Array):
        return f"t({_literal(np.array(node.value, dtype=np.float64))})"
    if isinstance(node, Negate):
        return f"(-{_torch(node.operand, rename)})"
    if isinstance(node, Transpose):
        return f"T({_torch(node.operand, rename)})"
    if isinstance(node, BinOp):
        return f"({_torch(node.left, rename)} {node.op} {_torch(node.right, rename)})"
    if isinstance(node, Subscript):
        args = [_torch(part, rename) for part in (node.operand, *index_operands(node))]
        return OPS["getitem"].torch_code(args, {"index": subscript_index(node)})
    call = bind_call(node)
    return call.op.torch_code([_torch(arg, rename) for arg in call.args], call.attrs)
