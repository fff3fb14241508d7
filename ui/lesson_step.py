"""One lesson step on screen: its text and question beside its live view (the page embedded)."""

from __future__ import annotations

from urllib.parse import urljoin

import streamlit as st

from page_models.course.answers import is_right, solve
from page_models.course.lesson import LessonError, Step
from page_models.course.page import view_address
from ui.lesson_browser import VIEW_TITLE
from ui.nav import available_pages

VIEW_HEIGHT = {False: 500, True: 540}  # px, by presenter mode: the view fits a 1280×720 screen


def view_url(step: Step, present: bool, hide_answer: bool = False) -> str:
    """The view's address in this app (relative to the page's own address)."""
    return urljoin(st.context.url or "/", view_address(step, present, hide_answer))


def show_step(step: Step, where: str, present: bool) -> None:
    """The step's text and question (left) beside its view (right), in the main-visual box.
    `where` names the step uniquely (lesson and number), for its widgets' keys."""
    url = view_url(step, present, hide_answer=st.session_state.get("revealed") != where)
    known = any(page.path == step.page for page in available_pages())
    with st.container(key="main-visual"):
        text, view = st.columns([2, 3], gap="medium")
        with text, st.container(height=VIEW_HEIGHT[present], border=False):
            st.markdown(f"## {step.title}")  # h2 under the page title (styled small)
            st.markdown(step.text)
            if step.question is not None:
                show_question(step, where)
        with view:
            if not known:
                st.warning(f"This step shows {step.page}, a page this app does not have.",
                           icon=":material/web_asset_off:")
                return
            st.iframe(url, height=VIEW_HEIGHT[present], alt=f"{VIEW_TITLE}: {step.title}")


def show_question(step: Step, where: str) -> None:
    """The question, an answer field, and Reveal: the engine's answer and the explanation."""
    question = step.question
    st.markdown(f"**Question.** {question.prompt}")
    try:
        solution = solve(step)
    except LessonError as err:
        st.warning(f"This question has no answer here: {err}", icon=":material/help:")
        return
    if question.choices:
        guess = st.radio("Your answer", range(len(question.choices)), index=None,
                         format_func=question.choices.__getitem__, key=f"pick_{where}")
    else:
        guess = st.number_input("Your answer", value=None, step=None, format="%g",
                                key=f"guess_{where}", placeholder="Type a number")
    revealed = st.session_state.get("revealed") == where
    st.button("Reveal the answer", key=f"reveal_{where}", disabled=revealed,
              icon=":material/visibility:", on_click=st.session_state.__setitem__,
              args=("revealed", where))
    if not revealed:
        return
    answer = question.choices[solution.choice] if question.choices else solution.text
    verdict = ""
    if guess is not None:
        verdict = " Yours is right." if is_right(question, solution, guess) else \
            " Yours is not: compare them."
    st.success(f"**Answer:** {answer} (computed by the engine from this view).{verdict}",
               icon=":material/check_circle:")
    if question.explanation:
        st.markdown(question.explanation)
