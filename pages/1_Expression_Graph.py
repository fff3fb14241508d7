"""Expression Graph: type a program, see its computation graph, play the forward and backward
passes, inspect one node, and check every gradient against central differences.

The whole view lives in the URL: src (the program), vals (the inputs), seed, node (the node in the
inspector) and big (presenter mode). ?example=<key> opens a built-in example.
"""

import json

import numpy as np
import streamlit as st

from engine import ExprError, LimitError, PlaygroundError, Tensor, format_shape, gradcheck, no_grad
from engine.expr import InputSpec, build, default_spec, input_value, parse
from engine.limits import MAX_GRAPH_NODES, MAX_SOURCE_CHARS, check_limit
from page_models.examples import EXAMPLES, EXAMPLES_BY_KEY
from page_models.limits import MAX_GRADCHECK_ELEMENTS, MAX_GRADCHECK_WORK
from ui.errors import show_user_error
from ui.expr_error import show_expr_error
from ui.nav import page_header
from ui.node_inspector import show_inspector
from ui.state import Param, bind, explain_over_cap, publish, share_link
from viz.graph import first_nonfinite_node, node_keys, tensor_graph, text_name
from viz.graph_figure import NODES, graph_figure
from viz.numbers import short_text
from viz.surface import span_around, surface_figure, surface_grid

DEFAULT = EXAMPLES_BY_KEY["neuron"]
INPUT_COLUMNS = [2, 5, 3]
INPUT_HELP = {
    "Value": "A number, a list such as [[1, 2], [3, 4]], or randn(3, 2), rand(3), zeros(3), "
    "ones(2, 2), arange(4), eye(3).",
}
PRESENTER_CSS = "<style>html { font-size: 22px; }</style>"  # the page's text, in rem, grows
PRESENTER_SCALE = 1.3  # and the graph's nodes and labels


def encode_values(rows) -> str:
    """Inputs as compact JSON for the URL: [[name, spec, is parameter], ...] sorted by name."""
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


def example_rows(example):
    return [(name, spec.value, spec.parameter) for name, spec in example.values.items()]


PARAMS = {
    "src": Param(DEFAULT.source, max_len=MAX_SOURCE_CHARS),
    "vals": Param(encode_values(example_rows(DEFAULT))),
    "seed": Param(0, lo=0, hi=999_999),
    "node": Param(-1, lo=-1, hi=MAX_GRAPH_NODES),
    "big": Param(False),
}
state = st.session_state

page_header(
    "pages/1_Expression_Graph.py",
    intro="Type a program, press **▶ Play** under the graph, and watch values flow forward and "
    "gradients flow backward. Click a node to inspect it.",
)
opened = st.query_params.get("example")
if "src" not in state and "src" not in st.query_params and opened in EXAMPLES_BY_KEY:
    state.src = EXAMPLES_BY_KEY[opened].source
    state.vals = encode_values(example_rows(EXAMPLES_BY_KEY[opened]))
bind(PARAMS)
explain_over_cap(PARAMS)


def forget_inputs() -> None:
    for key in [k for k in state if k.startswith(("val_", "par_"))]:
        del state[key]


def load_example() -> None:
    example = EXAMPLES_BY_KEY.get(state.example_pick)
    if example is None:
        return
    state.src = example.source
    state.vals = encode_values(example_rows(example))
    state.node = -1
    forget_inputs()
    state.example_pick = None


def pick_node() -> None:
    """A click on the graph selects a node for the inspector."""
    points = state.graph_chart.selection.points
    nodes = [p["point_index"] for p in points if p.get("curve_number") == NODES]
    if nodes:
        state.node = nodes[0]


st.sidebar.toggle("Presenter mode", key="big", help="Bigger text for a projector.")
if state.big:
    st.html(PRESENTER_CSS)

# ---- editor and inputs ---------------------------------------------------------------------
editor, inputs = st.columns(2, gap="medium")
with editor:
    st.text_area("Program", key="src", height=130, max_chars=MAX_SOURCE_CHARS,
                 help="One statement per line: `name = expression`. The last line is the output. "
                 "Ops: + − * / ** @, .T, and functions such as sigmoid, tanh, relu, exp, log, "
                 "sum, mean, softmax, cross_entropy.")
    errors = st.container()
    pick, seed = st.columns([3, 1], vertical_alignment="bottom")
    pick.selectbox("Load an example", [e.key for e in EXAMPLES], index=None, key="example_pick",
                   format_func=lambda k: EXAMPLES_BY_KEY[k].title, on_change=load_example,
                   placeholder="Choose a built-in example…")
    seed.number_input("Seed", key="seed", min_value=0, max_value=999_999, step=1,
                      help="Seeds randn(…) and rand(…) in the input values.")

program = None
try:
    program = parse(state.src)
except ExprError as err:
    with errors:
        show_expr_error(err, state.src)

specs: dict[str, InputSpec] = {}
with inputs:
    if program is not None and program.free_names:
        for column, title in zip(st.columns(INPUT_COLUMNS), ("Input", "Value", "Parameter")):
            column.markdown(f"**{title}**", help=INPUT_HELP.get(title))
    if program is not None:
        saved = decode_values(state.vals)
        if saved is None:
            saved = decode_values(PARAMS["vals"].default)
        for position, name in enumerate(program.free_names):
            spec = saved.get(name, default_spec(position))
            state.setdefault(f"val_{name}", str(spec.value))
            state.setdefault(f"par_{name}", spec.parameter)
            label, value, kind = st.columns(INPUT_COLUMNS, vertical_alignment="center")
            label.markdown(f"**{name}**")
            value.text_input(f"value of {name}", key=f"val_{name}", label_visibility="collapsed",
                             max_chars=MAX_SOURCE_CHARS)
            kind.toggle(f"{name} is a parameter", key=f"par_{name}",
                        label_visibility="collapsed")
            specs[name] = InputSpec(state[f"val_{name}"], state[f"par_{name}"])
        if program.free_names:
            st.caption("A parameter gets a gradient; a constant does not.")
        else:
            st.caption("This program has no free names: every value is a literal.")
        state.vals = encode_values((n, s.value, s.parameter) for n, s in specs.items())
    else:
        st.caption("The inputs follow the program's free names once it parses.")

# ---- build ---------------------------------------------------------------------------------
def build_graph():
    """The built program and its graph; on a user error, show it under the editor, None."""
    with errors:
        for name, spec in specs.items():
            try:
                input_value(name, spec.value, state.seed)
            except ExprError as err:
                show_expr_error(err, spec.value, where=f"Value of {name}")
                return None
        try:
            built = build(program, specs, seed=state.seed)
            return built, tensor_graph(built.output, {**built.inputs, **built.nodes})
        except ExprError as err:
            show_expr_error(err, state.src)
        except PlaygroundError as err:
            show_user_error(err)
    return None


result = build_graph() if program is not None else None
if result is not None:
    state.last_good = result
elif "last_good" in state:
    result = state.last_good
    st.caption("Showing the last graph that worked.")
if result is None:
    publish(PARAMS)
    st.stop()
built, graph = result

# ---- the graph -----------------------------------------------------------------------------
def warn_nonfinite() -> None:
    """Name the node where the values, or else the gradients, first stop being finite numbers."""
    for attribute, what in (("value", "values"), ("gradient", "gradients (backward pass)")):
        node = first_nonfinite_node(graph, attribute)
        if node is None:
            continue
        statement = built.statement_of(graph.nodes[node]["tensor"])
        line = f" in line {statement.line}" if statement is not None else ""
        st.warning(f"The {what} first become inf or nan at **{text_name(graph, node)}**{line}: "
                   f"{short_text(graph.nodes[node][attribute])}. Nodes holding inf or nan are "
                   "orange.", icon=":material/warning:")
        return


warn_nonfinite()
keys = node_keys(graph)
shown = state.get("node_shown")  # (number, key) of the node the inspector showed last run
if shown is not None and state.node == shown[0] and keys.get(state.node) != shown[1]:
    # The program changed under the selection: follow the node by its key, not its number.
    state.node = next((n for n, key in keys.items() if key == shown[1]), -1)
if not 0 <= state.node < graph.number_of_nodes():
    state.node = -1
state.node_shown = (state.node, keys.get(state.node))
selected = state.node if state.node >= 0 else None
st.plotly_chart(graph_figure(graph, selected, scale=PRESENTER_SCALE if state.big else 1.0),
                key="graph_chart", on_select=pick_node, selection_mode="points",
                config={"displayModeBar": False})
st.caption("Fill: the value (blue negative, red positive). Ring and purple text: the gradient "
           "∂/∂node (green negative, purple positive). Orange: inf or nan. Squares are inputs.")

# ---- inspector and gradient check ----------------------------------------------------------
inspect, check = st.columns([4, 5], gap="large")
with inspect:
    st.subheader("Inspect a node")
    labels = {n: text_name(graph, n) + (f" = {graph.nodes[n]['formula']}"
                                        if graph.nodes[n]["op"] and graph.nodes[n]["name"] else "")
              for n in sorted(graph.nodes)}
    st.selectbox("Node", [-1, *labels], key="node", label_visibility="collapsed",
                 format_func=lambda n: labels.get(n, "Choose a node (or click one in the graph)"))
    if state.node >= 0:
        show_inspector(graph, state.node, built)

with check:
    st.subheader("Gradient check")
    parameters = built.parameters
    if parameters and not built.output.requires_grad:
        unused = ", ".join(p.name for p in parameters)
        st.info(f"{built.program.output_name} does not depend on any parameter ({unused}): there "
                "is no gradient to check.")
        parameters = []
    try:
        elements = sum(p.size for p in parameters)
        check_limit("The number of parameter elements to check", elements,
                    MAX_GRADCHECK_ELEMENTS)
        work = elements * sum(graph.nodes[n]["value"].size for n in graph.nodes)
        check_limit("The cost of the check (parameter elements × graph elements)", work,
                    MAX_GRADCHECK_WORK)
    except LimitError as err:
        st.info(f"Skipped. {err}")
        parameters = []
    if parameters:
        report = gradcheck(built.evaluate, parameters)
        st.dataframe(
            {
                "parameter": [c.name for c in report.inputs],
                "shape": [format_shape(c.analytic.shape) for c in report.inputs],
                "max |grad|": [f"{np.abs(c.analytic).max(initial=0):.3g}"
                               for c in report.inputs],
                "abs / rel error": [f"{c.max_abs_error:.0e} / {c.max_rel_error:.0e}"
                                    for c in report.inputs],
                "pass": ["✓" if c.passed else "✗ fail" for c in report.inputs],
            },
            hide_index=True,
            column_config={name: st.column_config.TextColumn(width="small")
                           for name in ("shape", "pass")},
        )
        st.caption("Each parameter's gradient from the backward pass against central "
                   "differences (f(x+ε) − f(x−ε)) / 2ε with ε = 1e-6; errors are the largest "
                   "over its elements.")
    elif not built.parameters:
        st.caption("No parameters: switch an input to parameter to get gradients.")

# ---- the surface of a two-input program ----------------------------------------------------
two_scalars = (
    len(built.inputs) == 2
    and all(t.requires_grad and t.size == 1 and t.grad is not None
            for t in built.inputs.values())
    and built.output.size == 1
    and all(np.isfinite(t.data).all() and np.isfinite(t.grad).all()
            for t in (*built.inputs.values(), built.output))
)
if two_scalars:
    x, y = built.inputs.values()
    x0, y0, z0 = x.item(), y.item(), built.output.item()
    elementwise = all(graph.nodes[n]["op"] is None or graph.nodes[n]["op"].kind == "elementwise"
                      for n in graph.nodes)

    def f(a, b):
        with no_grad(), np.errstate(all="ignore"):
            return built.evaluate(Tensor(a), Tensor(b)).data

    try:
        grid = surface_grid(f, x0, y0, span_around(x0, y0), vectorised=elementwise)
    except PlaygroundError:
        grid = None
    if grid is not None:
        out = built.program.output_name
        st.subheader(f"The surface {out} = f({x.name}, {y.name})")
        st.markdown(f"The two partial derivatives are the slopes of the hill at the point: walk "
                    f"along {x.name} (east–west) and the slope is ∂{out}/∂{x.name}; along "
                    f"{y.name} (north–south) it is ∂{out}/∂{y.name}.")
        st.plotly_chart(surface_figure(*grid, (x0, y0, z0), (x.grad.item(), y.grad.item()),
                                       (x.name, y.name, out)),
                        key="surface_chart", config={"displayModeBar": False, "scrollZoom": False})

publish(PARAMS)
share_link(PARAMS)
