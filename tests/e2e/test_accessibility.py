"""axe-core (tests/e2e/axe, a pinned npm package): `axe_js` and `assert_accessible` (no violation
of any impact, in every frame and shadow root). tests/e2e/test_views.py runs them on every page,
every Building Blocks section, both Optimizer Lab views and one step of every lesson, at 1280×720
in normal and presenter mode and on a phone.

axe-core is installed by `npm ci` in tests/e2e/axe on first use; without npm the tests skip,
unless REQUIRE_BROWSER=1 or CI=true, where they fail."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
from playwright.sync_api import Frame, Page

from .conftest import browser_required
from .helpers import assert_no_exception

AXE_DIR = Path(__file__).resolve().parent / "axe"
AXE_JS = AXE_DIR / "node_modules" / "axe-core" / "axe.min.js"


@pytest.fixture(scope="session")
def axe_js() -> str:
    """axe-core's script, installed with npm ci on first use."""
    if not AXE_JS.exists() and (npm := shutil.which("npm")):
        subprocess.run([npm, "ci", "--no-audit", "--no-fund"], cwd=AXE_DIR, timeout=300,
                       check=False, stdin=subprocess.DEVNULL)
    if not AXE_JS.exists():
        message = f"axe-core is not installed ({AXE_DIR}: npm ci failed, or there is no npm)"
        if browser_required():
            pytest.fail(message)
        pytest.skip(message)
    return AXE_JS.read_text()


def violations(frame: Frame, axe: str) -> list[str]:
    """axe's violations in `frame` (its shadow roots included), one line each."""
    if not frame.evaluate("() => typeof window.axe !== 'undefined'"):
        frame.evaluate(axe)
    found = frame.evaluate("""async () => {
      const result = await axe.run(document, { iframes: false });
      return result.violations.map(v => `${v.id} (${v.impact}): ` + v.nodes.slice(0, 4)
        .map(n => `${n.target.join(" ")} ${n.failureSummary.split("\\n")[1] || ""}`)
        .join(" | "));
    }""")
    return [f"{frame.url}: {line}" for line in found]


def assert_accessible(page: Page, axe: str) -> None:
    assert_no_exception(page)
    found = [line for frame in page.frames if frame.url.startswith("http")
             for line in violations(frame, axe)]
    assert not found, "axe-core found:\n" + "\n".join(found)
