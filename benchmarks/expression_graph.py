"""Server time of the Expression Graph page's reruns for each built-in example, through
streamlit.testing (no browser): a click on a node (the inspector opens, the player keeps its
step) and an edit of an input value, or of the program where it has no inputs (a new graph).
Stepping, playing and pausing happen in the browser and cost no rerun at all. Budget: 150 ms.

    .venv/bin/python benchmarks/expression_graph.py [--repeats 5]

AppTest adds its own overhead to each run, so these figures are an upper bound of the time the
script takes on a server. Both wall time and CPU time (time.process_time) are printed: on a
loaded shared machine the wall time mostly measures waiting for a core.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

from streamlit.testing.v1 import AppTest

REPO_ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO_ROOT))

from page_models.examples import EXAMPLES  # noqa: E402

BUDGET_MS = 150


def timed(at: AppTest) -> tuple[float, float]:
    """(wall ms, CPU ms) of one rerun."""
    start, cpu = time.perf_counter(), time.process_time()
    at.run()
    spent = (time.perf_counter() - start) * 1000, (time.process_time() - cpu) * 1000
    if at.exception or at.error:
        raise SystemExit(f"the page failed: {[e.value for e in [*at.exception, *at.error]]}")
    return spent


def measure(key: str, repeats: int) -> list[float]:
    """Median wall and CPU ms of a node click and of an input edit, after a warm first run."""
    at = AppTest.from_file(str(REPO_ROOT / "app.py"), default_timeout=300)
    at.switch_page("pages/1_Expression_Graph.py")
    at.query_params["example"] = key
    at.run()
    nodes = at.selectbox(key="node").options[1:]
    clicks, edits = [], []
    for i in range(repeats):
        at.selectbox(key="node").set_value(i % len(nodes))  # as pick_node sets it on a click
        clicks.append(timed(at))
        field = at.text_input[0] if at.text_input else at.text_area(key="src")  # micrograd
        field.input(f"{field.value} " if i % 2 == 0 else field.value[:-1])  # a new graph_id
        edits.append(timed(at))
    return [statistics.median(t[i] for t in times) for times in (clicks, edits) for i in (0, 1)]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeats", type=int, default=5)
    repeats = parser.parse_args().repeats
    worst = 0.0
    print(f"{'example':<12} {'node click ms (wall / CPU)':>27} {'input edit ms (wall / CPU)':>27}")
    for example in EXAMPLES:
        click, click_cpu, edit, edit_cpu = measure(example.key, repeats)
        worst = max(worst, click_cpu, edit_cpu)
        print(f"{example.key:<12} {click:>20.0f} / {click_cpu:>4.0f} {edit:>20.0f} / "
              f"{edit_cpu:>4.0f}")
    verdict = "within" if worst <= BUDGET_MS else "OVER"
    print(f"slowest median CPU time {worst:.0f} ms: {verdict} the budget of {BUDGET_MS} ms")


if __name__ == "__main__":
    main()
