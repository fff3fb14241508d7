"""The Building Blocks page in a real browser: every section draws its charts, bad input is a
message, not an exception."""

from urllib.parse import parse_qs, urlsplit

import pytest

from .helpers import assert_no_console_errors, assert_no_exception, open_page, wait_for_idle

SECTIONS = {  # section: number of plotly charts it draws
    "softmax": 1,
    "cross-entropy": 2,
    "distributions": 1,
    "normalisation": 1,
    "matmul": 1,
    "derivatives": 1,
    "conditioning": 2,
}
CHART = ".js-plotly-plot"
ERROR_BOX = "[data-testid='stAlertContentError']"


@pytest.mark.parametrize("section", SECTIONS)
def test_each_section_renders_its_charts(page, base_url, console_errors, section):
    open_page(page, base_url, f"Building_Blocks?section={section}")

    page.locator(CHART).first.wait_for(timeout=30_000)
    assert page.locator(CHART).count() == SECTIONS[section]
    assert page.locator(f"{CHART} .main-svg").count() >= SECTIONS[section]  # really drawn
    assert page.locator(".katex").count() >= 1  # the formula
    assert page.locator(ERROR_BOX).count() == 0
    assert_no_exception(page)
    assert_no_console_errors(console_errors)
    page.screenshot(path=f"/tmp/backprop_playground_blocks_{section}.png")


def test_bad_input_is_a_message_and_the_page_stays_alive(page, base_url, console_errors):
    open_page(page, base_url, "Building_Blocks?section=normalisation&nm_source=pasted"
              "&nm_numbers=1%2C%202%2C%20three")

    assert "‘three’ is not a number" in page.locator(ERROR_BOX).first.inner_text()
    assert page.locator(CHART).count() == 0
    assert_no_exception(page)

    box = page.get_by_label("Numbers (separated by commas or spaces)")
    box.fill("4, 4, 4")
    box.press("Enter")
    wait_for_idle(page)
    assert "All the numbers equal 4" in page.locator(ERROR_BOX).first.inner_text()

    box.fill("1, 2, 3, 10")
    box.press("Enter")
    wait_for_idle(page)
    page.locator(CHART).first.wait_for(timeout=30_000)
    assert page.locator(ERROR_BOX).count() == 0
    assert parse_qs(urlsplit(page.url).query)["nm_numbers"] == ["1, 2, 3, 10"]  # kept in the URL
    assert_no_exception(page)
    assert_no_console_errors(console_errors)


# Each choice pill's right edge and the right edge of the column holding its group.
PILL_EDGES = """group => {
  const column = group.closest("[data-testid='stColumn']").getBoundingClientRect().right;
  return [...group.querySelectorAll("button")].map(b => [b.innerText,
                                                          b.getBoundingClientRect().right, column]);
}"""


@pytest.mark.parametrize("section", ["distributions", "normalisation"])
def test_every_choice_pill_fits_its_column_at_1280(page, base_url, section):
    """The pills of a section (not the section menu) are not clipped by their column: at
    1280 px 'Bernoulli' and 'pasted' were cut off."""
    open_page(page, base_url, f"Building_Blocks?section={section}")
    pills = page.get_by_test_id("stButtonGroup").nth(1).evaluate(PILL_EDGES)
    assert len(pills) == 3
    for name, right, column in pills:
        assert right <= column, f"the pill {name!r} is cut off by its column"


@pytest.mark.parametrize("section", ["softmax", "distributions", "cross-entropy"])
def test_the_first_chart_fits_the_projector_screen(page, base_url, section):
    open_page(page, base_url, f"Building_Blocks?section={section}")
    page.locator(CHART).first.wait_for(timeout=30_000)
    ticks = page.locator(CHART).first.locator(".xtick")
    assert ticks.count() > 0
    bottom = max(b["y"] + b["height"] for b in (t.bounding_box() for t in ticks.all()))
    assert bottom <= 720, "the chart's x axis labels are below the fold at 1280×720"
