"""The Expression Graph page's model: its state, the inputs' URL form, building a program, and
what the page shows next to the graph (gradient check, surface, accumulation, pass counts).

    state = parse_query(PARAMS, query)
    program = parse(state["src"])                       # ExprError -> shown under the editor
    specs = input_specs(program, state["vals"])
    view = build_view(program, specs, state["seed"])    # runs forward and backward once

Everything here is plain Python, unit-tested without Streamlit (tests/page_models).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

import numpy as np

from engine import OPS, ExprError, LimitError, Tensor, gradcheck, no_grad, unbroadcast
from engine.expr import ExprGraph, InputSpec, Program, build, input_value
from engine.expr.functions import UNTYPABLE
from engine.gradcheck import InputCheck
from engine.limits import MAX_GRAPH_NODES, MAX_SOURCE_CHARS, check_limit
from page_models.examples import EXAMPLES, EXAMPLES_BY_KEY, Example
from page_models.free_names import default_specs
from page_models.graph_record import BackwardRecord, record_backward
from page_models.limits import MAX_GRADCHECK_ELEMENTS, MAX_GRADCHECK_WORK
from page_models.url import Param

DEFAULT_EXAMPLE = EXAMPLES_BY_KEY["neuron"]
EPS_EXPONENTS = tuple(range(2, 11))  # the gradient check's ε = 1e-2 … 1e-10
DEFAULT_EPS_EXPONENT = 6
PROGRAM_HELP = ("One statement per line: `name = expression`; the last line is the output. "
                "`a = -4.0`, `a = Value(-4.0)` or `W = randn(3, 2)` makes a parameter. Ops: "
                + ", ".join(f"`{op.help}`" for op in OPS.values() if op.name not in UNTYPABLE
                            or op.notation)
                + " (one tensor argument: also as a method, `x.relu()`). Lines with import, "
                "print(…) or `g.backward()` are skipped.")
VALUE_HELP = ("A number, a list such as [[1, 2], [3, 4]], or randn(3, 2), rand(3), zeros(3), "
              "ones(2, 2), arange(4), eye(3).")
GRAPH_KEY = ("Fill: the value (blue −, red +); ring and purple text: the gradient (green −, "
             "purple +); orange: inf or nan. Squares are leaves; t1, t2, … name unnamed steps. "
             "Numbers to 3 significant digits: hover a node for its exact value. Drag to pan, "
             "Ctrl + wheel or pinch to zoom.")


def skipped_note(program: Program) -> str:
    """'Skipped line 1 (import), lines 15–18 (print and backward: the graph runs backward by
    itself).': runs of consecutive skipped lines, each with its kinds; "" if none."""
    runs: list[list] = []
    for skipped in program.skipped_lines:
        if runs and runs[-1][-1].line == skipped.line - 1:
            runs[-1].append(skipped)
        else:
            runs.append([skipped])
    parts = []
    for run in runs:
        kinds = list(dict.fromkeys(s.kind for s in run))
        why = " and ".join(kinds)
        if "backward" in kinds:
            why += ": the graph runs backward by itself"
        lines = (f"line {run[0].line}" if len(run) == 1
                 else f"lines {run[0].line}–{run[-1].line}")
        parts.append(f"{lines} ({why})")
    return f"Skipped {', '.join(parts)}." if parts else ""


def graph_caption(source: str, hidden: bool = False) -> str:
    """The caption under the graph: the example's explanation (if `source` is one), the key;
    while a lesson's question hides the numbers (`hidden`), that instead of the explanation."""
    blurb = HIDDEN_NOTE if hidden else next((e.blurb for e in EXAMPLES if e.source == source),
                                            None)
    return f"{blurb} {GRAPH_KEY}" if blurb else GRAPH_KEY


def encode_values(rows: Iterable[tuple[str, str, bool]]) -> str:
    """Inputs in their one URL form: compact JSON [[name, spec, is parameter], ...] by name."""
    return json.dumps(sorted([n, str(v), bool(p)] for n, v, p in rows), ensure_ascii=False,
                      separators=(",", ":"))


def decode_values(text: str) -> dict[str, InputSpec] | None:
    """The inputs a URL carries (malformed rows left out), or None if it is unreadable."""
    try:
        rows = json.loads(text)
    except ValueError:
        return None
    if not isinstance(rows, list):
        return None
    return {row[0]: InputSpec(row[1], row[2]) for row in rows
            if isinstance(row, list) and len(row) == 3 and isinstance(row[0], str)
            and isinstance(row[1], str) and isinstance(row[2], bool)}


def example_values(example: Example) -> str:
    return encode_values((n, s.value, s.parameter) for n, s in example.values.items())


PARAMS = {
    "src": Param(DEFAULT_EXAMPLE.source, max_len=MAX_SOURCE_CHARS),
    "vals": Param(example_values(DEFAULT_EXAMPLE)),
    "seed": Param(0, lo=0, hi=999_999),
    "node": Param(-1, lo=-1, hi=MAX_GRAPH_NODES),
    "frame": Param(0, lo=0, hi=10 * MAX_GRAPH_NODES),  # the player's step; 0 = the bare graph
    "eps": Param(DEFAULT_EPS_EXPONENT, choices=EPS_EXPONENTS),  # gradient check ε = 10^-eps
    "tangent": Param("", max_len=40),  # forward mode from this input ("": reverse mode)
    "hide": Param(False),  # a lesson's question is open: no computed value or gradient shown
}


def example_state(key: str | None) -> dict[str, str] | None:
    """The state a built-in example sets (?example=chain), or None for an unknown key."""
    example = EXAMPLES_BY_KEY.get(key or "")
    if example is None:
        return None
    return {"src": example.source, "vals": example_values(example)}


def input_specs(program: Program, vals: str) -> dict[str, InputSpec]:
    """A spec for each free name of `program`: the one `vals` (the URL form) saved (an
    unreadable `vals` counts as the default's), else a default whose shape fits the name's use
    (page_models.free_names)."""
    saved = decode_values(vals)
    if saved is None:
        saved = decode_values(PARAMS["vals"].default)
    defaults = default_specs(program)
    return {name: saved.get(name, defaults[name]) for name in program.free_names}


def first_bad_value(specs: Mapping[str, InputSpec], seed: int):
    """(name, ExprError) of the first input whose value does not read, or None."""
    for name, spec in specs.items():
        try:
            input_value(name, spec.value, seed)
        except ExprError as err:
            return name, err
    return None


@dataclass(frozen=True)
class View:
    """A built program after one recorded forward and backward pass."""

    built: ExprGraph
    record: BackwardRecord
    graph_id: str  # changes exactly when the graph (structure or numbers) changes

    @property
    def names(self) -> dict[str, Tensor]:
        return {**self.built.inputs, **self.built.nodes}


def graph_id(program: Program, specs: Mapping[str, InputSpec], seed: int) -> str:
    """What identifies a graph and its numbers: the program, the inputs and the seed."""
    key = json.dumps([program.source, sorted((n, str(s.value), s.parameter)
                                             for n, s in specs.items()), seed])
    return hashlib.sha1(key.encode()).hexdigest()[:12]


def build_view(program: Program, specs: Mapping[str, InputSpec], seed: int) -> View:
    """Build the program and record its backward pass (ExprError / PlaygroundError on bad
    input)."""
    built = build(program, specs, seed=seed)
    return View(built, record_backward(built.output), graph_id(program, specs, seed))


def memoised(memo: dict, kind: str, key, compute):
    """compute(), once per key: a session keeps the last result of each kind, so a rerun that
    does not change the graph (a node click, the inspector, presenter mode) rebuilds nothing."""
    if kind not in memo or memo[kind][0] != key:
        memo[kind] = (key, compute())
    return memo[kind][1]


def follow_node(selected: int, shown: tuple[int, str | None] | None,
                keys: Mapping[int, str]) -> int:
    """The node to inspect after a rerun: `selected`, unless the program changed under it (the
    node shown last run had another key), then the node with that key; -1 if there is none."""
    if shown is not None and selected == shown[0] and keys.get(selected) != shown[1]:
        selected = next((n for n, key in keys.items() if key == shown[1]), -1)
    return selected if selected in keys else -1


# ---- the gradient check -------------------------------------------------------------------

@dataclass(frozen=True)
class CheckResult:
    checks: list[InputCheck]
    eps: float
    notes: list[str]  # why a failing parameter failed, in words


def gradcheck_plan(view: View) -> tuple[list[Tensor], str | None]:
    """The parameters to check, or none and the reason (no dependence, over a cap)."""
    built = view.built
    parameters = built.parameters
    if not parameters:
        return [], "No parameters: switch an input to parameter to get gradients."
    if not built.output.requires_grad:
        unused = ", ".join(p.name for p in parameters)
        return [], (f"{built.program.output_name} does not depend on any parameter ({unused}): "
                    "there is no gradient to check.")
    try:
        elements = sum(p.size for p in parameters)
        check_limit("The number of parameter elements to check", elements,
                    MAX_GRADCHECK_ELEMENTS)
        work = elements * sum(t.size for t in view.record.order)
        check_limit("The cost of the check (parameter elements × graph elements)", work,
                    MAX_GRADCHECK_WORK)
    except LimitError as err:
        return [], f"Skipped. {err}"
    return parameters, None


def run_gradcheck(view: View, parameters: list[Tensor], eps_exponent: int) -> CheckResult:
    eps = 10.0 ** -eps_exponent
    report = gradcheck(view.built.evaluate, parameters, eps=eps)
    notes = []
    for check in report.inputs:
        if not check.passed:
            notes.append(f"{check.name}: {explain_failure(view, check, eps)}")
    return CheckResult(report.inputs, eps, notes)


def explain_failure(view: View, check: InputCheck, eps: float) -> str:
    """Why central differences disagree with the backward pass, in words."""
    for tensor in view.record.order:
        op = tensor.op
        if op is None or not tensor.parents:
            continue
        a = tensor.parents[0].data
        with np.errstate(all="ignore"):
            kink = next((k for k in op.kinks_at(tensor.attrs) if (np.abs(a - k) <= eps).any()),
                        None)
            edge = next((e for e in op.domain if np.isfinite(e)
                         and any((np.abs(p.data - e) <= eps).any() for p in tensor.parents)),
                        None)
        if kink is not None:
            return (f"{op.title} has a kink at {kink:g} and its input is within ε = {eps:g} of "
                    "it: x+ε and x−ε land on the two sides, so the difference quotient averages "
                    "the two slopes, while backward uses one side.")
        if edge is not None:
            return (f"{op.title} is near the edge of its domain (an input is within ε = "
                    f"{eps:g} of {edge:g}): x−ε falls outside, or the slope changes so fast "
                    "there that no ε measures it.")
    if not (np.isfinite(check.analytic).all() and np.isfinite(check.numeric).all()):
        return ("a value is inf or nan here, so neither gradient is a number to compare; "
                "move the input away from where the function blows up.")
    if eps < 1e-8:
        return (f"ε = {eps:g} is so small that f(x+ε) − f(x−ε) loses most digits to rounding: "
                "try 1e-6.")
    if eps > 1e-4:
        return (f"ε = {eps:g} is large: the curvature of f over ±ε shifts the difference "
                "quotient; try 1e-6.")
    return "the two gradients disagree beyond the tolerance."


# ---- the surface of a two-input program -------------------------------------------------

def surface_inputs(view: View) -> tuple[Tensor, Tensor] | None:
    """The two scalar parameters if the program has exactly two and a finite scalar output."""
    built, grads = view.built, view.record.gradients
    inputs = list(built.inputs.values())
    if len(inputs) != 2 or built.output.size != 1:
        return None
    if not all(t.requires_grad and t.size == 1 and t in grads for t in inputs):
        return None
    finite = [t.data for t in (*inputs, built.output)] + [grads[t] for t in inputs]
    return (inputs[0], inputs[1]) if all(np.isfinite(a).all() for a in finite) else None


def surface_function(view: View):
    """f(x, y) of the output over the two inputs (arrays in, array out; no graph recorded), and
    whether it may be called with whole grids (every op elementwise)."""
    built = view.built
    elementwise = all(t.op is None or t.op.kind == "elementwise" for t in view.record.order)

    def f(a, b):
        with no_grad(), np.errstate(all="ignore"):
            return built.evaluate(Tensor(a), Tensor(b)).data

    return f, elementwise


# ---- accumulation, and forward against reverse mode -------------------------------------

def accumulation(view: View, passes: int = 2) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """Each parameter's gradient after one backward pass and after `passes` passes without
    zero_grad in between (on a fresh evaluation, so the recorded view is untouched); parameters
    the output does not depend on get none and are left out."""
    built = view.built
    parameters = [Tensor(p.data.copy(), requires_grad=True, name=p.name)
                  for p in built.parameters]
    result = {}
    out = built.evaluate(*parameters)
    seed = np.ones_like(out.data)
    out.backward(seed)
    once = [None if p.grad is None else np.array(p.grad) for p in parameters]
    for _ in range(passes - 1):
        built.evaluate(*parameters).backward(seed)
    for p, first in zip(parameters, once):
        if first is not None:
            result[p.name] = (first, np.array(p.grad))
    return result


HIDDEN_NOTE = ("The values and gradients the lesson's question asks for are hidden until you "
               "reveal the answer.")
ACCUMULATION_NOTE = ("`backward()` adds into `.grad`. Run it twice without `zero_grad()` and "
                     "every gradient doubles; `zero_grad()` clears them (None) before the next "
                     "pass.")


def passes_text(view: View) -> str:
    forward, reverse = pass_counts(view)
    return (f"**Reverse mode** (backpropagation) needs one pass per output entry: **{reverse}** "
            f"for all {forward} parameter entries. **Forward mode** carries one tangent per "
            f"input entry: **{forward}** passes for the same gradients.")


def pass_counts(view: View) -> tuple[int, int]:
    """(forward-mode passes, reverse-mode passes) for every parameter's gradient: one forward
    pass per parameter element, one reverse pass per output element."""
    return sum(p.size for p in view.built.parameters), view.built.output.size


def tangent_sources(view: View) -> list[str]:
    """The parameters forward mode can start from: those in the output's graph."""
    in_graph = set(view.record.order)
    return [p.name for p in view.built.parameters if p in in_graph]


def tangents_from(view: View, name: str) -> tuple[Tensor, dict] | None:
    """(the input, every node's tangent) for forward mode from parameter `name`; None if it is
    not one of tangent_sources (e.g. "")."""
    if name not in tangent_sources(view):
        return None
    source = view.built.inputs[name]
    return source, forward_tangents(view, source)


MAX_TANGENT_ROWS = 1000  # output entries of one op whose Jacobian forward mode assembles


def forward_tangents(view: View, source: Tensor) -> dict[Tensor, np.ndarray]:
    """Forward mode from one input: each node's tangent, the directional derivative
    ∂node/∂source · 1 (the input nudged along ones), carried forward in topological order.

    Each op's Jacobian-vector product is assembled from its vector-Jacobian products (one per
    output entry), so forward mode uses the same op table as the backward pass. Nodes that do
    not depend on `source` get no tangent."""
    tangents = {source: np.ones_like(source.data)}
    for tensor in view.record.order:
        if tensor.op is None or tensor in tangents:
            continue
        inputs = [p.data for p in tensor.parents]
        check_limit("The entries of one value in forward mode", tensor.size, MAX_TANGENT_ROWS)
        total = None
        for parent, vjp in zip(tensor.parents, tensor.op.vjps):
            if parent not in tangents or vjp is None:
                continue
            rows = np.zeros(tensor.size)
            for i in range(tensor.size):
                basis = np.zeros(tensor.size)
                basis[i] = 1.0
                with np.errstate(all="ignore"):
                    row = vjp(basis.reshape(tensor.shape), tensor.data, *inputs, **tensor.attrs)
                rows[i] = np.sum(unbroadcast(np.asarray(row), parent.shape) * tangents[parent])
            part = rows.reshape(tensor.shape)
            total = part if total is None else total + part
        if total is not None:
            tangents[tensor] = total
    return tangents
