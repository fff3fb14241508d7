"""The loop both exported training scripts run, as engine.train runs it: each epoch a new order
of the points (the NumPy stream seeded [SEED, 1]), minibatches of batch_size, the training loss
printed after each epoch; a diverged step stops the run before its update."""

import math

import numpy as np


def run(train_step, epoch_loss, n, epochs, batch_size, seed, divergence_factor):
    """train_step(batch, step, healthy) does one step (1-based) on the rows `batch` and returns
    False if healthy(loss, gradients finite) said no; epoch_loss() is the loss on every point."""
    first_loss = []

    def healthy(value, finite_gradients):
        """As the playground: a loss not finite, or above divergence_factor × max(first loss, 1),
        or a gradient not finite, is divergence."""
        if not first_loss:
            first_loss.append(value if math.isfinite(value) else math.inf)
        return (math.isfinite(value) and finite_gradients
                and value <= divergence_factor * max(first_loss[0], 1.0))

    shuffling = np.random.default_rng([seed, 1])
    step = 0
    for epoch in range(1, epochs + 1):
        order = shuffling.permutation(n)
        for start in range(0, n, batch_size):
            step += 1
            if not train_step(order[start:start + batch_size], step, healthy):
                raise SystemExit(f"diverged at step {step}")
        print(f"epoch {epoch} train_loss {epoch_loss():.17g}")
