"""A network whose hidden layers each have their own width, activation and dropout p.

`LayeredSpec` is an `MLPSpec`, so `MLP(spec, rng)` builds it and `engine.train` trains it; it only
adds one activation and one dropout p per hidden layer. With no hidden layers the network is one
Linear layer: logistic (softmax) regression, or linear regression.
"""

from __future__ import annotations

import copy
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from engine.errors import PlaygroundError
from engine.nn import ACTIVATIONS, MLP, MLPSpec
from engine.tensor import Tensor, no_grad
from engine.train import LOSS_FOR_TASK

__all__ = ["LayeredSpec", "hidden_activations", "minibatch_loss", "repeated_outputs"]



@dataclass(frozen=True, kw_only=True)
class LayeredSpec(MLPSpec):
    """MLPSpec(n_in, hidden, n_out) with `activations[i]` and `dropouts[i]` for hidden layer i.

    The inherited single `activation` and `dropout` are set from the first hidden layer and not
    used otherwise.
    """

    activations: tuple[str, ...] = ()
    dropouts: tuple[float, ...] = ()
    gains: tuple[float, ...] = ()  # initialisation gain per hidden layer; () = MLP's default

    @classmethod
    def from_layers(cls, n_in: int, widths: Sequence[int], activations: Sequence[str],
                    dropouts: Sequence[float], n_out: int,
                    gains: Sequence[float] = ()) -> LayeredSpec:
        """The spec of n_in → widths[0] → … → n_out, checking every setting."""
        widths, activations, dropouts = tuple(widths), tuple(activations), tuple(dropouts)
        if not len(widths) == len(activations) == len(dropouts):
            raise PlaygroundError(
                f"Each hidden layer needs a width, an activation and a dropout p: got "
                f"{len(widths)} widths, {len(activations)} activations, {len(dropouts)} "
                "dropout values.")
        return cls(n_in=n_in, hidden=widths, n_out=n_out,
                   activation=activations[0] if activations else "tanh",
                   dropout=dropouts[0] if dropouts else 0.0,
                   activations=activations, dropouts=dropouts, gains=tuple(gains))

    def __post_init__(self):
        activations = tuple(str(a).strip().lower() for a in self.activations)
        for i, a in enumerate(activations, start=1):
            if a not in ACTIVATIONS:
                raise PlaygroundError(f"Hidden layer {i}: unknown activation {a!r}; choose one "
                                      f"of: {', '.join(ACTIVATIONS)}.")
        for i, p in enumerate(self.dropouts, start=1):
            if isinstance(p, bool) or not isinstance(p, int | float) or not 0.0 <= p < 1.0:
                raise PlaygroundError(f"Hidden layer {i}: the dropout p must be a number in "
                                      f"[0, 1), got {p!r}.")
        if not len(activations) == len(self.dropouts) == len(tuple(self.hidden)):
            raise PlaygroundError("Give one activation and one dropout p per hidden layer.")
        if self.gains and (len(self.gains) != len(activations)
                           or not all(isinstance(g, int | float) and g > 0 for g in self.gains)):
            raise PlaygroundError("Give one positive initialisation gain per hidden layer.")
        object.__setattr__(self, "activations", activations)
        object.__setattr__(self, "dropouts", tuple(float(p) for p in self.dropouts))
        super().__post_init__()

    @property
    def layer_activations(self) -> tuple[str, ...]:
        return self.activations

    @property
    def layer_dropouts(self) -> tuple[float, ...]:
        return self.dropouts

    @property
    def layer_gains(self) -> tuple[float, ...]:
        return tuple(float(g) for g in self.gains) or super().layer_gains

    def __str__(self) -> str:
        parts = [str(self.n_in)]
        for width, a, p in zip(self.hidden, self.activations, self.dropouts):
            parts.append(f"{width} {a}" + (f" (dropout {p:g})" if p else ""))
        return " → ".join([*parts, str(self.n_out)])


def hidden_activations(model: MLP, x: np.ndarray) -> list[np.ndarray]:
    """Each hidden layer's activations (after its activation function) on one sample `x`,
    in evaluation mode; the model's mode is restored afterwards."""
    was_training = model.training
    model.eval()
    try:
        with no_grad():
            h, out = Tensor(np.asarray(x, dtype=np.float64)[None, :]), []
            for module in model:
                h = module(h)
                if isinstance(module, tuple(ACTIVATIONS.values())):
                    out.append(h.data[0])
    finally:
        model.train(was_training)
    return out


def repeated_outputs(model: MLP, X: np.ndarray, passes: int, training: bool) -> np.ndarray:
    """(passes, n, n_out): the network's outputs on the same inputs X, pass after pass.

    In training mode every pass draws new dropout masks, so the outputs differ; in evaluation
    mode dropout is the identity and every pass is the same. Runs on a copy of the model, so the
    model's own mode and dropout random stream are untouched.
    """
    twin = copy.deepcopy(model)
    twin.train(training)
    with no_grad():
        return np.stack([twin(X).data for _ in range(passes)])


def minibatch_loss(model: MLP, X: np.ndarray, y: np.ndarray, task: str) -> tuple[Tensor, MLP]:
    """The loss of one training step on the minibatch (X, y) with its graph recorded, and the
    copy of the model (in training mode: dropout on) it ran on; the model being trained is
    untouched, so a backward pass from this loss fills the copy's gradients only.

    The loss is the one engine.train trains the task on. The inputs are named "X" and the targets
    "y"; the parameters keep their names (W1, b1, ...).
    """
    twin = copy.deepcopy(model)
    twin.train()
    return LOSS_FOR_TASK[task](twin(Tensor(X, name="X")), Tensor(y, name="y")), twin
