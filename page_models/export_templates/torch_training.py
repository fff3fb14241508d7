"""Backprop Playground export template: train a network with PyTorch (torch.autograd and
torch.optim). Run it as it is to train the small run in demo.py."""

import math  # noqa: F401 (the run's functions use it: rules.py, loop.py)

import numpy as np
import torch

# ---- the run: an export writes its data and the functions it names here ----
from demo import (
    ACTIVATIONS,
    BATCH_SIZE,
    DIVERGENCE_FACTOR,
    DROPOUTS,
    EPOCHS,
    OPTIMIZER,
    SCHEDULER,
    SEED,
    SIZES,
    TASK,
    WEIGHTS,
    H,
    S,
    X,
    Y,
)
from loop import run

# ---- end of the run ----

torch.set_default_dtype(torch.float64)
masks = np.random.default_rng([SEED, 2])  # dropout masks, layer by layer, step by step


class Dropout(torch.nn.Module):
    """Inverted dropout whose masks come from the NumPy stream `masks`."""

    def __init__(self, p):
        super().__init__()
        self.p = p

    def forward(self, x):
        if not self.training:
            return x
        return x * torch.from_numpy((masks.random(tuple(x.shape)) >= self.p) / (1 - self.p))


ACTIVATION = {"tanh": torch.nn.Tanh, "sigmoid": torch.nn.Sigmoid, "relu": torch.nn.ReLU}
layers = []
for i, (name, p) in enumerate(zip(ACTIVATIONS, DROPOUTS)):
    layers += [torch.nn.Linear(SIZES[i], SIZES[i + 1]), ACTIVATION[name]()]
    layers += [Dropout(p)] if p else []
layers.append(torch.nn.Linear(SIZES[-2], SIZES[-1]))
model = torch.nn.Sequential(*layers)
linears = [m for m in model if isinstance(m, torch.nn.Linear)]
with torch.no_grad():
    for linear, W, b in zip(linears, WEIGHTS[0::2], WEIGHTS[1::2]):
        linear.weight.copy_(torch.from_numpy(W))  # (outputs, inputs): the playground's layout
        linear.bias.copy_(torch.from_numpy(b))
params = [p for linear in linears for p in (linear.weight, linear.bias)]
optimizer = getattr(torch.optim, OPTIMIZER)(params, **H)
scheduler = (None if SCHEDULER is None
             else getattr(torch.optim.lr_scheduler, SCHEDULER)(optimizer, **S))
loss_fn = (torch.nn.functional.cross_entropy if TASK == "classification"
           else torch.nn.functional.mse_loss)
X_t, Y_t = torch.from_numpy(X), torch.from_numpy(Y)


def epoch_loss():
    model.eval()
    with torch.no_grad():
        return loss_fn(model(X_t), Y_t).item()


def train_step(batch, step, healthy):
    """Forward, loss, backward and the update; False (and no update) if the step diverged."""
    model.train()
    optimizer.zero_grad()
    index = torch.from_numpy(batch)
    value = loss_fn(model(X_t[index]), Y_t[index])
    value.backward()
    if not healthy(value.item(), all(torch.isfinite(p.grad).all() for p in params)):
        return False
    optimizer.step()
    if scheduler is not None:
        scheduler.step()
    return True


run(train_step, epoch_loss, len(X), EPOCHS, BATCH_SIZE, SEED, DIVERGENCE_FACTOR)
