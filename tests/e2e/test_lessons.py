"""The Lessons page in a real browser: a step opens from its link, Next/Back and the arrow keys
move the counter, the step's view appears (the embedded page draws its chart), and the main
visual lies within the first 1280×720 screen, in normal and presenter mode."""

from dataclasses import replace
from pathlib import Path

import pytest
from playwright.sync_api import expect

from page_models.course.lesson import builtin_lessons, format_markdown, parse_markdown

from .helpers import (
    assert_no_console_errors,
    assert_no_exception,
    assert_the_keys_toggle,
    open_page,
    wait_for_idle,
)

COUNTER = ".st-key-lesson-counter"
MAIN_VISUAL = ".st-key-main-visual"
VIEW = "iframe[title^='Lesson view']"


def counter(page) -> str:
    return page.locator(COUNTER).inner_text().strip()


def wait_for_counter(page, text: str) -> None:
    page.wait_for_function(
        f"() => document.querySelector('{COUNTER}')?.innerText.trim() === '{text}'",
        timeout=30_000)
    wait_for_idle(page)


def assert_on_first_screen(page, selector: str) -> None:
    box = page.locator(selector).first.bounding_box()
    assert box is not None, f"{selector} is not drawn"
    assert box["x"] >= 0 and box["y"] >= 0, box
    assert box["x"] + box["width"] <= 1280 and box["y"] + box["height"] <= 720, box


VISUAL = ".st-key-main-visual, .js-plotly-plot"  # a page's main visual, else its first chart


def wait_until_the_chart_is_in_view(page) -> None:
    """The view was scrolled so that its main visual (else its first chart) is drawn and its top
    is in the upper half of the frame."""
    page.frame_locator(VIEW).locator(VISUAL).first.wait_for(timeout=90_000)
    page.wait_for_function(
        f"""() => {{
            const frame = document.querySelector("{VIEW}");
            const doc = frame.contentDocument;
            const visual = doc.querySelector(".st-key-main-visual")
                || doc.querySelector(".js-plotly-plot");
            const box = visual.getBoundingClientRect();
            const scrolled = frame.dataset.scrolledFor === frame.src;
            return scrolled && box.height > 100 && box.top >= 0 && box.top < frame.clientHeight / 2;
        }}""", timeout=30_000)


def test_buttons_and_arrow_keys_move_through_the_steps(page, base_url, console_errors):
    open_page(page, base_url, "Lessons?lesson=chain-rule&step=2")
    assert counter(page) == "Step 2 of 4"
    assert "Multiply along the path" in page.locator(MAIN_VISUAL).inner_text()

    page.get_by_role("button", name="Next").click()
    wait_for_counter(page, "Step 3 of 4")
    assert "step=3" in page.url
    page.get_by_role("button", name="Back").click()
    wait_for_counter(page, "Step 2 of 4")

    page.locator(MAIN_VISUAL).get_by_text("Question.").click()  # focus on the page, not the view
    page.keyboard.press("ArrowRight")
    wait_for_counter(page, "Step 3 of 4")
    page.keyboard.press("ArrowLeft")
    wait_for_counter(page, "Step 2 of 4")
    assert_no_exception(page)
    assert_no_console_errors(console_errors)


@pytest.mark.parametrize("present", [False, True], ids=["normal", "presenter"])
def test_the_view_appears_within_the_first_screen(page, base_url, present):
    open_page(page, base_url, "Lessons?lesson=chain-rule&step=2" + ("&present=1" if present
                                                                   else ""))
    assert_on_first_screen(page, MAIN_VISUAL)
    assert_on_first_screen(page, VIEW)
    assert "embed=true" in page.locator(VIEW).get_attribute("src")
    assert ("present=1" in page.locator(VIEW).get_attribute("src")) == present
    wait_until_the_chart_is_in_view(page)
    # the embedded page's sidebar chevron would sit over the view's top-left corner
    chevron = page.frame_locator(VIEW).locator("[data-testid='stExpandSidebarButton']")
    assert chevron.count() == 1 and not chevron.is_visible()
    page.screenshot(path=f"/tmp/backprop_playground_lessons_{'presenter' if present else 'normal'}"
                         ".png")
    assert_no_exception(page)


@pytest.mark.parametrize("link", [  # one step per page and section the course shows
    "lesson=softmax-sampling&step=1", "lesson=cross-entropy&step=1", "lesson=normalisation&step=1",
    "lesson=matrices&step=1", "lesson=gradient-check&step=3", "lesson=sgd&step=2",
    "lesson=momentum&step=4", "lesson=dropout&step=3", "lesson=dropout&step=1"])
def test_each_views_chart_is_scrolled_into_the_frame(page, base_url, link):
    open_page(page, base_url, f"Lessons?{link}")
    wait_until_the_chart_is_in_view(page)
    assert_on_first_screen(page, VIEW)
    assert_no_exception(page)


def test_a_lesson_file_uploads_and_downloads_unchanged(page, base_url, tmp_path):
    lesson = builtin_lessons()["chain-rule"]
    source = tmp_path / "mine.md"
    source.write_text(format_markdown(replace(lesson, key="mine", title="My chain rule")))
    open_page(page, base_url, "Lessons")
    page.get_by_text("Write your own lesson").click()
    page.locator("[data-testid='stFileUploaderDropzoneInput']").set_input_files(source)
    wait_for_counter(page, "Step 1 of 4")
    assert "lesson=draft" in page.url and "packed=" in page.url
    with page.expect_download() as download:
        page.get_by_role("button", name="Download as Markdown").click()
    assert download.value.suggested_filename == "mine.md"
    assert parse_markdown(Path(download.value.path()).read_text()) == parse_markdown(
        source.read_text())
    assert_no_exception(page)


def view_step(page) -> str:
    """The step the embedded view's graph player shows."""
    return page.frame_locator(VIEW).locator(".gp-step").first.text_content().strip()


def test_each_key_has_one_owner_and_home_goes_to_the_first_step(page, base_url, console_errors):
    # Steps 1 and 2 of the chain rule show the same view: it stays loaded across the move.
    open_page(page, base_url, "Lessons?lesson=chain-rule&step=2")
    view = page.frame_locator(VIEW)
    view.locator(".gp-node").first.wait_for(timeout=60_000)
    assert view_step(page) == "the bare graph"

    view.locator(".gp-step").first.click()  # the view has the focus: its keys are its own
    page.keyboard.press("ArrowRight")
    page.keyboard.press("ArrowRight")
    assert view_step(page).startswith("forward 2/")
    page.wait_for_timeout(500)
    assert counter(page) == "Step 2 of 4"

    text = page.locator(MAIN_VISUAL).get_by_text("Question.")
    text.click()  # the lesson has the focus: arrows move the lesson, not the view
    page.keyboard.press("ArrowLeft")
    wait_for_counter(page, "Step 1 of 4")
    assert view_step(page).startswith("forward 2/")

    page.keyboard.press("Space")  # passed on to the view's player, and to nothing else
    expect(view.locator(".bp-play")).to_have_text("❚❚ Pause")
    page.keyboard.press("Space")
    expect(view.locator(".bp-play")).to_have_text("▶ Play")
    assert counter(page) == "Step 1 of 4"

    page.keyboard.press("ArrowRight")
    page.keyboard.press("ArrowRight")
    wait_for_counter(page, "Step 3 of 4")
    page.keyboard.press("Home")
    wait_for_counter(page, "Step 1 of 4")
    assert "step=1" in page.url or "step=" not in page.url

    assert_the_keys_toggle(page, ".bp-keys", ".bp-help", says="the first step")
    assert_no_exception(page)
    assert_no_console_errors(console_errors)
