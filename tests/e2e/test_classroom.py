"""A class opens one link at once on a freshly started server: no session shows an exception.

Runs benchmarks/classroom.py (its own plain `streamlit run`, --plain, as Community Cloud starts
it: not the shared session server, and no warm-up before the port opens, so the first imports
happen inside the class's script threads) with 6 browser contexts at once.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]
SESSIONS = 6


def test_concurrent_first_visits_on_a_fresh_server_show_no_exception(browser_type_launch_args):
    # browser_type_launch_args: skips (or fails, when required) without Chromium
    done = subprocess.run(
        [sys.executable, "benchmarks/classroom.py", "--n", str(SESSIONS), "--cold", "--plain",
         "--url-path", "/Optimizer_Lab", "--timeout", "120"],
        cwd=REPO_ROOT, capture_output=True, text=True, timeout=300,
    )
    assert f"sessions with an exception: 0 of {SESSIONS}" in done.stdout, done.stdout + done.stderr
    assert done.returncode == 0, done.stdout + done.stderr
