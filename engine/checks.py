"""The engine's argument checks: each returns the value in its plain type, or raises
PlaygroundError with a message a student understands (naming the argument and what it got).

Caps (a number above what the public instance allows) are engine.limits.check_limit.
"""

from __future__ import annotations

import math
from numbers import Integral, Real

import numpy as np

from engine.errors import PlaygroundError
from engine.limits import MAX_WIDTH, check_limit

__all__ = ["flag", "instance", "number", "positive", "probability", "recipe", "seed", "size",
           "whole"]

MAX_SEED = 2**32 - 1  # NumPy's seeds are unsigned 32-bit


def number(name: str, value, *, low: float = 0.0, low_open: bool = False,
           high: float = math.inf, high_open: bool = True) -> float:
    """`value` as a float after checking it is a real number in the given interval."""
    if isinstance(value, bool) or not isinstance(value, Real):
        raise PlaygroundError(f"{name} must be a number, got {value!r}.")
    value = float(value)
    too_low = value <= low if low_open else value < low
    too_high = value >= high if high_open else value > high
    if math.isnan(value) or too_low or too_high:
        left, right = "(" if low_open else "[", ")" if high_open else "]"
        raise PlaygroundError(f"{name} must be in {left}{low:g}, {high:g}{right}, got {value:g}.")
    return value


def positive(name: str, value) -> float:
    """A finite number above 0."""
    if isinstance(value, bool) or not isinstance(value, Real) or not 0 < value < math.inf:
        raise PlaygroundError(f"{name} must be a positive number, got {value!r}.")
    return float(value)


def whole(name: str, value, low: int = 1, high: float = math.inf) -> int:
    """A whole number from `low` to `high` (True and 2.0 are not whole numbers)."""
    if isinstance(value, bool) or not isinstance(value, Integral) or value < low:
        raise PlaygroundError(f"{name} must be a whole number of at least {low}, got {value!r}.")
    if value > high:
        raise PlaygroundError(f"{name} must be at most {high}, got {value}.")
    return int(value)


def size(name: str, value) -> int:
    """A layer size: a whole number from 1 to the width cap."""
    value = whole(name, value)
    check_limit(name, value, MAX_WIDTH)
    return value


def seed(value) -> int:
    """A random seed NumPy accepts: a whole number from 0 to 2³² − 1."""
    return whole("A seed", value, 0, MAX_SEED)


def flag(name: str, value) -> bool:
    if not isinstance(value, bool | np.bool_):
        raise PlaygroundError(f"{name} must be True or False, got {value!r}.")
    return bool(value)


def probability(name: str, p, allow_one: bool) -> float:
    """A probability in [0, 1], or [0, 1) when p = 1 makes no sense."""
    if isinstance(p, bool) or not isinstance(p, Real) or not (0.0 <= p <= 1.0):
        raise PlaygroundError(f"{name} must be a number between 0 and 1, got {p!r}.")
    if p == 1.0 and not allow_one:
        raise PlaygroundError(f"{name} must be below 1 (p = 1 would drop every neuron).")
    return float(p)


def instance(what: str, value, kind: type):
    """`value` if it is a `kind`; else PlaygroundError "<what> needs a <kind>, got <type>"."""
    if not isinstance(value, kind):
        raise PlaygroundError(f"{what} needs {_article(kind.__name__)} {kind.__name__}, got "
                              f"{type(value).__name__}.")
    return value


def _article(name: str) -> str:
    return "an" if name[0] in "AEIOU" else "a"


def recipe(optimizer) -> None:
    """What training takes as an optimizer: anything with build and build_schedule."""
    if not all(callable(getattr(optimizer, name, None)) for name in ("build", "build_schedule")):
        raise PlaygroundError("Training needs an optimizer choice (with build and "
                              f"build_schedule), got {type(optimizer).__name__}.")

