"""Open the app's pages through streamlit.testing, as a visitor following a link would."""

from pathlib import Path

from streamlit.testing.v1 import AppTest

REPO_ROOT = Path(__file__).resolve().parents[2]
APP = str(REPO_ROOT / "app.py")  # AppTest.from_file resolves relative paths against the test file


def open_app(page: str | None = None, **query) -> AppTest:
    """Run app.py, switched to `page` (e.g. "pages/3_Optimizer_Lab.py") with `query` in the URL.

    A page is reached through the entrypoint, as in the browser: `st.page_link("app.py")` fails
    when the page itself is the entrypoint.
    """
    at = AppTest.from_file(APP, default_timeout=120)
    if page is not None:
        at.switch_page(page)
    for name, value in query.items():
        at.query_params[name] = str(value)
    return run(at)


def run(at: AppTest) -> AppTest:
    """Rerun after widget changes; the page must not raise."""
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def player_element(at: AppTest, name: str = "player"):
    """The page's one player whose component name ends in `name` ("live_player": the Network
    Builder's, beside its graph players; the page's other components, e.g. ui.nav's, are not
    players)."""
    (element,) = [e for e in at.get("bidi_component") if e.proto.component_name.endswith(name)]
    return element
