"""Network Builder: build a small network, watch it learn, and look inside it.

Settings live in the URL (page_models.network_builder.PARAMS). Training plays in the browser
(ui.live_player): the server trains when the player asks, and hears where it paused (the tabs)."""

import streamlit as st

from engine import DATASETS
from engine.errors import PlaygroundError
from engine.limits import MAX_HIDDEN_LAYERS, MAX_WIDTH
from engine.nn import ACTIVATIONS, MLPSpec
from page_models import lessons
from page_models import network_builder as nb
from page_models.features import FEATURES, available_features
from page_models.live import Playback, model_at
from page_models.network import dropout_passes, hidden_activations, one_training_step
from ui.clicks import once
from ui.errors import show_user_error, user_errors
from ui.live_player import live_player, paused_at, requested
from ui.nav import page_header
from ui.optimizer_picker import optimizer_picker
from ui.state import bind, current, explain_over_cap, publish, share_link
from viz import live_charts
from viz.graph import tensor_graph
from viz.graph_figure import graph_figure
from viz.neurons import network_layers, neuron_figure

GRAPH_BATCH = 32  # rows of the minibatch in the computation graph
DROPOUT_SAMPLES, DROPOUT_PASSES = 6, 3  # fixed inputs and passes in the train/eval comparison
PLAIN = {"config": {"displayModeBar": False}}
CHUNK_BUDGET_S = 0.3  # training time per request of the player: a slow network streams in parts

page_header("pages/2_Network_Builder.py",
            intro="Build a network (data and optimizer in the sidebar), press **Play**, watch it "
                  "learn.")
bind(nb.PARAMS)
explain_over_cap(nb.PARAMS)
state = st.session_state


# ---- the layer editor: one row of widgets per hidden layer ------------------------------------
def forget_layer_widgets() -> None:
    for key in [k for k in state if str(k).startswith(("nb_w", "nb_a", "nb_d"))]:
        del state[key]


def edit_network(change, *args) -> None:
    state.net = change(MLPSpec.from_text(state.net), *args).to_text()
    forget_layer_widgets()


def edited_network(spec):
    """The network with this run's edits of the layer widgets (drawn later, below its name)."""
    for i, values in enumerate(nb.editor_values(spec)):
        for key, value in zip(("nb_w", "nb_a", "nb_d"), values):
            state.setdefault(f"{key}{i}", value)
    n = len(spec.hidden)
    return nb.set_layers(spec, [state[f"nb_w{i}"] for i in range(n)],
                         [state[f"nb_a{i}"] for i in range(n)],
                         [state[f"nb_d{i}"] for i in range(n)])


def layer_editor(spec) -> None:
    ratios = [0.8, 1.0, 1.2, 1.0, 0.4, 1.6]
    for i in range(len(spec.hidden)):
        row = st.columns(ratios, vertical_alignment="center")
        row[0].markdown(f"**Hidden {i + 1}**")
        row[1].number_input("neurons", min_value=1, max_value=MAX_WIDTH, step=1,
                            key=f"nb_w{i}", label_visibility="collapsed")
        row[2].selectbox("activation", list(ACTIVATIONS), key=f"nb_a{i}",
                         label_visibility="collapsed")
        row[3].selectbox("dropout p", nb.DROPOUT_PS, key=f"nb_d{i}",
                         label_visibility="collapsed", format_func=lambda p: f"dropout {p:g}")
        row[4].button("", key=f"nb_remove{i}", **once(edit_network, nb.remove_layer, i),
                      icon=":material/close:", help=f"Remove hidden layer {i + 1}")
    st.button("Add layer", **once(edit_network, nb.add_layer), icon=":material/add:",
              disabled=len(spec.hidden) >= MAX_HIDDEN_LAYERS)
    for note in nb.editor_notes(spec):
        st.caption(note)


def feature_picker(n_inputs: int) -> None:
    options = available_features(n_inputs)
    if any(k not in options for k in state.get("nb_features") or [None]):
        state.nb_features = [k for k in state.features if k in options] or options[:1]
    st.pills("Input features", options, selection_mode="multi", key="nb_features",
             format_func=lambda k: FEATURES[k].label)
    state.features = tuple(k for k in options if k in state.nb_features) or (options[0],)


# ---- the live player: frames on request, the paused epoch back into the URL ---------------
@st.fragment
def live_area() -> None:
    key = f"nb_player_{state.nb_run}"
    feed: live_charts.PlayerFeed = state.nb_feed
    asked = requested(key)
    frames = feed.frames(*asked, budget_s=CHUNK_BUDGET_S) if asked else []
    live_player(key, run=str(state.nb_run), start=state.epoch,
                setup=live_charts.player_setup(setup), frames=frames, end=feed.end)
    paused = paused_at(key)
    if paused is not None and paused != state.epoch:
        state.epoch = paused
        st.rerun()  # the whole page: the URL and the tabs follow the paused epoch


@st.cache_data(max_entries=32, show_spinner=False)
def trained(config: tuple, epoch: int, _setup: nb.Setup):
    return model_at(_setup, epoch)


# ---- the page ------------------------------------------------------------------------------
with st.sidebar:
    share_slot = st.container()
    st.selectbox("Dataset", list(DATASETS), key="data")
    st.select_slider("Noise", nb.NOISES, key="noise")
    optimizer_picker("opt", nb.default_optimizer, nb.PARAMS["opt"].default, single=True)
    st.select_slider("Batch size", nb.BATCH_SIZES, key="batch")
    st.number_input("Seed", min_value=0, max_value=9999, key="seed",
                    help="Seeds the data, the initial weights, the batches and dropout.")
    with user_errors():
        feature_picker(nb.dataset(current(nb.PARAMS)).n_features)
try:
    setup = nb.build(current(nb.PARAMS))
except PlaygroundError as error:  # a link's network or optimizer text: say why, use defaults
    show_user_error(error)
    state.net, state.opt = nb.PARAMS["net"].default, nb.PARAMS["opt"].default
    setup = nb.build(current(nb.PARAMS))
with user_errors():
    state.net = edited_network(setup.spec).to_text()
    setup = nb.build(current(nb.PARAMS))
with st.expander(f"**Network:** {setup.spec} · output: {setup.loss_name}", key="nb_layers",
                 icon=":material/tune:"):
    st.caption(f"Edit the hidden layers. {len(setup.train_data)} training and "
               f"{len(setup.val_data)} validation points.")
    layer_editor(setup.spec)

config = tuple(state[name] for name in nb.TRAINING)  # plain values: a new run when one changes
if state.get("nb_config") != config:
    if "nb_config" in state:
        state.epoch = 0
    state.nb_config, state.nb_run = config, state.get("nb_run", 0) + 1
    state.nb_feed = live_charts.PlayerFeed(Playback(setup))
publish(nb.PARAMS)
with share_slot:
    share_link(nb.PARAMS)

with st.container(key="main-visual"):
    live_area()

model = trained(config, state.epoch, setup)
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
    st.plotly_chart(neuron_figure(layers, matrices, gradient=grads), key="nb_neurons", **PLAIN)
    what = (f"the gradient ∂L/∂w of the loss on a minibatch of {len(X[:GRAPH_BATCH])} points"
            if grads else "the weight")
    st.caption(f"Epoch {state.epoch}: one node per neuron, one edge per weight. Edge colour and "
               f"width: the sign and size of {what}. Hidden neurons are filled with their "
               "activation on the first training point.")
with tabs[1]:
    with user_errors(stop=False):
        st.plotly_chart(graph_figure(tensor_graph(step), shape_labels=True),
                        key="nb_graph", **PLAIN)
    st.caption(f"One training step at epoch {state.epoch} on a minibatch of "
               f"{len(X[:GRAPH_BATCH])} points, in training mode (dropout on): the graph the "
               "training loop builds. Each op shows how it maps shapes. Press ▶ Play in the "
               "figure to watch values flow forward and gradients flow back.")
with tabs[2]:
    training = st.toggle("Training mode (dropout on)", key="nb_train_mode", value=True)
    if not any(setup.spec.dropouts):
        st.info("No hidden layer has dropout: set a layer's dropout p above 0 to see the "
                "difference.", icon=":material/info:")
    values, y_title, caption = dropout_passes(model, X[:DROPOUT_SAMPLES], y[:DROPOUT_SAMPLES],
                                              setup.task, DROPOUT_PASSES, training)
    labels = [f"point {i + 1}" for i in range(len(values[0]))]
    st.plotly_chart(live_charts.dropout_passes_figure(values, labels, y_title), key="nb_dropout",
                    **PLAIN)
    st.caption(caption)
with tabs[3]:
    st.markdown(lessons.lesson_intro(setup.optimizer.title))
    if st.button("Run the lesson", icon=":material/school:") or state.get("nb_lesson"):
        state.nb_lesson = True
        with user_errors(stop=False):
            results = lessons.vanishing_gradients(setup.train_data, setup.val_data,
                                                  setup.optimizer, setup.batch_size, setup.seed)
            per_step, by_layer = live_charts.lesson_figures(results)
            for column, (activation, figure) in zip(st.columns(2), per_step.items()):
                column.plotly_chart(figure, key=f"nb_lesson_{activation}", **PLAIN)
            st.plotly_chart(by_layer, key="nb_lesson_chart", **PLAIN)
            st.markdown(lessons.lesson_conclusion(results["sigmoid"][1]))
