"""Network Builder: build a small network, see its graph and its neurons, and watch it learn.

The configuration lives in the URL. The model, its optimizer and the training generator live in
st.session_state (a page_models.live.LiveRun); the live area is a fragment that, while playing,
reruns on its own every UPDATE_INTERVAL_S seconds, trains a little and redraws only its charts.
"""

from dataclasses import replace

import numpy as np
import streamlit as st

from engine import DATASETS, make_dataset, softmax, train_val_split
from engine.limits import MAX_HIDDEN_LAYERS, MAX_WIDTH
from engine.nn import ACTIVATIONS, MLPSpec
from engine.train import class_probabilities, predict
from page_models.features import FEATURES, available_features, expand_features
from page_models.graph_record import record_backward
from page_models.lessons import VANISHING, vanishing_gradients
from page_models.live import UPDATE_INTERVAL_S, LiveRun
from page_models.network import hidden_activations, minibatch_loss, repeated_outputs
from page_models.optimizers import OPTIMIZERS, OptimizerChoice
from ui.clicks import once
from ui.errors import user_errors
from ui.nav import page_header
from ui.state import Param, bind, explain_over_cap, publish, share_link
from ui.steady_chart import steady_plotly_chart
from viz.graph import tensor_graph
from viz.graph_figure import graph_figure
from viz.live_charts import (
    LiveFigures,
    dropout_passes_figure,
    grad_norm_figure,
    layer_colors,
    layer_norms_figure,
)
from viz.neurons import LayerView, neuron_figure

N_POINTS = 200
VAL_FRACTION = 0.2
GRAPH_BATCH = 32  # rows of the minibatch in the computation graph
DROPOUT_SAMPLES = 6  # fixed inputs in the train/eval comparison
DROPOUT_PASSES = 3
LEARNING_RATES = (0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1.0)
DROPOUT_PS = (0.0, 0.1, 0.2, 0.3, 0.5)
NOISES = (0.0, 0.05, 0.1, 0.2, 0.3, 0.5)
BATCH_SIZES = (8, 16, 32, 64)
LIVE_CHART_HEIGHT = 335  # px: Play and the whole live chart row fit in a 1280×720 window

PARAMS = {
    "data": Param("moons", choices=tuple(DATASETS)),
    "noise": Param(0.1, choices=NOISES),
    "features": Param(("x1", "x2")),
    "widths": Param((8, 8), lo=1, hi=MAX_WIDTH),
    "acts": Param(("tanh", "tanh")),
    "drops": Param((0.0, 0.0), lo=0.0, hi=0.9),
    "opt": Param("adam", choices=tuple(OPTIMIZERS)),
    "lr": Param(0.03, choices=LEARNING_RATES),
    "batch": Param(32, choices=BATCH_SIZES),
    "seed": Param(0, lo=0, hi=9999),
}
LAYER_KEYS = ("nb_w", "nb_a", "nb_d")  # widget keys of hidden layer i: nb_w0, nb_a0, nb_d0
FEATURE_KEY = "nb_features"
LAYER_EDITOR = "nb_layers"  # the expander of the layer editor: its key keeps it open while the
# network's name in its label changes

page_header(
    "pages/2_Network_Builder.py",
    intro="Build a network (data and optimizer in the sidebar), press **Play** and watch it "
    "learn.",
)
bind(PARAMS)
explain_over_cap(PARAMS)
state = st.session_state


# ---- the configuration: URL tuples <-> one widget per layer setting -------------------------
def nearest(value: float, choices) -> float:
    return min(choices, key=lambda c: abs(c - value))


def normalise_layers() -> None:
    """Make the layer tuples agree in length and fit the widgets; name the depth cap if a link
    asked for more layers."""
    widths = tuple(state.widths)
    if len(widths) > MAX_HIDDEN_LAYERS:
        st.warning(f"The link asks for {len(widths)} hidden layers; the cap on this public "
                   f"instance is {MAX_HIDDEN_LAYERS}, so only the first {MAX_HIDDEN_LAYERS} are "
                   "built.", icon=":material/block:")
        widths = widths[:MAX_HIDDEN_LAYERS]
    n = len(widths)
    acts = tuple(state.acts[i] if i < len(state.acts) and state.acts[i] in ACTIVATIONS
                 else "tanh" for i in range(n))
    drops = tuple(nearest(state.drops[i], DROPOUT_PS) if i < len(state.drops) else 0.0
                  for i in range(n))
    state.widths, state.acts, state.drops = widths, acts, drops


def forget_layer_widgets() -> None:
    for key in [k for k in state if str(k).startswith(LAYER_KEYS)]:
        del state[key]


def add_layer() -> None:
    if len(state.widths) < MAX_HIDDEN_LAYERS:
        last = len(state.widths) - 1
        state.widths += (state.widths[last] if last >= 0 else 8,)
        state.acts += (state.acts[last] if last >= 0 else "tanh",)
        state.drops += (0.0,)
        forget_layer_widgets()


def remove_layer(i: int) -> None:
    state.widths = state.widths[:i] + state.widths[i + 1:]
    state.acts = state.acts[:i] + state.acts[i + 1:]
    state.drops = state.drops[:i] + state.drops[i + 1:]
    forget_layer_widgets()


def read_layer_widgets() -> None:
    """The layer tuples from the layer widgets (which hold this run's edits before they are
    drawn), so the network can be named above its editor."""
    n = len(state.widths)
    for i in range(n):
        for key, values in zip(LAYER_KEYS, (state.widths, state.acts, state.drops)):
            state.setdefault(f"{key}{i}", values[i])
    state.widths = tuple(int(state[f"nb_w{i}"]) for i in range(n))
    state.acts = tuple(state[f"nb_a{i}"] for i in range(n))
    state.drops = tuple(float(state[f"nb_d{i}"]) for i in range(n))


def layer_editor() -> None:
    """One row per hidden layer (neurons, activation, dropout p, remove), then "Add layer"."""
    n = len(state.widths)
    ratios = [0.8, 1.0, 1.2, 1.0, 0.4, 1.6]
    if n:
        header = st.columns(ratios)
        for column, text in zip(header[1:4], ("neurons", "activation", "dropout p")):
            column.caption(text)
    for i in range(n):
        row = st.columns(ratios, vertical_alignment="center")
        row[0].markdown(f"**Hidden {i + 1}**")
        row[1].number_input("neurons", min_value=1, max_value=MAX_WIDTH, step=1,
                            key=f"nb_w{i}", label_visibility="collapsed")
        row[2].selectbox("activation", list(ACTIVATIONS), key=f"nb_a{i}",
                         label_visibility="collapsed")
        row[3].selectbox("dropout p", DROPOUT_PS, key=f"nb_d{i}", label_visibility="collapsed")
        row[4].button("", key=f"nb_remove{i}", **once(remove_layer, i),
                      icon=":material/close:", help=f"Remove hidden layer {i + 1}")
    full = n >= MAX_HIDDEN_LAYERS
    st.button("Add layer", **once(add_layer), disabled=full, icon=":material/add:")
    if full:
        st.caption(f"Depth cap reached: at most {MAX_HIDDEN_LAYERS} hidden layers on this "
                   "public instance.")
    elif n == 0:
        st.caption("No hidden layer: this is logistic (softmax) regression, or linear "
                   "regression.")
    if MAX_WIDTH in state.widths:
        st.caption(f"Width cap reached: at most {MAX_WIDTH} neurons per layer on this public "
                   "instance.")


def feature_picker(n_inputs: int) -> tuple[str, ...]:
    """Pills for the input features this dataset can feed; returns the chosen keys in order."""
    options = available_features(n_inputs)
    current = state.get(FEATURE_KEY)
    if current is None or any(k not in options for k in current):
        state[FEATURE_KEY] = [k for k in state.features if k in options] or options[:1]
    st.pills("Input features", options, selection_mode="multi", key=FEATURE_KEY,
             format_func=lambda k: FEATURES[k].label)
    picked = tuple(k for k in options if k in (state[FEATURE_KEY] or ()))
    if not picked:
        st.caption("At least one input is needed: using x₁.")
        picked = (options[0],)
    state.features = picked
    return picked


def predictor(X: np.ndarray) -> np.ndarray:
    """The model on raw inputs (x₁, x₂): expand the features, then predict."""
    expanded_X = expand_features(X, features)
    if task == "classification":
        return class_probabilities(run.model, expanded_X)
    return predict(run.model, expanded_X)


# ---- Play, Pause, Step, Reset -------------------------------------------------------------------
def play() -> None:
    state.nb_playing = not state.nb_run.finished


def pause() -> None:
    state.nb_playing = False  # idempotent: a click delivered twice must not toggle back


def step_epoch() -> None:
    state.nb_playing = False
    state.nb_run.advance(1)


def reset() -> None:
    state.nb_playing = False
    state.pop("nb_config", None)  # rebuilt from the seed on this rerun


def live_area() -> None:
    """Train a little (while playing), then draw the boundary, the losses and the gradients."""
    if state.nb_playing:
        run.advance()
        if run.finished:
            state.nb_playing = False
            st.rerun()  # the whole page: stop the timer, redraw neurons and graph
    history = run.history
    if run.stop_reason:
        st.info(run.stop_reason, icon=":material/flag:")
    figures = state.nb_figures.figures(history, predictor, raw)
    columns = st.columns([1.1, 1, 1])
    for column, figure, key in zip(columns, figures, ("nb_boundary", "nb_loss", "nb_grads")):
        with column:
            steady_plotly_chart(key, figure, config={"displayModeBar": False})
    if len(figures) == 1:
        columns[1].info("Press **Play** or **Step** to train.", icon=":material/play_arrow:")
    metrics = st.columns(4)
    metrics[0].metric("Epoch", f"{run.epoch} / {run.max_epochs}")
    if history is not None and history.epochs:
        metrics[1].metric("Training loss", f"{history.epoch_train_loss[-1]:.4f}")
        metrics[2].metric("Validation loss", f"{history.epoch_val_loss[-1]:.4f}")
        if task == "classification":
            metrics[3].metric("Validation accuracy", f"{history.epoch_val_acc[-1]:.0%}")


# ---- what the network is: neurons, the graph of one step, dropout, a lesson ------------------
def neuron_view() -> None:
    show_grads = st.toggle("Colour edges by gradient (one backward pass on the minibatch)",
                           key="nb_show_grads")
    hidden = hidden_activations(run.model, train_data.X[0])
    layers = [LayerView("Input", len(features), [FEATURES[k].label for k in features])]
    for i, (width, act, p) in enumerate(zip(spec.hidden, spec.activations, spec.dropouts)):
        drop = f"<br>dropout {p:g}" if p else ""
        layers.append(LayerView(f"Hidden {i + 1}<br>{act}{drop}", width, values=hidden[i]))
    outputs = ([f"class {c}" for c in range(raw.n_classes)] if task == "classification"
               else ["ŷ"])
    layers.append(LayerView("Output<br>softmax" if task == "classification" else "Output",
                            len(outputs), outputs))
    source = step_model if show_grads else run.model
    matrices = [lin.weight.grad if show_grads else lin.weight.data for lin in source.layers]
    st.plotly_chart(neuron_figure(layers, matrices, gradient=show_grads), key="nb_neurons",
                    config={"displayModeBar": False})
    what = (f"the gradient ∂L/∂w of the loss on a minibatch of {len(step_batch)} points"
            if show_grads else "the weight")
    st.caption(f"One node per neuron, one edge per weight, as of epoch {run.epoch}. Edge colour "
               f"and width: the sign and size of {what}. Hidden neurons are filled with their "
               "activation on the first training point.")


def graph_view() -> None:
    with user_errors(stop=False):
        st.plotly_chart(graph_figure(tensor_graph(record_backward(step_loss)), shape_labels=True),
                        key="nb_graph", config={"displayModeBar": False})
    st.caption(f"One training step on a minibatch of {len(step_batch)} points, in training mode "
               "(dropout on). Each op shows how it maps shapes. Press ▶ Play in the figure to "
               "watch the values flow forward and the gradients flow back.")


def dropout_view() -> None:
    training = st.toggle("Training mode (dropout on)", key="nb_train_mode", value=True)
    if not any(spec.dropouts):
        st.info("No hidden layer has dropout: set a layer's dropout p above 0 to see the "
                "difference.", icon=":material/info:")
    X = train_data.X[:DROPOUT_SAMPLES]
    outputs = repeated_outputs(run.model, X, DROPOUT_PASSES, training)
    if task == "classification":
        probs = softmax(outputs).data
        values = probs[:, np.arange(len(X)), train_data.y[:DROPOUT_SAMPLES]]
        y_title = "P(true class)"
    else:
        values, y_title = outputs[..., 0], "prediction ŷ"
    labels = [f"point {i + 1}" for i in range(len(X))]
    st.plotly_chart(dropout_passes_figure(values, labels, y_title), key="nb_dropout",
                    config={"displayModeBar": False})
    mode = ("training mode: every pass drops different neurons, so the same input gives "
            "different outputs" if training else
            "evaluation mode: dropout is switched off, so every pass gives the same output")
    st.caption(f"The same {len(X)} inputs, {DROPOUT_PASSES} forward passes, {mode}.")


def show_lesson() -> None:
    state.nb_lesson = True


def lesson_view() -> None:
    depth, width = VANISHING["depth"], VANISHING["width"]
    st.markdown(f"The same deep network, {depth} hidden layers of {width}, once with **sigmoid** "
                "and once with **ReLU**, each trained for "
                f"{VANISHING['epochs']} epochs on this dataset from the same seed with "
                f"{optimizer.title}.")
    st.button("Run the lesson", icon=":material/school:", **once(show_lesson))
    if not state.get("nb_lesson"):
        return
    with user_errors(stop=False):
        results = vanishing_gradients(train_data, val_data, optimizer, state.batch, state.seed)
        norms = {a: mean for a, (_, mean) in results.items()}
        every = np.concatenate([h.grad_norms.ravel() for h, _ in results.values()])
        every = every[every > 0]
        log_range = (float(np.log10(every.min())) - 0.2, float(np.log10(every.max())) + 0.2)
        for column, (activation, (history, _)) in zip(st.columns(2), results.items()):
            column.plotly_chart(
                grad_norm_figure(history, title=f"{depth} × {activation}", log_range=log_range,
                                 height=380),
                key=f"nb_lesson_{activation}", config={"displayModeBar": False})
        colors = dict(zip(VANISHING["activations"], layer_colors(2)))
        st.plotly_chart(layer_norms_figure(norms, colors), key="nb_lesson_chart",
                        config={"displayModeBar": False})
        ratio = norms["sigmoid"][-1] / norms["sigmoid"][0]
        st.markdown(f"With sigmoid, layer 1 gets a gradient **{ratio:,.0f}× smaller** than the "
                    "output layer: on the way back every sigmoid multiplies the gradient by "
                    "σ′ ≤ ¼, so the layers next to the inputs hardly learn. ReLU passes the "
                    "gradient through unchanged wherever it is active.")
        st.caption("The sigmoid network starts from the classic Glorot initialisation (gain 1); "
                   "this page's own sigmoid layers start with gain 4, which makes up for the ¼.")


def controls() -> None:
    """Play/Pause, Step and Reset."""
    playing = state.nb_playing
    buttons = st.columns([1, 1, 1, 4])
    buttons[0].button("Pause" if playing else "Play", **once(pause if playing else play),
                      type="primary",
                      icon=":material/pause:" if playing else ":material/play_arrow:",
                      width="stretch", disabled=run.finished)
    buttons[1].button("Step", **once(step_epoch), icon=":material/skip_next:", width="stretch",
                      help="Train one epoch.", disabled=run.finished)
    buttons[2].button("Reset", **once(reset), icon=":material/restart_alt:", width="stretch",
                      help="Start again from the initial weights (same seed).")


# ---- the page ----------------------------------------------------------------------------------
# At 1280×720 the controls and the live charts fit on one screen: settings in the sidebar, the
# layer editor folded under the network's name, Play right above the charts.
normalise_layers()
read_layer_widgets()
with st.sidebar:
    share_slot = st.container()
    st.selectbox("Dataset", list(DATASETS), key="data")
    st.select_slider("Noise", NOISES, key="noise")
    with user_errors():
        raw = make_dataset(state.data, n=N_POINTS, noise=state.noise, seed=state.seed)
    features = feature_picker(raw.n_features)
    st.selectbox("Optimizer", list(OPTIMIZERS), key="opt",
                 format_func=lambda key: OPTIMIZERS[key].name)
    st.select_slider("Learning rate", LEARNING_RATES, key="lr")
    st.select_slider("Batch size", BATCH_SIZES, key="batch")
    st.number_input("Seed", min_value=0, max_value=9999, key="seed",
                    help="Seeds the data, the initial weights, the batches and dropout.")

with user_errors():
    expanded = replace(raw, X=expand_features(raw.X, features))
    train_data, val_data = train_val_split(expanded, VAL_FRACTION, seed=state.seed)
    spec = MLPSpec(n_in=len(features), hidden=state.widths, activations=state.acts,
                   dropouts=state.drops, n_out=raw.n_outputs)
    optimizer = OptimizerChoice.of(state.opt, lr=state.lr)
task = raw.task
out_name = "softmax + cross-entropy" if task == "classification" else "MSE"
with st.expander(f"**Network:** {spec} · output: {out_name}", key=LAYER_EDITOR,
                 icon=":material/tune:"):
    st.caption(f"Edit the hidden layers. {len(train_data)} training and {len(val_data)} "
               "validation points.")
    layer_editor()
publish(PARAMS)
with share_slot:
    share_link(PARAMS)

config = tuple(state[name] for name in PARAMS)  # plain values: a new run when one changes
if state.get("nb_config") != config:
    with user_errors():
        state.nb_run = LiveRun(spec, optimizer, train_data, val_data, state.batch, state.seed)
    state.nb_figures = LiveFigures(optimizer.colour, height=LIVE_CHART_HEIGHT)
    state.nb_config, state.nb_playing = config, False
run: LiveRun = state.nb_run
step_batch = np.arange(min(GRAPH_BATCH, len(train_data)))  # the minibatch shown step by step
step_loss, step_model = minibatch_loss(run.model, train_data.X[step_batch],
                                       train_data.y[step_batch], task)
step_loss.backward()

controls()
st.fragment(live_area, run_every=UPDATE_INTERVAL_S if state.nb_playing else None)()

neuron_tab, graph_tab, dropout_tab, lesson_tab = st.tabs(
    ["Neurons", "Computation graph of one step", "Dropout: train vs eval",
     "Lesson: vanishing gradients"])
with neuron_tab:
    neuron_view()
with graph_tab:
    graph_view()
with dropout_tab:
    dropout_view()
with lesson_tab:
    lesson_view()
