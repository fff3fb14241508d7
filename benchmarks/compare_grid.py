"""Time the default comparison grid: SGD, momentum and Adam × {no dropout, p=0.2} × 3 seeds,
MLP 2→32→32→2 (tanh) on 400-point moons (320 train / 80 validation), 100 epochs, batch 32.
Target: under 2 s on a 2-core machine (and the Optimizer Lab's default grid well under 1 s).

    .venv/bin/python benchmarks/compare_grid.py [--repeat 3] [--sequential] [--default-malloc]

--sequential also trains the same 18 runs one after another with the plain loop, train(), and
prints the largest difference between the two (they must agree to 1e-12).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from engine import MLPSpec, compare, make_dataset, train, train_val_split  # noqa: E402
from page_models.optimizers import OptimizerChoice  # noqa: E402
from ui.process import reuse_freed_memory  # noqa: E402

SPEC = MLPSpec(n_in=2, hidden=(32, 32), activations=("tanh",), n_out=2)
OPTIMIZERS = [OptimizerChoice.of("sgd", lr=0.1), OptimizerChoice.of("momentum", lr=0.1),
              OptimizerChoice.of("adam", lr=0.01)]
DROPOUT_P, SEEDS, EPOCHS, BATCH = 0.2, (0, 1, 2), 100, 32


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--sequential", action="store_true")
    parser.add_argument("--default-malloc", action="store_true",
                        help="do not call ui.process.reuse_freed_memory()")
    args = parser.parse_args()
    applied = not args.default_malloc and reuse_freed_memory()
    print(f"malloc: {'reuse freed memory' if applied else 'glibc defaults'}")

    train_data, val_data = train_val_split(make_dataset("moons", n=400, noise=0.1, seed=0))
    args_grid = (SPEC, OPTIMIZERS, DROPOUT_P, SEEDS, train_data, val_data, EPOCHS, BATCH)
    times = []
    for _ in range(args.repeat):
        start = time.perf_counter()
        runs = compare(*args_grid)
        times.append(time.perf_counter() - start)
    steps = sum(run.history.steps for run in runs)
    best, median = min(times), statistics.median(times)
    print(f"compare(): {len(runs)} runs, {steps:,} steps, {EPOCHS} epochs of evaluation each")
    print(f"  median {median:.2f} s, best {best:.2f} s over {args.repeat} repeats "
          f"({median / steps * 1e6:.0f} µs per run-step); target < 2 s")
    for run in runs[::len(SEEDS)]:
        accs = [r.history.epoch_val_acc[-1] for r in runs if r.optimizer == run.optimizer
                and r.dropout_p == run.dropout_p]
        drop = f"dropout {run.dropout_p:g}" if run.dropout_p else "no dropout"
        print(f"  {run.optimizer.title:>18}, {drop:<11} final validation accuracy "
              + " ".join(f"{a:.3f}" for a in accs))
    if args.sequential:
        start, worst = time.perf_counter(), 0.0
        for run in runs:
            alone = train(SPEC.with_dropout(run.dropout_p), run.optimizer, train_data, val_data,
                          EPOCHS, BATCH, run.seed)
            gap = np.abs(np.subtract(alone.step_loss, run.history.step_loss))
            worst = max(worst, float((gap / np.abs(alone.step_loss)).max()))
        spent = time.perf_counter() - start
        print(f"  the same runs one after another with the plain loop, train(): {spent:.2f} s "
              f"({spent / len(runs):.2f} s per run); largest relative step-loss difference "
              f"from the grid {worst:.1e}")


if __name__ == "__main__":
    main()
