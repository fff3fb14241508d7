"""Sections on derivatives and their cost: finite differences, activation functions, the cost
of a gradient (finite differences against backward), and loops against vectorised calls."""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from engine import PlaygroundError, Tensor, no_grad
from engine.limits import check_limit
from page_models.building_blocks.section import Section, seed_param
from page_models.limits import MAX_FD_PARAMETERS, MAX_LOOP_SIZE
from page_models.numerics import differences
from page_models.url import Param

# ---- finite differences ---------------------------------------------------------------------

FUNCTIONS = {  # name: (LaTeX, f built from engine ops, smallest allowed x)
    "sin": (r"\sin x", lambda t: t.sin(), None),
    "exp": (r"e^x", lambda t: t.exp(), None),
    "tanh": (r"\tanh x", lambda t: t.tanh(), None),
    "sigmoid": (r"\sigma(x)", lambda t: t.sigmoid(), None),
    "cube": (r"x^3", lambda t: t**3, None),
    "log": (r"\ln x", lambda t: t.log(), 0.0),
}
STEP_SIZES = np.logspace(-16, 0, 161)


def derivatives_view(v: Mapping[str, Any]) -> differences.DifferenceErrors:
    _, f, lowest = FUNCTIONS[v["nd_f"]]
    if lowest is not None and v["nd_x"] <= lowest:
        raise PlaygroundError(f"{v['nd_f']} is only defined for x > {lowest:g}; "
                              "move the point x to the right.")
    return differences.difference_errors(f, v["nd_x"], STEP_SIZES)


DERIVATIVES = Section("derivatives", "Derivatives", {
    "nd_f": Param("sin", choices=tuple(FUNCTIONS)),
    "nd_x": Param(1.0, lo=-3.0, hi=3.0),
}, derivatives_view)

# ---- activations ----------------------------------------------------------------------------

ERF_P = 0.3275911  # Abramowitz & Stegun 7.1.26: erf(u) for u ≥ 0 within 1.5·10⁻⁷
ERF_A = (0.254829592, -0.284496736, 1.421413741, -1.453152027, 1.061405429)


def erf_of_nonnegative(u: Tensor) -> Tensor:
    """erf(u) for u ≥ 0 from engine ops (the engine has no erf op): Abramowitz & Stegun 7.1.26,
    1 − (a₁t + … + a₅t⁵) e^(−u²) with t = 1 / (1 + p·u), error below 1.5·10⁻⁷."""
    t = 1 / (1 + ERF_P * u)
    poly = sum(a * t ** (k + 1) for k, a in enumerate(ERF_A))
    return 1 - poly * (-(u * u)).exp()


def gelu(t: Tensor) -> Tensor:
    """GELU in its exact form, x·Φ(x) = ½x(1 + erf(x/√2)) (torch's default, not its tanh
    approximation), written as ½x + ½|x|·erf(|x|/√2) so erf only sees u ≥ 0."""
    return 0.5 * t + 0.5 * t.abs() * erf_of_nonnegative(t.abs() / math.sqrt(2))



@dataclass(frozen=True)
class Activation:
    latex: str
    f: Callable[[Tensor, float], Tensor]  # (x, leaky slope α) -> f(x), from engine ops


ACTIVATIONS = {
    "sigmoid": Activation(r"\sigma(x) = \frac{1}{1 + e^{-x}}", lambda t, a: t.sigmoid()),
    "tanh": Activation(r"\tanh x", lambda t, a: t.tanh()),
    "ReLU": Activation(r"\max(0, x)", lambda t, a: t.relu()),
    "leaky ReLU": Activation(r"\max(\alpha x, x)", lambda t, a: t.relu() - a * (-t).relu()),
    "softplus": Activation(r"\ln(1 + e^x)", lambda t, a: (1 + t.exp()).log()),
    "GELU": Activation(r"x\,\Phi(x) = \tfrac{x}{2}\bigl(1 + \operatorname{erf}(x/\sqrt2)\bigr)",
                       lambda t, a: gelu(t)),
}
ACTIVATION_GRID = np.linspace(-6.0, 6.0, 481)
SATURATED = 0.05  # a function saturates where its slope is below 5 % of its steepest


@dataclass(frozen=True)
class ActivationCurve:
    values: np.ndarray  # f on ACTIVATION_GRID
    slopes: np.ndarray  # f′ there, from the engine's backward pass
    at_x: tuple[float, float]  # (f(x), f′(x)) at the chosen point
    flat: str  # where it saturates, in words


@dataclass(frozen=True)
class ActivationsView:
    x: float
    grid: np.ndarray
    curves: dict[str, ActivationCurve]


def value_and_slope(activation: Activation, x: np.ndarray, alpha: float):
    """f(x) and f′(x) elementwise: the backward pass of Σ f(xᵢ) gives each f′(xᵢ)."""
    t = Tensor(x, requires_grad=True)
    y = activation.f(t, alpha)
    y.sum().backward()
    return y.data, t.grad


def flat_regions(grid: np.ndarray, slopes: np.ndarray) -> str:
    """Where |f′| < SATURATED × its largest value on the grid, e.g. "x < −4.4 and x > 4.4"
    (each bound halfway between the last flat and the first steep grid point)."""
    steep = np.abs(slopes) >= SATURATED * np.abs(slopes).max()
    parts = []
    if not steep[0]:
        first = np.argmax(steep)
        parts.append(f"x < {(grid[first - 1] + grid[first]) / 2:.1f}")
    if not steep[-1]:
        last = len(grid) - 1 - np.argmax(steep[::-1])
        parts.append(f"x > {(grid[last] + grid[last + 1]) / 2:.1f}")
    return " and ".join(parts).replace("-", "−") or "nowhere on this range"


def activations_view(v: Mapping[str, Any]) -> ActivationsView:
    curves = {}
    for name, activation in ACTIVATIONS.items():
        values, slopes = value_and_slope(activation, ACTIVATION_GRID, v["ac_alpha"])
        at_value, at_slope = value_and_slope(activation, np.array([v["ac_x"]]), v["ac_alpha"])
        curves[name] = ActivationCurve(values, slopes, (float(at_value[0]), float(at_slope[0])),
                                       flat_regions(ACTIVATION_GRID, slopes))
    return ActivationsView(v["ac_x"], ACTIVATION_GRID, curves)


ACTIVATIONS_SECTION = Section("activations", "Activations", {
    "ac_x": Param(1.0, lo=-6.0, hi=6.0),
    "ac_alpha": Param(0.1, lo=0.0, hi=0.5),
}, activations_view)

# ---- timing ---------------------------------------------------------------------------------

TIMING_REPEATS = 3


def timed(fn: Callable[[], Any], repeats: int = TIMING_REPEATS) -> tuple[float, Any]:
    """The fastest of `repeats` runs of fn() in seconds (the least disturbed by other work),
    and what fn returned."""
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - start)
    return min(times), result


def size_ladder(largest: int, count: int) -> np.ndarray:
    """About `count` sizes from 1 to `largest`, evenly spaced on a log scale."""
    return np.unique(np.geomspace(1, largest, count).round().astype(int))


# ---- the cost of a gradient -----------------------------------------------------------------

AUTODIFF_ROWS = 16  # f(w) = Σ tanh(X w) with X of 16 rows and one column per parameter


@dataclass(frozen=True)
class GradientCost:
    sizes: np.ndarray  # numbers of parameters P
    finite_difference_s: np.ndarray  # 2P forward passes
    backward_s: np.ndarray  # one forward and one backward pass
    max_difference: float  # largest |finite difference − backward| at the largest P


def time_gradient(p: int, rng: np.random.Generator) -> tuple[float, float, float]:
    """For f(w) = Σ tanh(X w) with P = p parameters: seconds for the gradient by central
    differences (two forward passes per parameter), seconds by one backward pass, and the
    largest difference between the two gradients."""
    x = Tensor(rng.normal(size=(AUTODIFF_ROWS, p)) / math.sqrt(p))
    w = Tensor(rng.normal(size=p), requires_grad=True)

    def f() -> Tensor:
        return (x @ w).tanh().sum()

    def by_backward() -> np.ndarray:
        w.grad = None
        f().backward()
        return w.grad

    def by_differences(eps: float = 1e-6) -> np.ndarray:
        grad = np.empty(p)
        with no_grad():
            for k in range(p):
                original = w.data[k]
                w.data[k] = original + eps
                up = f().item()
                w.data[k] = original - eps
                down = f().item()
                w.data[k] = original
                grad[k] = (up - down) / (2 * eps)
        return grad

    fd_seconds, numeric = timed(by_differences)
    bw_seconds, analytic = timed(by_backward)
    return fd_seconds, bw_seconds, float(np.abs(numeric - analytic).max())


def gradient_cost(largest: int, seed: int) -> GradientCost:
    """Time the gradient of f(w) = Σ tanh(X w) (engine ops) for growing P by central
    differences and by one backward pass."""
    check_limit("The number of parameters", largest, MAX_FD_PARAMETERS)
    rng = np.random.default_rng(seed)
    sizes = size_ladder(largest, 8)
    fd, bw, differences = zip(*(time_gradient(int(p), rng) for p in sizes))
    return GradientCost(sizes, np.array(fd), np.array(bw), differences[-1])


AUTODIFF_SIZES = (10, 30, 100, 300, MAX_FD_PARAMETERS)
AUTODIFF_COST = Section("autodiff-cost", "Cost of a gradient", {
    "ad_max": Param(300, choices=AUTODIFF_SIZES),
    "ad_seed": seed_param(),
}, lambda v: gradient_cost(v["ad_max"], v["ad_seed"]), shared=True)

# ---- loops against vectorised calls ---------------------------------------------------------


@dataclass(frozen=True)
class Computation:
    latex: str
    loop: Callable[[list[float], list[float]], Any]  # over Python floats, one at a time
    vectorised: Callable[[np.ndarray, np.ndarray], Any]  # one NumPy call


def _dot_loop(a, b):
    total = 0.0
    for x, y in zip(a, b):
        total += x * y
    return total


COMPUTATIONS = {
    "dot product": Computation(r"\textstyle\sum_i a_i b_i", _dot_loop, np.dot),
    "ReLU": Computation(r"\max(0, a_i)", lambda a, b: [x if x > 0 else 0.0 for x in a],
                        lambda a, b: np.maximum(a, 0.0)),
    "a·x + b": Computation(r"2 a_i + b_i", lambda a, b: [2.0 * x + y for x, y in zip(a, b)],
                           lambda a, b: 2.0 * a + b),
}


@dataclass(frozen=True)
class LoopTiming:
    sizes: np.ndarray
    loop_s: np.ndarray
    vectorised_s: np.ndarray
    same_result: bool  # the two agree (to rounding) at every size

    @property
    def speedup(self) -> np.ndarray:
        return self.loop_s / self.vectorised_s


def time_loop(computation: Computation, a: np.ndarray,
              b: np.ndarray) -> tuple[float, float, bool]:
    """Seconds for the loop and for the vectorised call on a, b, and whether they agree."""
    a_list, b_list = a.tolist(), b.tolist()
    loop_s, by_loop = timed(lambda: computation.loop(a_list, b_list))
    vectorised_s, by_call = timed(lambda: computation.vectorised(a, b))
    return loop_s, vectorised_s, bool(np.allclose(by_loop, by_call))


def loop_timing(name: str, largest: int, seed: int) -> LoopTiming:
    check_limit("The largest size", largest, MAX_LOOP_SIZE)
    rng = np.random.default_rng(seed)
    sizes = size_ladder(largest, 8)
    loop_s, vectorised_s, same = zip(*(time_loop(COMPUTATIONS[name], rng.normal(size=n),
                                                 rng.normal(size=n)) for n in sizes))
    return LoopTiming(sizes, np.array(loop_s), np.array(vectorised_s), all(same))


LOOP_SIZES = (1000, 10_000, MAX_LOOP_SIZE)
VECTORISATION = Section("vectorisation", "Vectorisation", {
    "vc_op": Param("dot product", choices=tuple(COMPUTATIONS)),
    "vc_max": Param(10_000, choices=LOOP_SIZES),
    "vc_seed": seed_param(),
}, lambda v: loop_timing(v["vc_op"], v["vc_max"], v["vc_seed"]), shared=True)
