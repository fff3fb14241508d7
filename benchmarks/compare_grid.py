"""Time the default comparison grid: SGD, momentum and Adam × {no dropout, p=0.2} × 3 seeds,
MLP 2→32→32→2 (tanh) on 400-point moons (320 train / 80 validation), 100 epochs, batch 32.
Target: under 2 s on a 2-core machine.

    .venv/bin/python benchmarks/compare_grid.py [--repeat 3] [--sequential] [--default-malloc]

--sequential also times the same 18 runs trained one after another with train(), for reference.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from engine import (  # noqa: E402
    MLPSpec,
    OptimizerSpec,
    compare,
    make_dataset,
    train,
    train_val_split,
)
from ui.process import reuse_freed_memory  # noqa: E402

SPEC = MLPSpec.uniform(n_in=2, hidden=(32, 32), activation="tanh", n_out=2)
OPTIMIZERS = [OptimizerSpec("sgd", 0.1), OptimizerSpec("momentum", 0.1),
              OptimizerSpec("adam", 0.01)]
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
        accs = [r.history.epoch_val_acc[-1] for r in runs if r.label == run.label
                and r.dropout_p == run.dropout_p]
        drop = f"dropout {run.dropout_p:g}" if run.dropout_p else "no dropout"
        print(f"  {run.optimizer.title:>18}, {drop:<11} final validation accuracy "
              + " ".join(f"{a:.3f}" for a in accs))
    if args.sequential:
        start = time.perf_counter()
        for run in runs:
            train(SPEC.with_dropout(run.dropout_p), run.optimizer, train_data, val_data,
                  EPOCHS, BATCH, run.seed)
        print(f"  the same runs one after another with train(): "
              f"{time.perf_counter() - start:.2f} s")


if __name__ == "__main__":
    main()
