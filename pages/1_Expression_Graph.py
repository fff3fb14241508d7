"""Expression Graph: type a program, step through its passes with each step's arithmetic,
inspect a node, check every gradient. State: page_models.expression_graph.PARAMS, ?example=."""

import streamlit as st

from ui.process import set_up_process

set_up_process()  # first, before the app's own imports: see ui.process, "One importer"
from engine import ExprError, PlaygroundError
from engine.expr import InputSpec, parse
from page_models import expression_graph as model
from page_models.examples import EXAMPLES, EXAMPLES_BY_KEY
from ui.charts import chart
from ui.errors import show_user_error
from ui.export_buttons import graph_downloads
from ui.expr_error import show_expr_error
from ui.graph_player import graph_player
from ui.nav import page_header, presenting
from ui.node_inspector import inspector_panel
from ui.state import bind, explain_link, publish, share_link
from viz.graph import node_keys, tensor_graph
from viz.graph_player import at_step, player_data
from viz.graph_tables import accumulation_table, gradcheck_table, nonfinite_warning
from viz.surface import program_surface

PARAMS = model.PARAMS
PRESENTER_SCALE = 1.3  # the graph's nodes and labels in presenter mode
INSPECTOR_PX = 500  # the node inspector beside the graph scrolls in this height
state = st.session_state
memo = state.setdefault("memo", {})  # this session's last results (page_models memoised)

page_header("pages/1_Expression_Graph.py",
            intro="Step through the forward and backward passes (Space, ← →; ? lists the keys); "
            "click a node to inspect it.")
opened = model.example_state(st.query_params.get("example"))
if "src" not in state and "src" not in st.query_params and opened:
    state.update(opened)
bind(PARAMS)
explain_link(PARAMS)


def load_example() -> None:
    if (chosen := model.example_state(state.example_pick)) is not None:
        for key in [k for k in state if k.startswith(("val_", "par_"))]:
            del state[key]  # the example's inputs replace the old ones
        state.update(chosen, node=-1)
    state.example_pick = None


def pick_node() -> None:
    """A click on a node in the player: inspect it, and remember the player's step."""
    clicked = state.graph_player.clicked or {}
    state.node, state.frame = clicked.get("node", state.node), clicked.get("frame", state.frame)


main = st.container(key="main-visual")

# ---- editor and inputs ---------------------------------------------------------------------
editor, inputs = st.columns(2, gap="medium")
with editor:
    st.text_area("Program", key="src", height=130, max_chars=PARAMS["src"].max_len,
                 help=model.PROGRAM_HELP)
    errors = st.container()
    pick, seed = st.columns([3, 1], vertical_alignment="bottom")
    pick.selectbox("Load an example", [e.key for e in EXAMPLES], index=None, key="example_pick",
                   format_func=lambda k: EXAMPLES_BY_KEY[k].title, on_change=load_example,
                   placeholder="Choose a built-in example…")
    seed.number_input("Seed", key="seed", min_value=0, max_value=999_999, step=1,
                      help="Seeds randn(…) and rand(…).")

program = None
try:
    program = parse(state.src)
    if program.skipped_lines:  # pasted Python: import, print(…), g.backward()
        errors.caption(model.skipped_note(program))
except ExprError as err:
    with errors:
        show_expr_error(err, state.src)

specs = {}
with inputs:
    if program is not None:
        for name, spec in model.input_specs(program, state.vals).items():
            state.setdefault(f"val_{name}", str(spec.value))
            state.setdefault(f"par_{name}", spec.parameter)
            label, value, kind = st.columns([2, 6, 2], vertical_alignment="center")
            label.markdown(f"**{name}**")
            value.text_input(f"value of {name}", key=f"val_{name}", label_visibility="collapsed",
                             max_chars=PARAMS["src"].max_len, help=model.VALUE_HELP)
            kind.toggle(f"{name} is a parameter", key=f"par_{name}", label_visibility="collapsed")
            specs[name] = InputSpec(state[f"val_{name}"], state[f"par_{name}"])
        st.caption("Switched on: a parameter (gets a gradient); off: a constant." if specs else
                   "No free names: every value is set in the program.")
        state.vals = model.encode_values((n, s.value, s.parameter) for n, s in specs.items())


def with_graph(view: model.View):  # the view and its graph, memoised together
    return view, tensor_graph(view.record, view.names)


def build_view():
    """The built program and its graph; on a user error, show it under the editor, None."""
    with errors:
        if (bad := model.first_bad_value(specs, state.seed)) is not None:
            name, err = bad
            show_expr_error(err, specs[name].value, where=f"Value of {name}")
            return None
        try:
            return model.memoised(memo, "view", model.graph_id(program, specs, state.seed),
                                  lambda: with_graph(model.build_view(program, specs, state.seed)))
        except ExprError as err:
            show_expr_error(err, state.src)
        except PlaygroundError as err:
            show_user_error(err)
    return None


result = build_view() if program is not None else None
if result is not None:
    state.last_good = result
elif "last_good" in state:
    result = state.last_good
    st.caption("Showing the last graph that worked.")
if result is None:
    publish(PARAMS)
    st.stop()
view, graph = result
built = view.built

# ---- the graph and its player --------------------------------------------------------------
keys = node_keys(graph)
state.node = model.follow_node(state.node, state.get("node_shown"), keys)
state.node_shown = (state.node, keys.get(state.node))
if state.tangent not in (names := model.tangent_sources(view)):
    state.tangent = ""  # forward mode from an input that is gone or was never a parameter
player_id = view.graph_id + state.tangent  # forward mode plays anew
if state.get("player_id") not in (None, player_id):
    state.frame = 0  # a new graph starts at the bare graph
state.player_id = player_id
graph_column, side = main.columns([3, 2], gap="medium")  # the inspector beside the graph
with graph_column:
    scale = PRESENTER_SCALE if presenting() else 1.0
    data = model.memoised(memo, "player", (player_id, scale), lambda: player_data(
        graph, player_id, scale=scale, tangents=model.tangents_from(view, state.tangent)))
    graph_player(at_step(data, state.frame, state.node if state.node >= 0 else None,
                         hidden=state.hide), key="graph_player", on_click=pick_node)
with side.container(height=INSPECTOR_PX, border=False, key="inspector"):
    if state.hide:  # the inspector would show what the lesson's question asks for
        st.caption(model.HIDDEN_NOTE)
    else:
        inspector_panel(graph, built, key="node")
st.caption(model.graph_caption(state.src, state.hide))  # under the graph: presenter mode's is tall
if state.hide:  # the inspector, checks, downloads and surface would show what is asked for
    publish(PARAMS)
    st.stop()
if (warning := nonfinite_warning(graph, built.statement_of)) is not None:
    st.warning(warning, icon=":material/warning:")
graph_downloads(built, data)

# ---- gradient check, accumulation --------------------------------------------------------
check, accumulate = st.tabs(["Gradient check", "Accumulate · forward vs reverse mode"])
with check:
    parameters, reason = model.gradcheck_plan(view)
    if reason:
        st.info(reason)
    if parameters:  # ε from 1e-2 to 1e-10
        st.select_slider("ε of (f(x+ε) − f(x−ε)) / 2ε", model.EPS_EXPONENTS, key="eps",
                         format_func=lambda k: f"1e-{k}")
        checked = model.memoised(memo, "check", (view.graph_id, state.eps),
                                 lambda: model.run_gradcheck(view, parameters, state.eps))
        st.dataframe(gradcheck_table(checked.checks), hide_index=True)
        for note in checked.notes:
            st.warning(note, icon=":material/info:")
with accumulate:
    st.selectbox("Forward mode from", ["", *names], key="tangent",
                 format_func=lambda name: name or "off (the player shows reverse mode)")
    if built.output.requires_grad:
        twice = model.memoised(memo, "twice", view.graph_id, lambda: model.accumulation(view))
        st.markdown(model.ACCUMULATION_NOTE)
        st.dataframe(accumulation_table(twice), hide_index=True)
        st.markdown(model.passes_text(view))

# ---- the surface of a two-input program ----------------------------------------------------
if (surface := program_surface(view)) is not None:
    fig, (x, y, out) = surface
    st.header(f"The surface {out} = f({x}, {y})")  # h2 under the title (axe)
    st.markdown(f"The partial derivatives are the slopes of the hill at the point: along {x} "
                f"(east–west) ∂{out}/∂{x}, along {y} (north–south) ∂{out}/∂{y}.")
    chart(fig, key="surface_chart", config={"displayModeBar": False, "scrollZoom": False})
publish(PARAMS)
share_link(PARAMS)
