"""Numerical check of analytic gradients by central differences in float64."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from engine.tensor import Tensor, no_grad


@dataclass
class InputCheck:
    """Analytic against numeric gradient of one input."""

    name: str
    analytic: np.ndarray
    numeric: np.ndarray
    max_abs_error: float
    max_rel_error: float
    passed: bool


@dataclass
class GradCheckReport:
    inputs: list[InputCheck]

    @property
    def passed(self) -> bool:
        return all(check.passed for check in self.inputs)


def gradcheck(
    fn: Callable[..., Tensor],
    inputs: Sequence[Tensor],
    eps: float = 1e-6,
    atol: float = 1e-5,
    rtol: float = 1e-3,
    seed: int = 0,
) -> GradCheckReport:
    """Compare backward() with (f(x + eps) − f(x − eps)) / 2eps for every entry of every input.

    `fn(*inputs)` must rebuild the computation from the inputs. A non-scalar output is checked
    through a random projection ⟨v, f(x)⟩ with a seeded v, which tests the full vector-Jacobian
    product. An entry passes when |analytic − numeric| ≤ atol + rtol·|numeric| (as in
    torch.autograd.gradcheck). The inputs' data and gradients are left as they were.
    """
    saved_grads = [t.grad for t in inputs]
    for t in inputs:
        t.grad = None
    out = fn(*inputs)
    rng = np.random.default_rng(seed)
    v = np.ones(out.shape) if out.size == 1 else rng.standard_normal(out.shape)
    out.backward(v)
    analytic = [np.zeros_like(t.data) if t.grad is None else t.grad for t in inputs]
    for t, grad in zip(inputs, saved_grads):
        t.grad = grad

    def projected() -> float:
        return float(np.sum(fn(*inputs).data * v))

    checks = []
    with no_grad(), np.errstate(all="ignore"):
        for i, t in enumerate(inputs):
            numeric = np.zeros(t.shape)
            for k in np.ndindex(t.shape):  # in place, so views of t.data see the nudges too
                original = t.data[k]
                t.data[k] = original + eps
                f_plus = projected()
                t.data[k] = original - eps
                f_minus = projected()
                t.data[k] = original
                numeric[k] = (f_plus - f_minus) / (2 * eps)
            checks.append(_compare(t.name or f"input {i}", analytic[i], numeric, atol, rtol))
    return GradCheckReport(checks)


def _compare(name, analytic, numeric, atol, rtol) -> InputCheck:
    error = np.abs(analytic - numeric)
    scale = np.maximum(np.abs(analytic), np.abs(numeric))
    relative = np.divide(error, scale, out=np.zeros_like(error), where=scale > 0)
    passed = bool(np.all(error <= atol + rtol * np.abs(numeric)))
    max_abs, max_rel = float(error.max(initial=0.0)), float(relative.max(initial=0.0))
    return InputCheck(name, analytic, numeric, max_abs, max_rel, passed)
