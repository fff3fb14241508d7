"""Benchmark: graph + animated figure of a 100-node program, and its serialised size.

    .venv/bin/python benchmarks/graph_figure.py

Targets: building the graph and the figure under 150 ms, the JSON with all frames under 1.5 MB.
"""

from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path

import plotly.io as pio

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from engine import Tensor  # noqa: E402
from viz.graph import tensor_graph  # noqa: E402
from viz.graph_figure import NODES, graph_figure  # noqa: E402

TARGET_MS = 150
TARGET_MB = 1.5
RUNS = 7


def residual_tanh_chain(layers: int = 12):
    """h ← tanh(w·h + b) + 0.5·h, `layers` times, on a (3,) vector: 8 nodes per layer, fan-out."""
    h = Tensor([0.5, -1.0, 2.0], name="x")
    names = {"x": h}
    for i in range(layers):
        w = Tensor([0.9, -0.4, 0.3], requires_grad=True, name=f"w{i}")
        b = Tensor([0.1, 0.0, -0.2], requires_grad=True, name=f"b{i}")
        h = (w * h + b).tanh() + 0.5 * h
        names.update({f"w{i}": w, f"b{i}": b, f"h{i}": h})
    s = (h * h).sum()
    names["s"] = s
    return s, names


def main() -> None:
    output, names = residual_tanh_chain()
    times, fig = [], None
    for _ in range(RUNS):
        start = time.perf_counter()
        fig = graph_figure(tensor_graph(output, names))
        times.append((time.perf_counter() - start) * 1000)
    start = time.perf_counter()
    size_mb = len(pio.to_json(fig, validate=False).encode()) / 1e6
    json_ms = (time.perf_counter() - start) * 1000
    nodes = len(fig.data[NODES].x)
    ms, best = statistics.median(times), min(times)
    print(f"nodes: {nodes}, frames: {len(fig.frames)}")
    print(f"graph + figure: median {ms:.1f} ms, best {best:.1f} ms over {RUNS} runs "
          f"(target < {TARGET_MS} ms)")
    print(f"serialised figure: {size_mb:.3f} MB, to_json {json_ms:.1f} ms "
          f"(target < {TARGET_MB} MB)")
    ok = ms < TARGET_MS and size_mb < TARGET_MB
    print("within targets" if ok else "OVER TARGET")


if __name__ == "__main__":
    main()
