"""The Lessons page's model: its URL state, the address of a step's view, and the edits an author
makes to a draft lesson (pure functions from lesson to lesson)."""

from __future__ import annotations

from collections.abc import Mapping
from urllib.parse import urlencode

from page_models.course.lesson import COURSE, MAX_LINK_CHARS, MAX_STEPS, Lesson, Question, Step
from page_models.course.views import page_params, page_url_path
from page_models.url import Param

__all__ = ["DRAFT", "LESSONS_PAGE", "PARAMS", "add_step", "move_step", "remove_step",
           "replace_step", "step_within", "view_address"]

LESSONS_PAGE = "pages/5_Lessons.py"
DRAFT = "draft"  # ?lesson=draft: the author's own lesson (in the session, and in ?packed=…)
NEW_LESSON_KEY, NEW_LESSON_TITLE = "my-lesson", "My lesson"

PARAMS = {
    "lesson": Param(COURSE[0], max_len=40),
    "step": Param(1, lo=1, hi=MAX_STEPS),
    "packed": Param("", max_len=MAX_LINK_CHARS),
    "edit": Param(False),
}


def step_within(lesson: Lesson, number: int) -> int:
    """`number` moved into the lesson's steps, 1 … len(steps)."""
    return min(max(number, 1), len(lesson.steps))


HIDE = "hide"  # the URL param of a page that can hide the numbers a question asks for


def view_address(step: Step, present: bool = False, hide_answer: bool = False) -> str:
    """The step's view below the app's root, embedded (no toolbar): "Expression_Graph?src=…".
    With `hide_answer` (a question not yet revealed) a page that can hides the numbers it asks
    for (?hide=1)."""
    query: dict[str, str] = {**step.query, "embed": "true"}
    if present:
        query["present"] = "1"
    if hide_answer and step.question is not None and HIDE in page_params(step.page):
        query[HIDE] = "1"
    return f"{page_url_path(step.page)}?{urlencode(query)}"


def add_step(draft: Lesson | None, page: str, query: Mapping[str, str], title: str) -> Lesson:
    """The draft with one more step showing `page` with `query` (a new draft if there is none)."""
    step = Step(title, page, dict(query))
    if draft is None:
        return Lesson(NEW_LESSON_KEY, NEW_LESSON_TITLE, (step,))
    return draft.with_steps((*draft.steps, step))


def replace_step(lesson: Lesson, index: int, title: str, text: str,
                 question: Question | None) -> Lesson:
    """The lesson with step `index` (from 0) retitled, rewritten and given `question`."""
    old = lesson.steps[index]
    new = Step(title, old.page, old.query, text, question)
    return lesson.with_steps((*lesson.steps[:index], new, *lesson.steps[index + 1:]))


def move_step(lesson: Lesson, index: int, delta: int) -> Lesson:
    """The lesson with step `index` moved `delta` places (kept within the lesson)."""
    steps = list(lesson.steps)
    target = min(max(index + delta, 0), len(steps) - 1)
    steps.insert(target, steps.pop(index))
    return lesson.with_steps(steps)


def remove_step(lesson: Lesson, index: int) -> Lesson | None:
    """The lesson without step `index`; None once no step is left."""
    steps = lesson.steps[:index] + lesson.steps[index + 1:]
    return lesson.with_steps(steps) if steps else None
