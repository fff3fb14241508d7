"""Optimizer Lab: any optimizers side by side, with and without dropout, and on loss surfaces.

Two views, chosen at the top (?view=surfaces deep-links to the second); only the chosen one
computes. The state, the URL and what to compute are page_models.optimizer_lab's.
"""

import json
from dataclasses import replace
from functools import partial

import streamlit as st

from ui.process import set_up_process

set_up_process()  # first, before the app's own imports: see ui.process, "One importer"
from engine.data import DATASETS, MIN_SAMPLES
from engine.limits import MAX_EPOCHS, MAX_SAMPLES, MAX_SEEDS
from engine.nn import ACTIVATIONS, MLPSpec
from engine.train_grid import compare
from page_models import optimizer_lab as lab
from page_models import own_data
from page_models.limits import MAX_SURFACE_STEPS
from page_models.optimizers import OptimizerChoice
from page_models.surfaces import SURFACES, default_choice, make_surface
from ui.charts import chart, shared
from ui.errors import user_errors
from ui.nav import page_header, presenting
from ui.optimizer_picker import optimizer_picker
from ui.own_data import your_data
from ui.state import bind, current, explain_link, publish, share_link
from ui.surface_player import surface_player
from viz.comparison import comparison_figures, final_boundaries
from viz.curves import series, summary_rows
from viz.surface_plot import loss_figure, surface_player_data


def state(name: str):
    return st.session_state[name]


# ---- Train a network --------------------------------------------------------------------------
@st.cache_resource(max_entries=16, ttl=3600, show_spinner=False)
def run_comparison(setup: lab.TrainSetup):
    """The runs (histories without models: plain data) and each setting's seed-0 boundary grid,
    shared by every session as they are (never mutated; cache_data would unpickle a copy per
    session). A progress bar shows while it trains; it ends empty, so a cache hit shows nothing
    of it."""
    _, train_data, val_data = lab.load_data(*setup.data_key)
    bar = st.progress(0.0, text="Training…")

    def progress(done: int, total: int) -> None:
        bar.progress(done / total, text=f"Training: {done} of {total} epochs (all runs)")

    runs = compare(MLPSpec.from_text(setup.network), setup.optimizers, setup.dropout_p,
                   range(setup.seeds), train_data, val_data, setup.epochs, setup.batch,
                   with_dropout=setup.with_dropout, progress=progress)
    bar.empty()
    grids = final_boundaries(runs, train_data)
    return [replace(r, history=replace(r.history, model=None)) for r in runs], grids


@st.cache_resource(max_entries=32, ttl=3600, show_spinner=False)
def train_figures(setup: lab.TrainSetup, x_axis: str, log_y: bool, *, _runs, _grids, _data):
    """The curves and boundaries of the setup's runs, built once for every session."""
    curves, boundaries = comparison_figures(_runs, _grids, _data, len(setup.with_dropout),
                                            x_axis, log_y)
    return [shared(fig) for fig in curves], shared(boundaries)


def train_settings() -> None:
    st.subheader("Data")
    st.selectbox("Dataset", tuple(DATASETS), key="data")
    st.slider("Points", MIN_SAMPLES, MAX_SAMPLES, step=10, key="n")
    st.slider("Noise", 0.0, 1.0, step=0.05, key="noise")
    st.slider("Validation share", 0.1, 0.5, step=0.05, key="val")
    st.subheader("Network and training")
    st.text_input("Hidden layer sizes", key="hidden", help="Widths joined by '-', e.g. 32-32. "
                  "Leave empty for no hidden layer.")
    st.selectbox("Activation", tuple(ACTIVATIONS), key="act")
    st.slider("Epochs", 1, MAX_EPOCHS, key="epochs")
    st.number_input("Batch size", 1, MAX_SAMPLES, step=1, key="batch")
    st.subheader("Optimizers")
    optimizer_picker("opt", OptimizerChoice.of)
    st.subheader("Dropout and seeds")
    st.checkbox("Runs without dropout", key="no_drop")
    st.checkbox("Runs with dropout", key="drop")
    st.slider("Dropout p", 0.05, 0.9, step=0.05, key="p")
    st.slider("Seeds", 1, MAX_SEEDS, key="seeds")


def train_view(params) -> None:
    head, main, rest = st.container(), st.container(key="main-visual"), st.container()
    builtin = lab.builtin_data(current(params))  # the "Your data" panel goes below the rest
    if (data := your_data(builtin)) is None:  # the panel says why
        return
    setup = lab.train_setup(current(params), None if data is builtin else data)
    runs, grids = run_comparison(setup)
    data, train_data, _ = lab.load_data(*setup.data_key)
    with head:
        if failed := [s.name for s in series(runs, "val_loss") if s.note]:
            st.warning(f"{'; '.join(failed)}. Try a smaller learning rate (a stalled run ended "
                       "no lower than it started).", icon=":material/warning:")
        left, mid, right = st.columns([2, 1, 1], vertical_alignment="bottom")
    left.segmented_control("x axis", ("epochs", "steps"), key="x_axis", required=True)
    mid.toggle("Log scale", key="log")
    right.number_input("Target loss", 1e-6, 100.0, step=0.05, format="%g", key="target")
    classification = data.task == "classification"
    curves, boundaries = train_figures(setup, state("x_axis"), state("log"), _runs=runs,
                                       _grids=grids, _data=train_data)
    chart(curves[0], main, theme=None, key="curves_0")  # the loss panels and the legend
    with rest:
        for i, fig in enumerate(curves[1:], start=1):
            chart(fig, theme=None, key=f"curves_{i}")
        st.caption("Lines: mean over seeds; shaded: min–max over seeds. Solid: without "
                   "dropout; dashed: with dropout. Per epoch, losses and accuracies are measured "
                   "on the whole set with dropout off; on the step axis the training loss is each "
                   "minibatch's loss, as the optimizer saw it (with dropout on).")
        st.header("Summary", anchor=False)
        target = state("target")
        numbers = {name: st.column_config.NumberColumn(format="%.3f")
                   for name in ("train loss", "val loss", "train acc", "val acc")}
        st.dataframe(summary_rows(runs, target), hide_index=True, column_config=numbers)
        st.caption(f"Averages over seeds; None: no value (never reached, or the run "
                   f"diverged). Steps to ≤ {target:g}: the first epoch end at which the training "
                   "loss (dropout off) is at most the target loss.")
        st.header("Decision boundaries" if classification else "Fitted curves", anchor=False)
        chart(boundaries, theme=None, key="boundaries")
        st.caption("The final model of seed 0 of each run, over the training points.")


# ---- Loss surfaces ----------------------------------------------------------------------------
def reset_surface_settings() -> None:
    """A new surface starts from its own start point, step count and optimizer settings."""
    st.session_state.update(lab.surface_defaults(state("surface")))


def surface_settings() -> None:
    st.subheader("Surface")
    st.selectbox("Function", SURFACES, format_func=lambda name: make_surface(name).label,
                 key="surface", on_change=reset_surface_settings)
    quadratic = state("surface") == "quadratic"
    if quadratic:
        st.select_slider("Condition number κ", lab.KAPPAS, format_func="{:g}".format,
                         key="kappa")
    left, right = st.columns(2)
    left.number_input("Start x", -lab.START_BOUND, lab.START_BOUND, step=0.1, format="%.3f",
                      key="x0")
    right.number_input("Start y", -lab.START_BOUND, lab.START_BOUND, step=0.1, format="%.3f",
                       key="y0")
    st.slider("Steps", 1, MAX_SURFACE_STEPS, key="steps")
    st.subheader("Optimizers")
    optimal = quadratic and st.toggle("Optimal settings for κ", key="optimal",
                                      help="γ = 2/(κ+1) for SGD; γ = 4/(√κ+1)², β = "
                                      "((√κ−1)/(√κ+1))² for momentum; γ = 1/κ, μ = "
                                      "(√κ−1)/(√κ+1) for Nesterov.")
    surface = make_surface(state("surface"), state("kappa"))
    optimizer_picker("sopt", partial(default_choice, surface, optimal=False),
                     fixed=lab.optimal_overrides(surface, optimal))


@st.cache_resource(max_entries=32, ttl=3600, show_spinner=False)
def surface_figures(setup: lab.SurfaceSetup):
    """The player's map (JSON text) and the loss chart, built once per setup for all sessions."""
    runs, surface = lab.descend_all(setup), setup.surface
    return (json.dumps(surface_player_data(surface, runs), separators=(",", ":")),
            shared(loss_figure(surface, runs, setup.rates)))


def surface_view(params) -> None:
    setup = lab.surface_setup(current(params))
    trajectories, losses = surface_figures(setup)
    st.latex(setup.surface.latex)
    left, right = st.container(key="main-visual").columns([3, 2])
    with left:
        surface_player("trajectories", trajectories, start=state("sstep"), present=presenting())
    chart(losses, right, theme=None, key="surface_loss")
    (st.markdown if setup.optimal else st.caption)(lab.surface_note(setup))


# ---- page -------------------------------------------------------------------------------------
page_header(
    "pages/3_Optimizer_Lab.py",
    intro="Compare up to six optimizers on the same problem, with and without dropout. Every "
    "run is seeded, and for one seed all runs start from the same weights.",
)
params = lab.page_params(st.session_state.get("surface") or lab.PARAMS["surface"].parse(
    st.query_params.get("surface", lab.PARAMS["surface"].default)))
bind(params)
explain_link(params)
st.segmented_control("View", tuple(lab.VIEWS), format_func=lab.VIEWS.get, key="view",
                     required=True, label_visibility="collapsed")
training = state("view") == "train"
with st.sidebar:
    share = st.container()
    (train_settings if training else surface_settings)()
with user_errors(stop=False):
    (train_view if training else surface_view)(params)
with share:  # after the views: the "Your data" panel sets its link text while it runs
    share_link({**params, **own_data.PARAMS})
publish({**params, **own_data.PARAMS})
