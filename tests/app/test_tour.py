"""One session moving between pages, as a visitor does through the sidebar menu: no page
crashes on what another left behind, no setting leaks from one page to another, and every page
is as its visitor left it when they come back."""

from streamlit.testing.v1 import AppTest

from page_models import expression_graph, network_builder, optimizer_lab
from page_models.building_blocks import PARAMS as BLOCKS_PARAMS
from page_models.course import page as course_page
from tests.tour import PAGE_PATHS, every_move

from .helpers import APP, run

# Each page's own non-default settings, set through its widgets: (widget kind, key, value).
# Two pages use "seed" and "noise" with other meanings, so a leak shows as a wrong value.
SETTINGS = {
    "pages/1_Expression_Graph.py": [("number_input", "seed", 7)],
    "pages/2_Network_Builder.py": [("select_slider", "noise", 0.3), ("number_input", "seed", 5),
                                   ("toggle", "nb_show_grads", True)],
    "pages/3_Optimizer_Lab.py": [("slider", "noise", 0.5), ("slider", "val", 0.3)],
    "pages/4_Building_Blocks.py": [("slider", "sm_temp", 2.0)],
}
DEFAULTS = {
    "pages/1_Expression_Graph.py": expression_graph.PARAMS,
    "pages/2_Network_Builder.py": {**network_builder.PARAMS, "nb_show_grads": False},
    "pages/3_Optimizer_Lab.py": optimizer_lab.PARAMS,
    "pages/4_Building_Blocks.py": BLOCKS_PARAMS | {"sm_temp": 1.0},
}


def _default(page: str, key: str):
    value = DEFAULTS[page][key]
    return getattr(value, "default", value)


def _widget(at: AppTest, kind: str, key: str):
    return getattr(at, kind)(key=key)


def _ok(at: AppTest) -> None:
    assert not at.exception, [e.value for e in at.exception]


def _go(at: AppTest, page: str) -> AppTest:
    """Follow the sidebar's link to `page`: the address bar loses the last page's params."""
    at.switch_page(page)
    for name in list(at.query_params):
        del at.query_params[name]
    return run(at)


def test_a_tour_of_every_ordered_pair_of_pages_keeps_each_pages_own_settings():
    at = AppTest.from_file(APP, default_timeout=120)
    run(at)
    visited: set[str] = set()
    for page in every_move()[1:]:
        _go(at, page)
        settings = SETTINGS.get(page, [])
        for kind, key, value in settings:
            expected = value if page in visited else _default(page, key)
            assert _widget(at, kind, key).value == expected, (page, key)
        if page == "pages/5_Lessons.py":
            step = at.session_state["step"]
            assert step == (2 if page in visited else course_page.PARAMS["step"].default)
            if page not in visited:
                _ok(at.button(key="lesson_next").click().run())
        elif page not in visited:
            for kind, key, value in settings:
                _ok(_widget(at, kind, key).set_value(value).run())
        visited.add(page)
    assert visited == set(PAGE_PATHS)


def test_a_page_keeps_its_settings_in_its_address_when_the_visitor_comes_back():
    at = AppTest.from_file(APP, default_timeout=120)
    run(at)
    _go(at, "pages/2_Network_Builder.py")
    _ok(at.number_input(key="seed").set_value(5).run())
    assert at.query_params["seed"] == "5"
    _go(at, "pages/1_Expression_Graph.py")
    assert "seed" not in at.query_params  # the Expression Graph's own seed is its default
    _go(at, "pages/2_Network_Builder.py")
    assert at.query_params["seed"] == "5"
