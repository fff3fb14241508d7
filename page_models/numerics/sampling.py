"""Sampling: softmax with a temperature, draws from it, and three distributions with their
samples. Randomness comes from ``np.random.default_rng(seed)``, so a seed in a URL reproduces a
view."""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from engine.errors import PlaygroundError
from engine.functional import softmax
from engine.limits import check_limit
from engine.tensor import Tensor
from page_models.limits import MAX_DRAWS


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
