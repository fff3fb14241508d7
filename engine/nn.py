"""Networks: Module, Linear, activations, Dropout, Sequential and an MLP built from a spec.

A layer maps a batch X of shape (N, in) to a batch of shape (N, out). Parameters are Tensors with
``requires_grad=True``; a module finds them (and its sub-modules) in its attributes, in the order
they were assigned, so ``parameters()`` is always in the same order. Layouts, names and initial
weights are PyTorch's: Linear's weight is (out, in), a Sequential's parameters are named
"0.weight", "0.bias", ... as in torch's state_dict, and the initialisations are torch.nn.init's.
"""

from __future__ import annotations

import copy
import math
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, replace

import numpy as np

from engine.checks import positive, probability, size
from engine.errors import PlaygroundError
from engine.functional import dropout, dropout_mask
from engine.limits import MAX_HIDDEN_LAYERS, check_limit
from engine.ops import OPS
from engine.tensor import Tensor, apply, quietly

__all__ = [
    "ACTIVATIONS",
    "MLP",
    "Dropout",
    "Linear",
    "MLPSpec",
    "Module",
    "ReLU",
    "Sequential",
    "Sigmoid",
    "StackedDropout",
    "Tanh",
    "stack_models",
]


class Module:
    """A piece of a network: call it on a batch; it owns parameters and sub-modules."""

    training: bool = True

    def forward(self, x: Tensor) -> Tensor:
        raise NotImplementedError

    def __call__(self, x) -> Tensor:
        with quietly():  # one np.errstate for the whole forward pass
            return self.forward(x if isinstance(x, Tensor) else Tensor(x))

    def children(self) -> Iterator[tuple[str, Module]]:
        """(name, sub-module) pairs in assignment order."""
        for name, value in vars(self).items():
            if isinstance(value, Module):
                yield name, value
            elif isinstance(value, list | tuple):
                for i, item in enumerate(value):
                    if isinstance(item, Module):
                        yield str(i), item

    def named_parameters(self, prefix: str = "") -> Iterator[tuple[str, Tensor]]:
        """("0.weight", tensor) pairs: own parameters first, then each child's."""
        for name, value in vars(self).items():
            if isinstance(value, Tensor) and value.requires_grad:
                yield prefix + name, value
        for name, child in self.children():
            yield from child.named_parameters(f"{prefix}{name}.")

    def parameters(self) -> list[Tensor]:
        return [p for _, p in self.named_parameters()]

    def state_dict(self) -> dict[str, np.ndarray]:
        """A copy of every parameter by name, in torch's state_dict names and layouts."""
        return {name: p.data.copy() for name, p in self.named_parameters()}

    def load_state_dict(self, state: Mapping[str, object]) -> None:
        """Set every parameter from `state` (a state_dict of this module, or of the same torch
        network, as arrays or nested lists); PlaygroundError if a name, shape or value is off."""
        params = dict(self.named_parameters())
        if sorted(state) != sorted(params):
            raise PlaygroundError(f"The weights do not match the network: it has "
                                  f"{', '.join(params)}; got {', '.join(map(str, state))}.")
        for name, p in params.items():
            try:
                value = np.array(state[name], dtype=np.float64)
            except (TypeError, ValueError):
                raise PlaygroundError(f"{name} is not an array of numbers.") from None
            if value.shape != p.shape or not np.isfinite(value).all():
                raise PlaygroundError(f"{name} has the wrong shape or a value that is not finite "
                                      f"(it needs shape {p.shape}, finite values).")
        for name, p in params.items():
            p.data[...] = np.array(state[name], dtype=np.float64)

    def train(self, mode: bool = True) -> Module:
        """Switch this module and every sub-module to training mode (or evaluation mode)."""
        self.training = mode
        for _, child in self.children():
            child.train(mode)
        return self

    def eval(self) -> Module:
        """Evaluation mode: dropout becomes the identity."""
        return self.train(False)

    def zero_grad(self) -> None:
        for p in self.parameters():
            p.grad = None

    def extra_repr(self) -> str:
        return ""

    def __repr__(self) -> str:
        lines = [f"  ({name}): {child!r}".replace("\n", "\n  ") for name, child in self.children()]
        head = f"{type(self).__name__}({self.extra_repr()}"
        return head + ("\n" + "\n".join(lines) + "\n)" if lines else ")")


INIT_SCHEMES = {"default": "PyTorch's default", "xavier": "Xavier", "he": "He"}


@dataclass(frozen=True)
class Init:
    """How a Linear layer's weights start, drawn as torch.nn.init draws them (fan_in and fan_out
    are the layer's input and output sizes; U(−a, a) has variance a²/3):

      default  torch.nn.Linear's own (kaiming_uniform_ with a = √5): W and b ~ U(−a, a),
               a = 1/√fan_in
      xavier   xavier_uniform_(gain): W ~ U(−a, a), a = gain·√(6 / (fan_in + fan_out)), b = 0:
               variance gain²·2 / (fan_in + fan_out)
      he       kaiming_uniform_ (mode fan_in) with gain: W ~ U(−a, a), a = gain·√(3 / fan_in),
               b = 0: variance gain² / fan_in (2 / fan_in with ReLU's gain √2)
    """

    scheme: str
    gain: float = 1.0

    def __post_init__(self):
        if self.scheme not in INIT_SCHEMES:
            raise PlaygroundError(f"Unknown initialisation {self.scheme!r}; choose one of: "
                                  f"{', '.join(INIT_SCHEMES)}.")
        object.__setattr__(self, "gain", positive("An initialisation gain", self.gain))

    def bound(self, fan_in: int, fan_out: int) -> float:
        """a: the weights are drawn from U(−a, a)."""
        if self.scheme == "default":
            return 1.0 / math.sqrt(fan_in)
        if self.scheme == "xavier":
            return self.gain * math.sqrt(6.0 / (fan_in + fan_out))
        return self.gain * math.sqrt(3.0 / fan_in)

    def __str__(self) -> str:
        """"Xavier, gain 5/3" (both Xavier and He draw from a uniform distribution)."""
        name = INIT_SCHEMES[self.scheme]
        return name if self.scheme == "default" else f"{name}, gain {_gain_text(self.gain)}"


def _gain_text(gain: float) -> str:
    for value, text in ((5.0 / 3.0, "5/3"), (math.sqrt(2.0), "√2")):
        if math.isclose(gain, value):
            return text
    return f"{gain:g}"


class Linear(Module):
    """y = x Wᵀ + b, as torch.nn.Linear: W of shape (out_features, in_features), b of shape
    (out_features,), so one sample's output is Wx + b and torch's state_dict loads as it is.

    The weights are drawn as `init` says (see Init); Linear(in, out, rng) on its own starts as
    torch.nn.Linear does.
    """

    def __init__(self, in_features: int, out_features: int, rng: np.random.Generator,
                 init: Init | None = None):
        self.in_features = size("in_features", in_features)
        self.out_features = size("out_features", out_features)
        self.init = init or Init("default")
        bound = self.init.bound(self.in_features, self.out_features)
        shape = (self.out_features, self.in_features)
        self.weight = Tensor(rng.uniform(-bound, bound, size=shape), requires_grad=True, name="W")
        bias = (rng.uniform(-bound, bound, size=self.out_features) if self.init.scheme == "default"
                else np.zeros(self.out_features))
        self.bias = Tensor(bias, requires_grad=True, name="b")

    def forward(self, x: Tensor) -> Tensor:
        # one node, x Wᵀ + b (W is (out, in), or (R, out, in) stacked by stack_models)
        return apply(OPS["linear"], x, self.weight, self.bias)

    def extra_repr(self) -> str:
        return f"{self.in_features} → {self.out_features}"


class _Activation(Module):
    op_name = ""

    def forward(self, x: Tensor) -> Tensor:
        return apply(OPS[self.op_name], x)


class Tanh(_Activation):
    """tanh(x), elementwise: outputs in (−1, 1)."""

    op_name = "tanh"


class Sigmoid(_Activation):
    """σ(x) = 1 / (1 + e^(−x)), elementwise: outputs in (0, 1)."""

    op_name = "sigmoid"


class ReLU(_Activation):
    """max(0, x), elementwise."""

    op_name = "relu"


ACTIVATIONS: dict[str, type[Module]] = {"tanh": Tanh, "sigmoid": Sigmoid, "relu": ReLU}
"""Activation names a page can put in a URL -> module class."""

GAINS = {"tanh": 5.0 / 3.0, "sigmoid": 1.0, "relu": math.sqrt(2.0)}
"""Each activation's initialisation gain: torch.nn.init.calculate_gain's."""
ACTIVATION_INIT = {"tanh": "xavier", "sigmoid": "xavier", "relu": "he"}
"""The initialisation MLP gives a hidden layer followed by each activation (with its gain)."""
OUTPUT_INIT = Init("xavier", 1.0)
"""The output layer's initialisation (torch.nn.init.calculate_gain("linear") is 1)."""


class Dropout(Module):
    """In training, zero each entry with probability p and scale the rest by 1/(1 − p).

    The scaling keeps every entry's expected value, so evaluation mode is simply the identity.
    p = 0 is the identity; p = 1 outputs zeros with zero gradient. `rng` makes the masks
    reproducible (without it they are drawn from fresh entropy).
    """

    def __init__(self, p: float, rng: np.random.Generator | None = None):
        self.p = probability("Dropout probability p", p, allow_one=True)
        self.rng = rng if rng is not None else np.random.default_rng()

    def forward(self, x: Tensor) -> Tensor:
        return dropout(x, self.p, training=self.training, rng=self.rng)

    def extra_repr(self) -> str:
        return f"p={self.p:g}"


class Sequential(Module):
    """Modules applied one after the other; indexable and iterable."""

    def __init__(self, *modules: Module):
        for i, m in enumerate(modules):
            if not isinstance(m, Module):
                raise PlaygroundError(f"Sequential: item {i} is {type(m).__name__}, not a Module.")
        self.modules = list(modules)

    def forward(self, x: Tensor) -> Tensor:
        for m in self.modules:
            x = m.forward(x)  # not m(x): x is a Tensor and this pass is already quiet
        return x

    def __getitem__(self, i: int) -> Module:
        return self.modules[i]

    def __iter__(self) -> Iterator[Module]:
        return iter(self.modules)

    def __len__(self) -> int:
        return len(self.modules)

    def named_parameters(self, prefix: str = "") -> Iterator[tuple[str, Tensor]]:
        for i, m in enumerate(self.modules):
            yield from m.named_parameters(f"{prefix}{i}.")

    def children(self) -> Iterator[tuple[str, Module]]:
        return ((str(i), m) for i, m in enumerate(self.modules))


@dataclass(frozen=True, kw_only=True)
class MLPSpec:
    """The shape of a multilayer perceptron, with the settings of each hidden layer.

    Hidden layer i is Linear, then `activations[i]`, then Dropout(`dropouts[i]`) if that p > 0;
    the output layer is Linear alone (logits for classification, values for regression).
    `gains[i]` is hidden layer i's initialisation gain (see Init and `inits`). Left empty,
    `activations` means tanh, `dropouts` no dropout and `gains` the activation's gain (GAINS), in
    every layer; one value stands for every layer: MLPSpec(n_in=2, hidden=(16, 16),
    activations=("relu",), n_out=2). In a URL a spec is written as text (see to_text).
    """

    n_in: int
    hidden: tuple[int, ...]
    activations: tuple[str, ...] = ()
    dropouts: tuple[float, ...] = ()
    gains: tuple[float, ...] = ()
    n_out: int

    def __post_init__(self):
        set_ = object.__setattr__.__get__(self)
        set_("n_in", size("The input size", self.n_in))
        set_("n_out", size("The output size", self.n_out))
        set_("hidden", _widths(self.hidden))
        depth = len(self.hidden)
        activations = _each_layer(tuple(self.activations) or ("tanh",), depth)
        dropouts = _each_layer(tuple(self.dropouts) or (0.0,), depth)
        gains = _each_layer(tuple(self.gains), depth)
        if not len(activations) == len(dropouts) == depth:
            raise PlaygroundError(
                f"Each hidden layer needs a width, an activation and a dropout p: got {depth} "
                f"widths, {len(activations)} activations, {len(dropouts)} dropout values.")
        set_("activations", tuple(_activation(f"Hidden layer {i}", a)
                                  for i, a in enumerate(activations, start=1)))
        set_("dropouts", tuple(probability(f"Hidden layer {i}: the dropout p", p, allow_one=False)
                               for i, p in enumerate(dropouts, start=1)))
        if gains and len(gains) != depth:
            raise PlaygroundError("Give one positive initialisation gain per hidden layer.")
        set_("gains", tuple(positive(f"Hidden layer {i}'s initialisation gain", g)
                            for i, g in enumerate(gains, start=1)))

    @property
    def inits(self) -> tuple[Init, ...]:
        """How each Linear layer starts, the output layer last: a hidden layer as its activation
        asks (ACTIVATION_INIT, with GAINS or `gains`), the output layer OUTPUT_INIT."""
        gains = self.gains or tuple(GAINS[a] for a in self.activations)
        hidden = (Init(ACTIVATION_INIT[a], g) for a, g in zip(self.activations, gains))
        return (*hidden, OUTPUT_INIT)

    @property
    def sizes(self) -> tuple[int, ...]:
        """Every layer's width, input to output: (2, 16, 16, 2)."""
        return (self.n_in, *self.hidden, self.n_out)

    def with_dropout(self, p: float) -> MLPSpec:
        """The same network with dropout p after every hidden layer."""
        p = probability("The dropout probability", p, allow_one=False)
        return replace(self, dropouts=(p,) * len(self.hidden))

    def to_text(self) -> str:
        """Sizes input to output, then the activations, dropout ps and (if set) gains, each one
        value for every hidden layer or one per layer: "2-16-16-2:tanh:0.2",
        "2-4-3-2:tanh,relu:0,0.5", "2-8-8-2:sigmoid:0:1". MLPSpec.from_text reads it back."""
        sizes = "-".join(map(str, self.sizes))
        if not self.hidden:
            return sizes
        settings = [self.activations, [f"{p:g}" for p in self.dropouts]]
        if self.gains:
            settings.append([f"{g:g}" for g in self.gains])
        return ":".join([sizes, *(values[0] if len(set(values)) == 1 else ",".join(values)
                                  for values in settings)])

    @classmethod
    def from_text(cls, text: str) -> MLPSpec:
        """Read what to_text writes; activation, dropout and gains are optional ("2-16-2" is
        tanh, no dropout). Raises PlaygroundError saying what is wrong."""
        parts = str(text).strip().split(":")
        if len(parts) > 4 or not parts[0]:
            raise PlaygroundError(f"Cannot read the network {text!r}; write it like "
                                  "2-16-16-2:tanh:0.2 (sizes, activation, dropout).")
        try:
            sizes = [int(s) for s in parts[0].split("-")]
            numbers = [[float(v) for v in part.split(",")] for part in parts[2:]]
        except ValueError:
            raise PlaygroundError(f"Cannot read the network {text!r}: sizes must be whole "
                                  "numbers joined by '-', dropout ps and gains numbers.") from None
        if len(sizes) < 2:
            raise PlaygroundError(f"The network {text!r} needs at least an input and an output "
                                  "size, like 2-16-2.")
        activations = parts[1].split(",") if len(parts) > 1 else ["tanh"]
        dropouts = numbers[0] if numbers else [0.0]
        gains = numbers[1] if len(numbers) > 1 else []
        return cls(n_in=sizes[0], hidden=tuple(sizes[1:-1]), n_out=sizes[-1],
                   activations=tuple(activations), dropouts=tuple(dropouts), gains=tuple(gains))

    def __str__(self) -> str:
        """"2 → 4 tanh → 3 relu (dropout 0.5) → 2"."""
        layers = [f"{width} {a}" + (f" (dropout {p:g})" if p else "")
                  for width, a, p in zip(self.hidden, self.activations, self.dropouts)]
        return " → ".join([str(self.n_in), *layers, str(self.n_out)])


class MLP(Sequential):
    """The network an MLPSpec describes: [Linear, activation, (Dropout)] per hidden layer, then
    the output Linear. Weights come from `rng`; dropout masks from `dropout_rng` (by default a
    stream spawned from `rng` after the weights are drawn), so the same `rng` seed gives the same
    initial weights with or without dropout. Parameters are named W1, b1, W2, b2, ...
    """

    def __init__(self, spec: MLPSpec, rng: np.random.Generator,
                 dropout_rng: np.random.Generator | None = None):
        if not isinstance(spec, MLPSpec):
            raise PlaygroundError(f"MLP needs an MLPSpec, got {type(spec).__name__}.")
        self.spec = spec
        activations, dropouts = spec.activations, spec.dropouts
        sizes = spec.sizes
        self.layers = [Linear(a, b, rng, init)
                       for (a, b), init in zip(zip(sizes, sizes[1:]), spec.inits)]
        for i, layer in enumerate(self.layers, start=1):
            layer.weight.name, layer.bias.name = f"W{i}", f"b{i}"
        if any(dropouts) and dropout_rng is None:
            dropout_rng = rng.spawn(1)[0]
        modules: list[Module] = []
        for layer, activation, p in zip(self.layers[:-1], activations, dropouts):
            modules += [layer, ACTIVATIONS[activation]()]
            if p:
                modules.append(Dropout(p, dropout_rng))
        super().__init__(*modules, self.layers[-1])

    def extra_repr(self) -> str:
        return str(self.spec)


class StackedDropout(Module):
    """Dropout on R runs stacked along the leading axis (see stack_models): run r's slice is
    dropped with its own p and random stream, so it gets exactly the masks its own Dropout
    module would draw (none where its p is 0)."""

    def __init__(self, ps: Sequence[float], rngs: Sequence[np.random.Generator | None]):
        self.runs = [(r, p, rng) for r, (p, rng) in enumerate(zip(ps, rngs, strict=True)) if p]

    def forward(self, x: Tensor) -> Tensor:
        if not self.training or not self.runs:
            return x
        mask = np.ones(x.shape)
        for r, p, rng in self.runs:
            mask[r] = dropout_mask(x.shape[1:], p, rng)
        return apply(OPS["dropout"], x, mask=mask)


def stack_models(models: Sequence[MLP]) -> Sequential:
    """One network computing R MLPs with the same sizes and activations at once, on inputs
    stacked along a leading axis: (R, N, in) -> (R, N, out), or (N, in) shared by every run.

    Its layers are the same modules: Linear with weight (R, out, in) and bias (R, 1, out), so
    x Wᵀ + b acts run by run; the activations; StackedDropout. Each model's own parameters
    become views of its slice of the stacked ones, so they follow the stack's training, and the
    backward pass of the sum of the runs' losses gives each slice exactly its own run's gradient.
    """
    spec = models[0].spec
    if any((m.spec.sizes, m.spec.activations) != (spec.sizes, spec.activations) for m in models):
        raise PlaygroundError("Runs trained together need the same layers and activations.")
    dropout_rngs = [next((d.rng for d in m if isinstance(d, Dropout)), None) for m in models]
    modules: list[Module] = []
    for i, layers in enumerate(zip(*(m.layers for m in models))):
        stacked = copy.copy(layers[0])
        stacked.weight = Tensor(np.stack([lin.weight.data for lin in layers]),
                                requires_grad=True, name=layers[0].weight.name)
        stacked.bias = Tensor(np.stack([lin.bias.data[None] for lin in layers]),
                              requires_grad=True, name=layers[0].bias.name)
        for r, lin in enumerate(layers):
            lin.weight.data, lin.bias.data = stacked.weight.data[r], stacked.bias.data[r, 0]
        modules.append(stacked)
        if i < len(spec.hidden):
            modules.append(ACTIVATIONS[spec.activations[i]]())
            ps = [m.spec.dropouts[i] for m in models]
            if any(ps):
                modules.append(StackedDropout(ps, dropout_rngs))
    return Sequential(*modules)


def _each_layer(values: tuple, depth: int) -> tuple:
    """One value stands for every one of `depth` layers; several are one per layer."""
    return values * depth if len(values) == 1 else values


def _widths(hidden) -> tuple[int, ...]:
    if isinstance(hidden, str) or not isinstance(hidden, tuple | list):
        raise PlaygroundError(f"hidden must be a list of layer widths, got {hidden!r}.")
    check_limit("The number of hidden layers", len(hidden), MAX_HIDDEN_LAYERS)
    return tuple(size(f"Hidden layer {i}'s width", w) for i, w in enumerate(hidden, start=1))


def _activation(layer: str, name) -> str:
    activation = str(name).strip().lower()
    if activation not in ACTIVATIONS:
        raise PlaygroundError(f"{layer}: unknown activation {name!r}; choose one of: "
                              f"{', '.join(ACTIVATIONS)}.")
    return activation
