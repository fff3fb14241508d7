"""The Network Builder in a real browser: training plays in the browser, Pause stops it at once,
a link opens at its epoch, no chart is ever blank, and the live view fits the first screen."""

import re
import time

from playwright.sync_api import expect

from .helpers import (
    assert_no_console_errors,
    assert_no_exception,
    assert_the_keys_toggle,
    open_page,
    wait_for_idle,
)

EPOCH = "[data-testid='live-epoch']"
PLAY = ".lp button.bp-play"  # the live player's Play/Pause button (the graphs have their own)
PANELS = "canvas.lp-panel:visible"
SCREENSHOT = "/tmp/backprop_playground_network_builder.png"
# Play shows again soon after Pause (a guard against a round trip or a hang; the 200 ms target
# is measured by benchmarks/live_playback.py, not by a timed test on a shared machine).
PAUSE_BOUND_MS = 1000


def shown_epoch(page) -> int:
    text = page.locator(EPOCH).inner_text()
    assert re.match(r"Epoch \d+", text), f"the player shows {text!r}"
    return int(text.split()[1])


def blank_panels(page) -> int:
    """Visible chart canvases with nothing drawn (every pixel transparent)."""
    return sum(page.locator(PANELS).nth(i).evaluate(
        """c => !c.getContext('2d').getImageData(0, 0, c.width, c.height).data
                 .some((v, i) => i % 4 === 3 && v > 0)""")
        for i in range(page.locator(PANELS).count()))


def play(page, until_epoch: int, timeout_s: float = 60) -> None:
    """Press Play and wait until the player shows `until_epoch` (or the run's end)."""
    page.locator(PLAY).click()
    deadline = time.monotonic() + timeout_s
    while shown_epoch(page) < until_epoch and time.monotonic() < deadline:
        if page.locator(".lp button.bp-next").is_disabled():
            return  # the run ended (Play would play it again from the start)
        page.wait_for_timeout(100)
    assert shown_epoch(page) >= until_epoch or time.monotonic() < deadline


def test_play_trains_in_the_browser_and_pause_stops_at_once(page, base_url, console_errors):
    open_page(page, base_url, "Network_Builder", timeout_ms=120_000)
    page.locator(EPOCH).wait_for(timeout=30_000)
    assert shown_epoch(page) == 0
    play(page, 5)
    blanks = 0
    for _ in range(10):  # sampled while it plays: a chart is never blank
        blanks += blank_panels(page)
        page.wait_for_timeout(100)
    assert blanks == 0
    page.screenshot(path=SCREENSHOT)
    for cycle in range(3):  # Pause holds every time, whenever it lands
        if cycle:
            page.locator(PLAY).click()
            page.wait_for_timeout(400 + 300 * cycle)
        assert "Pause" in page.locator(PLAY).inner_text()
        page.locator(PLAY).click()
        at_pause = shown_epoch(page)
        page.locator(PLAY, has_text="Play").wait_for(timeout=PAUSE_BOUND_MS)
        page.wait_for_timeout(1500)
        assert shown_epoch(page) == at_pause  # not one more epoch after the click
    wait_for_idle(page)
    assert f"epoch={at_pause}" in page.url  # the paused epoch is in the share link
    assert_no_exception(page)
    assert_no_console_errors(console_errors)


def test_the_live_point_graph_moves_with_play_and_shows_the_paused_epochs_numbers(
        page, base_url, console_errors):
    """The live player hands each epoch's values to the point's graph (no request of its
    own); after Pause the page draws that epoch's graph itself: the same numbers."""
    open_page(page, base_url, "Network_Builder?point_graph=1&point=7", timeout_ms=120_000)
    page.locator(EPOCH).wait_for(timeout=60_000)
    graph = page.locator(".gp-root").first  # the live graph, above the tabs' graph
    step = graph.locator(".gp-step")
    expect(step).to_have_text("epoch 0: every value and gradient", timeout=30_000)

    def numbers() -> list[str]:
        return graph.evaluate("g => [...g.querySelectorAll('.gp-value, .gp-grad')]"
                              ".map((t) => t.textContent)")

    untrained = numbers()
    play(page, 3)
    expect(step).to_have_text(re.compile(r"epoch ([3-9]|\d\d+): "))
    assert numbers() != untrained
    page.locator(PLAY).click()
    page.locator(PLAY, has_text="Play").wait_for(timeout=PAUSE_BOUND_MS)
    paused = shown_epoch(page)
    # the live graph at the paused epoch, unless the page's own run has already drawn it
    expect(step).to_have_text(re.compile(rf"^(epoch {paused}: )?every value and gradient$"))
    live = numbers()
    wait_for_idle(page)  # the page's run at the paused epoch draws the graph again
    expect(step).to_have_text("every value and gradient")
    assert numbers() == live
    assert_no_exception(page)
    assert_no_console_errors(console_errors)


def test_a_link_with_an_epoch_opens_paused_at_that_epoch(page, base_url, console_errors):
    open_page(page, base_url, "Network_Builder?epoch=25&seed=2", timeout_ms=120_000)
    page.get_by_text("validation accuracy").first.wait_for(timeout=60_000)  # epoch 25's frame
    page.wait_for_timeout(1000)
    assert shown_epoch(page) == 25
    assert "Play" in page.locator(PLAY).inner_text()
    assert blank_panels(page) == 0
    assert_no_exception(page)
    assert_no_console_errors(console_errors)


def test_the_live_view_and_its_controls_fit_one_1280x720_screen(page, base_url, console_errors):
    open_page(page, base_url, "Network_Builder", timeout_ms=120_000)
    page.locator(EPOCH).wait_for(timeout=30_000)
    box = page.locator(".st-key-main-visual").bounding_box()
    assert box is not None and box["y"] >= 0 and box["y"] + box["height"] <= 720, box
    for control in (PLAY, ".lp button.bp-next", ".lp button.bp-first"):
        button = page.locator(control).bounding_box()
        assert button["y"] + button["height"] <= 720
    assert_no_exception(page)
    assert_no_console_errors(console_errors)


def test_a_diverging_run_says_one_thing(page, base_url, console_errors):
    open_page(page, base_url, "Network_Builder?data=regression&features=x1&net=1-8-1&opt=sgd:lr=1",
              timeout_ms=120_000)
    play(page, 1)
    note = page.get_by_text(re.compile("Training diverged at step"))
    note.wait_for(timeout=30_000)
    assert page.locator(".lp button.bp-next").is_disabled()  # Play plays the run again
    assert page.get_by_text("Press Play or Step").count() == 0
    epoch = shown_epoch(page)
    assert f"(in epoch {epoch + 1})" in note.inner_text()  # the counter shows the last whole one
    assert_no_exception(page)
    assert_no_console_errors(console_errors)


def test_add_layer_while_training_adds_exactly_one(page, base_url, console_errors):
    open_page(page, base_url, "Network_Builder", timeout_ms=120_000)
    page.locator("[data-testid='stExpander'] summary", has_text="Network:").first.click()
    play(page, 3)
    page.get_by_role("button", name="Add layer").click()
    wait_for_idle(page)
    network = page.locator("p", has_text="Network:").first.inner_text()
    assert network.startswith("Network: 2 → 8 tanh → 8 tanh → 8 tanh → 2 ·"), network
    assert shown_epoch(page) == 0  # a new network: a new run, paused at its start
    assert_no_exception(page)
    assert_no_console_errors(console_errors)


# ---- your own data and the exports ---------------------------------------------------------
def query_of(page) -> dict[str, str]:
    from urllib.parse import parse_qsl, urlsplit

    return dict(parse_qsl(urlsplit(page.url).query))


def pause(page) -> int:
    """Pause the player; wait until the page has the paused epoch; return it."""
    page.locator(PLAY).click()
    page.locator(PLAY, has_text="Play").wait_for(timeout=5_000)
    epoch = shown_epoch(page)
    page.wait_for_function(f"location.search.includes('epoch={epoch}')", timeout=60_000)
    wait_for_idle(page)
    return epoch


def test_an_uploaded_csv_trains_and_both_scripts_download_and_match(page, base_url, tmp_path,
                                                                    console_errors):
    import subprocess
    import sys

    import numpy as np

    from engine.train import train
    from page_models import network_builder as nb
    from page_models.own_data import from_link
    from page_models.url import parse_query

    rng = np.random.default_rng(3)
    points = rng.uniform(-2, 2, size=(60, 2))
    csv = tmp_path / "points.csv"
    csv.write_text("x1,x2,class\n" + "".join(f"{a:.4f},{b:.4f},{int(a * b > 0)}\n"
                                             for a, b in points))
    open_page(page, base_url, "Network_Builder?my_data=csv", timeout_ms=120_000)
    uploader = page.locator("[data-testid='stFileUploader']", has_text="Upload a CSV file")
    uploader.locator("input[type=file]").set_input_files(str(csv))
    page.locator(EPOCH).wait_for(timeout=60_000)
    wait_for_idle(page)
    assert page.get_by_text("60 points, classification").count() == 1
    play(page, 4)
    epoch = pause(page)
    assert epoch >= 4
    query = query_of(page)
    assert query["my_data"] == "csv" and query["my_points"]  # the data is in the share link

    page.locator("summary", has_text="Export this network").click()
    scripts = {}
    for label in ("Download PyTorch script", "Download NumPy script"):
        with page.expect_download(timeout=60_000) as download:
            page.get_by_role("button", name=label).click()
        scripts[label] = tmp_path / download.value.suggested_filename
        download.value.save_as(scripts[label])
    assert "import torch" in scripts["Download PyTorch script"].read_text()
    printed = subprocess.run([sys.executable, str(scripts["Download NumPy script"])],
                             capture_output=True, text=True, check=True, timeout=300).stdout
    losses = [float(line.split()[-1]) for line in printed.splitlines()
              if line.startswith("epoch ")]
    setup = nb.build(parse_query(nb.PARAMS, query), from_link(query["my_points"], "csv"))
    page_losses = train(setup.spec, setup.optimizer, setup.train_data, setup.val_data, epoch,
                        setup.batch_size, setup.seed).epoch_train_loss
    assert len(losses) == epoch
    np.testing.assert_allclose(losses, page_losses, rtol=1e-9)
    assert_no_exception(page)
    assert_no_console_errors(console_errors)


def test_points_clicked_onto_an_empty_canvas_train(page, base_url, console_errors):
    open_page(page, base_url, "Network_Builder?my_data=draw", timeout_ms=120_000)
    page.get_by_text("Click on the chart to").wait_for(timeout=30_000)
    drawing = page.locator("[data-testid='stExpander']", has_text="Your data").locator(
        ".stPlotlyChart")
    spots = {0: [(0.3, 0.3), (0.35, 0.4), (0.4, 0.3), (0.3, 0.45), (0.45, 0.35)],
             1: [(0.7, 0.5), (0.75, 0.4), (0.65, 0.55), (0.8, 0.5), (0.7, 0.35)]}  # in the plot
    drawn = 0
    for cls, where in spots.items():
        page.get_by_text(f"add class {cls}").click()
        wait_for_idle(page)
        for fx, fy in where:
            box = drawing.bounding_box()
            page.mouse.click(box["x"] + fx * box["width"], box["y"] + fy * box["height"])
            drawn += 1  # each click adds one point: wait for the panel to count it
            page.get_by_text(re.compile(rf"^{drawn} points? \(up to")).wait_for(timeout=30_000)
            wait_for_idle(page)
            drawing.locator(".nsewdrag").wait_for(timeout=30_000)  # the new chart is drawn...
            page.wait_for_timeout(1000)  # ...and takes clicks (plotly binds them after drawing)
    page.locator(EPOCH).wait_for(timeout=60_000)
    play(page, 3)
    assert shown_epoch(page) >= 3
    assert query_of(page)["my_data"] == "draw" and query_of(page)["my_points"]
    assert_no_exception(page)
    assert_no_console_errors(console_errors)


def test_presenter_mode_draws_larger_text_and_still_fits_with_its_keys_shown(page, base_url):
    font_px = {}
    for present in (False, True):
        open_page(page, base_url, "Network_Builder" + ("?present=1" if present else ""),
                  timeout_ms=120_000)
        page.locator(EPOCH).wait_for(timeout=30_000)
        font_px[present] = float(page.locator(".lp").get_attribute("data-font-px"))
    assert font_px[True] >= 1.3 * font_px[False], font_px
    play(page, until_epoch=5)
    assert_the_keys_toggle(page, ".lp .bp-keys", ".lp button.bp-help", says="the first step")
    page.keyboard.press("?")  # shown, the list of keys still leaves the view on the screen
    box = page.locator(".st-key-main-visual").bounding_box()
    assert box["y"] >= 0 and box["y"] + box["height"] <= 720, box
    assert blank_panels(page) == 0
    assert_no_exception(page)
