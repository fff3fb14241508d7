"""Numbers as text on a figure: short on a node, fuller in a hover box."""

from __future__ import annotations

import math

import numpy as np

from engine import format_shape

MINUS = "−"  # a real minus sign reads better than a hyphen on a projector


def format_number(x: float, digits: int = 3) -> str:
    """x with `digits` significant digits: 0.731, −12.5, 1.2e+05, nan, ∞."""
    x = float(x)
    if math.isnan(x):
        return "nan"
    if math.isinf(x):
        return ("" if x > 0 else MINUS) + "∞"
    if x == 0:
        return "0"
    return f"{x:.{digits}g}".replace("-", MINUS)


def short_text(value: np.ndarray, max_items: int = 2, shape: bool = True) -> str:
    """A value in a few characters, for the text under a node: 0.731, [1, −2], (3,4) μ 0.5
    (without `shape`: μ 0.5)."""
    value = np.asarray(value)
    if value.size == 1:
        return format_number(value.reshape(-1)[0])
    if value.size <= max_items:
        return "[" + ", ".join(format_number(v, 2) for v in value.reshape(-1)) + "]"
    mean = f"μ {format_number(summary(value), 2)}"
    return f"{format_shape(value.shape)} {mean}" if shape else mean


def full_text(value: np.ndarray, max_items: int = 6) -> str:
    """A value for a hover box: a scalar in full, an array rounded and truncated."""
    value = np.asarray(value)
    if value.size == 1:
        return repr(float(value.reshape(-1)[0]))
    items = [format_number(v, 4) for v in value.reshape(-1)[:max_items]]
    more = ", …" if value.size > max_items else ""
    return f"{format_shape(value.shape)} [{', '.join(items)}{more}]"


ROUNDING = 1e-12  # a mean this small relative to the array's largest |element| is shown as 0


def summary(value: np.ndarray) -> float:
    """The one number that colours a node: the value itself, or the mean of an array (0 where it
    is 0 up to rounding, as the mean of a softmax gradient is: not 7.4e−18)."""
    value = np.asarray(value)
    if value.size == 1:
        return float(value.reshape(-1)[0])
    if value.size == 0:
        return 0.0  # nothing to colour by
    with np.errstate(all="ignore"):
        mean = float(np.mean(value))
        tiny = math.isfinite(mean) and abs(mean) <= ROUNDING * np.abs(value).max()
        return 0.0 if tiny else mean


MAX_LATEX_SIDE = 8  # rows or columns of the largest array written out as a LaTeX matrix


def latex_array(value: np.ndarray, digits: int = 3) -> str:
    """A value in LaTeX: a number, a column vector or a matrix (bmatrix), or its shape and mean
    if it is too big to write out."""
    value = np.asarray(value)

    def number(x: float) -> str:
        return format_number(x, digits).replace(MINUS, "-").replace("∞", r"\infty")

    if value.size == 1:
        return number(value.reshape(-1)[0])
    matrix = value.reshape(-1, 1) if value.ndim == 1 else value
    if matrix.ndim != 2 or max(matrix.shape) > MAX_LATEX_SIDE:
        return rf"\text{{{format_shape(value.shape)} array, mean {number(summary(value))}}}"
    rows = [" & ".join(number(x) for x in row) for row in matrix]
    return r"\begin{bmatrix}" + r" \\ ".join(rows) + r"\end{bmatrix}"


MAX_WRITTEN_ENTRIES = 16  # arrays up to this size are written out in the step's arithmetic


def entries_text(value: np.ndarray, max_entries: int = MAX_WRITTEN_ENTRIES) -> str:
    """A value in a line of arithmetic: a number, its entries as nested lists (up to
    `max_entries`), else its shape and largest |entry|."""
    value = np.asarray(value)
    if value.size == 1:
        return format_number(value.reshape(-1)[0])
    if value.size <= max_entries:
        def nested(a) -> str:
            if a.ndim == 0:
                return format_number(a)
            return "[" + ", ".join(nested(x) for x in a) + "]"
        return nested(value)
    return f"{format_shape(value.shape)} array, largest |entry| {_largest(value)}"


def node_text(value: np.ndarray) -> str:
    """A value under a graph node: a number, up to 3 entries, else its shape and ± its largest
    |entry|, "(4,3) ±0.25" (a mean would read 0 for a softmax gradient that is not zero)."""
    value = np.asarray(value)
    if value.size <= 3:
        return short_text(value, max_items=3)
    return f"{format_shape(value.shape)} ±{_largest(value)}"


def _largest(value: np.ndarray) -> str:
    with np.errstate(all="ignore"):
        return format_number(np.max(np.abs(value)), 2) if value.size else "—"
