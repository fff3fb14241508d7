"""The Optimizer Lab in a real browser: both views render their charts; the animation plays."""

from .helpers import assert_no_console_errors, assert_no_exception, open_page

CHART = "[data-testid='stPlotlyChart'] .js-plotly-plot"
SCREENSHOT = "/tmp/backprop_playground_optimizer_lab_{}.png"


def test_train_view_renders_its_charts(page, base_url, console_errors):
    open_page(page, base_url, "Optimizer_Lab", timeout_ms=120_000)

    assert_no_exception(page)
    page.wait_for_selector(CHART, timeout=30_000)
    assert page.locator(CHART).count() == 3  # losses, accuracies, decision boundaries
    assert page.get_by_text("Summary").first.is_visible()
    assert_no_console_errors(console_errors)
    page.screenshot(path=SCREENSHOT.format("train"))


def test_surface_view_renders_and_plays(page, base_url, console_errors):
    open_page(page, base_url, "Optimizer_Lab?view=surfaces", timeout_ms=120_000)

    assert_no_exception(page)
    page.wait_for_selector(CHART, timeout=30_000)
    assert page.locator(CHART).count() == 2  # trajectories, loss per step
    contour = page.locator(CHART).first
    full = contour.evaluate("div => div._fullData[3].x.length")
    contour.get_by_text("Play").click()
    page.wait_for_timeout(400)
    playing = contour.evaluate("div => div._fullData[3].x.length")
    assert playing < full  # the animation restarted from the first frame
    page.wait_for_timeout(4000)
    assert contour.evaluate("div => div._fullData[3].x.length") == full  # and played to the end
    assert_no_exception(page)
    assert_no_console_errors(console_errors)
    page.screenshot(path=SCREENSHOT.format("surfaces"))
