"""The Optimizer Lab in a real browser: both views render their charts, six optimizers at once and
every surface included; the animation plays."""

import pytest

from page_models.surfaces import SURFACES

from .helpers import assert_no_console_errors, assert_no_exception, open_page, wait_for_idle

CHART = "[data-testid='stPlotlyChart'] .js-plotly-plot"
SCREENSHOT = "/tmp/backprop_playground_optimizer_lab_{}.png"


def on_first_screen(page, selector: str) -> bool:
    """Whether the element is wholly inside the 1280×720 viewport before any scrolling."""
    box = page.locator(selector).first.bounding_box()
    return box is not None and box["y"] >= 0 and box["y"] + box["height"] <= 720


def test_train_view_renders_its_charts(page, base_url, console_errors):
    open_page(page, base_url, "Optimizer_Lab", timeout_ms=120_000)

    assert_no_exception(page)
    page.wait_for_selector(CHART, timeout=30_000)
    assert page.locator(CHART).count() == 3  # losses, accuracies, decision boundaries
    assert page.get_by_text("Summary").first.is_visible()
    assert on_first_screen(page, ".st-key-main-visual .legend")  # the loss panels' legend
    assert_no_console_errors(console_errors)
    page.screenshot(path=SCREENSHOT.format("train"))


def test_surface_view_renders_and_plays(page, base_url, console_errors):
    open_page(page, base_url, "Optimizer_Lab?view=surfaces", timeout_ms=120_000)

    assert_no_exception(page)
    page.wait_for_selector(CHART, timeout=30_000)
    assert page.locator(CHART).count() == 2  # trajectories, loss per step
    contour = page.locator(CHART).first
    assert on_first_screen(page, ".st-key-main-visual .updatemenu-button")  # ▶ Play
    level_lines = contour.locator(".scatterlayer .trace").first.locator("path.js-line")

    def drawn_lines() -> int:  # the level lines' segments: one SVG path each
        return level_lines.count()

    drawn = drawn_lines()
    assert drawn > 100
    full = contour.evaluate("div => div._fullData[3].x.length")
    contour.get_by_text("Play").click()
    page.wait_for_timeout(400)
    playing = contour.evaluate("div => div._fullData[3].x.length")
    assert playing < full  # the animation restarted from the first frame
    assert drawn_lines() == drawn  # and the level lines stay while it plays (plotly.js #4491)
    contour.evaluate(  # and plays to the end (40 frames of 80 ms; slower on a loaded machine)
        """(div, full) => new Promise((done, fail) => {
            const start = Date.now();
            const poll = () => div._fullData[3].x.length === full ? done()
                : Date.now() - start > 20000 ? fail(new Error("did not reach the end"))
                : setTimeout(poll, 100);
            poll();
        })""", full)
    assert drawn_lines() == drawn
    contour.get_by_text("First").click()
    page.wait_for_timeout(300)
    assert contour.evaluate("div => div._fullData[3].x.length") == 1
    assert contour.get_by_text("step 0 of").count() == 1 and drawn_lines() == drawn
    assert_no_exception(page)
    assert_no_console_errors(console_errors)
    page.screenshot(path=SCREENSHOT.format("surfaces"))


def test_the_share_link_reproduces_the_view_in_a_fresh_page(page, base_url, browser):
    """A teacher sets up a view with the controls, copies the share link, and a fresh browser
    (a new session) opening it sees the same settings."""
    open_page(page, base_url, "Optimizer_Lab?view=surfaces", timeout_ms=120_000)
    page.get_by_role("combobox", name="Function").click()
    page.get_by_role("option", name="Himmelblau").click()
    wait_for_idle(page)
    page.get_by_role("slider", name="Steps").focus()
    page.keyboard.press("ArrowRight")  # steps: Himmelblau's 200 -> 201
    wait_for_idle(page)
    page.get_by_text("Share this view").click()
    link = page.get_by_test_id("stCode").inner_text().strip()
    assert "surface=himmelblau" in link and "steps=201" in link

    fresh = browser.new_context(viewport={"width": 1280, "height": 720}).new_page()
    fresh.goto(link, wait_until="domcontentloaded")
    wait_for_idle(fresh, timeout_ms=120_000)
    assert_no_exception(fresh)
    assert fresh.get_by_role("combobox", name="Function").input_value() == "Himmelblau"
    assert fresh.get_by_role("slider", name="Steps").get_attribute("aria-valuetext") == "201"
    assert float(fresh.get_by_label("Start x").input_value()) == -0.5  # Himmelblau's start
    assert fresh.locator(CHART).count() == 2
    fresh.context.close()


SIX = "sgd+nesterov:lr%3D0.02+rmsprop+adagrad+adam~cosine:T_max%3D40+adamw"
SIX_NAMES = ("SGD", "Nesterov", "RMSprop", "Adagrad", "Adam", "AdamW")


def test_six_optimizers_train_side_by_side(page, base_url, console_errors):
    open_page(page, base_url, f"Optimizer_Lab?opt={SIX}&epochs=10&seeds=1",
              timeout_ms=120_000)
    assert_no_exception(page)
    page.wait_for_selector(CHART, timeout=30_000)
    assert page.locator(CHART).count() == 3
    losses = page.locator(CHART).first
    names = losses.evaluate("div => div._fullData.map(t => t.name || '')")
    for name in SIX_NAMES:
        assert any(n.startswith(f"{name}, lr=") for n in names), (name, names)
    sidebar = page.get_by_test_id("stSidebar")
    schedules = sidebar.get_by_role("combobox", name="Learning-rate schedule")
    assert schedules.count() == 6  # one box of settings per optimizer
    assert_no_console_errors(console_errors)
    page.screenshot(path=SCREENSHOT.format("six"))


@pytest.mark.parametrize("surface", SURFACES)
def test_every_surface_draws_six_trajectories(page, base_url, console_errors, surface):
    open_page(page, base_url, f"Optimizer_Lab?view=surfaces&surface={surface}&sopt={SIX}",
              timeout_ms=120_000)
    assert_no_exception(page)
    page.wait_for_selector(CHART, timeout=30_000)
    contour = page.locator(CHART).first
    names = contour.evaluate("div => div._fullData.map(t => t.name || '')")
    for name in SIX_NAMES:
        assert any(n.startswith(f"{name}, lr=") for n in names), (name, names)
    assert contour.evaluate("div => div._fullData[0].name") == "level lines"
    assert_no_console_errors(console_errors)
    page.screenshot(path=SCREENSHOT.format(surface))
