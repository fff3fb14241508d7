"""Lessons: guided tours through the playground, one step at a time, each step a live view of a
page beside its text and question.

The URL holds the state: ?lesson=<key>&step=<k> opens a step of the built-in course;
?lesson=draft&packed=<…> carries a whole authored lesson (a share link); present=1 is presenter
mode; edit=1 shows the editor of the draft.
"""

import streamlit as st

from ui.process import set_up_process

set_up_process()  # first, before the app's own imports: see ui.process, "One importer"
from page_models.course.lesson import COURSE, LessonError, builtin_lessons, pack, unpack
from page_models.course.page import DRAFT, PARAMS, step_within
from ui.lesson_browser import lesson_browser
from ui.lesson_draft import draft, set_draft
from ui.lesson_editor import share_and_files, step_editor
from ui.lesson_step import show_step, view_url
from ui.nav import page_header, presenting
from ui.state import bind, explain_link, publish

# On a phone the controls take two rows (the lesson; Back, the counter, Next), the step's view
# comes first and its text follows; in presenter mode (ui.nav) fractions need room.
PHONE_CSS = """@media (max-width: 640px) {
  .st-key-lesson-controls [data-testid="stHorizontalBlock"] { flex-wrap: wrap; gap: 0.5rem; }
  .st-key-lesson-controls [data-testid="stColumn"] { flex: 1 1 0; min-width: 0; }
  .st-key-lesson-controls [data-testid="stColumn"]:first-child { flex: 1 1 100%; }
  .st-key-lesson-controls [data-testid="stColumn"]:nth-child(n+5) { display: none; }
  .st-key-main-visual [data-testid="stHorizontalBlock"] { flex-direction: column-reverse; } }"""
TOUCH_CSS = """@media (pointer: coarse) {
  .st-key-lesson-controls [data-testid="stHorizontalBlock"] { flex-wrap: nowrap; }
  .st-key-lesson-controls [data-testid="stColumn"] { min-width: 0; }
  .st-key-lesson-controls [data-testid="stColumn"]:nth-child(n+5) { flex: 0 0 auto;
    width: auto; min-width: 44px; } }"""  # ↗ and ? keep their 44 px on a tablet, in the row
STEP_CSS = ".st-key-main-visual h2 { font-size: 1.2rem; padding-top: 0; }"  # the step's title
PRESENTER_CSS = '[data-testid="stMarkdownContainer"] p { line-height: 2; }'
state = st.session_state
PACKED_READ = "app.packed_read"  # app-wide (ui.state): the draft it made outlives a tour

page_header("pages/5_Lessons.py")
bind(PARAMS)
explain_link(PARAMS)
COURSE_LESSONS = builtin_lessons()

# ---- which lesson: a shared link's, the author's draft, or one of the course -------------------
link = st.query_params.get("packed")  # read as sent: a link too long for the param is said so
if link and not state.get(PACKED_READ):
    state[PACKED_READ] = True  # a link is read once per session; the draft then lives here
    try:
        set_draft(unpack(link))
        state.lesson = DRAFT
    except LessonError as err:
        st.error(str(err), icon=":material/link_off:")
lessons = {**({DRAFT: draft()} if draft() is not None else {}), **COURSE_LESSONS}
if state.lesson not in lessons:
    if state.lesson == DRAFT:
        st.info("Your own lesson has no steps yet: open any page and press **Add this view to "
                "my lesson** in its sidebar.", icon=":material/playlist_add:")
    else:
        st.warning(f"There is no lesson named ‘{state.lesson[:40]}’; the course has: "
                   f"{', '.join(COURSE)}.", icon=":material/search_off:")
    state.lesson = COURSE[0]
lesson = lessons[state.lesson]
state.step = step_within(lesson, state.step)


def move(delta: int) -> None:
    state.step = step_within(lessons[state.lesson], state.step + delta)
    state.pop("revealed", None)


def copy_to_draft() -> None:
    set_draft(lessons[state.lesson])
    state.lesson, state.edit = DRAFT, True


# ---- the controls: lesson, Back, counter, Next, keys ------------------------------------------
pick, back, counter, forward, open_view, keys = st.container(key="lesson-controls").columns(
    [9, 4, 4, 4, 1, 1], vertical_alignment="center")
pick.selectbox("Lesson", list(lessons), key="lesson", label_visibility="collapsed",
               format_func=lambda k: f"✎ {lessons[k].title}" if k == DRAFT else lessons[k].title,
               on_change=lambda: state.update(step=1, revealed=None))
back.button("Back", icon=":material/arrow_back:", width="stretch", disabled=state.step == 1,
            on_click=move, args=(-1,), key="lesson_back")
counter.container(key="lesson-counter", horizontal_alignment="center").markdown(
    f"Step **{state.step}** of {len(lesson.steps)}")
forward.button("Next", icon=":material/arrow_forward:", width="stretch",
               disabled=state.step == len(lesson.steps), on_click=move, args=(1,),
               key="lesson_next")
with keys:  # the ? button and the lesson's keys (Home: the first step)
    lesson_browser(move, lambda: move(1 - state.step))

st.html(f"<style>{STEP_CSS}{TOUCH_CSS}{PHONE_CSS}{PRESENTER_CSS if presenting() else ''}</style>")

step = lesson.steps[state.step - 1]
open_view.link_button("", view_url(step, presenting()), icon=":material/open_in_new:",
                 help="Open this view on its own page: full size, and yours to change.")
show_step(step, f"{state.lesson}-{state.step}", presenting())

# ---- authoring ---------------------------------------------------------------------------------
with st.expander("Write your own lesson", icon=":material/edit_note:", expanded=state.edit):
    if state.lesson == DRAFT:
        st.toggle("Edit this step", key="edit")
        if state.edit:
            step_editor(state.step - 1)
    else:
        st.markdown("Press **Add this view to my lesson** in the sidebar of any page to collect "
                    "views as steps; then write each step's text and question here. Or start "
                    "from this lesson:")
        st.button("Edit a copy of this lesson", icon=":material/content_copy:",
                  on_click=copy_to_draft)
    share_and_files(draft() if state.lesson == DRAFT else None)

state.packed = ""
if state.lesson == DRAFT and draft() is not None:
    try:
        state.packed = pack(draft())  # the address bar carries the draft, so a reload keeps it
    except LessonError:
        pass  # too long for a link: the editor says so and offers the Markdown file
publish(PARAMS)
