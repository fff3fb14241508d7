"""The functions of the expression language, read from the engine's op table (engine.ops.OPS).

Every op name and alias is a function (`exp(x)`, `dot(a, b)`, `pow(x, 2)` ...), taking
`op.arity` tensor arguments, then its attributes:

- `axis=` (a whole number) and `keepdims=` (True/False) as keywords: sum(x, axis=0, keepdims=True);
- `shape` / `axes` as whole numbers after the tensors: reshape(x, 2, 3), transpose(x, 1, 0).

An op with any other attribute has an argument that cannot be typed, so it is not a function:
that leaves out dropout, whose `mask` is random data (the Dropout page shows it).
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass

from engine.errors import ExprError
from engine.expr.parser import Call, Keyword, Node, Number, whole_number
from engine.ops import OPS, Op

KEYWORD_ATTRS = {"axis": int, "keepdims": bool}
TUPLE_ATTRS = ("shape", "axes")


def _typable(op: Op) -> bool:
    return all(attr in KEYWORD_ATTRS or attr in TUPLE_ATTRS for attr in op.attrs)


FUNCTIONS: dict[str, Op] = {
    name: op for op in OPS.values() if _typable(op) for name in (op.name, *op.aliases)
}
UNTYPABLE = tuple(op.name for op in OPS.values() if not _typable(op))


@dataclass(frozen=True)
class BoundCall:
    """A checked call: the op, its tensor arguments and its attributes."""

    op: Op
    args: tuple[Node, ...]
    attrs: dict


def bind_call(call: Call) -> BoundCall:
    """Check a call against the op table; raise ExprError at the offending argument."""
    op = FUNCTIONS.get(call.function)
    if op is None:
        raise ExprError(unknown_function(call.function), call.line, call.column)
    if len(call.args) < op.arity:
        raise ExprError(f"{call.function} takes {_arguments(op.arity)}, "
                        f"got {len(call.args)}", call.line, call.column)
    tuple_attr = next((a for a in op.attrs if a in TUPLE_ATTRS), None)
    extra = call.args[op.arity:]
    attrs: dict = {}
    if extra:
        if tuple_attr is None:
            axis = extra[0].text if isinstance(extra[0], Number) else "0"
            hint = f" (write axis={axis})" if "axis" in op.attrs else ""
            raise ExprError(f"{call.function} takes {_arguments(op.arity)}, got {len(call.args)}"
                            + hint, extra[0].line, extra[0].column)
        numbers = [whole_number(arg) for arg in extra]
        bad = next((arg for arg, n in zip(extra, numbers) if n is None), None)
        if bad is not None:
            raise ExprError(f"after the tensor, {call.function} takes whole numbers (its "
                            f"{tuple_attr}), as in {call.function}(x, 1, 0)", bad.line, bad.column)
        attrs[tuple_attr] = tuple(numbers)
    elif tuple_attr == "axes":
        attrs["axes"] = None  # transpose(x): reverse the axes, as x.T does
    elif tuple_attr == "shape":
        raise ExprError(f"{call.function} needs the new shape, as in {call.function}(x, 2, 3)",
                        call.line, call.column)
    for kw in call.keywords:
        attrs[kw.name] = _keyword_value(call.function, op, kw)
    return BoundCall(op, call.args[:op.arity], attrs)


def unknown_function(name: str) -> str:
    """'unknown function sigmoyd: did you mean sigmoid?' (or the list of functions)."""
    if name in UNTYPABLE:
        return f"{name} is not available in expressions: one of its arguments cannot be typed"
    close = difflib.get_close_matches(name.lower(), FUNCTIONS, n=1)
    if close:
        return f"unknown function {name}: did you mean {close[0]}?"
    return f"unknown function {name}; the functions are {', '.join(sorted(FUNCTIONS))}"


def _keyword_value(function: str, op: Op, kw: Keyword):
    keywords = [a for a in op.attrs if a in KEYWORD_ATTRS]
    if kw.name not in keywords:
        close = difflib.get_close_matches(kw.name, keywords, n=1)
        hint = (f"did you mean {close[0]}=?" if close
                else f"it takes {', '.join(k + '=' for k in keywords)}" if keywords
                else "it takes no keyword arguments")
        raise ExprError(f"{function} has no keyword {kw.name}: {hint}", kw.line, kw.column)
    kind = KEYWORD_ATTRS[kw.name]
    if type(kw.value) is not kind:
        wanted = "True or False" if kind is bool else "a whole number"
        raise ExprError(f"{kw.name}= takes {wanted}", kw.line, kw.column)
    return kw.value


def _arguments(n: int) -> str:
    return "1 tensor argument" if n == 1 else f"{n} tensor arguments"
