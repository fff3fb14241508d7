"""deploy/: the lecture-hall topology. `deploy/serve.sh --replicas 2` (nginx in front of two
`streamlit run` processes) serves a class through nginx: no session shows an exception, both
replicas serve sessions, every request of a browser (its WebSocket, its upload, its download,
the reruns between them) reaches one replica, and everything serve.sh started stops with it.

Needs nginx (apt-get install -y nginx); without it the test is skipped, except under
REQUIRE_BROWSER/CI, where it fails. The Dockerfile and compose.yaml cannot be built here (no
Docker daemon): the Dockerfile's file list is checked against the repo instead.
"""

from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

from .conftest import REPO_ROOT, browser_required
from .helpers import APP_IDLE, assert_no_exception, open_page, wait_for_idle

SESSIONS = 20
START_TIMEOUT_S = 180
CLASS_TIMEOUT_S = 300  # until every session of the class is drawn (a guard against a hang)
# A line of the access log (nginx.conf.template's bp_replica format).
LOG_LINE = re.compile(r'"(?P<method>\S+) (?P<path>\S+) [^"]*" (?P<status>\d+) \d+ '
                      r"replica=(?P<replica>\S+) cookie=(?P<cookie>\S+)")
NOT_IN_IMAGE = {"benchmarks", "deploy", "docs", "tests", "__pycache__"}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def answers(port: int) -> bool:
    with socket.socket() as sock:
        return sock.connect_ex(("127.0.0.1", port)) == 0


class Hall:
    """A running deploy/serve.sh: its URL and its directory (logs)."""

    def __init__(self, base: str, folder: Path):
        self.base, self.folder = base, folder

    def requests(self) -> list[dict[str, str]]:
        """The access log so far (nginx writes a WebSocket's line when it closes)."""
        text = (self.folder / "access.log").read_text()
        return [m.groupdict() for m in map(LOG_LINE.search, text.splitlines()) if m]

    def state_of(self, pages) -> str:
        """What each browser shows, and the ends of the logs (for a failure message)."""
        lines = []
        for i, page in enumerate(pages):
            state = page.evaluate("""() => {
                const app = document.querySelector("[data-testid='stApp']");
                return [app ? app.getAttribute("data-test-script-state") : "no stApp",
                        document.body ? document.body.innerText.slice(0, 160) : ""];
            }""")
            lines.append(f"browser {i}: {page.url} script={state[0]} text={state[1]!r}")
        for log in sorted(self.folder.glob("*.log")) + [self.folder / "serve.out"]:
            if log.exists():
                lines.append(f"--- {log.name}:\n" + log.read_text()[-1500:])
        return "\n".join(lines)

    def replicas_by_browser(self) -> dict[str, set[str]]:
        """Browser (its bp_replica cookie) -> the replicas that answered its requests (static
        files answered from nginx's cache have none)."""
        seen = defaultdict(set)
        for line in self.requests():
            if line["cookie"] != "-" and line["replica"] != "-":
                seen[line["cookie"]].add(line["replica"])
        return seen


@pytest.fixture(scope="module")
def hall(browser_type_launch_args):
    # browser_type_launch_args: skips (or fails, when required) without Chromium
    if not (shutil.which("nginx") or Path("/usr/sbin/nginx").exists()):
        message = "nginx not found (install it with: apt-get install -y nginx)"
        if browser_required():
            pytest.fail(f"deploy tests are required (REQUIRE_BROWSER/CI) but {message}")
        pytest.skip(message)
    folder = Path(tempfile.mkdtemp(prefix="test-deploy-"))  # not tmp_path: pytest runs
    # elsewhere on the machine delete older ones, this one too while nginx writes there
    port = free_port()
    out = folder / "serve.out"
    with out.open("w") as stdout:
        proc = subprocess.Popen(
            ["bash", "deploy/serve.sh", "--replicas", "2", "--port", str(port), "--host",
             "127.0.0.1", "--dir", str(folder)],
            cwd=REPO_ROOT, env={**os.environ, "PYTHON": sys.executable},
            stdin=subprocess.DEVNULL, stdout=stdout, stderr=subprocess.STDOUT)
    ports: list[int] = []
    try:
        deadline = time.monotonic() + START_TIMEOUT_S
        while "ready: " not in out.read_text():
            if proc.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"deploy/serve.sh did not get ready:\n{out.read_text()[-3000:]}")
            time.sleep(0.2)
        ports = [int(p) for p in re.findall(r"^replica \d+: http://127.0.0.1:(\d+)",
                                            out.read_text(), re.M)]
        assert len(ports) == 2, out.read_text()
        yield Hall(f"http://127.0.0.1:{port}", folder)
    finally:
        proc.terminate()
        proc.wait(timeout=60)
    left = [p for p in ports + [port] if answers(p)]
    assert not left, f"still listening after serve.sh stopped: {left}\n{out.read_text()}"
    shutil.rmtree(folder)


def test_a_class_through_nginx_spreads_over_both_replicas_and_each_browser_stays_on_one(
        browser, hall):
    contexts = [browser.new_context(viewport={"width": 1280, "height": 720})
                for _ in range(SESSIONS)]
    try:
        pages = [context.new_page() for context in contexts]
        for page in pages:  # the class opens the link together
            page.goto(hall.base + "/", wait_until="commit")
        deadline = time.monotonic() + CLASS_TIMEOUT_S
        for page in pages:
            left_ms = max(1000 * (deadline - time.monotonic()), 1000)
            try:
                page.wait_for_selector(APP_IDLE, timeout=left_ms)
                page.wait_for_selector("[data-testid='stMain'] h1", timeout=left_ms)
            except PlaywrightTimeoutError:
                pytest.fail(f"the class was not drawn in {CLASS_TIMEOUT_S} s:\n"
                            + hall.state_of(pages))
            assert_no_exception(page)
        cookies = [next(c["value"] for c in context.cookies() if c["name"] == "bp_replica")
                   for context in contexts]
    finally:
        for context in contexts:
            context.close()
    assert len(set(cookies)) == SESSIONS  # each browser its own
    time.sleep(1)  # nginx logs a WebSocket when it closes
    streams = {line["cookie"]: line["replica"] for line in hall.requests()
               if line["path"] == "/_stcore/stream"}
    assert set(streams) == set(cookies)  # every session went through nginx
    assert len(set(streams.values())) == 2, streams  # both replicas served sessions
    by_browser = hall.replicas_by_browser()
    assert all(by_browser[c] == {streams[c]} for c in cookies), by_browser


def test_an_upload_and_a_download_through_nginx_reach_the_session_s_replica(browser, hall,
                                                                          tmp_path):
    context = browser.new_context(viewport={"width": 1280, "height": 720})
    try:
        page = context.new_page()
        csv = tmp_path / "points.csv"
        csv.write_text("x1,x2,class\n" + "".join(f"{i / 10:.1f},{(i * 7 % 13) / 5:.1f},{i % 2}\n"
                                                 for i in range(40)))
        open_page(page, hall.base, "Network_Builder?my_data=csv", timeout_ms=120_000)
        uploader = page.locator("[data-testid='stFileUploader']", has_text="Upload a CSV file")
        uploader.locator("input[type=file]").set_input_files(str(csv))
        page.get_by_text("40 points, classification").wait_for(timeout=60_000)
        wait_for_idle(page)
        page.locator("summary", has_text="Export this network").click()
        with page.expect_download(timeout=60_000) as download:
            page.get_by_role("button", name="Download NumPy script").click()
        script = tmp_path / "script.py"
        download.value.save_as(script)
        assert "import numpy" in script.read_text()
        assert_no_exception(page)
        cookie = next(c["value"] for c in context.cookies() if c["name"] == "bp_replica")
    finally:
        context.close()
    time.sleep(1)
    mine = [line for line in hall.requests() if line["cookie"] == cookie]
    assert any("/_stcore/upload_file/" in line["path"] for line in mine), mine
    assert sum(line["path"] == "/_stcore/stream" for line in mine) == 1  # one session, no
    assert len({line["replica"] for line in mine} - {"-"}) == 1, mine  # reconnect, one replica


def test_the_image_holds_every_part_of_the_app():
    """The Dockerfile copies every top-level folder but the ones the app never reads."""
    copied = set(re.findall(r"^COPY (?:--chown=\S+ )?(\S+) ",
                            (REPO_ROOT / "deploy/Dockerfile").read_text(), re.M))
    folders = {p.name for p in REPO_ROOT.iterdir()
               if p.is_dir() and (not p.name.startswith(".") or p.name == ".streamlit")}
    assert folders - NOT_IN_IMAGE <= copied
    assert {"requirements.txt", "app.py"} <= copied
