"""Two-variable loss surfaces and optimizers descending them.

Each surface f(x, y) is written with engine Tensor ops, so the gradient an optimizer follows is
the one the engine's backward pass computes. `descend` runs one optimizer (a registry choice,
page_models.optimizers, with its schedule if it has one) for a number of steps and records where
it went and the loss on the way. Each optimizer's default settings on each surface are in its
registry entry; on the quadratic, SGD and momentum start from the optimal ones below.

On the quadratic f = ½(x² + κy²) (Hessian diag(1, κ): μ = 1, L = κ, condition number κ) the
classical rates hold:
    gradient descent, γ = 2/(L + μ):                      ‖θₖ‖ ≤ ((κ − 1)/(κ + 1))ᵏ ‖θ₀‖
    heavy ball, γ = 4/(√L + √μ)², β = ((√κ − 1)/(√κ + 1))²:  ‖θₖ‖ ~ ((√κ − 1)/(√κ + 1))ᵏ
and the loss, quadratic in θ, shrinks like the square of that factor per step.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial

import numpy as np

from engine.errors import PlaygroundError
from engine.limits import check_limit
from engine.tensor import Tensor, no_grad
from page_models.limits import MAX_SURFACE_STEPS
from page_models.optimizers import OptimizerChoice

__all__ = [
    "MAX_KAPPA",
    "SURFACES",
    "Surface",
    "Trajectory",
    "default_choice",
    "descend",
    "make_surface",
    "optimal_settings",
    "theoretical_rates",
]

MAX_KAPPA = 1000.0
DIVERGED_RADIUS = 1e6  # a point this far from the origin has left every plot: diverged


def quadratic(x, y, kappa: float):
    """½(x² + κy²): a valley κ times steeper across than along."""
    return 0.5 * (x**2 + kappa * y**2)


def rosenbrock(x, y):
    """(1 − x)² + 100(y − x²)²: a curved, flat-bottomed valley; minimum 0 at (1, 1)."""
    return (1 - x) ** 2 + 100 * (y - x**2) ** 2


def saddle(x, y):
    """½x² + ¼y⁴ − ½y²: a saddle point at (0, 0); minima −¼ at (0, ±1)."""
    return 0.5 * x**2 + 0.25 * y**4 - 0.5 * y**2


def himmelblau(x, y):
    """(x² + y − 11)² + (x + y² − 7)²: four minima, all 0."""
    return (x**2 + y - 11) ** 2 + (x + y**2 - 7) ** 2


def beale(x, y):
    """(1.5 − x + xy)² + (2.25 − x + xy²)² + (2.625 − x + xy³)²: flat plateaus and steep walls;
    minimum 0 at (3, 0.5)."""
    return (1.5 - x + x * y) ** 2 + (2.25 - x + x * y**2) ** 2 + (2.625 - x + x * y**3) ** 2


@dataclass(frozen=True)
class Surface:
    """A loss surface f(x, y) with the view and settings that show it well.

    f: takes and returns engine Tensors (or arrays, evaluated by engine ops all the same).
    f_min: the global minimum value; plots show f − f_min on a log scale.
    """

    name: str
    label: str  # short name in a menu
    title: str
    latex: str
    f: Callable
    x_range: tuple[float, float]
    y_range: tuple[float, float]
    start: tuple[float, float]
    minima: tuple[tuple[float, float], ...]
    f_min: float
    steps: int
    kappa: float | None = None

    def grid(self, n: int = 120) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(xs, ys, Z) with Z[i, j] = f(xs[j], ys[i]), evaluated by engine ops without a graph."""
        xs = np.linspace(*self.x_range, n)
        ys = np.linspace(*self.y_range, n)
        X, Y = np.meshgrid(xs, ys)
        with no_grad():
            Z = self.f(Tensor(X), Tensor(Y)).data
        return xs, ys, Z


def _quadratic(kappa: float) -> Surface:
    if isinstance(kappa, bool) or not isinstance(kappa, int | float) or not (
        1.0 <= kappa <= MAX_KAPPA
    ):
        raise PlaygroundError(f"κ (condition number) must be between 1 and {MAX_KAPPA:g}.")
    kappa = float(kappa)
    return Surface(
        name="quadratic",
        label="Quadratic ½(x² + κy²)",
        title=f"Quadratic ½(x² + κy²), κ = {kappa:g}",
        latex=r"f(x, y) = \tfrac12\,(x^2 + \kappa\, y^2)",
        f=partial(quadratic, kappa=kappa),
        x_range=(-2.0, 2.0),
        y_range=(-1.2, 1.2),
        start=(-1.8, 1.0),
        minima=((0.0, 0.0),),
        f_min=0.0,
        steps=150,
        kappa=kappa,
    )


_FIXED: dict[str, Surface] = {
    s.name: s
    for s in (
        Surface(
            name="rosenbrock",
            label="Rosenbrock",
            title="Rosenbrock (1 − x)² + 100(y − x²)²",
            latex=r"f(x, y) = (1 - x)^2 + 100\,(y - x^2)^2",
            f=rosenbrock,
            x_range=(-2.0, 2.0),
            y_range=(-1.0, 3.0),
            start=(-1.2, 1.0),
            minima=((1.0, 1.0),),
            f_min=0.0,
            steps=1000,
        ),
        Surface(
            name="saddle",
            label="Saddle",
            title="Saddle ½x² + ¼y⁴ − ½y²",
            latex=r"f(x, y) = \tfrac12 x^2 + \tfrac14 y^4 - \tfrac12 y^2",
            f=saddle,
            x_range=(-2.0, 2.0),
            y_range=(-1.6, 1.6),
            start=(1.8, 0.001),
            minima=((0.0, 1.0), (0.0, -1.0)),
            f_min=-0.25,
            steps=150,
        ),
        Surface(
            name="himmelblau",
            label="Himmelblau",
            title="Himmelblau (x² + y − 11)² + (x + y² − 7)²",
            latex=r"f(x, y) = (x^2 + y - 11)^2 + (x + y^2 - 7)^2",
            f=himmelblau,
            x_range=(-5.0, 5.0),
            y_range=(-5.0, 5.0),
            start=(-0.5, -0.5),
            minima=((3.0, 2.0), (-2.805118, 3.131312), (-3.779310, -3.283186),
                    (3.584428, -1.848126)),
            f_min=0.0,
            steps=200,
        ),
        Surface(
            name="beale",
            label="Beale",
            title="Beale",
            latex=r"f(x, y) = (1.5 - x + xy)^2 + (2.25 - x + xy^2)^2 + (2.625 - x + xy^3)^2",
            f=beale,
            x_range=(-4.5, 4.5),
            y_range=(-4.5, 4.5),
            start=(1.0, 1.4),
            minima=((3.0, 0.5),),
            f_min=0.0,
            steps=500,
        ),
    )
}

SURFACES = ("quadratic", *_FIXED)
"""Surface names a page can put in a URL."""


def make_surface(name: str, kappa: float = 10.0) -> Surface:
    """The surface `name`; `kappa` is the quadratic's condition number (ignored by the others)."""
    key = str(name).strip().lower()
    if key == "quadratic":
        return _quadratic(kappa)
    if key not in _FIXED:
        raise PlaygroundError(f"Unknown surface {name!r}; choose one of: {', '.join(SURFACES)}.")
    return _FIXED[key]


def optimal_settings(kappa: float) -> dict[str, dict[str, float]]:
    """The step sizes (and momentum) that reach the best rates on ½(x² + κy²) (μ = 1, L = κ),
    by registry key; for Nesterov, the classical setting γ = 1/L, μ = (√κ − 1)/(√κ + 1)."""
    root = math.sqrt(kappa)
    return {
        "sgd": {"lr": 2.0 / (kappa + 1.0)},
        "momentum": {"lr": 4.0 / (root + 1.0) ** 2, "momentum": ((root - 1.0) / (root + 1.0)) ** 2},
        "nesterov": {"lr": 1.0 / kappa, "momentum": (root - 1.0) / (root + 1.0)},
    }


def theoretical_rates(kappa: float) -> dict[str, float]:
    """Per-step contraction factor of ‖θ‖ on the quadratic with the optimal settings."""
    root = math.sqrt(kappa)
    return {"sgd": (kappa - 1.0) / (kappa + 1.0), "momentum": (root - 1.0) / (root + 1.0)}


@dataclass(frozen=True)
class Trajectory:
    """Where an optimizer went: points[k] = θₖ and losses[k] = f(θₖ), k = 0 … len − 1.

    diverged_at: the step at which the loss or the point stopped being finite (or left
    DIVERGED_RADIUS); the arrays stop at the last good point. None if it never diverged.
    """

    optimizer: OptimizerChoice
    points: np.ndarray
    losses: np.ndarray
    diverged_at: int | None


def default_choice(surface: Surface, key: str, optimal: bool = True) -> OptimizerChoice:
    """The optimizer `key` with its registry defaults for this surface; on the quadratic, with
    `optimal`, SGD and momentum take the optimal settings for its κ."""
    choice = OptimizerChoice.on_surface(key, surface.name)
    if optimal and surface.kappa is not None:
        choice = choice.replace(**optimal_settings(surface.kappa).get(choice.key, {}))
    return choice


def descend(surface: Surface, optimizer: OptimizerChoice, start: tuple[float, float],
            steps: int) -> Trajectory:
    """Run `optimizer` (and its schedule) on `surface` from `start` for `steps` steps, with the
    gradients of the engine's backward pass."""
    if isinstance(steps, bool) or not isinstance(steps, int) or steps < 1:
        raise PlaygroundError(f"The number of steps must be a whole number ≥ 1, got {steps!r}.")
    check_limit("The number of optimizer steps", steps, MAX_SURFACE_STEPS)
    x = Tensor(float(start[0]), requires_grad=True, name="x")
    y = Tensor(float(start[1]), requires_grad=True, name="y")
    opt = optimizer.build([x, y])
    schedule = optimizer.build_schedule(opt)
    points, losses, diverged_at = [], [], None
    for k in range(steps + 1):
        opt.zero_grad()
        loss = surface.f(x, y)
        point = (x.item(), y.item())
        if not (math.isfinite(loss.item()) and math.hypot(*point) <= DIVERGED_RADIUS):
            diverged_at = k
            break
        points.append(point)
        losses.append(loss.item())
        if k < steps:
            loss.backward()
            opt.step()
            if schedule is not None:
                schedule.step()
    return Trajectory(optimizer, np.array(points).reshape(-1, 2), np.array(losses), diverged_at)
