"""Your own data: a pasted or uploaded CSV, points drawn by clicking, or a formula y > f(x); and
the compact text that carries a small dataset in a share link.

Every dataset here is a `engine.data.Dataset` with two plotted coordinates per point: (x1, x2)
and a class for classification, (x, y) for regression (`plot_points` gives them as one array).

Share links (`to_link` / `from_link`): at most MAX_LINK_POINTS points. Each coordinate column is
stored on a grid of step 2**e, the smallest power of two at least (the column's range) / 65534,
as 16-bit offsets from the grid point below its minimum; labels as bytes; zlib, then URL-safe
base64. So a coordinate moves by at most LINK_PRECISION × its column's range (with the range taken
as at least 2**-16), and a dataset already on its grid comes back bit for bit: `on_link_grid` is
that dataset, the one a page trains on so that a reloaded link trains identically.
"""

from __future__ import annotations

import base64
import binascii
import math
import re
import struct
import zlib
from numbers import Integral, Real

import numpy as np

from engine.data import MAX_NOISE, MAX_SEED, MIN_SAMPLES, Dataset
from engine.errors import PlaygroundError
from engine.expr import InputSpec, build, parse
from engine.limits import MAX_SOURCE_CHARS, check_limit
from engine.ops import format_shape
from page_models.limits import (
    MAX_ABS_COORD,
    MAX_CSV_CHARS,
    MAX_LINK_POINTS,
    MAX_OWN_CLASSES,
    MAX_OWN_POINTS,
)
from page_models.url import Param

__all__ = [
    "FORMULA_DOMAIN",
    "LINK_PRECISION",
    "PARAMS",
    "SOURCES",
    "add_point",
    "canvas_range",
    "check_trainable",
    "empty",
    "formula_curve",
    "formula_dataset",
    "formula_line",
    "from_csv",
    "from_link",
    "on_link_grid",
    "plot_points",
    "remove_nearest",
    "to_csv",
    "to_link",
]

SOURCES = {"builtin": "Built-in", "csv": "Paste or upload CSV", "draw": "Draw",
           "formula": "Formula y > f(x)"}
"""Where a page's data comes from: URL value -> label."""

PARAMS = {
    "my_data": Param("builtin", choices=tuple(SOURCES)),
    "my_points": Param("", max_len=8 * MAX_LINK_POINTS),  # to_link's text (csv and draw)
    "my_fx": Param("sin(2 * x)", max_len=MAX_SOURCE_CHARS),
    "my_fx_n": Param(200, lo=MIN_SAMPLES, hi=MAX_OWN_POINTS),
    "my_fx_noise": Param(0.1, lo=0.0, hi=MAX_NOISE),
    "my_fx_seed": Param(0, lo=0, hi=MAX_SEED),
}
"""The "Your data" state of a page, in its URL (page_models.url)."""

FORMULA_DOMAIN = (-2.0, 2.0)  # formula datasets draw x1 and x2 uniformly from this interval
DRAW_VIEW = (-2.5, 2.5)  # the drawing canvas shows at least this square
LINK_PRECISION = 1 / 65534  # largest move of a coordinate in a link, as a fraction of its range
_MIN_SPAN = 2.0**-16  # a column's range counts as at least this (constant columns)
_NUMBER = re.compile(r"[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?")
_EXAMPLE = "rows like 0.5, -1.2, 1 (x1, x2, class) or 0.5, 0.3 (x, y)"


# ---- the points of a dataset ---------------------------------------------------------------
def plot_points(dataset: Dataset) -> np.ndarray:
    """(n, 2): (x1, x2) for classification, (x, y) for regression: where each point is drawn."""
    if dataset.task == "classification":
        return dataset.X
    return np.column_stack([dataset.X[:, 0], dataset.y[:, 0]])


def _dataset(points: np.ndarray, labels: np.ndarray | None, n_classes: int, name: str) -> Dataset:
    """The inverse of plot_points: labels None means regression."""
    points = np.asarray(points, dtype=np.float64).reshape(-1, 2)
    if labels is None:
        return Dataset(points[:, :1].copy(), points[:, 1:].copy(), "regression", 0, name)
    return Dataset(points.copy(), np.asarray(labels, dtype=np.int64), "classification",
                   n_classes, name)


def empty(task: str = "classification", n_classes: int = 2) -> Dataset:
    """A dataset with no points yet, to draw on."""
    if task == "regression":
        return _dataset(np.empty((0, 2)), None, 0, "drawn")
    return _dataset(np.empty((0, 2)), np.empty(0), n_classes, "drawn")


def check_trainable(dataset: Dataset) -> None:
    """Raise PlaygroundError unless a network can train on the dataset: enough points, and for
    classification at least two classes present."""
    if len(dataset) < MIN_SAMPLES:
        raise PlaygroundError(f"The data has {len(dataset)} point(s); training needs at least "
                              f"{MIN_SAMPLES} (part of them are kept for validation).")
    if dataset.task == "classification":
        present = np.unique(dataset.y)
        if len(present) < 2:
            raise PlaygroundError(f"Every point has class {present[0]}: a classifier needs at "
                                  "least two classes. Add points of another class.")


# ---- CSV -----------------------------------------------------------------------------------
def from_csv(text: str) -> tuple[Dataset, tuple[str, ...]]:
    """Read a CSV: per row x1, x2, class (classification) or x, y (regression); return the
    dataset and each class's label as written (class i is the i-th label in sorted order).

    A header row is optional (the first row is one if its first cell is not a number); blank
    lines are skipped; cells are separated by commas, else semicolons, tabs or spaces (whichever
    the first row uses). Classes are whole numbers or words. Mistakes raise PlaygroundError
    naming the line and column.
    """
    if not isinstance(text, str):
        raise PlaygroundError("The CSV must be text.")
    check_limit("The number of characters in the CSV", len(text), MAX_CSV_CHARS)
    lines = [(number, line) for number, line in enumerate(text.lstrip("\ufeff").splitlines(), 1)
             if line.strip()]
    if not lines:
        raise PlaygroundError(f"The CSV is empty: paste {_EXAMPLE}.")
    separator = next((s for s in (",", ";", "\t") if s in lines[0][1]), None)
    rows = [(number, [cell.strip().strip('"').strip() for cell in line.split(separator)])
            for number, line in lines]
    if not _NUMBER.fullmatch(rows[0][1][0]):
        rows = rows[1:]  # a header
    if not rows:
        raise PlaygroundError(f"The CSV has a header but no data: add {_EXAMPLE}.")
    check_limit("The number of points in the CSV", len(rows), MAX_OWN_POINTS)
    first, width = rows[0][0], len(rows[0][1])
    if width not in (2, 3):
        raise PlaygroundError(f"Line {first} has {width} values; each row needs 2 (x, y: "
                              "regression) or 3 (x1, x2, class: classification).")
    for number, cells in rows:
        if len(cells) != width:
            raise PlaygroundError(f"Line {number} has {len(cells)} values but line {first} has "
                                  f"{width}: every row needs the same number of values.")
    points = np.array([[_coordinate(cell, number, column)
                        for column, cell in enumerate(cells[:2], 1)] for number, cells in rows])
    if width == 2:
        return _dataset(points, None, 0, "csv"), ()
    labels = [_label(cells[2], number) for number, cells in rows]
    classes = sorted(set(labels), key=lambda label: (isinstance(label, str), label))
    check_limit("The number of classes in the CSV", len(classes), MAX_OWN_CLASSES)
    if len(classes) < 2:
        raise PlaygroundError(f"Every row has class {classes[0]}: a classifier needs at least "
                              "two classes.")
    index = {label: i for i, label in enumerate(classes)}
    y = np.array([index[label] for label in labels])
    return _dataset(points, y, len(classes), "csv"), tuple(map(str, classes))


def _coordinate(cell: str, line: int, column: int) -> float:
    if not _NUMBER.fullmatch(cell):
        shown = repr(cell[:20]) if cell else "an empty cell"
        raise PlaygroundError(f"Line {line}, column {column}: {shown} is not a number.")
    value = float(cell)
    if not abs(value) <= MAX_ABS_COORD:
        raise PlaygroundError(f"Line {line}, column {column}: {cell[:20]} is outside "
                              f"±{MAX_ABS_COORD:,}, the cap on this public instance.")
    return value


def _label(cell: str, line: int) -> int | str:
    """A class label: a whole number, or any other text (a word)."""
    if not cell:
        raise PlaygroundError(f"Line {line}, column 3: the class is empty.")
    if not _NUMBER.fullmatch(cell):
        return cell[:40]
    value = float(cell)
    if value != int(value):
        raise PlaygroundError(f"Line {line}, column 3: the class {cell[:20]} is not a whole "
                              "number; a class is a whole number or a word.")
    return int(value)


def to_csv(dataset: Dataset) -> str:
    """The dataset as CSV text with a header, every number written exactly (from_csv reads it
    back to the same arrays; classes are written as their numbers 0, 1, ...)."""
    points = plot_points(dataset)
    if dataset.task == "classification":
        rows = [f"{a!r},{b!r},{c}" for (a, b), c in zip(points.tolist(), dataset.y.tolist())]
        return "\n".join(["x1,x2,class", *rows]) + "\n"
    return "\n".join(["x,y", *(f"{a!r},{b!r}" for a, b in points.tolist())]) + "\n"


# ---- drawing -------------------------------------------------------------------------------
def add_point(dataset: Dataset, x: float, y: float, cls: int = 0) -> Dataset:
    """The dataset with the point (x, y) added (of class `cls` for classification)."""
    check_limit("The number of drawn points", len(dataset) + 1, MAX_LINK_POINTS)
    point = [[_plot_coordinate("x", x), _plot_coordinate("y", y)]]
    points = np.concatenate([plot_points(dataset), point])
    if dataset.task == "regression":
        return _dataset(points, None, 0, dataset.name)
    if isinstance(cls, bool) or not isinstance(cls, Integral) or not 0 <= cls < MAX_OWN_CLASSES:
        raise PlaygroundError(f"The class must be a whole number from 0 to {MAX_OWN_CLASSES - 1}, "
                              f"got {cls!r}.")
    return _dataset(points, np.append(dataset.y, int(cls)), max(dataset.n_classes, int(cls) + 1),
                    dataset.name)


def remove_nearest(dataset: Dataset, x: float, y: float) -> Dataset:
    """The dataset without its point nearest to (x, y) (plot coordinates); unchanged if empty."""
    if not len(dataset):
        return dataset
    points = plot_points(dataset)
    keep = np.arange(len(dataset)) != np.argmin(np.hypot(*(points - [x, y]).T))
    labels = dataset.y[keep] if dataset.task == "classification" else None
    return _dataset(points[keep], labels, dataset.n_classes, dataset.name)


def canvas_range(dataset: Dataset, at_least: tuple[float, float] | None = DRAW_VIEW
                 ) -> tuple[tuple[float, float], tuple[float, float]]:
    """The (x, y) ranges that show every point with a margin, and at least `at_least` on both
    axes (so a canvas does not jump when its first points are drawn)."""
    ranges = []
    for column in plot_points(dataset).T:
        values = np.concatenate([column, at_least or ()])
        low, high = (values.min(), values.max()) if len(values) else (-1.0, 1.0)
        pad = 0.05 * (high - low) or 1.0
        ranges.append((low - pad, high + pad))
    return ranges[0], ranges[1]


def _plot_coordinate(what: str, value) -> float:
    if isinstance(value, bool) or not isinstance(value, Real) or not abs(value) <= MAX_ABS_COORD:
        raise PlaygroundError(f"A point's {what} must be a number within ±{MAX_ABS_COORD:,}, "
                              f"got {value!r}.")
    return float(value)


# ---- formula -------------------------------------------------------------------------------
def formula_dataset(f: str, n: int = 200, noise: float = 0.1, seed: int = 0) -> Dataset:
    """n points uniform on FORMULA_DOMAIN², class 1 where x2 > f(x1), then Gaussian jitter of
    standard deviation `noise` (labels come from the clean points, as in engine.data).

    f is a program of the expression language whose only input is x (see formula_curve); raise
    ExprError / PlaygroundError for anything else, or if f is not finite at a point.
    """
    n = _whole("The number of points", n, MIN_SAMPLES, MAX_OWN_POINTS)
    seed = _whole("The seed", seed, 0, MAX_SEED)
    if isinstance(noise, bool) or not isinstance(noise, Real) or not 0 <= noise <= MAX_NOISE:
        raise PlaygroundError(f"The noise must be a number from 0 to {MAX_NOISE:g}, got {noise!r}.")
    rng = np.random.default_rng(seed)
    X = rng.uniform(*FORMULA_DOMAIN, size=(n, 2))
    fx = formula_curve(f, X[:, 0])
    if not np.isfinite(fx).all():
        where = X[np.argmin(np.isfinite(fx)), 0]
        raise PlaygroundError(f"f(x) is not a finite number at x = {where:.3g}; use a formula "
                              f"defined for every x from {FORMULA_DOMAIN[0]:g} to "
                              f"{FORMULA_DOMAIN[1]:g}.")
    y = (X[:, 1] > fx).astype(np.int64)
    if noise:
        X = X + rng.normal(0.0, noise, size=X.shape)
    dataset = _dataset(X, y, 2, "formula")
    check_trainable(dataset)
    return dataset


def formula_curve(f: str, xs: np.ndarray) -> np.ndarray:
    """f(x) at every x of `xs` at once (nan or inf where f is not defined); f is a program of
    the expression language whose only input is x. ExprError / PlaygroundError otherwise."""
    program = parse(f)
    others = [name for name in program.free_names if name != "x"]
    if others:
        raise PlaygroundError(f"f(x) can use only the name x, but it uses {others[0]} (which "
                              "has no value here). Example: 0.5 * x**2 - 1.")
    with np.errstate(all="ignore"):
        fx = build(program, {"x": InputSpec(xs, parameter=False)}).output.data
    if fx.shape not in ((), xs.shape):
        raise PlaygroundError(f"f(x) must give one number for each x; it gives shape "
                              f"{format_shape(fx.shape)}.")
    return np.broadcast_to(fx, xs.shape)


def formula_line(f: str, points: int = 201) -> tuple[np.ndarray, np.ndarray]:
    """(x, f(x)) at `points` evenly spaced x over FORMULA_DOMAIN: the curve to draw."""
    xs = np.linspace(*FORMULA_DOMAIN, points)
    return xs, formula_curve(f, xs)


def _whole(what: str, value, low: int, high: int) -> int:
    if isinstance(value, bool) or not isinstance(value, Integral) or not low <= value <= high:
        raise PlaygroundError(f"{what} must be a whole number from {low:,} to {high:,}, "
                              f"got {value!r}.")
    return int(value)


# ---- share links ---------------------------------------------------------------------------
_VERSION = 1
_HEADER = struct.Struct(">BBBH")  # version, task (0 classification, 1 regression), classes, n
_COLUMN = struct.Struct(">bq")  # grid exponent e, grid index of the column's first grid point
_CODE = np.dtype(">u2")
_UNREADABLE = ("The data in this link cannot be read (the link may have been cut off or "
               "edited); choose your data again.")


def to_link(dataset: Dataset) -> str:
    """The dataset as URL-safe text (see the module doc for its precision); raise LimitError
    above MAX_LINK_POINTS points."""
    check_limit("The number of points in a share link", len(dataset), MAX_LINK_POINTS)
    task = 0 if dataset.task == "classification" else 1
    parts = [_HEADER.pack(_VERSION, task, dataset.n_classes, len(dataset))]
    for column in plot_points(dataset).T:
        exponent, first, codes = _grid(column)
        parts += [_COLUMN.pack(exponent, first), codes.astype(_CODE).tobytes()]
    if task == 0:
        parts.append(dataset.y.astype(np.uint8).tobytes())
    return base64.urlsafe_b64encode(zlib.compress(b"".join(parts), 9)).decode().rstrip("=")


def _grid(column: np.ndarray) -> tuple[int, int, np.ndarray]:
    """(e, first, codes): column ≈ (first + codes) · 2**e, codes in [0, 65535]."""
    low, high = (column.min(), column.max()) if len(column) else (0.0, 0.0)
    exponent = math.ceil(math.log2(max(high - low, _MIN_SPAN) / 65534))
    first = math.floor(math.ldexp(low, -exponent))
    return exponent, first, np.rint(np.ldexp(column, -exponent) - first)


def from_link(text: str, name: str = "link") -> Dataset:
    """The dataset to_link wrote; PlaygroundError if the text is not one."""
    try:
        stream = zlib.decompressobj()
        raw = stream.decompress(base64.urlsafe_b64decode(text + "=" * (-len(text) % 4)), 4096)
        if not stream.eof or stream.unused_data:
            raise ValueError("not one whole zlib stream")
        version, task, n_classes, n = _HEADER.unpack_from(raw)
        offset = _HEADER.size
        columns = []
        for _ in range(2):
            exponent, first = _COLUMN.unpack_from(raw, offset)
            offset += _COLUMN.size
            codes = np.frombuffer(raw, _CODE, n, offset)
            offset += codes.nbytes
            columns.append(np.ldexp(first + codes.astype(np.float64), exponent))
        labels = np.frombuffer(raw, np.uint8, n, offset) if task == 0 else None
        offset += n if task == 0 else 0
    except (ValueError, TypeError, struct.error, zlib.error, binascii.Error):
        raise PlaygroundError(_UNREADABLE) from None
    if (version != _VERSION or task not in (0, 1) or offset != len(raw) or n > MAX_LINK_POINTS
            or (task == 0 and not (labels < n_classes).all())
            or n_classes > MAX_OWN_CLASSES or (task == 1 and n_classes)
            or not all(np.abs(c).max(initial=0) <= 2 * MAX_ABS_COORD for c in columns)):
        raise PlaygroundError(_UNREADABLE)
    return _dataset(np.column_stack(columns), labels, n_classes, name)


def on_link_grid(dataset: Dataset) -> Dataset:
    """The dataset a share link gives back (coordinates on the link's grid, same name)."""
    return from_link(to_link(dataset), dataset.name)
