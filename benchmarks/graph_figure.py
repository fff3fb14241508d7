"""Benchmark: graph + animated figure of a 100-node program, and its serialised size.

The program (built once with engine.expr) is a residual tanh chain on a 3-vector; the timing
covers recording the backward pass (page_models.graph_record), viz.graph.tensor_graph and
viz.graph_figure.graph_figure.

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

from engine.expr import InputSpec, build  # noqa: E402
from page_models.graph_record import record_backward  # noqa: E402
from viz.graph import tensor_graph  # noqa: E402
from viz.graph_figure import NODES, graph_figure  # noqa: E402

TARGET_MS = 150
TARGET_MB = 1.5
RUNS = 7


def residual_tanh_program(layers: int = 12) -> tuple[str, dict[str, InputSpec]]:
    """h = tanh(w·h + b) + 0.5·h, `layers` times, on a (3,) vector, then s = sum(h·h): 8 nodes
    per layer and fan-out at every h (99 nodes for 12 layers)."""
    lines, values, h = [], {"x": InputSpec("[0.5, -1.0, 2.0]", parameter=False)}, "x"
    for i in range(layers):
        lines.append(f"h = tanh(w{i} * {h} + b{i}) + 0.5 * {h}")
        values[f"w{i}"] = InputSpec("[0.9, -0.4, 0.3]")
        values[f"b{i}"] = InputSpec("[0.1, 0, -0.2]")
        h = "h"
    lines.append("s = sum(h * h)")
    return "\n".join(lines), values


def main() -> None:
    source, values = residual_tanh_program()
    built = build(source, values)
    names = {**built.inputs, **built.nodes}
    times, fig = [], None
    for _ in range(RUNS):
        start = time.perf_counter()
        fig = graph_figure(tensor_graph(record_backward(built.output), names))
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
