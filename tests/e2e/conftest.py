"""Browser tests: a real `streamlit run app.py` on localhost, driven by Debian's Chromium.

Fixtures for page tests:
  base_url        the running app, e.g. "http://127.0.0.1:8765" (session scope)
  page            a fresh Playwright page per test, 1280x720 (from pytest-playwright)
  console_errors  list of console errors / uncaught page errors recorded for `page`
Helpers (open_page, wait_for_idle, assert_no_exception, assert_no_console_errors) are in
tests/e2e/helpers.py.

Without /usr/bin/chromium these tests are skipped, except when REQUIRE_BROWSER=1 or CI=true,
where they fail. Playwright never downloads a browser here.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from .helpers import collect_console_errors

REPO_ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = Path(os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
SERVER_START_TIMEOUT_S = 60


def browser_required() -> bool:
    truthy = {"1", "true", "yes"}
    return (
        os.environ.get("REQUIRE_BROWSER", "").lower() in truthy
        or os.environ.get("CI", "").lower() in truthy
    )


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _healthy(url: str) -> bool:
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))  # never via a proxy
    try:
        with opener.open(url, timeout=2) as response:
            return response.status == 200 and response.read().strip() == b"ok"
    except OSError:
        return False


@pytest.fixture(scope="session")
def streamlit_server() -> Iterator[str]:
    """Start `streamlit run app.py` from the repo root; yield its base URL; stop it."""
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    log = tempfile.NamedTemporaryFile(prefix="streamlit-e2e-", suffix=".log", delete=False)
    cmd = [
        sys.executable, "-m", "streamlit", "run", "app.py",
        "--server.headless", "true",
        "--server.address", "127.0.0.1",
        "--server.port", str(port),
        "--server.fileWatcherType", "none",
        "--browser.gatherUsageStats", "false",
    ]  # fmt: skip
    proc = subprocess.Popen(
        cmd, cwd=REPO_ROOT, stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT
    )

    def server_log() -> str:
        return Path(log.name).read_text(errors="replace")[-4000:]

    try:
        deadline = time.monotonic() + SERVER_START_TIMEOUT_S
        while not _healthy(f"{base}/_stcore/health"):
            if proc.poll() is not None:
                pytest.fail(f"streamlit exited with {proc.returncode}:\n{server_log()}")
            if time.monotonic() > deadline:
                waited = SERVER_START_TIMEOUT_S
                pytest.fail(f"streamlit not healthy after {waited} s:\n{server_log()}")
            time.sleep(0.25)
        yield base
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=10)
        log.close()
        os.unlink(log.name)


@pytest.fixture(scope="session")
def base_url(streamlit_server: str) -> str:
    """The app's URL; also pytest-playwright's base_url, so `page.goto("/")` works."""
    return streamlit_server


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict) -> dict:
    """Launch Debian's Chromium (skip, or fail when required, if it is missing)."""
    if not CHROMIUM.exists():
        message = f"{CHROMIUM} not found (install it with: apt-get install -y chromium)"
        if browser_required():
            pytest.fail(f"browser tests are required (REQUIRE_BROWSER/CI) but {message}")
        pytest.skip(message)
    return {
        **browser_type_launch_args,
        "executable_path": str(CHROMIUM),
        "args": CHROMIUM_ARGS,
        "timeout": 60_000,
    }


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args: dict) -> dict:
    return {**browser_context_args, "viewport": {"width": 1280, "height": 720}}


@pytest.fixture
def console_errors(page) -> list[str]:
    """Console errors and uncaught exceptions of `page`, recorded from before navigation."""
    return collect_console_errors(page)
