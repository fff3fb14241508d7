"""Finite differences against the engine's exact derivative: the error of each step h."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from engine.tensor import Tensor, no_grad

EPS = float(np.finfo(np.float64).eps)  # 2.2e-16: the spacing of float64 numbers near 1


@dataclass(frozen=True)
class DifferenceErrors:
    """|numerical − exact| derivative of f at x, for each step size h."""

    h: np.ndarray
    forward: np.ndarray  # (f(x+h) − f(x)) / h
    central: np.ndarray  # (f(x+h) − f(x−h)) / 2h
    exact: float  # from the engine's backward pass

    @property
    def best_forward(self) -> float:
        return float(np.nanmin(self.forward))

    @property
    def best_central(self) -> float:
        return float(np.nanmin(self.central))


def exact_derivative(f: Callable[[Tensor], Tensor], x: float) -> float:
    """f'(x) by the engine's backward pass."""
    t = Tensor(x, requires_grad=True)
    f(t).backward()
    return float(t.grad)


def difference_errors(f: Callable[[Tensor], Tensor], x: float, h: np.ndarray) -> DifferenceErrors:
    """Errors of the forward and central differences of f at x, f evaluated by the engine."""
    def values(points):
        with no_grad():
            return f(Tensor(points)).data

    exact = exact_derivative(f, x)
    fx, right, left = values(x), values(x + h), values(x - h)
    with np.errstate(all="ignore"):
        forward = (right - fx) / h
        central = (right - left) / (2 * h)
    return DifferenceErrors(h, np.abs(forward - exact), np.abs(central - exact), exact)
