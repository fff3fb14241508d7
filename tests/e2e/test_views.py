"""Every view on every screen: each page, each Building Blocks section, both Optimizer Lab views and
one step of each lesson, at four viewports (1280×720 normal and presenter, a tablet 820×1180 and
a phone 390×844, both touch). Per view: no exception; the main visual (the container keyed
"main-visual") on the first screen; no two of its texts overlapping and none cut off at its
chart's edge; every text of its plotly charts and canvas players at least the text floor (16 px
in presenter mode, 12 px otherwise); on touch screens every control at least 44 px each way
(24 px is the hard floor); and axe-core (test_accessibility) at 1280×720 normal, presenter and on
the phone. An embedded view (a lesson step) is checked in its own frame too.

One browser context (and page) per viewport, kept for the whole walk, so each view is loaded once
per viewport and the frontend's files come from the browser's cache."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from playwright.sync_api import Browser, Frame, Page
from playwright.sync_api import TimeoutError as PlaywrightTimeout

from page_models.building_blocks import SECTIONS
from page_models.course.lesson import COURSE
from ui.lesson_browser import VIEW_TITLE
from ui.nav import NARROW_PX
from ui.widths import WINDOW_COOKIE

from .helpers import APP_IDLE, assert_no_exception
from .test_accessibility import assert_accessible, axe_js  # noqa: F401 (a fixture)


@dataclass(frozen=True)
class Screen:
    name: str
    width: int
    height: int
    present: bool = False
    touch: bool = False
    phone: bool = False
    axe: bool = False

    @property
    def floor_px(self) -> int:
        return 16 if self.present else 12


SCREENS = [
    Screen("normal", 1280, 720, axe=True),
    Screen("presenter", 1280, 720, present=True, axe=True),
    Screen("tablet", 820, 1180, touch=True),
    Screen("phone", 390, 844, touch=True, phone=True, axe=True),
]
VIEWS = [
    "",
    "Expression_Graph",
    "Expression_Graph?example=micrograd",
    "Network_Builder",
    "Optimizer_Lab",
    "Optimizer_Lab?view=surfaces",
    *(f"Building_Blocks?section={key}" for key in SECTIONS),
    *(f"Lessons?lesson={key}&step=1" for key in COURSE),
]
NO_MAIN_VISUAL = {""}  # the home page: cards, no one visual
MAIN_VISUAL = ".st-key-main-visual"
TAP_PX = 44  # WCAG 2.5.5 (2.5.8's floor, 24 px, is below it)

# Canvas players draw their text with fillText: record the smallest font each canvas drew, in CSS
# px (the font's size times the canvas transform's scale, over the backing store's pixel ratio).
RECORD_CANVAS_FONTS = """(() => {
  const fillText = CanvasRenderingContext2D.prototype.fillText;
  CanvasRenderingContext2D.prototype.fillText = function (...args) {
    const px = parseFloat((this.font.match(/([\\d.]+)px/) || [0, 0])[1]);
    const c = this.canvas, ratio = c.clientWidth ? c.width / c.clientWidth : 1;
    const size = px * this.getTransform().a / ratio;
    if (String(args[0]).trim() && !(c.__bpMinFontPx <= size)) c.__bpMinFontPx = size;
    return fillText.apply(this, args);
  };
})();"""

# Every element under `root`, through open shadow roots.
_DEEP = """
const deep = (root, out = []) => {
  for (const el of root.querySelectorAll('*')) {
    out.push(el);
    if (el.shadowRoot) deep(el.shadowRoot, out);
  }
  return out;
};
const visible = el => {
  for (let e = el; e && e.nodeType === 1; e = e.parentElement || e.getRootNode().host) {
    const s = getComputedStyle(e);
    if (s.visibility === 'hidden' || s.display === 'none' || s.opacity === '0') return false;
    if (s.clipPath.startsWith('inset(50%')) return false;  // words for a screen reader only
  }
  return true;
};
"""

# The view is drawn: the script ran, nothing waits for its element, and the main visual (if any)
# is there, with its embedded view (a lesson's, by its frame's title) and its charts drawn, and
# its size unchanged for the last two polls.
SETTLED = """([selector, needsVisual, idle, frameTitle]) => {
  if (!document.querySelector(idle) || document.querySelector('[data-testid^="stSkeleton"]'))
    return false;
  const visual = document.querySelector(selector);
  if (!visual) return !needsVisual;
  if (frameTitle && !document.querySelector(`iframe[title^="${frameTitle}"]`)) return false;
  const charts = visual.querySelectorAll("[data-testid='stPlotlyChart']");
  if ([...charts].some(c => !c.querySelector('.main-svg'))) return false;
  const r = visual.getBoundingClientRect();
  const size = `${r.top}|${r.height}|${r.width}`;
  window.__bpCalm = window.__bpLastSize === size ? (window.__bpCalm || 0) + 1 : 0;
  window.__bpLastSize = size;
  return window.__bpCalm >= 2 && r.height > 100;
}"""

SIDEBAR_CLOSED = """() => {
  const sidebar = document.querySelector('[data-testid="stSidebar"]');
  return !sidebar || sidebar.dataset.collapsed === 'true';
}"""

# Every view a lesson step embeds (an iframe titled VIEW_TITLE…) has finished its first run.
EMBEDDED_RAN = """([title, idle]) => [...document.querySelectorAll(`iframe[title^="${title}"]`)]
  .every(f => f.contentDocument && f.contentDocument.querySelector(idle))"""

# Each pair of texts from different elements in the main visual whose boxes overlap by more than
# 3 px each way (a typeset fraction's box may reach into the next line's; a KaTeX formula counts
# as one element, its MathML copy is hidden), and each plotly text cut off at its chart's edge;
# those within a plotly chart under 500 px wide (a phone's, a lesson pane's: viz.narrow's
# layout) start with "narrow chart: ".
TEXT_CLASHES = """(selector) => {""" + _DEEP + """
  const root = document.querySelector(selector);
  const boxes = [];
  const walk = node => {
    if (node.shadowRoot) walk(node.shadowRoot);
    for (const child of node.childNodes) {
      if (child.nodeType === 3 && child.textContent.trim()) {
        if (child.parentElement.closest('.katex-mathml')) continue;
        const el = child.parentElement.closest('.katex') || child.parentElement;
        if (!visible(el)) continue;
        const range = document.createRange();
        range.selectNodeContents(child);
        const pan = el.closest('.bp-pan');  // a panned drawing shows only what is in its box
        const shown = pan && pan.getBoundingClientRect();
        for (let r of range.getClientRects()) {
          if (shown) {
            const left = Math.max(r.left, shown.left), right = Math.min(r.right, shown.right);
            const top = Math.max(r.top, shown.top), bottom = Math.min(r.bottom, shown.bottom);
            r = { left, right, top, bottom, width: right - left, height: bottom - top };
          }
          if (r.width > 1 && r.height > 1) boxes.push([child.textContent.trim(), r, el]);
        }
      } else if (child.nodeType === 1) {
        walk(child);
      }
    }
  };
  walk(root);
  const narrow = el => {
    const chart = el.closest && el.closest('.js-plotly-plot');
    return !!chart && chart.getBoundingClientRect().width < 500;
  };
  const found = [];
  boxes.forEach(([a, p, ea], i) => boxes.slice(i + 1).forEach(([b, q, eb]) => {
    if (ea === eb || ea.contains(eb) || eb.contains(ea)) return;
    const dx = Math.min(p.right, q.right) - Math.max(p.left, q.left);
    const dy = Math.min(p.bottom, q.bottom) - Math.max(p.top, q.top);
    const where = narrow(ea) && narrow(eb) ? 'narrow chart: ' : '';
    if (dx > 3 && dy > 3) found.push(`${where}"${a.slice(0, 40)}" over "${b.slice(0, 40)}"`);
  }));
  for (const [text, r, el] of boxes) {
    const chart = el.closest && el.closest('.js-plotly-plot');
    if (!chart) continue;
    const c = chart.getBoundingClientRect();
    if (r.left < c.left - 2 || r.right > c.right + 2
        || r.top < c.top - 2 || r.bottom > c.bottom + 2)
      found.push(`${narrow(el) ? 'narrow chart: ' : ''}"${text.slice(0, 40)}" cut off`);
  }
  return found;
}"""

# The main visual's texts below `floor` px: plotly's SVG texts (their computed size: plotly never
# scales its SVG), canvas players' (recorded by RECORD_CANVAS_FONTS) and, apart, the graph
# player's SVG texts (their size times the SVG's scale on screen).
SMALL_TEXTS = """([selector, floor]) => {""" + _DEEP + """
  const root = document.querySelector(selector);
  const small = { chart: [], graph: [] };
  for (const el of deep(root)) {
    if (el.tagName === 'text' && el.closest('.js-plotly-plot') && el.textContent.trim()
        && visible(el)) {
      const px = parseFloat(getComputedStyle(el).fontSize);
      if (px < floor - 0.05) small.chart.push(`${px.toFixed(1)} px "${el.textContent}"`);
    } else if (el.tagName === 'CANVAS' && el.__bpMinFontPx !== undefined && visible(el)) {
      if (el.__bpMinFontPx < floor - 0.05)
        small.chart.push(`${el.__bpMinFontPx.toFixed(1)} px in a canvas ${el.className}`);
    } else if (el.tagName === 'text' && el.closest('svg') && !el.closest('.js-plotly-plot')
               && el.textContent.trim() && visible(el)) {
      const svg = el.ownerSVGElement, m = svg && svg.getScreenCTM();
      const px = parseFloat(getComputedStyle(el).fontSize) * (m ? Math.hypot(m.a, m.b) : 1);
      if (px < floor - 0.05) small.graph.push(`${px.toFixed(1)} px "${el.textContent}"`);
    }
  }
  return small;
}"""

# Every visible control on the page (through shadow roots) smaller than `least` px either way, as
# "label W×H"; a link inside running text is exempt (WCAG 2.5.8's inline exception), and a
# visually hidden checkbox or radio is measured by its label.
SMALL_TARGETS = """(least) => {""" + _DEEP + """
  const CONTROL = 'button, select, input:not([type=hidden]), textarea, a[href], summary, '
    + '[role=button], [role=slider], [role=tab], [role=checkbox], [role=switch], [role=combobox]';
  const HIDDEN = '[inert], [aria-hidden=true], [data-testid=stSidebar][data-collapsed=true]';
  const small = [], seen = new Set();
  for (let el of deep(document)) {
    if (!el.matches(CONTROL) || !visible(el) || el.closest(HIDDEN)) continue;
    if (el.matches('a') && el.closest('p, li, [data-testid=stCaptionContainer]')) continue;
    if (el.matches('input[type=checkbox], input[type=radio]')) el = el.closest('label') || el;
    el = el.closest('[data-baseweb=select]') || el;  // a select's field, arrow and box are one
    if (seen.has(el)) continue;
    seen.add(el);
    const r = el.getBoundingClientRect();
    if (r.width < 2 || r.height < 2) continue;  // visually hidden (a skip link until focused)
    if (r.width < least - 0.5 || r.height < least - 0.5) {
      const name = (el.getAttribute('aria-label') || el.textContent || el.title || el.tagName)
        .trim().slice(0, 24);
      small.push(`${name} ${r.width.toFixed(0)}×${r.height.toFixed(0)}`);
    }
  }
  return [...new Set(small)];
}"""


@pytest.fixture(scope="module")
def screen_pages(browser: Browser) -> Iterator[dict[str, Page]]:
    """One page per screen, opened on first use and kept for the module."""
    pages: dict[str, Page] = {}
    contexts = []

    def page_for(screen: Screen) -> Page:
        if screen.name not in pages:
            context = browser.new_context(
                viewport={"width": screen.width, "height": screen.height},
                has_touch=screen.touch, is_mobile=screen.phone)
            context.add_init_script(RECORD_CANVAS_FONTS)
            contexts.append(context)
            pages[screen.name] = context.new_page()
        return pages[screen.name]

    yield page_for
    for context in contexts:
        context.close()


def open_view(page: Page, base_url: str, view: str, screen: Screen) -> None:
    query = ("&" if "?" in view else "?") + "present=1" if screen.present else ""
    page.goto(f"{base_url}/{view}{query}", wait_until="domcontentloaded")
    lesson = VIEW_TITLE if view.startswith("Lessons") else ""
    settle(page.main_frame, view not in NO_MAIN_VISUAL, lesson)
    if screen.present or screen.width < NARROW_PX:  # the sidebar closes by itself (ui.nav)
        try:
            page.wait_for_function(SIDEBAR_CLOSED, polling=100, timeout=10_000)
        except PlaywrightTimeout:
            pytest.fail(f"{view} ({screen.name}): the sidebar is still open after 10 s")
        settle(page.main_frame, view not in NO_MAIN_VISUAL, lesson)
    page.wait_for_function(EMBEDDED_RAN, arg=[VIEW_TITLE, APP_IDLE], polling=150, timeout=60_000)
    for frame in embedded_views(page):
        settle(frame, True)


def settle(frame: Frame, needs_visual: bool, frame_title: str = "") -> None:
    frame.evaluate("() => { window.__bpLastSize = null; }")
    frame.wait_for_function(SETTLED, arg=[MAIN_VISUAL, needs_visual, APP_IDLE, frame_title],
                            polling=150, timeout=60_000)


def embedded_views(page: Page) -> list[Frame]:
    """The frames of the views a lesson step embeds (same origin)."""
    return [f for f in page.frames if f is not page.main_frame and "embed=true" in f.url]


def check_first_screen(page: Page, view: str, screen: Screen) -> None:
    """At 1280×720 the main visual lies wholly on the first screen; on a tablet or phone it
    starts there, with at least 300 px of it (or all of it) in sight."""
    visual = page.locator(MAIN_VISUAL)
    assert visual.count() == 1, f"{view}: no single container keyed main-visual"
    box = visual.bounding_box()
    assert box is not None and box["height"] > 100, f"{view}: the main visual is empty"
    top, bottom = box["y"], box["y"] + box["height"]
    if screen.touch:
        bottom = top + min(box["height"], 300)
    assert top >= 0 and bottom <= screen.height, (
        f"{view} ({screen.name}): the main visual spans y = {top:.0f}..{top + box['height']:.0f}")


@pytest.mark.parametrize("view", VIEWS, ids=lambda v: v or "Home")
@pytest.mark.parametrize("screen", SCREENS, ids=lambda s: s.name)
def test_every_view_is_legible_on_every_screen(screen_pages, base_url, axe_js,  # noqa: F811
                                               screen: Screen, view: str):
    page = screen_pages(screen)
    open_view(page, base_url, view, screen)
    assert_no_exception(page)
    problems: list[str] = []
    if view not in NO_MAIN_VISUAL:
        check_first_screen(page, view, screen)
    for frame in [page.main_frame, *embedded_views(page)]:
        if not frame.evaluate(f"() => !!document.querySelector('{MAIN_VISUAL}')"):
            continue
        where = "" if frame is page.main_frame else " (embedded view)"
        problems += [clash + where for clash in frame.evaluate(TEXT_CLASHES, MAIN_VISUAL)]
        small = frame.evaluate(SMALL_TEXTS, [MAIN_VISUAL, screen.floor_px])
        problems += [f"text below {screen.floor_px} px{where}: {t}"
                     for t in small["chart"] + small["graph"]]
    if screen.touch:
        targets = page.evaluate(SMALL_TARGETS, TAP_PX)
        problems += [f"tap target below {TAP_PX} px: {t}" for t in targets]
    assert not problems, f"{view} ({screen.name}):\n" + "\n".join(problems)
    if screen.axe:
        assert_accessible(page, axe_js)


# The side-by-side state of the first plotly chart's first two panels: "row" or "column".
PANELS = """() => {
  const layout = document.querySelector('.js-plotly-plot')._fullLayout;
  return layout.xaxis2.domain[0] >= layout.xaxis.domain[1] ? 'row' : 'column';
}"""


def test_the_server_draws_charts_for_the_window_it_is_told_of(browser: Browser, base_url):
    """A phone's first visit (a desktop user agent, no cookie) gets the Optimizer Lab's two
    panels one under the other after its page reports the width; turned to a wide window, side
    by side again; a later visit is narrow from its first run (the cookie)."""
    context = browser.new_context(viewport={"width": 390, "height": 844})
    try:
        page = context.new_page()
        page.goto(f"{base_url}/Optimizer_Lab", wait_until="domcontentloaded")
        page.wait_for_function(f"() => {{ try {{ return ({PANELS})() === 'column'; }} "
                               "catch { return false; } }", polling=200, timeout=60_000)
        assert any(c["name"] == WINDOW_COOKIE and c["value"] == "380" for c in context.cookies())
        page.set_viewport_size({"width": 1280, "height": 720})
        page.wait_for_function(f"() => ({PANELS})() === 'row'", polling=200, timeout=30_000)
        page.set_viewport_size({"width": 390, "height": 844})
        page.wait_for_function(f"() => ({PANELS})() === 'column'", polling=200, timeout=30_000)
        second = context.new_page()
        second.goto(f"{base_url}/Optimizer_Lab", wait_until="domcontentloaded")
        second.wait_for_selector(".js-plotly-plot .main-svg", timeout=60_000)
        assert second.evaluate(PANELS) == "column"
    finally:
        context.close()
