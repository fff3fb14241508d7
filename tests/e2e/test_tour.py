"""One browser session touring the app through its sidebar menu, as a visitor does: every
ordered pair of pages, with each page's own settings changed on the first visit. No page shows
an exception, no setting reaches another page's address, and each page is as it was left.
Presenter mode keeps the sidebar closed on every page, whatever the visitor opened before."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

from playwright.sync_api import Page, expect

from tests.tour import every_move
from ui.nav import HOME, find_page

from .helpers import assert_no_exception, open_page, wait_for_idle

SIDEBAR = "[data-testid='stSidebar']"
SIDEBAR_OPEN = "[data-testid='stSidebar'][data-collapsed='false']"


def _number(page: Page, where: str, label: str, value: int) -> None:
    field = page.locator(where).get_by_label(label, exact=True)
    field.fill(str(value))
    field.press("Enter")
    wait_for_idle(page)


def _next_step(page: Page) -> None:
    page.get_by_role("button", name="Next").click()
    wait_for_idle(page)


# A page's own settings, changed through its widgets, and the address they give it.
SETTINGS = {
    "pages/1_Expression_Graph.py": (lambda p: _number(p, "[data-testid='stMain']", "Seed", 7),
                                    {"seed": "7"}),
    "pages/2_Network_Builder.py": (lambda p: _number(p, SIDEBAR, "Seed", 5), {"seed": "5"}),
    "pages/3_Optimizer_Lab.py": (lambda p: _number(p, SIDEBAR, "Batch size", 16),
                                 {"batch": "16"}),
    "pages/4_Building_Blocks.py": (lambda p: _number(p, "[data-testid='stMain']",
                                                     "Random seed", 3), {"sm_seed": "3"}),
    "pages/5_Lessons.py": (_next_step, {"step": "2"}),
}


def _query(page: Page) -> dict[str, str]:
    return {name: values[-1] for name, values in parse_qs(urlsplit(page.url).query).items()}


def _follow_menu(page: Page, path: str) -> None:
    page.locator(SIDEBAR).get_by_role("link", name=find_page(path).label, exact=True).click()
    wait_for_idle(page)


def test_a_tour_of_every_ordered_pair_of_pages_in_one_session(page: Page, base_url: str):
    walk = every_move()
    open_page(page, base_url, "")
    visited: set[str] = set()
    for path in walk[1:]:
        _follow_menu(page, path)
        assert_no_exception(page)
        change, query = SETTINGS.get(path, (None, {}))
        if path == HOME.path:
            continue
        # the page's own settings on a return, nothing (no other page's) on its first visit
        assert _query(page) == (query if path in visited else {}), path
        if path not in visited and change is not None:
            change(page)
            assert_no_exception(page)
            assert _query(page) == query, path
        visited.add(path)
    assert visited == set(walk) - {HOME.path}


def test_presenter_mode_closes_the_sidebar_on_every_page(page: Page, base_url: str):
    open_page(page, base_url, "Building_Blocks?present=1")
    expect(page.locator(SIDEBAR_OPEN)).to_have_count(0)
    page.get_by_test_id("stExpandSidebarButton").click()  # to pick a section, say
    expect(page.locator(SIDEBAR_OPEN)).to_have_count(1)
    _follow_menu(page, "pages/1_Expression_Graph.py")
    expect(page.locator(SIDEBAR_OPEN)).to_have_count(0)
    open_page(page, base_url, "Optimizer_Lab?present=1")  # a new session, the choice remembered
    expect(page.locator(SIDEBAR_OPEN)).to_have_count(0)
    assert_no_exception(page)
