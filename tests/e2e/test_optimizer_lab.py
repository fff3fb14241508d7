"""The Optimizer Lab in a real browser: both views render their charts, six optimizers at once and
every surface included; the loss-surface player plays, pauses and steps in the browser, by its
buttons and by keys."""

import re

import pytest
from playwright.sync_api import expect

from page_models.surfaces import SURFACES

from .helpers import (
    APP_IDLE,
    assert_no_console_errors,
    assert_no_exception,
    open_page,
    wait_for_idle,
)

CHART = "[data-testid='stPlotlyChart'] .js-plotly-plot"
SCREENSHOT = "/tmp/backprop_playground_optimizer_lab_{}.png"
PLAYER = ".st-key-main-visual .sp"
MAP = f"{PLAYER} canvas.sp-map"

# Pixels of the map's canvas: the level lines' light grey (#b0b0b0 and its anti-aliased shades on
# white; the axis box, #999, and the tick labels are darker) and saturated colours (the paths).
CANVAS_PIXELS = """canvas => {
    const d = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
    let grey = 0, coloured = 0;
    for (let i = 0; i < d.length; i += 4) {
        const [r, g, b] = [d[i], d[i + 1], d[i + 2]];
        const spread = Math.max(r, g, b) - Math.min(r, g, b);
        if (d[i + 3] > 0 && spread <= 6 && r >= 165 && r <= 240) grey++;
        if (d[i + 3] > 200 && spread >= 80) coloured++;
    }
    return {grey, coloured};
}"""


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


def shown_step(page) -> tuple[int, int]:
    """The player's "step k of n" as (k, n)."""
    text = page.locator(f"{PLAYER} [data-testid='surface-step']").inner_text()
    k, n = re.fullmatch(r"step (\d+) of (\d+)", text.strip()).groups()
    return int(k), int(n)


def test_the_surface_player_plays_pauses_and_steps_by_keys(page, base_url, console_errors):
    open_page(page, base_url, "Optimizer_Lab?view=surfaces", timeout_ms=120_000)
    assert_no_exception(page)
    page.wait_for_selector(MAP, timeout=30_000)
    assert page.locator(CHART).count() == 1  # the loss gap; the map is the player's canvas
    assert on_first_screen(page, f"{PLAYER} .bp-play") and on_first_screen(page, MAP)
    canvas = page.locator(MAP)
    assert shown_step(page) == (150, 150)  # opens on the final paths
    at_end = canvas.evaluate(CANVAS_PIXELS)
    assert at_end["grey"] > 10_000 and at_end["coloured"] > 500  # level lines and paths

    canvas.click()  # keys go to the page, not to a widget
    page.keyboard.press("Home")
    assert shown_step(page) == (0, 150)
    page.keyboard.press("ArrowRight")
    page.keyboard.press("ArrowRight")
    assert shown_step(page) == (2, 150)
    page.keyboard.press("ArrowLeft")
    assert shown_step(page) == (1, 150)

    page.keyboard.press(" ")  # play: the step moves on by itself, with no script run
    page.wait_for_timeout(600)
    playing = shown_step(page)[0]
    page.wait_for_timeout(400)
    assert shown_step(page)[0] > playing > 1
    assert page.locator(APP_IDLE).count() == 1
    page.keyboard.press(" ")  # pause: the step stays
    paused = shown_step(page)[0]
    page.wait_for_timeout(500)
    assert shown_step(page)[0] == paused < 150
    mid_play = canvas.evaluate(CANVAS_PIXELS)
    assert mid_play["grey"] > 0.8 * at_end["grey"]  # the level lines stay after Play

    page.keyboard.press("ArrowRight")
    assert shown_step(page)[0] == paused + 1
    page.keyboard.press("End")
    assert shown_step(page) == (150, 150)
    page.keyboard.press("Home")
    assert shown_step(page) == (0, 150)
    keys = page.locator(f"{PLAYER} .bp-keys")
    assert not keys.is_visible()
    page.keyboard.press("?")
    assert keys.is_visible() and "play / pause" in keys.inner_text()
    page.keyboard.press("Escape")
    expect(keys).to_be_hidden()

    page.locator(f"{PLAYER} .bp-play").click()  # the buttons do the same
    page.wait_for_timeout(500)
    page.keyboard.press(" ")  # on the focused Play button too: one pause, not a click as well
    stopped = shown_step(page)[0]
    page.wait_for_timeout(400)
    assert 0 < shown_step(page)[0] == stopped < 150
    page.locator(f"{PLAYER} .bp-back").click()
    assert shown_step(page)[0] == stopped - 1
    assert_no_exception(page)
    assert_no_console_errors(console_errors)
    page.screenshot(path=SCREENSHOT.format("surfaces"))


def test_a_key_typed_in_a_field_does_not_step_the_player(page, base_url):
    open_page(page, base_url, "Optimizer_Lab?view=surfaces", timeout_ms=120_000)
    page.wait_for_selector(MAP, timeout=30_000)
    start_x = page.get_by_label("Start x")
    start_x.click()
    start_x.press("ArrowLeft")
    start_x.press("r")
    start_x.press(" ")
    assert shown_step(page) == (150, 150)


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
    assert fresh.locator(CHART).count() == 1 and fresh.locator(MAP).count() == 1
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
    page.wait_for_selector(MAP, timeout=30_000)
    canvas = page.locator(MAP)
    drawn = canvas.get_attribute("aria-label")  # the map names the paths it draws
    for name in SIX_NAMES:
        assert re.search(rf"(^|; |of ){name}, lr=", drawn), (name, drawn)
    pixels = canvas.evaluate(CANVAS_PIXELS)
    assert pixels["grey"] > 5_000 and pixels["coloured"] > 500  # level lines and the paths
    losses = page.locator(CHART).first.evaluate("div => div._fullData.map(t => t.name || '')")
    for name in SIX_NAMES:
        assert any(n.replace("<br>", " ").startswith(f"{name}, lr=") for n in losses), (
            name, losses)  # a name may wrap in a narrow chart (viz.narrow)
    assert_no_console_errors(console_errors)
    page.screenshot(path=SCREENSHOT.format(surface))
