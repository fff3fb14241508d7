"""The answers to lesson questions, each computed by the engine from the step's own view.

A question's `answer` is a kind and `name=value` arguments, e.g. "grad wrt=w1" or
"softmax_probability word=mat". ANSWERS is the one registry: kind -> the page whose state it
reads, what it computes (shown to authors), and the computation, which gets the step's query and
the arguments. Nothing typed by an author is evaluated: arguments are names and numbers.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

import numpy as np

from engine import Tensor, cross_entropy, format_shape
from engine.errors import PlaygroundError, ShapeError
from engine.expr import build
from engine.functional import dropout
from engine.nn import MLPSpec
from page_models import optimizer_lab, stats
from page_models.course import LessonError, Question, Step
from page_models.course_views import (
    BUILDING_BLOCKS,
    EXPRESSION_GRAPH,
    NETWORK_BUILDER,
    OPTIMIZER_LAB,
    expression_inputs,
)
from page_models.limits import MAX_SCORES
from page_models.optimizers import parse_choices
from page_models.surfaces import descend, make_surface, optimal_settings, theoretical_rates

__all__ = ["ANSWERS", "AnswerKind", "Solution", "is_right", "solve"]

Query = Mapping[str, str]
Args = Mapping[str, str]


@dataclass(frozen=True)
class AnswerKind:
    page: str
    what: str  # one line for authors: what it computes and its arguments
    compute: Callable[[Query, Args], float | str]


@dataclass(frozen=True)
class Solution:
    value: float | str
    choice: int | None  # index of the right choice of a multiple-choice question

    @property
    def text(self) -> str:
        return self.value if isinstance(self.value, str) else f"{self.value:.6g}"


# ---- reading the view and the arguments ---------------------------------------------------------


def _need(query: Query, name: str) -> str:
    if name not in query:
        raise LessonError(f"The question reads ‘{name}’, which this step's view does not set.")
    return query[name]


def _number(text: str, what: str) -> float:
    try:
        return stats.parse_number(text)
    except PlaygroundError as err:
        raise LessonError(f"{what}: {err}") from None


def _index(text: str, what: str) -> int:
    value = _number(text, what)
    if value != int(value) or value < 0:
        raise LessonError(f"{what} must be a whole number ≥ 0, got {text[:20]!r}.")
    return int(value)


def _element(array: np.ndarray, args: Args) -> float:
    """The array's element `at` (a flat, row-major index), or its only element."""
    flat = np.asarray(array, dtype=np.float64).ravel()
    if "at" not in args:
        if flat.size != 1:
            raise LessonError(f"The value has {flat.size} elements: say which with at=<index>.")
        return float(flat[0])
    i = _index(args["at"], "at")
    if i >= flat.size:
        raise LessonError(f"at={i} is past the last of the value's {flat.size} elements.")
    return float(flat[i])


# ---- Expression Graph -------------------------------------------------------------------------


def _program(query: Query, backward: bool = True):
    built = build(_need(query, "src"), expression_inputs(query),
                  seed=_index(query.get("seed", "0"), "seed"))
    if backward:
        built.output.backward()
    return built


def _tensor(built, name: str | None) -> Tensor:
    if name is None:
        return built.output
    found = {**built.inputs, **built.nodes}.get(name)
    if found is None:
        raise LessonError(f"The program has no value named ‘{name}’.")
    return found


def _node(query: Query, args: Args) -> Tensor:
    """The program's value named `node` (default: the output), forward pass only."""
    return _tensor(_program(query, backward=False), args.get("node"))


def _gradient(query: Query, args: Args) -> np.ndarray:
    """∂output/∂wrt from the backward pass."""
    t = _tensor(_program(query), _need(args, "wrt"))
    if t.grad is None:
        raise LessonError(f"‘{args['wrt']}’ gets no gradient: make it a parameter.")
    return t.grad


def _difference(query: Query, args: Args, central: bool) -> float:
    """The slope of the output along input `wrt` from function values alone, step h."""
    name, h = _need(args, "wrt"), _number(_need(args, "h"), "h")
    built = _program(query, backward=False)
    if name not in built.inputs or built.inputs[name].size != 1:
        raise LessonError(f"‘{name}’ must be a one-number input of the program.")
    if h <= 0:
        raise LessonError("The step h must be positive.")
    if not built.inputs[name].requires_grad:
        raise LessonError(f"‘{name}’ must be a parameter to be varied.")
    x = built.inputs[name].item()

    def f(value: float) -> float:
        params = [Tensor(value) if n == name else t
                  for n, t in built.inputs.items() if t.requires_grad]
        return _element(built.evaluate(*params).data, {})

    low = f(x - h) if central else f(x)
    return (f(x + h) - low) / ((2 * h) if central else h)


# ---- Building Blocks --------------------------------------------------------------------------


def _scores(query: Query, name: str) -> tuple[list[str], np.ndarray]:
    return stats.parse_labelled_scores(_need(query, name), MAX_SCORES)


def _label_index(labels: list[str], label: str) -> int:
    if label not in labels:
        raise LessonError(f"‘{label}’ is not one of the view's labels: {', '.join(labels)}.")
    return labels.index(label)


def _softmax_probability(query: Query, args: Args) -> float:
    labels, scores = _scores(query, "sm_scores")
    probs = stats.tempered_softmax(scores, _number(_need(query, "sm_temp"), "sm_temp"))
    return float(probs[_label_index(labels, _need(args, "word"))])


def _cross_entropy(query: Query) -> tuple[list[str], Tensor, Tensor]:
    labels, scores = _scores(query, "ce_scores")
    y = _index(_need(query, "ce_true"), "ce_true")
    if y >= len(labels):
        raise LessonError(f"ce_true={y} is past the last class.")
    z = Tensor(scores[None, :], requires_grad=True)
    loss = cross_entropy(z, np.array([y]))
    loss.backward()
    return labels, z, loss


def _cross_entropy_gradient(query: Query, args: Args) -> float:
    labels, z, _ = _cross_entropy(query)
    return float(z.grad[0, _label_index(labels, _need(args, "label"))])


def _pasted(query: Query) -> np.ndarray:
    return stats.parse_numbers(_need(query, "nm_numbers"), "the pasted numbers")


def _matmul_shape(query: Query, args: Args) -> str:
    """The shape of A @ B for the view's sizes, or "no product" if they do not fit."""
    m, n, nb, p = (_index(_need(query, k), k) for k in ("mm_m", "mm_n", "mm_nb", "mm_p"))
    try:
        return format_shape((Tensor(np.ones((m, n))) @ Tensor(np.ones((nb, p)))).shape)
    except ShapeError:
        return "no product"


# ---- Optimizer Lab (loss surfaces) ------------------------------------------------------------


def _optimizer(args: Args) -> str:
    name = _need(args, "optimizer")
    if name not in ("sgd", "momentum", "adam"):
        raise LessonError(f"optimizer must be sgd, momentum or adam, got {name[:20]!r}.")
    return name


def _kappa(query: Query) -> float:
    return _number(_need(query, "kappa"), "kappa")


def _first_step(query: Query, args: Args) -> float:
    """How far coordinate x or y moves in the optimizer's first step, with the view's manual
    settings (its first such optimizer in sopt) from the view's start (x0, y0)."""
    name, coord = _optimizer(args), _need(args, "coord")
    if coord not in ("x", "y"):
        raise LessonError(f"coord must be x or y, got {coord[:20]!r}.")
    if query.get("optimal", "1") != "0" and name != "adam":
        raise LessonError("first_step reads the manual settings: set optimal=0 in the view.")
    surface_name = _need(query, "surface")
    sopt = query.get("sopt", optimizer_lab.surface_defaults(surface_name)["sopt"])
    spec = next((c for c in parse_choices(sopt) if c.key == name), None)
    if spec is None:
        raise LessonError(f"The view compares no {name} (its sopt is {sopt[:40]!r}).")
    surface = make_surface(surface_name, _kappa(query))
    start = (_number(_need(query, "x0"), "x0"), _number(_need(query, "y0"), "y0"))
    points = descend(surface, spec, start, 1).points
    if len(points) < 2:
        raise LessonError("The first step diverged.")
    return abs(float(points[1]["xy".index(coord)] - points[0]["xy".index(coord)]))


# ---- Network Builder --------------------------------------------------------------------------


def _dropout_scale(query: Query, args: Args) -> float:
    """What a kept activation of 1 becomes in training with hidden layer `layer`'s dropout p."""
    drops = MLPSpec.from_text(_need(query, "net")).dropouts
    layer = _index(_need(args, "layer"), "layer")
    if not 1 <= layer <= len(drops):
        raise LessonError(f"layer must be 1 to {len(drops)}, got {layer}.")
    p = float(drops[layer - 1])
    if p >= 1:
        raise LessonError("With p = 1 nothing is kept.")
    out = dropout(Tensor(np.ones(64)), p, training=True, rng=np.random.default_rng(0)).data
    return float(out.max())


ANSWERS: dict[str, AnswerKind] = {
    "grad": AnswerKind(EXPRESSION_GRAPH, "∂output/∂wrt from the backward pass (at=i: element i)",
                       lambda q, a: _element(_gradient(q, a), a)),
    "value": AnswerKind(EXPRESSION_GRAPH, "the value of node (default: the output; at=i)",
                        lambda q, a: _element(_node(q, a).data, a)),
    "shape": AnswerKind(EXPRESSION_GRAPH, "the shape of node's value, e.g. (3,1)",
                        lambda q, a: format_shape(_node(q, a).shape)),
    "grad_shape": AnswerKind(EXPRESSION_GRAPH, "the shape of ∂output/∂wrt",
                             lambda q, a: format_shape(_gradient(q, a).shape)),
    "central_difference": AnswerKind(EXPRESSION_GRAPH,
                                     "(f(x+h) − f(x−h)) / 2h along input wrt, step h",
                                     lambda q, a: _difference(q, a, central=True)),
    "forward_difference": AnswerKind(EXPRESSION_GRAPH, "(f(x+h) − f(x)) / h along input wrt",
                                     lambda q, a: _difference(q, a, central=False)),
    "softmax_probability": AnswerKind(BUILDING_BLOCKS, "the softmax probability of word",
                                      _softmax_probability),
    "cross_entropy_loss": AnswerKind(BUILDING_BLOCKS, "the cross-entropy loss of the true class",
                                     lambda q, a: _cross_entropy(q)[2].item()),
    "cross_entropy_gradient": AnswerKind(BUILDING_BLOCKS, "∂loss/∂z of class label",
                                         _cross_entropy_gradient),
    "z_score": AnswerKind(BUILDING_BLOCKS, "the z-score of pasted number at=i (from 0)",
                          lambda q, a: _element(stats.z_scores(_pasted(q)), a)),
    "min_max": AnswerKind(BUILDING_BLOCKS, "the min–max scaled pasted number at=i (from 0)",
                          lambda q, a: _element(stats.min_max_scale(_pasted(q)), a)),
    "normal_within": AnswerKind(BUILDING_BLOCKS, "the share of a normal distribution within ±k σ",
                                lambda q, a: stats.normal_fraction_within(
                                    _number(_need(a, "k"), "k"))),
    "matmul_shape": AnswerKind(BUILDING_BLOCKS, "the shape of A @ B, or ‘no product’",
                               _matmul_shape),
    "rate": AnswerKind(OPTIMIZER_LAB, "the per-step contraction factor with optimal settings",
                       lambda q, a: theoretical_rates(_kappa(q))[_optimizer(a)]),
    "optimal_lr": AnswerKind(OPTIMIZER_LAB, "the optimal learning rate for the view's κ",
                             lambda q, a: optimal_settings(_kappa(q))[_optimizer(a)]["lr"]),
    "first_step": AnswerKind(OPTIMIZER_LAB, "|Δx| or |Δy| (coord=) of the first step",
                             _first_step),
    "dropout_scale": AnswerKind(NETWORK_BUILDER, "a kept 1 in training, in hidden layer layer",
                                _dropout_scale),
}


def _spec(answer: str) -> tuple[AnswerKind, dict[str, str]]:
    kind, *parts = answer.split()
    if kind not in ANSWERS:
        raise LessonError(f"Unknown answer kind ‘{kind[:30]}’; the kinds are: "
                          f"{', '.join(ANSWERS)}.")
    args = {}
    for part in parts:
        name, equals, value = part.partition("=")
        if not equals or not name:
            raise LessonError(f"Answer arguments are name=value, got ‘{part[:30]}’.")
        args[name] = value
    return ANSWERS[kind], args


def solve(step: Step) -> Solution:
    """The engine's answer to the step's question, computed from the step's view."""
    question = step.question
    if question is None:
        raise LessonError("This step asks no question.")
    kind, args = _spec(question.answer)
    if kind.page != step.page:
        raise LessonError(f"‘{question.answer.split()[0]}’ answers questions about "
                          f"{kind.page}, but this step shows {step.page}.")
    try:
        with np.errstate(all="ignore"):
            value = kind.compute(step.query, args)
    except LessonError:
        raise
    except PlaygroundError as err:
        raise LessonError(f"The view's state gives no answer: {err}") from None
    return Solution(value, _right_choice(question, value))


def _right_choice(question: Question, value: float | str) -> int | None:
    if not question.choices:
        return None
    if isinstance(value, str):
        matches = [i for i, c in enumerate(question.choices) if c == value]
    else:
        matches = [i for i, c in enumerate(question.choices) if _close(c, value, question)]
    if len(matches) != 1:
        raise LessonError(f"The engine's answer is {Solution(value, None).text}: exactly one "
                          f"choice must match it, {len(matches)} do.")
    return matches[0]


def _close(text: str, value: float, question: Question) -> bool:
    try:
        return abs(float(text) - value) <= question.tolerance
    except ValueError:
        return False


def is_right(question: Question, solution: Solution, guess: float | int) -> bool:
    """A typed number within the tolerance, or the index of the right choice."""
    if question.choices:
        return guess == solution.choice
    return not isinstance(solution.value, str) and abs(guess - solution.value) <= \
        question.tolerance
