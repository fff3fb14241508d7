"""What a page built, as files that leave the app: training scripts, the network as JSON, and an
expression program as a PyTorch snippet.

Training scripts (`numpy_script`, `pytorch_script`): one self-contained Python file each, that
trains exactly as engine.train.train does and prints `epoch N train_loss X` per epoch (X the
epoch's History.epoch_train_loss, 17 significant digits). Both embed the data and the engine's
initial weights, and redraw the batch order and dropout masks with the engine's NumPy random
streams (documented at the top of engine/train.py). The NumPy script writes out the backward
pass and the optimizer's update rule; the PyTorch script uses torch.autograd and torch.optim, so
each checks the other.

A script is its template (page_models/export_templates/: numpy_training.py, torch_training.py,
real files that ruff checks and that run on their own) with the template's "run" block replaced
by the run's data and the functions that block names, copied from export_templates/rules.py (the
update rule and schedule in NumPy, named after their torch.optim classes) and loop.py. An engine
optimizer or schedule class can be exported when rules.py has its function.
"""

from __future__ import annotations

import inspect
import json
import re
import textwrap
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

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
from page_models.export_templates import loop, rules

__all__ = [
    "FORMAT_VERSION",
    "Training",
    "exportable",
    "network_from_json",
    "network_json",
    "numpy_script",
    "pytorch_script",
    "pytorch_snippet",
]

TEMPLATES = Path(__file__).resolve().parent / "export_templates"
_WIDTH = 99  # the scripts' line length (ruff's is 100)
_RUN_BLOCK = re.compile(r"# ---- the run: .*?# ---- end of the run ----\n", re.DOTALL)


def exportable(class_name: str) -> bool:
    """Whether the scripts can write the engine optimizer or schedule class `class_name` (its
    NumPy rule is in export_templates/rules.py)."""
    return callable(getattr(rules, class_name.lower(), None))


@dataclass(frozen=True)
class Training:
    """One training run as engine.train.train(spec, optimizer, data, None, epochs, batch_size,
    seed, init_seed) runs it. `optimizer` is the engine (and torch.optim) class name, "Adam",
    with its `hyperparameters` (PyTorch's keyword arguments, lr included); `schedule` likewise a
    torch.optim.lr_scheduler class name and its settings, or None; `source` says in words where
    the data came from."""

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
        if not exportable(self.optimizer):
            raise PlaygroundError(f"Export has no template for the optimizer {self.optimizer!r}.")
        if self.schedule is not None and not exportable(self.schedule[0]):
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
        engine.train.OptimizerRecipe): its build(params) gives the engine optimizer and
        build_schedule(optimizer) the schedule, whose classes and settings are exported.
        """
        built = optimizer.build([Tensor(np.zeros(1), requires_grad=True)])
        hyperparameters = built.hyperparameters()  # before a schedule changes lr
        scheduler = optimizer.build_schedule(built)
        schedule = scheduler and (type(scheduler).__name__, scheduler.hyperparameters())
        return cls(spec, data, type(built).__name__, hyperparameters, epochs, batch_size, seed,
                   init_seed, schedule, source)


# ---- training scripts ----------------------------------------------------------------------
def numpy_script(training: Training) -> str:
    """A Python file that trains the run with NumPy alone (backward pass written out)."""
    update = getattr(rules, training.optimizer.lower())
    schedule = getattr(rules, training.schedule[0].lower()) if training.schedule else None
    functions = [*_helpers(update), update, *([schedule] if schedule else []), loop.run]
    names = (f"update = {update.__name__}  # torch.optim.{training.optimizer}\n"
             f"schedule = {schedule.__name__ if schedule else None}\n")
    return _script(training, "numpy_training.py", "NumPy", functions, names)


def pytorch_script(training: Training) -> str:
    """A Python file that trains the run with PyTorch (torch.autograd and torch.optim)."""
    names = (f"OPTIMIZER = {training.optimizer!r}  # the torch.optim class\n"
             f"SCHEDULER = {training.schedule and training.schedule[0]!r}  # in "
             "torch.optim.lr_scheduler\n")
    return _script(training, "torch_training.py", "PyTorch and NumPy", [loop.run], names)


def _helpers(rule) -> list:
    """The functions of rules.py that `rule` calls (copied into the script before it)."""
    return [getattr(rules, name) for name in rule.__code__.co_names
            if inspect.isfunction(getattr(rules, name, None))]


def _script(training: Training, template: str, framework: str, functions: list,
            names: str) -> str:
    """The template with its docstring and run block replaced by this run's."""
    text = (TEMPLATES / template).read_text(encoding="utf-8")
    body = text[text.index('"""', 3) + 3:]  # after the template's docstring
    copied = "\n\n".join(inspect.getsource(f) for f in functions)
    run = f"{_data(training)}\n\n{copied}\n\n{names}\n"
    return _docstring(training, framework) + _RUN_BLOCK.sub(lambda _: run, body, count=1)


def _docstring(training: Training, framework: str) -> str:
    spec, data = training.spec, training.data
    about = textwrap.fill(
        f"Backprop Playground export: trains {spec} on {len(data)} points ({data.task}) with "
        f"torch.optim.{training.optimizer}, as the playground did. Data: "
        f"{training.source or data.name}.".replace("\\", "/").replace('"', "'"),
        width=_WIDTH - 3)  # no quote or backslash a visitor typed can end the docstring
    return f'''"""{about}

Run `python this_file.py` (needs {framework}): it prints the training loss after each epoch,
on the whole training set in evaluation mode, exactly as the page showed it.
"""'''


def _data(training: Training) -> str:
    """The run's data as Python: the names the templates' run block imports from demo.py."""
    spec, data = training.spec, training.data
    labels = data.y.tolist() if data.task == "classification" else data.y.astype(float).tolist()
    weights = "".join(f"    # {name}\n{_code(np.array(w.tolist()), indent=4)},\n"
                      for w, name in zip(training.weights, _weight_names(spec)))
    return "\n".join([
        _code(data.X, "X"), _code(np.array(labels), "Y"), f"TASK = {data.task!r}",
        f"SIZES = {spec.sizes!r}",
        f"ACTIVATIONS = {spec.activations!r}  # after each hidden layer",
        f"DROPOUTS = {spec.dropouts!r}  # dropout p after each hidden layer's activation",
        "# the initial weights: W (outputs, inputs) and b of each layer, as in PyTorch",
        f"WEIGHTS = [\n{weights}]",
        f"EPOCHS, BATCH_SIZE, SEED = {training.epochs}, {training.batch_size}, {training.seed}",
        f"DIVERGENCE_FACTOR = {DIVERGENCE_FACTOR!r}",
        "# the optimizer's settings (PyTorch's names), and the learning-rate schedule's",
        _code(dict(training.hyperparameters), "H"),
        _code(dict(training.schedule[1]) if training.schedule else None, "S")])


def _code(value, name: str = "", indent: int = 0) -> str:
    """`name = value` (or the value alone) as Python, wrapped to the line width: an array
    becomes np.array([...])."""
    text = f"np.array({value.tolist()!r})" if isinstance(value, np.ndarray) else repr(value)
    first = " " * indent + (f"{name} = " if name else "")
    return "\n".join(textwrap.wrap(text, width=_WIDTH, initial_indent=first,
                                   subsequent_indent=" " * (indent + 4),
                                   break_long_words=False, break_on_hyphens=False))


def _weight_names(spec: MLPSpec) -> list[str]:
    return [f"{kind}{i}" for i in range(1, len(spec.sizes)) for kind in "Wb"]


# ---- the network as JSON -------------------------------------------------------------------
_FORMAT = "backprop-playground-network"
FORMAT_VERSION = 2
"""2: "state_dict", PyTorch's names and layouts ("0.weight" is (out, in)): torch.nn.Sequential
of the same layers loads it as it is. 1 (still read): "weights" W1, b1, ... with W (in, out)."""


def network_json(model: MLP, training: Training) -> str:
    """The trained network (spec, state_dict), how it was trained, and where its data came
    from."""
    return json.dumps({
        "format": _FORMAT, "version": FORMAT_VERSION,
        "spec": model.spec.to_text(),
        "state_dict": {name: value.tolist() for name, value in model.state_dict().items()},
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
    PlaygroundError for anything else. Files of version 1 load too."""
    try:
        doc = json.loads(text)
        if not isinstance(doc, dict) or doc.get("format") != _FORMAT:
            raise ValueError("not a network file")
        version = doc.get("version", 1)
        if version not in (1, FORMAT_VERSION):
            raise PlaygroundError(f"This network file is version {version!r}; this playground "
                                  f"reads versions 1 and {FORMAT_VERSION}.")
        model = MLP(MLPSpec.from_text(doc["spec"]), np.random.default_rng(0))
        weights = doc["state_dict"] if version == FORMAT_VERSION else _version_1(model,
                                                                                 doc["weights"])
        if not isinstance(weights, dict):
            raise ValueError("the weights are not a table of names")
        model.load_state_dict(weights)
    except PlaygroundError as err:
        raise PlaygroundError(f"This file's network cannot be built: {err}") from None
    except (ValueError, TypeError, KeyError, RecursionError) as err:
        raise PlaygroundError(f"This is not a network file from the playground ({err}).") from None
    return model, {k: v for k, v in doc.items() if k not in ("weights", "state_dict")}


def _version_1(model: MLP, weights) -> dict:
    """A version-1 file's weights (W1, b1, ... with W (in, out)) as the model's state_dict."""
    names = _weight_names(model.spec)
    if not isinstance(weights, dict) or sorted(weights) != sorted(names):
        raise PlaygroundError("the weights do not match the network")
    keys = [name for name, _ in model.named_parameters()]
    return {key: np.array(weights[name], dtype=np.float64).T if name[0] == "W" else weights[name]
            for key, name in zip(keys, names)}


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
