"""The author's draft lesson (kept in st.session_state) and "Add this view to my lesson", which
page_header draws in every page's sidebar.

The step saved is what the page shows: its params as the server has them, with each player's
position (the graph player's frame, the live player's epoch, the surface player's step) as the
browser shows it. The players keep their position in the browser (playing and stepping never
rerun the script), so a small component beside the button (`_positions`) reports the positions
of the page's players (the player core's registry, window.__bpPlayers) the moment the button is
clicked, before the button's own run reads them.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import streamlit as st

from page_models.course.lesson import Lesson, LessonError
from page_models.course.page import DRAFT, LESSONS_PAGE, add_step
from page_models.course.views import PARAM_TABLES, page_params
from page_models.url import encode
from ui.state import current

DRAFT_KEY = "app.lesson_draft"  # app-wide (ui.state): views are added from every page
ADD_KEY = "add_view"  # the button's key: its element has the class st-key-add_view
POSITIONS_KEY = "view_positions"

_POSITIONS_JS = """
export default function ({ setStateValue, data }) {
  window.__bpReportPositions = setStateValue;  // this run's
  if (window.__bpAddWatched) return;
  window.__bpAddWatched = true;
  window.addEventListener("click", (event) => {  // capture: before the button's own click
    if (!event.target.closest || !event.target.closest(`.st-key-${data.button} button`)) return;
    const players = window.__bpPlayers;
    window.__bpReportPositions("at", players ? players.positions() : {});
  }, true);
}
"""
_positions = st.components.v2.component("view_positions", js=_POSITIONS_JS)


def draft() -> Lesson | None:
    return st.session_state.get(DRAFT_KEY)


def set_draft(lesson: Lesson | None) -> None:
    st.session_state[DRAFT_KEY] = lesson


def view_query(path: str, state: Mapping[str, Any], shown: Mapping[str, Any]) -> dict[str, str]:
    """Page `path`'s full query (every param, defaults too, so questions can read them) from the
    server's values `state`, with the positions the browser `shown` (each read as its param
    reads a URL value: a bad one falls back to the default) in place of the server's."""
    table = PARAM_TABLES[path]
    query = {name: encode(state[name]) for name in sorted(table) if name in state}
    for name, value in shown.items():
        if name in table:
            query[name] = encode(table[name].parse(str(value)))
    return query


def _add_view(path: str, label: str) -> None:
    reported = st.session_state.get(POSITIONS_KEY)
    shown = reported.get("at") if reported else None
    query = view_query(path, current(PARAM_TABLES[path]), shown if isinstance(shown, dict) else {})
    try:
        set_draft(add_step(draft(), path, query, f"{label} view"))
    except LessonError as err:
        st.toast(str(err), icon=":material/error:")
        return
    st.toast(f"Added as step {len(draft().steps)} of your lesson.", icon=":material/school:")


def add_view_button(path: str, label: str) -> None:
    """In the sidebar of a page with URL state: add its current view to the draft lesson."""
    if path == LESSONS_PAGE or not page_params(path):
        return
    with st.sidebar:
        with st.container(gap=None):  # the reporter draws nothing: no gap for it
            st.button("Add this view to my lesson", key=ADD_KEY,
                      icon=":material/playlist_add:",
                      on_click=_add_view, args=(path, label), width="stretch",
                      help="Adds what this page shows now as a step of your own lesson; write "
                      "its text and question on the Lessons page.")
            _positions(key=POSITIONS_KEY, data={"button": ADD_KEY}, on_at_change=lambda: None)
        if draft() is not None:
            n = len(draft().steps)
            st.page_link(LESSONS_PAGE, label=f"Open my lesson ({n} step{'s' * (n != 1)})",
                         icon=":material/school:", query_params={"lesson": DRAFT})
