"""The Optimizer Lab's model: params, the optimizer lists' widget values, what each view
computes, and that bad settings are messages."""

import pytest

from engine.errors import LimitError, PlaygroundError
from page_models import optimizer_lab as lab
from page_models.optimizers import OptimizerChoice, ScheduleChoice, format_choices
from page_models.surfaces import SURFACES, default_choice, make_surface, optimal_settings
from page_models.url import parse_query, to_query

DEFAULTS = parse_query(lab.PARAMS, {})


def values(**changes):
    return DEFAULTS | {"sopt": lab.surface_defaults("quadratic")["sopt"]} | changes


def test_a_fresh_page_compares_three_optimizers():
    setup = lab.train_setup(values())
    assert [c.label for c in setup.optimizers] == ["SGD", "Momentum", "Adam"]
    assert setup.network == "2-32-32-2:tanh" and setup.with_dropout == (False, True)
    assert hash(setup) == hash(lab.train_setup(values()))  # a cache key


def test_train_setup_messages():
    with pytest.raises(PlaygroundError, match="Nothing to train"):
        lab.train_setup(values(opt=""))
    with pytest.raises(PlaygroundError, match="Nothing to train"):
        lab.train_setup(values(no_drop=False, drop=False))
    with pytest.raises(PlaygroundError, match="Cannot read the network"):
        lab.train_setup(values(hidden="32-x"))
    with pytest.raises(LimitError, match="training steps in this comparison"):
        lab.train_setup(values(n=5000, epochs=500, seeds=5))
    with pytest.raises(PlaygroundError, match="Unknown optimizer"):
        lab.train_setup(values(opt="sgd newton"))


@pytest.mark.parametrize("surface", SURFACES)
def test_a_surface_link_defaults_to_that_surfaces_settings(surface):
    params = lab.page_params(surface)
    defaults = lab.surface_defaults(surface)
    assert {name: params[name].default for name in defaults} == defaults
    assert to_query(params, parse_query(params, {"surface": surface})) == (
        {} if surface == "quadratic" else {"surface": surface})
    chosen = lab.surface_setup(values(surface=surface, **defaults, optimal=False)).optimizers
    assert list(chosen) == [default_choice(make_surface(surface), k, optimal=False)
                            for k in lab.STORY]


def test_optimal_settings_override_the_knobs_on_the_quadratic_only():
    sopt = format_choices([OptimizerChoice.of("sgd", lr=0.5), OptimizerChoice.of("adam")])
    setup = lab.surface_setup(values(sopt=sopt, kappa=100.0))
    assert setup.optimizers[0].lr == optimal_settings(100.0)["sgd"]["lr"]
    assert setup.optimizers[1] == OptimizerChoice.of("adam")
    assert setup.rates is not None and "**" in lab.surface_note(setup)
    manual = lab.surface_setup(values(sopt=sopt, optimal=False))
    assert manual.optimizers[0].lr == 0.5 and manual.rates is None
    saddle = lab.surface_setup(values(surface="saddle", sopt=sopt))
    assert saddle.optimizers[0].lr == 0.5 and not saddle.optimal


def test_surface_setup_messages_and_descent():
    with pytest.raises(PlaygroundError, match="start point"):
        lab.surface_setup(values(x0=9.0))
    with pytest.raises(PlaygroundError, match="Nothing to descend"):
        lab.surface_setup(values(sopt=""))
    setup = lab.surface_setup(values(steps=20))
    runs = lab.descend_all(setup)
    assert [r.optimizer for r in runs] == list(setup.optimizers)
    assert all(len(r.points) == 21 for r in runs)


CHOICES = [OptimizerChoice.of("momentum", lr=0.2, momentum=0.5),
           OptimizerChoice.of("adam", ScheduleChoice.of("cosine", T_max=50), beta2=0.99)]


def test_picker_state_and_read_picker_are_inverse():
    state = lab.picker_state("p", CHOICES)
    assert state["p0_key"] == "momentum" and state["p0_momentum"] == 0.5
    assert state["p0_schedule"] == lab.NO_SCHEDULE and state["p1_s_T_max"] == 50
    assert lab.read_picker("p", state, CHOICES, OptimizerChoice.of) == CHOICES


def test_read_picker_starts_a_switched_slot_or_schedule_from_its_defaults():
    state = lab.picker_state("p", CHOICES) | {"p0_key": "rmsprop", "p1_schedule": "linear",
                                              "p1_lr": 0.05}
    got = lab.read_picker("p", state, CHOICES, OptimizerChoice.of)
    assert got[0] == OptimizerChoice.of("rmsprop")
    assert got[1].schedule == ScheduleChoice.of("linear") and got[1].lr == 0.05
    state["p1_schedule"] = lab.NO_SCHEDULE
    assert lab.read_picker("p", state, CHOICES, OptimizerChoice.of)[1].schedule is None
