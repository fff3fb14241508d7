"""A class opens the teacher's link at once: N browser sessions on one page of a fresh server.

    .venv/bin/python benchmarks/classroom.py --n 20                # cold: a just-started server
    .venv/bin/python benchmarks/classroom.py --n 40 --warm         # one visit first, then the class
    .venv/bin/python benchmarks/classroom.py --n 10 --url-path "/Optimizer_Lab?view=surfaces"
    .venv/bin/python benchmarks/classroom.py --n 20 --profile /tmp/class.txt   # needs py-spy
    .venv/bin/python benchmarks/classroom.py --n 20 --plain       # as Community Cloud starts it
    .venv/bin/python benchmarks/classroom.py --n 20 --nginx       # deploy/serve.sh --replicas 1
    .venv/bin/python benchmarks/classroom.py --live 8             # 8 students press Play

Starts the app on a free port as deploy/ does (`python -m ui.process run app.py`: the imports
are warmed before the server opens its port; --plain: `streamlit run app.py`, warmed by the
first session; --nginx: one replica behind nginx, deploy/serve.sh, which serves the frontend
files from its cache), opens N Chromium contexts (separate sessions) on the link together and waits
until every one is done: the script is idle and every chart on the page is drawn, or the page
shows an exception. Prints the time until the last one, the sessions that showed an exception
(with the messages), the server's CPU-seconds during the class (from /proc, its children
included) and its peak RSS. --profile samples the server with py-spy during the class and
prints where its time went (functions by share of samples).

--live N: N sessions open the Network Builder's default network, press Play together and play
for --seconds (the run's 500 epochs last 20 s at 25 epochs/s: keep it short); prints the
epochs per second each session showed (slowest, median), the server's CPU per epoch shown (all
sessions' epochs summed) and per second, and then how long another page (--url-path, visited
once before) took to be done for one more session while the class played on: in a browser,
and as the server answers it (a WebSocket session without a browser; the browsers share the
machine's cores with the server and can be slow when the server is not). It prints a line
per phase as it goes, and each phase waits at most --timeout (default 90 s): a session that does
not open or cannot press Play is reported and counted as failed, never waited on for long.

Targets (issue 13), N = 20 on the Optimizer Lab default: 0 exceptions (also cold), server CPU
<= 5 s, peak RSS <= 600 MB; issue 28: <= 3.5 s cold; --live 8: >= 20 epochs/s each and
<= 1 ms of server CPU per epoch shown; --live 30: >= 15 epochs/s each, the other page <= 1 s
(as the server answers it).
Chromium shares the machine's cores with the server, so wall times move with N and the
machine's load; CPU-seconds and RSS are the server's own. Exits with 1 if any session showed
an exception or timed out (tests/e2e/test_classroom.py relies on it).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import websockets
from playwright.async_api import Browser, Page, async_playwright
from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

REPO_ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run",
                 "--disable-quic"]
EXCEPTION = "[data-testid='stException']"
# Done: the script ran ('initial' before the first run, then 'running') and every plotly chart
# holds its drawn SVG (a page without charts: its title is shown); or an exception box is shown.
DONE_JS = """() => {
  if (document.querySelector("[data-testid='stException']")) return true;
  const app = document.querySelector("[data-testid='stApp']");
  if (!app || app.getAttribute('data-test-script-state') !== 'notRunning') return false;
  const charts = [...document.querySelectorAll("[data-testid='stPlotlyChart']")];
  if (!charts.length && !document.querySelector("[data-testid='stMain'] h1")) return false;
  return charts.every(c => c.querySelector('.main-svg'));
}"""
TICKS = os.sysconf("SC_CLK_TCK")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def healthy(url: str) -> bool:
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    try:
        with opener.open(url, timeout=2) as response:
            return response.read().strip() == b"ok"
    except OSError:
        return False


def cpu_seconds(pid: int) -> float:
    """CPU time of a process and its waited-for children (utime, stime, cutime, cstime), plus
    any live children's own."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    total = sum(int(v) for v in fields[11:15]) / TICKS
    for child in children(pid):
        total += cpu_seconds(child)
    return total


def children(pid: int) -> list[int]:
    found = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        try:
            found += [int(c) for c in (task / "children").read_text().split()]
        except OSError:
            pass
    return found


def nginx_cpu_seconds(pid: int) -> float:
    """CPU time of the nginx processes under `pid` (deploy/serve.sh's), their children too."""
    return sum(cpu_seconds(child) if Path(f"/proc/{child}/comm").read_text().strip() == "nginx"
               else nginx_cpu_seconds(child) for child in children(pid))


def peak_rss_mb(pid: int) -> float:
    """Peak resident memory (VmHWM, MB) of the process, plus its live children's."""
    status = Path(f"/proc/{pid}/status").read_text()
    kb = next(int(line.split()[1]) for line in status.splitlines() if line.startswith("VmHWM"))
    return kb / 1024 + sum(peak_rss_mb(c) for c in children(pid))


@dataclass
class Server:
    proc: subprocess.Popen
    base: str
    log: Path
    how: str  # "deploy", "plain" or "nginx" (Server.start)

    @classmethod
    def start(cls, how: str = "deploy", timeout_s: float = 60) -> Server:
        """`how`: "deploy" (python -m ui.process run), "plain" (streamlit run) or "nginx"
        (deploy/serve.sh --replicas 1: one replica behind nginx; its CPU counts nginx's)."""
        port = free_port()
        log = Path(tempfile.mkstemp(prefix="classroom-", suffix=".log")[1])
        options = ["--server.headless", "true", "--server.address", "127.0.0.1",
                   "--server.port", str(port), "--server.fileWatcherType", "none",
                   "--browser.gatherUsageStats", "false"]
        cmd = {"deploy": [sys.executable, "-m", "ui.process", "run", "app.py", *options],
               "plain": [sys.executable, "-m", "streamlit", "run", "app.py", *options],
               "nginx": ["bash", "deploy/serve.sh", "--replicas", "1", "--port", str(port),
                         "--host", "127.0.0.1"]}[how]
        with log.open("w") as out:
            proc = subprocess.Popen(cmd, cwd=REPO_ROOT, stdin=subprocess.DEVNULL, stdout=out,
                                    stderr=subprocess.STDOUT,
                                    env={**os.environ, "PYTHON": sys.executable})
        server = cls(proc, f"http://127.0.0.1:{port}", log, how)
        deadline = time.monotonic() + timeout_s
        while not healthy(f"{server.base}/_stcore/health"):
            if proc.poll() is not None or time.monotonic() > deadline:
                server.stop()
                sys.exit(f"streamlit did not start:\n{log.read_text()[-3000:]}")
            time.sleep(0.2)
        return server

    def stop(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        self.log.unlink(missing_ok=True)


BUSY_TICK_S, BUSY_SHARE = 0.25, 0.1


async def track_busy(pid: int, start: float, busy: list[float]) -> None:
    """Append to `busy` each time (seconds after `start`) the server used more than BUSY_SHARE
    of a core: the browsers, on the same cores, go on drawing after the server is done."""
    last = cpu_seconds(pid)
    while True:
        await asyncio.sleep(BUSY_TICK_S)
        now = cpu_seconds(pid)
        if now - last > BUSY_SHARE * BUSY_TICK_S:
            busy.append(time.monotonic() - start)
        last = now


@dataclass
class Visit:
    seconds: float
    exceptions: list[str]
    files: list[str]  # the frontend's static files the browser fetched


async def visit(browser: Browser, url: str, start: float, timeout_s: float) -> Visit:
    """One student: a fresh browser context (its own session) opens `url` and waits until done."""
    context = await browser.new_context(viewport={"width": 1280, "height": 720})
    try:
        page = await context.new_page()
        files: list[str] = []
        page.on("request", lambda r: files.append(r.url) if "/static/" in r.url else None)
        await page.goto(url, wait_until="domcontentloaded", timeout=timeout_s * 1000)
        await page.wait_for_function(DONE_JS, timeout=timeout_s * 1000, polling=100)
        seconds = time.monotonic() - start
        boxes = page.locator(EXCEPTION)
        exceptions = [(await boxes.nth(i).inner_text())[:4000] for i in range(await boxes.count())]
        return Visit(seconds, exceptions, files)
    except Exception as error:  # a timeout is a failed visit, reported as such
        return Visit(time.monotonic() - start, [f"{type(error).__name__}: {error}"[:600]], [])
    finally:
        await context.close()


async def server_seconds(base: str, url_path: str, timeout_s: float) -> tuple[float, int]:
    """One more session on `url_path` without a browser: a WebSocket speaking Streamlit's own
    protocol asks for the page (as the browser's first message does) and waits for its script to
    finish. Returns (seconds, exception elements sent): the server's answer, without the time a
    browser on the same loaded cores takes to draw it."""
    path, _, query = url_path.lstrip("/").partition("?")
    request = BackMsg()
    request.rerun_script.page_name = path
    request.rerun_script.query_string = query
    start, exceptions = time.monotonic(), 0
    async with websockets.connect(base.replace("http", "ws", 1) + "/_stcore/stream",
                                  subprotocols=["streamlit"], max_size=None,
                                  open_timeout=timeout_s) as stream:
        await stream.send(request.SerializeToString())
        while True:
            message = ForwardMsg()
            message.ParseFromString(await asyncio.wait_for(stream.recv(), timeout_s))
            kind = message.WhichOneof("type")
            if kind == "script_finished":
                return time.monotonic() - start, exceptions
            if kind == "delta" and message.delta.WhichOneof("type") == "new_element":
                exceptions += message.delta.new_element.WhichOneof("type") == "exception"


PLAY = ".lp button.bp-play"  # the live player's Play (the player core's transport bar)
EPOCH = "[data-testid='live-epoch']"


def shown_range(epochs: list[int | None]) -> str:
    """"12-31" over the sessions whose epoch could be read."""
    known = [e for e in epochs if e is not None] or [0]
    return f"{min(known)}-{max(known)}"


def progress(start: float, message: str) -> None:
    """One line of progress, with the seconds since `start` (a live run takes minutes)."""
    print(f"[{time.monotonic() - start:6.1f} s] {message}", flush=True)


async def shown_epoch(page: Page) -> int | None:
    """The epoch the session's player shows; None if it shows none within 10 s (the page lost
    its player: a rerun, a lost session)."""
    try:
        return int((await page.locator(EPOCH).inner_text(timeout=10_000)).split()[1])
    except Exception:  # a timeout or a closed page: that session is reported, not waited on
        return None


async def open_player(browser: Browser, url: str, timeout_s: float) -> Page:
    """One student on the Network Builder, its player drawn (the context stays open)."""
    context = await browser.new_context(viewport={"width": 1280, "height": 720})
    page = await context.new_page()
    await page.goto(url, wait_until="domcontentloaded", timeout=timeout_s * 1000)
    await page.locator(EPOCH).wait_for(timeout=timeout_s * 1000)
    await page.locator(PLAY).wait_for(timeout=timeout_s * 1000)
    return page


async def run_live(server: Server, n: int, seconds: float, other_path: str,
                   timeout_s: float) -> int:
    """N students press Play together; print progress and the figures; returns how many
    failed. Each phase (opening the players, the other page, the clicks) waits at most
    `timeout_s`: a session that does not make it is reported and left out."""
    t0 = time.monotonic()
    async with async_playwright() as p:
        browser = await p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        progress(t0, f"opening {n} sessions on the Network Builder")
        opened = await asyncio.gather(*(open_player(browser, server.base + "/Network_Builder",
                                                    timeout_s) for _ in range(n)),
                                      return_exceptions=True)
        pages = [page for page in opened if isinstance(page, Page)]
        errors = Counter(f"{type(e).__name__}: {e}"[:300] for e in opened
                         if not isinstance(e, Page))
        for error, count in errors.items():
            progress(t0, f"{count} of {n} sessions did not open: {error}")
        if not pages:
            await browser.close()
            return n
        other_url = server.base + "/" + other_path.lstrip("/")
        progress(t0, f"{len(pages)} players drawn; visiting {other_path} once (its caches)")
        await visit(browser, other_url, time.monotonic(), timeout_s)
        progress(t0, "pressing Play in every session")
        clicked = await asyncio.gather(*(page.locator(PLAY).click(timeout=timeout_s * 1000)
                                         for page in pages), return_exceptions=True)
        missed = sum(isinstance(c, Exception) for c in clicked)
        await asyncio.sleep(3)  # the first requests and frames
        epochs0 = await asyncio.gather(*map(shown_epoch, pages))
        progress(t0, f"playing (epochs shown {shown_range(epochs0)}); measuring {seconds:.0f} s")
        cpu0, start = cpu_seconds(server.proc.pid), time.monotonic()
        await asyncio.sleep(seconds)
        epochs1 = await asyncio.gather(*map(shown_epoch, pages))
        cpu, elapsed = cpu_seconds(server.proc.pid) - cpu0, time.monotonic() - start
        progress(t0, f"measured; one more student opens {other_path}")
        other = await visit(browser, other_url, time.monotonic(), timeout_s)
        alone, alone_exceptions = await server_seconds(server.base, other_path, timeout_s)
        failed = await asyncio.gather(*(page.locator(EXCEPTION).count() for page in pages),
                                      return_exceptions=True)  # an error counts as failed
        await browser.close()
    read = [(a, b) for a, b in zip(epochs0, epochs1) if a is not None and b is not None]
    lost = len(pages) - len(read)
    rates = sorted((b - a) / elapsed for a, b in read) or [0.0]
    shown = sum(b - a for a, b in read)
    print(f"{len(pages)} sessions playing the Network Builder's default network for "
          f"{elapsed:.1f} s (from epoch {shown_range(epochs0)}; {n - len(pages)} did not "
          f"open, {missed} could not press Play, {lost} lost their player)")
    print(f"  epochs/s shown per session: slowest {rates[0]:.1f}, median "
          f"{rates[len(rates) // 2]:.1f}, fastest {rates[-1]:.1f}")
    print(f"  server CPU: {1000 * cpu / max(shown, 1):.2f} ms per epoch shown ({shown} epochs "
          f"in all), {cpu / elapsed:.2f} CPU-s per second")
    print(f"  then, while they played on, {other_path} was done after {other.seconds:.1f} s "
          f"in a browser ({len(other.exceptions)} exceptions); the server answered it in "
          f"{alone:.2f} s (a session without a browser: request to script finished; "
          f"{alone_exceptions} exceptions)")
    failures = (sum(map(bool, failed)) + bool(other.exceptions) + bool(alone_exceptions)
                + n - len(pages) + missed + lost)
    print(f"  sessions that failed (an exception, not opened, no Play): {failures} of {n + 1}")
    return failures


async def run_class(server: Server, url_path: str, n: int, warm: bool, timeout_s: float,
                    profile: Path | None) -> int:
    """Open the class, print the figures; returns how many sessions failed."""
    url = server.base + "/" + url_path.lstrip("/")
    async with async_playwright() as p:
        browser = await p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        if warm:
            first = await visit(browser, url, time.monotonic(), timeout_s)
            print(f"warm-up visit: {first.seconds:.1f} s, exceptions: {len(first.exceptions)}")
        spy = start_py_spy(server.proc.pid, profile) if profile else None
        cpu0, nginx0 = cpu_seconds(server.proc.pid), nginx_cpu_seconds(server.proc.pid)
        start = time.monotonic()
        busy = [0.0]
        tracker = asyncio.create_task(track_busy(server.proc.pid, start, busy))
        visits = await asyncio.gather(*(visit(browser, url, start, timeout_s) for _ in range(n)))
        cpu = cpu_seconds(server.proc.pid) - cpu0
        nginx = nginx_cpu_seconds(server.proc.pid) - nginx0
        tracker.cancel()
        peak_mb = peak_rss_mb(server.proc.pid)
        if spy:
            spy.send_signal(signal.SIGINT)  # py-spy writes its file on SIGINT
            spy.wait(timeout=60)
        await browser.close()
    failed = [v for v in visits if v.exceptions]
    times = sorted(v.seconds for v in visits)
    print(f"{'warm' if warm else 'cold'} server ({server.how}), {n} sessions on {url_path}")
    print(f"  all done after      {times[-1]:.1f} s (first {times[0]:.1f} s, "
          f"median {times[len(times) // 2]:.1f} s)")
    print(f"  server busy until   {busy[-1]:.1f} s (last {BUSY_TICK_S} s with > "
          f"{BUSY_SHARE:.0%} of a core)")
    print(f"  sessions with an exception: {len(failed)} of {n}")
    for message in sorted({m for v in failed for m in v.exceptions}):  # with the traceback
        print("    " + message.replace("\n", "\n    "))
    print(f"  server CPU          {cpu:.1f} s" + (f" (of which nginx {nginx:.1f} s)"
                                                  if server.how == "nginx" else ""))
    print(f"  server peak RSS     {peak_mb:.0f} MB")
    files = sorted(set().union(*(v.files for v in visits)))
    megabytes, seconds = serve_files_again(server, files)
    print(f"  of the CPU, serving Streamlit's frontend files to a new browser (measured again "
          f"after: {len(files)} files, {megabytes:.1f} MB): {seconds:.2f} s per session")
    if profile:
        print_profile(profile)
    return len(failed)


def serve_files_again(server: Server, urls: list[str], repeats: int = 3) -> tuple[float, float]:
    """(MB, server CPU-seconds) per fetch of these static files, fetched `repeats` times."""
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    cpu0, size = cpu_seconds(server.proc.pid), 0
    for _ in range(repeats):
        for url in urls:
            with opener.open(url) as response:
                size += len(response.read())
    return size / repeats / 1e6, (cpu_seconds(server.proc.pid) - cpu0) / repeats


def find_py_spy() -> str | None:
    """py-spy on the PATH or beside this Python, else None."""
    beside = Path(sys.executable).with_name("py-spy")
    return shutil.which("py-spy") or (str(beside) if beside.exists() else None)


def start_py_spy(pid: int, out: Path) -> subprocess.Popen:
    """Sample the server into `out` as collapsed stacks: only the thread holding the GIL, so
    the samples show where its Python CPU time goes."""
    py_spy = find_py_spy()
    return subprocess.Popen([py_spy, "record", "--pid", str(pid), "--format", "raw",
                             "--rate", "50", "--output", str(out), "--gil"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def print_profile(collapsed: Path, top: int = 25) -> None:
    """Functions by share of samples in which they are on the stack (inclusive), and the
    places by share in which they are the innermost frame (self time)."""
    inclusive: Counter[str] = Counter()
    own: Counter[str] = Counter()
    total = 0
    for line in collapsed.read_text().splitlines():
        stack, _, count = line.rpartition(" ")
        frames = [short_frame(f) for f in stack.split(";")]
        total += int(count)
        own[frames[-1]] += int(count)
        for frame in set(frames):
            inclusive[frame] += int(count)
    print(f"  py-spy: {total} samples at 50 Hz ({collapsed})")
    for title, counts in (("on the stack", inclusive), ("self", own)):
        print(f"  top {top}, {title}:")
        for frame, count in counts.most_common(top):
            print(f"    {100 * count / total:5.1f} %  {frame}")


def short_frame(frame: str) -> str:
    """'to_json (plotly/io/_json.py:173)' with the site-packages prefix and line dropped."""
    name, _, where = frame.partition(" (")
    path = where.rstrip(")").rsplit(":", 1)[0]
    path = path.split("site-packages/")[-1].replace(str(REPO_ROOT) + "/", "")
    return f"{name} ({path})"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, default=20, help="browser sessions (default 20)")
    parser.add_argument("--url-path", default="/Optimizer_Lab", help="the shared link's path")
    mode = parser.add_mutually_exclusive_group()
    mode.add_argument("--cold", dest="warm", action="store_false", default=False,
                      help="the class is the server's first visitors (default)")
    mode.add_argument("--warm", dest="warm", action="store_true",
                      help="one visit first (imports done, caches filled), then the class")
    parser.add_argument("--timeout", type=float, help="per session, seconds (default 300); "
                        "with --live, each phase's bound (default 90)")
    parser.add_argument("--profile", type=Path, help="record the server with py-spy to this file")
    start = parser.add_mutually_exclusive_group()
    start.add_argument("--plain", dest="how", action="store_const", const="plain",
                       default="deploy", help="start it with plain `streamlit run` (no warm-up "
                       "before the port opens), as Community Cloud does")
    start.add_argument("--nginx", dest="how", action="store_const", const="nginx",
                       help="one replica behind nginx: deploy/serve.sh --replicas 1")
    parser.add_argument("--live", type=int, metavar="N",
                        help="N sessions press Play on the Network Builder instead")
    parser.add_argument("--seconds", type=float, default=8,
                        help="with --live: how long they play while measured (default 8)")
    args = parser.parse_args()
    if args.profile and not find_py_spy():
        parser.error("--profile needs py-spy (pip install py-spy)")
    server = Server.start(args.how)
    try:
        if args.live:
            failed = asyncio.run(run_live(server, args.live, args.seconds, args.url_path,
                                          args.timeout or 90))
        else:
            failed = asyncio.run(run_class(server, args.url_path, args.n, args.warm,
                                           args.timeout or 300, args.profile))
    finally:
        server.stop()
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
