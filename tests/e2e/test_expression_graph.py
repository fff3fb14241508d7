"""The Expression Graph page in a real browser: the graph renders, plays, and a click inspects."""

from .helpers import assert_no_console_errors, assert_no_exception, open_page, wait_for_idle

SCREENSHOT = "/tmp/backprop_playground_expression_graph.png"
GRAPH = ".js-plotly-plot"
CURRENT_STEP = ".slider-group > .slider-label"  # the label of the current step


def wait_for_graph(page) -> None:
    """Wait until plotly has drawn the graph with its frames (it renders after the script ran)."""
    page.wait_for_function(
        "() => document.querySelector('.js-plotly-plot')?._transitionData?._frames?.length > 0",
        timeout=30_000,
    )


def graph_node_centres(page) -> list[tuple[float, float]]:
    """Screen centres of the graph's nodes (the trace that carries customdata)."""
    return page.evaluate(
        """() => {
            const gd = document.querySelector('.js-plotly-plot');
            const index = gd.data.findIndex(t => t.customdata);
            const trace = gd.querySelectorAll('.scatterlayer .trace')[index];
            return Array.from(trace.querySelectorAll('path.point')).map(p => {
                const r = p.getBoundingClientRect();
                return [r.x + r.width / 2, r.y + r.height / 2];
            });
        }"""
    )


def test_the_graph_renders_and_plays(page, base_url, console_errors):
    open_page(page, base_url, "Expression_Graph?example=fanout")
    wait_for_graph(page)
    graph = page.locator(GRAPH).first
    graph.scroll_into_view_if_needed()
    assert graph.is_visible()
    assert len(graph_node_centres(page)) == 4  # x, y, ×, +
    step = page.locator(CURRENT_STEP).first
    assert step.text_content().strip() == "the bare graph"

    page.locator(".updatemenu-button", has_text="fast").first.click()
    page.wait_for_function(
        "() => document.querySelector('.js-plotly-plot').layout.sliders[0].active >= 3",
        timeout=15_000,
    )
    assert step.text_content().strip() != "the bare graph"
    page.screenshot(path=SCREENSHOT)
    assert_no_exception(page)
    assert_no_console_errors(console_errors)


def test_clicking_a_node_opens_it_in_the_inspector(page, base_url, console_errors):
    open_page(page, base_url, "Expression_Graph?example=fanout")
    wait_for_graph(page)
    page.locator(GRAPH).first.scroll_into_view_if_needed()
    x, y = graph_node_centres(page)[-1]  # the output, z
    page.mouse.click(x, y)
    page.wait_for_function("() => location.search.includes('node=3')", timeout=15_000)
    wait_for_idle(page)
    assert page.get_by_text("z is computed in line 1").first.is_visible()
    assert_no_exception(page)
    assert_no_console_errors(console_errors)


def test_a_broken_program_shows_a_caret_and_keeps_the_graph(page, base_url, console_errors):
    open_page(page, base_url, "Expression_Graph?example=fanout")
    editor = page.get_by_role("textbox", name="Program")
    editor.fill("z = x * (y +")
    editor.press("Control+Enter")
    wait_for_idle(page)
    assert page.get_by_text("Line 1, column").first.is_visible()
    assert page.locator(GRAPH).count() >= 1
    assert_no_exception(page)
    assert_no_console_errors(console_errors)


OVERLAPS = """() => {
    const gd = document.querySelector('.js-plotly-plot');
    const boxes = Array.from(gd.querySelectorAll('.scatterlayer text'))
        .filter(t => t.textContent.trim())
        .map(t => [t.textContent, t.getBoundingClientRect()]);
    const found = [];
    boxes.forEach(([a, p], i) => boxes.slice(i + 1).forEach(([b, q]) => {
        if (Math.min(p.right, q.right) > Math.max(p.left, q.left)
            && Math.min(p.bottom, q.bottom) > Math.max(p.top, q.top)) found.push([a, b]);
    }));
    return found;
}"""


def test_no_two_texts_overlap_in_the_final_frame_of_the_largest_example(page, base_url):
    open_page(page, base_url, "Expression_Graph?example=micrograd")
    wait_for_graph(page)
    page.evaluate(
        """() => { const gd = document.querySelector('.js-plotly-plot');
            const last = String(gd._transitionData._frames.length - 1);
            return Plotly.animate(gd, [last], {frame: {duration: 0}, mode: 'immediate'}); }"""
    )
    page.wait_for_function(
        "() => document.querySelector('.js-plotly-plot').textContent.includes('24.7')"
    )
    assert page.evaluate(OVERLAPS) == []
