"""PyTorch's documented update rules and learning-rate schedules, in NumPy, one function each.

An update rule does one optimizer step of one parameter: `theta` is updated in place from its
gradient `grad`, with its state `s` (a dict, empty before the first step), the current learning
rate `lr` and the optimizer's other settings under torch.optim's names. A schedule gives the
learning rate after t optimizer steps from the initial rate `lr` (PyTorch's closed form).
Each function is named after its torch.optim class, in lower case.

Written once, used twice: the exported NumPy script copies the functions it uses
(page_models.export), and tests/engine/test_optim2.py holds each engine.optim class to its rule
(the export tests hold each rule to torch.optim).
"""

import math

import numpy as np


def l2(theta, grad, weight_decay):
    """The gradient with L2 weight decay added: ∇ + λθ (∇ itself when λ = 0)."""
    return grad + weight_decay * theta if weight_decay else grad


def sgd(theta, grad, s, lr, momentum, dampening, nesterov, weight_decay):
    """torch.optim.SGD: g = ∇ + λθ; b = g at first, then μb + (1 − τ)g; g = g + μb (Nesterov)
    or b; θ = θ − γg."""
    g = l2(theta, grad, weight_decay)
    if momentum:
        s["b"] = g.copy() if "b" not in s else momentum * s["b"] + (1 - dampening) * g
        g = g + momentum * s["b"] if nesterov else s["b"]
    theta -= lr * g


def rmsprop(theta, grad, s, lr, alpha, eps, weight_decay, momentum, centered):
    """torch.optim.RMSprop: v = αv + (1 − α)g²; d = √v + ε, or √(v − ḡ²) + ε centered (ḡ the
    running mean of g); with momentum b = μb + g/d and θ = θ − γb, else θ = θ − γg/d."""
    g = l2(theta, grad, weight_decay)
    s["v"] = alpha * s.get("v", 0.0) + (1 - alpha) * g * g
    if centered:
        s["g_avg"] = alpha * s.get("g_avg", 0.0) + (1 - alpha) * g
        d = np.sqrt(s["v"] - s["g_avg"] * s["g_avg"]) + eps
    else:
        d = np.sqrt(s["v"]) + eps
    if momentum:
        s["b"] = momentum * s.get("b", 0.0) + g / d
        theta -= lr * s["b"]
    else:
        theta -= lr * g / d


def adagrad(theta, grad, s, lr, lr_decay, weight_decay, initial_accumulator_value, eps):
    """torch.optim.Adagrad: s = s + g² (from the initial value); θ = θ − γₜ g / (√s + ε) with
    γₜ = γ / (1 + (t − 1)η) at step t."""
    g = l2(theta, grad, weight_decay)
    t = s["t"] = s.get("t", 0) + 1
    s["sum"] = s.get("sum", initial_accumulator_value) + g * g
    theta -= lr / (1 + (t - 1) * lr_decay) * g / (np.sqrt(s["sum"]) + eps)


def adam(theta, grad, s, lr, betas, eps, weight_decay, amsgrad):
    """torch.optim.Adam: Adam's step (adam_step) from g = ∇ + λθ."""
    adam_step(theta, l2(theta, grad, weight_decay), s, lr, betas, eps, amsgrad)


def adamw(theta, grad, s, lr, betas, eps, weight_decay, amsgrad):
    """torch.optim.AdamW: θ = θ(1 − γλ) (decoupled weight decay), then Adam's step from ∇."""
    theta *= 1 - lr * weight_decay
    adam_step(theta, grad, s, lr, betas, eps, amsgrad)


def adam_step(theta, g, s, lr, betas, eps, amsgrad):
    """m = β₁m + (1 − β₁)g, v = β₂v + (1 − β₂)g² (AMSGrad: v the largest so far), then
    θ = θ − γ m̂ / (√v̂ + ε) with the bias corrections m̂ = m/(1 − β₁ᵗ), v̂ = v/(1 − β₂ᵗ), in
    PyTorch's order of operations."""
    b1, b2 = betas
    t = s["t"] = s.get("t", 0) + 1
    s["m"] = b1 * s.get("m", 0.0) + (1 - b1) * g
    s["v"] = b2 * s.get("v", 0.0) + (1 - b2) * g * g
    v = s["v"]
    if amsgrad:
        v = s["v_max"] = np.maximum(s.get("v_max", 0.0), v)
    theta -= lr / (1 - b1**t) * s["m"] / (np.sqrt(v) / math.sqrt(1 - b2**t) + eps)


def steplr(t, lr, step_size, gamma):
    """torch.optim.lr_scheduler.StepLR: γ^⌊t / step_size⌋ times the initial rate."""
    return lr * gamma ** (t // step_size)


def exponentiallr(t, lr, gamma):
    """torch.optim.lr_scheduler.ExponentialLR: γᵗ times the initial rate."""
    return lr * gamma**t


def cosineannealinglr(t, lr, T_max, eta_min):  # noqa: N803 (PyTorch's name)
    """torch.optim.lr_scheduler.CosineAnnealingLR: from the initial rate down to η_min at
    t = T_max along half a cosine."""
    return eta_min + (lr - eta_min) * (1 + math.cos(math.pi * t / T_max)) / 2


def linearlr(t, lr, start_factor, end_factor, total_iters):
    """torch.optim.lr_scheduler.LinearLR: the factor goes linearly from start_factor to
    end_factor over total_iters steps."""
    return lr * (start_factor + (end_factor - start_factor) * min(t, total_iters) / total_iters)
