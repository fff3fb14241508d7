"""Projector first: on a 1280×720 screen with the sidebar open, every page's main visual (the
container keyed "main-visual") lies wholly on the first screen, in normal and presenter mode, and
no two of its texts overlap."""

from __future__ import annotations

import pytest

from page_models.building_blocks import SECTIONS

from .helpers import assert_no_exception, open_page

VIEWS = [
    "Expression_Graph",
    "Expression_Graph?example=micrograd",
    "Network_Builder",
    "Optimizer_Lab",
    "Optimizer_Lab?view=surfaces",
    *(f"Building_Blocks?section={key}" for key in SECTIONS),
    "Lessons?lesson=chain-rule&step=2",
]
SCREEN_HEIGHT = 720

MAIN_VISUAL = ".st-key-main-visual"

# Every visible text of the main visual (HTML text nodes, SVG text, in open shadow roots too) as
# [text, rect]; then each pair of texts from different elements whose boxes overlap (by more
# than 3 px each way: a typeset fraction's box may reach into the next line's). A typeset
# formula (KaTeX) counts as one element: its parts overlap by design; its MathML copy is hidden.
OVERLAPPING_TEXTS = """(selector) => {
    const root = document.querySelector(selector);
    const boxes = [];
    const visible = el => {
        for (let e = el; e && e.nodeType === 1; e = e.parentElement || e.getRootNode().host) {
            const s = getComputedStyle(e);
            if (s.visibility === 'hidden' || s.display === 'none') return false;
            if (s.opacity === '0') return false;
        }
        return true;
    };
    const walk = node => {
        if (node.shadowRoot) walk(node.shadowRoot);
        for (const child of node.childNodes) {
            if (child.nodeType === 3 && child.textContent.trim()) {
                if (child.parentElement.closest('.katex-mathml')) continue;
                const el = child.parentElement.closest('.katex') || child.parentElement;
                if (!visible(el)) continue;
                const range = document.createRange();
                range.selectNodeContents(child);
                for (const r of range.getClientRects())
                    if (r.width > 1 && r.height > 1) boxes.push([child.textContent.trim(), r, el]);
            } else if (child.nodeType === 1) {
                walk(child);
            }
        }
    };
    walk(root);
    const found = [];
    boxes.forEach(([a, p, ea], i) => boxes.slice(i + 1).forEach(([b, q, eb]) => {
        if (ea === eb || ea.contains(eb) || eb.contains(ea)) return;
        const dx = Math.min(p.right, q.right) - Math.max(p.left, q.left);
        const dy = Math.min(p.bottom, q.bottom) - Math.max(p.top, q.top);
        if (dx > 3 && dy > 3) found.push([a.slice(0, 40), b.slice(0, 40)]);
    }));
    return found;
}"""


@pytest.mark.parametrize("present", [False, True], ids=["normal", "presenter"])
@pytest.mark.parametrize("view", VIEWS)
def test_the_main_visual_is_on_the_first_screen_and_its_texts_do_not_overlap(
        page, base_url, view, present):
    path = view + ("&" if "?" in view else "?") + "present=1" if present else view
    open_page(page, base_url, path, settle_ms=1500)
    assert_no_exception(page)
    visual = page.locator(MAIN_VISUAL)
    assert visual.count() == 1, f"{view}: no single container keyed main-visual"
    page.wait_for_function(  # a component or chart may still be drawing
        f"() => document.querySelector('{MAIN_VISUAL}').getBoundingClientRect().height > 100",
        timeout=30_000)
    box = visual.bounding_box()
    assert box is not None and box["height"] > 100, f"{view}: the main visual is empty"
    assert box["y"] >= 0 and box["y"] + box["height"] <= SCREEN_HEIGHT, (
        f"{view}: the main visual spans y = {box['y']:.0f}..{box['y'] + box['height']:.0f}")
    assert page.evaluate(OVERLAPPING_TEXTS, MAIN_VISUAL) == []
