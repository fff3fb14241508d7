"""Presenter mode on every page: present=1 in a link turns it on, the sidebar toggle says so, and
the page's own URL keeps it."""

import pytest

from ui import nav

from .helpers import open_app

PAGE_PATHS = [None, *(page.path for page in nav.available_pages())]


@pytest.mark.parametrize("page", PAGE_PATHS)
def test_a_present_link_turns_presenter_mode_on_and_the_url_keeps_it(page):
    at = open_app(page, present=1)
    assert at.toggle(key="present").value is True
    if page is not None:  # the home page publishes nothing
        assert at.query_params["present"] == "1"


@pytest.mark.parametrize("page", PAGE_PATHS)
def test_without_the_link_presenter_mode_is_off_and_stays_out_of_the_url(page):
    at = open_app(page)
    assert at.toggle(key="present").value is False
    assert "present" not in at.query_params
