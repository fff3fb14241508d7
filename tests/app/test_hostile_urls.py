"""A hostile link never breaks a page: every URL param gets junk, the page still runs cleanly."""

import pytest

from ui.nav import PAGES

from .helpers import open_app

JUNK = ["nan", "inf", "-1e309", "", "-0", "1,2,,x", "'; DROP TABLE", "\x00\u202e", "9" * 5000]


def url_params(page: str) -> list[str]:
    """The names the page binds to its URL (ui.state.bind puts each into session state)."""
    at = open_app(page)
    return [key for key in at.session_state.keys() if not key.startswith("_")]


@pytest.mark.parametrize("page", [p.path for p in PAGES])
@pytest.mark.parametrize("junk", JUNK, ids=range(len(JUNK)))
def test_junk_in_every_url_param(page, junk):
    names = url_params(page)
    assert names, "the page binds no state to its URL"
    at = open_app(page, **{name: junk for name in names})
    assert not at.exception
