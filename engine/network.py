"""A network whose hidden layers each have their own width, activation and dropout p.

`LayeredSpec` is an `MLPSpec`, so `MLP(spec, rng)` builds it and `engine.train` trains it; it only
adds one activation and one dropout p per hidden layer. With no hidden layers the network is one
Linear layer: logistic (softmax) regression, or linear regression.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from engine.errors import PlaygroundError
from engine.nn import ACTIVATIONS, MLPSpec

__all__ = ["LayeredSpec"]


@dataclass(frozen=True, kw_only=True)
class LayeredSpec(MLPSpec):
    """MLPSpec(n_in, hidden, n_out) with `activations[i]` and `dropouts[i]` for hidden layer i.

    The inherited single `activation` and `dropout` are set from the first hidden layer and not
    used otherwise.
    """

    activations: tuple[str, ...] = ()
    dropouts: tuple[float, ...] = ()

    @classmethod
    def from_layers(cls, n_in: int, widths: Sequence[int], activations: Sequence[str],
                    dropouts: Sequence[float], n_out: int) -> LayeredSpec:
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
                   activations=activations, dropouts=dropouts)

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
        object.__setattr__(self, "activations", activations)
        object.__setattr__(self, "dropouts", tuple(float(p) for p in self.dropouts))
        super().__post_init__()

    @property
    def layer_activations(self) -> tuple[str, ...]:
        return self.activations

    @property
    def layer_dropouts(self) -> tuple[float, ...]:
        return self.dropouts

    def __str__(self) -> str:
        parts = [str(self.n_in)]
        for width, a, p in zip(self.hidden, self.activations, self.dropouts):
            parts.append(f"{width} {a}" + (f" (dropout {p:g})" if p else ""))
        return " → ".join([*parts, str(self.n_out)])
