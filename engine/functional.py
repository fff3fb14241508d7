"""Functions on tensors that are not methods: normalisation, losses and dropout."""

from __future__ import annotations

import numpy as np

from engine.checks import probability
from engine.ops import OPS
from engine.tensor import Tensor, apply


def softmax(x, axis: int = -1) -> Tensor:
    """exp(x) / Σ exp(x) along `axis`, computed after subtracting the maximum (no overflow)."""
    return apply(OPS["softmax"], x, axis=axis)


def log_softmax(x, axis: int = -1) -> Tensor:
    """x − logΣexp(x) along `axis`, stable for huge scores."""
    return apply(OPS["log_softmax"], x, axis=axis)


def cross_entropy(logits, targets) -> Tensor:
    """Mean over the batch of −log softmax(logits)[target]; targets are integer class indices."""
    return apply(OPS["cross_entropy"], logits, targets)


def mse(pred, target) -> Tensor:
    """Mean of (pred − target)²; both must have the same shape (or one be a scalar)."""
    return apply(OPS["mse"], pred, target)


def dropout_mask(shape: tuple[int, ...], p: float, rng: np.random.Generator) -> np.ndarray:
    """What dropout multiplies by: 0 with probability p, else 1/(1−p) (one uniform draw per
    entry from `rng`). The scaling keeps every entry's expected value."""
    keep = rng.random(shape) >= p
    return keep / (1.0 - p) if p < 1.0 else np.zeros(shape)


def dropout(x, p: float, training: bool = True, rng: np.random.Generator | None = None) -> Tensor:
    """Zero each entry with probability p and scale the rest by 1/(1−p); identity when not training.

    The scaling keeps the expected value, so nothing changes between training and evaluation.
    """
    p = probability("The dropout probability p", p, allow_one=True)
    x = x if isinstance(x, Tensor) else Tensor(x)
    if not training or p == 0.0:
        return x
    rng = rng if rng is not None else np.random.default_rng()
    return apply(OPS["dropout"], x, mask=dropout_mask(x.shape, p, rng))
