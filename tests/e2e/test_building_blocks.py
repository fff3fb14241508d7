"""The Building Blocks page in a real browser: every section draws its charts on the first
1280×720 screen, bad input is a message, not an exception, and sliders show what is plotted."""

from urllib.parse import parse_qs, urlsplit

import pytest
from playwright.sync_api import expect

from page_models.building_blocks import SECTIONS

from .helpers import assert_no_console_errors, assert_no_exception, open_page, wait_for_idle

CHARTS = {"cross-entropy": 2, "conditioning": 2, "factorisation": 2}  # else one chart
CHART = ".js-plotly-plot"
ERROR_BOX = "[data-testid='stAlertContentError']"
MAIN_VISUAL = ".st-key-main-visual"
SCREEN = {"width": 1280, "height": 720}
MATH_MS = 30_000  # KaTeX is a chunk loaded on first use: under load math is drawn after the run


def section_pills(page):
    """The choice pills of the open section (the section menu is in the sidebar)."""
    return page.get_by_test_id("stMain").get_by_test_id("stButtonGroup")


@pytest.mark.parametrize("section", SECTIONS)
def test_each_section_renders_its_charts_on_the_first_screen(page, base_url, console_errors,
                                                             section):
    open_page(page, base_url, f"Building_Blocks?section={section}")

    page.locator(CHART).first.wait_for(timeout=30_000)
    assert page.locator(CHART).count() == CHARTS.get(section, 1)
    assert page.locator(f"{CHART} .main-svg").count() >= CHARTS.get(section, 1)  # really drawn
    expect(page.locator(".katex").first).to_be_attached(timeout=MATH_MS)  # the formula
    assert page.locator(ERROR_BOX).count() == 0
    box = page.locator(MAIN_VISUAL).bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= SCREEN["width"]
    assert box["y"] >= 0 and box["y"] + box["height"] <= SCREEN["height"], box
    assert page.locator(MAIN_VISUAL).locator(CHART).count() >= 1
    assert_no_exception(page)
    assert_no_console_errors(console_errors)
    page.screenshot(path=f"/tmp/backprop_playground_blocks_{section}.png")


@pytest.mark.parametrize(
    "query, message",
    [("section=regression&rg_points=1%202%3B%203", "Row 2 of the matrix has 1"),
     ("section=rank&rk_vectors=1%202%203%204", "2 or 3 numbers"),
     ("section=tensors&te_spec=ij%2Cjk%3D%3Eik", "not an einsum spec"),
     ("section=factorisation&fa_data=typed&fa_matrix=1%20-1%3B%202%202", "negative"),
     ("section=softmax&sm_scores=cat%202%2C%20dog%20abc", "‘abc’ is not a number")],
)
def test_junk_input_is_a_message(page, base_url, console_errors, query, message):
    open_page(page, base_url, f"Building_Blocks?{query}")
    assert message in page.locator(ERROR_BOX).first.inner_text()
    assert page.locator(CHART).count() == 0
    expect(page.locator(".katex").first).to_be_attached(timeout=MATH_MS)  # formulas stay
    assert_no_exception(page)
    assert_no_console_errors(console_errors)


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


def slider_values(page) -> dict[str, str]:
    """Each slider's label and the value it shows."""
    values = {}
    for text in page.get_by_test_id("stSlider").all_inner_texts():
        label, *rest = [line for line in text.split("\n") if line.strip()]
        values[label] = rest[0]
    return values


def population_mean(page) -> str:
    metric = page.get_by_test_id("stMetric").filter(has_text="population mean μ")
    return metric.get_by_test_id("stMetricValue").inner_text()


def test_distribution_sliders_show_what_is_plotted(page, base_url, console_errors):
    """Move a slider, switch the distribution, move another, switch back and forth: each
    slider shows the value the plot and the metrics use (Streamlit forgot hidden ones)."""
    open_page(page, base_url, "Building_Blocks?section=distributions")

    def arrow_right(slider: int, times: int) -> None:
        page.get_by_role("slider").nth(slider).focus()
        for _ in range(times):
            page.keyboard.press("ArrowRight")
            page.wait_for_timeout(80)
        wait_for_idle(page)

    def choose(kind: str) -> None:
        section_pills(page).first.get_by_text(kind, exact=True).click()
        wait_for_idle(page)

    arrow_right(0, 4)  # the mean moves up from 0 (each press is one step of 0.5)
    mean = slider_values(page)["Mean μ"]
    choose("uniform")
    arrow_right(1, 2)  # the high end moves up from 1
    high = slider_values(page)["High b"]
    choose("normal")
    arrow_right(1, 3)  # the standard deviation moves up from 1
    std = slider_values(page)["Standard deviation σ"]
    assert "0.00" != mean and "1.00" != high and "1.00" != std  # the sliders did move
    choose("uniform")
    assert slider_values(page)["High b"] == high
    assert population_mean(page) == f"{float(high) / 2:.3f}"  # (a + b) / 2 with a = 0
    choose("normal")
    shown = slider_values(page)
    assert shown["Mean μ"] == mean and shown["Standard deviation σ"] == std
    assert population_mean(page) == f"{float(mean):.3f}"
    query = parse_qs(urlsplit(page.url).query)
    assert float(query["ds_mean"][0]) == float(mean) and float(query["ds_high"][0]) == float(high)
    assert_no_exception(page)
    assert_no_console_errors(console_errors)


def test_moving_a_regression_point_refits(page, base_url, console_errors):
    open_page(page, base_url, "Building_Blocks?section=regression&rg_points=0%200%3B%201%201"
              "%3B%202%202")
    assert "ŷ = 0.000 + 1.000·x" in page.get_by_test_id("stMain").inner_text()
    box = page.get_by_label("its y")
    box.fill("3")
    box.press("Enter")
    wait_for_idle(page)
    assert "ŷ = 2.500 − 0.500·x" in page.get_by_test_id("stMain").inner_text()
    assert parse_qs(urlsplit(page.url).query)["rg_points"] == ["0 3; 1 1; 2 2"]
    assert_no_exception(page)
    assert_no_console_errors(console_errors)


# Each choice pill's right edge and the right edge of the column holding its group.
PILL_EDGES = """group => {
  const column = group.closest("[data-testid='stColumn']").getBoundingClientRect().right;
  return [...group.querySelectorAll("button")].map(b => [b.innerText,
                                                          b.getBoundingClientRect().right, column]);
}"""


@pytest.mark.parametrize("section, count", [("distributions", 3), ("normalisation", 3),
                                            ("factorisation", 2), ("tensors", 3),
                                            ("vectorisation", 3)])
def test_every_choice_pill_fits_its_column_at_1280(page, base_url, section, count):
    """The pills of a section are not clipped by their column: at 1280 px 'Bernoulli' and
    'pasted' were cut off."""
    open_page(page, base_url, f"Building_Blocks?section={section}")
    pills = section_pills(page).first.evaluate(PILL_EDGES)
    assert len(pills) == count
    for name, right, column in pills:
        assert right <= column, f"the pill {name!r} is cut off by its column"
