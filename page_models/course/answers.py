"""The answers to lesson questions, each computed by the engine from the step's own view.

A question's `answer` is a kind and `name=value` arguments, e.g. "grad wrt=w1" or
"softmax_probability word=mat". ANSWERS is the one registry: kind -> the page whose state it
reads, what it computes (shown to authors), and the computation, which gets the step's query and
the arguments. Nothing typed by an author is evaluated: arguments are names and numbers.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache

import numpy as np

from engine import Tensor, format_shape
from engine.errors import PlaygroundError
from engine.expr import build
from engine.functional import dropout
from engine.nn import MLP, MLPSpec
from engine.train import train
from page_models import network_builder, optimizer_lab
from page_models.building_blocks import PARAMS as BUILDING_BLOCKS_PARAMS
from page_models.building_blocks import SECTIONS
from page_models.course.lesson import LessonError, Question, Step
from page_models.course.views import (
    BUILDING_BLOCKS,
    EXPRESSION_GRAPH,
    NETWORK_BUILDER,
    OPTIMIZER_LAB,
    expression_inputs,
)
from page_models.numerics import scaling, typed
from page_models.optimizers import parse_choices
from page_models.surfaces import descend, make_surface, optimal_settings, theoretical_rates
from page_models.url import parse_query

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
        return typed.parse_number(text)
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


def _names(args: Args) -> list[str]:
    names = [n for n in _need(args, "among").split(",") if n]
    if len(names) < 2:
        raise LessonError("among= names at least two values, separated by commas.")
    return names


def _largest_grad(query: Query, args: Args) -> str:
    """The name among `among` whose gradient is largest in size (its largest |entry|)."""
    built = _program(query)
    sizes = {}
    for name in _names(args):
        grad = _tensor(built, name).grad
        if grad is None:
            raise LessonError(f"‘{name}’ gets no gradient: make it a parameter.")
        sizes[name] = float(np.abs(grad).max())
    return max(sizes, key=sizes.get)


def _compare(query: Query, args: Args) -> str:
    """Whether node `node` (default: the output) is above, below or equal to `than`."""
    value = _element(_node(query, args).data, args)
    than = _number(_need(args, "than"), "than")
    return "above" if value > than else "below" if value < than else "equal"


def _closer_difference(query: Query, args: Args) -> str:
    """Which difference quotient with step h lands closer to the backward pass's slope."""
    exact = _element(_gradient(query, args), {})
    central = abs(_difference(query, args, central=True) - exact)
    forward = abs(_difference(query, args, central=False) - exact)
    return "central" if central < forward else "forward"


def _rows_equal(query: Query, args: Args) -> str:
    """"yes" if every row of ∂output/∂wrt is the same (the units are interchangeable)."""
    grad = np.atleast_2d(_gradient(query, args))
    return "yes" if np.allclose(grad, grad[:1]) else "no"


def _passes(query: Query, args: Args) -> float:
    """The passes a whole gradient (or Jacobian) of the program costs with method=central (two
    forward passes per parameter entry), forward (forward mode: one per parameter entry) or
    reverse (reverse mode: one per output entry)."""
    method = _need(args, "method")
    built = _program(query, backward=False)
    inputs = sum(p.size for p in built.parameters)
    counts = {"central": 2 * inputs, "forward": inputs, "reverse": built.output.size}
    if method not in counts:
        raise LessonError(f"method must be {', '.join(counts)}, got {method[:20]!r}.")
    return float(counts[method])


def _largest_in_row(query: Query, args: Args) -> str:
    """‘token j’: the column of matrix node `node`'s row `row` (from 0) with the largest value."""
    value = np.asarray(_node(query, args).data)
    row = _index(_need(args, "row"), "row")
    if value.ndim != 2 or row >= value.shape[0]:
        raise LessonError(f"‘{args.get('node', 'the output')}’ has no row {row}: it is shaped "
                          f"{format_shape(value.shape)}.")
    return f"token {int(np.argmax(value[row])) + 1}"


def _accumulated_grad(query: Query, args: Args) -> float:
    """∂output/∂wrt as it stands after `calls` backward passes without zero_grad in between:
    each pass adds its gradient to what the last one left (at=i: element i)."""
    calls = _index(_need(args, "calls"), "calls")
    if not 1 <= calls <= 10:
        raise LessonError(f"calls must be 1 to 10, got {calls}.")
    built = _program(query, backward=False)
    for _ in range(calls):
        built.evaluate(*built.parameters).backward()
    return _element(_tensor(built, _need(args, "wrt")).grad, args)


# ---- Building Blocks --------------------------------------------------------------------------

SECTION_PARAM = {"section": BUILDING_BLOCKS_PARAMS["section"]}


def _section(query: Query, key: str, **changes):
    """What Building Blocks section `key` shows for the view, its values read through the page's
    own Param tables (the view must show that section); `changes` replace some of the values
    (the same view at another temperature)."""
    if parse_query(SECTION_PARAM, query)["section"] != key:
        raise LessonError(f"This answer reads the {SECTIONS[key].title} section: set "
                          f"section={key} in the view.")
    section = SECTIONS[key]
    return section.compute({**parse_query(section.params, query), **changes})


def _label_index(labels: list[str], label: str) -> int:
    if label not in labels:
        raise LessonError(f"‘{label}’ is not one of the view's labels: {', '.join(labels)}.")
    return labels.index(label)


def _softmax_probability(query: Query, args: Args) -> float:
    view = _section(query, "softmax")
    return float(view.probs[_label_index(view.labels, _need(args, "word"))])


def _cross_entropy(query: Query):
    view = _section(query, "cross-entropy")
    if parse_query(SECTIONS["cross-entropy"].params, query)["ce_true"] != view.true_index:
        raise LessonError(f"ce_true={query['ce_true'][:20]} is past the last class.")
    return view


def _cross_entropy_gradient(query: Query, args: Args) -> float:
    view = _cross_entropy(query)
    return float(view.grad[_label_index(view.labels, _need(args, "label"))])


def _matmul_shape(query: Query, args: Args) -> str:
    """The shape of A @ B for the view's sizes, or "no product" if they do not fit."""
    product = _section(query, "matmul").c
    return "no product" if product is None else format_shape(product.shape)


def _drawn_share(query: Query, args: Args) -> float:
    """The share of the view's draws that came up `word`."""
    view = _section(query, "softmax")
    return float(view.counts[_label_index(view.labels, _need(args, "word"))] / view.counts.sum())


def _softmax_trend(query: Query, args: Args) -> str:
    """Whether `word`'s probability rises or falls when the temperature goes to `to`."""
    view = _section(query, "softmax")
    i = _label_index(view.labels, _need(args, "word"))
    now = view.probs[i]
    then = _section(query, "softmax", sm_temp=_number(_need(args, "to"), "to")).probs[i]
    return "rises" if then > now else "falls" if then < now else "stays"


def _gradient_sign(query: Query, args: Args) -> str:
    value = _cross_entropy_gradient(query, args)
    return "negative" if value < 0 else "positive" if value > 0 else "zero"


SCALINGS = {"min-max": scaling.min_max_scale, "z-scores": scaling.z_scores}


def _more_squeezed(query: Query, args: Args) -> str:
    """Which scaling, min-max or z-scores, squeezes the other pasted numbers more once the last
    one (the outlier) joins them (scaling.outlier_squeeze)."""
    numbers = _section(query, "normalisation").x
    squeeze = {name: scaling.outlier_squeeze(f, numbers) for name, f in SCALINGS.items()}
    return max(squeeze, key=squeeze.get)


def _matmul_entry(query: Query, args: Args) -> float:
    view = _section(query, "matmul")
    if view.c is None:
        raise LessonError("The view's shapes do not fit: there is no product C.")
    return float(view.c[view.row, view.col])


def _best_step(query: Query, args: Args) -> str:
    """The power of ten nearest the step h with the smallest error: "1e-5"."""
    method = _need(args, "method")
    if method not in ("central", "forward"):
        raise LessonError(f"method must be central or forward, got {method[:20]!r}.")
    errors = _section(query, "derivatives")
    best = errors.h[int(np.nanargmin(getattr(errors, method)))]
    return f"1e{round(math.log10(best))}"


def _sample_stat(query: Query, args: Args) -> float:
    """The view's sample mean or standard deviation (which=mean|std, s over n − 1)."""
    which = _need(args, "which")
    if which not in ("mean", "std"):
        raise LessonError(f"which must be mean or std, got {which[:20]!r}.")
    value = getattr(_section(query, "distributions"), which)
    if value is None:
        raise LessonError("One value has no sample standard deviation.")
    return float(value)


def _survey_mean(query: Query, args: Args) -> float:
    """The mean of the view's random or biased sample (sample=random|biased)."""
    which = _need(args, "sample")
    if which not in ("random", "biased"):
        raise LessonError(f"sample must be random or biased, got {which[:20]!r}.")
    return float(getattr(_section(query, "sampling-bias"), f"{which}_sample").mean())


def _decade(value: float) -> str:
    """The power of ten nearest a positive number: "1e-10"."""
    return f"1e{round(math.log10(value))}" if value > 0 else "0"


def _smaller_error(query: Query, args: Args) -> str:
    """SVD or NMF: which approximates the view's matrix better at the chosen rank."""
    view = _section(query, "factorisation")
    svd, nmf = view.svd_errors[view.rank - 1], view.nmf_errors[view.rank - 1]
    return "SVD" if svd < nmf - 1e-12 else "NMF" if nmf < svd - 1e-12 else "equal"


def _condition_number(query: Query, args: Args) -> float:
    if parse_query(SECTION_PARAM, query)["section"] == "conditioning":
        return _section(query, "conditioning").summary.condition_number
    return _section(query, "quadratic-forms").condition_number


def _regression(query: Query, args: Args) -> float:
    which = _need(args, "which")
    if which not in ("intercept", "slope"):
        raise LessonError(f"which must be intercept or slope, got {which[:20]!r}.")
    return float(_section(query, "regression").w[int(which == "slope")])


def _error_growth(query: Query, args: Args) -> float:
    """How many times the relative error in b the relative error in x of Ax = b is."""
    solved = _section(query, "conditioning").solve
    if solved is None:
        raise LessonError("A is singular: Ax = b has no unique solution.")
    return solved.x_change / solved.b_change


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


def _runs(query: Query):
    """The view's surface setup and every optimizer's trajectory, as the page draws them."""
    surface = query.get("surface", optimizer_lab.PARAMS["surface"].default)
    values = parse_query(optimizer_lab.page_params(
        optimizer_lab.PARAMS["surface"].parse(surface)), query)
    setup = optimizer_lab.surface_setup(values)
    return setup, optimizer_lab.descend_all(setup)


def _run(query: Query, args: Args):
    """Run `run` (1-based, in the order the view lists its optimizers)."""
    _, trajectories = _runs(query)
    k = _index(args.get("run", "1"), "run")
    if not 1 <= k <= len(trajectories):
        raise LessonError(f"run must be 1 to {len(trajectories)}, got {k}.")
    return trajectories[k - 1]


def _diverges(query: Query, args: Args) -> str:
    """"yes" if run `run` blows up or ends with a larger loss than it started with."""
    run = _run(query, args)
    return "yes" if run.diverged_at is not None or run.losses[-1] > run.losses[0] else "no"


def _fastest_lr(query: Query, args: Args) -> float:
    """The learning rate of the run whose loss gap f − f* first drops below `gap`."""
    setup, trajectories = _runs(query)
    gap = _number(_need(args, "gap"), "gap")
    reached = [(int(np.argmax(run.losses - setup.surface.f_min < gap)), run.optimizer.lr)
               for run in trajectories if (run.losses - setup.surface.f_min < gap).any()]
    if not reached:
        raise LessonError(f"No run gets within {gap:g} of the minimum.")
    return min(reached)[1]


def _first_to_reach(query: Query, args: Args) -> str:
    """The optimizer whose loss gap f − f* first drops below `gap` ("none" if none does)."""
    setup, trajectories = _runs(query)
    gap = _number(_need(args, "gap"), "gap")
    best, name = math.inf, "none"
    for run in trajectories:
        below = np.flatnonzero(run.losses - setup.surface.f_min < gap)
        if below.size and below[0] < best:
            best, name = below[0], run.optimizer.label
    return name


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


def _builder(query: Query) -> network_builder.Setup:
    return network_builder.build(parse_query(network_builder.PARAMS, query))


def _layer_grads(query: Query, args: Args) -> np.ndarray:
    """Each layer's gradient norm, averaged over `epochs` epochs of the view's training."""
    setup = _builder(query)
    epochs = _index(_need(args, "epochs"), "epochs")
    if not 1 <= epochs <= 20:
        raise LessonError(f"epochs must be 1 to 20, got {epochs}.")
    history = train(setup.spec, setup.optimizer, setup.train_data, setup.val_data, epochs,
                    setup.batch_size, setup.seed)
    return history.grad_norms.mean(axis=0)


def _smallest_layer_grad(query: Query, args: Args) -> str:
    return f"layer {int(np.argmin(_layer_grads(query, args))) + 1}"


SHRINKS = ((3.0, "about the same"), (100.0, "3 to 100 times smaller"))


def _gradient_shrink(query: Query, args: Args) -> str:
    """How much smaller layer 1's mean gradient norm is than the output layer's, in words."""
    norms = _layer_grads(query, args)
    ratio = norms[-1] / norms[0]
    return next((words for bound, words in SHRINKS if ratio < bound),
                "more than 100 times smaller")


def _steps_per_epoch(query: Query, args: Args) -> float:
    setup = _builder(query)
    return float(math.ceil(len(setup.train_data.X) / setup.batch_size))


def _averaging_window(query: Query, args: Args) -> float:
    """1 / (1 − μ): about how many recent gradients the view's momentum velocity averages."""
    optimizer = _builder(query).optimizer
    if optimizer.key != "momentum":
        raise LessonError("The view trains without momentum: set opt=momentum:… in the view.")
    return 1 / (1 - optimizer["momentum"])


def _dropout_passes(query: Query, args: Args) -> str:
    """Whether two forward passes of the view's (untrained) network agree, in mode `mode`."""
    mode = _need(args, "mode")
    if mode not in ("train", "eval"):
        raise LessonError(f"mode must be train or eval, got {mode[:20]!r}.")
    setup = _builder(query)
    model = MLP(setup.spec, np.random.default_rng(setup.seed)).train(mode == "train")
    x = Tensor(setup.train_data.X)
    return "the same" if np.array_equal(model(x).data, model(x).data) else "different"


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
                                     lambda q, a: _cross_entropy(q).loss),
    "cross_entropy_gradient": AnswerKind(BUILDING_BLOCKS, "∂loss/∂z of class label",
                                         _cross_entropy_gradient),
    "z_score": AnswerKind(BUILDING_BLOCKS, "the z-score of pasted number at=i (from 0)",
                          lambda q, a: _element(_section(q, "normalisation").z, a)),
    "min_max": AnswerKind(BUILDING_BLOCKS, "the min–max scaled pasted number at=i (from 0)",
                          lambda q, a: _element(_section(q, "normalisation").min_max, a)),
    "normal_within": AnswerKind(BUILDING_BLOCKS, "the share of a normal distribution within ±k σ",
                                lambda q, a: scaling.normal_fraction_within(
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
    "largest_grad": AnswerKind(EXPRESSION_GRAPH, "which of among=a,b,… gets the largest |grad|",
                               _largest_grad),
    "compare": AnswerKind(EXPRESSION_GRAPH, "node (default: the output) above/below/equal than=",
                          _compare),
    "closer_difference": AnswerKind(EXPRESSION_GRAPH, "central or forward: which is closer with "
                                    "step h along wrt", _closer_difference),
    "passes": AnswerKind(EXPRESSION_GRAPH, "passes for the whole gradient by method=central|"
                         "forward|reverse", _passes),
    "largest_in_row": AnswerKind(EXPRESSION_GRAPH, "‘token j’: the largest entry of node's row=i",
                                 _largest_in_row),
    "accumulated_grad": AnswerKind(EXPRESSION_GRAPH, "wrt's gradient after calls= backward "
                                   "passes without zero_grad (at=i)", _accumulated_grad),
    "rows_equal": AnswerKind(EXPRESSION_GRAPH, "yes/no: every row of ∂output/∂wrt is the same",
                             _rows_equal),
    "softmax_trend": AnswerKind(BUILDING_BLOCKS, "word's probability rises/falls at temperature "
                                "to=", _softmax_trend),
    "drawn_share": AnswerKind(BUILDING_BLOCKS, "the share of the draws that came up word",
                              _drawn_share),
    "gradient_sign": AnswerKind(BUILDING_BLOCKS, "the sign of ∂loss/∂z of class label",
                                _gradient_sign),
    "more_squeezed": AnswerKind(BUILDING_BLOCKS, "min-max or z-scores: which the last pasted "
                                "number squeezes more", _more_squeezed),
    "matmul_entry": AnswerKind(BUILDING_BLOCKS, "the picked entry of C = A @ B", _matmul_entry),
    "best_step": AnswerKind(BUILDING_BLOCKS, "the power of ten nearest the best h for "
                            "method=central|forward", _best_step),
    "sample_stat": AnswerKind(BUILDING_BLOCKS, "the sample's which=mean|std",
                              _sample_stat),
    "survey_mean": AnswerKind(BUILDING_BLOCKS, "the mean of the sample=random|biased survey",
                              _survey_mean),
    "same_result": AnswerKind(BUILDING_BLOCKS, "yes/no: the loop and the vectorised call agree",
                              lambda q, a: "yes" if _section(q, "vectorisation").same_result
                              else "no"),
    "result_shape": AnswerKind(BUILDING_BLOCKS, "the shape of the tensors view's result",
                               lambda q, a: format_shape(_section(q, "tensors").result.shape)),
    "smaller_error": AnswerKind(BUILDING_BLOCKS, "SVD, NMF or equal: the smaller error at the "
                                "chosen rank", _smaller_error),
    "gradient_agreement": AnswerKind(BUILDING_BLOCKS, "the power of ten nearest the largest "
                                     "|finite difference − backward|",
                                     lambda q, a: _decade(
                                         _section(q, "autodiff-cost").max_difference)),
    "condition_number": AnswerKind(BUILDING_BLOCKS, "κ of the quadratic form or conditioning "
                                   "view", _condition_number),
    "rank": AnswerKind(BUILDING_BLOCKS, "the rank of the typed vectors",
                       lambda q, a: float(_section(q, "rank").rank)),
    "quadratic_shape": AnswerKind(BUILDING_BLOCKS, "bowl, dome, saddle, trough, ridge or flat",
                                  lambda q, a: _section(q, "quadratic-forms").shape),
    "regression": AnswerKind(BUILDING_BLOCKS, "the least-squares which=intercept|slope",
                             _regression),
    "error_growth": AnswerKind(BUILDING_BLOCKS, "relative error in x over relative error in b",
                               _error_growth),
    "diverges": AnswerKind(OPTIMIZER_LAB, "yes/no: run= (1-based) blows up or ends higher",
                           _diverges),
    "first_to_reach": AnswerKind(OPTIMIZER_LAB, "the optimizer first within gap= of the minimum",
                                 _first_to_reach),
    "fastest_lr": AnswerKind(OPTIMIZER_LAB, "the lr of the run first within gap= of the minimum",
                             _fastest_lr),
    "smallest_layer_grad": AnswerKind(NETWORK_BUILDER, "‘layer k’ with the smallest mean "
                                      "gradient norm over epochs= epochs", _smallest_layer_grad),
    "gradient_shrink": AnswerKind(NETWORK_BUILDER, "how much smaller layer 1's mean gradient "
                                  "is than the output layer's, over epochs= epochs",
                                  _gradient_shrink),
    "steps_per_epoch": AnswerKind(NETWORK_BUILDER, "minibatch steps in one epoch",
                                  _steps_per_epoch),
    "averaging_window": AnswerKind(NETWORK_BUILDER, "1/(1 − μ): the gradients momentum "
                                   "averages", _averaging_window),
    "dropout_passes": AnswerKind(NETWORK_BUILDER, "‘the same’ or ‘different’: two passes in "
                                 "mode=train|eval", _dropout_passes),
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


SOLVED_MAX = 256  # answers kept: a lesson step reruns on every click, and some answers train


def solve(step: Step) -> Solution:
    """The engine's answer to the step's question, computed from the step's view (remembered:
    the same view and question give the same answer)."""
    if step.question is None:
        raise LessonError("This step asks no question.")
    return _solve(step.page, tuple(step.query.items()), step.question)


@lru_cache(maxsize=SOLVED_MAX)
def _solve(page: str, query_items: tuple[tuple[str, str], ...], question: Question) -> Solution:
    kind, args = _spec(question.answer)
    if kind.page != page:
        raise LessonError(f"‘{question.answer.split()[0]}’ answers questions about "
                          f"{kind.page}, but this step shows {page}.")
    try:
        with np.errstate(all="ignore"):
            value = kind.compute(dict(query_items), args)
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


def typed_precision(number: float) -> tuple[int, float]:
    """(significant digits, half a unit in the last digit) of a number as typed: 0.53 -> (2,
    0.005), 12 -> (2, 0.5), 1e-05 -> (1, 5e-06). Read from its shortest repr, trailing zeros
    dropped (a number field keeps no trailing zeros)."""
    digits = Decimal(repr(float(number))).normalize().as_tuple()
    return len(digits.digits), 0.5 * 10.0 ** digits.exponent


def is_right(question: Question, solution: Solution, guess: float | int) -> bool:
    """The index of the right choice; or a typed number within the tolerance, or the answer
    correctly rounded to the digits typed, with at least the question's significant digits."""
    if question.choices:
        return guess == solution.choice
    if isinstance(solution.value, str) or not math.isfinite(guess):
        return False
    error = abs(guess - solution.value)
    if error <= question.tolerance:
        return True
    significant, half_unit = typed_precision(guess)
    return significant >= question.digits and error <= half_unit * (1 + 1e-9)
