"""Seeded toy datasets, identical on every machine.

Every generator takes ``(n, noise, seed)`` plus a few shape keywords and returns a `Dataset`.
Randomness comes only from ``np.random.default_rng(seed)`` (no global state). Inputs lie roughly
in [-2, 2] so a network trains without preprocessing. ``noise`` is the standard deviation of
Gaussian jitter in those same units: added to the inputs for classification, to the target for
regression. With ``noise=0`` the points lie exactly on the clean shape. Classes are as balanced
as n allows and the rows come in random order.

Pages name a dataset in a URL: ``make_dataset("moons", n=200, noise=0.1, seed=0)``.
"""

from __future__ import annotations

import inspect
import math
from collections.abc import Callable
from dataclasses import dataclass, replace

import numpy as np

from engine import checks
from engine.checks import MAX_SEED  # a page offers seeds up to it
from engine.errors import PlaygroundError
from engine.limits import MAX_SAMPLES, check_limit

__all__ = [
    "DATASETS",
    "MAX_NOISE",
    "MAX_SEED",
    "MAX_SAMPLES",
    "MIN_SAMPLES",
    "Dataset",
    "make_blobs",
    "make_circles",
    "make_dataset",
    "make_moons",
    "make_regression",
    "make_spiral",
    "make_xor",
    "regression_curve",
    "train_val_split",
]

MIN_SAMPLES = 10  # fewest points in a dataset (both parts of a split must be non-empty)
MAX_NOISE = 1.0  # largest noise standard deviation (the inputs span about [-2, 2])


@dataclass(frozen=True, eq=False)
class Dataset:
    """A toy dataset.

    X: (n, 2) float64 inputs; (n, 1) for "regression".
    y: (n,) int64 class labels in [0, n_classes) for classification; (n, 1) float64 targets for
       regression.
    task: "classification" or "regression".
    n_classes: number of classes; 0 for regression.
    name: the registry name, e.g. "moons".
    """

    X: np.ndarray
    y: np.ndarray
    task: str
    n_classes: int
    name: str

    def __len__(self) -> int:
        return len(self.X)

    @property
    def n_features(self) -> int:
        """Width of the network's input layer."""
        return self.X.shape[1]

    @property
    def n_outputs(self) -> int:
        """Width of the network's output layer: one logit per class, or 1 for regression."""
        return self.n_classes if self.task == "classification" else 1


def _start(n, noise, seed) -> tuple[int, float, np.random.Generator]:
    """Check the common arguments and return (n, noise, rng)."""
    n = checks.whole("The number of points n", n, MIN_SAMPLES)
    check_limit("The number of points n", n, MAX_SAMPLES)
    noise = checks.number("noise", noise, low=0.0, high=MAX_NOISE, high_open=False)
    seed = checks.seed(seed)
    return n, noise, np.random.default_rng(seed)


def _balanced_labels(n: int, k: int, rng: np.random.Generator) -> np.ndarray:
    """n labels in [0, k), as equal in count as possible, in random order."""
    return rng.permutation(np.arange(n) % k).astype(np.int64)


def _classification(X, y, noise, rng, k, name) -> Dataset:
    if noise:
        X = X + rng.normal(0.0, noise, size=X.shape)
    return Dataset(np.ascontiguousarray(X, dtype=np.float64), y, "classification", k, name)


# ---- generators ------------------------------------------------------------------------------
MOONS_SCALE = 1.3
MOONS_CENTERS = MOONS_SCALE * np.array([[-0.5, -0.25], [0.5, 0.25]])


def make_moons(n: int = 200, noise: float = 0.1, seed: int = 0) -> Dataset:
    """Two interleaving half circles of radius 1.3.

    Class 0: upper half of the circle centred at MOONS_CENTERS[0] = (-0.65, -0.325).
    Class 1: lower half of the circle centred at MOONS_CENTERS[1] = (0.65, 0.325).
    """
    n, noise, rng = _start(n, noise, seed)
    y = _balanced_labels(n, 2, rng)
    angle = rng.uniform(0.0, math.pi, size=n)
    sign = np.where(y == 0, 1.0, -1.0)[:, None]             # class 1 takes the lower half
    X = MOONS_CENTERS[y] + MOONS_SCALE * sign * np.column_stack([np.cos(angle), np.sin(angle)])
    return _classification(X, y, noise, rng, 2, "moons")


def make_circles(n: int = 200, noise: float = 0.1, seed: int = 0, factor: float = 0.5) -> Dataset:
    """A circle of radius `factor`·1.6 (class 1) inside a circle of radius 1.6 (class 0)."""
    n, noise, rng = _start(n, noise, seed)
    factor = checks.number("factor (inner radius / outer radius)", factor, low=0.05, high=0.95,
                           high_open=False)
    y = _balanced_labels(n, 2, rng)
    angle = rng.uniform(0.0, 2.0 * math.pi, size=n)
    radius = np.where(y == 0, 1.6, 1.6 * factor)
    X = radius[:, None] * np.column_stack([np.cos(angle), np.sin(angle)])
    return _classification(X, y, noise, rng, 2, "circles")


def make_xor(n: int = 200, noise: float = 0.1, seed: int = 0) -> Dataset:
    """Four quadrant squares: |x₁|, |x₂| uniform in [0.2, 1.8]; class 1 where x₁·x₂ < 0.

    Labels come from the clean quadrant, so noise can push a point across an axis.
    """
    n, noise, rng = _start(n, noise, seed)
    quadrant = _balanced_labels(n, 4, rng)
    signs = np.array([[1.0, 1.0], [-1.0, -1.0], [-1.0, 1.0], [1.0, -1.0]])[quadrant]
    X = signs * rng.uniform(0.2, 1.8, size=(n, 2))
    y = (quadrant >= 2).astype(np.int64)
    return _classification(X, y, noise, rng, 2, "xor")


def make_spiral(n: int = 200, noise: float = 0.1, seed: int = 0, arms: int = 2,
                turns: float = 1.0) -> Dataset:
    """`arms` interleaved spiral arms (one class each), radius 0 to 2.

    A point at s ∈ [0, 1] along arm j has radius 2s and angle 2π(j/arms + turns·s).
    """
    n, noise, rng = _start(n, noise, seed)
    arms = checks.whole("arms", arms, 2, 6)
    turns = checks.number("turns", turns, low=0.25, high=3.0, high_open=False)
    y = _balanced_labels(n, arms, rng)
    s = rng.uniform(0.0, 1.0, size=n)
    angle = 2.0 * math.pi * (y / arms + turns * s)
    X = (2.0 * s)[:, None] * np.column_stack([np.cos(angle), np.sin(angle)])
    return _classification(X, y, noise, rng, arms, "spiral")


def blob_centers(k: int) -> np.ndarray:
    """The (k, 2) centres of make_blobs: evenly spaced on a circle of radius 1.5."""
    angle = math.pi / 4 + 2.0 * math.pi * np.arange(k) / k
    return 1.5 * np.column_stack([np.cos(angle), np.sin(angle)])


def make_blobs(n: int = 200, noise: float = 0.1, seed: int = 0, k: int = 3,
               spread: float = 0.3) -> Dataset:
    """k Gaussian blobs (one class each) around blob_centers(k).

    Each blob has standard deviation `spread`; noise adds on top (total √(spread² + noise²)).
    """
    n, noise, rng = _start(n, noise, seed)
    k = checks.whole("k (number of blobs)", k, 2, 8)
    spread = checks.number("spread", spread, low=0.0, high=1.0, high_open=False)
    y = _balanced_labels(n, k, rng)
    X = blob_centers(k)[y] + rng.normal(0.0, math.hypot(spread, noise), size=(n, 2))
    return Dataset(X, y, "classification", k, "blobs")


def regression_curve(x: np.ndarray) -> np.ndarray:
    """The noise-free target of make_regression: sin(2x)."""
    return np.sin(2.0 * np.asarray(x, dtype=np.float64))


def make_regression(n: int = 200, noise: float = 0.1, seed: int = 0) -> Dataset:
    """1-D regression: X is (n, 1), uniform in [-2, 2]; y = sin(2x) + noise, shape (n, 1)."""
    n, noise, rng = _start(n, noise, seed)
    X = rng.uniform(-2.0, 2.0, size=(n, 1))
    y = regression_curve(X)
    if noise:
        y = y + rng.normal(0.0, noise, size=y.shape)
    return Dataset(X, y, "regression", 0, "regression")


DATASETS: dict[str, Callable[..., Dataset]] = {
    "moons": make_moons,
    "circles": make_circles,
    "xor": make_xor,
    "spiral": make_spiral,
    "blobs": make_blobs,
    "regression": make_regression,
}
"""Dataset names a page can put in a URL -> generator ``(n, noise, seed, **kw) -> Dataset``."""


def make_dataset(name: str, n: int = 200, noise: float = 0.1, seed: int = 0, **kw) -> Dataset:
    """Build a registered dataset by name, e.g. ``make_dataset("blobs", n=300, k=4)``."""
    key = str(name).strip().lower()
    if key not in DATASETS:
        raise PlaygroundError(f"Unknown dataset {name!r}; choose one of: {', '.join(DATASETS)}.")
    make = DATASETS[key]
    extra = list(inspect.signature(make).parameters)[3:]
    unknown = sorted(set(kw) - set(extra))
    if unknown:
        has = f"its settings are: {', '.join(extra)}" if extra else "it has no extra settings"
        raise PlaygroundError(f"Dataset {key!r} has no setting {', '.join(unknown)}; {has}.")
    return make(n=n, noise=noise, seed=seed, **kw)


def train_val_split(dataset: Dataset, val_fraction: float = 0.2,
                    seed: int = 0) -> tuple[Dataset, Dataset]:
    """Randomly split into (train, validation); both parts get at least one point."""
    val_fraction = checks.number("val_fraction", val_fraction, low=0.0, high=1.0, high_open=False)
    if not 0.0 < val_fraction < 1.0:
        raise PlaygroundError(
            f"val_fraction must be strictly between 0 and 1, got {val_fraction:g}.")
    n = len(dataset)
    if n < 2:
        raise PlaygroundError("A dataset needs at least 2 points to be split.")
    seed = checks.seed(seed)
    n_val = min(max(round(n * val_fraction), 1), n - 1)
    order = np.random.default_rng(seed).permutation(n)
    val, train = order[:n_val], order[n_val:]
    return (replace(dataset, X=dataset.X[train], y=dataset.y[train]),
            replace(dataset, X=dataset.X[val], y=dataset.y[val]))
