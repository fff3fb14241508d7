"""The Network Builder's vanishing-gradients tab: ready-made networks that show the effect.

A deep stack of sigmoids multiplies the gradient by σ'(z) ≤ 1/4 at every
layer on the way back, so the layers next to the inputs barely learn; the same stack with ReLU
(derivative 1 where active) keeps the gradient's size. Both start as MLP starts every network,
with PyTorch's initialisation (Xavier with gain 1 for sigmoid, He with gain √2 for ReLU), and
train with plain SGD: an adaptive optimizer such as Adam rescales every layer's step and hides
the effect.
"""

from __future__ import annotations

import numpy as np

from engine.data import Dataset
from engine.nn import MLPSpec
from engine.train import History, train
from page_models.optimizers import OptimizerChoice

__all__ = ["VANISHING", "lesson_conclusion", "lesson_intro", "log_norm_range",
           "vanishing_gradient_spec", "compare_activations"]

VANISHING = {"depth": 6, "width": 8, "epochs": 10, "activations": ("sigmoid", "relu"),
             "optimizer": OptimizerChoice.of("sgd", lr=0.1)}


def vanishing_gradient_spec(activation: str, n_in: int, n_out: int) -> MLPSpec:
    """The lesson's deep network: VANISHING["depth"] hidden layers of one activation."""
    depth, width = VANISHING["depth"], VANISHING["width"]
    return MLPSpec(n_in=n_in, hidden=(width,) * depth, activations=(activation,), n_out=n_out)


def compare_activations(train_data: Dataset, val_data: Dataset | None, batch_size: int,
                        seed: int) -> dict[str, tuple[History, np.ndarray]]:
    """Train the deep network with each activation from the same seed, briefly, with plain SGD.

    Returns activation -> (history, mean gradient norm of each layer over the run).
    """
    out = {}
    for activation in VANISHING["activations"]:
        spec = vanishing_gradient_spec(activation, train_data.n_features, train_data.n_outputs)
        history = train(spec, VANISHING["optimizer"], train_data, val_data, VANISHING["epochs"],
                        batch_size, seed)
        out[activation] = (history, history.grad_norms.mean(axis=0))
    return out


def log_norm_range(histories) -> tuple[float, float]:
    """(a, b): a log10 axis from 10^a to 10^b holding every positive gradient norm of the runs,
    so their charts can be compared side by side."""
    every = np.concatenate([h.grad_norms.ravel() for h in histories])
    every = every[every > 0]
    return float(np.log10(every.min())) - 0.2, float(np.log10(every.max())) + 0.2


def lesson_intro() -> str:
    """What the lesson runs, in one sentence (Markdown)."""
    return (f"The same deep network, {VANISHING['depth']} hidden layers of {VANISHING['width']}, "
            "once with **sigmoid** and once with **ReLU**, each trained for "
            f"{VANISHING['epochs']} epochs on this dataset from the same seed with plain "
            f"{VANISHING['optimizer'].title} (this page's optimizer is not used: an adaptive one "
            "would rescale each layer's step and hide the effect).")


def lesson_conclusion(sigmoid_norms: np.ndarray) -> str:
    """What the sigmoid run's mean gradient norms per layer show (Markdown)."""
    ratio = sigmoid_norms[-1] / sigmoid_norms[0]
    return (f"With sigmoid, layer 1 gets a gradient **{ratio:,.0f}× smaller** than the output "
            "layer: on the way back every sigmoid multiplies the gradient by σ′ ≤ ¼, so the "
            "layers next to the inputs hardly learn. ReLU passes the gradient through unchanged "
            "wherever it is active. (Both start with PyTorch's initialisation: Xavier with "
            "gain 1 for sigmoid, He for ReLU.)")
