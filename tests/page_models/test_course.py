"""Lessons: the built-in course, its engine-computed answers (checked against independent
formulas), the Markdown format and share links (round trips, hostile input), and the draft edits."""

import base64
import json
import math
import re
import statistics
import zlib

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from engine.expr import build
from engine.nn import MLPSpec
from page_models.course.answers import ANSWERS, Solution, is_right, solve
from page_models.course.lesson import (
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
from page_models.course.page import (
    DRAFT,
    LESSONS_PAGE,
    add_step,
    move_step,
    remove_step,
    replace_step,
    step_within,
    view_address,
)
from page_models.course.views import (
    BUILDING_BLOCKS,
    EXPRESSION_GRAPH,
    NETWORK_BUILDER,
    OPTIMIZER_LAB,
    PARAM_TABLES,
    expression_inputs,
    page_params,
    page_url_path,
)
from page_models.numerics import matrices, scaling, typed
from page_models.url import encode, parse_query

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
    if kind in ("grad", "value") and q["src"].startswith("H = relu"):
        return two_layer_by_hand(args)
    if kind == "value" and "s = mean(h3 * h3)" in q["src"]:
        return three_layers_in_numpy(step)
    if kind == "value" and q["src"].startswith("mu = mean(X"):
        x = np.array(json.loads(expression_inputs(q)["X"].value), dtype=float)
        axis = 1 if "axis=1" in q["src"] else 0
        mu, sigma = x.mean(axis=axis, keepdims=True), x.std(axis=axis, keepdims=True)
        return float(np.ravel((x - mu) / np.sqrt(sigma**2 + 1e-5))[int(args["at"])])
    if kind in ("value", "largest_in_row") and q["src"].startswith("S = Q @ K.T"):
        Q = np.array([[1, 0], [0, 1], [2, 1]])
        K = np.array([[1, 0], [0, 1], [-1, 0]])
        e = np.exp(Q @ K.T / math.sqrt(2))
        A = e / e.sum(axis=1, keepdims=True)
        if kind == "largest_in_row":
            return f"token {np.argmax(A[int(args['row'])]) + 1}"
        return float(np.ravel(A)[int(args["at"])])
    if kind == "grad":
        if "tanh(z)" in q["src"]:  # jacobians: s = uᵀ tanh(Wx + b), δ = u ⊙ (1 − tanh² z)
            z = np.array([[1, 2], [3, 4], [5, 6]]) @ [0.5, -0.25] + [0.5, 0, -0.5]
            return (np.array([1, 0, 2]) * (1 - np.tanh(z) ** 2))[int(args.get("at", 0))]
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
        if kind == "grad_shape":  # W's shape in jacobians, W2's in mlp-by-hand, Q's in attention
            if q["src"].startswith("h = relu(X @ W1.T"):
                return "(5,2)"  # gradient-check's W1, stored (out, in)
            return "(2,3)" if q["src"].startswith("H = relu") else "(3,2)"
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
    return independent_new_answer(step, kind, args)


def two_layer_by_hand(args: dict) -> float:
    """mlp-by-hand's network in NumPy with the gradients written out (no engine)."""
    X = np.array([[1, 2], [0, -1], [2, 0], [-1, 1]], dtype=float)
    W1, b1 = np.array([[0.5, -0.5], [1, 0.5], [-1, 1]]), np.array([0, 0.1, 0])
    W2, b2 = np.array([[1, -1, 0.5], [-0.5, 1, 1]]), np.zeros(2)
    y = np.array([0, 1, 1, 0])
    H = np.maximum(X @ W1.T + b1, 0)
    Z = H @ W2.T + b2
    P = np.exp(Z) / np.exp(Z).sum(axis=1, keepdims=True)
    G = (P - np.eye(2)[y]) / len(y)
    values = {"loss": -np.log(P[np.arange(4), y]).mean(), "Z": G, "W2": G.T @ H,
              "b2": G.sum(axis=0)}
    name = args.get("node", args.get("wrt"))
    return float(np.ravel(values[name])[int(args.get("at", 0))])


def three_layers_in_numpy(step: Step) -> float:
    """initialisation's mean(h3²) in NumPy, on the inputs the engine drew for the view."""
    inputs = {n: t.data for n, t in build(step.query["src"], expression_inputs(step.query)).inputs
              .items()}
    f = (lambda z: np.maximum(z, 0)) if "relu" in step.query["src"] else np.tanh
    src = step.query["src"]
    scale = float(src.split("(W1 / ")[1].split(")")[0]) if "(W1 / " in src else 1.0
    h = inputs["X"]
    for name in ("W1", "W2", "W3"):
        h = f(h @ (inputs[name] / scale).T)
    return float((h * h).mean())


def independent_new_answer(step: Step, kind: str, args: dict):
    """The prediction kinds' answers from plain formulas; None where only training or drawing
    gives the answer (those have their own tests below)."""
    q = step.query
    if kind in ("largest_grad", "accumulated_grad"):
        if kind == "accumulated_grad" and q["src"].startswith("H = relu"):
            return int(args["calls"]) * two_layer_by_hand(args)
        if kind == "accumulated_grad":
            return int(args["calls"]) * finite_difference(step, args["wrt"], int(args.get("at", 0)))
        sizes = {n: abs(finite_difference(step, n, 0)) for n in args["among"].split(",")}
        return max(sizes, key=sizes.get)
    if kind == "compare" and "tanh(X" in q["src"]:
        return "above"  # weights of std 1: |pre-activations| ~ 8, so tanh saturates at ±1
    if kind == "compare":
        return "below" if sigmoid(-0.25) < float(args["than"]) else "above"  # the neuron's y
    if kind == "closer_difference":
        x, h = 2.0, float(args["h"])
        central = ((x + h) ** 3 - (x - h) ** 3) / (2 * h)
        forward = ((x + h) ** 3 - x**3) / h
        return "central" if abs(central - 12) < abs(forward - 12) else "forward"
    if kind == "softmax_trend":
        words, scores = labelled(q["sm_scores"])
        i = words.index(args["word"])

        def p(t):
            e = [math.exp(s / t) for s in scores]
            return e[i] / sum(e)

        now, then = p(float(q["sm_temp"])), p(float(args["to"]))
        return "rises" if then > now else "falls"
    if kind == "gradient_sign":
        labels, scores = labelled(q["ce_scores"])
        i, y = labels.index(args["label"]), int(q["ce_true"])
        p = math.exp(scores[i]) / sum(math.exp(t) for t in scores)
        return "negative" if p - (i == y) < 0 else "positive"
    if kind == "more_squeezed":
        x = [float(v) for v in q["nm_numbers"].split(",")]

        def squeeze(scale):
            return np.ptp(scale(x[:-1])) / np.ptp(scale(x)[:-1])

        def min_max(v):
            return (np.array(v) - min(v)) / (max(v) - min(v))

        def z(v):
            return (np.array(v) - statistics.fmean(v)) / statistics.pstdev(v)

        return "min-max" if squeeze(min_max) > squeeze(z) else "z-scores"
    if kind == "matmul_entry":
        m, n, p = (int(q[k]) for k in ("mm_m", "mm_n", "mm_p"))
        a, b = matrices.integer_matrix(m, n, seed=1), matrices.integer_matrix(n, p, seed=2)
        return sum(a[int(q["mm_row"]), k] * b[k, int(q["mm_col"])] for k in range(n))
    if kind == "best_step":
        x = float(q["nd_x"])
        errors = {}
        for h in np.logspace(-16, 0, 161):
            central = (math.exp(x + h) - math.exp(x - h)) / (2 * h)
            forward = (math.exp(x + h) - math.exp(x)) / h
            errors[h] = abs((central if args["method"] == "central" else forward) - math.exp(x))
        return f"1e{round(math.log10(min(errors, key=errors.get)))}"
    if kind == "diverges":
        choice = q["sopt"].split()[int(args.get("run", 1)) - 1]
        lr = float(choice.split("lr=")[1].split("~")[0])
        if "~step:" in choice:  # halved every 10 steps: unstable for 10 steps, then stable
            return "yes" if abs(1 - lr / 2 * float(q["kappa"])) > 1 else "no"
        return "yes" if abs(1 - lr * float(q["kappa"])) > 1 else "no"  # warm-up: the final lr
    if kind == "fastest_lr":
        rates = {float(c.split("lr=")[1]): max(abs(1 - float(c.split("lr=")[1]) * k)
                                               for k in (1, float(q["kappa"])))
                 for c in q["sopt"].split()}
        return min(rates, key=rates.get)
    if kind == "passes":
        sizes = {"central": 2 * (10 + 5 + 15 + 3), "forward": 10 + 5 + 15 + 3, "reverse": 1}
        return float(sizes[args["method"]])
    if kind == "result_shape":
        return "(4,2,5)"  # bij,bjk->bik on 4x2x3 and 4x3x5
    if kind == "smaller_error":
        return "SVD"  # Eckart–Young: the truncated SVD is the best rank-k approximation
    if kind == "same_result":
        return "yes"
    if kind == "averaging_window":
        return 1 / (1 - 0.9)  # the momentum knob's default
    if kind == "rows_equal":
        return "yes"  # every hidden unit starts with the same weights

    if kind == "steps_per_epoch":
        return float(math.ceil(200 * 0.8 / int(q["batch"])))
    if kind == "dropout_passes":
        return "the same" if args["mode"] == "eval" else "different"
    if kind == "rank":
        return float(np.linalg.matrix_rank(np.array([r.split() for r in q["rk_vectors"].split(";")],
                                                    dtype=float)))
    if kind == "regression":
        slope, intercept = np.polyfit([1, 2, 3, 4, 5], [1.2, 2.9, 2.3, 4.6, 4.2], 1)
        return slope if args["which"] == "slope" else intercept
    if kind in ("quadratic_shape", "condition_number"):
        a = np.array([[float(q["qf_a"]), float(q["qf_b"])], [float(q["qf_b"]), float(q["qf_c"])]])
        low, high = np.linalg.eigvalsh(a)
        if kind == "condition_number":
            return high / low
        return "bowl" if low > 0 else "saddle" if high > 0 > low else "other"
    if kind in ("first_to_reach", "smallest_layer_grad", "gradient_shrink", "drawn_share",
                "error_growth", "sample_stat", "survey_mean", "gradient_agreement"):
        return None
    raise AssertionError(f"no independent formula for {kind}")


@pytest.mark.parametrize("item", QUESTIONS, ids=step_id)
def test_every_question_has_the_engines_answer(item):
    _, _, step = item
    solution = solve(step)
    expected = independent_answer(step)
    question = step.question
    if expected is None:
        pass
    elif isinstance(expected, str):
        assert solution.value == expected
    else:
        assert solution.value == pytest.approx(expected, abs=max(question.tolerance / 10, 1e-6))
    if expected is not None and not isinstance(expected, str) and not question.choices:
        assert is_right(question, solution, expected)
        assert not is_right(question, solution, expected + 10 * question.tolerance + 1e-9)
    if question.choices:
        chosen = question.choices[solution.choice]
        if isinstance(solution.value, str):
            assert chosen == solution.text
        else:
            assert abs(float(chosen) - solution.value) <= question.tolerance
        assert is_right(question, solution, solution.choice)
        assert not is_right(question, solution, (solution.choice + 1) % len(question.choices))


NUMBER = re.compile(r"(?<![\w^{.])[−-]?\d+(?:\.\d+)?")
NUMERIC = [(key, n, step) for key, n, step in QUESTIONS if not step.question.choices]


@pytest.mark.parametrize("item", NUMERIC, ids=step_id)
def test_every_question_accepts_the_number_its_explanation_gives_and_rejects_a_wrong_one(item):
    """The explanation's number nearest the answer is how a student would type it: it must count
    as right (a rounded "0.53" for 0.5286), and a clearly wrong number must not."""
    _, _, step = item
    question, solution = step.question, solve(step)
    numbers = [float(n.replace("−", "-")) for n in NUMBER.findall(question.explanation)]
    assert numbers, "the explanation states no number"
    stated = min(numbers, key=lambda v: abs(v - solution.value))
    assert is_right(question, solution, stated), f"{stated} rejected for {solution.value}"
    assert not is_right(question, solution, solution.value + abs(solution.value) / 2 + 1)


@pytest.mark.parametrize(("guess", "digits", "right"), [
    (0.5286, 2, True), (0.53, 2, True), (0.529, 2, True), (0.52, 2, False), (0.5, 2, False),
    (0.6, 1, False), (0.5, 1, True), (0.53, 3, False), (float("nan"), 2, False),
])
def test_a_typed_number_counts_at_the_precision_it_is_typed_with(guess, digits, right):
    question = Question("?", "value", tolerance=1e-4, digits=digits)
    assert is_right(question, Solution(0.5286, None), guess) is right


def test_a_rounded_twelve_is_not_twelve_point_zero_one_when_four_digits_are_asked():
    question = Question("?", "value", tolerance=1e-4, digits=4)
    assert not is_right(question, Solution(12.01, None), 12.0)
    assert is_right(question, Solution(12.0100003, None), 12.01)


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
    ("cross_entropy_loss", BUILDING_BLOCKS, {"section": "cross-entropy", "ce_true": "5"},
     "past the last class"),
    ("matmul_shape", BUILDING_BLOCKS, {"mm_m": "2"}, "set section=matmul"),
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
    query = {"section": "matmul", "mm_m": "2", "mm_n": "3", "mm_nb": "3", "mm_p": "4"}
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
    tolerance=st.floats(0, 1e6), explanation=TEXT, digits=st.integers(1, 15))
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
    (GOOD + "\n### Question\nanswer: grad\ndigits: two\n\nQ?\n", "not a whole number"),
    (GOOD + "\n### Question\nanswer: grad\ndigits: 0\n\nQ?\n", "from 1 to 15"),
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


# ---- what the lessons' words claim, computed ------------------------------------------------


def lesson_step(key: str, title: str) -> Step:
    return next(step for step in LESSONS[key].steps if step.title == title)


def test_the_first_layers_of_the_deep_sigmoid_network_barely_learn():
    """vanishing-gradients: on its own view (plain SGD, torch's sigmoid gain), layer 1's weights
    change by less than 0.1 % in the 10 epochs the question names, far less than the output
    layer's."""
    from engine.nn import MLP
    from engine.train import train
    from page_models import network_builder
    from page_models.url import parse_query

    step = lesson_step("vanishing-gradients", "A deep sigmoid network")
    setup = network_builder.build(parse_query(network_builder.PARAMS, step.query))
    assert setup.optimizer.key == "sgd" and {init.gain for init in setup.spec.inits} == {1.0}
    start = MLP(setup.spec, np.random.default_rng(setup.seed))
    history = train(setup.spec, setup.optimizer, setup.train_data, setup.val_data, 10,
                    setup.batch_size, setup.seed)

    def moved(layer: int) -> float:
        before = start.layers[layer].weight.data
        after = history.model.layers[layer].weight.data
        return float(np.abs(after - before).max())

    assert moved(0) < 1e-3 * np.abs(start.layers[0].weight.data).max()  # < 0.1 % of its size
    assert moved(0) < moved(-1) / 30
    norms = history.grad_norms.mean(axis=0)
    assert norms[0] == norms.min() and norms[-1] / norms[0] > 300


def test_min_max_and_z_scores_squeeze_the_ordinary_numbers_as_the_lesson_says():
    x = typed.parse_numbers(lesson_step("normalisation", "Do z-scores resist the outlier?")
                            .query["nm_numbers"], "numbers")
    assert round(scaling.outlier_squeeze(scaling.min_max_scale, x), 1) == 16.9
    assert round(scaling.outlier_squeeze(scaling.z_scores, x), 1) == 15.1


def test_the_best_central_and_forward_errors_are_the_sizes_the_lesson_gives():
    from page_models.building_blocks import SECTIONS

    step = lesson_step("gradient-check", "Choosing h")
    section = SECTIONS["derivatives"]
    errors = section.compute(parse_query(section.params, step.query))
    near = (errors.h > 3e-6) & (errors.h < 3e-5)  # around the best central h, 10⁻⁵
    assert 1e-12 < np.median(errors.central[near]) < 3e-10
    assert 1e-9 < errors.best_forward < 1e-7


def test_one_backward_pass_gives_every_parameters_gradient():
    """chain-rule: one reverse pass from the scalar output fills in every parameter's gradient."""
    step = lesson_step("chain-rule", "Reuse the upstream gradient")
    built = build(step.query["src"], expression_inputs(step.query))
    built.output.backward()
    assert all(p.grad is not None for p in built.parameters) and len(built.parameters) == 3


def test_the_forward_difference_is_the_number_the_gradient_check_lesson_gives():
    step = lesson_step("gradient-check", "Forward differences are worse")
    forward = solve(Step("s", step.page, step.query,
                         question=Question("?", "forward_difference wrt=x h=0.1"))).value
    assert round(forward, 2) == 12.61 and round(forward - 12, 1) == 0.6


def test_the_numbers_mlp_by_hand_quotes_are_the_engines():
    step = lesson_step("mlp-by-hand", "One entry of Gᵀ H")
    built = build(step.query["src"], expression_inputs(step.query))
    built.output.backward()
    assert np.round(built.nodes["Z"].grad[:, 0], 3).tolist() == [-0.248, 0.17, 0.016, -0.183]
    assert built.nodes["H"].data[:, 0].tolist() == [0, 0.5, 1, 0]


def test_a_view_with_an_open_question_hides_the_numbers_it_asks_for_where_the_page_can():
    asks = Step("S", BUILDING_BLOCKS, {"section": "softmax"}, question=Question("?", "rank"))
    assert view_address(asks, hide_answer=True).endswith("&embed=true&hide=1")
    assert "hide" not in view_address(asks)  # revealed
    assert "hide" not in view_address(Step("S", BUILDING_BLOCKS, {}), hide_answer=True)
    graph = Step("S", EXPRESSION_GRAPH, {"src": "y = x"}, question=Question("?", "value"))
    assert view_address(graph, hide_answer=True).endswith("&hide=1")
    builder = Step("S", NETWORK_BUILDER, {}, question=Question("?", "steps_per_epoch"))
    assert "hide" not in view_address(builder, hide_answer=True)  # it has no hide param


def test_the_numbers_the_initialisation_lesson_quotes_are_the_engines():
    saturated = lesson_step("initialisation", "Weights of standard deviation 1")
    assert round(three_layers_in_numpy(saturated), 2) == 0.89
    he = lesson_step("initialisation", "ReLU halves the variance: He's √2")
    xavier = Step("s", he.page, {**he.query, "src": he.query["src"].replace("5.657", "8")})
    assert abs(three_layers_in_numpy(xavier) - 0.125) < 0.01  # "each layer would halve it"


def test_the_initialisation_lesson_names_each_layers_init_as_the_engine_does():
    spec = MLPSpec(n_in=2, hidden=(4, 4, 4), activations=("tanh", "sigmoid", "relu"), n_out=2)
    tanh, sigmoid, relu, output = (str(init) for init in spec.inits)
    text = " ".join(lesson_step("initialisation", "ReLU halves the variance: He's √2").text
                    .split())
    assert (f"a tanh layer with {tanh}; a sigmoid layer with {sigmoid}; a ReLU layer with "
            f"{relu}; the output layer with {output}") in text


def test_the_sample_numbers_the_distributions_lesson_quotes_are_the_engines():
    def stat(title: str, answer: str, **change) -> float:
        step = lesson_step("distributions-sampling", title)
        return solve(Step("s", step.page, {**step.query, **change},
                          question=Question("?", answer))).value

    assert round(stat("A Bernoulli sample", "sample_stat which=mean"), 3) == 0.277
    assert round(stat("Samples and the population", "sample_stat which=mean", ds_n="10000"),
                 3) == 0.006
    assert round(stat("A biased sample", "survey_mean sample=biased"), 1) == 174.7
    assert round(stat("A biased sample", "survey_mean sample=random"), 1) == 170.0


# ---- the course covers every topic of the course notes (DESIGN.md, "Course topics") ----------

TOPICS = {  # topic -> the lesson steps that teach it: (lesson key, step title)
    "derivative as a rate of change": [("derivatives", "Nudge x and watch y"),
                                       ("derivatives", "The derivative is a rate of change")],
    "partial derivatives and the hill": [("derivatives", "Partial derivatives"),
                                         ("derivatives", "The hill and its slopes")],
    "the gradient": [("derivatives", "The hill and its slopes")],
    "activation functions and why the choice matters": [
        ("vanishing-gradients", "The sigmoid's slope is at most 1/4"),
        ("vanishing-gradients", "ReLU passes the gradient on")],
    "matrix product shapes and the row-by-column dot product": [
        ("matrices", "Shapes must fit"), ("matrices", "One entry is one dot product")],
    "linear regression as X·w": [("matrices", "A batch of predictions: X·w"),
                                 ("linear-algebra", "Least squares is a projection")],
    "samples, population and sampling bias": [
        ("distributions-sampling", "Samples and the population"),
        ("distributions-sampling", "A biased sample")],
    "uniform, normal and Bernoulli distributions": [
        ("distributions-sampling", "A Bernoulli sample"),
        ("distributions-sampling", "The uniform distribution"),
        ("distributions-sampling", "Samples and the population")],
    "sampling the next word of a language model": [("softmax-sampling", "Sampling the next word")],
    "softmax and temperature": [("softmax-sampling", "From scores to probabilities"),
                                ("softmax-sampling", "Low temperature sharpens")],
    "cross-entropy (one-hot and general)": [
        ("cross-entropy", "The loss is −log of the true class's probability"),
        ("cross-entropy", "The same computation as a graph")],
    "min-max and z-score normalisation, the 68-95-99.7 rule": [
        ("normalisation", "Min-max scaling"), ("normalisation", "z-scores"),
        ("normalisation", "68-95-99.7")],
    "tensor operations and contraction": [
        ("vectorisation-cost", "Contraction: a batch of products in one call")],
    "matrix factorisation (SVD, NMF)": [("linear-algebra", "Factorisation: SVD and NMF")],
    "linear independence and rank": [("linear-algebra", "How many directions?")],
    "projection and least squares": [("linear-algebra", "Least squares is a projection")],
    "quadratic forms and positive definiteness": [("linear-algebra", "Positive definite or not")],
    "the condition number": [("linear-algebra", "The condition number and the zig-zag"),
                             ("linear-algebra", "The sensitivity of Ax = b"),
                             ("momentum", "A badly conditioned valley")],
    "analytic vs finite-difference vs automatic derivatives and their cost": [
        ("vectorisation-cost", "Finite differences cost two passes per parameter"),
        ("vectorisation-cost", "Forward mode and reverse mode"),
        ("vectorisation-cost", "Is the difference quotient right?")],
    "the local derivative at each node": [("chain-rule", "Start at the output")],
    "reverse mode in one pass": [("chain-rule", "Reuse the upstream gradient")],
    "the computation graph as a DAG": [
        ("computation-graph", "A value used twice is computed once")],
    "topological order": [("computation-graph", "A neuron as a graph")],
    "fan-out gradients add": [("chain-rule", "Fan-out: gradients add")],
    "vectorisation": [("vectorisation-cost", "One call instead of a loop"),
                      ("mlp-by-hand", "Forward on a minibatch of four")],
    "Jacobians (diagonal, W, I, hᵀ)": [
        ("jacobians", "Elementwise ops have a diagonal Jacobian"),
        ("jacobians", "The Jacobian of Wx + b is W"), ("mlp-by-hand", "The bias: ∂z/∂b = I"),
        ("jacobians", "The chain s = uᵀ f(Wx + b)")],
    "the shape convention (∂s/∂W = δ xᵀ)": [("jacobians", "A gradient has its value's shape"),
                                           ("mlp-by-hand", "The weight gradient is Gᵀ H")],
    "the chain s = uᵀf(Wx+b) with δ reused for W and b": [
        ("jacobians", "The chain s = uᵀ f(Wx + b)")],
    "dimension analysis": [("mlp-by-hand", "The weight gradient is Gᵀ H"),
                           ("jacobians", "The chain s = uᵀ f(Wx + b)")],
    "central differences": [("gradient-check", "Central differences")],
    "SGD on minibatches": [("sgd", "Minibatches"), ("learning-rate", "Batch size")],
    "momentum (conditioning and noise)": [("momentum", "Momentum remembers the direction"),
                                          ("momentum", "Momentum smooths minibatch noise")],
    "Adam with bias correction": [("adam", "Adam's update")],
    "dropout (p, 1/(1−p), eval, the mask's backward)": [
        ("dropout", "Drop, then scale up"), ("dropout", "Eval mode is deterministic"),
        ("dropout", "Backward through the mask")],
}


@pytest.mark.parametrize("topic", TOPICS)
def test_every_course_topic_is_taught_by_a_step_that_asks_a_question(topic):
    for key, title in TOPICS[topic]:
        assert any(step.title == title for step in LESSONS[key].steps), (key, title)
    assert any(lesson_step(key, title).question for key, title in TOPICS[topic])


def test_every_lesson_asks_a_prediction_and_every_step_that_trains_or_animates_a_question():
    for lesson in LESSONS.values():
        assert any(step.question and step.question.choices for step in lesson.steps), lesson.key
        for step in lesson.steps:
            trains = step.page in (NETWORK_BUILDER, OPTIMIZER_LAB)
            assert step.question or not trains, (lesson.key, step.title)


def test_the_numbers_the_attention_and_normalisation_layers_lessons_quote_are_the_engines():
    step = lesson_step("attention", "The output mixes the values")
    built = build(step.query["src"], expression_inputs(step.query))
    built.output.backward()
    weights = built.nodes["A"].data
    assert np.round(weights[:, 0], 3).tolist() == [0.576, 0.248, 0.644]
    assert np.round(weights[2], 2).tolist() == [0.64, 0.32, 0.04]
    assert round(float(built.inputs["Q"].grad[0, 0]), 3) == -0.744
    step = lesson_step("normalisation-layers", "The batch is in the gradient")
    built = build(step.query["src"], expression_inputs(step.query))
    sigma = math.sqrt(float(built.nodes["v"].data[0]))
    assert round(sigma, 3) == 1.871 and round(1 / sigma, 3) == 0.535
