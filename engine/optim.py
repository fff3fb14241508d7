"""Optimizers: SGD (momentum, dampening, Nesterov, weight decay) and Adam.

Each follows the update rule PyTorch documents for ``torch.optim.SGD`` and ``torch.optim.Adam``
(weight decay is L2 added to the gradient, not AdamW). A parameter is any object with ``.data``
(a float ndarray, updated in place) and ``.grad`` (an array of the same shape, or None: skipped).
State lives in arrays allocated once per parameter and updated in place.

Notation in the docstrings: θ parameter, ∇ its gradient, γ learning rate, λ weight decay,
μ momentum, τ dampening, β₁ β₂ Adam's decay rates, ε Adam's epsilon, t the step number.
"""

from __future__ import annotations

import inspect
import math
from collections.abc import Iterable
from numbers import Real

import numpy as np

from engine.errors import PlaygroundError

__all__ = ["OPTIMIZERS", "SGD", "Adam", "Optimizer", "make_optimizer"]


def _number(name: str, value, *, low: float = 0.0, low_open: bool = False,
            high: float = math.inf, high_open: bool = True) -> float:
    """Return `value` as a float after checking it is a real number in the given interval."""
    if isinstance(value, bool) or not isinstance(value, Real):
        raise PlaygroundError(f"{name} must be a number, got {value!r}.")
    value = float(value)
    too_low = value <= low if low_open else value < low
    too_high = value >= high if high_open else value > high
    if math.isnan(value) or too_low or too_high:
        left, right = "(" if low_open else "[", ")" if high_open else "]"
        raise PlaygroundError(f"{name} must be in {left}{low:g}, {high:g}{right}, got {value:g}.")
    return value


class Optimizer:
    """Base class: holds the parameters and one state dict per parameter.

    Subclasses implement ``_update(theta, grad, state)``, one step for one parameter.
    """

    def __init__(self, params: Iterable):
        self.params = list(params)
        if not self.params:
            raise PlaygroundError("The optimizer got no parameters to train.")
        for i, p in enumerate(self.params):
            data = getattr(p, "data", None)
            if not (isinstance(data, np.ndarray) and np.issubdtype(data.dtype, np.floating)):
                raise PlaygroundError(
                    f"Parameter {i} has no float array .data, so the optimizer cannot update it.")
            if not hasattr(p, "grad"):
                raise PlaygroundError(f"Parameter {i} has no .grad attribute.")
        self.state: list[dict] = [{"step": 0} for _ in self.params]

    def zero_grad(self) -> None:
        """Forget every gradient (set ``.grad`` to None) before the next backward pass."""
        for p in self.params:
            p.grad = None

    def step(self) -> None:
        """Update every parameter that has a gradient, in place."""
        for i, (p, state) in enumerate(zip(self.params, self.state, strict=True)):
            if p.grad is None:
                continue
            if p.grad.shape != p.data.shape:
                raise PlaygroundError(
                    f"Parameter {i} has shape {p.data.shape} but its gradient has shape "
                    f"{p.grad.shape}.")
            self._update(p.data, p.grad, state)
            state["step"] += 1

    def _update(self, theta: np.ndarray, grad: np.ndarray, state: dict) -> None:
        raise NotImplementedError

    def _buffer(self, state: dict, key: str, like: np.ndarray) -> np.ndarray:
        """The scratch/state array `key` of one parameter, allocated on first use."""
        buf = state.get(key)
        if buf is None:
            buf = state[key] = np.zeros_like(like, dtype=np.float64)
        return buf

    def hyperparameters(self) -> dict:
        """The constructor's keyword arguments, e.g. for a caption or a share link."""
        names = list(inspect.signature(type(self)).parameters)[1:]
        return {name: getattr(self, name) for name in names}

    def __repr__(self) -> str:
        args = ", ".join(f"{k}={v!r}" for k, v in self.hyperparameters().items())
        return f"{type(self).__name__}({args})"


class SGD(Optimizer):
    """Stochastic gradient descent, as in ``torch.optim.SGD``.

    g ← ∇ + λθ
    if μ ≠ 0:  b ← g at the first step, else b ← μb + (1 − τ)g
               g ← g + μb (Nesterov)  or  g ← b
    θ ← θ − γg
    """

    def __init__(self, params: Iterable, lr: float = 1e-3, momentum: float = 0.0,
                 dampening: float = 0.0, nesterov: bool = False, weight_decay: float = 0.0):
        super().__init__(params)
        self.lr = _number("lr (learning rate)", lr)
        self.momentum = _number("momentum", momentum)
        self.dampening = _number("dampening", dampening, high=1.0, high_open=False)
        self.weight_decay = _number("weight_decay", weight_decay)
        if not isinstance(nesterov, bool | np.bool_):
            raise PlaygroundError(f"nesterov must be True or False, got {nesterov!r}.")
        self.nesterov = bool(nesterov)
        if self.nesterov and (self.momentum <= 0 or self.dampening != 0):
            raise PlaygroundError("Nesterov momentum needs momentum > 0 and dampening = 0.")

    def _update(self, theta, grad, state):
        mu, tau, lam = self.momentum, self.dampening, self.weight_decay
        tmp = self._buffer(state, "tmp", theta)
        g = grad
        if lam:                                           # g = ∇ + λθ
            g = np.multiply(theta, lam, out=self._buffer(state, "g", theta))
            g += grad
        if mu:
            b = self._buffer(state, "momentum_buffer", theta)
            if state["step"] == 0:                        # b = g
                np.copyto(b, g)
            else:                                         # b = μb + (1 − τ)g
                b *= mu
                if tau:
                    b += np.multiply(g, 1.0 - tau, out=tmp)
                else:
                    b += g
            if self.nesterov:                             # g = g + μb
                g_out = self._buffer(state, "g", theta)
                g = np.add(g, np.multiply(b, mu, out=tmp), out=g_out)
            else:                                         # g = b
                g = b
        theta -= np.multiply(g, self.lr, out=tmp)         # θ = θ − γg


class Adam(Optimizer):
    """Adam, as in ``torch.optim.Adam`` (L2 weight decay added to the gradient).

    g ← ∇ + λθ
    m ← β₁m + (1 − β₁)g          v ← β₂v + (1 − β₂)g²
    m̂ = m / (1 − β₁ᵗ)            v̂ = v / (1 − β₂ᵗ)
    θ ← θ − γ m̂ / (√v̂ + ε)

    computed in PyTorch's order: θ ← θ − (γ / (1 − β₁ᵗ)) · m / (√v / √(1 − β₂ᵗ) + ε).
    """

    def __init__(self, params: Iterable, lr: float = 1e-3,
                 betas: tuple[float, float] = (0.9, 0.999), eps: float = 1e-8,
                 weight_decay: float = 0.0):
        super().__init__(params)
        self.lr = _number("lr (learning rate)", lr)
        try:
            b1, b2 = betas
        except (TypeError, ValueError):
            raise PlaygroundError(f"betas must be a pair (beta1, beta2), got {betas!r}.") from None
        self.betas = (_number("beta1", b1, high=1.0), _number("beta2", b2, high=1.0))
        self.eps = _number("eps", eps, low_open=True)
        self.weight_decay = _number("weight_decay", weight_decay)

    def _update(self, theta, grad, state):
        (b1, b2), lam = self.betas, self.weight_decay
        m = self._buffer(state, "exp_avg", theta)
        v = self._buffer(state, "exp_avg_sq", theta)
        tmp = self._buffer(state, "tmp", theta)
        t = state["step"] + 1
        g = grad
        if lam:                                           # g = ∇ + λθ
            g = np.multiply(theta, lam, out=self._buffer(state, "g", theta))
            g += grad
        m *= b1                                           # m = β₁m + (1 − β₁)g
        m += np.multiply(g, 1.0 - b1, out=tmp)
        v *= b2                                           # v = β₂v + (1 − β₂)g²
        np.multiply(g, g, out=tmp)
        v += np.multiply(tmp, 1.0 - b2, out=tmp)
        bias_correction1 = 1.0 - b1**t
        bias_correction2 = 1.0 - b2**t
        step_size = self.lr / bias_correction1
        denom = np.sqrt(v, out=tmp)                       # √v / √(1 − β₂ᵗ) + ε
        denom /= math.sqrt(bias_correction2)
        denom += self.eps
        update = np.divide(m, denom, out=tmp)             # θ = θ − step_size · m / denom
        update *= step_size
        theta -= update


OPTIMIZERS: dict[str, tuple[type[Optimizer], dict]] = {
    "sgd": (SGD, {}),
    "momentum": (SGD, {"momentum": 0.9}),
    "adam": (Adam, {}),
}
"""Optimizer names a page can put in a URL: name -> (class, default hyperparameters)."""


def make_optimizer(name: str, params: Iterable, **hyper) -> Optimizer:
    """Build an optimizer from a plain spec, e.g. ``make_optimizer("momentum", params, lr=0.1)``."""
    key = str(name).strip().lower()
    if key not in OPTIMIZERS:
        raise PlaygroundError(
            f"Unknown optimizer {name!r}; choose one of: {', '.join(OPTIMIZERS)}.")
    cls, defaults = OPTIMIZERS[key]
    allowed = list(inspect.signature(cls).parameters)[1:]
    unknown = sorted(set(hyper) - set(allowed))
    if unknown:
        raise PlaygroundError(
            f"{key} has no setting {', '.join(unknown)}; its settings are: {', '.join(allowed)}.")
    return cls(params, **{**defaults, **hyper})
