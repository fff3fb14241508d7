"""Optimizers (SGD with momentum and Nesterov, RMSprop, Adagrad, Adam with AMSGrad, AdamW) and
learning-rate schedules (StepLR, ExponentialLR, CosineAnnealingLR, LinearLR).

Each follows the update rule PyTorch documents for the ``torch.optim`` class of the same name,
with its signature and defaults (weight decay is L2 added to the gradient, except in AdamW).
A parameter is any object with ``.data`` (a float ndarray, updated in place) and ``.grad`` (an
array of the same shape, or None: skipped).
State lives in arrays allocated once per parameter and updated in place.

Notation in the docstrings: θ parameter, ∇ its gradient, γ learning rate, λ weight decay,
μ momentum, τ dampening, β₁ β₂ Adam's decay rates, α RMSprop's, ε the term that keeps a
denominator above 0, t the step number (from 1).
"""

from __future__ import annotations

import inspect
import math
from collections.abc import Iterable

import numpy as np

from engine import checks
from engine.errors import PlaygroundError

__all__ = [
    "SGD",
    "Adagrad",
    "Adam",
    "AdamW",
    "CosineAnnealingLR",
    "ExponentialLR",
    "LRScheduler",
    "LinearLR",
    "Optimizer",
    "RMSprop",
    "StepLR",
]


class _Settings:
    """Shows the constructor's keyword arguments: hyperparameters() and repr."""

    def hyperparameters(self) -> dict:
        """The constructor's keyword arguments, e.g. for a caption or a share link."""
        names = list(inspect.signature(type(self)).parameters)[1:]
        return {name: getattr(self, name) for name in names}

    def __repr__(self) -> str:
        args = ", ".join(f"{k}={v!r}" for k, v in self.hyperparameters().items())
        return f"{type(self).__name__}({args})"


class Optimizer(_Settings):
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

    def _decayed(self, theta: np.ndarray, grad: np.ndarray, state: dict) -> np.ndarray:
        """g = ∇ + λθ (L2 weight decay added to the gradient, in a buffer), or ∇ when λ = 0."""
        if not self.weight_decay:
            return grad
        g = np.multiply(theta, self.weight_decay, out=self._buffer(state, "g", theta))
        g += grad
        return g

    def _buffer(self, state: dict, key: str, like: np.ndarray) -> np.ndarray:
        """The scratch/state array `key` of one parameter, allocated on first use."""
        buf = state.get(key)
        if buf is None:
            buf = state[key] = np.zeros_like(like, dtype=np.float64)
        return buf



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
        self.lr = checks.number("lr (learning rate)", lr)
        self.momentum = checks.number("momentum", momentum)
        self.dampening = checks.number("dampening", dampening, high=1.0, high_open=False)
        self.weight_decay = checks.number("weight_decay", weight_decay)
        self.nesterov = checks.flag("nesterov", nesterov)
        if self.nesterov and (self.momentum <= 0 or self.dampening != 0):
            raise PlaygroundError("Nesterov momentum needs momentum > 0 and dampening = 0.")

    def _update(self, theta, grad, state):
        mu, tau = self.momentum, self.dampening
        tmp = self._buffer(state, "tmp", theta)
        g = self._decayed(theta, grad, state)             # g = ∇ + λθ
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


class RMSprop(Optimizer):
    """RMSprop, as in ``torch.optim.RMSprop``.

    g ← ∇ + λθ
    v ← αv + (1 − α)g²
    centered:  ḡ ← αḡ + (1 − α)g,  d = √(v − ḡ²) + ε;   otherwise d = √v + ε
    if μ ≠ 0:  b ← μb + g/d,  θ ← θ − γb;               otherwise θ ← θ − γ g/d
    """

    def __init__(self, params: Iterable, lr: float = 1e-2, alpha: float = 0.99, eps: float = 1e-8,
                 weight_decay: float = 0.0, momentum: float = 0.0, centered: bool = False):
        super().__init__(params)
        self.lr = checks.number("lr (learning rate)", lr)
        self.alpha = checks.number("alpha", alpha, high=1.0, high_open=False)
        self.eps = checks.number("eps", eps)
        self.weight_decay = checks.number("weight_decay", weight_decay)
        self.momentum = checks.number("momentum", momentum)
        self.centered = checks.flag("centered", centered)

    def _update(self, theta, grad, state):
        alpha, tmp = self.alpha, self._buffer(state, "tmp", theta)
        g = self._decayed(theta, grad, state)
        v = self._buffer(state, "square_avg", theta)
        v *= alpha                                        # v = αv + (1 − α)g²
        v += np.multiply(np.multiply(g, g, out=tmp), 1.0 - alpha, out=tmp)
        if self.centered:                                 # ḡ = αḡ + (1 − α)g
            g_avg = self._buffer(state, "grad_avg", theta)
            g_avg *= alpha
            g_avg += np.multiply(g, 1.0 - alpha, out=tmp)
            denom = np.subtract(v, np.multiply(g_avg, g_avg, out=tmp), out=tmp)
            np.sqrt(denom, out=denom)                     # d = √(v − ḡ²) + ε
        else:
            denom = np.sqrt(v, out=tmp)                   # d = √v + ε
        denom += self.eps
        if self.momentum:                                 # b = μb + g/d;  θ = θ − γb
            b = self._buffer(state, "momentum_buffer", theta)
            b *= self.momentum
            b += np.divide(g, denom, out=denom)
            theta -= np.multiply(b, self.lr, out=tmp)
        else:                                             # θ = θ − γ g/d
            step = np.divide(g, denom, out=denom)
            step *= self.lr
            theta -= step


class Adagrad(Optimizer):
    """Adagrad, as in ``torch.optim.Adagrad``.

    g ← ∇ + λθ
    γₜ = γ / (1 + (t − 1)η)        (η the learning-rate decay, t the step number from 1)
    s ← s + g²                     (s starts at the initial accumulator value)
    θ ← θ − γₜ g / (√s + ε)
    """

    def __init__(self, params: Iterable, lr: float = 1e-2, lr_decay: float = 0.0,
                 weight_decay: float = 0.0, initial_accumulator_value: float = 0.0,
                 eps: float = 1e-10):
        super().__init__(params)
        self.lr = checks.number("lr (learning rate)", lr)
        self.lr_decay = checks.number("lr_decay", lr_decay)
        self.weight_decay = checks.number("weight_decay", weight_decay)
        self.initial_accumulator_value = checks.number("initial_accumulator_value",
                                                 initial_accumulator_value)
        self.eps = checks.number("eps", eps)

    def _update(self, theta, grad, state):
        tmp = self._buffer(state, "tmp", theta)
        g = self._decayed(theta, grad, state)
        s = state.get("sum")
        if s is None:
            s = state["sum"] = np.full_like(theta, self.initial_accumulator_value,
                                            dtype=np.float64)
        clr = self.lr / (1.0 + state["step"] * self.lr_decay)
        s += np.multiply(g, g, out=tmp)                   # s = s + g²
        denom = np.sqrt(s, out=tmp)                       # θ = θ − γₜ g / (√s + ε)
        denom += self.eps
        step = np.divide(g, denom, out=denom)
        step *= clr
        theta -= step


class Adam(Optimizer):
    """Adam, as in ``torch.optim.Adam`` (L2 weight decay added to the gradient; AdamW below
    decouples it).

    g ← ∇ + λθ
    m ← β₁m + (1 − β₁)g          v ← β₂v + (1 − β₂)g²
    AMSGrad: v̄ ← max(v̄, v), used in place of v below
    m̂ = m / (1 − β₁ᵗ)            v̂ = v / (1 − β₂ᵗ)
    θ ← θ − γ m̂ / (√v̂ + ε)

    computed in PyTorch's order: θ ← θ − (γ / (1 − β₁ᵗ)) · m / (√v / √(1 − β₂ᵗ) + ε).
    """

    def __init__(self, params: Iterable, lr: float = 1e-3,
                 betas: tuple[float, float] = (0.9, 0.999), eps: float = 1e-8,
                 weight_decay: float = 0.0, amsgrad: bool = False):
        super().__init__(params)
        self.lr = checks.number("lr (learning rate)", lr)
        try:
            b1, b2 = betas
        except (TypeError, ValueError):
            raise PlaygroundError(f"betas must be a pair (beta1, beta2), got {betas!r}.") from None
        self.betas = (checks.number("beta1", b1, high=1.0), checks.number("beta2", b2, high=1.0))
        self.eps = checks.number("eps", eps)
        self.weight_decay = checks.number("weight_decay", weight_decay)
        self.amsgrad = checks.flag("amsgrad", amsgrad)

    def _gradient(self, theta, grad, state):
        """The gradient Adam's moments follow: with L2 weight decay added."""
        return self._decayed(theta, grad, state)

    def _update(self, theta, grad, state):
        b1, b2 = self.betas
        m = self._buffer(state, "exp_avg", theta)
        v = self._buffer(state, "exp_avg_sq", theta)
        tmp = self._buffer(state, "tmp", theta)
        t = state["step"] + 1
        g = self._gradient(theta, grad, state)
        m *= b1                                           # m = β₁m + (1 − β₁)g
        m += np.multiply(g, 1.0 - b1, out=tmp)
        v *= b2                                           # v = β₂v + (1 − β₂)g²
        np.multiply(g, g, out=tmp)
        v += np.multiply(tmp, 1.0 - b2, out=tmp)
        if self.amsgrad:                                  # v̄ = max(v̄, v)
            v = np.maximum(self._buffer(state, "max_exp_avg_sq", theta), v,
                           out=state["max_exp_avg_sq"])
        bias_correction1 = 1.0 - b1**t
        bias_correction2 = 1.0 - b2**t
        step_size = self.lr / bias_correction1
        denom = np.sqrt(v, out=tmp)                       # √v / √(1 − β₂ᵗ) + ε
        denom /= math.sqrt(bias_correction2)
        denom += self.eps
        update = np.divide(m, denom, out=tmp)             # θ = θ − step_size · m / denom
        update *= step_size
        theta -= update


class AdamW(Adam):
    """AdamW, as in ``torch.optim.AdamW``: Adam with decoupled weight decay.

    θ ← θ(1 − γλ) first, then Adam's step with the plain gradient g = ∇.
    """

    def __init__(self, params: Iterable, lr: float = 1e-3,
                 betas: tuple[float, float] = (0.9, 0.999), eps: float = 1e-8,
                 weight_decay: float = 1e-2, amsgrad: bool = False):
        super().__init__(params, lr, betas, eps, weight_decay, amsgrad)

    def _gradient(self, theta, grad, state):
        theta *= 1.0 - self.lr * self.weight_decay       # θ = θ(1 − γλ)
        return grad


# ---- learning-rate schedules -----------------------------------------------------------------
class LRScheduler(_Settings):
    """Changes an optimizer's ``lr`` in place: call ``step()`` once after each optimizer step.

    As in ``torch.optim.lr_scheduler``: the schedule starts at t = 0 (setting the lr for the
    first step at construction), and step k uses lr(k − 1). Subclasses give ``lr_at(t)`` from
    ``base_lr``, the optimizer's lr when the schedule was made.
    """

    def __init__(self, optimizer: Optimizer):
        if not isinstance(getattr(optimizer, "lr", None), float):
            raise PlaygroundError("A schedule needs an optimizer with a learning rate (lr).")
        self.optimizer = optimizer
        self.base_lr = optimizer.lr
        self.last_epoch = 0  # PyTorch's name for t, the number of step() calls
        optimizer.lr = self.lr_at(0)

    def lr_at(self, t: int) -> float:
        raise NotImplementedError

    def step(self) -> None:
        self.last_epoch += 1
        self.optimizer.lr = self.lr_at(self.last_epoch)


class StepLR(LRScheduler):
    """lr(t) = base_lr · γ^⌊t / step_size⌋: multiplied by γ every `step_size` steps."""

    def __init__(self, optimizer: Optimizer, step_size: int, gamma: float = 0.1):
        self.step_size = checks.whole("step_size", step_size)
        self.gamma = checks.number("gamma", gamma)
        super().__init__(optimizer)

    def lr_at(self, t):
        return self.base_lr * self.gamma ** (t // self.step_size)


class ExponentialLR(LRScheduler):
    """lr(t) = base_lr · γᵗ."""

    def __init__(self, optimizer: Optimizer, gamma: float):
        self.gamma = checks.number("gamma", gamma)
        super().__init__(optimizer)

    def lr_at(self, t):
        return self.base_lr * self.gamma**t


class CosineAnnealingLR(LRScheduler):
    """lr(t) = η_min + (base_lr − η_min)(1 + cos(πt / T_max)) / 2: from base_lr down to η_min at
    t = T_max along half a cosine (and back up after, as in PyTorch)."""

    def __init__(self, optimizer: Optimizer, T_max: int, eta_min: float = 0.0):  # noqa: N803
        self.T_max = checks.whole("T_max", T_max)
        self.eta_min = checks.number("eta_min", eta_min)
        super().__init__(optimizer)

    def lr_at(self, t):
        cosine = (1.0 + math.cos(math.pi * t / self.T_max)) / 2.0
        return self.eta_min + (self.base_lr - self.eta_min) * cosine


class LinearLR(LRScheduler):
    """lr(t) = base_lr · (s + (e − s) · min(t, T) / T): the factor goes linearly from
    `start_factor` s to `end_factor` e over `total_iters` T steps (a warm-up when s < e)."""

    def __init__(self, optimizer: Optimizer, start_factor: float = 1.0 / 3,
                 end_factor: float = 1.0, total_iters: int = 5):
        self.start_factor = checks.number("start_factor", start_factor, low_open=True, high=1.0,
                                    high_open=False)
        self.end_factor = checks.number("end_factor", end_factor, high=1.0, high_open=False)
        self.total_iters = checks.whole("total_iters", total_iters)
        super().__init__(optimizer)

    def lr_at(self, t):
        s, e, total = self.start_factor, self.end_factor, self.total_iters
        return self.base_lr * (s + (e - s) * min(t, total) / total)

