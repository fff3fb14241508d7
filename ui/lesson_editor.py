"""Authoring on the Lessons page: edit the draft's current step (text, question), reorder and
delete steps, and move the lesson in and out as a link or a Markdown file."""

from __future__ import annotations

from urllib.parse import urlencode, urljoin

import streamlit as st

from page_models.course.answers import ANSWERS
from page_models.course.lesson import (
    Lesson,
    LessonError,
    Question,
    format_markdown,
    pack,
    parse_markdown,
)
from page_models.course.page import DRAFT, LESSONS_PAGE, move_step, remove_step, replace_step
from page_models.course.views import page_url_path
from ui.lesson_draft import draft, set_draft

REVISION = "app.lesson_revision"  # bumped on every edit, so the editor's fields start afresh


def _commit(lesson: Lesson | None, step: int | None = None) -> None:
    set_draft(lesson)
    st.session_state[REVISION] = st.session_state.get(REVISION, 0) + 1
    if step is not None:
        st.session_state.step = step


def step_editor(index: int) -> None:
    """A form for step `index` (from 0) of the draft, and buttons to move or delete it."""
    lesson = draft()
    step, n = lesson.steps[index], len(lesson.steps)
    rev = f"{st.session_state.get(REVISION, 0)}_{index}"
    kinds = [k for k, kind in ANSWERS.items() if kind.page == step.page]
    q = step.question
    with st.form(f"edit_step_{rev}", border=True):
        lesson_title = st.text_input("Lesson title", lesson.title)
        title = st.text_input("Step title", step.title)
        text = st.text_area("Text (Markdown, $LaTeX$)", step.text, height=150)
        ask = st.toggle("Ask a question", q is not None)
        kind_col, args_col, tol_col = st.columns([2, 2, 1])
        old_kind, _, old_args = (q.answer.partition(" ") if q else ("", "", ""))
        kind = kind_col.selectbox("Answer computed by the engine", kinds,
                                  index=kinds.index(old_kind) if old_kind in kinds else 0,
                                  format_func=lambda k: f"{k}: {ANSWERS[k].what}")
        args = args_col.text_input("Its arguments", old_args, placeholder="wrt=w1")
        tolerance = tol_col.number_input("Tolerance", 0.0, value=q.tolerance if q else 1e-3,
                                         format="%g")
        prompt = st.text_area("Question (Markdown)", q.prompt if q else "", height=70)
        choices = st.text_area("Choices, one per line (empty: the answer is a number)",
                               "\n".join(q.choices) if q else "", height=70)
        explanation = st.text_area("Explanation", q.explanation if q else "", height=70)
        if st.form_submit_button("Save this step", icon=":material/save:"):
            try:
                question = Question(prompt, f"{kind} {args}".strip(),
                                    tuple(c for c in choices.split("\n") if c.strip()),
                                    tolerance, explanation) if ask else None
                edited = replace_step(lesson, index, title, text, question)
                _commit(Lesson(edited.key, lesson_title, edited.steps))
                st.rerun()
            except LessonError as err:
                st.error(str(err), icon=":material/error:")
    earlier, later, delete = st.columns(3)
    earlier.button("Move earlier", icon=":material/arrow_upward:", disabled=index == 0,
                   on_click=lambda: _commit(move_step(lesson, index, -1), index))
    later.button("Move later", icon=":material/arrow_downward:", disabled=index == n - 1,
                 on_click=lambda: _commit(move_step(lesson, index, 1), index + 2))
    delete.button("Delete this step", icon=":material/delete:",
                  on_click=lambda: _commit(remove_step(lesson, index), max(index, 1)))


def share_and_files(lesson: Lesson | None) -> None:
    """The draft as a link and as a Markdown file; a Markdown file read back into the draft."""
    if lesson is not None:
        try:
            query = urlencode({"lesson": DRAFT, "packed": pack(lesson)})
            st.caption("A link to this lesson (it carries the whole lesson):")
            st.code(urljoin(st.context.url or "/", f"{page_url_path(LESSONS_PAGE)}?"
                            f"{query}"), language=None, wrap_lines=True)
        except LessonError as err:
            st.warning(str(err), icon=":material/link_off:")
        st.download_button("Download as Markdown", format_markdown(lesson),
                           file_name=f"{lesson.key}.md", mime="text/markdown",
                           icon=":material/download:")
    st.file_uploader("Open a lesson file (.md)", type=["md"], key="lesson_upload",
                     max_upload_size=1, on_change=_open_upload)
    if error := st.session_state.pop("lesson_upload_error", None):
        st.error(error, icon=":material/error:")


def _open_upload() -> None:
    """Read an uploaded Markdown file into the draft, and show it (a widget callback)."""
    upload = st.session_state.lesson_upload
    if upload is None:
        return
    try:
        opened = parse_markdown(upload.getvalue().decode("utf-8"))
    except (LessonError, UnicodeDecodeError) as err:
        st.session_state.lesson_upload_error = f"{upload.name}: {err}"
        return
    _commit(opened, 1)
    st.session_state.lesson = DRAFT
