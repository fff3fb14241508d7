"""Values of a program's inputs: specs such as "2.5", "[[1, 2], [3, 4]]" or "randn(3, 2)".

A spec string is read by the same tokenizer and parser as programs (never evaluated as Python)
and may be a number (with a minus sign), a list literal, or one constructor call with whole-number
arguments: randn(3, 2) (standard normal), rand(3) (uniform on [0, 1)), zeros(3), ones(2, 2),
arange(4) (0, 1, 2, 3) or eye(3) (identity). Sizes are checked against MAX_TENSOR_ELEMENTS before
anything is allocated. A Python number or (nested) list is accepted as well.

Random values come from a generator seeded by the seed and the input's name, so an input keeps its
values when the program or the other inputs change.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from engine.errors import ExprError
from engine.expr.parser import Array, Call, Node, Number, Parser, whole_number
from engine.limits import MAX_SOURCE_CHARS, MAX_TENSOR_ELEMENTS
from engine.ops import format_shape

Spec = str | float | int | list


@dataclass(frozen=True)
class InputSpec:
    """An input's value spec and whether it is a parameter (gets a gradient) or a constant."""

    value: Spec
    parameter: bool = True


# name -> (fill(rng, shape) or None, exact number of arguments or None for any)
CONSTRUCTORS: dict[str, tuple[Callable, int | None]] = {
    "randn": (lambda rng, shape: rng.standard_normal(shape), None),
    "rand": (lambda rng, shape: rng.random(shape), None),
    "zeros": (lambda rng, shape: np.zeros(shape), None),
    "ones": (lambda rng, shape: np.ones(shape), None),
    "arange": (lambda rng, shape: np.arange(shape[0], dtype=np.float64), 1),
    "eye": (lambda rng, shape: np.eye(shape[0]), 1),
}

# Scalars broadcast against any shape, distinct values make each partial derivative visible
# (∂(x·y)/∂x = y = 3 names y's value, not 1), and positive values keep log and sqrt defined.
DEFAULT_VALUES = ("2.0", "3.0", "0.5", "1.5", "2.5", "1.0")


def default_spec(position: int) -> InputSpec:
    """The spec of the `position`-th free name (0-based) when none is given: a parameter with
    the scalar 2.0, 3.0, 0.5, 1.5, 2.5, 1.0, then again from 2.0."""
    return InputSpec(DEFAULT_VALUES[position % len(DEFAULT_VALUES)])


def as_input_spec(spec: InputSpec | Spec) -> InputSpec:
    """An InputSpec; a bare string, number or list means a parameter with that value."""
    return spec if isinstance(spec, InputSpec) else InputSpec(spec)


def input_value(name: str, spec: Spec, seed: int = 0) -> np.ndarray:
    """The float64 array a spec describes; ExprError ("value of W: ...") if it is not valid.

    The error's line and column point into the spec string.
    """
    if not isinstance(spec, str):
        return _from_python(name, spec)
    try:
        if len(spec) > MAX_SOURCE_CHARS:
            raise ExprError(f"{len(spec):,} characters, above the cap of {MAX_SOURCE_CHARS:,} "
                            "on this public instance")
        return _from_tree(Parser(spec).single_expression(), name, seed)
    except ExprError as err:
        raise ExprError(f"value of {name}: {err.message}", err.line, err.column) from None


def _from_tree(node: Node, name: str, seed: int) -> np.ndarray:
    if isinstance(node, Number):
        return np.array(node.value)
    if isinstance(node, Array):
        return np.array(node.value, dtype=np.float64).reshape(node.shape)
    if isinstance(node, Call) and node.function in CONSTRUCTORS:
        return _construct(node, name, seed)
    raise ExprError("a value is a number, a list such as [[1, 2], [3, 4]], or one of "
                    + ", ".join(f"{c}(…)" for c in CONSTRUCTORS), node.line, node.column)


def _construct(call: Call, name: str, seed: int) -> np.ndarray:
    fill, arity = CONSTRUCTORS[call.function]
    if call.keywords:
        kw = call.keywords[0]
        raise ExprError(f"{call.function} takes no keyword arguments", kw.line, kw.column)
    if arity is not None and len(call.args) != arity:
        raise ExprError(f"{call.function} takes {arity} whole number, got {len(call.args)}",
                        call.line, call.column)
    shape = []
    for arg in call.args:
        n = whole_number(arg)
        if n is None or n < 0:
            raise ExprError(f"the sizes given to {call.function} are whole numbers ≥ 0",
                            arg.line, arg.column)
        shape.append(n)
    elements = math.prod(shape) * (shape[0] if call.function == "eye" else 1)
    if elements > MAX_TENSOR_ELEMENTS:
        raise ExprError(f"{call.function} would make {elements:,} elements, above the cap of "
                        f"{MAX_TENSOR_ELEMENTS:,} on this public instance", call.line, call.column)
    rng = np.random.default_rng([seed, *name.encode()])
    try:
        return np.asarray(fill(rng, tuple(shape)), dtype=np.float64)
    except ValueError as err:  # e.g. more dimensions than NumPy supports
        raise ExprError(f"{call.function}: {err}", call.line, call.column) from None


def _from_python(name: str, spec) -> np.ndarray:
    try:
        value = np.array(spec, dtype=np.float64)
    except (ValueError, TypeError, OverflowError):  # OverflowError: an int beyond float64
        raise ExprError(f"value of {name}: not a number (of float64's range) or a list of "
                        f"numbers with rows of equal length: {spec!r:.60}") from None
    if value.size > MAX_TENSOR_ELEMENTS:
        raise ExprError(f"value of {name}: {format_shape(value.shape)} has {value.size:,} "
                        f"elements, above the cap of {MAX_TENSOR_ELEMENTS:,}")
    return value
