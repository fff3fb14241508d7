"""The optimizer registry: entries, choices, their URL text, and that they build the engine's
optimizers with the right settings."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from engine import optim
from engine.errors import PlaygroundError
from engine.tensor import Tensor
from page_models.optimizers import (
    MAX_CHOSEN,
    OPTIMIZERS,
    SCHEDULES,
    OptimizerChoice,
    ScheduleChoice,
    format_choice,
    format_choices,
    parse_choice,
    parse_choices,
)


def params():
    return [Tensor([1.0, -2.0], requires_grad=True)]


def test_every_entry_is_complete_and_builds_its_engine_class_with_defaults():
    assert len({e.name for e in OPTIMIZERS.values()}) == len(OPTIMIZERS)
    for key, entry in OPTIMIZERS.items():
        assert entry.key == key and entry.knobs[0].name == "lr"
        for knob in entry.knobs:
            assert knob.lo <= knob.default <= knob.hi
            if knob.log:
                assert knob.default in knob.values()
        for values in entry.surfaces.values():
            for name, value in values.items():
                assert entry.knob(name).check(value) == value
        built = OptimizerChoice.of(key).build(params())
        assert type(built) is entry.engine


@pytest.mark.parametrize(("key", "expected"), [
    ("sgd", {"momentum": 0.0, "nesterov": False}),
    ("momentum", {"momentum": 0.9, "nesterov": False}),
    ("nesterov", {"momentum": 0.9, "nesterov": True}),
    ("adam", {"betas": (0.9, 0.999), "amsgrad": False}),
    ("amsgrad", {"amsgrad": True}),
    ("adamw", {"weight_decay": 0.01}),
    ("rmsprop", {"alpha": 0.99, "centered": False}),
    ("adagrad", {"lr_decay": 0.0}),
])
def test_each_entry_is_its_optimizer(key, expected):
    hyper = OptimizerChoice.of(key).build(params()).hyperparameters()
    assert {k: hyper[k] for k in expected} == expected


def test_knob_values_reach_the_engine():
    opt = OptimizerChoice.of("adam", lr=0.02, beta1=0.8).build(params())
    assert opt.lr == 0.02 and opt.betas == (0.8, 0.999)
    choice = OptimizerChoice.of("momentum", lr=0.05).replace(momentum=0.5)
    assert choice.build(params()).momentum == 0.5 and choice["lr"] == 0.05


def test_labels_and_titles():
    choice = OptimizerChoice.of("momentum", lr=0.05)
    assert (choice.label, choice.title) == ("Momentum", "Momentum, lr=0.05")
    other = OptimizerChoice.of("momentum", ScheduleChoice.of("cosine", T_max=200), lr=0.05,
                               momentum=0.5)
    assert other.title == "Momentum, lr=0.05, μ=0.5, Cosine annealing (T_max=200)"


def test_a_schedule_drives_the_built_optimizer():
    choice = OptimizerChoice.of("sgd", ScheduleChoice.of("step", step_size=2, gamma=0.5), lr=0.4)
    opt = choice.build(params())
    schedule = choice.build_schedule(opt)
    assert isinstance(schedule, optim.StepLR)
    lrs = []
    for _ in range(5):
        lrs.append(opt.lr)
        schedule.step()
    assert lrs == [0.4, 0.4, 0.2, 0.2, 0.1]
    assert OptimizerChoice.of("sgd").build_schedule(opt) is None


def test_choices_are_hashable_and_equal_by_value():
    a = OptimizerChoice.of("adam", lr=0.01)
    assert a == OptimizerChoice.of(" Adam ") and hash(a) == hash(OptimizerChoice.of("adam"))
    assert len({a, OptimizerChoice.of("adam", lr=0.02)}) == 2


def test_surface_defaults():
    assert OptimizerChoice.on_surface("sgd", "rosenbrock").lr == 1e-3
    assert OptimizerChoice.on_surface("adam", "no such surface") == OptimizerChoice.of("adam")


def test_url_text_examples():
    assert format_choice(OptimizerChoice.of("adam")) == "adam"
    choice = OptimizerChoice.of("sgd", ScheduleChoice.of("cosine", T_max=300), lr=0.5)
    assert format_choice(choice) == "sgd:lr=0.5~cosine:T_max=300"
    assert parse_choice("sgd:lr=0.5~cosine:T_max=300") == choice
    assert parse_choices("sgd momentum:momentum=0.5") == [
        OptimizerChoice.of("sgd"), OptimizerChoice.of("momentum", momentum=0.5)]


def _choices():
    def one(key):
        entry = OPTIMIZERS[key]
        knobs = st.fixed_dictionaries({k.name: st.floats(k.lo, k.hi) for k in entry.knobs})
        schedule = st.none() | st.sampled_from(list(SCHEDULES)).flatmap(lambda s: st.builds(
            lambda values: ScheduleChoice.of(s, **values),
            st.fixed_dictionaries({k.name: (st.integers(int(k.lo), int(k.hi)) if k.integer
                                            else st.floats(k.lo, k.hi))
                                   for k in SCHEDULES[s].knobs})))
        return st.builds(lambda values, s: OptimizerChoice.of(key, s, **values), knobs, schedule)
    return st.sampled_from(list(OPTIMIZERS)).flatmap(one)


@given(st.lists(_choices(), max_size=MAX_CHOSEN))
def test_url_text_round_trips(choices):
    assert parse_choices(format_choices(choices)) == choices
    for choice in choices:
        assert parse_choice(format_choice(choice)) == choice


@pytest.mark.parametrize(("text", "match"), [
    ("rmsprop2", "Unknown optimizer"),
    ("adam:lr=abc", "Cannot read"),
    ("adam:lr", "Cannot read"),
    ("adam:momentum=0.9", "no setting momentum"),
    ("sgd:lr=100", "learning rate"),
    ("sgd:lr=nan", "learning rate"),
    ("sgd~warp", "Unknown schedule"),
    ("sgd~step:step_size=2.5", "whole number"),
    (" ".join(["sgd"] * (MAX_CHOSEN + 1)), "At most"),
])
def test_bad_url_text_is_a_clear_message(text, match):
    with pytest.raises(PlaygroundError, match=match):
        parse_choices(text)


def test_log_knob_positions():
    lr = OPTIMIZERS["adam"].knob("lr")
    assert lr.values()[:4] == (1e-4, 2e-4, 5e-4, 1e-3) and lr.values()[-1] == 10.0
