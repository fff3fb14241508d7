"""The Expression Graph page in a real browser: the player steps, plays, keeps its step across
clicks and reruns, reads its step from the URL, and the programs people type build."""

import re
from urllib.parse import quote

from playwright.sync_api import expect

from page_models.examples import MICROGRAD_README

from .helpers import (
    assert_no_console_errors,
    assert_no_exception,
    assert_the_keys_toggle,
    collect_console_errors,
    open_page,
    wait_for_idle,
)

SCREENSHOT = "/tmp/backprop_playground_expression_graph.png"
STANDALONE_SCREENSHOT = "/tmp/backprop_playground_expression_graph_standalone.png"
STEP = ".gp-step"  # the current step, as text
LINES = ".gp-lines"  # its arithmetic
NODES = ".gp-node"
W1_STEP = 11  # the neuron: bare graph, 6 forward steps, then backward 5/6 is w1's


def wait_for_player(page, nodes: int | None = None) -> None:
    """Wait until the player has drawn (it lives in a shadow root: use locators, which pierce
    it, not document.querySelector)."""
    page.locator(NODES).first.wait_for(timeout=30_000)
    if nodes is not None:
        expect(page.locator(NODES)).to_have_count(nodes, timeout=30_000)


def step_text(page) -> str:
    return page.locator(STEP).first.text_content().strip()


def frame_in_url(page) -> str:
    return page.evaluate("() => new URL(location.href).searchParams.get('frame') || '0'")


def test_the_player_renders_and_plays(page, base_url, console_errors):
    open_page(page, base_url, "Expression_Graph?example=fanout")
    wait_for_player(page, nodes=4)  # x, y, ×, +
    assert step_text(page) == "the bare graph"
    page.locator(".bp-speed").select_option("fast")
    page.locator(".bp-play").click()
    expect(page.locator(STEP)).to_have_text(re.compile("^backward"), timeout=15_000)
    box = page.locator(".st-key-main-visual").bounding_box()
    assert box["y"] >= 0 and box["y"] + box["height"] <= 720  # on the first 1280x720 screen
    page.screenshot(path=SCREENSHOT)
    assert_no_exception(page)
    assert_no_console_errors(console_errors)


def test_a_frame_link_opens_that_step_with_its_arithmetic(page, base_url, console_errors):
    open_page(page, base_url, f"Expression_Graph?frame={W1_STEP}")
    wait_for_player(page)
    assert step_text(page) == "backward 5/6: ∂y/∂t2 flows into w1"
    assert page.locator(LINES).first.text_content() == (
        "∂y/∂w1 = ∂y/∂t2 · ∂t2/∂w1 = 0.246 × 2 = 0.492")
    assert_no_console_errors(console_errors)


def test_arrow_keys_step_and_the_step_goes_into_the_url(page, base_url):
    open_page(page, base_url, "Expression_Graph")
    wait_for_player(page)
    for _ in range(W1_STEP):
        page.keyboard.press("ArrowRight")
    assert step_text(page).endswith("flows into w1")
    assert frame_in_url(page) == str(W1_STEP)
    page.keyboard.press("ArrowLeft")
    assert frame_in_url(page) == str(W1_STEP - 1)
    page.keyboard.press("End")
    assert step_text(page) == "every value and gradient"
    page.keyboard.press("Home")
    assert step_text(page) == "the bare graph" and frame_in_url(page) == "0"


def test_clicking_a_node_while_paused_keeps_the_step(page, base_url, console_errors):
    open_page(page, base_url, "Expression_Graph?example=fanout")
    wait_for_player(page, nodes=4)
    page.locator(".bp-last").click()
    page.locator(".bp-back").click()  # paused on the last backward step
    before = step_text(page)
    assert before.startswith("backward")
    page.locator(NODES).last.click()  # the output, z
    page.wait_for_function("() => location.search.includes('node=3')", timeout=15_000)
    wait_for_idle(page)
    assert page.get_by_text("z is computed in line 1").first.is_visible()
    assert step_text(page) == before
    page.get_by_text("Presenter mode").click()  # a rerun that changes no graph
    wait_for_idle(page)
    assert step_text(page) == before
    assert_no_exception(page)
    assert_no_console_errors(console_errors)


def test_the_design_cards_program_and_micrograds_example_build(page, base_url):
    program = "z = W @ x + b; h = sigmoid(z); s = sum(u * h)"
    open_page(page, base_url, f"Expression_Graph?src={quote(program)}")
    wait_for_player(page)
    assert page.locator(NODES).count() == 9  # W, x, @, b, +, σ, u, ×, Σ
    assert_no_exception(page)
    editor = page.get_by_role("textbox", name="Program")
    editor.fill(MICROGRAD_README)  # pasted verbatim: import, Value(…), .relu(), print, backward
    editor.press("Control+Enter")
    wait_for_idle(page)
    expect(page.get_by_text("Skipped line 1 (import), lines 15–18")).to_be_visible()
    wait_for_player(page)
    page.locator(".bp-last").click()
    svg = page.locator(".gp-svg").text_content()
    assert "24.7" in svg and "∂ 139" in svg and "∂ 646" in svg
    assert_no_exception(page)


def test_a_broken_program_shows_a_caret_and_keeps_the_graph(page, base_url, console_errors):
    open_page(page, base_url, "Expression_Graph?example=fanout")
    editor = page.get_by_role("textbox", name="Program")
    editor.fill("z = x * (y +")
    editor.press("Control+Enter")
    wait_for_idle(page)
    assert page.get_by_text("Line 1, column").first.is_visible()
    assert page.locator(NODES).count() == 4
    assert_no_exception(page)
    assert_no_console_errors(console_errors)


SMALLEST_TEXT = """(texts) => Math.min(...texts.filter(t => t.textContent.trim())
    .map(t => t.getScreenCTM().a * parseFloat(getComputedStyle(t).fontSize)))"""
OVERLAPS = """(texts) => {
    const boxes = texts.filter(t => t.textContent.trim())
        .map(t => [t.textContent, t.getBoundingClientRect()]);
    const found = [];
    boxes.forEach(([a, p], i) => boxes.slice(i + 1).forEach(([b, q]) => {
        if (Math.min(p.right, q.right) > Math.max(p.left, q.left) + 1
            && Math.min(p.bottom, q.bottom) > Math.max(p.top, q.top) + 1) found.push([a, b]);
    }));
    return found;
}"""


def test_no_two_texts_overlap_in_the_final_step_of_the_largest_example(page, base_url):
    open_page(page, base_url, "Expression_Graph?example=micrograd")
    wait_for_player(page)
    page.locator(".bp-last").click()
    assert page.locator(".gp-svg text").evaluate_all(OVERLAPS) == []


def test_a_click_while_playing_plays_on_from_the_same_place(page, base_url, console_errors):
    open_page(page, base_url, "Expression_Graph?example=micrograd")
    wait_for_player(page)
    page.locator(".bp-speed").select_option("slow")
    page.locator(".bp-play").click()
    expect(page.locator(STEP)).to_have_text(re.compile("^forward 2/"), timeout=15_000)
    page.locator(NODES).first.click()
    page.wait_for_function("() => location.search.includes('node=0')", timeout=15_000)
    wait_for_idle(page)
    assert not step_text(page).startswith(("the bare graph", "forward 1/"))  # not restarted
    values = page.locator(".gp-value")  # the drawing the rerun made still plays on
    count = "ts => ts.filter(t => t.textContent).length"
    shown = values.evaluate_all(count)
    page.wait_for_timeout(4_000)  # two or three steps at the slow speed
    assert values.evaluate_all(count) > shown
    assert_no_console_errors(console_errors)


def download(page, label: str, folder) -> str:
    """Click the download button `label`; the downloaded file's path."""
    with page.expect_download(timeout=30_000) as info:
        page.get_by_role("button", name=label).click()
    path = folder / info.value.suggested_filename
    info.value.save_as(path)
    return path


def test_the_three_downloads_and_the_html_player_plays_offline(page, base_url, browser,
                                                               tmp_path, console_errors):
    open_page(page, base_url, "Expression_Graph")  # the neuron
    wait_for_player(page, nodes=10)
    snippet = download(page, "Download PyTorch snippet", tmp_path)
    assert "import torch" in snippet.read_text("utf-8") and snippet.suffix == ".py"
    svg = download(page, "Download SVG", tmp_path).read_text("utf-8")
    assert svg.count('class="gp-node"') == 10 and "∂ 0.492" in svg  # w1's gradient
    html = download(page, "Download HTML player", tmp_path)
    assert_no_exception(page)
    assert_no_console_errors(console_errors)

    offline = browser.new_context(offline=True, viewport={"width": 1280, "height": 720})
    player_page = offline.new_page()
    errors = collect_console_errors(player_page)
    requests = []
    player_page.on("request", lambda request: requests.append(request.url))
    player_page.goto(html.as_uri())
    wait_for_player(player_page, nodes=10)
    assert step_text(player_page) == "the bare graph"
    for _ in range(W1_STEP):
        player_page.keyboard.press("ArrowRight")
    assert step_text(player_page).endswith("flows into w1")
    assert player_page.locator(LINES).first.text_content() == (
        "∂y/∂w1 = ∂y/∂t2 · ∂t2/∂w1 = 0.246 × 2 = 0.492")
    player_page.locator(".bp-first").click()
    assert step_text(player_page) == "the bare graph"
    player_page.screenshot(path=STANDALONE_SCREENSHOT)
    offline.close()
    assert requests == [html.as_uri()]  # the file itself, nothing else
    assert_no_console_errors(errors)


KEYS = ".bp-keys"  # the list of keys the player shows on "?"


def test_home_goes_back_to_the_start_and_question_mark_shows_the_keys(page, base_url):
    open_page(page, base_url, "Expression_Graph")
    wait_for_player(page)
    for _ in range(3):
        page.keyboard.press("ArrowRight")
    assert frame_in_url(page) == "3"
    page.keyboard.press("Home")
    assert step_text(page) == "the bare graph" and frame_in_url(page) == "0"

    assert_the_keys_toggle(page, KEYS, ".bp-help", says="the first step")


def test_keys_typed_into_the_program_do_not_move_the_player(page, base_url):
    open_page(page, base_url, "Expression_Graph")
    wait_for_player(page)
    page.keyboard.press("ArrowRight")
    page.keyboard.press("ArrowRight")
    page.get_by_role("textbox", name="Program").click()
    page.keyboard.type(" r?")
    for key in ("Space", "ArrowLeft", "ArrowRight", "End", "Home"):
        page.keyboard.press(key)
    assert frame_in_url(page) == "2"
    expect(page.locator(KEYS)).to_be_hidden()


def test_presenter_mode_draws_the_graph_larger_and_every_step_stays_on_the_first_screen(
        page, base_url):
    sizes = {}
    for present in (False, True):
        open_page(page, base_url, "Expression_Graph?example=micrograd"
                  + ("&present=1" if present else ""))
        wait_for_player(page)
        sizes[present] = page.locator(".gp-inner").first.bounding_box()["height"]
        floor = 16 if present else 12  # the text floor (the graph pans instead)
        assert page.locator(".gp-svg text").evaluate_all(SMALLEST_TEXT) >= floor - 0.01
    assert sizes[True] >= 1.25 * sizes[False], sizes
    steps = int(page.locator(".bp-scrub").get_attribute("max"))
    for _ in range(steps + 1):  # the arithmetic under the step label grows and shrinks
        box = page.locator(".st-key-main-visual").bounding_box()
        assert box["y"] >= 0 and box["y"] + box["height"] <= 720, (step_text(page), box)
        page.keyboard.press("ArrowRight")
    assert step_text(page) == "every value and gradient"


IN_BOX = """([lit, box]) => { const b = box.getBoundingClientRect();
    return lit.filter(p => p.style.display !== 'none').every(p => {
        const r = p.getBoundingClientRect();
        return r.right > b.left && r.left < b.right
            && r.bottom > b.top && r.top < b.bottom; }); }"""


def empty_point(page, box: dict) -> tuple[float, float]:
    """A point of the graph's box on no node (their texts included)."""
    nodes = page.locator(NODES).evaluate_all(
        "(gs) => gs.map((g) => { const r = g.getBoundingClientRect(); "
        "return [r.left, r.top, r.right, r.bottom]; })")
    for fy in (0.5, 0.3, 0.7, 0.2, 0.8):
        for fx in (0.5, 0.4, 0.6, 0.3, 0.7):
            x, y = box["x"] + fx * box["width"], box["y"] + fy * box["height"]
            if not any(x0 - 4 <= x <= x1 + 4 and y0 - 4 <= y <= y1 + 4 for x0, y0, x1, y1 in nodes):
                return x, y
    raise AssertionError("no empty point in the graph's box")


def test_the_largest_graph_keeps_its_text_legible_and_pans_instead(page, base_url, browser):
    """micrograd's example (the widest built-in graph): text ≥ 12 px on screen at 1280 × 720 and
    on a phone, ≥ 16 px presenting; the rest of the graph is a drag, a zoom button or a step
    away."""
    phone = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True,
                                has_touch=True)
    for where in (phone.new_page(), page):  # presenting: the test below
        open_page(where, base_url, "Expression_Graph?example=micrograd")
        wait_for_player(where)
        where.locator(".bp-last").click()
        assert where.locator(".gp-svg text").evaluate_all(SMALLEST_TEXT) >= 12 - 0.01
    phone.close()
    graph, stage = page.locator(".gp-graph"), page.locator(".bp-stage")
    box = graph.bounding_box()
    assert box["y"] + box["height"] <= 720 and stage.bounding_box()["width"] > box["width"]
    page.keyboard.press("Home")
    for _ in range(8):  # each forward step's lit edges are in view
        page.keyboard.press("ArrowRight")
        lit = page.locator(".gp-lit").element_handles()
        assert page.evaluate(IN_BOX, [lit, graph.element_handle()]), step_text(page)
    before = stage.bounding_box()
    x, y = empty_point(page, box)  # a drag from a node would not pan: a node is a button
    page.mouse.move(x, y)
    page.mouse.down()
    page.mouse.move(x - 120, y, steps=5)
    page.mouse.up()
    assert stage.bounding_box()["x"] < before["x"] - 50  # dragged left
    page.get_by_role("button", name="Fit the whole drawing").click()
    fitted = stage.bounding_box()
    assert fitted["width"] <= box["width"] + 1 and fitted["height"] <= box["height"] + 1
    page.get_by_role("button", name="Zoom in").click()
    assert stage.bounding_box()["width"] > fitted["width"] * 1.2


def test_the_inspector_sits_beside_the_graph_on_the_first_screen(page, base_url):
    open_page(page, base_url, "Expression_Graph?node=9")  # the neuron's output, y
    wait_for_player(page)
    graph = page.locator(".gp-graph").bounding_box()
    inspector = page.locator(".st-key-inspector")
    expect(inspector.get_by_text("y is computed in line 1")).to_be_visible()
    side = inspector.bounding_box()
    assert side["x"] >= graph["x"] + graph["width"]  # beside, not below
    assert side["y"] < graph["y"] + graph["height"] and side["y"] + side["height"] <= 720
    assert inspector.get_by_text("Local derivative of").count() == 1
    expect(page.locator(".gp-chain")).to_be_hidden()  # the inspector beside says it already


LESSON_VIEW = "iframe[title^='Lesson view']"


def test_a_lesson_views_graph_and_the_picked_nodes_chain_rule_share_the_first_screen(page,
                                                                                     base_url):
    """In a lesson's view (under 640 px wide, the inspector stacks under the graph) a picked node's
    chain rule shows above the graph, each number's exact value on hover, on the first screen."""
    open_page(page, base_url, "Lessons?lesson=chain-rule&step=2")
    page.get_by_role("button", name="Reveal the answer").click()  # the view shows the numbers
    view = page.frame_locator(LESSON_VIEW)
    view.locator(NODES).filter(has=view.locator(".gp-inner", has_text=re.compile("^w1$"))).click()
    chain = view.locator(".gp-chain")
    expect(chain).to_contain_text("∂y/∂w1 = ∂y/∂u · ∂u/∂w1 = 0.246 × 2 = 0.492", timeout=30_000)
    exact = chain.locator(".gp-number").filter(has_text="0.492").get_attribute("title")
    assert re.fullmatch(r"exactly 0\.49226816547519\d+", exact), exact
    frame, box = page.locator(LESSON_VIEW).bounding_box(), chain.bounding_box()
    graph = view.locator(".gp-graph").bounding_box()
    assert frame["y"] <= box["y"] and box["y"] + box["height"] <= min(720, graph["y"])
    assert graph["y"] + 150 <= min(720, frame["y"] + frame["height"])  # the graph under it, seen
    page.screenshot(path="/tmp/backprop_playground_lesson_chain_rule.png")


def test_a_wider_box_draws_the_graph_in_the_shape_it_shows_larger(page, base_url):
    """The MLP is sent cut into bands for the box beside the inspector (taller than wide); the
    presenter's wider box shows it larger in fewer bands (viz.graph_player.drawn_as)."""
    open_page(page, base_url, "Expression_Graph?example=mlp&present=1")
    wait_for_player(page)
    _, _, width, height = map(float, page.locator(".gp-svg").get_attribute("viewBox").split())
    assert width > height and page.locator(".gp-svg").get_attribute("data-direction") == "lr"
    assert page.locator(".gp-svg text").evaluate_all(SMALLEST_TEXT) >= 16 - 0.01
