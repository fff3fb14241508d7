"""Hypothesis strategies for whole programs of the expression language and for their inputs.

    from tests.strategies import NAMES, expressions, input_specs, input_values, inputs, programs

- programs(): the source of a valid-ish program (all parse but for a few attribute arguments;
  about half build): one to five statements that assign, re-assign (`c = ...`, `c += ...`) and
  read the names in NAMES (or make them parameters: `a = Value(-4.0)`), with every infix
  operator, unary minus, .T, method calls (x.relu()), subscripts (x[1], W[:, -1], x[0:2],
  W[[0, 2], 1], x[c]), number and list literals (matrices, [] ...) and calls of every function
  of the language (engine.expr.FUNCTIONS, read from the op table: a new op is drawn as soon as
  it exists) with every attribute its entry lists, typed as the entry says.
- input_values(): one input's value: a spec string ("2.5", "[[1, 2], [3, 4]]", "randn(3, 3)",
  "zeros(0)", "-1e308" ...) or a Python number or nested list (nan, inf, 1e-308, 10**400,
  [2.0] ...).
  Shapes come from SHAPES, whose sizes broadcast and multiply with each other often enough for
  programs to get past the shape checks and reach the backward pass.
- input_specs(): an InputSpec: a value, as a parameter (mostly) or as a constant.
- inputs(): an InputSpec for every name in NAMES (build ignores the names a program never reads).
"""

from __future__ import annotations

import math
import re

from hypothesis import strategies as st

from engine.expr import CONSTRUCTORS, FUNCTIONS, InputSpec
from engine.expr.builder import BINARY_OPS
from engine.expr.lexer import AUGMENTED

NAMES = ("x", "y", "W", "c")
SHAPES = ((), (1,), (3,), (0,), (1, 1), (1, 3), (3, 1), (2, 3), (3, 2), (3, 3), (0, 3), (3, 0),
          (2, 1, 3))
NUMBER_TEXTS = ("2", "0", "1", "-1", "0.5", "2.5", "-3", "1e-3", ".5", "100000", "1e308",
                "-1e308", "1e-308", "5e-324", "1e400")
SPECIAL_FLOATS = (math.nan, math.inf, -math.inf, 1e308, -1e308, 1e-308, 5e-324, 0.0, -0.0)
AXES = (-1, 0, 1, -2, 2, -3)  # valid for most drawn values, and some that are not

# Kinds of expression node, repeated to weight them (sampled_from shrinks to the first).
LEAF_KINDS = ("name",) * 4 + ("number", "list")
NODE_KINDS = LEAF_KINDS + ("call",) * 4 + ("binary",) * 3 + ("neg", ".T", "method", "index")
# A subscript's entries: whole numbers, slices, lists of indices and names (values: indices);
# mostly ones that fit most drawn values, so that many programs build
INDEX_ENTRIES = (":", "0", "-1") * 4 + ("1", "2", "5", "0:2", "1:", "::2", ":-1", "[0, 0]",
                                        "[-1]", "[]", "range(2)", "c", "x")
# x.relu(): the functions that take one tensor and nothing that must be typed after it
METHODS = sorted(name for name, op in FUNCTIONS.items()
                 if op.arity == 1 and "shape" not in op.attrs)


# ---- values -------------------------------------------------------------------------------------
def _numbers():
    """Python numbers: floats (finite, huge, tiny, inf, nan) and ints (beyond float64 too)."""
    return st.one_of(st.floats(-10, 10), st.sampled_from(SPECIAL_FLOATS), st.floats(),
                     st.integers(-3, 3), st.sampled_from((10**400, -(10**400))))


def _number_texts():
    """Numbers as the lexer reads them: NUMBER_TEXTS, or the repr of a finite float."""
    finite = st.one_of(st.floats(-10, 10), st.floats(allow_nan=False, allow_infinity=False))
    return st.one_of(st.sampled_from(NUMBER_TEXTS), finite.map(repr))


def _shapes(min_dims: int = 0):
    return st.sampled_from([shape for shape in SHAPES if len(shape) >= min_dims])


def _nested(shape: tuple[int, ...], leaf):
    """A nested list of the given shape with entries drawn from `leaf`."""
    if not shape:
        return leaf
    return st.lists(_nested(shape[1:], leaf), min_size=shape[0], max_size=shape[0])


def _list_literals():
    """List literals as text: [2.5], [[1, 2], [3, 4]], [] ..."""
    return _shapes(min_dims=1).flatmap(lambda shape: _nested(shape, _number_texts())).map(
        lambda values: repr(values).replace("'", ""))


def _constructor_calls():
    """randn(3, 3), zeros(0), eye(3) ...: every constructor, with as many sizes as it takes."""
    def call(name: str, shape: tuple[int, ...]) -> str:
        arity = CONSTRUCTORS[name][1]
        sizes = shape if arity is None else (shape + (3,) * arity)[:arity]
        return f"{name}({', '.join(map(str, sizes))})"

    return st.builds(call, st.sampled_from(sorted(CONSTRUCTORS)), _shapes())


def input_values():
    """One input's value: a spec string or a Python number / nested list of numbers."""
    python_values = _shapes().flatmap(lambda shape: _nested(shape, _numbers()))
    return st.one_of(_constructor_calls(), _list_literals(), _number_texts(), python_values)


def input_specs():
    return st.builds(InputSpec, input_values(), st.sampled_from((True, True, False)))


def inputs():
    """An InputSpec for every name in NAMES."""
    return st.fixed_dictionaries({name: input_specs() for name in NAMES})


# ---- programs -----------------------------------------------------------------------------------
def _attribute_arguments(op):
    """Texts after a call's tensor arguments: its tuple attribute's numbers, then keywords of
    every other attribute, each of the kind the op's entry gives it (or absent)."""
    parts = []
    for attr, kind in op.attrs.items():
        if attr == "shape":
            parts.append(st.lists(st.sampled_from((3, -1, 1, 2, 0, 9)), min_size=1, max_size=3))
        elif kind is tuple:  # axes: mostly a permutation, some axes counted from the end
            permutations = st.integers(1, 3).flatmap(lambda n: st.permutations(range(n)).flatmap(
                lambda axes, n=n: st.tuples(*[st.sampled_from((a, a - n)) for a in axes])))
            parts.append(st.one_of(permutations, st.lists(st.sampled_from(AXES), max_size=3)))
        else:
            values = {int: st.sampled_from(AXES), bool: st.booleans(), float: _number_texts()}
            drawn = values[kind] if kind in values else st.sampled_from(kind + ("other",))
            parts.append(st.lists(drawn.map(f"{attr}={{}}".format), max_size=1))
    return st.tuples(*parts).map(lambda lists: [str(item) for part in lists for item in part])


def _operand(text: str) -> str:
    """`text` as an operand of an operator or of .T: parenthesised unless it is a name."""
    return text if re.fullmatch(r"[^\W\d]\w*", text) else f"({text})"


@st.composite
def expressions(draw, depth: int = 3) -> str:
    """One expression over NAMES, nested at most `depth` operations deep."""
    kind = draw(st.sampled_from(NODE_KINDS if depth > 0 else LEAF_KINDS))
    if kind == "name":
        return draw(st.sampled_from(NAMES))
    if kind == "number":
        return draw(_number_texts())
    if kind == "list":
        return draw(_list_literals())
    if kind == "call":
        name = draw(st.sampled_from(sorted(FUNCTIONS)))
        op = FUNCTIONS[name]
        tensors = draw(st.integers(1, 3)) if op.variadic else op.arity
        args = [draw(expressions(depth - 1)) for _ in range(tensors)]
        return f"{name}({', '.join(args + draw(_attribute_arguments(op)))})"
    operand = _operand(draw(expressions(depth - 1)))
    if kind == "neg":
        return f"-{operand}"
    if kind == ".T":
        return f"{operand}.T"
    if kind == "method":
        return f"{operand}.{draw(st.sampled_from(METHODS))}()"
    if kind == "index":
        entries = draw(st.lists(st.sampled_from(INDEX_ENTRIES), min_size=1, max_size=2))
        return f"{operand}[{', '.join(entries)}]"
    symbol = draw(st.sampled_from(sorted(BINARY_OPS)))
    return f"{operand} {symbol} {_operand(draw(expressions(depth - 1)))}"


def _statements():
    assignments = st.builds("{} {} {}".format, st.sampled_from(NAMES),
                            st.sampled_from(("=",) * len(AUGMENTED) + AUGMENTED), expressions())
    values = st.builds("{} = Value({})".format, st.sampled_from(NAMES), _number_texts())
    return st.one_of(assignments, expressions(), values)


def programs(max_statements: int = 5):
    """A program: statements separated by newlines or `;`; the last one is its output."""
    return st.builds(lambda statements, separator: separator.join(statements),
                     st.lists(_statements(), min_size=1, max_size=max_statements),
                     st.sampled_from(("\n", "; ")))
