"""Loss surfaces: the functions, their engine gradients, and optimizers descending them."""

import math

import numpy as np
import pytest

from engine.errors import LimitError, PlaygroundError
from engine.gradcheck import gradcheck
from engine.tensor import Tensor
from page_models.limits import MAX_SURFACE_STEPS
from page_models.optimizers import OPTIMIZERS, OptimizerChoice
from page_models.surfaces import (
    SURFACES,
    default_choice,
    descend,
    make_surface,
    optimal_settings,
    theoretical_rates,
)


@pytest.mark.parametrize("name", SURFACES)
def test_engine_gradient_matches_finite_differences(name):
    surface = make_surface(name, kappa=30.0)
    x, y = Tensor(0.7, requires_grad=True, name="x"), Tensor(-0.4, requires_grad=True, name="y")
    assert gradcheck(surface.f, [x, y]).passed


def test_quadratic_gradient_is_x_and_kappa_y():
    surface = make_surface("quadratic", kappa=50.0)
    x, y = Tensor(0.3, requires_grad=True), Tensor(-2.0, requires_grad=True)
    surface.f(x, y).backward()
    assert x.grad == pytest.approx(0.3) and y.grad == pytest.approx(-100.0)


@pytest.mark.parametrize("name", SURFACES)
def test_minima_have_the_minimum_value_and_zero_gradient(name):
    surface = make_surface(name, kappa=10.0)
    for mx, my in surface.minima:
        x, y = Tensor(mx, requires_grad=True), Tensor(my, requires_grad=True)
        loss = surface.f(x, y)
        loss.backward()
        assert loss.item() == pytest.approx(surface.f_min, abs=1e-9)
        assert abs(x.grad) < 1e-4 and abs(y.grad) < 1e-4


def test_grid_is_the_function_on_a_mesh():
    surface = make_surface("rosenbrock")
    xs, ys, Z = surface.grid(n=7)
    assert Z.shape == (7, 7)
    assert Z[2, 5] == pytest.approx((1 - xs[5]) ** 2 + 100 * (ys[2] - xs[5] ** 2) ** 2)


@pytest.mark.parametrize("name", SURFACES)
@pytest.mark.parametrize("key", list(OPTIMIZERS))
def test_default_settings_make_progress_without_diverging(name, key):
    surface = make_surface(name, kappa=100.0)
    optimizer = default_choice(surface, key)
    run = descend(surface, optimizer, surface.start, surface.steps)
    assert run.diverged_at is None
    assert run.points.shape == (surface.steps + 1, 2) and run.losses.shape == (surface.steps + 1,)
    assert run.losses[-1] - surface.f_min < 0.2 * (run.losses[0] - surface.f_min)
    assert tuple(run.points[0]) == surface.start


@pytest.mark.parametrize("kappa", [1.0, 10.0, 400.0])
def test_gradient_descent_at_the_optimal_step_meets_its_rate_exactly(kappa):
    # Both coordinates contract by |1 − γλ| = (κ − 1)/(κ + 1), so f_k = f_0 · q^(2k).
    surface = make_surface("quadratic", kappa=kappa)
    sgd = OptimizerChoice.of("sgd", **optimal_settings(kappa)["sgd"])
    run = descend(surface, sgd, (1.5, -0.8), 60)
    q = theoretical_rates(kappa)["sgd"]
    expected = run.losses[0] * q ** (2 * np.arange(61))
    np.testing.assert_allclose(run.losses, expected, rtol=1e-9, atol=1e-300)


def test_heavy_ball_at_the_optimal_settings_meets_its_rate():
    kappa = 100.0
    surface = make_surface("quadratic", kappa=kappa)
    best = optimal_settings(kappa)
    run = descend(surface, OptimizerChoice.of("momentum", **best["momentum"]), (1.5, -0.8), 400)
    q = theoretical_rates(kappa)["momentum"]
    # The iteration matrix has a double eigenvalue q, so the error is ~ k·qᵏ: the measured
    # per-step loss ratio over a late window approaches q² from above.
    measured = (run.losses[300] / run.losses[200]) ** (1 / 100)
    assert q**2 <= measured <= q**2 * 1.01
    gd = descend(surface, OptimizerChoice.of("sgd", **best["sgd"]), (1.5, -0.8), 400)
    assert run.losses[-1] < 1e-6 * gd.losses[-1]


def test_momentum_is_the_heavy_ball_recursion():
    surface = make_surface("quadratic", kappa=20.0)
    lr, beta = 0.05, 0.8
    run = descend(surface, OptimizerChoice.of("momentum", lr=lr, momentum=beta), (1.0, 1.0), 30)
    hessian = np.array([1.0, 20.0])
    theta, previous = np.array([1.0, 1.0]), np.array([1.0, 1.0])
    for k in range(30):
        theta, previous = theta - lr * hessian * theta + beta * (theta - previous), theta
        np.testing.assert_allclose(run.points[k + 1], theta, rtol=1e-12)


def test_adam_first_step_has_length_lr_in_each_coordinate():
    surface = make_surface("himmelblau")
    run = descend(surface, OptimizerChoice.of("adam", lr=0.1), (0.0, 0.0), 1)
    np.testing.assert_allclose(np.abs(run.points[1] - run.points[0]), [0.1, 0.1], rtol=1e-6)


def test_a_huge_learning_rate_diverges_and_stops_at_the_last_finite_point():
    surface = make_surface("quadratic", kappa=100.0)
    run = descend(surface, OptimizerChoice.of("sgd", lr=5.0), surface.start, 500)
    assert run.diverged_at is not None and 1 < run.diverged_at < 500
    assert len(run.points) == len(run.losses) == run.diverged_at
    assert np.isfinite(run.points).all() and np.isfinite(run.losses).all()


def test_optimal_settings_formulas():
    best = optimal_settings(100.0)
    assert best["sgd"]["lr"] == pytest.approx(2 / 101)
    assert best["momentum"]["lr"] == pytest.approx(4 / 121)
    assert best["momentum"]["momentum"] == pytest.approx((9 / 11) ** 2)
    assert theoretical_rates(100.0) == pytest.approx({"sgd": 99 / 101, "momentum": 9 / 11})
    assert theoretical_rates(1.0) == {"sgd": 0.0, "momentum": 0.0}


def test_bad_requests_are_user_errors():
    with pytest.raises(PlaygroundError, match="Unknown surface"):
        make_surface("banana")
    with pytest.raises(PlaygroundError, match="κ"):
        make_surface("quadratic", kappa=0.5)
    with pytest.raises(PlaygroundError, match="κ"):
        make_surface("quadratic", kappa=math.nan)
    surface = make_surface("saddle")
    with pytest.raises(LimitError, match="cap"):
        descend(surface, OptimizerChoice.of("sgd", lr=0.1), (1.0, 1.0), MAX_SURFACE_STEPS + 1)
    with pytest.raises(PlaygroundError, match="steps"):
        descend(surface, OptimizerChoice.of("sgd", lr=0.1), (1.0, 1.0), 0)
    with pytest.raises(PlaygroundError, match="momentum"):
        descend(surface, OptimizerChoice.of("momentum", lr=0.1, momentum=-1.0), (1.0, 1.0), 5)
