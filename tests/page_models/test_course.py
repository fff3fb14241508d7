"""Lessons: the built-in course, its engine-computed answers (checked against independent
formulas), the Markdown format and share links (round trips, hostile input), and the draft edits."""

import base64
import math
import statistics
import zlib

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from engine.expr import build
from page_models.course import (
    COURSE,
    MAX_LINK_CHARS,
    Lesson,
    LessonError,
    Question,
    Step,
    builtin_lessons,
    format_markdown,
    pack,
    parse_markdown,
    unpack,
)
from page_models.course_answers import ANSWERS, Solution, is_right, solve
from page_models.course_page import (
    DRAFT,
    LESSONS_PAGE,
    add_step,
    move_step,
    remove_step,
    replace_step,
    step_within,
    view_address,
)
from page_models.course_views import (
    BUILDING_BLOCKS,
    EXPRESSION_GRAPH,
    NETWORK_BUILDER,
    OPTIMIZER_LAB,
    PARAM_TABLES,
    expression_inputs,
    page_params,
    page_url_path,
)
from page_models.url import encode

LESSONS = builtin_lessons()
STEPS = [(key, n, step) for key, lesson in LESSONS.items()
         for n, step in enumerate(lesson.steps, 1)]
QUESTIONS = [(key, n, step) for key, n, step in STEPS if step.question is not None]
REQUIRED = {"derivatives", "matrices", "softmax-sampling", "cross-entropy", "normalisation",
            "computation-graph", "chain-rule", "jacobians", "gradient-check", "sgd", "momentum",
            "adam", "dropout", "vanishing-gradients"}


def step_id(item) -> str:
    return f"{item[0]}-{item[1]}" if isinstance(item, tuple) else str(item)


# ---- the built-in course ----------------------------------------------------------------------


def test_the_course_has_every_required_lesson_of_3_to_8_steps():
    assert REQUIRED <= set(LESSONS) and list(LESSONS) == list(COURSE)
    assert DRAFT not in LESSONS
    for lesson in LESSONS.values():
        assert 3 <= len(lesson.steps) <= 8, lesson.key
        assert any(step.question for step in lesson.steps), f"{lesson.key} asks nothing"


@pytest.mark.parametrize("item", STEPS, ids=step_id)
def test_every_view_names_a_page_and_only_params_it_declares(item):
    _, _, step = item
    declared = page_params(step.page)
    assert declared, f"{step.page} declares no params (or does not exist)"
    assert set(step.query) <= declared, f"not declared by {step.page}: {set(step.query) - declared}"


@pytest.mark.parametrize("item", STEPS, ids=step_id)
def test_every_view_value_is_one_its_page_reads_as_written(item):
    """A value the page cannot read (or reads out of range) would silently become its default."""
    _, _, step = item
    table = PARAM_TABLES[step.page]
    for name, text in step.query.items():
        assert encode(table[name].parse(text)) == text, f"{name}={text!r}"


@pytest.mark.parametrize("lesson", LESSONS.values(), ids=lambda lesson: lesson.key)
def test_every_builtin_file_is_in_canonical_form_and_round_trips(lesson):
    text = format_markdown(lesson)
    assert parse_markdown(text) == lesson
    assert unpack(pack(lesson)) == lesson


def test_page_params_reads_each_pages_table():
    assert {"src", "vals", "seed"} <= page_params(EXPRESSION_GRAPH)
    assert {"net", "opt", "batch"} <= page_params(NETWORK_BUILDER)
    assert {"view", "kappa", "sopt"} <= page_params(OPTIMIZER_LAB)
    assert {"section", "sm_scores", "mm_m"} <= page_params(BUILDING_BLOCKS)
    assert page_params("pages/9_Nothing.py") == frozenset()


# ---- answers: the engine's value, checked against formulas computed without the engine ---------


def sigmoid(z):
    return 1 / (1 + math.exp(-z))


def finite_difference(step: Step, name: str, index: int) -> float:
    """∂output/∂(element `index` of input `name`) by central differences (no backward pass)."""
    built = build(step.query["src"], expression_inputs(step.query),
                  seed=int(step.query.get("seed", 0)))
    params = built.parameters
    h = 1e-6

    def f(shift):
        moved = []
        for p in params:
            data = p.data.copy()
            if p.name == name:
                data.reshape(-1)[index] += shift
            moved.append(type(p)(data))
        return float(built.evaluate(*moved).data.sum())

    return (f(h) - f(-h)) / (2 * h)


def labelled(text):
    pairs = [part.split() for part in text.split(",")]
    return [p[0] for p in pairs], [float(p[1]) for p in pairs]


def independent_answer(step: Step):
    """The answer from textbook formulas (plain Python), never from the code under test."""
    kind, *parts = step.question.answer.split()
    args = dict(part.split("=") for part in parts)
    q = step.query
    if kind == "grad":
        if step.query["src"].count("W @ x"):  # jacobians: s = sum((W x + b) * g)
            W = np.array([[1, 2], [3, 4], [5, 6]])
            g, x = np.array([1, 0, 2]), np.array([1.0, -1.0])
            return (W.T @ g)[1] if args["wrt"] == "x" else np.outer(g, x).ravel()[5]
        if args["wrt"] == "z" and q["src"].startswith("u = w1"):  # an inner node: σ'(z)
            return sigmoid(-0.25) * (1 - sigmoid(-0.25))
        return finite_difference(step, args["wrt"], int(args.get("at", 0)))
    if kind == "value":
        node = args.get("node")
        known = {("z", "u = w1"): 0.5 * 2 + 1.5 * -1 + 0.25, ("e", "c = a * b"): 24.0,
                 (None, "u = w1"): sigmoid(-0.25), (None, "c = a + b"): 24.70408163265306,
                 ("y", "y = X @ w"): 5 * 0.5 - 6}
        return next(v for (n, start), v in known.items() if n == node and q["src"].startswith(
            start))
    if kind == "central_difference" or kind == "forward_difference":
        x, h = 2.0, float(args["h"])
        return ((x + h) ** 3 - (x - h) ** 3) / (2 * h) if kind[0] == "c" else \
            ((x + h) ** 3 - x**3) / h
    if kind == "softmax_probability":
        words, scores = labelled(q["sm_scores"])
        e = [math.exp(s / float(q["sm_temp"])) for s in scores]
        return e[words.index(args["word"])] / sum(e)
    if kind.startswith("cross_entropy"):
        labels, scores = labelled(q["ce_scores"])
        p = [math.exp(s) / sum(math.exp(t) for t in scores) for s in scores]
        y = int(q["ce_true"])
        if kind == "cross_entropy_loss":
            return -math.log(p[y])
        i = labels.index(args["label"])
        return p[i] - (i == y)
    if kind in ("z_score", "min_max"):
        x = [float(v) for v in q["nm_numbers"].split(",")]
        v = x[int(args["at"])]
        if kind == "min_max":
            return (v - min(x)) / (max(x) - min(x))
        return (v - statistics.fmean(x)) / statistics.pstdev(x)
    if kind == "normal_within":
        return math.erf(float(args["k"]) / math.sqrt(2))
    if kind in ("matmul_shape", "grad_shape"):
        if kind == "grad_shape":
            return "(3,2)"  # W's shape in the jacobians lesson
        m, n, nb, p = (int(q[k]) for k in ("mm_m", "mm_n", "mm_nb", "mm_p"))
        return f"({m},{p})" if n == nb else "no product"
    kappa = float(q.get("kappa", 20))
    if kind == "rate":
        r = math.sqrt(kappa) if args["optimizer"] == "momentum" else kappa
        return (r - 1) / (r + 1)
    if kind == "optimal_lr":
        return 2 / (kappa + 1) if args["optimizer"] == "sgd" else 4 / (math.sqrt(kappa) + 1) ** 2
    if kind == "first_step":
        x0, y0 = float(q["x0"]), float(q["y0"])
        grad = {"x": x0, "y": kappa * y0}[args["coord"]]
        lr = dict(c.split(":lr=") for c in q["sopt"].split())[args["optimizer"]]
        lr = float(lr)
        return lr * abs(grad) if args["optimizer"] == "sgd" else lr  # Adam: lr · g / |g|
    if kind == "dropout_scale":
        ps = q["net"].split(":")[2].split(",")  # one p for every hidden layer, or one each
        return 1 / (1 - float(ps[0] if len(ps) == 1 else ps[int(args["layer"]) - 1]))
    raise AssertionError(f"no independent formula for {kind}")


@pytest.mark.parametrize("item", QUESTIONS, ids=step_id)
def test_every_question_has_the_engines_answer(item):
    _, _, step = item
    solution = solve(step)
    expected = independent_answer(step)
    question = step.question
    if isinstance(expected, str):
        assert solution.value == expected
    else:
        assert solution.value == pytest.approx(expected, abs=max(question.tolerance / 10, 1e-6))
        assert is_right(question, solution, expected)
        assert not is_right(question, solution, expected + 10 * question.tolerance + 1e-9)
    if question.choices:
        assert question.choices[solution.choice] == solution.text
        assert is_right(question, solution, solution.choice)
        assert not is_right(question, solution, (solution.choice + 1) % len(question.choices))


def test_every_answer_kind_is_used_by_the_course_or_tested_here():
    used = {step.question.answer.split()[0] for _, _, step in QUESTIONS}
    assert used | {"shape"} == set(ANSWERS)
    step = Step("s", EXPRESSION_GRAPH, {"src": "z = W @ x", "vals": '[["W","zeros(3, 2)",true],'
                                         '["x","[[1.0], [2.0]]",false]]'},
                question=Question("Shape?", "shape node=z", ("(3,1)", "(2,1)")))
    assert solve(step) == Solution("(3,1)", 0)


@pytest.mark.parametrize(("answer", "page", "query", "message"), [
    ("nonsense", EXPRESSION_GRAPH, {}, "Unknown answer kind"),
    ("grad wrt", EXPRESSION_GRAPH, {"src": "y = x"}, "name=value"),
    ("grad wrt=w", BUILDING_BLOCKS, {}, "answers questions about"),
    ("grad wrt=w", EXPRESSION_GRAPH, {}, "does not set"),
    ("grad wrt=q", EXPRESSION_GRAPH, {"src": "y = 2 * x"}, "no value named"),
    ("grad wrt=x", EXPRESSION_GRAPH, {"src": "y = x +"}, "gives no answer"),
    ("grad wrt=x", EXPRESSION_GRAPH, {"src": "y = x * [1, 2]"}, "needs a scalar"),
    ("value", EXPRESSION_GRAPH, {"src": "y = x * [1, 2]"}, "say which with at="),
    ("grad wrt=x at=9", EXPRESSION_GRAPH, {"src": "y = sum(x * [1, 2])",
                                           "vals": '[["x","[1, 2]",true]]'}, "past the last"),
    ("central_difference wrt=x h=-1", EXPRESSION_GRAPH, {"src": "y = x"}, "positive"),
    ("softmax_probability word=cat", BUILDING_BLOCKS,
     {"sm_scores": "dog 1, bird 2", "sm_temp": "1"}, "not one of"),
    ("first_step optimizer=sgd coord=y", OPTIMIZER_LAB, {"optimal": "1"}, "optimal=0"),
    ("dropout_scale layer=3", NETWORK_BUILDER, {"net": "2-8-2:tanh:0.5"}, "layer must be"),
    ("rate optimizer=sgd", OPTIMIZER_LAB, {"kappa": "lots"}, "kappa: ‘lots’ is not a number"),
    ("rate optimizer=sgd", OPTIMIZER_LAB, {"kappa": "inf"}, "not a finite number"),
    ("rate optimizer=nag", OPTIMIZER_LAB, {"kappa": "2"}, "sgd, momentum or adam"),
])
def test_a_question_without_an_answer_says_why(answer, page, query, message):
    step = Step("s", page, query, question=Question("Q?", answer))
    with pytest.raises(LessonError, match=message):
        solve(step)


def test_multiple_choice_needs_exactly_one_matching_choice():
    query = {"mm_m": "2", "mm_n": "3", "mm_nb": "3", "mm_p": "4"}
    for choices in (("(4,2)", "(3,3)"), ("(2,4)", "(2,4)")):
        step = Step("s", BUILDING_BLOCKS, query, question=Question("?", "matmul_shape", choices))
        with pytest.raises(LessonError, match="exactly one choice"):
            solve(step)


# ---- Markdown and links: round trips --------------------------------------------------------

LINE = st.text(st.characters(codec="utf-8", exclude_categories=("Cs", "Cc", "Zl", "Zp")),
               min_size=1, max_size=30).filter(lambda s: s.strip())
TEXT = st.lists(st.one_of(st.sampled_from(["## not a step", "### Question", "\\## x",
                                           "### Explanation", "view: x", "---", "", "  a: b",
                                           "answer: grad", "$$\\frac{a}{b}$$", "- [x] item"]),
                          LINE), max_size=6).map("\n".join)
NAME = st.from_regex(r"[A-Za-z_][A-Za-z0-9_]{0,8}", fullmatch=True)
VALUE = st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=30)
QUESTION = st.builds(Question, prompt=LINE, answer=LINE, choices=st.one_of(
    st.just(()), st.lists(LINE, min_size=2, max_size=4).map(tuple)),
    tolerance=st.floats(0, 1e6), explanation=TEXT)
STEP = st.builds(Step, title=LINE, page=st.sampled_from([EXPRESSION_GRAPH, BUILDING_BLOCKS]),
                 query=st.dictionaries(NAME, VALUE, max_size=4), text=TEXT,
                 question=st.one_of(st.none(), QUESTION))
LESSON = st.builds(Lesson, key=st.from_regex(r"[a-z0-9][a-z0-9-]{0,20}", fullmatch=True),
                   title=LINE, steps=st.lists(STEP, min_size=1, max_size=4).map(tuple))


@settings(max_examples=200, deadline=None)
@given(LESSON)
def test_any_lesson_round_trips_through_markdown_and_a_link(lesson):
    assert parse_markdown(format_markdown(lesson)) == lesson
    assert unpack(pack(lesson)) == lesson


def test_an_authored_lesson_round_trips():
    lesson = add_step(None, EXPRESSION_GRAPH, {"src": "y = x * w", "vals": "[]"}, "First")
    lesson = add_step(lesson, BUILDING_BLOCKS, {"section": "softmax", "sm_temp": " 0.5 "}, "Two")
    lesson = replace_step(lesson, 0, "Gradients", "Text with $x^2$\n## a heading in text",
                          Question("What is $\\partial y / \\partial w$?", "grad wrt=w",
                                   explanation="Because."))
    assert parse_markdown(format_markdown(lesson)) == lesson
    assert unpack(pack(lesson)) == lesson
    assert "\\## a heading in text" in format_markdown(lesson)


# ---- hostile files and links ------------------------------------------------------------------

GOOD = "---\nkey: k\ntitle: T\n---\n\n## S\nview: pages/1_Expression_Graph.py\n  src: y = x\n"


@pytest.mark.parametrize(("text", "message"), [
    ("", "front matter"),
    ("no front matter", "front matter"),
    ("---\nkey: k\n---\n", "exactly ‘key’ and ‘title’"),
    ("---\nkey: K!\ntitle: T\n---\n\n## S\nview: pages/1_A.py\n", "lesson key"),
    ("---\nkey: k\ntitle: T\n---\n", "1 to 30 steps"),
    ("---\nkey: k\ntitle: T\n---\nintro\n## S\nview: pages/1_A.py\n", "before the first"),
    ("---\nkey: k\ntitle: T\n---\n## S\nno view here\n", "name: value"),
    ("---\nkey: k\ntitle: T\n---\n## S\npage: p\n", "must start with a ‘view:"),
    ("---\nkey: k\ntitle: T\n---\n## S\nview: pages/1_A.py\nsrc: x\n", "indented"),
    ("---\nkey: k\ntitle: T\n---\n## S\nview: pages/1_A.py\n  b@d: 1\n", "URL param name"),
    ("---\nkey: k\ntitle: T\n---\n## S\nview: javascript:alert(1)\n", "a page of this app"),
    ("---\nkey: k\ntitle: T\n---\n## S\nview: pages/../../x.py\n", "a page of this app"),
    ("---\nkey: k\ntitle: T\n---\n## S\nview: https://e.com/1_A.py\n", "a page of this app"),
    ("---\nkey: k\ntitle: T\n---\n## S\nview: pages/1_A.py\n  a: \"unclosed\n", "quoted string"),
    ("---\nkey: k\ntitle: T\n---\n## S\nview: pages/1_A.py\n\n### Notes\n", "unknown section"),
    (GOOD + "\n### Question\n\nprompt\n", "no ‘answer:’"),
    (GOOD + "\n### Question\nanswer: grad wrt=x\ntolerance: lots\n\nQ?\n", "not a number"),
    (GOOD + "\n### Question\nanswer: grad wrt=x\ncolour: red\n\nQ?\n", "unknown field"),
    (GOOD + "\n### Question\nanswer: grad\nchoice: only one\n\nQ?\n", "at least two"),
    (GOOD + "\n### Question\nanswer: grad\n", "needs a prompt"),
    ("x" * 70_000, "at most"),
])
def test_a_bad_lesson_file_says_what_is_wrong(text, message):
    with pytest.raises(LessonError, match=message):
        parse_markdown(text)


def test_a_good_file_parses():
    lesson = parse_markdown(GOOD)
    assert lesson.steps[0].query == {"src": "y = x"}


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


@pytest.mark.parametrize(("link", "message"), [
    ("", "damaged"),
    ("not base64 at all!!", "damaged"),
    ("é", "damaged"),
    (b64(b"plain bytes, not zlib"), "damaged"),
    (b64(zlib.compress(GOOD.encode()))[:-6], "damaged"),  # cut short
    (b64(zlib.compress(b"\xff\xfe not utf-8")), "damaged"),
    (b64(zlib.compress(b"0" * 50_000_000)), "damaged|at most"),  # a zip bomb is never inflated
    (b64(zlib.compress(b"---\nkey: k\n")), "front matter"),
    ("A" * (MAX_LINK_CHARS + 1), "at most"),
])
def test_a_bad_link_says_what_is_wrong(link, message):
    with pytest.raises(LessonError, match=message):
        unpack(link)


def test_a_lesson_too_long_for_a_link_says_so():
    noise = np.random.default_rng(0).integers(0, 2**32, 4000).astype(str)
    lesson = Lesson("long", "Long", (Step("S", EXPRESSION_GRAPH, text=" ".join(noise)),))
    with pytest.raises(LessonError, match="Markdown file instead"):
        pack(lesson)


# ---- the Lessons page's model ----------------------------------------------------------------


def test_view_address_embeds_the_page_with_its_query():
    step = Step("S", EXPRESSION_GRAPH, {"src": "y = x * 2"})
    assert view_address(step) == "Expression_Graph?src=y+%3D+x+%2A+2&embed=true"
    assert view_address(step, present=True).endswith("&embed=true&present=1")
    assert page_url_path(LESSONS_PAGE) == "Lessons"


def test_draft_edits():
    lesson = add_step(None, EXPRESSION_GRAPH, {"src": "a"}, "A")
    assert lesson.key == "my-lesson" and [s.title for s in lesson.steps] == ["A"]
    for title in "BC":
        lesson = add_step(lesson, EXPRESSION_GRAPH, {"src": title.lower()}, title)
    assert [s.title for s in move_step(lesson, 0, 1).steps] == ["B", "A", "C"]
    assert [s.title for s in move_step(lesson, 2, 5).steps] == ["A", "B", "C"]
    assert [s.title for s in move_step(lesson, 2, -2).steps] == ["C", "A", "B"]
    assert [s.title for s in remove_step(lesson, 1).steps] == ["A", "C"]
    assert remove_step(remove_step(remove_step(lesson, 0), 0), 0) is None
    assert [step_within(lesson, k) for k in (-5, 0, 1, 3, 4, 99)] == [1, 1, 1, 3, 3, 3]
    edited = replace_step(lesson, 1, "B2", "text", None)
    assert edited.steps[1] == Step("B2", EXPRESSION_GRAPH, {"src": "b"}, "text")
