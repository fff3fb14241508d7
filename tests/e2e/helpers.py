"""Helpers for browser tests against the real `streamlit run` server.

    from .helpers import assert_no_console_errors, assert_no_exception, open_page

    def test_my_page(page, base_url, console_errors):
        open_page(page, base_url, "Optimizer_Lab?opt=adam")
        assert_no_exception(page)
        assert_no_console_errors(console_errors)
"""

from __future__ import annotations

from playwright.sync_api import ConsoleMessage, Error, Page, expect

from ui.widths import BOX_PREFIX, NARROW_CHART_PX, STEP_PX

# The app has finished a script run (the attribute is "initial" before the first one).
APP_IDLE = "[data-testid='stApp'][data-test-script-state='notRunning']"
# Every chart shown is drawn for the width its box has (ui.widths: the width assumed is in the
# box's key).
CHARTS_SIZED = """([prefix, step, narrow]) => {
  const box = `st-key-${prefix}`;
  return [...document.querySelectorAll(`[class*="${box}"]`)].every(el => {
    const name = [...el.classList].find(c => c.startsWith(box));
    const assumed = Number(name.slice(box.length).split("-")[1]);
    const px = el.getBoundingClientRect().width;
    return px < 2 || (px < narrow ? step * Math.floor(px / step) : 0) === assumed;
  });
}"""
EXCEPTION = "[data-testid='stException']"

# Harmless console errors: on a deep link (/Optimizer_Lab?...) the frontend first probes
# /Optimizer_Lab/_stcore/{health,host-config} to guess the base path, gets 404, then uses "/".
KNOWN_HARMLESS = ("/_stcore/health)", "/_stcore/host-config)")


def open_page(
    page: Page, base_url: str, path: str = "", *, timeout_ms: int = 60_000, settle_ms: int = 500
) -> None:
    """Go to `base_url/path` (e.g. "Expression_Graph?src=x*y") and wait until the script ran."""
    page.goto(f"{base_url.rstrip('/')}/{path.lstrip('/')}", wait_until="domcontentloaded")
    wait_for_idle(page, timeout_ms=timeout_ms, settle_ms=settle_ms)


def wait_for_idle(page: Page, *, timeout_ms: int = 60_000, settle_ms: int = 500) -> None:
    """Wait for the current script run to finish (e.g. after clicking a widget), and for the
    rerun that draws the charts for their measured widths (ui.widths), if one is due."""
    page.wait_for_timeout(150)  # let a rerun triggered just before start
    page.wait_for_selector(APP_IDLE, timeout=timeout_ms)
    page.wait_for_timeout(settle_ms)  # let the frontend draw what the run sent
    page.wait_for_function(CHARTS_SIZED, arg=[BOX_PREFIX, STEP_PX, NARROW_CHART_PX],
                           polling=100, timeout=timeout_ms)
    page.wait_for_selector(APP_IDLE, timeout=timeout_ms)


def assert_no_exception(page: Page) -> None:
    """No Streamlit exception box on the page (their text is in the failure message)."""
    boxes = page.locator(EXCEPTION)
    texts = [boxes.nth(i).inner_text()[:2000] for i in range(boxes.count())]
    assert not texts, "Streamlit showed an exception:\n\n" + "\n---\n".join(texts)


def collect_console_errors(page: Page) -> list[str]:
    """Start recording console errors and uncaught page errors; returns the live list."""
    errors: list[str] = []

    def on_console(msg: ConsoleMessage) -> None:
        if msg.type == "error":
            errors.append(f"console.error: {msg.text} ({msg.location.get('url', '')})")

    def on_page_error(exc: Error) -> None:
        errors.append(f"uncaught: {exc}")

    page.on("console", on_console)
    page.on("pageerror", on_page_error)
    return errors


def assert_no_console_errors(errors: list[str], ignore: tuple[str, ...] = ()) -> None:
    """No recorded console errors, except KNOWN_HARMLESS ones and those containing one of the
    `ignore` substrings."""
    skip = KNOWN_HARMLESS + tuple(ignore)
    left = [e for e in errors if not any(part in e for part in skip)]
    assert not left, "browser console errors:\n" + "\n".join(left)


def assert_the_keys_toggle(page: Page, keys: str, button: str, says: str) -> None:
    """A player's list of keys (selector `keys`, saying `says`): hidden at first; "?" shows it and
    "?" again hides it; its ? button (selector `button`) shows it and Escape hides it."""
    listing = page.locator(keys)
    expect(listing).to_be_hidden()
    page.keyboard.press("?")
    expect(listing).to_be_visible()
    assert says in listing.text_content()
    page.keyboard.press("?")
    expect(listing).to_be_hidden()
    page.locator(button).click()
    expect(listing).to_be_visible()
    page.keyboard.press("Escape")
    expect(listing).to_be_hidden()
