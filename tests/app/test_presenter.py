"""Presenter mode on every page: present=1 in a link turns it on, the sidebar toggle says so, and
the page's own URL keeps it."""

import json

import pytest

from ui import nav
from viz.presenter import LINE_SCALE, TYPE_SCALE

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


OPTIMIZER_LAB = "pages/3_Optimizer_Lab.py"  # loss curves; Building Blocks opens on a bar chart


@pytest.mark.parametrize("page", [OPTIMIZER_LAB, "pages/4_Building_Blocks.py"])
def test_presenter_mode_draws_the_main_chart_with_larger_type_and_thicker_lines(page):
    def main_chart(at):
        spec = json.loads(at.get("plotly_chart")[0].proto.spec)
        widths = [t["line"]["width"] for t in spec["data"] if t.get("line", {}).get("width")]
        return spec["layout"]["font"]["size"], max(widths, default=1)  # bars have no lines

    (size, width), (big_size, big_width) = main_chart(open_app(page)), main_chart(
        open_app(page, present=1))
    assert big_size == pytest.approx(size * TYPE_SCALE)
    assert big_width == pytest.approx(width * (LINE_SCALE if page == OPTIMIZER_LAB else 1))
