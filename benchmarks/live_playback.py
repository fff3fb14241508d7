"""Benchmark: the Network Builder's live training, played in the browser (ui.live_player).

    .venv/bin/python benchmarks/live_playback.py [--seconds 8] [--screenshots 100] [--no-browser]

Prints, for the default network (moons, x₁ x₂ → 8 tanh → 8 tanh → 2, Adam, batch 32) and for a
6×128 relu network:
  server work per epoch   training one epoch and making its frame (boundary grid, weights),
                          encoded and serialised as the player receives it, in this process
                          (OpenBLAS on one thread, as ui.process sets it for the app)
  epochs/s shown          epochs the page shows per second while playing in headless Chromium
  server CPU per epoch    CPU seconds of the `streamlit run` process per epoch shown
  Pause                   time from the click to the button showing Play again (after the next
                          paint), and epochs shown after the click (over 2 s)
  blank charts            chart panels with nothing drawn, in N screenshots taken during Play
and the machine's load (`uptime`), which these figures move with: the machine is shared.

Targets (issue 13): ≥ 20 epochs/s shown on the default network, ≥ 5 on 6×128 relu; Pause within
200 ms; 0 blank charts in 100 screenshots during Play; server CPU per epoch shown ≤ 20 ms.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO_ROOT))

from page_models.live import Playback  # noqa: E402
from page_models.network_builder import PARAMS, build  # noqa: E402
from ui.process import single_threaded_blas  # noqa: E402
from viz.live_charts import player_frames  # noqa: E402

NETWORKS = {"default 2-8-8-2 tanh": "", "6×128 relu": "2-128-128-128-128-128-128-2:relu:0"}
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run",
                 "--disable-quic"]
PLAY = ".lp button.bp-play"  # the live player's Play (the player core's transport bar)
EPOCH = "[data-testid='live-epoch']"


def load() -> str:
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


def server_work_per_epoch(net: str, epochs: int) -> float:
    """CPU seconds per epoch: train, make the frame, encode it, serialise it."""
    values = {name: param.default for name, param in PARAMS.items()}
    if net:
        values["net"] = net
    playback = Playback(build(values))
    playback.frames(1)
    start = time.process_time()
    for _ in range(epochs):
        json.dumps(player_frames(playback.frames(1)))
    return (time.process_time() - start) / epochs


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def start_server() -> tuple[subprocess.Popen, str]:
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", "app.py", "--server.headless", "true",
         "--server.port", str(port), "--server.fileWatcherType", "none"],
        cwd=REPO_ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    for _ in range(240):
        try:
            with opener.open(f"{base}/_stcore/health", timeout=2):
                return server, base
        except OSError:
            time.sleep(0.25)
    server.terminate()
    raise SystemExit("streamlit did not start")


def shown_epoch(page) -> int:
    return int(page.locator(EPOCH).inner_text().split()[1])


def blank_panels(png: bytes, boxes: list[dict], origin: dict) -> int:
    """Panels whose region of the screenshot is one flat colour (nothing drawn)."""
    from PIL import Image

    image = Image.open(io.BytesIO(png)).convert("L")
    blank = 0
    for box in boxes:
        left, top = box["x"] - origin["x"] + 2, box["y"] - origin["y"] + 2
        region = image.crop((int(left), int(top), int(left + box["width"] - 4),
                             int(top + box["height"] - 4)))
        low, high = region.getextrema()
        blank += high - low < 8
    return blank


def browser_figures(page, base: str, net: str, seconds: float, screenshots: int,
                    server_pid: int) -> dict:
    page.goto(f"{base}/Network_Builder" + (f"?net={net}" if net else ""))
    page.wait_for_selector("[data-testid='stApp'][data-test-script-state='notRunning']",
                           timeout=120_000)
    page.get_by_text("Press Play or Step").wait_for(timeout=60_000)
    page.locator(PLAY).click()
    time.sleep(2.0)  # the first requests and the first frames
    epoch0, cpu0, t0 = shown_epoch(page), cpu_seconds(server_pid), time.monotonic()
    time.sleep(seconds)
    epoch1, cpu1, t1 = shown_epoch(page), cpu_seconds(server_pid), time.monotonic()
    shown = max(epoch1 - epoch0, 1)
    figures = {"epochs/s shown": (epoch1 - epoch0) / (t1 - t0),
               "server CPU ms per epoch shown": 1000 * (cpu1 - cpu0) / shown}
    visual = page.locator(".st-key-main-visual")
    blanks = 0
    for _ in range(screenshots):
        if shown_epoch(page) >= 480:
            break
        boxes = [page.locator("canvas.lp-panel:visible").nth(i).bounding_box()
                 for i in range(page.locator("canvas.lp-panel:visible").count())]
        blanks += blank_panels(visual.screenshot(), boxes, visual.bounding_box())
    figures["blank charts in screenshots"] = f"{blanks} in {screenshots}"
    if "Pause" not in page.locator(PLAY).inner_text():
        page.locator(PLAY).click()
        time.sleep(1.0)
    pause_ms = page.locator(PLAY).evaluate("""async (button) => {
        const start = performance.now();
        button.click();
        await new Promise((done) => requestAnimationFrame(() => requestAnimationFrame(done)));
        return button.textContent.includes("Play") ? performance.now() - start : -1;
    }""")
    at_pause = shown_epoch(page)
    time.sleep(2.0)
    figures["Pause: ms to Play shown (next paint)"] = pause_ms
    figures["Pause: epochs shown after the click"] = shown_epoch(page) - at_pause
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seconds", type=float, default=8.0)
    parser.add_argument("--screenshots", type=int, default=100)
    parser.add_argument("--no-browser", action="store_true")
    args = parser.parse_args()
    print(f"load average before: {load()}; OpenBLAS on one thread, as the app sets it: "
          f"{single_threaded_blas()}")
    for name, net in NETWORKS.items():
        epochs = 40 if not net else 10
        print(f"{name}: server work per epoch (in process) "
              f"{1000 * server_work_per_epoch(net, epochs):.1f} ms")
    if args.no_browser:
        return
    from playwright.sync_api import sync_playwright

    server, base = start_server()
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
            page = browser.new_page(viewport={"width": 1280, "height": 720})
            for name, net in NETWORKS.items():
                figures = browser_figures(page, base, net, args.seconds, args.screenshots,
                                          server.pid)
                for what, value in figures.items():
                    shown = f"{value:.1f}" if isinstance(value, float) else value
                    print(f"{name}: {what}: {shown}")
            browser.close()
    finally:
        server.terminate()
        server.wait(timeout=10)
    print(f"load average after: {load()}")


if __name__ == "__main__":
    main()
