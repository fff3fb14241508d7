"""The Optimizer Lab's model: its state (URL params), the optimizer lists and their widgets'
values, and what each view computes.

Two views: "train" compares optimizers training one network (every optimizer × {no dropout,
dropout p} × seeds, by engine.train.compare); "surfaces" lets the same kind of list descend a 2-D
loss surface. Each view has its own list of up to six optimizers (registry choices, in the URL as
page_models.optimizers.format_choices text), each with its knobs and an optional schedule.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from typing import Any

import numpy as np

from engine.data import DATASETS, MIN_SAMPLES, Dataset, make_dataset, train_val_split
from engine.errors import PlaygroundError
from engine.limits import MAX_EPOCHS, MAX_SAMPLES, MAX_SEEDS
from engine.nn import ACTIVATIONS, MLPSpec
from engine.train_grid import check_comparison
from page_models.limits import MAX_SURFACE_STEPS
from page_models.optimizers import (
    OPTIMIZERS,
    SCHEDULES,
    OptimizerChoice,
    ScheduleChoice,
    format_choices,
    parse_choices,
)
from page_models.surfaces import (
    MAX_KAPPA,
    SURFACES,
    Surface,
    Trajectory,
    default_choice,
    descend,
    make_surface,
    optimal_settings,
    theoretical_rates,
)
from page_models.url import Param

__all__ = [
    "KAPPAS",
    "NO_SCHEDULE",
    "PARAMS",
    "STORY",
    "VIEWS",
    "TrainSetup",
    "builtin_data",
    "descend_all",
    "load_data",
    "own_key",
    "page_params",
    "picker_state",
    "read_picker",
    "surface_note",
    "surface_setup",
    "train_setup",
]

VIEWS = {"train": "Train a network", "surfaces": "Loss surfaces"}
STORY = ("sgd", "momentum", "adam")  # the optimizers a fresh page compares
KAPPAS = (1.0, 2.0, 5.0, 10.0, 20.0, 50.0, 100.0, 200.0, 500.0, MAX_KAPPA)
START_BOUND = 10.0
DATA_SEED = SPLIT_SEED = 0
NO_SCHEDULE = "none"
TRAIN_OPTIMIZERS = format_choices(OptimizerChoice.of(key) for key in STORY)
QUADRATIC = make_surface("quadratic", 20.0)

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
    "opt": Param(TRAIN_OPTIMIZERS, max_len=600, check=parse_choices),
    "p": Param(0.3, lo=0.05, hi=0.9),
    "no_drop": Param(True),
    "drop": Param(True),
    "seeds": Param(3, lo=1, hi=MAX_SEEDS),
    "x_axis": Param("epochs", choices=("epochs", "steps")),
    "log": Param(False),
    "target": Param(0.3, lo=1e-6, hi=100.0),
    # Loss surfaces; the start point, steps and optimizers default to the chosen surface's
    # (page_params); these are the quadratic's.
    "surface": Param("quadratic", choices=SURFACES),
    "kappa": Param(20.0, choices=KAPPAS),
    "optimal": Param(True),
    "x0": Param(QUADRATIC.start[0], lo=-START_BOUND, hi=START_BOUND),
    "y0": Param(QUADRATIC.start[1], lo=-START_BOUND, hi=START_BOUND),
    "steps": Param(QUADRATIC.steps, lo=1, hi=MAX_SURFACE_STEPS),
    "sopt": Param("", max_len=600, check=parse_choices),
    "sstep": Param(MAX_SURFACE_STEPS, lo=0, hi=MAX_SURFACE_STEPS),  # the map's step; the
    # default is past every path's end: the final paths
}


def surface_defaults(name: str) -> dict[str, Any]:
    """The start point, step count and optimizers the surface `name` opens with."""
    surface = make_surface(name)
    choices = (default_choice(surface, key, optimal=False) for key in STORY)
    return {"x0": surface.start[0], "y0": surface.start[1], "steps": surface.steps,
            "sopt": format_choices(choices)}


def page_params(surface_name: str) -> dict[str, Param]:
    """PARAMS with the surface's own defaults, so that a link naming only the surface
    (?surface=saddle) starts where that surface should, and the URL leaves out exactly those."""
    return PARAMS | {name: replace(PARAMS[name], default=value)
                     for name, value in surface_defaults(surface_name).items()}


# ---- the optimizer lists' widgets --------------------------------------------------------------
def _key(prefix: str, i: int, what: str) -> str:
    return f"{prefix}{i}_{what}"


def picker_state(prefix: str, choices: list[OptimizerChoice]) -> dict[str, Any]:
    """Every widget value that shows `choices`: slot i's optimizer ({prefix}{i}_key), its knobs
    ({prefix}{i}_{knob}), its schedule ({prefix}{i}_schedule) and the schedule's knobs
    ({prefix}{i}_s_{knob})."""
    state: dict[str, Any] = {}
    for i, choice in enumerate(choices):
        state[_key(prefix, i, "key")] = choice.key
        state |= {_key(prefix, i, name): value for name, value in choice.values}
        schedule = choice.schedule
        state[_key(prefix, i, "schedule")] = schedule.key if schedule else NO_SCHEDULE
        if schedule:
            state |= {_key(prefix, i, f"s_{name}"): value for name, value in schedule.values}
    return state


def read_picker(prefix: str, state: Mapping[str, Any], shown: list[OptimizerChoice],
                default_for: Callable[[str], OptimizerChoice]) -> list[OptimizerChoice]:
    """The choices the widgets now show (picker_state's inverse). A slot switched to another
    optimizer starts from default_for(its key); a newly picked schedule from its defaults."""
    choices = []
    for i, before in enumerate(shown):
        key = state[_key(prefix, i, "key")]
        if key != before.key:
            choices.append(replace(default_for(key), schedule=before.schedule))
            continue
        values = {name: state[_key(prefix, i, name)] for name, _ in before.values}
        s_key = state[_key(prefix, i, "schedule")]
        if s_key == NO_SCHEDULE:
            schedule = None
        elif before.schedule and s_key == before.schedule.key:
            schedule = ScheduleChoice.of(s_key, **{
                name: state[_key(prefix, i, f"s_{name}")] for name, _ in before.schedule.values})
        else:
            schedule = ScheduleChoice.of(s_key)
        choices.append(OptimizerChoice.of(key, schedule, **values))
    return choices


def schedule_names() -> dict[str, str]:
    """Schedule menu: key -> name, "none" first."""
    return {NO_SCHEDULE: "constant learning rate"} | {k: e.name for k, e in SCHEDULES.items()}


def optimizer_names() -> dict[str, str]:
    return {key: entry.name for key, entry in OPTIMIZERS.items()}


# ---- Train a network ---------------------------------------------------------------------------
def load_data(name: str, n: int, noise: float, val_fraction: float, own: tuple = ()
              ) -> tuple[Dataset, Dataset, Dataset]:
    """(all points, training part, validation part): seeded, the same on every machine. The
    built-in dataset `name`, or the visitor's own data if `own` (own_key's values) is given."""
    data = _from_key(own) if own else make_dataset(name, n=n, noise=noise, seed=DATA_SEED)
    return data, *train_val_split(data, val_fraction, seed=SPLIT_SEED)


def builtin_data(values: Mapping[str, Any]) -> Dataset:
    """The built-in dataset the train view's settings choose."""
    return load_data(values["data"], values["n"], values["noise"], values["val"])[0]


def own_key(data: Dataset) -> tuple:
    """The visitor's own dataset as plain hashable values (part of a cache key), exactly."""
    return (data.task, data.n_classes, data.name, data.X.shape[1], data.X.tobytes(),
            data.y.tobytes())


def _from_key(key: tuple) -> Dataset:
    task, n_classes, name, width, X, y = key
    labels = np.frombuffer(y, np.int64 if task == "classification" else np.float64)
    return Dataset(np.frombuffer(X).reshape(-1, width).copy(),
                   labels.copy() if task == "classification" else labels.reshape(-1, 1).copy(),
                   task, n_classes, name)


@dataclass(frozen=True)
class TrainSetup:
    """Everything engine.train.compare needs, as plain hashable values (a cache key)."""

    data_key: tuple
    network: str
    optimizers: tuple[OptimizerChoice, ...]
    dropout_p: float
    with_dropout: tuple[bool, ...]
    seeds: int
    epochs: int
    batch: int


def network_text(data: Dataset, hidden: str, activation: str) -> str:
    """The MLPSpec text of the network: the data's inputs, the hidden widths, its outputs."""
    hidden = hidden.strip().replace(" ", "").replace(",", "-")
    sizes = "-".join(filter(None, [str(data.n_features), hidden, str(data.n_outputs)]))
    return f"{sizes}:{activation}"


def train_setup(values: Mapping[str, Any], own: Dataset | None = None) -> TrainSetup:
    """The comparison the train view's values ask for, on the built-in data or on `own` (the
    visitor's, from the "Your data" panel); PlaygroundError (a cap named, or what is missing)
    before anything trains."""
    data_key = (values["data"], values["n"], values["noise"], values["val"],
                own_key(own) if own is not None else ())
    data, train_data, _ = load_data(*data_key)
    network = network_text(data, values["hidden"], values["act"])
    spec = MLPSpec.from_text(network)
    optimizers = tuple(parse_choices(values["opt"]))
    with_dropout = tuple(flag for flag in (False, True)
                         if values["drop" if flag else "no_drop"])
    if not optimizers or not with_dropout:
        raise PlaygroundError("Nothing to train: add at least one optimizer and switch on at "
                              "least one of 'runs without dropout' / 'runs with dropout'.")
    runs = len(optimizers) * len(with_dropout) * values["seeds"]
    check_comparison(spec, runs, train_data, values["epochs"], values["batch"])
    return TrainSetup(data_key, network, optimizers, values["p"], with_dropout,
                      values["seeds"], values["epochs"], values["batch"])


# ---- Loss surfaces -----------------------------------------------------------------------------
@dataclass(frozen=True)
class SurfaceSetup:
    """A descent to compute, as plain hashable values (a cache key)."""

    name: str
    kappa: float
    start: tuple[float, float]
    steps: int
    optimizers: tuple[OptimizerChoice, ...]
    optimal: bool  # the quadratic with its optimal settings: the theory lines are drawn

    @property
    def surface(self) -> Surface:
        return make_surface(self.name, self.kappa)

    @property
    def rates(self) -> dict[str, float] | None:
        return theoretical_rates(self.kappa) if self.optimal else None


def optimal_overrides(surface: Surface, use_optimal: bool) -> dict[str, dict[str, float]]:
    """Registry key -> the knob values the optimal settings impose (empty if none apply)."""
    return optimal_settings(surface.kappa) if use_optimal and surface.kappa is not None else {}


def surface_setup(values: Mapping[str, Any]) -> SurfaceSetup:
    """The descent the surface view's values ask for; PlaygroundError if the start is off the
    plot or there is no optimizer."""
    surface = make_surface(values["surface"], values["kappa"])
    start = (values["x0"], values["y0"])
    (x_lo, x_hi), (y_lo, y_hi) = surface.x_range, surface.y_range
    if not (x_lo <= start[0] <= x_hi and y_lo <= start[1] <= y_hi):
        raise PlaygroundError(f"The start point must lie in the plotted area: x in [{x_lo:g}, "
                              f"{x_hi:g}] and y in [{y_lo:g}, {y_hi:g}].")
    optimal = surface.kappa is not None and values["optimal"]
    fixed = optimal_overrides(surface, optimal)
    optimizers = tuple(c.replace(**fixed.get(c.key, {}))
                       for c in parse_choices(values["sopt"]))
    if not optimizers:
        raise PlaygroundError("Nothing to descend: add at least one optimizer.")
    return SurfaceSetup(surface.name, values["kappa"], start, values["steps"], optimizers,
                        optimal)


def descend_all(setup: SurfaceSetup) -> list[Trajectory]:
    return [descend(setup.surface, choice, setup.start, setup.steps)
            for choice in setup.optimizers]


def surface_note(setup: SurfaceSetup) -> str:
    """What the surface view says under its plots (markdown)."""
    if setup.surface.kappa is None:
        return ("Contours: log₁₀(f − f*), f* the global minimum (gold stars). Press ▶ Play (or "
                "Space; ? lists the keys) to watch the paths unfold; the right plot is f − f* "
                "after each step.")
    if not setup.optimal:
        return ("The theoretical rates hold for the optimal settings: switch on 'Optimal "
                "settings for κ' to draw them.")
    kappa, rates = setup.kappa, setup.rates
    return (
        f"On ½(x² + κy²) the curvatures are μ = 1 and L = κ = {kappa:g}. Gradient descent with "
        f"γ = 2/(L+μ) shrinks ‖θ‖ by at best (κ−1)/(κ+1) = **{rates['sgd']:.4f}** per step; "
        f"heavy-ball momentum with γ = 4/(√L+√μ)², β = ((√κ−1)/(√κ+1))² by "
        f"(√κ−1)/(√κ+1) = **{rates['momentum']:.4f}**. The loss is quadratic in θ, so the "
        "dotted lines are (f(θ₀) − f*)·rate^(2k). Gradient descent lies exactly on its line; "
        "momentum follows the slope of its line up to a factor growing like k² (its iteration "
        "has a double eigenvalue). Nesterov uses γ = 1/L, μ = (√κ−1)/(√κ+1). Adam and the "
        "other adaptive methods have no such rate: they divide each step by a running measure "
        "of the gradient's size."
    )
