"""Time one full run of each Optimizer Lab view through streamlit.testing (no browser): the
script, the engine work and the figures, as a visitor's first request (empty cache) and again
(cached; figures are shared across sessions). Budget (issue 13): a control change on the
default grid ≤ 1 s of server time, a cached view ≤ 0.2 s. Wall-clock seconds, and the
process's CPU seconds (less disturbed by other work on a busy machine). Not covered: sending
the messages to a browser, and the browser's drawing.

    .venv/bin/python benchmarks/page_optimizer_lab.py [--repeats 3] [--only "Loss surfaces"]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

import streamlit as st
from streamlit.testing.v1 import AppTest

REPO_ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO_ROOT))

VIEWS = {
    "Train a network (defaults: 3 optimizers)": {},
    "Train a network (6 optimizers)": {"opt": "sgd nesterov:lr=0.02 rmsprop adagrad adam adamw"},
    "Loss surfaces (quadratic, defaults)": {"view": "surfaces"},
    "Loss surfaces (Rosenbrock, 1000 steps)": {"view": "surfaces", "surface": "rosenbrock",
                                               "steps": "1000"},
    "Loss surfaces (Beale, 6 optimizers)": {
        "view": "surfaces", "surface": "beale",
        "sopt": "sgd:lr=0.01 nesterov:lr=0.002 rmsprop adagrad:lr=0.5 adam:lr=0.05 adamw:lr=0.05"},
}


def run_once(params: dict) -> tuple[float, float]:
    """Wall-clock and CPU seconds for one script run of the page with these URL params."""
    at = AppTest.from_file(str(REPO_ROOT / "app.py"), default_timeout=300)
    at.switch_page("pages/3_Optimizer_Lab.py")
    for name, value in params.items():
        at.query_params[name] = value
    start, cpu = time.perf_counter(), time.process_time()
    at.run()
    spent = time.perf_counter() - start, time.process_time() - cpu
    if at.exception or at.error:
        raise SystemExit(f"the page failed: {[e.value for e in [*at.exception, *at.error]]}")
    return spent


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--only", default="", help="the views whose name contains this text")
    args = parser.parse_args()
    run_once({"view": "surfaces"})  # warm up imports (plotly, numpy) outside the figures
    print(f"{'view':44} {'empty cache':>12} {'cached':>8} {'CPU: empty':>11} {'cached':>8}"
          f"   (median of {args.repeats})")
    for name, params in ((n, p) for n, p in VIEWS.items() if args.only in n):
        cold, warm = [], []
        for _ in range(args.repeats):
            st.cache_data.clear()
            st.cache_resource.clear()
            cold.append(run_once(params))
            warm.append(run_once(params))
        (cold_s, cold_cpu), (warm_s, warm_cpu) = (map(statistics.median, zip(*runs))
                                                  for runs in (cold, warm))
        print(f"{name:44} {cold_s:10.2f} s {warm_s:6.2f} s {cold_cpu:9.2f} s {warm_cpu:6.2f} s")


if __name__ == "__main__":
    main()
