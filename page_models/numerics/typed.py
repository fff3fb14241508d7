"""Numbers a user typed: one number, a list, labelled scores, a matrix (never eval'd; a
PlaygroundError says what is wrong)."""

from __future__ import annotations

import math
import re

import numpy as np

from engine.errors import PlaygroundError
from engine.limits import check_limit
from page_models.limits import MAX_MATRIX_DIM, MAX_TYPED_NUMBERS


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
        parts = [part for part in re.split(r"[\s:=]+", item) if part]
        if not parts:
            raise PlaygroundError(f"‘{item}’ has no score: type a label and a number, "
                                  "e.g. “cat 2.1”.")
        *label, number = parts
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
