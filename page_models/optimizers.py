"""The optimizer registry: everything the app knows about each optimizer, in one entry.

An entry holds the update rule (an engine.optim class and the fixed arguments that make it this
optimizer), the display name, the knobs a page shows (name, range, default, log scale or not) and
the knobs' defaults on each loss surface; its colour and marker follow from its place here
(viz.palette.optimizer_style). A schedule registry sits beside it.

An `OptimizerChoice` is one optimizer with its knob values and an optional schedule: hashable (a
cache key), it builds the engine optimizer for a list of parameters, names itself, and has one URL
text form: `format_choice` writes it and `parse_choice` reads it back, e.g.

    adam                       Adam with every knob at its default
    momentum:lr=0.05,momentum=0.8
    sgd:lr=0.5~cosine:T_max=300

(knobs at their default are left out; "~" introduces the learning-rate schedule).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from engine.errors import PlaygroundError
from engine.optim import (
    SGD,
    Adagrad,
    Adam,
    AdamW,
    CosineAnnealingLR,
    ExponentialLR,
    LinearLR,
    LRScheduler,
    Optimizer,
    RMSprop,
    StepLR,
)

__all__ = [
    "MAX_CHOSEN",
    "OPTIMIZERS",
    "SCHEDULES",
    "Knob",
    "OptimizerChoice",
    "OptimizerEntry",
    "ScheduleChoice",
    "ScheduleEntry",
    "format_choice",
    "format_choices",
    "parse_choice",
    "parse_choices",
]

MAX_CHOSEN = 6  # optimizers compared at once


@dataclass(frozen=True)
class Knob:
    """A setting a page shows as a slider: engine argument `name`, in [lo, hi]."""

    name: str
    label: str
    lo: float
    hi: float
    default: float
    log: bool = False  # log scale: the slider steps through 1, 2, 5 × powers of ten
    integer: bool = False
    step: float = 0.01  # the slider's step on a linear scale
    symbol: str = ""  # short name in a title ("μ"); the name if empty

    @property
    def short(self) -> str:
        return self.symbol or self.name

    def check(self, value) -> float | int:
        """`value` as this knob's type, or PlaygroundError naming the knob and its range."""
        if isinstance(value, bool) or not isinstance(value, int | float) or not (
                self.lo <= value <= self.hi):
            raise PlaygroundError(f"{self.label} must be a number from {self.lo:g} to "
                                  f"{self.hi:g}, got {value!r}.")
        if self.integer:
            if value != int(value):
                raise PlaygroundError(f"{self.label} must be a whole number, got {value!r}.")
            return int(value)
        return float(value)

    def values(self) -> tuple[float, ...]:
        """The positions of a log-scale slider: 1, 2, 5 × powers of ten within [lo, hi]."""
        decades = range(math.floor(math.log10(self.lo)), math.ceil(math.log10(self.hi)) + 1)
        grid = (float(f"{m}e{d}") for d in decades for m in (1, 2, 5))
        return tuple(v for v in grid if self.lo <= v <= self.hi)


LR = "learning rate γ"


def _lr(default: float) -> Knob:
    return Knob("lr", LR, 1e-4, 10.0, default, log=True)


BETA1 = Knob("beta1", "β₁ (momentum of the mean)", 0.0, 0.99, 0.9, symbol="β₁")
BETA2 = Knob("beta2", "β₂ (momentum of the square)", 0.9, 0.9999, 0.999, step=0.0001,
             symbol="β₂")


def _momentum(default: float = 0.9) -> Knob:
    return Knob("momentum", "momentum μ", 0.0, 0.99, default, symbol="μ")


@dataclass(frozen=True)
class OptimizerEntry:
    """One optimizer the app offers.

    engine, fixed: the update rule is engine(params, **fixed, **knob values) (beta1 and beta2
    become betas=(beta1, beta2)); surfaces: loss-surface name -> knob values that differ there
    from the knobs' defaults (which suit training a network).
    """

    key: str
    name: str
    engine: type[Optimizer]
    knobs: tuple[Knob, ...]
    fixed: Mapping[str, object] = field(default_factory=dict)
    surfaces: Mapping[str, Mapping[str, float]] = field(default_factory=dict)
    about: str = ""  # the update rule in one line, shown beside the optimizer's name

    def knob(self, name: str) -> Knob:
        for knob in self.knobs:
            if knob.name == name:
                return knob
        raise PlaygroundError(f"{self.name} has no setting {name!r}; its settings are: "
                              f"{', '.join(k.name for k in self.knobs)}.")

    def defaults(self, surface: str | None = None) -> dict[str, float]:
        """Knob values: the defaults, or the ones for the loss surface `surface`."""
        return {k.name: k.default for k in self.knobs} | dict(self.surfaces.get(surface, {}))


_ENTRIES = (
    OptimizerEntry(
        "sgd", "SGD", SGD, (_lr(0.1),),
        surfaces={"quadratic": {"lr": 0.02}, "rosenbrock": {"lr": 1e-3}, "saddle": {"lr": 0.1},
                  "himmelblau": {"lr": 0.01}, "beale": {"lr": 0.01}},
        about="θ ← θ − γ∇"),
    OptimizerEntry(
        "momentum", "Momentum", SGD, (_lr(0.05), _momentum()),
        surfaces={"rosenbrock": {"lr": 5e-4}, "saddle": {"lr": 0.02},
                  "himmelblau": {"lr": 0.002}, "beale": {"lr": 0.002}},
        about="b ← μb + ∇,  θ ← θ − γb"),
    OptimizerEntry(
        "nesterov", "Nesterov", SGD, (_lr(0.05), _momentum()), {"nesterov": True},
        surfaces={"quadratic": {"lr": 0.01}, "rosenbrock": {"lr": 5e-4},
                  "saddle": {"lr": 0.02}, "himmelblau": {"lr": 0.002}, "beale": {"lr": 0.002}},
        about="b ← μb + ∇,  θ ← θ − γ(∇ + μb)"),
    OptimizerEntry(
        "rmsprop", "RMSprop", RMSprop,
        (_lr(0.01), Knob("alpha", "α (momentum of the square)", 0.5, 0.999, 0.99, step=0.001,
                          symbol="α")),
        surfaces={"quadratic": {"lr": 0.02}, "rosenbrock": {"lr": 0.01},
                  "saddle": {"lr": 0.01}, "himmelblau": {"lr": 0.05}, "beale": {"lr": 0.01}},
        about="v ← αv + (1 − α)∇²,  θ ← θ − γ∇ / (√v + ε)"),
    OptimizerEntry(
        "adagrad", "Adagrad", Adagrad, (_lr(0.1),),
        surfaces={"quadratic": {"lr": 0.5}, "rosenbrock": {"lr": 0.5}, "saddle": {"lr": 0.2},
                  "himmelblau": {"lr": 1.0}, "beale": {"lr": 0.5}},
        about="s ← s + ∇²,  θ ← θ − γ∇ / (√s + ε)"),
    OptimizerEntry(
        "adam", "Adam", Adam, (_lr(0.01), BETA1, BETA2),
        surfaces={"quadratic": {"lr": 0.1}, "rosenbrock": {"lr": 0.05},
                  "saddle": {"lr": 0.05}, "himmelblau": {"lr": 0.1}, "beale": {"lr": 0.05}},
        about="m, v: running means of ∇ and ∇²;  θ ← θ − γ m̂ / (√v̂ + ε)"),
    OptimizerEntry(
        "amsgrad", "AMSGrad", Adam, (_lr(0.01), BETA1, BETA2), {"amsgrad": True},
        surfaces={"quadratic": {"lr": 0.1}, "rosenbrock": {"lr": 0.05},
                  "saddle": {"lr": 0.05}, "himmelblau": {"lr": 0.1}, "beale": {"lr": 0.05}},
        about="Adam with v̂ the largest v so far: the step size never grows"),
    OptimizerEntry(
        "adamw", "AdamW", AdamW,
        (_lr(0.01), Knob("weight_decay", "weight decay λ", 0.0, 0.5, 0.01, symbol="λ")),
        surfaces={"quadratic": {"lr": 0.1}, "rosenbrock": {"lr": 0.05},
                  "saddle": {"lr": 0.05}, "himmelblau": {"lr": 0.1}, "beale": {"lr": 0.05}},
        about="θ ← θ(1 − γλ), then Adam's step (decoupled weight decay)"),
)

OPTIMIZERS: dict[str, OptimizerEntry] = {e.key: e for e in _ENTRIES}
"""Registry key (the name in a URL) -> entry."""


@dataclass(frozen=True)
class ScheduleEntry:
    """A learning-rate schedule: engine(optimizer, **fixed, **knob values)."""

    key: str
    name: str
    engine: type[LRScheduler]
    knobs: tuple[Knob, ...]
    fixed: Mapping[str, object] = field(default_factory=dict)
    about: str = ""  # the schedule in one line, shown beside its name


_SCHEDULE_ENTRIES = (
    ScheduleEntry("step", "Step decay", StepLR,
                  (Knob("step_size", "every (steps)", 1, 5000, 100, integer=True, step=1),
                   Knob("gamma", "multiply by γ", 0.01, 1.0, 0.5))),
    ScheduleEntry("exponential", "Exponential decay", ExponentialLR,
                  (Knob("gamma", "multiply by γ each step", 0.9, 1.0, 0.99, step=0.001),)),
    ScheduleEntry("cosine", "Cosine annealing", CosineAnnealingLR,
                  (Knob("T_max", "period T (steps)", 1, 20000, 300, integer=True, step=1),),
                  about="from γ down to 0 along half a cosine over T steps"),
    ScheduleEntry("linear", "Linear warm-up", LinearLR,
                  (Knob("start_factor", "start at × γ", 0.01, 1.0, 0.1),
                   Knob("total_iters", "over (steps)", 1, 5000, 50, integer=True, step=1)),
                  {"end_factor": 1.0}),
)

SCHEDULES: dict[str, ScheduleEntry] = {e.key: e for e in _SCHEDULE_ENTRIES}
"""Registry key (the name in a URL) -> schedule entry."""


def _values(knobs: tuple[Knob, ...], given: Mapping[str, float], owner: str) -> tuple:
    unknown = sorted(set(given) - {k.name for k in knobs})
    if unknown:
        raise PlaygroundError(f"{owner} has no setting {', '.join(unknown)}; its settings are: "
                              f"{', '.join(k.name for k in knobs) or 'none'}.")
    return tuple((k.name, k.check(given.get(k.name, k.default))) for k in knobs)


def _describe(knobs: tuple[Knob, ...], values: tuple, skip: tuple[str, ...] = ()) -> str:
    return ", ".join(f"{knob.short}={value:.3g}" for knob, (name, value) in zip(knobs, values)
                     if name not in skip and value != knob.default)


@dataclass(frozen=True)
class ScheduleChoice:
    """A schedule with its knob values; `ScheduleChoice.of("cosine", T_max=200)`."""

    key: str
    values: tuple[tuple[str, float], ...]

    @classmethod
    def of(cls, key: str, **values) -> ScheduleChoice:
        entry = _entry(SCHEDULES, key, "schedule")
        return cls(entry.key, _values(entry.knobs, values, entry.name))

    @property
    def entry(self) -> ScheduleEntry:
        return SCHEDULES[self.key]

    @property
    def title(self) -> str:
        """"Cosine annealing (T_max=300)"."""
        args = ", ".join(f"{name}={value:.3g}" for name, value in self.values)
        return f"{self.entry.name} ({args})"

    def build(self, optimizer: Optimizer) -> LRScheduler:
        return self.entry.engine(optimizer, **self.entry.fixed, **dict(self.values))


@dataclass(frozen=True)
class OptimizerChoice:
    """An optimizer with every knob's value and an optional schedule.

    `OptimizerChoice.of("momentum", lr=0.05)` fills the other knobs with their defaults and
    checks each value against its knob's range (PlaygroundError otherwise).
    """

    key: str
    values: tuple[tuple[str, float], ...]
    schedule: ScheduleChoice | None = None

    @classmethod
    def of(cls, key: str, schedule: ScheduleChoice | None = None, **values) -> OptimizerChoice:
        entry = _entry(OPTIMIZERS, key, "optimizer")
        return cls(entry.key, _values(entry.knobs, values, entry.name), schedule)

    @classmethod
    def on_surface(cls, key: str, surface: str) -> OptimizerChoice:
        """The optimizer `key` with its defaults for the loss surface `surface`."""
        return cls.of(key, **_entry(OPTIMIZERS, key, "optimizer").defaults(surface))

    @property
    def entry(self) -> OptimizerEntry:
        return OPTIMIZERS[self.key]

    def __getitem__(self, knob: str) -> float:
        return dict(self.values)[knob]

    @property
    def lr(self) -> float:
        return self["lr"]

    @property
    def label(self) -> str:
        """The display name: "Momentum"."""
        return self.entry.name

    @property
    def title(self) -> str:
        """"Momentum, lr=0.05", with every other knob that is not at its default and the
        schedule: "Momentum, lr=0.05, μ=0.8, Cosine annealing (T_max=300)"."""
        parts = [f"{self.label}, lr={self.lr:.3g}",
                 _describe(self.entry.knobs, self.values, skip=("lr",)),
                 self.schedule.title if self.schedule else ""]
        return ", ".join(p for p in parts if p)

    def build(self, params: Iterable) -> Optimizer:
        """The engine optimizer over `params`."""
        kwargs = dict(self.values)
        if "beta1" in kwargs:
            kwargs["betas"] = (kwargs.pop("beta1"), kwargs.pop("beta2"))
        return self.entry.engine(params, **self.entry.fixed, **kwargs)

    def build_schedule(self, optimizer: Optimizer) -> LRScheduler | None:
        """The schedule driving `optimizer`'s lr (step it once per optimizer step), or None."""
        return self.schedule.build(optimizer) if self.schedule else None

    def replace(self, **values) -> OptimizerChoice:
        """The same optimizer with some knob values changed."""
        return OptimizerChoice.of(self.key, self.schedule, **(dict(self.values) | values))


def _entry(registry: Mapping, key, what: str):
    name = str(key).strip().lower()
    if name not in registry:
        raise PlaygroundError(f"Unknown {what} {key!r}; choose one of: {', '.join(registry)}.")
    return registry[name]


# ---- the URL text form -------------------------------------------------------------------------
def _format_number(value: float | int) -> str:
    return str(value) if isinstance(value, int) else repr(float(value))


def _format_part(key: str, knobs: tuple[Knob, ...], values: tuple, all_values: bool) -> str:
    args = ",".join(f"{name}={_format_number(value)}"
                    for knob, (name, value) in zip(knobs, values)
                    if all_values or value != knob.default)
    return f"{key}:{args}" if args else key


def format_choice(choice: OptimizerChoice) -> str:
    """The URL text of a choice: "adam", "sgd:lr=0.5~cosine:T_max=300" (parse_choice reads it).
    Optimizer knobs at their default are left out; a schedule writes all of its knobs."""
    text = _format_part(choice.key, choice.entry.knobs, choice.values, all_values=False)
    if choice.schedule:
        s = choice.schedule
        text += "~" + _format_part(s.key, s.entry.knobs, s.values, all_values=True)
    return text


def _parse_part(text: str, what: str) -> tuple[str, dict[str, float]]:
    key, _, args = text.partition(":")
    values = {}
    for arg in filter(None, args.split(",")):
        name, sep, number = arg.partition("=")
        try:
            if not sep:
                raise ValueError
            values[name.strip()] = float(number)
        except ValueError:
            raise PlaygroundError(f"Cannot read the {what} setting {arg!r}: write it as "
                                  "name=number, like lr=0.01.") from None
    return key.strip(), values


def _whole_numbers(knobs: tuple[Knob, ...], values: dict) -> dict:
    integer = {k.name for k in knobs if k.integer}
    return {n: int(v) if n in integer and v == int(v) else v for n, v in values.items()}


def parse_choice(text: str) -> OptimizerChoice:
    """Read what format_choice writes; PlaygroundError saying what is wrong otherwise."""
    optimizer_text, _, schedule_text = str(text).strip().partition("~")
    key, values = _parse_part(optimizer_text, "optimizer")
    schedule = None
    if schedule_text:
        s_key, s_values = _parse_part(schedule_text, "schedule")
        entry = _entry(SCHEDULES, s_key, "schedule")
        schedule = ScheduleChoice.of(s_key, **_whole_numbers(entry.knobs, s_values))
    return OptimizerChoice.of(key, schedule, **values)


def format_choices(choices: Iterable[OptimizerChoice]) -> str:
    """Several choices in one URL value, separated by spaces (a "+" in the address bar)."""
    return " ".join(format_choice(c) for c in choices)


def parse_choices(text: str) -> list[OptimizerChoice]:
    """Read what format_choices writes (at most MAX_CHOSEN choices)."""
    parts = str(text).split()
    if len(parts) > MAX_CHOSEN:
        raise PlaygroundError(f"At most {MAX_CHOSEN} optimizers can be compared at once, "
                              f"got {len(parts)}.")
    return [parse_choice(part) for part in parts]
