"""One registry of pages, a sidebar menu drawn from it, and a page header.

The automatic pages menu is hidden (`client.showSidebarNavigation = false` in
.streamlit/config.toml); every page calls `page_header(...)` (or `sidebar_nav()`), which draws
the menu with `st.page_link`. Only pages whose file exists are linked, so a new page only needs
its file dropped into pages/ under the path registered here.

Testing a page with AppTest: start from the entrypoint, so st.page_link resolves paths:
    AppTest.from_file(<absolute path of app.py>).switch_page("pages/3_Optimizer_Lab.py").run()
(AppTest.from_file on the page file itself makes the page the entrypoint, and the menu fails.)
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import streamlit as st

from page_models.url import SHARED_PARAMS
from ui.lesson_draft import add_view_button
from ui.state import bind, enter_page
from ui.widths import measure_charts
from viz.palette import FOCUS

REPO_ROOT = Path(__file__).resolve().parent.parent
APP_TITLE = "Backprop Playground"
APP_ICON = "🧠"  # favicon: a material icon would be fetched from fonts.gstatic.com


@dataclass(frozen=True)
class PageInfo:
    path: str  # relative to the repo root, as st.page_link wants it
    label: str
    icon: str  # emoji or ":material/name:"
    description: str  # one line, shown on the home page cards

    def exists(self, root: Path = REPO_ROOT) -> bool:
        return (root / self.path).is_file()


HOME = PageInfo("app.py", "Home", ":material/home:", "What the playground is for.")

PAGES: tuple[PageInfo, ...] = (
    PageInfo(
        "pages/1_Expression_Graph.py",
        "Expression Graph",
        ":material/account_tree:",
        "Type an expression, see its computation graph, and watch values flow forward "
        "and gradients flow backward.",
    ),
    PageInfo(
        "pages/2_Network_Builder.py",
        "Network Builder",
        ":material/hub:",
        "Build a small network layer by layer, see its computation graph and every weight, "
        "and watch it learn live.",
    ),
    PageInfo(
        "pages/3_Optimizer_Lab.py",
        "Optimizer Lab",
        ":material/trending_down:",
        "Train the same problem with SGD, momentum and Adam, with and without dropout.",
    ),
    PageInfo(
        "pages/4_Building_Blocks.py",
        "Building Blocks",
        ":material/widgets:",
        "Softmax and sampling, cross-entropy, distributions, normalisation, matrix shapes, "
        "numerical derivatives and conditioning.",
    ),
    PageInfo(
        "pages/5_Lessons.py",
        "Lessons",
        ":material/school:",
        "Guided tours, step by step over live views, with questions the engine answers; "
        "write your own and share it as a link.",
    ),
)


def available_pages(root: Path = REPO_ROOT) -> list[PageInfo]:
    """The registered pages (home excluded) whose file exists."""
    return [p for p in PAGES if p.exists(root)]


def find_page(path: str) -> PageInfo:
    """The registry entry for `path` (e.g. "pages/3_Optimizer_Lab.py")."""
    for page in (HOME, *PAGES):
        if page.path == path:
            return page
    raise KeyError(f"{path!r} is not in ui.nav.PAGES; register it there first")


def sidebar_nav() -> None:
    """Draw the sidebar menu: home plus every existing page.

    With no page yet there is no menu: without a pages/ folder Streamlit has no page
    registry, and st.page_link("app.py") would raise.
    """
    pages = available_pages()
    with st.sidebar:
        st.markdown(f"### {APP_TITLE}")
        if not pages:
            return
        for page in (HOME, *pages):
            st.page_link(page.path, label=page.label, icon=page.icon)


HEADER_CSS = """
[data-testid="stMainBlockContainer"] { padding-top: 1.2rem; padding-bottom: 2rem; }
[data-testid="stElementContainer"]:has(.bp-chart-text) { position: absolute; }
[data-testid="stHeader"] { background: transparent; height: 2.5rem; }
[data-testid="stSidebarHeader"] { height: 1rem; padding: 0; }
[data-testid="stMainBlockContainer"] h1 { font-size: 1.75rem; padding: 0 0 0.15rem 0; }
.st-key-page-intro p { margin: 0 0 0.3rem 0; color: #3d434b; }
[data-testid="stCaptionContainer"] { opacity: 1; color: #555a61; }  /* 4.4:1 faded -> 7:1 */
[data-testid="stMainBlockContainer"] h2 { font-size: 1.45rem; padding: 0.6rem 0 0.3rem 0; }
.katex-display { overflow-y: hidden; }
"""
# Touch screens (WCAG 2.5.5): every control at least 44 px each way, Streamlit's as the player
# core's (player_core.css); plotly's toolbar goes (it covered chart titles). Narrow screens: the
# header's ≫ (the closed sidebar) sits left of the title, not over it; on a phone the page's main
# visual comes right after its title, before the controls that set it.
TOUCH_CSS = """
@media (pointer: coarse) {
  .stApp button, .stApp summary, .stApp [role="tab"], .stApp input, .stApp textarea,
  .stApp [data-testid="stLinkButton"] a,
  .stApp [data-baseweb="select"] > div, .stApp [data-testid="stPageLink-NavLink"] {
    min-height: 44px; }
  .stApp button, .stApp [role="tab"], .stApp [data-testid="stTooltipHoverTarget"] {
    min-width: 44px; }
  .stApp [data-testid="stTooltipHoverTarget"] { min-height: 44px; display: flex;
    align-items: center; justify-content: center; }
  .stApp [data-testid="stNumberInputContainer"] { height: auto; }
  .stApp label:has(input[type="checkbox"]), .stApp label:has(input[type="radio"]) {
    min-height: 44px; min-width: 44px; align-items: center; }
  .stApp input { min-width: 44px; }
  .stApp .modebar-container { display: none; }
}
@media (max-width: 1023.98px) {
  [data-testid="stMainBlockContainer"] h1 { padding-left: 2.6rem; }
}
@media (max-width: 640px) {
  .stMainBlockContainer > .stVerticalBlock:not(:has(.st-key-lesson-controls))
    > div:has(> .st-key-main-visual) { order: -1; }
  .stMainBlockContainer > .stVerticalBlock > div:has(h1, .st-key-page-intro) { order: -2; }
}
"""
PRESENTER_CSS = """
html { font-size: 19px; }
[data-testid="stMainBlockContainer"] { padding-left: 3.5rem; padding-right: 2rem; }
"""


# A page embedded in a lesson step: its settings open with the step's ↗ button, so the sidebar
# and its chevron (over the view's top-left corner) go, and with them their tab stops.
EMBEDDED_CSS = """
[data-testid="stExpandSidebarButton"], [data-testid="stSidebar"] { display: none; }
"""
# Keys: a focus ring of 3:1 or more on every control (Streamlit's links show none, its toggles
# 1.2:1), and no control of a folded sidebar a tab stop (it slides out of view with its links
# live; hiding all of it stops page_js from giving formulas their tab stops), nor its scroll box
# (nothing in it can take the focus, so it may not scroll: axe's scrollable-region-focusable).
# Controls that show on hover (a chart's modebar, a table's toolbar, a heading's link) show
# while they have the keyboard's focus: never an invisible tab stop.
FOCUS_CSS = f"""
:is(a, button, input, select, textarea, summary, [tabindex]):focus-visible,
label:has(input:focus-visible) {{ outline: 3px solid {FOCUS} !important; outline-offset: 2px; }}
[data-testid="stSidebar"][data-collapsed="true"] :is(a, button, input, select, textarea,
  [tabindex]) {{ visibility: hidden !important; }}
[data-testid="stSidebar"][data-collapsed="true"] * {{ overflow: hidden !important; }}
.modebar-group:focus-within, [data-testid="stElementToolbar"]:focus-within,
[data-testid="stHeaderActionElements"] a:focus-visible {{ opacity: 1 !important; }}
"""
NARROW_PX = 1024  # below this width the sidebar would cover the page: it starts closed

# What every page does in the browser (a component without an element of its own, in the
# sidebar):
# - Streamlit remembers a sidebar the visitor opened (localStorage "stSidebarCollapsed-<page>")
#   and reopens it on every page, over initial_sidebar_state. Once per page (and per switch
#   into presenter mode) this closes it in presenter mode and on narrow screens, and forgets the
#   choice.
# - A formula wider than its column scrolls: it gets a tab stop, so a keyboard
#   reaches what is cut off (WCAG 2.1.1; axe's scrollable-region-focusable).
_PAGE_JS = """
const reachable = () => {
  for (const box of document.querySelectorAll(".katex-display:not([tabindex])")) {
    if (box.scrollWidth > box.clientWidth) {  // (one that stops overflowing keeps its stop)
      box.tabIndex = 0;  // KaTeX's MathML inside names it
    }
  }
};
let queued = false;
new MutationObserver(() => {
  if (!queued) {
    queued = true;
    requestAnimationFrame(() => { queued = false; reachable(); });
  }
}).observe(document.body, { childList: true, subtree: true });
document.fonts.ready.then(reachable);  // KaTeX's fonts widen a formula after it is drawn
window.addEventListener("resize", reachable);

export default function ({ data }) {
  reachable();
  const visit = `${location.pathname}|${data.present}`;
  if (window.__foldedFor === visit) return;
  window.__foldedFor = visit;
  if (!data.present && window.innerWidth >= data.narrowPx) return;
  for (const key of Object.keys(localStorage)) {
    if (key.startsWith("stSidebarCollapsed-")) localStorage.setItem(key, "true");
  }
  const until = Date.now() + 5000;
  let asked = false;  // a visitor's click or key: the sidebar is theirs from then on
  const mine = () => { asked = true; };
  window.addEventListener("pointerdown", mine, { capture: true, once: true });
  window.addEventListener("keydown", mine, { capture: true, once: true });
  const fold = () => {  // Streamlit may draw the sidebar, or open it ("auto" at >= 768 px), later
    if (asked) return;
    const sidebar = document.querySelector('[data-testid="stSidebar"]');
    const close = document.querySelector('[data-testid="stSidebarCollapseButton"] button');
    if (sidebar && sidebar.dataset.collapsed === "false" && close) close.click();
    else if (Date.now() < until) setTimeout(fold, 100);
  };
  fold();
}
"""
_page_js = st.components.v2.component("page_js", js=_PAGE_JS)


def presenting() -> bool:
    """Presenter mode (`present=1` in the URL, or the sidebar toggle): larger type, controls
    folded away. Figures read it to draw bigger text and thicker lines."""
    return bool(st.session_state.get("present", False))


def page_header(path: str, intro: str | None = None) -> PageInfo:
    """Set up a page from its registry entry: page config, sidebar menu, presenter mode, and a
    compact header (the title and one line), so the page's main visual starts high on the screen.

    Call it first thing in every page, e.g. `page_header("pages/3_Optimizer_Lab.py")`.
    """
    page = find_page(path)
    title = APP_TITLE if page is HOME else page.label
    enter_page(path)  # the session's state is this page's now
    bind(SHARED_PARAMS)  # the params every page carries: present=1
    st.set_page_config(
        page_title=title if page is HOME else f"{page.label} · {APP_TITLE}",
        page_icon=APP_ICON,
        layout="wide",
        initial_sidebar_state="collapsed" if presenting() else "auto",
    )
    sidebar_nav()
    st.sidebar.toggle("Presenter mode", key="present",
                      help="Larger type for a projector; the sidebar's controls fold away. "
                      "The link carries it as present=1.")
    add_view_button(page.path, page.label)
    with st.sidebar:
        _page_js(key="page_js", data={"present": presenting(), "narrowPx": NARROW_PX})
        measure_charts()
    embedded = EMBEDDED_CSS if st.context.is_embedded else ""
    presenter = PRESENTER_CSS if presenting() else ""
    st.html(f"<style>{HEADER_CSS}{TOUCH_CSS}{FOCUS_CSS}{presenter}{embedded}</style>")
    st.title(title, anchor=False)
    if intro:
        st.container(key="page-intro").markdown(intro)
    return page
