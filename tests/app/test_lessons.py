"""The Lessons page through streamlit.testing: every built-in step opens, Next/Back move, the
answer is revealed, hostile links are explained, and an authored lesson goes from a page's
"Add this view" to a share link and back."""

import pytest

from page_models.course.answers import solve
from page_models.course.lesson import (
    Lesson,
    Step,
    builtin_lessons,
    format_markdown,
    pack,
    parse_markdown,
    unpack,
)
from page_models.course.page import LESSONS_PAGE
from page_models.course.views import PARAM_TABLES
from page_models.url import encode
from ui.lesson_draft import DRAFT_KEY

from .helpers import open_app, run

LESSONS = builtin_lessons()


def counter(at) -> str:
    return next(m.value for m in at.markdown if m.value.startswith("Step **"))


def texts(at) -> str:
    return "\n".join(e.value for e in (*at.markdown, *at.info, *at.warning, *at.error,
                                       *at.success))


@pytest.mark.parametrize("key", list(LESSONS))
def test_every_step_of_every_lesson_opens(key):
    lesson = LESSONS[key]
    at = open_app(LESSONS_PAGE, lesson=key)
    for number, step in enumerate(lesson.steps, 1):
        assert counter(at) == f"Step **{number}** of {len(lesson.steps)}"
        assert param(at, "step") == (str(number) if number > 1 else None)
        assert f"## {step.title}" in texts(at)
        if step.question is not None:
            assert "has no answer here" not in texts(at)
            click(at, f"reveal_{key}-{number}")
            assert f"**Answer:** {shown_answer(step)} (computed" in texts(at)
        if number < len(lesson.steps):
            click(at, "lesson_next")
    assert at.button(key="lesson_next").disabled


def click(at, key: str):
    at.button(key=key).click()
    return run(at)


def param(at, name: str) -> str | None:
    """The value of a URL param of the app under test (None if absent)."""
    value = at.query_params.get(name)
    return value[0] if isinstance(value, list) else value


def labelled(widgets, label: str):
    return next(w for w in widgets if w.label == label)


def shown_answer(step) -> str:
    solution = solve(step)
    return step.question.choices[solution.choice] if step.question.choices else solution.text


def test_a_step_opens_directly_and_back_moves_to_the_previous_one():
    at = open_app(LESSONS_PAGE, lesson="chain-rule", step=2)
    assert counter(at) == "Step **2** of 4"
    click(at, "lesson_back")
    assert counter(at) == "Step **1** of 4"
    assert at.button(key="lesson_back").disabled


def test_a_typed_answer_is_judged_when_revealed():
    at = open_app(LESSONS_PAGE, lesson="chain-rule", step=4)  # ∂z/∂x = 4
    at.number_input(key="guess_chain-rule-4").set_value(4.0)
    click(at, "reveal_chain-rule-4")
    assert "Yours is right." in texts(at)
    at.number_input(key="guess_chain-rule-4").set_value(3.0)
    run(at)
    assert "Yours is not" in texts(at)


@pytest.mark.parametrize(("query", "message"), [
    ({"lesson": "no-such-lesson"}, "There is no lesson named ‘no-such-lesson’"),
    ({"lesson": "draft"}, "Your own lesson has no steps yet"),
    ({"lesson": "draft", "packed": "garbage!!"}, "This lesson link is damaged"),
    ({"lesson": "draft", "packed": "A" * 20_000}, "at most 12,000 are accepted"),
    ({"lesson": "sgd", "step": "99"}, None),
])
def test_hostile_links_are_explained(query, message):
    """Unreadable or unknown parts of a link are said on the page; the page still works."""
    at = open_app(LESSONS_PAGE, **query)
    if message:
        assert message in texts(at)
    assert counter(at).startswith("Step **")


def test_author_a_lesson_from_a_page_and_share_it():
    at = open_app("pages/1_Expression_Graph.py")
    labelled(at.sidebar.button, "Add this view to my lesson").click()
    run(at)
    draft = at.session_state[DRAFT_KEY]
    assert [s.page for s in draft.steps] == ["pages/1_Expression_Graph.py"]
    assert {"src", "vals", "seed"} <= set(draft.steps[0].query)

    at.switch_page(LESSONS_PAGE)
    at.query_params["lesson"] = "draft"
    run(at)
    assert counter(at) == "Step **1** of 1"
    at.toggle(key="edit").set_value(True)
    run(at)
    labelled(at.text_input, "Step title").set_value("The neuron's gradient")
    labelled(at.text_area, "Text (Markdown, $LaTeX$)").set_value("Press **Play**.")
    labelled(at.toggle, "Ask a question").set_value(True)
    labelled(at.text_input, "Its arguments").set_value("wrt=w1")
    labelled(at.text_area, "Question (Markdown)").set_value("What is $y$?")
    labelled(at.button, "Save this step").click()
    run(at)
    step = at.session_state[DRAFT_KEY].steps[0]
    assert (step.title, step.text, step.question.answer) == ("The neuron's gradient",
                                                             "Press **Play**.", "grad wrt=w1")
    assert "**Answer:**" not in texts(at) and "has no answer here" not in texts(at)

    shared = unpack(param(at, "packed"))
    assert shared == at.session_state[DRAFT_KEY]
    assert parse_markdown(format_markdown(shared)) == shared

    fresh = open_app(LESSONS_PAGE, lesson="draft", packed=param(at, "packed"))
    assert "## The neuron's gradient" in texts(fresh)


@pytest.mark.parametrize("path", list(PARAM_TABLES), ids=lambda path: path[6:-3])
def test_every_page_adds_its_whole_view_to_the_draft(path):
    """The step holds every param the page declares, each as the page reads it back."""
    at = open_app(path)
    labelled(at.sidebar.button, "Add this view to my lesson").click()
    run(at)
    (step,) = at.session_state[DRAFT_KEY].steps
    table = PARAM_TABLES[path]
    assert step.page == path and set(step.query) == set(table)
    assert all(encode(table[name].parse(text)) == text for name, text in step.query.items())
    assert not at.exception


def test_a_builtin_lesson_can_be_copied_into_the_draft():
    at = open_app(LESSONS_PAGE, lesson="adam", step=2)
    labelled(at.button, "Edit a copy of this lesson").click()
    run(at)
    assert at.session_state[DRAFT_KEY] == LESSONS["adam"]
    assert param(at, "lesson") == "draft" and param(at, "edit") == "1"
    assert unpack(param(at, "packed")) == LESSONS["adam"]
    assert labelled(at.text_input, "Step title").value == LESSONS["adam"].steps[1].title


def test_a_step_showing_a_page_the_app_lacks_says_so():
    lesson = Lesson("x", "X", (Step("Nowhere", "pages/9_Nowhere.py", {"a": "1"}, "Text."),))
    at = open_app(LESSONS_PAGE, lesson="draft", packed=pack(lesson))
    assert "This step shows pages/9_Nowhere.py, a page this app does not have." in texts(at)


VIEWS = sorted({(step.page, tuple(sorted(step.query.items())))
                for lesson in LESSONS.values() for step in lesson.steps})


@pytest.mark.parametrize("view", VIEWS, ids=lambda v: f"{v[0][6:-3]}:{dict(v[1])}"[:80])
def test_every_steps_view_opens_on_its_page_without_an_error(view):
    """No exception, no cap exceeded, and no error but the one the matrices lesson shows on
    purpose (shapes that do not fit)."""
    page, query = view
    at = open_app(page, **dict(query))
    errors = [e.value for e in at.error]
    assert all("inner dimensions 3 and 2 differ" in e for e in errors), errors
    assert not any("link asks for more than the caps allow" in e.value for e in at.info)


def view_src(at) -> str:
    """The address of the step's view (its iframe)."""
    def walk(node):
        yield node
        children = getattr(node, "children", None)
        for child in children.values() if isinstance(children, dict) else ():
            yield from walk(child)

    return next(str(e.proto.src) for e in walk(at._tree) if getattr(e, "type", "") == "iframe")


def test_a_question_opens_its_view_with_the_numbers_hidden_until_reveal():
    at = open_app(LESSONS_PAGE, lesson="softmax-sampling")
    assert view_src(at).endswith("&embed=true&hide=1")
    click(at, "reveal_softmax-sampling-1")
    assert "hide" not in view_src(at)
