"""Crash-freedom of the whole Expression Graph pipeline: parse → default inputs → build → record
backward → graph → player data (reverse and forward mode) → tables → gradient check →
accumulation → surface, on generated programs and generated values. Only the project's own user
errors (PlaygroundError) may come out."""

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from engine import PlaygroundError
from engine.expr import parse
from page_models import expression_graph as model
from viz.graph import node_keys, tensor_graph
from viz.graph_player import player_data
from viz.graph_tables import accumulation_table, gradcheck_table, node_labels, nonfinite_warning
from viz.surface import span_around, surface_grid

NAMES = ["x", "y", "W", "b"]
UNARY = ["sigmoid", "tanh", "relu", "exp", "log", "sqrt", "abs", "sum", "mean", "max", "softmax",
         "neg"]
BINARY = ["+", "-", "*", "/", "**", "@"]
VALUES = ["0", "1.5", "-2", "[2.0]", "[[1.0]]", "[]", "zeros(0)", "1e308", "1e-308", "-1e308",
          "randn(3)", "randn(2, 3)", "randn(3, 1)", "[1, 2, 3]", "eye(2)", "ones(1, 1)"]


def expressions(depth: int = 3):
    leaf = st.one_of(st.sampled_from(NAMES), st.sampled_from(["2", "0.5", "-1", "[1, 2]"]))
    if depth == 0:
        return leaf
    inner = expressions(depth - 1)
    return st.one_of(
        leaf,
        st.tuples(st.sampled_from(UNARY), inner).map(lambda t: f"{t[0]}({t[1]})"),
        st.tuples(inner, st.sampled_from(BINARY), inner).map(lambda t: f"({t[0]} {t[1]} {t[2]})"),
        inner.map(lambda e: f"({e}).T"),
    )  # reductions over an axis: engine's own fuzzer (0-d values along axis 0 are its fix)


programs = st.lists(
    st.tuples(st.sampled_from(["h", "z", "x", ""]), expressions()), min_size=1, max_size=3
).map(lambda lines: "\n".join(f"{t} = {e}" if t else e for t, e in lines))
literal_lines = st.sampled_from(["", "a = -4.0\n", "W = randn(2, 2)\n", "b = []\n"])
values = st.dictionaries(st.sampled_from(NAMES), st.tuples(st.sampled_from(VALUES), st.booleans()))


def pipeline(source: str, given_values: dict, eps: int) -> None:
    program = parse(source)
    vals = model.encode_values((n, v, p) for n, (v, p) in given_values.items())
    specs = model.input_specs(program, vals)
    if model.first_bad_value(specs, 0) is not None:
        return
    view = model.build_view(program, specs, 0)
    graph = tensor_graph(view.record, view.names)
    node_keys(graph)
    node_labels(graph)
    nonfinite_warning(graph, view.built.statement_of)
    player_data(graph, view.graph_id)
    for parameter in view.built.parameters[:1]:
        player_data(graph, view.graph_id, tangents=model.tangents_from(view, parameter.name))
    parameters, _ = model.gradcheck_plan(view)
    if parameters:
        gradcheck_table(model.run_gradcheck(view, parameters, eps).checks)
    if view.built.output.requires_grad:
        accumulation_table(model.accumulation(view))
    model.passes_text(view)
    pair = model.surface_inputs(view)
    if pair is not None:
        f, elementwise = model.surface_function(view)
        x0, y0 = (t.data.item() for t in pair)
        surface_grid(f, x0, y0, span_around(x0, y0), n=5, vectorised=elementwise)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(literal_lines, programs, values, st.sampled_from(model.EPS_EXPONENTS))
def test_the_pipeline_raises_only_user_errors(literals, source, given_values, eps):
    try:
        with np.errstate(all="ignore"):
            pipeline(literals + source, given_values, eps)
    except PlaygroundError:
        pass


def test_the_pipeline_runs_every_stage_on_a_typical_program():
    pipeline("h = tanh(W @ x + b)\ns = sum(h * h)", {"x": ("randn(2, 1)", False)}, 6)
