"""The players as one (the player core, viz/assets/player_core.js) in a real browser: "Add this
view to my lesson" saves the step each player shows, a player's page keys run no script (and
Streamlit's own R still does), a key pressed on a focused control is the control's, and stepping
never moves the graph."""

import re
from urllib.parse import parse_qs, urlsplit

import pytest
from playwright.sync_api import expect

from page_models.examples import EXAMPLES_BY_KEY

from .helpers import assert_no_exception, open_page, wait_for_idle

VIEW = "iframe[title^='Lesson view']"
EPOCH = "[data-testid='live-epoch']"
SURFACE_STEP = "[data-testid='surface-step']"

def record_messages(page) -> list:
    """Start recording what the browser sends the server (before the page opens): a script run
    is asked for by a message, so a key press that sends none runs no script."""
    sent: list = []
    page.on("websocket", lambda ws: ws.on("framesent", lambda payload: sent.append(payload)))
    return sent


def messages_after(page, sent: list, key: str) -> int:
    """The messages pressing `key` sends the server (counted for a second after it)."""
    before = len(sent)
    page.keyboard.press(key)
    page.wait_for_timeout(1000)
    return len(sent) - before


def blur(page) -> None:
    """No control has the focus: the keys are the page's."""
    page.evaluate("() => document.activeElement && document.activeElement.blur()")


def go_to(page, label: str) -> None:
    """Move to another page through the sidebar menu: the same session."""
    page.get_by_test_id("stSidebar").get_by_role("link", name=label).click()
    wait_for_idle(page)


def add_this_view(page) -> None:
    page.get_by_role("button", name="Add this view to my lesson").click()
    wait_for_idle(page)


def shown_epoch(page) -> int:
    return int(re.match(r"Epoch (\d+)", page.locator(EPOCH).inner_text()).group(1))


def view_query(page) -> dict[str, str]:
    """The query of the lesson step's embedded view."""
    src = page.locator(VIEW).get_attribute("src")
    return {name: values[0] for name, values in parse_qs(urlsplit(src).query).items()}


def test_add_saves_the_step_each_player_shows(page, base_url):
    """Each player's position lives in the browser (stepping and playing run no script), yet the
    lesson's step opens exactly where the player stood when Add was pressed."""
    open_page(page, base_url, "Optimizer_Lab?view=surfaces", timeout_ms=120_000)
    page.locator(".sp-map").click()  # the page has the focus: the keys are the player's
    page.keyboard.press("Home")
    page.keyboard.press("ArrowRight")
    page.keyboard.press("ArrowRight")
    expect(page.locator(SURFACE_STEP)).to_have_text("step 2 of 150")
    add_this_view(page)

    go_to(page, "Expression Graph")
    page.locator(".gp-node").first.wait_for(timeout=30_000)
    page.locator(".gp-graph").click(position={"x": 2, "y": 2})
    for _ in range(13):
        page.keyboard.press("ArrowRight")
    add_this_view(page)  # the server last heard of the bare graph (frame 0)

    go_to(page, "Network Builder")
    page.locator(EPOCH).wait_for(timeout=60_000)
    page.locator(".lp .bp-play").click()  # while it plays the server has heard of no epoch
    expect(page.locator(EPOCH)).to_have_text(re.compile(r"Epoch ([5-9]|\d\d+) "), timeout=60_000)
    before = shown_epoch(page)
    add_this_view(page)
    after = shown_epoch(page)
    page.locator(".lp .bp-play").click()  # pause

    page.get_by_role("link", name=re.compile("Open my lesson")).click()
    wait_for_idle(page)
    expect(page.locator(VIEW)).to_have_count(1, timeout=30_000)
    assert view_query(page)["sstep"] == "2"
    page.get_by_role("button", name="Next").click()
    wait_for_idle(page)
    assert view_query(page)["frame"] == "13"
    page.get_by_role("button", name="Next").click()
    wait_for_idle(page)
    assert 5 <= before <= int(view_query(page)["epoch"]) <= after
    assert_no_exception(page)


PLAYER_KEYS = ("Home", "ArrowRight", "ArrowLeft", "End", "Space", "?", "Escape", "Space")


@pytest.mark.parametrize("path, drawn", [("Expression_Graph", ".gp-node"),
                                         ("Optimizer_Lab?view=surfaces", ".sp-map")])
def test_a_players_keys_run_no_script(page, base_url, path, drawn):
    """Streamlit binds R (rerun), C (clear caches) and A on the page; the players use none of
    them and consume the keys they act on, so a press moves the player and runs nothing."""
    sent = record_messages(page)
    open_page(page, base_url, path, timeout_ms=120_000)
    page.locator(drawn).first.wait_for(timeout=60_000)
    blur(page)
    pressed = [(key, messages_after(page, sent, key)) for key in PLAYER_KEYS]
    assert pressed == [(key, 0) for key in PLAYER_KEYS]
    assert messages_after(page, sent, "r") >= 1  # the count can fail: R is Streamlit's rerun


def test_the_live_players_key_list_and_the_lessons_run_no_script(page, base_url):
    """The live player reports where it pauses (the page's tabs follow it): ? and Escape, which
    move nothing, send nothing; nor do the lesson browser's."""
    sent = record_messages(page)
    for path, drawn in (("Network_Builder", EPOCH), ("Lessons?lesson=chain-rule", VIEW)):
        open_page(page, base_url, path, timeout_ms=120_000)
        page.locator(drawn).wait_for(timeout=60_000)
        blur(page)
        page.wait_for_timeout(2000)  # the view's first requests (frames, scrolling) are done
        assert (messages_after(page, sent, "?"), messages_after(page, sent, "Escape")) == (0, 0)
        expect(page.locator(".bp-keys:visible")).to_have_count(0)


def test_space_and_enter_on_a_focused_control_are_the_controls(page, base_url):
    """A key belongs to a player only when no control has the focus: Space on the player's own
    Step button steps once (it does not play), Enter on the speed select does not step."""
    open_page(page, base_url, "Expression_Graph")
    page.locator(".gp-node").first.wait_for(timeout=30_000)
    step = page.locator(".gp-step")
    page.locator(".bp-next").focus()
    page.keyboard.press("Space")
    expect(step).to_have_text(re.compile("^forward 1/"))
    page.wait_for_timeout(1500)  # playing would have moved on by now
    expect(step).to_have_text(re.compile("^forward 1/"))
    expect(page.locator(".bp-play")).to_have_text("▶ Play")
    page.locator(".bp-speed").focus()
    page.keyboard.press("ArrowRight")  # the select's: a speed, not a step
    expect(step).to_have_text(re.compile("^forward 1/"))
    page.locator(".gp-step").click()  # the focus leaves the controls: the keys are the player's
    page.keyboard.press("ArrowRight")
    expect(step).to_have_text(re.compile("^forward 2/"))


@pytest.mark.parametrize("example", ["", "micrograd"])
def test_stepping_never_moves_the_graph(page, base_url, example):
    """The step's text keeps the height of its tallest step: the graph's box stays where it is
    (a step may pan the drawing inside it, to bring the step's nodes into view)."""
    open_page(page, base_url, "Expression_Graph" + (f"?example={example}" if example else ""))
    assert not example or example in EXAMPLES_BY_KEY
    page.locator(".gp-node").first.wait_for(timeout=30_000)
    page.locator(".gp-graph").click(position={"x": 2, "y": 2})
    steps = int(page.locator(".bp-scrub").get_attribute("max"))
    boxes = set()
    for _ in range(steps + 1):
        box = page.locator(".gp-graph").bounding_box()
        boxes.add(tuple(round(box[k], 1) for k in ("x", "y", "width", "height")))
        page.keyboard.press("ArrowRight")
    for _ in range(steps + 1):  # and back: the arithmetic grows and shrinks the other way
        page.keyboard.press("ArrowLeft")
        box = page.locator(".gp-graph").bounding_box()
        boxes.add(tuple(round(box[k], 1) for k in ("x", "y", "width", "height")))
    assert len(boxes) == 1, boxes
