"""Network Builder: build a small network, watch it learn, and look inside it.

Settings live in the URL (page_models.network_builder.PARAMS). Training plays in the browser
(ui.live_player): the server trains when the player asks (one run for every session with the
same settings), and hears where it paused (the tabs). The graph of one point (a graph player
under it) takes its values and gradients from the live player's frames as it plays."""

import streamlit as st

from ui.process import set_up_process

set_up_process()  # first, before the app's own imports: see ui.process, "One importer"
from engine import DATASETS
from page_models import network_builder as nb
from page_models import own_data, vanishing_gradients
from page_models.live import model_at
from page_models.network import dropout_passes, hidden_activations, one_training_step
from page_models.point_graph import check_point, point_record
from ui.charts import chart
from ui.errors import user_errors
from ui.export_buttons import export_buttons, network_uploader
from ui.graph_player import graph_player
from ui.live_player import live_player, paused_at, shared_frames
from ui.nav import page_header, presenting
from ui.network_editor import edited_network, feature_picker, layer_editor
from ui.optimizer_picker import optimizer_picker
from ui.own_data import your_data
from ui.state import bind, current, explain_link, keep, publish, share_link
from viz import live_charts
from viz.boundary import boundary_figure
from viz.graph import tensor_graph
from viz.graph_player import player_data
from viz.network_graph import shape_legend, with_shapes
from viz.neurons import network_layers, neuron_figure

GRAPH_BATCH = 32  # rows of the minibatch in the computation graph
DROPOUT_SAMPLES, DROPOUT_PASSES = 6, 3  # fixed inputs and passes in the train/eval comparison
PLAIN = {"config": {"displayModeBar": False}}
CHUNK_BUDGET_S = 0.3  # training time per request of the player: a slow network streams in parts
POINT_GRAPH = "nb_point_graph"  # the live point graph's graph player
GRAPH_SCALE = {False: 1.0, True: 1.3}  # the graphs' nodes and text; presenter mode: larger
LAST = 10**9  # a graph player's step past the last: its last (every value and gradient)

page_header("pages/2_Network_Builder.py",
            intro="Build a network (data and optimizer in the sidebar), press **Play**, watch it "
                  "learn.")
ALL_PARAMS = {**nb.PARAMS, **own_data.PARAMS}  # the page's and the "Your data" panel's
bind(nb.PARAMS)  # the panel binds its own
keep({"nb_show_grads": False, "nb_train_mode": True})  # the tabs' toggles outlive a tour
explain_link(ALL_PARAMS)
state = st.session_state


# ---- the live player: frames on request, the paused epoch back into the URL ---------------
@st.fragment
def live_area(point: int | None) -> None:
    key = f"nb_player_{state.nb_run}"
    served = shared_frames(key, state.nb_config, setup, CHUNK_BUDGET_S, point)
    graph = None if point is None else {"key": POINT_GRAPH, "point": f"{state.nb_run}-{point}"}
    live_player(key, run=str(state.nb_run), start=state.epoch, served=served, graph=graph,
                present=presenting())
    paused = paused_at(key)
    if paused is not None and paused != state.epoch:
        state.epoch = paused
        st.rerun()  # the whole page: the URL and the tabs follow the paused epoch


@st.cache_data(max_entries=32, show_spinner=False)
def trained(config: tuple, epoch: int, _setup: nb.Setup):
    return model_at(_setup, epoch)


def shown_graph(record, graph_id: str, frame: int) -> dict:
    """The graph player's data of a recorded pass, shapes on its nodes, opening at `frame`."""
    graph = tensor_graph(record)
    data = player_data(graph, graph_id, frame, scale=GRAPH_SCALE[presenting()])
    return with_shapes(data, graph)


# ---- the page ------------------------------------------------------------------------------
with st.sidebar:
    share_slot = st.container()
    st.selectbox("Built-in dataset", list(DATASETS), key="data")
    st.select_slider("Noise", nb.NOISES, key="noise")
    optimizer_picker("opt", nb.default_optimizer, single=True)
    st.select_slider("Batch size", nb.BATCH_SIZES, key="batch")
    st.number_input("Seed", min_value=0, max_value=9999, key="seed",
                    help="Seeds the data, the initial weights, the batches and dropout.")
    features_slot = st.container()
layers_slot = st.container()
visual = st.container(key="main-visual")  # the live boundary, loss and Play stay on screen one
point_slot = st.container()  # the live graph of one point, under it
raw = your_data(nb.dataset(current(nb.PARAMS)))  # below the main visual
if raw is None:  # the panel says why
    publish(ALL_PARAMS)
    with share_slot:
        share_link(ALL_PARAMS)
    st.stop()
with features_slot, user_errors():
    feature_picker(raw.n_features)
with user_errors():  # the network and optimizer texts are readable (their Params check them)
    setup = nb.build(current(nb.PARAMS), raw)
    if (edited := edited_network(setup.spec).to_text()) != state.net:
        state.net = edited
        setup = nb.build(current(nb.PARAMS), raw)
with layers_slot.expander(f"**Network:** {setup.spec} · output: {setup.loss_name}",
                          key="nb_layers", icon=":material/tune:"):
    st.caption(f"Edit the hidden layers. {len(setup.train_data)} training and "
               f"{len(setup.val_data)} validation points.")
    layer_editor(setup.spec)

config = nb.run_key(current(nb.PARAMS), raw)  # plain values: a new run when one changes
if state.get("nb_config") != config:
    if "nb_config" in state:
        state.epoch = 0
    state.nb_config, state.nb_run = config, state.get("nb_run", 0) + 1
publish(ALL_PARAMS)
with share_slot:
    share_link(ALL_PARAMS)

point = None
with point_slot:
    left, right, _ = st.columns([2, 2, 3], vertical_alignment="bottom")
    left.toggle("Graph of one point, live", key="point_graph",
                help="The computation graph of one data point: its forward pass and the "
                     "backward pass of its loss, updated with every epoch the player shows.")
    if state.point_graph:
        right.number_input("Point (its index in the data)", min_value=0, step=1, key="point")
        with user_errors(stop=False):
            point = check_point(setup, state.point)
model = trained(config, state.epoch, setup)
with visual:
    live_area(point)
with point_slot:
    if point is not None:
        data = shown_graph(point_record(model, setup, point), f"{state.nb_run}-{point}", LAST)
        graph_player({**data, "live_key": POINT_GRAPH}, key=POINT_GRAPH, url_param=None)
        st.caption(f"Point {point} after the epoch the player shows, in evaluation mode "
                   f"(dropout off). {shape_legend(data)}")
with st.expander("Export this network, or load one", icon=":material/download:"):
    st.caption(f"The scripts train to epoch {state.epoch} (where the player is paused) and print "
               "the training loss after each epoch, as the page did.")
    export_buttons(nb.export(setup, state.epoch, nb.data_source(current(ALL_PARAMS), raw)), model)
    if loaded := network_uploader():
        with user_errors(stop=False):
            network, info = loaded
            chart(boundary_figure(nb.loaded_predictor(network, setup), setup.raw, height=360),
                  key="nb_loaded", **PLAIN)
            st.caption(nb.loaded_caption(network, info))
X, y = setup.train_data.X, setup.train_data.y
tabs = st.tabs(["Neurons", "Computation graph of one step", "Dropout: train vs eval",
                "Lesson: vanishing gradients"])
with tabs[0]:
    grads = st.toggle("Colour edges by gradient (one backward pass on the minibatch)",
                      key="nb_show_grads")
    step, step_model = one_training_step(model, X[:GRAPH_BATCH], y[:GRAPH_BATCH], setup.task)
    shown = step_model if grads else model
    matrices = [lin.weight.grad if grads else lin.weight.data for lin in shown.layers]
    layers = network_layers(setup.spec, setup.features, setup.raw,
                            hidden_activations(model, X[0]))
    chart(neuron_figure(layers, matrices, gradient=grads), key="nb_neurons", **PLAIN)
    what = (f"the gradient ∂L/∂w of the loss on a minibatch of {len(X[:GRAPH_BATCH])} points"
            if grads else "the weight")
    st.caption(f"Epoch {state.epoch}: one node per neuron, one edge per weight. Edge colour and "
               f"width: the sign and size of {what}. Hidden neurons are filled with their "
               "activation on the first training point.")
with tabs[1]:
    with user_errors(stop=False):
        data = shown_graph(step, f"{state.nb_run}-{state.epoch}-step", 0)
        graph_player(data, key="nb_graph", url_param=None)
        st.caption(f"One training step at epoch {state.epoch} on a minibatch of "
                   f"{len(X[:GRAPH_BATCH])} points, in training mode (dropout on): the graph "
                   f"the training loop builds. Press Play to watch values flow forward and "
                   f"gradients flow back. {shape_legend(data)}")
with tabs[2]:
    training = st.toggle("Training mode (dropout on)", key="nb_train_mode")
    if not any(setup.spec.dropouts):
        st.info("No hidden layer has dropout: set a layer's dropout p above 0 to see the "
                "difference.", icon=":material/info:")
    values, y_title, caption = dropout_passes(model, X[:DROPOUT_SAMPLES], y[:DROPOUT_SAMPLES],
                                              setup.task, DROPOUT_PASSES, training)
    labels = [f"point {i + 1}" for i in range(len(values[0]))]
    chart(live_charts.dropout_passes_figure(values, labels, y_title), key="nb_dropout", **PLAIN)
    st.caption(caption)
with tabs[3]:
    st.markdown(vanishing_gradients.lesson_intro())
    if st.button("Run the lesson", icon=":material/school:") or state.get("nb_lesson"):
        state.nb_lesson = True
        with user_errors(stop=False):
            results = vanishing_gradients.compare_activations(
                setup.train_data, setup.val_data, setup.batch_size, setup.seed)
            per_step, by_layer = live_charts.lesson_figures(results)
            for column, (activation, figure) in zip(st.columns(2), per_step.items()):
                chart(figure, column, key=f"nb_lesson_{activation}", **PLAIN)
            chart(by_layer, key="nb_lesson_chart", **PLAIN)
            st.markdown(vanishing_gradients.lesson_conclusion(results["sigmoid"][1]))
