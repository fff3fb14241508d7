"""Benchmark: one live update of the Network Builder at its default size, and live epochs/second.

A live update is what the page's fragment does on every tick while playing: train
EPOCHS_PER_UPDATE epochs (page_models.live.LiveRun.advance), build the boundary, loss and
gradient-norm figures (viz.live_charts.LiveFigures) and serialise them to JSON (what
st.plotly_chart sends). Default size: moons, 200 points (160 for training), x₁ x₂ → 8 tanh →
8 tanh → 2, Adam, batch 32.

    .venv/bin/python benchmarks/live_update.py [--updates 60] [--browser]

--browser also starts `streamlit run` and headless Chromium, presses Play on the page and counts
the epochs the page shows over a few seconds: the live rate a visitor sees, server round trips
and drawing included.

Targets: at least 5 live updates a second (one update well under UPDATE_INTERVAL_S).
"""

from __future__ import annotations

import argparse
import os
import socket
import statistics
import subprocess
import sys
import time
from dataclasses import replace
from pathlib import Path

import plotly.io as pio

REPO_ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO_ROOT))

from engine import make_dataset, train_val_split  # noqa: E402
from engine.nn import MLPSpec  # noqa: E402
from engine.train import class_probabilities  # noqa: E402
from page_models.features import expand_features  # noqa: E402
from page_models.live import EPOCHS_PER_UPDATE, UPDATE_INTERVAL_S, LiveRun  # noqa: E402
from page_models.optimizers import OptimizerChoice  # noqa: E402
from viz.live_charts import LiveFigures  # noqa: E402

FEATURES = ("x1", "x2")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run",
                 "--disable-quic"]


def default_run() -> tuple[LiveRun, object, object]:
    raw = make_dataset("moons", n=200, noise=0.1, seed=0)
    expanded = replace(raw, X=expand_features(raw.X, FEATURES))
    train_data, val_data = train_val_split(expanded, 0.2, seed=0)
    spec = MLPSpec(n_in=2, hidden=(8, 8), activations=("tanh", "tanh"), n_out=2)
    run = LiveRun(spec, OptimizerChoice.of("adam", lr=0.03), train_data, val_data, 32, seed=0)

    def predictor(X):
        return class_probabilities(run.model, expand_features(X, FEATURES))

    return run, predictor, raw


def time_updates(updates: int) -> dict[str, list[float]]:
    run, predictor, raw = default_run()
    live = LiveFigures("Adam")
    times = {"train": [], "figures": [], "json": [], "total": []}
    for _ in range(updates):
        t0 = time.perf_counter()
        run.advance(EPOCHS_PER_UPDATE)
        t1 = time.perf_counter()
        figures = live.figures(run.history, predictor, raw)
        t2 = time.perf_counter()
        for figure in figures:
            pio.to_json(figure, validate=False)
        t3 = time.perf_counter()
        for name, spent in zip(times, (t1 - t0, t2 - t1, t3 - t2, t3 - t0)):
            times[name].append(spent)
    return times


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


LONG_TASKS = """() => { window.longTasks = [];
    new PerformanceObserver(list => list.getEntries().forEach(
        e => window.longTasks.push([e.startTime, e.duration]))).observe({type: "longtask"}); }"""


def browser_rate(seconds: float) -> tuple[int, float, float]:
    """(epochs, seconds) shown by the real page while playing, and the share of that time the
    page's main thread spent in long tasks (> 50 ms: mostly plotly redrawing the charts)."""
    from playwright.sync_api import sync_playwright

    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", "app.py", "--server.headless", "true",
         "--server.port", str(port), "--server.fileWatcherType", "none"],
        cwd=REPO_ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    idle = "[data-testid='stApp'][data-test-script-state='notRunning']"
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
            page = browser.new_page(viewport={"width": 1280, "height": 720})
            for _ in range(120):
                try:
                    page.goto(f"http://127.0.0.1:{port}/Network_Builder")
                    break
                except Exception:  # the server is still starting
                    time.sleep(0.5)
            page.wait_for_selector(idle, timeout=60_000)
            page.wait_for_timeout(1000)
            page.evaluate(LONG_TASKS)
            page.get_by_role("button", name="Play").click()
            epoch = page.locator("[data-testid='stMetric']", has_text="Epoch")

            def shown() -> int:
                return int(epoch.locator("[data-testid='stMetricValue']").inner_text()
                           .split("/")[0])

            page.wait_for_function("() => true")
            start_epoch, start = shown(), time.perf_counter()
            while shown() == start_epoch:
                page.wait_for_timeout(20)
            start_epoch, start = shown(), time.perf_counter()
            page_start = page.evaluate("performance.now()")
            page.wait_for_timeout(seconds * 1000)
            epochs, spent = shown() - start_epoch, time.perf_counter() - start
            busy = sum(d for t, d in page.evaluate("window.longTasks") if t >= page_start)
            browser.close()
            return epochs, spent, busy / 1000 / spent
    finally:
        server.terminate()
        server.wait(timeout=10)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--updates", type=int, default=60)
    parser.add_argument("--browser", action="store_true")
    parser.add_argument("--seconds", type=float, default=8.0)
    args = parser.parse_args()

    times = time_updates(args.updates)
    print(f"One live update at the default size ({EPOCHS_PER_UPDATE} epochs of training + 3 "
          f"figures + JSON), median of {args.updates}:")
    for name, spent in times.items():
        print(f"  {name:8s} {statistics.median(spent) * 1000:7.1f} ms")
    total = statistics.median(times["total"])
    rate = 1.0 / max(total, UPDATE_INTERVAL_S)
    print(f"Server-side budget: {1 / total:.1f} updates/s possible; the page asks for one every "
          f"{UPDATE_INTERVAL_S} s -> {rate:.1f} updates/s, {rate * EPOCHS_PER_UPDATE:.1f} "
          "epochs/s of live training")
    print(f"Target: >= 5 updates/s: {'met' if rate >= 5 - 1e-9 else 'NOT met'} (server side)")
    if args.browser:
        epochs, spent, busy = browser_rate(args.seconds)
        print(f"In Chromium: {epochs} epochs in {spent:.1f} s = {epochs / spent:.1f} epochs/s, "
              f"{epochs / EPOCHS_PER_UPDATE / spent:.1f} live updates/s; the page's main thread "
              f"was busy drawing {busy:.0%} of the time (load average "
              f"{os.getloadavg()[0]:.1f} on {os.cpu_count()} cores)")


if __name__ == "__main__":
    main()
