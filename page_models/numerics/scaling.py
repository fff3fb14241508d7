"""Scaling numbers: min-max, z-scores (s over n − 1), what an outlier does to each, and the
share within ±k standard deviations."""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np

from engine.errors import PlaygroundError


def _divisor(value: float, x: np.ndarray, what: str, is_zero: str, scaling: str) -> float:
    """`value` (the spread `what` of x) if it can be divided by; else a clear message instead of
    inf/nan (numbers near the float64 limit overflow) or a division by zero."""
    if not math.isfinite(value):
        raise PlaygroundError(
            f"These numbers are too large: {what} overflows float64 (whose largest number is "
            "about 1.8·10³⁰⁸). Use numbers below 10¹⁵⁰ in size.")
    if value == 0:
        raise PlaygroundError(
            f"All the numbers equal {x[0]:g}, so {is_zero} and {scaling} would divide by zero. "
            "Use at least two different numbers.")
    return value


def min_max_scale(x: np.ndarray) -> np.ndarray:
    """(x − min) / (max − min): the smallest value goes to 0, the largest to 1."""
    with np.errstate(over="ignore"):
        spread = x.max() - x.min()
    spread = _divisor(spread, x, "max − min", "max − min = 0", "min–max scaling")
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
    std = _divisor(std, x, "the standard deviation", "their standard deviation is 0", "z-scores")
    return (x - x.mean()) / std


def fraction_within(z: np.ndarray, k: float) -> float:
    """The fraction of z-scores within k standard deviations of the mean: |z| ≤ k."""
    return float(np.mean(np.abs(z) <= k))


def normal_fraction_within(k: float) -> float:
    """P(|Z| ≤ k) for a standard normal Z: 0.683, 0.954, 0.997 for k = 1, 2, 3."""
    return math.erf(k / math.sqrt(2))
