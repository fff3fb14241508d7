"""axe-core (tests/e2e/axe, a pinned npm package): `axe_js` and `assert_accessible` (no violation
of any impact, in every frame and shadow root). tests/e2e/test_views.py runs them on every page,
every Building Blocks section, both Optimizer Lab views and one step of every lesson, at 1280×720
in normal and presenter mode and on a phone.

axe-core is installed by `npm ci` in tests/e2e/axe on first use; without npm the tests skip,
unless REQUIRE_BROWSER=1 or CI=true, where they fail."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest
from playwright.sync_api import Frame, Page, expect

from viz.palette import FOCUS

from .conftest import browser_required
from .helpers import assert_no_exception, open_page, wait_for_idle

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


# ---- what a screen reader hears and a keyboard reaches (issue 25, items 2, 3 and 6) ----------

def focused_label(page: Page) -> str | None:
    """The aria-label of the element with the focus, inside a shadow root or not."""
    return page.evaluate("""() => {
      let at = document.activeElement;
      while (at && at.shadowRoot && at.shadowRoot.activeElement) at = at.shadowRoot.activeElement;
      return at ? at.getAttribute("aria-label") : null;
    }""")


def test_the_graph_player_says_each_step_and_its_nodes_are_keys_away(page: Page, base_url: str):
    open_page(page, base_url, "Expression_Graph?example=fanout&frame=6")
    page.locator(".gp-node").first.wait_for(timeout=30_000)
    page.get_by_role("button", name="Next step").click()
    lines = page.locator(".gp-lines > div").all_text_contents()
    assert lines == ["∂z/∂x = 1 (from z) + 3 (from t1) = 4"]  # the step's arithmetic (t1 = x × y)
    expect(page.locator(".bp-said")).to_have_text(" ".join(lines))
    caption = page.locator(".gp-step").text_content()
    assert page.get_by_role("slider", name="Step").get_attribute("aria-valuetext") == caption
    for name in ("First step", "Previous step", "Play", "Last step", "Show keys"):
        expect(page.get_by_role("button", name=name, exact=True)).to_have_count(1)
    nodes = page.get_by_role("button", name="x = 2, gradient 4")
    expect(nodes).to_have_count(1)  # named by its value and gradient at this step
    assert page.locator(".gp-node[tabindex='0']").count() == 1  # the graph is one tab stop
    page.locator(".gp-node[tabindex='0']").focus()
    first = focused_label(page)
    page.keyboard.press("ArrowRight")  # the arrows move between the nodes...
    assert focused_label(page) not in (None, first)
    page.keyboard.press("End")
    last = focused_label(page)
    page.keyboard.press("Enter")  # ...and Enter selects one as a click does
    page.wait_for_function("() => location.search.includes('node=3')", timeout=15_000)
    wait_for_idle(page)
    assert focused_label(page) == last  # the rerun keeps the focus on it


def test_the_live_player_says_the_epoch_on_pause(page: Page, base_url: str):
    open_page(page, base_url, "Network_Builder")
    epoch = page.get_by_test_id("live-epoch")
    epoch.wait_for(timeout=60_000)
    page.get_by_role("button", name="Play", exact=True).click()
    expect(epoch).to_have_text(re.compile(r"Epoch ([3-9]|\d\d+) "), timeout=60_000)
    page.get_by_role("button", name="Pause", exact=True).click()
    shown = re.match(r"Epoch (\d+)", epoch.text_content()).group(1)
    expect(page.locator(".lp .bp-said")).to_have_text(
        re.compile(rf"^Epoch {shown}: training loss [\d.]+, validation loss [\d.]+"))
    labels = [page.locator("canvas.lp-panel").nth(i).get_attribute("aria-label")
              for i in range(4)]
    assert all(f"epoch {shown} of " in label for label in labels), labels
    assert labels[1].startswith(f"Loss at epoch {shown} of ") and "training loss" in labels[1]


def test_the_surface_map_says_where_each_run_is_at_the_shown_step(page: Page, base_url: str):
    open_page(page, base_url, "Optimizer_Lab?view=surfaces", timeout_ms=120_000)
    canvas = page.locator(".st-key-main-visual .sp canvas.sp-map")
    canvas.wait_for(timeout=30_000)
    page.get_by_role("button", name="First step").click()
    at_start = canvas.get_attribute("aria-label")
    assert re.search(r", step 0 of \d+; \w+, lr=[\d.e-]+ is at \(−?[\d.]+, −?[\d.]+\), loss ",
                     at_start), at_start
    page.get_by_role("button", name="Next step").click()
    one_on = canvas.get_attribute("aria-label")
    assert ", step 1 of " in one_on and one_on.split("; ")[1] != at_start.split("; ")[1]


COUNT_FRAMES = """() => { window.__frames = 0;
  const request = window.requestAnimationFrame.bind(window);
  window.requestAnimationFrame = (f) => { window.__frames++; return request(f); }; }"""


# The views that drew 3-D with WebGL (plotly.js redrew each ~60 times a second, 170-195 calls
# in 3 s): now flat (viz.oblique). tests/viz/test_oblique.py keeps WebGL traces out of viz/.
DREW_3D = ["Building_Blocks?section=quadratic-forms",
           "Building_Blocks?section=rank&rk_vectors=1+0+0;+0+1+0;+1+1+0",
           "Expression_Graph?example=fanout"]  # two inputs: the surface under the player


def test_with_reduced_motion_no_chart_redraws_in_a_loop(page: Page, base_url: str):
    page.emulate_media(reduced_motion="reduce")
    page.add_init_script(f"({COUNT_FRAMES})()")
    for view in DREW_3D:
        open_page(page, base_url, view, settle_ms=1000)
        page.locator("[data-testid='stPlotlyChart']").last.wait_for()
        before = page.evaluate("window.__frames")
        page.wait_for_timeout(1000)
        calls = page.evaluate("window.__frames") - before
        assert calls <= 2, f"{view}: {calls} animation frames in 1 s"  # a loop asks for ~60
    page.get_by_role("button", name="Next step").click()  # the graph player steps at once:
    before = page.evaluate("window.__frames")
    page.wait_for_timeout(300)
    assert page.evaluate("window.__frames") - before <= 2  # no tween drawn frame by frame
    assert page.evaluate("document.getAnimations().length") == 0  # nor a CSS transition


def test_every_plotly_chart_has_a_text_alternative_and_a_focused_modebar_shows(page: Page,
                                                                                base_url: str):
    open_page(page, base_url, "Optimizer_Lab", timeout_ms=120_000)
    charts = page.locator("[data-testid='stPlotlyChart']")
    charts.first.wait_for(timeout=60_000)
    texts = page.locator(".bp-chart-text").all_text_contents()
    assert len(texts) == charts.count() >= 2
    assert texts[0].startswith("Chart: Training loss; Validation loss. SGD, lr=0.1 ends at ")
    hidden = page.locator(".bp-chart-text").first.bounding_box()
    assert hidden["width"] <= 1 and hidden["height"] <= 1  # read, never seen
    page.locator(".modebar-btn").first.focus()  # shown on hover, and while it has the focus
    page.wait_for_function("""() => getComputedStyle(document.activeElement
      .closest('.modebar-group')).opacity === '1'""", timeout=5_000)


def test_next_on_a_lessons_last_step_leaves_the_focus_on_its_controls(page: Page, base_url: str):
    open_page(page, base_url, "Lessons?lesson=adam&step=3")
    page.locator(".st-key-lesson_next button").focus()
    page.keyboard.press("Enter")
    expect(page.locator(".st-key-lesson_next button")).to_be_disabled(timeout=30_000)
    expect(page.locator(".st-key-lesson_back button")).to_be_focused()


def test_a_step_button_disabled_before_any_timer_runs_still_hands_the_focus_over(page: Page,
                                                                               base_url: str):
    """Under load an Enter can disable Next before a polling timer ever saw it focused."""
    open_page(page, base_url, "Lessons?lesson=adam&step=3")
    page.evaluate("""() => { const next = document.querySelector('.st-key-lesson_next button');
                             next.focus(); next.disabled = true; }""")  # one task: no timer between
    expect(page.locator(".st-key-lesson_back button")).to_be_focused()


FOCUSED = """() => { let at = document.activeElement;
  while (at && at.shadowRoot && at.shadowRoot.activeElement) at = at.shadowRoot.activeElement;
  const style = getComputedStyle(at);
  return { inSidebar: Boolean(at.closest("[data-testid=stSidebar]")),
           control: at.matches("a, button, input, select, textarea"),
           ring: `${style.outlineStyle} ${style.outlineWidth} ${style.outlineColor}` }; }"""


def test_tab_skips_the_folded_sidebar_and_every_stop_shows_a_ring(page: Page, base_url: str):
    open_page(page, base_url, "Lessons?lesson=adam&present=1")  # presenting folds the sidebar
    expect(page.get_by_test_id("stSidebar").get_by_role("link").first).to_be_hidden()
    ring = "solid 3px rgb({}, {}, {})".format(*(int(FOCUS[i:i + 2], 16) for i in (1, 3, 5)))
    for _ in range(5):
        page.keyboard.press("Tab")
        focused = page.evaluate(FOCUSED)
        if focused["inSidebar"]:  # Chromium stops on a scroll box: the folded sidebar's own
            assert not focused["control"], focused
        else:
            assert focused["ring"] == ring, focused
