"""Time one training step of an MLP 2→64→64→2 (tanh, mean cross-entropy, batch 256, float64):
the engine against a hand-written NumPy forward/backward of the same network, in one process.

Each step is forward, backward and an update: plain gradient descent, then Adam. The figure is
the median over many steps, of CPU time spent by this thread (time.thread_time: on a loaded
machine, time the process waits for a core is not counted), the two steps interleaved; each of
`--repeats` rounds prints its ratio, and the last line the median ratio.
Target: the engine within 1.2× of hand-written NumPy.

    .venv/bin/python benchmarks/engine_step.py [--steps 500] [--repeats 5] [--default-malloc]

Like the app, it first calls ui.process.reuse_freed_memory() and single_threaded_blas();
--default-malloc leaves glibc's defaults, to measure what that call is worth.
"""

from __future__ import annotations

import argparse
import math
import statistics
import sys
import time
from functools import partial
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from engine import MLP, SGD, Adam, MLPSpec, cross_entropy, make_dataset  # noqa: E402
from ui.process import reuse_freed_memory, single_threaded_blas  # noqa: E402

SIZES = (2, 64, 64, 2)
BATCH = 256
LR = 0.01
BETAS, EPS = (0.9, 0.999), 1e-8
TARGET_RATIO = 1.2


def median_step_seconds(steps_to_time: list, steps: int, warmup: int = 50) -> list[float]:
    """Median CPU seconds per call of each step function, calling them in turn (so a change in the
    machine's load hits all of them alike)."""
    for _ in range(warmup):
        for step in steps_to_time:
            step()
    times = [[] for _ in steps_to_time]
    for _ in range(steps):
        for step, spent in zip(steps_to_time, times):
            start = time.thread_time()
            step()
            spent.append(time.thread_time() - start)
    return [statistics.median(spent) for spent in times]


def engine_step(model: MLP, optimizer, X: np.ndarray, y: np.ndarray):
    def step():
        optimizer.zero_grad()
        cross_entropy(model(X), y).backward()
        optimizer.step()
    return step


class NumpyMLP:
    """The same network written out by hand: forward, backward, and the two updates."""

    def __init__(self, model: MLP):
        self.params = [p.data.copy() for p in model.parameters()]  # W1, b1, W2, b2, W3, b3
        self.m = [np.zeros_like(p) for p in self.params]
        self.v = [np.zeros_like(p) for p in self.params]
        self.t = 0

    def gradients(self, X, onehot):
        W1, b1, W2, b2, W3, b3 = self.params
        h1 = np.tanh(X @ W1.T + b1)  # W is (out, in), as in PyTorch
        h2 = np.tanh(h1 @ W2.T + b2)
        z = h2 @ W3.T + b3
        shifted = z - z.max(axis=1, keepdims=True)
        e = np.exp(shifted)
        total = e.sum(axis=1, keepdims=True)
        loss = -np.mean(np.sum(onehot * (shifted - np.log(total)), axis=1))
        dz = (e / total - onehot) / len(X)
        dh2 = (dz @ W3) * (1.0 - h2 * h2)
        dh1 = (dh2 @ W2) * (1.0 - h1 * h1)
        grads = [dh1.T @ X, dh1.sum(axis=0), dh2.T @ h1, dh2.sum(axis=0), dz.T @ h2,
                 dz.sum(axis=0)]
        return loss, grads

    def sgd_step(self, X, onehot):
        _, grads = self.gradients(X, onehot)
        for p, g in zip(self.params, grads):
            p -= LR * g

    def adam_step(self, X, onehot):
        _, grads = self.gradients(X, onehot)
        self.t += 1
        b1, b2 = BETAS
        step_size = LR / (1.0 - b1**self.t)
        root_bc2 = math.sqrt(1.0 - b2**self.t)
        for p, g, m, v in zip(self.params, grads, self.m, self.v):
            m *= b1
            m += (1.0 - b1) * g
            v *= b2
            v += (1.0 - b2) * g * g
            p -= step_size * m / (np.sqrt(v) / root_bc2 + EPS)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=500)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--default-malloc", action="store_true",
                        help="do not call ui.process.reuse_freed_memory()")
    args = parser.parse_args()
    applied = not args.default_malloc and reuse_freed_memory()
    print(f"malloc: {'reuse freed memory' if applied else 'glibc defaults'}; "
          f"BLAS: {'one thread' if single_threaded_blas() else 'its own threads'}")

    data = make_dataset("moons", n=BATCH, noise=0.1, seed=0)
    X, y = data.X, data.y
    onehot = np.eye(2)[y]
    spec = MLPSpec(n_in=SIZES[0], hidden=SIZES[1:-1], activations=("tanh",),
                           n_out=SIZES[-1])
    print(f"MLP {'→'.join(map(str, SIZES))}, tanh, mean cross-entropy, batch {BATCH}, float64; "
          f"median of {args.steps} steps, {args.repeats} rounds")
    ratios: dict[str, list[float]] = {}
    for _ in range(args.repeats):
        for name, ratio in one_round(X, y, onehot, spec, args.steps).items():
            ratios.setdefault(name, []).append(ratio)
    for name, values in ratios.items():
        ratio = statistics.median(values)
        verdict = "met" if ratio <= TARGET_RATIO else "MISSED"
        print(f"{name:>16}: median ratio {ratio:.2f}× over {len(values)} rounds "
              f"(target ≤ {TARGET_RATIO}×: {verdict})")


def one_round(X, y, onehot, spec: MLPSpec, steps: int) -> dict[str, float]:
    """One timing of each optimizer's step; prints it and returns engine / NumPy by name."""
    ratios = {}
    for name, make_optimizer, numpy_step in [
        ("gradient descent", lambda ps: SGD(ps, lr=LR), NumpyMLP.sgd_step),
        ("Adam", lambda ps: Adam(ps, lr=LR, betas=BETAS, eps=EPS), NumpyMLP.adam_step),
    ]:
        model = MLP(spec, np.random.default_rng(0))
        hand = NumpyMLP(model)
        engine_time, numpy_time = median_step_seconds(
            [engine_step(model, make_optimizer(model.parameters()), X, y),
             partial(numpy_step, hand, X, onehot)], steps)
        same = all(np.allclose(p.data, q, rtol=1e-9, atol=1e-12)
                   for p, q in zip(model.parameters(), hand.params))
        print(f"{name:>16}: engine {engine_time * 1e6:7.1f} µs   NumPy {numpy_time * 1e6:7.1f} µs"
              f"   ratio {engine_time / numpy_time:.2f}×   same weights after: {same}")
        ratios[name] = engine_time / numpy_time
    return ratios


if __name__ == "__main__":
    main()
