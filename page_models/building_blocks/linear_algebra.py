"""Sections on linear algebra: the matrix product, rank, least squares, quadratic forms and
conditioning."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from engine import PlaygroundError, ShapeError, Tensor, format_shape
from engine.limits import check_limit
from page_models.building_blocks.section import Section, seed_param
from page_models.limits import (
    MAX_LIST_CHARS,
    MAX_MATRIX_DIM,
    MAX_QUADRATIC_STEPS,
    MAX_REGRESSION_POINTS,
)
from page_models.numerics import matrices, typed
from page_models.url import Param

# ---- matrix product -------------------------------------------------------------------------


@dataclass(frozen=True)
class MatmulView:
    a: np.ndarray
    b: np.ndarray
    c: np.ndarray | None  # A @ B, None if the shapes do not fit
    error: ShapeError | None  # the engine's message when they do not
    row: int
    col: int
    layer: str  # "W (2,3) @ x (3,) + b (2,)"
    layer_output: str | None  # the output's shape, None if the layer's shapes do not fit
    layer_error: ShapeError | None


def matmul_view(v: Mapping[str, Any]) -> MatmulView:
    """A (m×n) and B (nb×p) of small whole numbers, C = A @ B by the engine, the picked cell
    (reset to the first if it left C), and a layer W @ x + b with W shaped like A."""
    a = matrices.integer_matrix(v["mm_m"], v["mm_n"], seed=1)
    b = matrices.integer_matrix(v["mm_nb"], v["mm_p"], seed=2)
    c = error = None
    try:
        c = (Tensor(a) @ Tensor(b)).data
    except ShapeError as exc:
        error = exc
    x, bias = Tensor(np.ones(v["mm_nb"])), Tensor(np.zeros(a.shape[0]))
    layer = f"W {format_shape(a.shape)} @ x {format_shape(x.shape)} + b {format_shape(bias.shape)}"
    layer_output = layer_error = None
    try:
        layer_output = format_shape((Tensor(a) @ x + bias).shape)
    except ShapeError as exc:
        layer_error = exc
    row = v["mm_row"] if v["mm_row"] < v["mm_m"] else 0
    col = v["mm_col"] if v["mm_col"] < v["mm_p"] else 0
    return MatmulView(a, b, c, error, row, col, layer, layer_output, layer_error)


MATMUL = Section("matmul", "Matrix product", {
    "mm_m": Param(2, lo=1, hi=MAX_MATRIX_DIM),
    "mm_n": Param(3, lo=1, hi=MAX_MATRIX_DIM),
    "mm_nb": Param(3, lo=1, hi=MAX_MATRIX_DIM),
    "mm_p": Param(4, lo=1, hi=MAX_MATRIX_DIM),
    "mm_row": Param(0, lo=0, hi=MAX_MATRIX_DIM - 1),
    "mm_col": Param(0, lo=0, hi=MAX_MATRIX_DIM - 1),
}, matmul_view)

# ---- rank -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class RankView:
    vectors: np.ndarray  # one vector per row, 2-D or 3-D
    ranks: list[int]  # rank of the first k vectors, k = 1 … count
    combinations: list[np.ndarray | None]  # for a vector that adds nothing: its coefficients
    # on the earlier vectors that did add a direction (None for one that adds a direction)

    @property
    def rank(self) -> int:
        return self.ranks[-1]


def rank_view(v: Mapping[str, Any]) -> RankView:
    vectors = typed.parse_matrix(v["rk_vectors"], max_dim=MAX_MATRIX_DIM)
    if vectors.shape[1] not in (2, 3):
        raise PlaygroundError(f"Each vector needs 2 or 3 numbers (a point in 2-D or 3-D), not "
                              f"{vectors.shape[1]}.")
    ranks = [matrices.svd_summary(vectors[: k + 1]).rank for k in range(len(vectors))]
    basis, combinations = [], []
    for k, vector in enumerate(vectors):
        if ranks[k] > (ranks[k - 1] if k else 0):
            basis.append(k)
            combinations.append(None)
        else:  # in the span of the basis so far: solve for its coefficients
            coefficients = np.zeros(len(vectors))
            if basis:
                solution, *_ = np.linalg.lstsq(vectors[basis].T, vector, rcond=None)
                coefficients[basis] = solution
            combinations.append(coefficients)
    return RankView(vectors, ranks, combinations)


RANK = Section("rank", "Rank", {
    "rk_vectors": Param("2 1; 1 2; 3 3", max_len=MAX_LIST_CHARS),
}, rank_view)

# ---- least squares --------------------------------------------------------------------------


@dataclass(frozen=True)
class RegressionView:
    """y ≈ X w with X = [1, x]; w solves the normal equations XᵀX w = Xᵀy."""

    x: np.ndarray
    y: np.ndarray
    design: np.ndarray  # X, n×2
    w: np.ndarray  # (intercept, slope)
    fitted: np.ndarray  # ŷ = X w, the projection of y onto the column space of X
    residual: np.ndarray  # r = y − ŷ

    @property
    def equation(self) -> str:
        """"ŷ = 0.270 + 0.990·x", to 3 decimals, with real minus signs and never "−0.000"."""
        intercept, slope = (round(float(v), 3) + 0.0 for v in self.w)
        sign = "+" if slope >= 0 else "−"
        return f"ŷ = {intercept:.3f} {sign} {abs(slope):.3f}·x".replace("-", "−")

    @property
    def column_dot_residual(self) -> np.ndarray:
        """Xᵀr: zero up to rounding, the residual is orthogonal to every column."""
        return self.design.T @ self.residual


def parse_points(text: str) -> np.ndarray:
    """Points "x y; x y; …" as an n×2 array."""
    points = typed.parse_matrix(text, max_dim=MAX_REGRESSION_POINTS)
    if points.shape[1] != 2:
        raise PlaygroundError(f"Type each point as two numbers “x y”, not {points.shape[1]}.")
    return points


def move_point(text: str, index: int, x: float, y: float) -> str:
    """The points text with point `index` moved to (x, y)."""
    points = parse_points(text)
    points[index] = x, y
    return "; ".join(f"{px:g} {py:g}" for px, py in points)


def regression_view(v: Mapping[str, Any]) -> RegressionView:
    points = parse_points(v["rg_points"])
    x, y = points[:, 0], points[:, 1]
    if len(points) < 2 or np.ptp(x) == 0:
        raise PlaygroundError("Least squares needs at least two different x values: with one, "
                              "the columns 1 and x are parallel and no line is singled out.")
    design = np.column_stack([np.ones_like(x), x])
    w = np.linalg.solve(design.T @ design, design.T @ y)
    fitted = design @ w
    return RegressionView(x, y, design, w, fitted, y - fitted)


REGRESSION = Section("regression", "Least squares", {
    "rg_points": Param("1 1.2; 2 2.9; 3 2.3; 4 4.6; 5 4.2", max_len=MAX_LIST_CHARS),
    "rg_pick": Param(0, lo=0, hi=MAX_REGRESSION_POINTS - 1),
}, regression_view)

# ---- quadratic forms ------------------------------------------------------------------------

QUADRATIC_GRID = np.linspace(-2.0, 2.0, 41)
QUADRATIC_DESCENT_STEPS = 25


@dataclass(frozen=True)
class QuadraticView:
    a: np.ndarray  # symmetric 2×2
    eigenvalues: np.ndarray  # ascending
    eigenvectors: np.ndarray  # as columns
    shape: str  # "bowl", "dome", "saddle", "trough", "ridge" or "flat"
    meaning: str  # what the shape says about minima
    condition_number: float  # |λ|max / |λ|min (inf if some λ = 0)
    grid: np.ndarray
    surface: np.ndarray  # xᵀAx on grid × grid (rows: second coordinate)
    descent: np.ndarray  # gradient-descent iterates from (1.8, 1.2), steps × 2


SHAPES = {  # signs of the eigenvalues (ascending) -> (shape, meaning)
    (1, 1): ("bowl", "A is positive definite: one minimum, at 0, and descent finds it."),
    (-1, -1): ("dome", "A is negative definite: a maximum at 0 and no minimum."),
    (-1, 1): ("saddle", "A is indefinite: 0 is a saddle point, and there is no minimum."),
    (0, 1): ("trough", "A is positive semidefinite but singular: a whole line of minima."),
    (-1, 0): ("ridge", "A is negative semidefinite: a whole line of maxima."),
    (0, 0): ("flat", "A = 0: every point is a minimum."),
}


def quadratic_view(v: Mapping[str, Any]) -> QuadraticView:
    a = np.array([[v["qf_a"], v["qf_b"]], [v["qf_b"], v["qf_c"]]])
    eigenvalues, eigenvectors = np.linalg.eigh(a)
    tolerance = 1e-12 * max(1.0, float(np.abs(eigenvalues).max()))
    signs = tuple(int(np.sign(lam)) if abs(lam) > tolerance else 0 for lam in eigenvalues)
    shape, meaning = SHAPES[signs]
    smallest = float(np.abs(eigenvalues).min())
    condition = float(np.abs(eigenvalues).max()) / smallest if smallest > tolerance else np.inf
    gx, gy = np.meshgrid(QUADRATIC_GRID, QUADRATIC_GRID)
    surface = a[0, 0] * gx**2 + 2 * a[0, 1] * gx * gy + a[1, 1] * gy**2
    return QuadraticView(a, eigenvalues, eigenvectors, shape, meaning, condition,
                         QUADRATIC_GRID, surface, quadratic_descent_path(a))


QUADRATIC_STEP_FACTOR = 0.95  # of the best fixed step 1/(|λ|max + |λ|min)


def quadratic_descent_step(a: np.ndarray) -> float:
    """The step of the drawn descent: 0.95 × the best fixed step for xᵀAx, 1/(|λ|max + |λ|min).
    Along an eigenvector one step multiplies the coordinate by 1 − 2·step·λ: on a bowl with a
    large κ that is near −1 across the valley (it zig-zags) and near +1 along it (it crawls);
    with κ = 1 it lands next to the minimum at once. The 0.95 keeps a trough (λmin = 0) from
    bouncing for ever."""
    magnitudes = np.abs(np.linalg.eigvalsh(a))
    return QUADRATIC_STEP_FACTOR / max(float(magnitudes.max() + magnitudes.min()), 1e-12)


def quadratic_descent_path(a: np.ndarray) -> np.ndarray:
    """Gradient descent on xᵀAx (= ½ xᵀ(2A)x: gradient 2Ax) from (1.8, 1.2) with
    quadratic_descent_step(a), stopped when it leaves the drawn square."""
    return matrices.quadratic_descent(2 * a, np.zeros(2), np.array([1.8, 1.2]),
                                      quadratic_descent_step(a), QUADRATIC_DESCENT_STEPS,
                                      bound=QUADRATIC_GRID[-1])


def distances_to_minimum(a: np.ndarray, steps: int) -> np.ndarray:
    """Gradient descent on f(x) = ½ xᵀAx − bᵀx from x = 0, with b = A·1 (so the minimum is at
    x* = 1) and learning rate 1/λ_max: the relative distance ‖x_k − x*‖ / ‖x*‖ for k = 0 … steps.
    """
    check_limit("The number of gradient-descent steps", steps, MAX_QUADRATIC_STEPS)
    target = np.ones(a.shape[0])
    with np.errstate(over="ignore", divide="ignore"):
        lr = 1.0 / np.linalg.eigvalsh(a)[-1]
    if not np.isfinite(lr):
        raise PlaygroundError("A's largest eigenvalue is too small to compute with, so the "
                              "learning rate 1/λ_max is not a number: scale A up.")
    path = matrices.quadratic_descent(a, a @ target, np.zeros(a.shape[0]), lr, steps)
    return np.array([np.linalg.norm(x - target) / np.linalg.norm(target) for x in path])


QUADRATIC_FORMS = Section("quadratic-forms", "Quadratic forms", {
    "qf_a": Param(2.0, lo=-3.0, hi=3.0),
    "qf_b": Param(0.5, lo=-3.0, hi=3.0),
    "qf_c": Param(1.0, lo=-3.0, hi=3.0),
}, quadratic_view)

# ---- conditioning ---------------------------------------------------------------------------


@dataclass(frozen=True)
class ConditioningView:
    a: np.ndarray
    summary: matrices.SvdSummary
    solve: matrices.SolveSensitivity | None  # None if A is exactly singular
    low_rank: tuple[np.ndarray, np.ndarray, np.ndarray]  # (k, spectral, Frobenius errors)
    descent: np.ndarray | None  # None unless A is symmetric positive definite


def chosen_matrix(v: Mapping[str, Any]) -> np.ndarray:
    """The typed matrix (square), or a random symmetric one with the chosen condition number."""
    if not v["cd_own"]:
        return matrices.matrix_with_condition(v["cd_n"], 10.0 ** v["cd_log_kappa"], v["cd_seed"])
    a = typed.parse_matrix(v["cd_matrix"], max_dim=6)
    if a.shape[0] != a.shape[1]:
        raise PlaygroundError(f"A is {format_shape(a.shape)}; this section needs a square "
                              "matrix (n×n) to solve Ax = b.")
    return a


def conditioning_view(v: Mapping[str, Any]) -> ConditioningView:
    a = chosen_matrix(v)
    try:
        solve = matrices.solve_sensitivity(a, 10.0 ** v["cd_noise"], v["cd_seed"])
    except np.linalg.LinAlgError:  # exactly singular
        solve = None
    positive_definite = np.allclose(a, a.T) and np.linalg.eigvalsh(a)[0] > 0
    descent = distances_to_minimum(a, v["cd_steps"]) if positive_definite else None
    return ConditioningView(a, matrices.svd_summary(a), solve, matrices.low_rank_errors(a), descent)


CONDITIONING = Section("conditioning", "Conditioning", {
    "cd_own": Param(False),
    "cd_matrix": Param("4 1; 1 3", max_len=MAX_LIST_CHARS),
    "cd_n": Param(3, lo=2, hi=6),
    "cd_log_kappa": Param(2.0, lo=0.0, hi=16.0),
    "cd_noise": Param(-6, lo=-12, hi=-1),
    "cd_steps": Param(100, lo=10, hi=MAX_QUADRATIC_STEPS),
    "cd_seed": seed_param(),
}, conditioning_view)
