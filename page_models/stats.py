"""Small numerics behind the Building Blocks page: typed numbers, sampling, scaling,
finite-difference errors and singular values. NumPy and the engine only.

Randomness always comes from ``np.random.default_rng(seed)``, so a seed in a URL reproduces a view.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from engine.errors import PlaygroundError
from engine.functional import softmax
from engine.limits import check_limit
from engine.optim import SGD
from engine.tensor import Tensor, no_grad
from page_models.limits import MAX_DRAWS, MAX_MATRIX_DIM, MAX_QUADRATIC_STEPS, MAX_TYPED_NUMBERS

EPS = float(np.finfo(np.float64).eps)  # 2.2e-16: the spacing of float64 numbers near 1

# ---- numbers a user typed -------------------------------------------------------------------


def parse_number(token: str) -> float:
    """A finite float from one typed token (never eval'd), or a PlaygroundError naming it."""
    try:
        value = float(token)
    except ValueError:
        raise PlaygroundError(f"‘{token}’ is not a number.") from None
    if not math.isfinite(value):
        raise PlaygroundError(f"‘{token}’ is not a finite number.")
    return value


def parse_numbers(text: str, what: str = "numbers", cap: int = MAX_TYPED_NUMBERS) -> np.ndarray:
    """Numbers separated by commas, semicolons or whitespace, e.g. "1, 2.5 -3"."""
    tokens = [t for t in re.split(r"[,;\s]+", text) if t]
    if not tokens:
        raise PlaygroundError(f"Type at least one number in {what}.")
    check_limit(f"The count of {what}", len(tokens), cap)
    return np.array([parse_number(t) for t in tokens])


def parse_labelled_scores(text: str, cap: int) -> tuple[list[str], np.ndarray]:
    """Labels and scores from items separated by commas or new lines: "cat 2.1, dog 0.5".

    Each item is a label followed by a number ("cat 2.1", "cat: 2.1", "cat=2.1") or just a
    number, which gets the label "#k" (its 1-based position); an item of numbers only ("1 2 3")
    is that many unlabelled scores. A repeated label gets its count appended ("cat", "cat (2)"),
    so every score keeps its own bar.
    """
    items = [item.strip() for item in re.split(r"[,;\n]+", text) if item.strip()]
    if not items:
        raise PlaygroundError("Type at least one score, e.g. “cat 2.1, dog 0.5”.")
    pairs = []  # (label or None, number text)
    for item in items:
        *label, number = parts = [part for part in re.split(r"[\s:=]+", item) if part]
        if label and all(_is_number(part) for part in parts):
            pairs.extend((None, part) for part in parts)
        else:
            pairs.append((" ".join(label) or None, number))
    check_limit("The count of scores", len(pairs), cap)
    labels = [label or f"#{k}" for k, (label, _) in enumerate(pairs, start=1)]
    return unique_labels(labels), np.array([parse_number(number) for _, number in pairs])


def _is_number(token: str) -> bool:
    try:
        float(token)
    except ValueError:
        return False
    return True


def unique_labels(labels: list[str]) -> list[str]:
    """The labels with the k-th repeat of a label renamed "label (k)": ["a", "a (2)"]."""
    seen: dict[str, int] = {}
    unique = []
    for label in labels:
        seen[label] = seen.get(label, 0) + 1
        unique.append(label if seen[label] == 1 else f"{label} ({seen[label]})")
    return unique


# ---- sampling -------------------------------------------------------------------------------


def tempered_softmax(scores: np.ndarray, temperature: float) -> np.ndarray:
    """softmax(z / T), computed as softmax((z − max z) / T) with the engine's softmax: the same
    probabilities, and no overflow even for scores near the float64 limit (a gap that
    overflows to −∞ gets probability 0)."""
    if not temperature > 0:
        raise PlaygroundError(f"The temperature must be > 0, not {temperature:g}.")
    with np.errstate(over="ignore"):
        shifted = (scores - scores.max()) / temperature
    return softmax(Tensor(shifted)).data


def draw_counts(probs: np.ndarray, n: int, seed: int) -> np.ndarray:
    """Draw n classes with probabilities `probs`; return how often each class was drawn."""
    check_limit("The number of draws", n, MAX_DRAWS)
    draws = np.random.default_rng(seed).choice(len(probs), size=n, p=probs / probs.sum())
    return np.bincount(draws, minlength=len(probs))


@dataclass(frozen=True)
class Distribution:
    """A population: its mean and standard deviation, a sampler, its density (pmf if discrete)."""

    name: str
    latex: str  # the density as a formula
    mean: float
    std: float
    discrete: bool
    sample: Callable[[np.random.Generator, int], np.ndarray]
    density: Callable[[np.ndarray], np.ndarray]


def uniform(low: float, high: float) -> Distribution:
    if not low < high:
        raise PlaygroundError(f"The uniform distribution needs low < high, not {low:g} ≥ {high:g}.")
    width = high - low
    return Distribution(
        name="uniform",
        latex=r"p(x) = \frac{1}{b - a} \text{ for } a \le x \le b",
        mean=(low + high) / 2,
        std=width / math.sqrt(12),
        discrete=False,
        sample=lambda rng, n: rng.uniform(low, high, n),
        density=lambda x: np.where((x >= low) & (x <= high), 1.0 / width, 0.0),
    )


def normal(mean: float, std: float) -> Distribution:
    if not std > 0:
        raise PlaygroundError(f"A normal distribution needs a standard deviation > 0, not {std:g}.")
    return Distribution(
        name="normal",
        latex=r"p(x) = \frac{1}{\sigma\sqrt{2\pi}}\, e^{-(x-\mu)^2 / 2\sigma^2}",
        mean=mean,
        std=std,
        discrete=False,
        sample=lambda rng, n: rng.normal(mean, std, n),
        density=lambda x: np.exp(-0.5 * ((x - mean) / std) ** 2) / (std * math.sqrt(2 * math.pi)),
    )


def bernoulli(p: float) -> Distribution:
    if not 0 <= p <= 1:
        raise PlaygroundError(f"A Bernoulli probability must be between 0 and 1, not {p:g}.")
    return Distribution(
        name="Bernoulli",
        latex=r"P(X = 1) = p,\quad P(X = 0) = 1 - p",
        mean=p,
        std=math.sqrt(p * (1 - p)),
        discrete=True,
        sample=lambda rng, n: (rng.random(n) < p).astype(np.float64),
        density=lambda x: np.where(x == 1, p, np.where(x == 0, 1 - p, 0.0)),
    )


def draw_samples(dist: Distribution, n: int, seed: int) -> np.ndarray:
    check_limit("The sample size", n, MAX_DRAWS)
    return dist.sample(np.random.default_rng(seed), n)


def sample_mean_std(x: np.ndarray) -> tuple[float, float | None]:
    """Sample mean and sample standard deviation (with n − 1: None, undefined, for one value)."""
    return float(x.mean()), float(x.std(ddof=1)) if x.size > 1 else None


# ---- scaling --------------------------------------------------------------------------------


def _check_finite(value: float, what: str) -> None:
    """A clear message instead of inf/nan when numbers near the float64 limit overflow."""
    if not math.isfinite(value):
        raise PlaygroundError(
            f"These numbers are too large: {what} overflows float64 (whose largest number is "
            "about 1.8·10³⁰⁸). Use numbers below 10¹⁵⁰ in size.")


def min_max_scale(x: np.ndarray) -> np.ndarray:
    """(x − min) / (max − min): the smallest value goes to 0, the largest to 1."""
    with np.errstate(over="ignore"):
        spread = x.max() - x.min()
    _check_finite(spread, "max − min")
    if spread == 0:
        raise PlaygroundError(
            f"All the numbers equal {x[0]:g}, so max − min = 0 and min–max scaling would divide "
            "by zero. Use at least two different numbers.")
    return (x - x.min()) / spread


def outlier_squeeze(scale: Callable[[np.ndarray], np.ndarray], x: np.ndarray) -> float:
    """How many times narrower `scale` (min_max_scale or z_scores) leaves the other points once
    the last value of x, an outlier, joins them: their scaled range without it over with it."""
    if x.size < 3:
        raise PlaygroundError("Give at least two ordinary numbers and then the outlier.")
    return float(np.ptp(scale(x[:-1])) / np.ptp(scale(x)[:-1]))


def z_scores(x: np.ndarray) -> np.ndarray:
    """(x − mean) / std with the population std, so the z-scores have mean 0 and std 1."""
    with np.errstate(over="ignore", invalid="ignore"):
        std = x.std()
    _check_finite(std, "the standard deviation")
    if std == 0:
        raise PlaygroundError(
            f"All the numbers equal {x[0]:g}, so their standard deviation is 0 and z-scores "
            "would divide by zero. Use at least two different numbers.")
    return (x - x.mean()) / std


def fraction_within(z: np.ndarray, k: float) -> float:
    """The fraction of z-scores within k standard deviations of the mean: |z| ≤ k."""
    return float(np.mean(np.abs(z) <= k))


def normal_fraction_within(k: float) -> float:
    """P(|Z| ≤ k) for a standard normal Z: 0.683, 0.954, 0.997 for k = 1, 2, 3."""
    return math.erf(k / math.sqrt(2))


# ---- finite differences ---------------------------------------------------------------------


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


# ---- matrices -------------------------------------------------------------------------------


def integer_matrix(rows: int, cols: int, seed: int) -> np.ndarray:
    """A seeded rows×cols matrix of small whole numbers (−3 … 3), easy to multiply by hand."""
    check_limit("The number of matrix entries", rows * cols, MAX_MATRIX_DIM**2)
    return np.random.default_rng(seed).integers(-3, 4, size=(rows, cols)).astype(np.float64)


def parse_matrix(text: str, max_dim: int = MAX_MATRIX_DIM, max_abs: float = 1e100) -> np.ndarray:
    """A matrix typed row by row, rows separated by ';' or new lines: "4 1; 1 3". Entries
    above `max_abs` in size are refused (its SVD would overflow float64)."""
    rows = [row for row in re.split(r"[;\n]+", text) if row.strip()]
    if not rows:
        raise PlaygroundError("Type a matrix, rows separated by ';', e.g. “4 1; 1 3”.")
    check_limit("The number of matrix rows", len(rows), max_dim)
    matrix = [parse_numbers(row, f"row {i} of the matrix", cap=max_dim)
              for i, row in enumerate(rows, start=1)]
    for i, row in enumerate(matrix[1:], start=2):
        if len(row) != len(matrix[0]):
            raise PlaygroundError(f"Row {i} of the matrix has {len(row)} number(s) but row 1 "
                                  f"has {len(matrix[0])}; every row needs the same count.")
    if np.abs(matrix).max() > max_abs:
        raise PlaygroundError(f"Use matrix entries of at most {max_abs:g} in size.")
    return np.array(matrix)


# ---- conditioning ---------------------------------------------------------------------------


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


def quadratic_descent(a: np.ndarray, steps: int) -> np.ndarray:
    """Gradient descent on f(x) = ½ xᵀAx − bᵀx from x = 0, with b = A·1 (so the minimum is at
    x* = 1) and learning rate 1/λ_max; gradients from the engine's backward pass.

    Returns the relative distance ‖x_k − x*‖ / ‖x*‖ for k = 0 … steps.
    """
    check_limit("The number of gradient-descent steps", steps, MAX_QUADRATIC_STEPS)
    target = np.ones(a.shape[0])
    b = a @ target
    x = Tensor(np.zeros(a.shape[0]), requires_grad=True, name="x")
    with np.errstate(over="ignore", divide="ignore"):
        lr = 1.0 / np.linalg.eigvalsh(a)[-1]
    if not np.isfinite(lr):
        raise PlaygroundError("A's largest eigenvalue is too small to compute with, so the "
                              "learning rate 1/λ_max is not a number: scale A up.")
    optimizer = SGD([x], lr=lr)
    distances = [1.0]
    for _ in range(steps):
        optimizer.zero_grad()
        (0.5 * (x @ (a @ x)) - b @ x).backward()
        optimizer.step()
        distances.append(np.linalg.norm(x.data - target) / np.linalg.norm(target))
    return np.array(distances)
