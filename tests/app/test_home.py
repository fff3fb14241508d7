"""The home page through streamlit.testing (no browser), and the page registry in ui.nav."""


import pytest
from streamlit.testing.v1 import AppTest

from ui import nav

from .helpers import open_app


def run_home() -> AppTest:
    return open_app()


def test_home_runs_and_shows_the_title():
    at = run_home()
    assert [t.value for t in at.title] == ["Backprop Playground"]
    text = " ".join(m.value for m in at.markdown)
    assert "computation graph" in text
    assert "Adam" in text


def test_home_has_a_card_for_every_registered_page():
    at = run_home()
    shown = " ".join(m.value for m in at.markdown) + " ".join(c.value for c in at.caption)
    for page in nav.PAGES:
        assert page.description in shown


def test_registry_paths_follow_the_pages_folder_convention():
    assert nav.HOME.path == "app.py" and nav.HOME.exists()
    paths = [p.path for p in nav.PAGES]
    assert len(set(paths)) == len(paths)
    for page in nav.PAGES:
        assert page.path.startswith("pages/") and page.path.endswith(".py")
        assert page.label and page.icon and page.description


def test_only_existing_pages_are_available(tmp_path):
    assert nav.available_pages(tmp_path) == []
    second = nav.PAGES[1]
    (tmp_path / second.path).parent.mkdir(parents=True)
    (tmp_path / second.path).write_text("")
    assert nav.available_pages(tmp_path) == [second]


def test_find_page():
    assert nav.find_page("app.py") is nav.HOME
    assert nav.find_page(nav.PAGES[0].path) is nav.PAGES[0]
    with pytest.raises(KeyError, match="register it"):
        nav.find_page("pages/9_Nope.py")
