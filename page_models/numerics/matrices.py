"""Matrices: small integer ones, ones with a chosen condition number, singular values, the
sensitivity of Ax = b, and gradient descent on a quadratic (the one helper for it)."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from engine.errors import PlaygroundError
from engine.limits import check_limit
from engine.optim import SGD
from engine.tensor import Tensor
from page_models.limits import MAX_MATRIX_DIM
from page_models.numerics.differences import EPS


def integer_matrix(rows: int, cols: int, seed: int) -> np.ndarray:
    """A seeded rows×cols matrix of small whole numbers (−3 … 3), easy to multiply by hand."""
    check_limit("The number of matrix entries", rows * cols, MAX_MATRIX_DIM**2)
    return np.random.default_rng(seed).integers(-3, 4, size=(rows, cols)).astype(np.float64)


def matrix_with_condition(n: int, kappa: float, seed: int) -> np.ndarray:
    """A symmetric positive definite n×n matrix Q diag(λ) Qᵀ with eigenvalues from 1 to 1/κ
    (evenly spaced on a log scale), so its condition number is κ."""
    q, _ = np.linalg.qr(np.random.default_rng(seed).normal(size=(n, n)))
    eigenvalues = np.geomspace(1.0, 1.0 / kappa, n)
    a = q @ np.diag(eigenvalues) @ q.T
    return (a + a.T) / 2


@dataclass(frozen=True)
class SvdSummary:
    singular_values: np.ndarray  # largest first
    rank: int  # singular values above σ₁ · max(m, n) · ε (NumPy's matrix_rank tolerance)
    condition_number: float  # σ_max / σ_min (inf if σ_min = 0)


def svd_summary(a: np.ndarray) -> SvdSummary:
    s = np.linalg.svd(a, compute_uv=False)
    tolerance = s[0] * max(a.shape) * EPS
    cond = s[0] / s[-1] if s[-1] > 0 else math.inf
    return SvdSummary(s, int(np.sum(s > tolerance)), float(cond))


def low_rank_errors(a: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """For k = 0 … rank: the best rank-k approximation A_k = Σ_{i≤k} σᵢ uᵢ vᵢᵀ, and its errors
    ‖A − A_k‖₂ (spectral) and ‖A − A_k‖_F (Frobenius). Returns (k, spectral, frobenius)."""
    u, s, vt = np.linalg.svd(a)
    ks = np.arange(len(s) + 1)
    spectral, frobenius = [], []
    for k in ks:
        residual = a - (u[:, :k] * s[:k]) @ vt[:k]
        spectral.append(np.linalg.norm(residual, 2))
        frobenius.append(np.linalg.norm(residual, "fro"))
    return ks, np.array(spectral), np.array(frobenius)


@dataclass(frozen=True)
class SolveSensitivity:
    """Solving Ax = b with b perturbed by a small relative amount."""

    b_change: float  # ‖δb‖ / ‖b‖
    x_change: float  # ‖δx‖ / ‖x‖
    bound: float  # κ · ‖δb‖ / ‖b‖, the worst case


def solve_sensitivity(a: np.ndarray, relative_noise: float, seed: int) -> SolveSensitivity:
    """Solve Ax = b for x = (1, …, 1), then again with b moved by `relative_noise`·‖b‖ in a
    random direction, and compare how much x moved."""
    x = np.ones(a.shape[1])
    b = a @ x
    if not np.linalg.norm(b) > 0:
        raise PlaygroundError("b = A·(1, …, 1) is zero (or too small to compute with), so its "
                              "relative change is undefined: scale A up.")
    direction = np.random.default_rng(seed).normal(size=b.shape)
    delta_b = relative_noise * np.linalg.norm(b) * direction / np.linalg.norm(direction)
    x_new = np.linalg.solve(a, b + delta_b)
    b_change = float(np.linalg.norm(delta_b) / np.linalg.norm(b))
    x_change = float(np.linalg.norm(x_new - x) / np.linalg.norm(x))
    return SolveSensitivity(b_change, x_change, float(np.linalg.cond(a)) * b_change)


def quadratic_descent(a: np.ndarray, b: np.ndarray, start: np.ndarray, lr: float, steps: int,
                      bound: float = math.inf) -> np.ndarray:
    """Gradient descent on f(x) = ½ xᵀAx − bᵀx (A symmetric: the gradient is Ax − b, from the
    engine's backward pass, the step the engine's SGD) from `start` with learning rate `lr`.

    Returns the iterates x_0 … x_steps as rows, stopped before the first one with an entry
    larger than `bound` in size.
    """
    x = Tensor(np.array(start, dtype=np.float64), requires_grad=True, name="x")
    optimizer = SGD([x], lr=lr)
    path = [x.data.copy()]
    for _ in range(steps):
        optimizer.zero_grad()
        (0.5 * (x @ (a @ x)) - b @ x).backward()
        optimizer.step()
        if np.abs(x.data).max() > bound:
            break
        path.append(x.data.copy())
    return np.array(path)
