"""Optimizer Lab: SGD, momentum and Adam side by side, with and without dropout.

Two views, chosen at the top (?view=surfaces deep-links to the second); only the chosen one
computes. Every run is seeded: for one seed, every optimizer and dropout setting starts from the
same weights and sees the same minibatches. Settings live in the sidebar and in the URL.
"""

import math
from dataclasses import replace

import numpy as np
import streamlit as st

from engine.data import DATASETS, MIN_SAMPLES, make_dataset, train_val_split
from engine.errors import PlaygroundError
from engine.limits import MAX_EPOCHS, MAX_GRID_STEPS, MAX_SAMPLES, MAX_SEEDS, check_limit
from engine.nn import ACTIVATIONS, MLPSpec
from engine.optim import OPTIMIZERS
from engine.train import OptimizerSpec, compare
from page_models.limits import MAX_SURFACE_STEPS
from page_models.surfaces import (
    MAX_KAPPA,
    SURFACES,
    descend,
    make_surface,
    optimal_settings,
    theoretical_rates,
)
from ui.errors import user_errors
from ui.nav import page_header
from ui.state import Param, bind, explain_over_cap, publish, share_link
from viz.boundary import BoundaryGrid, boundary_grid, boundary_small_multiples
from viz.curves import curves_figure, group_title, series, summary_rows
from viz.surface_plot import loss_figure, trajectory_figure

VIEWS = {"train": "Train a network", "surfaces": "Loss surfaces"}
LEARNING_RATES = (1e-4, 2e-4, 5e-4, 1e-3, 2e-3, 5e-3, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1.0, 2.0,
                  5.0, 10.0)
KAPPAS = (1.0, 2.0, 5.0, 10.0, 20.0, 50.0, 100.0, 200.0, 500.0, MAX_KAPPA)
SURFACE_NAMES = {"quadratic": "Quadratic ½(x² + κy²)", "rosenbrock": "Rosenbrock",
                 "saddle": "Saddle", "himmelblau": "Himmelblau"}
QUADRATIC = make_surface("quadratic", 20.0)
START_BOUND = 10.0
DATA_SEED = SPLIT_SEED = 0

PARAMS = {
    "view": Param("train", choices=tuple(VIEWS)),
    # Train a network
    "data": Param("moons", choices=tuple(DATASETS)),
    "n": Param(200, lo=MIN_SAMPLES, hi=MAX_SAMPLES),
    "noise": Param(0.3, lo=0.0, hi=1.0),
    "val": Param(0.3, lo=0.1, hi=0.5),
    "hidden": Param("32-32", max_len=60),
    "act": Param("tanh", choices=tuple(ACTIVATIONS)),
    "epochs": Param(60, lo=1, hi=MAX_EPOCHS),
    "batch": Param(32, lo=1, hi=MAX_SAMPLES),
    "use_sgd": Param(True),
    "use_momentum": Param(True),
    "use_adam": Param(True),
    "lr_sgd": Param(0.1, choices=LEARNING_RATES),
    "lr_momentum": Param(0.05, choices=LEARNING_RATES),
    "momentum": Param(0.9, lo=0.0, hi=0.99),
    "lr_adam": Param(0.01, choices=LEARNING_RATES),
    "beta1": Param(0.9, lo=0.0, hi=0.99),
    "beta2": Param(0.999, lo=0.9, hi=0.9999),
    "p": Param(0.3, lo=0.05, hi=0.9),
    "no_drop": Param(True),
    "drop": Param(True),
    "seeds": Param(3, lo=1, hi=MAX_SEEDS),
    "x_axis": Param("epochs", choices=("epochs", "steps")),
    "log": Param(False),
    "target": Param(0.3, lo=1e-6, hi=100.0),
    # Loss surfaces
    "surface": Param("quadratic", choices=SURFACES),
    "kappa": Param(20.0, choices=KAPPAS),
    "optimal": Param(True),
    # The start point, step count and optimizer settings: their defaults are the chosen
    # surface's (surface_params), these are the quadratic's.
    "x0": Param(QUADRATIC.start[0], lo=-START_BOUND, hi=START_BOUND),
    "y0": Param(QUADRATIC.start[1], lo=-START_BOUND, hi=START_BOUND),
    "steps": Param(QUADRATIC.steps, lo=1, hi=MAX_SURFACE_STEPS),
    "s_lr_sgd": Param(0.02, choices=LEARNING_RATES),
    "s_lr_momentum": Param(0.05, choices=LEARNING_RATES),
    "s_momentum": Param(0.9, lo=0.0, hi=0.99),
    "s_lr_adam": Param(QUADRATIC.lr["adam"], choices=LEARNING_RATES),
}
SURFACE_KNOBS = ("x0", "y0", "steps", "s_lr_sgd", "s_lr_momentum", "s_momentum", "s_lr_adam")


def state(name: str):
    return st.session_state[name]


def nearest(choices, value: float) -> float:
    """The choice closest to value on a log scale."""
    return min(choices, key=lambda c: abs(math.log(c / value)))


# ---- Train a network --------------------------------------------------------------------------


@st.cache_data(max_entries=32, show_spinner=False)
def load_data(name: str, n: int, noise: float, val_fraction: float):
    data = make_dataset(name, n=n, noise=noise, seed=DATA_SEED)
    return data, *train_val_split(data, val_fraction, seed=SPLIT_SEED)


@st.cache_data(max_entries=64, show_spinner=False)
def run_comparison(data_key: tuple, network: str, optimizers: tuple, dropout_p: float,
                   with_dropout: tuple, seeds: int, epochs: int, batch: int):
    """engine.train.compare on these settings: the runs with their histories but without their
    models (plain data), and (title, decision-boundary grid) of each setting's seed-0 model.
    A progress bar shows while it trains; it ends empty, so a cache hit shows nothing of it."""
    _, train_data, val_data = load_data(*data_key)
    bar = st.progress(0.0, text="Training…")
    shown = [0.0]

    def progress(done: int, total: int) -> None:
        if done == total or done / total >= shown[0] + 0.05:  # at most ~20 updates
            shown[0] = done / total
            bar.progress(shown[0], text=f"Training: {done} of {total} epochs (all runs)")

    runs = compare(MLPSpec.from_text(network), optimizers, dropout_p, range(seeds), train_data,
                   val_data, epochs, batch, with_dropout=with_dropout, progress=progress)
    bar.empty()
    grids = [(group_title(r), final_model_grid(r, train_data)) for r in runs if r.seed == 0]
    return [replace(r, history=replace(r.history, model=None)) for r in runs], grids


def final_model_grid(run, train_data) -> BoundaryGrid:
    """What the run's final model predicts over the data; nothing (nan) if the run diverged."""
    grid = boundary_grid(run.history.model, train_data, resolution=60)
    if run.history.diverged:
        return replace(grid, values=np.full_like(grid.values, np.nan))
    return grid


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
    fmt = "{:g}".format
    st.checkbox("SGD", key="use_sgd")
    st.select_slider("SGD learning rate", LEARNING_RATES, format_func=fmt, key="lr_sgd")
    st.checkbox("Momentum", key="use_momentum")
    st.select_slider("Momentum learning rate", LEARNING_RATES, format_func=fmt, key="lr_momentum")
    st.slider("Momentum β", 0.0, 0.99, step=0.01, key="momentum")
    st.checkbox("Adam", key="use_adam")
    st.select_slider("Adam learning rate", LEARNING_RATES, format_func=fmt, key="lr_adam")
    st.slider("Adam β₁", 0.0, 0.99, step=0.01, key="beta1")
    st.slider("Adam β₂", 0.9, 0.9999, step=0.0001, format="%.4f", key="beta2")
    st.subheader("Dropout and seeds")
    st.checkbox("Runs without dropout", key="no_drop")
    st.checkbox("Runs with dropout", key="drop")
    st.slider("Dropout p", 0.05, 0.9, step=0.05, key="p")
    st.slider("Seeds", 1, MAX_SEEDS, key="seeds")


def chosen_optimizers() -> list[OptimizerSpec]:
    """The optimizers switched on, with their settings."""
    specs = {
        "sgd": OptimizerSpec("sgd", state("lr_sgd")),
        "momentum": OptimizerSpec("momentum", state("lr_momentum"), state("momentum")),
        "adam": OptimizerSpec("adam", state("lr_adam"), betas=(state("beta1"), state("beta2"))),
    }
    return [spec for name, spec in specs.items() if state(f"use_{name}")]


def network_text(data) -> str:
    hidden = state("hidden").strip().replace(" ", "").replace(",", "-")
    sizes = "-".join(filter(None, [str(data.n_features), hidden, str(data.n_outputs)]))
    return f"{sizes}:{state('act')}"


def train_view() -> None:
    data_key = (state("data"), state("n"), state("noise"), state("val"))
    data, train_data, _ = load_data(*data_key)
    network = network_text(data)
    MLPSpec.from_text(network)  # a clear message for a bad hidden-layer text, before training
    optimizers = tuple(chosen_optimizers())
    with_dropout = tuple(flag for flag in (False, True) if state("drop" if flag else "no_drop"))
    if not optimizers or not with_dropout:
        raise PlaygroundError("Nothing to train: switch on at least one optimizer and at least "
                              "one of 'runs without dropout' / 'runs with dropout'.")
    seeds, epochs, batch = state("seeds"), state("epochs"), state("batch")
    steps_per_epoch = -(-len(train_data) // min(batch, len(train_data)))
    check_limit("The number of training steps in this comparison (runs × epochs × batches)",
                len(optimizers) * len(with_dropout) * seeds * epochs * steps_per_epoch,
                MAX_GRID_STEPS)
    runs, grids = run_comparison(data_key, network, optimizers, state("p"), with_dropout, seeds,
                                 epochs, batch)
    show_results(runs, grids, data, train_data)


def show_results(runs, grids, data, train_data) -> None:
    diverged = [s.name for s in series(runs, "val_loss") if any(s.diverged)]
    if diverged:
        st.warning(f"{'; '.join(diverged)}. A curve stops where its run diverged; try a smaller "
                   "learning rate.", icon=":material/warning:")
    left, mid, right = st.columns([2, 1, 1], vertical_alignment="bottom")
    left.segmented_control("x axis", ("epochs", "steps"), key="x_axis", required=True)
    mid.toggle("Log scale", key="log")
    right.number_input("Target loss", 1e-6, 100.0, step=0.05, format="%g", key="target")
    x_axis, log_y = state("x_axis"), state("log")
    x_title = "epoch" if x_axis == "epochs" else "step"
    classification = data.task == "classification"
    loss_name = "cross-entropy" if classification else "mean squared error"
    charts = [("train_loss", "val_loss", f"loss ({loss_name})")]
    if classification:
        charts.append(("train_acc", "val_acc", "accuracy"))
    for i, (train_metric, val_metric, y_title) in enumerate(charts):
        panels = [(f"{title} {y_title.split()[0]}", series(runs, metric, x_axis))
                  for title, metric in (("Training", train_metric), ("Validation", val_metric))]
        fig = curves_figure(panels, y_title=y_title, x_title=x_title,
                            log_y=log_y and i == 0, from_zero=i == 0, show_legend=i == 0)
        st.plotly_chart(fig, theme=None, key=f"curves_{train_metric}")
    st.caption(
        "Lines: mean over seeds; shaded: min–max over seeds. Solid: without dropout; dashed: "
        "with dropout. Per epoch, losses and accuracies are measured on the whole set with "
        "dropout off; on the step axis the training loss is each minibatch's loss, as the "
        "optimizer saw it (with dropout on)."
    )
    st.subheader("Summary")
    target = state("target")
    rows = summary_rows(runs, target)
    # Widths in pixels: every column fits the main column at 1280 px, sidebar open.
    numbers = {name: st.column_config.NumberColumn(format="%.3f", width=66)
               for name in ("train loss", "val loss", "train acc", "val acc")}
    st.dataframe(rows, hide_index=True, column_config=numbers | {
        "run": st.column_config.TextColumn(width=203),
        "best val epoch": st.column_config.NumberColumn(width=100),
        f"steps to ≤ {target:g}": st.column_config.NumberColumn(width=93),
        "diverged": st.column_config.TextColumn(width=72),
        "time s": st.column_config.NumberColumn(format="%.2f", width=56),
    })
    st.caption(f"Averages over seeds; None: no value (never reached, or the run diverged). "
               f"Steps to ≤ {target:g}: the first epoch end at which the training loss (dropout "
               "off) is at most the target loss. Time: compute seconds, summed over seeds.")
    st.subheader("Decision boundaries" if classification else "Fitted curves")
    cols = len(grids) // len({r.dropout_p for r in runs})
    st.plotly_chart(boundary_small_multiples(grids, train_data, cols=cols,
                                             empty_note="diverged: no model"),
                    theme=None, key="boundaries")
    st.caption("The final model of seed 0 of each run, over the training points.")


# ---- Loss surfaces ----------------------------------------------------------------------------


def surface_defaults(name: str) -> dict:
    """The start point, step count and optimizer settings the surface `name` opens with (the
    quadratic's manual settings are PARAMS' defaults; its optimal ones depend on κ)."""
    if name == "quadratic":
        return {knob: PARAMS[knob].default for knob in SURFACE_KNOBS}
    surface = make_surface(name)
    return {"x0": surface.start[0], "y0": surface.start[1], "steps": surface.steps,
            **{f"s_lr_{opt}": nearest(LEARNING_RATES, surface.lr[opt]) for opt in OPTIMIZERS},
            "s_momentum": round(surface.momentum, 2)}


def page_params() -> dict[str, Param]:
    """PARAMS with the chosen surface's defaults, so that a link naming only the surface
    (?surface=saddle) starts where that surface should, and the URL leaves out exactly those."""
    name = st.session_state.get("surface") or PARAMS["surface"].parse(
        st.query_params.get("surface", PARAMS["surface"].default))
    return PARAMS | {knob: replace(PARAMS[knob], default=value)
                     for knob, value in surface_defaults(name).items()}


def reset_surface_settings() -> None:
    """A new surface starts from its own start point, step count and learning rates."""
    for knob, value in surface_defaults(state("surface")).items():
        st.session_state[knob] = value


def surface_settings() -> None:
    st.subheader("Surface")
    st.selectbox("Function", SURFACES, format_func=SURFACE_NAMES.get, key="surface",
                 on_change=reset_surface_settings)
    quadratic = state("surface") == "quadratic"
    if quadratic:
        st.select_slider("Condition number κ", KAPPAS, format_func="{:g}".format, key="kappa")
    left, right = st.columns(2)
    left.number_input("Start x", -START_BOUND, START_BOUND, step=0.1, format="%.3f", key="x0")
    right.number_input("Start y", -START_BOUND, START_BOUND, step=0.1, format="%.3f", key="y0")
    st.slider("Steps", 1, MAX_SURFACE_STEPS, key="steps")
    st.subheader("Optimizers")
    fmt = "{:g}".format
    optimal = quadratic and st.toggle("Optimal settings for κ", key="optimal",
                                      help="γ = 2/(κ+1) for SGD; γ = 4/(√κ+1)² and "
                                      "β = ((√κ−1)/(√κ+1))² for momentum.")
    if optimal:
        best = optimal_settings(state("kappa"))
        st.markdown(f"SGD: γ = {best['sgd']['lr']:.4g}  \nMomentum: γ = "
                    f"{best['momentum']['lr']:.4g}, β = {best['momentum']['momentum']:.4g}")
    else:
        st.select_slider("SGD learning rate", LEARNING_RATES, format_func=fmt, key="s_lr_sgd")
        st.select_slider("Momentum learning rate", LEARNING_RATES, format_func=fmt,
                         key="s_lr_momentum")
        st.slider("Momentum β", 0.0, 0.99, step=0.01, key="s_momentum")
    st.select_slider("Adam learning rate", LEARNING_RATES, format_func=fmt, key="s_lr_adam")


def surface_optimizers(use_optimal: bool) -> list[OptimizerSpec]:
    if use_optimal:
        best = optimal_settings(state("kappa"))
        sgd, momentum = OptimizerSpec("sgd", **best["sgd"]), OptimizerSpec("momentum",
                                                                          **best["momentum"])
    else:
        sgd = OptimizerSpec("sgd", state("s_lr_sgd"))
        momentum = OptimizerSpec("momentum", state("s_lr_momentum"), state("s_momentum"))
    return [sgd, momentum, OptimizerSpec("adam", state("s_lr_adam"))]


@st.cache_data(max_entries=64, show_spinner=False)
def descend_all(surface_name: str, kappa: float, start: tuple, steps: int, optimizers: tuple):
    surface = make_surface(surface_name, kappa)
    return [descend(surface, opt, start, steps) for opt in optimizers]


def surface_view() -> None:
    surface = make_surface(state("surface"), state("kappa"))
    start = (state("x0"), state("y0"))
    (x_lo, x_hi), (y_lo, y_hi) = surface.x_range, surface.y_range
    if not (x_lo <= start[0] <= x_hi and y_lo <= start[1] <= y_hi):
        raise PlaygroundError(f"The start point must lie in the plotted area: x in [{x_lo:g}, "
                              f"{x_hi:g}] and y in [{y_lo:g}, {y_hi:g}].")
    use_optimal = surface.name == "quadratic" and state("optimal")
    optimizers = tuple(surface_optimizers(use_optimal))
    runs = descend_all(surface.name, state("kappa"), start, state("steps"), optimizers)
    rates = theoretical_rates(surface.kappa) if use_optimal else None
    st.latex(surface.latex)
    left, right = st.columns([3, 2])
    left.plotly_chart(trajectory_figure(surface, runs), theme=None, key="trajectories")
    right.plotly_chart(loss_figure(surface, runs, rates), theme=None, key="surface_loss")
    surface_caption(surface, use_optimal)


def surface_caption(surface, use_optimal: bool) -> None:
    if surface.name != "quadratic":
        st.caption("Contours: log₁₀(f − f*), f* the global minimum (gold stars). Press ▶ Play to "
                   "watch the paths unfold; the right plot is f − f* after each step.")
        return
    kappa = surface.kappa
    rates = theoretical_rates(kappa)
    if not use_optimal:
        st.caption("The theoretical rates hold for the optimal settings: switch on "
                   "'Optimal settings for κ' to draw them.")
        return
    st.markdown(
        f"On ½(x² + κy²) the curvatures are μ = 1 and L = κ = {kappa:g}. Gradient descent with "
        f"γ = 2/(L+μ) shrinks ‖θ‖ by at best (κ−1)/(κ+1) = **{rates['sgd']:.4f}** per step; "
        f"heavy-ball momentum with γ = 4/(√L+√μ)², β = ((√κ−1)/(√κ+1))² by "
        f"(√κ−1)/(√κ+1) = **{rates['momentum']:.4f}**. The loss is quadratic in θ, so the "
        "dotted lines are (f(θ₀) − f*)·rate^(2k). Gradient descent lies exactly on its line; "
        "momentum follows the slope of its line up to a factor growing like k² (its iteration "
        "has a double eigenvalue). Adam has no such rate: it divides each step by a running "
        "average of the gradient's size."
    )


# ---- page -------------------------------------------------------------------------------------


page_header(
    "pages/3_Optimizer_Lab.py",
    intro="Compare SGD, momentum and Adam on the same problem, with and without dropout. Every "
    "run is seeded, and for one seed all runs start from the same weights.",
)
params = page_params()
bind(params)
explain_over_cap(params)
st.segmented_control("View", tuple(VIEWS), format_func=VIEWS.get, key="view", required=True,
                     label_visibility="collapsed")
with st.sidebar:
    share_link(params)
    (train_settings if state("view") == "train" else surface_settings)()
with user_errors(stop=False):
    (train_view if state("view") == "train" else surface_view)()
publish(params)
