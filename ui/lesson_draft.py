"""The author's draft lesson (kept in st.session_state) and "Add this view to my lesson", which
page_header draws in every page's sidebar."""

from __future__ import annotations

import streamlit as st

from page_models.course.lesson import Lesson, LessonError
from page_models.course.page import DRAFT, LESSONS_PAGE, add_step
from page_models.course.views import page_params
from page_models.url import encode

DRAFT_KEY = "app.lesson_draft"  # app-wide (ui.state): views are added from every page


def draft() -> Lesson | None:
    return st.session_state.get(DRAFT_KEY)


def set_draft(lesson: Lesson | None) -> None:
    st.session_state[DRAFT_KEY] = lesson


def _add_view(path: str, label: str) -> None:
    """The page's full state (every param, defaults too, so questions can read them) as a step."""
    names = sorted(page_params(path))
    query = {name: encode(st.session_state[name]) for name in names if name in st.session_state}
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
        st.button("Add this view to my lesson", icon=":material/playlist_add:",
                  on_click=_add_view, args=(path, label), width="stretch",
                  help="Adds what this page shows now as a step of your own lesson; write its "
                  "text and question on the Lessons page.")
        if draft() is not None:
            n = len(draft().steps)
            st.page_link(LESSONS_PAGE, label=f"Open my lesson ({n} step{'s' * (n != 1)})",
                         icon=":material/school:", query_params={"lesson": DRAFT})
