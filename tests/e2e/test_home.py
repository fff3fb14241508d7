"""The home page in a real browser."""

from ui.nav import available_pages

from .helpers import assert_no_console_errors, assert_no_exception, open_page

SCREENSHOT = "/tmp/backprop_playground_home.png"


def test_home_renders(page, base_url, console_errors):
    open_page(page, base_url)

    assert page.locator("h1", has_text="Backprop Playground").first.is_visible()
    assert "Backprop Playground" in page.title()
    assert page.get_by_text("What you can do here").is_visible()
    assert_no_exception(page)
    assert_no_console_errors(console_errors)
    page.screenshot(path=SCREENSHOT)


def test_sidebar_menu_is_ours(page, base_url):
    open_page(page, base_url)

    sidebar = page.locator("[data-testid='stSidebar']")
    assert sidebar.get_by_text("Backprop Playground").is_visible()
    # ui/nav.py links home and every page file that exists (no menu while there is none).
    pages = available_pages()
    assert sidebar.get_by_role("link", name="Home").count() == (1 if pages else 0)
    for info in pages:
        assert sidebar.get_by_role("link", name=info.label).count() == 1
        card = page.locator("[data-testid='stMain']").get_by_role("link", name=info.label)
        assert card.count() == 1
    # Streamlit's automatic pages menu is hidden by .streamlit/config.toml.
    assert page.locator("[data-testid='stSidebarNav']").count() == 0
