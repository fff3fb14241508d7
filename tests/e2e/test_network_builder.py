"""The Network Builder in a real browser: it renders, Play trains live, Pause stops."""

import re

from .helpers import assert_no_console_errors, assert_no_exception, open_page, wait_for_idle

CHART = "[data-testid='stPlotlyChart'] .js-plotly-plot"
SCREENSHOT = "/tmp/backprop_playground_network_builder.png"


def shown_epoch(page) -> int:
    metric = page.locator("[data-testid='stMetric']", has_text="Epoch")
    text = metric.locator("[data-testid='stMetricValue']").inner_text()
    return int(re.match(r"\s*(\d+)\s*/", text).group(1))


def open_layer_editor(page) -> None:
    """Unfold the layer editor (folded under the network's name so the live charts fit)."""
    page.locator("[data-testid='stExpander'] summary", has_text="Network:").first.click()
    page.get_by_role("button", name="Add layer").wait_for(timeout=10_000)


def test_the_page_renders_and_play_trains_live(page, base_url, console_errors):
    open_page(page, base_url, "Network_Builder", timeout_ms=120_000)

    assert page.locator("h1", has_text="Network Builder").first.is_visible()
    page.wait_for_selector(CHART, timeout=30_000)
    open_layer_editor(page)
    assert page.get_by_text("Hidden 2").first.is_visible()
    assert shown_epoch(page) == 0
    assert_no_exception(page)

    page.get_by_role("button", name="Play").click()
    page.get_by_role("button", name="Pause").wait_for(timeout=30_000)
    page.wait_for_function(  # the live area trains on its own, without further clicks
        """() => parseInt(document.querySelector("[data-testid='stMetricValue']").innerText)
                 >= 3""", timeout=60_000)
    assert shown_epoch(page) >= 3
    # Loss and gradient-norm charts appear next to the boundary while it trains.
    # (plotly redraws them on every update, so wait for the title rather than sample it once).
    page.get_by_text("Gradient norm per layer").first.wait_for(state="visible", timeout=10_000)
    page.screenshot(path=SCREENSHOT)

    for cycle in range(3):  # Pause must hold every time, whenever it lands in a live update
        if cycle:
            page.get_by_role("button", name="Play").click()
            page.wait_for_timeout(700 + 300 * cycle)
        page.get_by_role("button", name="Pause").click()
        page.get_by_role("button", name="Play").wait_for(timeout=30_000)
        wait_for_idle(page)
        paused = shown_epoch(page)
        page.wait_for_timeout(1500)
        assert shown_epoch(page) == paused
    assert_no_exception(page)
    assert_no_console_errors(console_errors)


def test_a_shared_link_rebuilds_the_network(page, base_url, console_errors):
    open_page(page, base_url, "Network_Builder?widths=4,3&acts=relu,sigmoid&drops=0.0,0.5",
              timeout_ms=120_000)

    assert page.get_by_text("2 → 4 relu → 3 sigmoid (dropout 0.5) → 2").first.is_visible()
    assert_no_exception(page)
    assert_no_console_errors(console_errors)


def test_add_layer_while_training_adds_exactly_one(page, base_url, console_errors):
    """A click beside the live area can reach two runs; its callback must still run once."""
    for attempt in range(3):
        open_page(page, base_url, "Network_Builder", timeout_ms=120_000)
        open_layer_editor(page)
        page.get_by_role("button", name="Play").click()
        page.wait_for_timeout(1000 + 250 * attempt)
        page.get_by_role("button", name="Add layer").click()
        page.get_by_role("button", name="Play").wait_for(timeout=30_000)  # a new net: paused
        wait_for_idle(page)
        network = page.locator("p", has_text="Network:").first.inner_text()
        assert network.startswith("Network: 2 → 8 tanh → 8 tanh → 8 tanh → 2 ·"), network
    assert_no_exception(page)
    assert_no_console_errors(console_errors)


def test_play_and_the_live_charts_fit_one_1280x720_screen(page, base_url, console_errors):
    """A teacher presses Play and sees the boundary, loss and gradients learn without scrolling."""
    open_page(page, base_url, "Network_Builder", timeout_ms=120_000)
    assert page.viewport_size == {"width": 1280, "height": 720}
    page.get_by_role("button", name="Play").click()
    page.get_by_text("Gradient norm per layer").first.wait_for(state="visible", timeout=30_000)
    page.get_by_role("button", name="Pause").click()
    page.get_by_role("button", name="Play").wait_for(timeout=30_000)
    wait_for_idle(page)

    def on_screen(locator) -> bool:
        box = locator.bounding_box()
        return box is not None and box["y"] >= 0 and box["y"] + box["height"] <= 720

    assert on_screen(page.get_by_role("button", name="Play"))
    charts = page.locator("[data-testid='stPlotlyChart']")
    titles = ("Decision boundary", "Loss", "Gradient norm per layer")
    for title in titles:
        chart = charts.filter(has_text=title).first
        assert on_screen(chart), f"the {title} chart is not fully on screen at 1280×720"
    assert_no_exception(page)
    assert_no_console_errors(console_errors)
