"""Backprop Playground export template: train a network with NumPy alone, the backward pass and
the optimizer's update rule written out. Run it as it is to train the small run in demo.py."""

import math  # noqa: F401 (the run's functions use it: rules.py, loop.py)

import numpy as np

# ---- the run: an export writes its data and the functions it names here ----
from demo import (
    ACTIVATIONS,
    BATCH_SIZE,
    DIVERGENCE_FACTOR,
    DROPOUTS,
    EPOCHS,
    SEED,
    TASK,
    WEIGHTS,
    H,
    S,
    X,
    Y,
)
from loop import run
from rules import sgd as update
from rules import steplr as schedule

# ---- end of the run ----

masks = np.random.default_rng([SEED, 2])  # dropout masks, layer by layer, step by step
ACTIVATION = {"tanh": np.tanh, "sigmoid": lambda z: 0.5 * (1 + np.tanh(0.5 * z)),
              "relu": lambda z: np.maximum(z, 0.0)}
SLOPE = {"tanh": lambda a: 1 - a * a, "sigmoid": lambda a: a * (1 - a),  # from the output a
         "relu": lambda a: (a > 0).astype(float)}


def learning_rate(t):
    """The learning rate of step t + 1 (after t optimizer steps)."""
    return H["lr"] if schedule is None else schedule(t, H["lr"], **S)


def forward(params, x, training):
    """The outputs, and what backward needs: each layer's input, activations and dropout mask.
    Each layer is x Wᵀ + b: W is (outputs, inputs), as in PyTorch."""
    inputs, kept = [x], []
    for i, (name, p) in enumerate(zip(ACTIVATIONS, DROPOUTS)):
        a = ACTIVATION[name](inputs[-1] @ params[2 * i].T + params[2 * i + 1])
        mask = (masks.random(a.shape) >= p) / (1 - p) if training and p else None
        kept.append((a, mask))
        inputs.append(a if mask is None else a * mask)
    return inputs[-1] @ params[-2].T + params[-1], inputs, kept


def loss(out, y):
    """The mean loss and its gradient with respect to the outputs."""
    if TASK == "classification":
        shifted = out - out.max(axis=1, keepdims=True)
        log_p = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
        rows = np.arange(len(y))
        d_out = np.exp(log_p)
        d_out[rows, y] -= 1
        return -log_p[rows, y].mean(), d_out / len(y)
    diff = out - y
    return np.mean(diff * diff), 2 * diff / diff.size


def backward(params, inputs, kept, d_out):
    """Each parameter's gradient, last layer first: with G the gradient at a layer's output and
    X its input, ∂L/∂W = Gᵀ X, ∂L/∂b = the sum of G's rows, and ∂L/∂X = G W."""
    grads = [None] * len(params)
    d = d_out
    for i in reversed(range(len(params) // 2)):
        grads[2 * i], grads[2 * i + 1] = d.T @ inputs[i], d.sum(axis=0)
        if i:
            a, mask = kept[i - 1]
            d = d @ params[2 * i]
            d = (d if mask is None else d * mask) * SLOPE[ACTIVATIONS[i - 1]](a)
    return grads


params = [w.copy() for w in WEIGHTS]
states = [{} for _ in params]


def epoch_loss():
    return loss(forward(params, X, False)[0], Y)[0]


def train_step(batch, step, healthy):
    """Forward, loss, backward and the update; False (and no update) if the step diverged."""
    out, inputs, kept = forward(params, X[batch], True)
    value, d_out = loss(out, Y[batch])
    grads = backward(params, inputs, kept, d_out)
    if not healthy(value, all(np.isfinite(g).all() for g in grads)):
        return False
    settings = {**H, "lr": learning_rate(step - 1)}
    for theta, grad, s in zip(params, grads, states):
        update(theta, grad, s, **settings)
    return True


run(train_step, epoch_loss, len(X), EPOCHS, BATCH_SIZE, SEED, DIVERGENCE_FACTOR)
