"""Nesterov, RMSprop, Adagrad, AdamW, AMSGrad and the learning-rate schedules.

Golden traces: torch.optim's trajectories (../shared/golden/optim2.json, copied into the repo).
Properties: each optimizer equals its update rule written out in NumPy, over random steps.
"""

import json
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from engine import optim
from engine.errors import PlaygroundError
from engine.tensor import Tensor
from page_models.export_templates import rules

GOLDEN_PATH = Path(__file__).resolve().parent / "golden" / "optim2.json"
SHARED_GOLDEN_PATH = Path(__file__).resolve().parents[3] / "shared" / "golden" / "optim2.json"


def _golden() -> dict:
    if not GOLDEN_PATH.is_file():
        pytest.fail(f"golden optimizer file missing: {GOLDEN_PATH}")
    return json.loads(GOLDEN_PATH.read_text())


def _cases(kind: str):
    if not GOLDEN_PATH.is_file():
        return [pytest.param(None, id="golden-file-missing")]
    cases = json.loads(GOLDEN_PATH.read_text())[kind]
    return [pytest.param(c, id=f"{c.get('schedule', c['optimizer'])}-{i}")
            for i, c in enumerate(cases)]


def _kwargs(kwargs: dict) -> dict:
    return {k: tuple(v) if k == "betas" else v for k, v in kwargs.items()}


def test_golden_copy_matches_the_shared_original():
    if not SHARED_GOLDEN_PATH.is_file():
        pytest.skip(f"no shared original beside this checkout ({SHARED_GOLDEN_PATH})")
    assert json.loads(SHARED_GOLDEN_PATH.read_text()) == _golden()


def test_golden_file_covers_every_new_optimizer_and_schedule():
    golden = _golden()
    assert {c["optimizer"] for c in golden["cases"]} >= {"SGD", "RMSprop", "Adagrad", "AdamW",
                                                         "Adam"}
    assert {c["schedule"] for c in golden["schedules"]} == {
        "StepLR", "CosineAnnealingLR", "LinearLR", "ExponentialLR"}


@pytest.mark.parametrize("case", _cases("cases"))
def test_matches_torch_trajectory(case):
    golden = _golden()
    p = Tensor(golden["p0"], requires_grad=True)
    data = p.data
    opt = getattr(optim, case["optimizer"])([p], **_kwargs(case["kwargs"]))
    for k, (grad, expected) in enumerate(zip(golden["grads"], case["params_after_each_step"],
                                             strict=True)):
        p.grad = np.array(grad, dtype=np.float64)
        opt.step()
        np.testing.assert_allclose(p.data, expected, rtol=0, atol=1e-12, err_msg=f"step {k}")
    assert p.data is data


@pytest.mark.parametrize("case", _cases("schedules"))
def test_schedule_matches_torch(case):
    golden = _golden()
    p = Tensor(golden["p0"], requires_grad=True)
    opt = getattr(optim, case["optimizer"])([p], **_kwargs(case["optimizer_kwargs"]))
    schedule = getattr(optim, case["schedule"])(opt, **case["kwargs"])
    steps = zip(golden["grads"], case["lr_used_at_each_step"], case["params_after_each_step"],
                strict=True)
    for k, (grad, lr, expected) in enumerate(steps):
        assert opt.lr == pytest.approx(lr, rel=0, abs=1e-12), f"lr at step {k}"
        p.grad = np.array(grad, dtype=np.float64)
        opt.step()
        schedule.step()
        np.testing.assert_allclose(p.data, expected, rtol=0, atol=1e-12, err_msg=f"step {k}")


# ---- each optimizer is its update rule, written out in NumPy ---------------------------------
# The rules are page_models/export_templates/rules.py's: written once, copied into the exported
# NumPy scripts, and each named after its class in lower case.
unit = st.floats(0.0, 0.99)
positive = st.floats(1e-4, 1.0)
SETTINGS = {  # class name -> its settings, drawn
    "SGD": st.fixed_dictionaries({
        "lr": positive, "momentum": unit, "dampening": st.just(0.0), "nesterov": st.booleans(),
        "weight_decay": st.floats(0.0, 0.1)}).filter(
            lambda k: k["momentum"] > 0 or not k["nesterov"]),
    "RMSprop": st.fixed_dictionaries({
        "lr": positive, "alpha": st.floats(0.5, 0.999), "eps": st.floats(1e-8, 1e-2),
        "weight_decay": st.floats(0.0, 0.1), "momentum": unit, "centered": st.booleans()}),
    "Adagrad": st.fixed_dictionaries({
        "lr": positive, "lr_decay": st.floats(0.0, 0.5), "weight_decay": st.floats(0.0, 0.1),
        "initial_accumulator_value": st.floats(0.0, 1.0), "eps": st.floats(1e-10, 1e-2)}),
    "Adam": st.fixed_dictionaries({
        "lr": positive, "betas": st.tuples(unit, st.floats(0.5, 0.999)),
        "eps": st.floats(1e-8, 1e-2), "weight_decay": st.floats(0.0, 0.1),
        "amsgrad": st.booleans()}),
    "AdamW": st.fixed_dictionaries({
        "lr": positive, "betas": st.tuples(unit, st.floats(0.5, 0.999)),
        "eps": st.floats(1e-8, 1e-2), "weight_decay": st.floats(0.0, 0.5),
        "amsgrad": st.booleans()}),
}


@pytest.mark.parametrize("name", SETTINGS)
@settings(max_examples=40, deadline=None)
@given(data=st.data(), seed=st.integers(0, 2**32 - 1), steps=st.integers(1, 12))
def test_optimizer_equals_its_update_rule(name, data, seed, steps):
    kwargs = data.draw(SETTINGS[name])
    rng = np.random.default_rng(seed)
    theta = rng.normal(size=(3, 2))
    p = Tensor(theta.copy(), requires_grad=True)
    opt, rule, state = getattr(optim, name)([p], **kwargs), getattr(rules, name.lower()), {}
    for _ in range(steps):
        p.grad = rng.normal(size=(3, 2))
        opt.step()
        rule(theta, p.grad, state, **kwargs)
    np.testing.assert_allclose(p.data, theta, rtol=1e-10, atol=1e-12)


def test_every_optimizer_has_its_rule():
    assert set(SETTINGS) == {c.__name__ for sub in optim.Optimizer.__subclasses__()
                          for c in (sub, *sub.__subclasses__())}


SCHEDULE_SETTINGS = {
    "StepLR": {"step_size": 3, "gamma": 0.5},
    "ExponentialLR": {"gamma": 0.9},
    "CosineAnnealingLR": {"T_max": 10, "eta_min": 0.01},
    "LinearLR": {"start_factor": 0.1, "end_factor": 1.0, "total_iters": 4},
}


@pytest.mark.parametrize("name", SCHEDULE_SETTINGS)
def test_schedule_sets_the_optimizer_lr_in_place_each_step(name):
    """Each step's rate is PyTorch's closed form (rules.py's function of the same name)."""
    kwargs, closed_form = SCHEDULE_SETTINGS[name], getattr(rules, name.lower())
    opt = optim.SGD([Tensor([1.0], requires_grad=True)], lr=0.2)
    schedule = getattr(optim, name)(opt, **kwargs)
    for t in range(15):
        assert opt.lr == pytest.approx(closed_form(t, 0.2, **kwargs), rel=1e-14)
        schedule.step()


@pytest.mark.parametrize(("build", "match"), [
    (lambda p: optim.RMSprop(p, alpha=1.5), "alpha"),
    (lambda p: optim.RMSprop(p, centered="yes"), "centered"),
    (lambda p: optim.Adagrad(p, lr_decay=-1), "lr_decay"),
    (lambda p: optim.Adagrad(p, initial_accumulator_value=-1), "initial_accumulator"),
    (lambda p: optim.AdamW(p, weight_decay=-1), "weight_decay"),
    (lambda p: optim.Adam(p, amsgrad=1), "amsgrad"),
    (lambda p: optim.StepLR(optim.SGD(p, lr=0.1), step_size=0), "step_size"),
    (lambda p: optim.CosineAnnealingLR(optim.SGD(p, lr=0.1), T_max=2.5), "T_max"),
    (lambda p: optim.LinearLR(optim.SGD(p, lr=0.1), start_factor=0.0), "start_factor"),
    (lambda p: optim.ExponentialLR(optim.SGD(p, lr=0.1), gamma=-0.5), "gamma"),
])
def test_bad_arguments_raise_a_clear_error(build, match):
    with pytest.raises(PlaygroundError, match=match):
        build([Tensor([1.0], requires_grad=True)])


def test_adam_allows_eps_zero_like_torch():
    p = Tensor([1.0, -1.0], requires_grad=True)
    opt = optim.Adam([p], lr=0.1, eps=0.0)
    p.grad = np.array([2.0, -3.0])
    opt.step()
    np.testing.assert_allclose(p.data, [0.9, -0.9], rtol=1e-14)  # first step: lr · sign(∇)
