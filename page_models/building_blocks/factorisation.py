"""Sections on factorising and combining arrays: low rank by SVD against non-negative matrix
factorisation, and tensor operations (elementwise, broadcasting, einsum)."""

from __future__ import annotations

import re
import string
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
    MAX_NMF_ITERATIONS,
    MAX_TENSOR_DIM,
    MAX_TENSOR_ELEMENTS,
)
from page_models.numerics import typed
from page_models.url import Param

# ---- SVD against NMF ------------------------------------------------------------------------

IMAGE_SIZE = 10
NMF_ITERATIONS = 300
FACTORISATION_DATA = {"rectangles": "rectangles", "typed": "typed matrix"}


def rectangles_image(seed: int, count: int = 3) -> np.ndarray:
    """A 10×10 non-negative image: `count` seeded rectangles of brightness 1–3 added up. Each
    rectangle is a non-negative rank-1 part (rows indicator × columns indicator)."""
    rng = np.random.default_rng(seed)
    image = np.zeros((IMAGE_SIZE, IMAGE_SIZE))
    for brightness in rng.integers(1, 4, size=count):
        top, left = rng.integers(0, IMAGE_SIZE - 3, size=2)
        height, width = rng.integers(3, IMAGE_SIZE - max(top, left) + 1, size=2)
        image[top:top + height, left:left + width] += brightness
    return image


def nmf(v: np.ndarray, rank: int, seed: int, iterations: int = NMF_ITERATIONS):
    """V ≈ W H with W, H ≥ 0 by Lee and Seung's multiplicative updates for ‖V − WH‖_F (each
    update multiplies by a non-negative ratio, so the factors stay non-negative)."""
    check_limit("The number of NMF iterations", iterations, MAX_NMF_ITERATIONS)
    rng = np.random.default_rng(seed)
    scale = np.sqrt(max(v.mean(), 1e-12) / rank)
    w = rng.uniform(0.1, 1.0, (v.shape[0], rank)) * scale
    h = rng.uniform(0.1, 1.0, (rank, v.shape[1])) * scale
    tiny = 1e-12
    for _ in range(iterations):
        h *= (w.T @ v) / (w.T @ w @ h + tiny)
        w *= (v @ h.T) / (w @ h @ h.T + tiny)
    return w, h


def svd_truncation(v: np.ndarray, rank: int) -> np.ndarray:
    u, s, vt = np.linalg.svd(v, full_matrices=False)
    return (u[:, :rank] * s[:rank]) @ vt[:rank]


def relative_error(v: np.ndarray, approximation: np.ndarray) -> float:
    return float(np.linalg.norm(v - approximation) / np.linalg.norm(v))


@dataclass(frozen=True)
class FactorisationView:
    matrix: np.ndarray
    rank: int  # the chosen k
    ranks: np.ndarray  # 1 … min(m, n)
    svd_errors: np.ndarray  # ‖V − V_k‖_F / ‖V‖_F, best possible for each rank
    nmf_errors: np.ndarray
    svd_approximation: np.ndarray  # at the chosen rank
    nmf_approximation: np.ndarray
    nmf_parts: list[np.ndarray]  # w_i h_iᵀ, each non-negative; they add up to the approximation
    svd_parts: list[np.ndarray]  # σ_i u_i v_iᵀ, with negative entries


def factorisation_matrix(v: Mapping[str, Any]) -> np.ndarray:
    if v["fa_data"] == "rectangles":
        return rectangles_image(v["fa_seed"])
    matrix = typed.parse_matrix(v["fa_matrix"], max_dim=MAX_MATRIX_DIM)
    if (matrix < 0).any():
        raise PlaygroundError("Non-negative matrix factorisation needs entries ≥ 0; this "
                              f"matrix has {int((matrix < 0).sum())} negative one(s).")
    if not matrix.any():
        raise PlaygroundError("Every entry is 0; type a matrix with some positive entries.")
    return matrix


def factorisation_view(v: Mapping[str, Any]) -> FactorisationView:
    matrix = factorisation_matrix(v)
    ranks = np.arange(1, min(matrix.shape) + 1)
    k = min(v["fa_rank"], ranks[-1])
    nmf_errors, chosen = [], None
    for rank in ranks:
        w, h = nmf(matrix, int(rank), v["fa_seed"])
        nmf_errors.append(relative_error(matrix, w @ h))
        if rank == k:
            chosen = w, h
    w, h = chosen
    u, s, vt = np.linalg.svd(matrix, full_matrices=False)
    return FactorisationView(
        matrix, k, ranks,
        svd_errors=np.array([relative_error(matrix, svd_truncation(matrix, r)) for r in ranks]),
        nmf_errors=np.array(nmf_errors),
        svd_approximation=svd_truncation(matrix, k),
        nmf_approximation=w @ h,
        nmf_parts=[np.outer(w[:, i], h[i]) for i in range(k)],
        svd_parts=[s[i] * np.outer(u[:, i], vt[i]) for i in range(k)],
    )


FACTORISATION = Section("factorisation", "Factorisation", {
    "fa_data": Param("rectangles", choices=tuple(FACTORISATION_DATA)),
    "fa_matrix": Param("3 3 0 0; 3 3 0 0; 0 1 2 2; 0 1 2 2", max_len=MAX_LIST_CHARS),
    "fa_rank": Param(3, lo=1, hi=IMAGE_SIZE),
    "fa_seed": seed_param(),
}, factorisation_view, shared=True)

# ---- tensor operations ----------------------------------------------------------------------

TENSOR_OPS = {  # op: its label
    "einsum": "einsum",
    "add": "A + B",
    "mul": "A * B",
}
EINSUM_SPEC = re.compile(r"^([a-z]{1,3})(,[a-z]{1,3})*->[a-z]{0,3}$")


def parse_shapes(text: str) -> list[tuple[int, ...]]:
    """Shapes "2x3, 3x4" (or 2×3, or a bare 5): one to three axes each, each 1 … MAX_TENSOR_DIM."""
    items = [item.strip() for item in text.split(",") if item.strip()]
    if not items:
        raise PlaygroundError("Type the operands' shapes, e.g. “2x3, 3x4”.")
    check_limit("The number of operands", len(items), 3)
    shapes = []
    for item in items:
        parts = [p for p in re.split(r"\s*[x×*]\s*", item) if p]
        if not parts or not all(p.isdigit() for p in parts):
            raise PlaygroundError(f"‘{item}’ is not a shape; write sizes joined by x, e.g. 2x3.")
        shape = tuple(int(p) for p in parts)
        check_limit(f"The number of axes of {item}", len(shape), 3)
        for size in shape:
            if not 1 <= size <= MAX_TENSOR_DIM:
                raise PlaygroundError(f"Each axis in ‘{item}’ must have 1 to {MAX_TENSOR_DIM} "
                                      "entries, so every number can be drawn.")
        shapes.append(shape)
    return shapes


def einsum_sizes(spec: str, shapes: list[tuple[int, ...]]) -> dict[str, int]:
    """The size of every index letter of an einsum spec, checked against the shapes."""
    if not EINSUM_SPEC.match(spec):
        raise PlaygroundError(f"‘{spec}’ is not an einsum spec this page reads: write each "
                              "operand's indices (1 to 3 letters a–z), commas between them, "
                              "then -> and the result's indices, e.g. ij,jk->ik.")
    inputs, output = spec.split("->")
    operands = inputs.split(",")
    if len(operands) != len(shapes):
        raise PlaygroundError(f"The spec names {len(operands)} operand(s) but "
                              f"{len(shapes)} shape(s) are given.")
    sizes: dict[str, int] = {}
    for indices, shape in zip(operands, shapes):
        if len(indices) != len(shape):
            raise PlaygroundError(f"‘{indices}’ has {len(indices)} index letter(s) but the "
                                  f"shape {format_shape(shape)} has {len(shape)} axes.")
        for letter, size in zip(indices, shape):
            if sizes.setdefault(letter, size) != size:
                raise PlaygroundError(f"Index {letter} has size {sizes[letter]} in one place "
                                      f"and {size} in another; an index has one size.")
    for letter in output:
        if letter not in sizes:
            raise PlaygroundError(f"The result's index {letter} appears in no operand.")
        if output.count(letter) > 1:
            raise PlaygroundError(f"The result's index {letter} appears twice.")
    return sizes


@dataclass(frozen=True)
class TensorView:
    operands: list[np.ndarray]
    names: list[str]  # "A", "B", "C"
    result: np.ndarray
    formula: str  # LaTeX: the result entry written as a sum over the contracted indices
    summed: str  # the contracted (summed) index letters, "" if none


def einsum_latex(spec: str) -> str:
    """R_{ik} = Σ_j A_{ij} B_{jk} for "ij,jk->ik"."""
    inputs, output = spec.split("->")
    operands = inputs.split(",")
    summed = sorted(set(inputs.replace(",", "")) - set(output))
    total = r"\sum_{" + ",".join(summed) + "} " if summed else ""
    factors = " ".join(f"{string.ascii_uppercase[i]}_{{{idx}}}" for i, idx in enumerate(operands))
    return f"R_{{{output}}} = {total}{factors}" if output else f"R = {total}{factors}"


def tensor_view(v: Mapping[str, Any]) -> TensorView:
    shapes = parse_shapes(v["te_shapes"])
    rng = np.random.default_rng(v["te_seed"])
    operands = [rng.integers(-3, 4, size=shape).astype(np.float64) for shape in shapes]
    names = list(string.ascii_uppercase[: len(operands)])
    if v["te_op"] == "einsum":
        sizes = einsum_sizes(v["te_spec"], shapes)
        output = v["te_spec"].split("->")[1]
        check_limit("The number of result elements",
                    int(np.prod([sizes[i] for i in output])), MAX_TENSOR_ELEMENTS)
        result = np.einsum(v["te_spec"], *operands)
        summed = "".join(sorted(set(sizes) - set(output)))
        return TensorView(operands, names, np.asarray(result), einsum_latex(v["te_spec"]), summed)
    if len(operands) != 2:
        raise PlaygroundError(f"A + B and A * B take two shapes, not {len(operands)}.")
    a, b = (Tensor(x) for x in operands)
    try:
        result = (a + b if v["te_op"] == "add" else a * b).data
    except ShapeError as exc:
        raise PlaygroundError(f"{exc} Broadcasting pairs the axes from the right; each pair must "
                              "be equal or contain a 1.") from None
    symbol = "+" if v["te_op"] == "add" else r"\cdot"
    return TensorView(operands, names, result, rf"R = A {symbol} B \text{{ (broadcast)}}", "")


TENSORS = Section("tensors", "Tensor operations", {
    "te_op": Param("einsum", choices=tuple(TENSOR_OPS)),
    "te_spec": Param("ij,jk->ik", max_len=40),
    "te_shapes": Param("2x3, 3x4", max_len=40),
    "te_seed": seed_param(),
}, tensor_view)
