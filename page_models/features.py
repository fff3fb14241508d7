"""Input features for the network: x₁, x₂ and their squares, product and sines.

A network on (x₁, x₂) can draw a curved boundary with hidden layers, or with none if it is given
curved features: x₁² + x₂² separates circles with a single linear layer.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from engine.errors import PlaygroundError

__all__ = ["FEATURES", "Feature", "available_features", "expand_features"]


@dataclass(frozen=True)
class Feature:
    """One input column computed from the raw inputs X (n, d)."""

    key: str  # the name in a URL: "x1sq"
    label: str  # the name on screen: "x₁²"
    needs: int  # how many raw input columns it reads (2 if it reads x₂)
    compute: Callable[[np.ndarray], np.ndarray]  # X (n, d) -> (n,)


def _x1(X):
    return X[:, 0]


def _x2(X):
    return X[:, 1]


_ALL = (
    Feature("x1", "x₁", 1, _x1),
    Feature("x2", "x₂", 2, _x2),
    Feature("x1sq", "x₁²", 1, lambda X: _x1(X) ** 2),
    Feature("x2sq", "x₂²", 2, lambda X: _x2(X) ** 2),
    Feature("x1x2", "x₁·x₂", 2, lambda X: _x1(X) * _x2(X)),
    Feature("sinx1", "sin x₁", 1, lambda X: np.sin(_x1(X))),
    Feature("sinx2", "sin x₂", 2, lambda X: np.sin(_x2(X))),
)

FEATURES: dict[str, Feature] = {f.key: f for f in _ALL}
"""Feature key -> Feature, in display order."""


def available_features(n_inputs: int) -> list[str]:
    """The feature keys a dataset with `n_inputs` raw input columns can feed."""
    return [f.key for f in _ALL if f.needs <= n_inputs]


def expand_features(X: np.ndarray, keys: Sequence[str]) -> np.ndarray:
    """The (n, len(keys)) matrix whose columns are the named features of the rows of X."""
    X = np.asarray(X, dtype=np.float64)
    if X.ndim != 2:
        raise PlaygroundError(f"Inputs must be a table of rows (n, d), got shape {X.shape}.")
    if not keys:
        raise PlaygroundError("Choose at least one input feature.")
    columns = []
    for key in keys:
        feature = FEATURES.get(key)
        if feature is None:
            raise PlaygroundError(
                f"Unknown input feature {key!r}; choose from: {', '.join(FEATURES)}.")
        if feature.needs > X.shape[1]:
            raise PlaygroundError(
                f"Feature {feature.label} needs x₂, but this dataset has only x₁.")
        columns.append(feature.compute(X))
    return np.column_stack(columns)
