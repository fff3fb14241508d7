"""The functions of the expression language, read from the engine's op table (engine.ops.OPS).

Every op name and alias is a function (`exp(x)`, `dot(a, b)`, `pow(x, 2)` ...), taking
`op.arity` tensor arguments (concat and stack: 1 to MAX_OPERANDS), then its attributes, typed as
the op's entry says (Op.attrs):

- as keywords: sum(x, axis=0, keepdims=True), leaky_relu(x, negative_slope=0.2),
  gelu(x, approximate=tanh) (a name from the entry's choices);
- the op's positional attributes as numbers after the tensors: clamp(x, 0, 1), and a tuple
  attribute as whole numbers: reshape(x, 2, 3), transpose(x, 1, 0).

An op with an attribute that cannot be typed is not a function: dropout (its `mask` is random
data; the Dropout page shows it) and getitem (written x[i]).
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass

from engine.errors import ExprError
from engine.expr.parser import RANGE, Call, Keyword, Node, Number, whole_number
from engine.limits import MAX_OPERANDS
from engine.ops import OPS, Op


def _typable(op: Op) -> bool:
    return all(kind is not None for kind in op.attrs.values())


FUNCTIONS: dict[str, Op] = {
    name: op for op in OPS.values() if _typable(op) for name in (op.name, *op.aliases)
}
UNTYPABLE = {op.name: op for op in OPS.values() if not _typable(op)}


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
    tensors = len(call.args) if op.variadic else op.arity
    if len(call.args) < op.arity:
        raise ExprError(f"{call.function} takes {_arguments(op)}, got {len(call.args)}",
                        call.line, call.column)
    if tensors > MAX_OPERANDS:
        extra = call.args[MAX_OPERANDS]
        raise ExprError(f"{call.function} joins at most {MAX_OPERANDS} tensors, the cap on this "
                        "public instance", extra.line, extra.column)
    attrs = _positional_attrs(call, op, call.args[tensors:])
    for kw in call.keywords:
        if kw.name in attrs:
            raise ExprError(f"{kw.name} is given twice", kw.line, kw.column)
        attrs[kw.name] = _keyword_value(call.function, op, kw)
    missing = next((a for a, kind in op.attrs.items() if kind is tuple
                    and a not in attrs and a not in op.defaults), None)
    if missing is not None:
        raise ExprError(f"{call.function} needs the new {missing}, as in {op.help}",
                        call.line, call.column)
    return BoundCall(op, call.args[:tensors], attrs)


def _positional_attrs(call: Call, op: Op, extra: tuple[Node, ...]) -> dict:
    """The attributes given as numbers after the tensors (Op.positional)."""
    if not extra:
        return {}
    if not op.positional:
        axis = extra[0].text if isinstance(extra[0], Number) else "0"
        hint = f" (write axis={axis})" if "axis" in op.attrs else ""
        raise ExprError(f"{call.function} takes {_arguments(op)}, got {len(call.args)}" + hint,
                        extra[0].line, extra[0].column)
    first = op.positional[0]
    if op.attrs[first] is tuple:
        numbers = [whole_number(arg) for arg in extra]
        bad = next((arg for arg, n in zip(extra, numbers) if n is None), None)
        if bad is not None:
            raise ExprError(f"after the tensor, {call.function} takes whole numbers (its "
                            f"{first}), as in {op.help}", bad.line, bad.column)
        return {first: tuple(numbers)}
    if len(extra) > len(op.positional):
        surplus = extra[len(op.positional)]
        numbers = "1 number" if len(op.positional) == 1 else f"{len(op.positional)} numbers"
        raise ExprError(f"{call.function} takes {_arguments(op)} and at most {numbers} "
                        f"({', '.join(op.positional)}), as in {op.help}",
                        surplus.line, surplus.column)
    attrs = {}
    for name, arg in zip(op.positional, extra):
        if not isinstance(arg, Number):
            raise ExprError(f"after the tensor, {call.function} takes numbers (its "
                            f"{', '.join(op.positional)}), as in {op.help}", arg.line, arg.column)
        kind = op.attrs[name]
        value = whole_number(arg) if kind is not float and arg.is_whole else arg.value
        attrs[name] = _checked(kind, value, name, arg.line, arg.column)
    return attrs


def unknown_function(name: str) -> str:
    """'unknown function sigmoyd: did you mean sigmoid?' (or the list of functions)."""
    if name == RANGE:
        return f"{RANGE}(n) is a list of indices: write it in a subscript, as in P[{RANGE}(4), y]"
    if name in UNTYPABLE:
        return (f"{name} is not available in expressions: write {UNTYPABLE[name].help}"
                if UNTYPABLE[name].notation else
                f"{name} is not available in expressions: one of its arguments cannot be typed")
    close = difflib.get_close_matches(name.lower(), FUNCTIONS, n=1)
    if close:
        return f"unknown function {name}: did you mean {close[0]}?"
    return f"unknown function {name}; the functions are {', '.join(sorted(FUNCTIONS))}"


def _keyword_value(function: str, op: Op, kw: Keyword):
    keywords = [a for a, kind in op.attrs.items() if kind is not tuple]
    if kw.name not in keywords:
        close = difflib.get_close_matches(kw.name, keywords, n=1)
        hint = (f"did you mean {close[0]}=?" if close
                else f"it takes {', '.join(k + '=' for k in keywords)}" if keywords
                else "it takes no keyword arguments")
        raise ExprError(f"{function} has no keyword {kw.name}: {hint}", kw.line, kw.column)
    return _checked(op.attrs[kw.name], kw.value, kw.name, kw.value_line, kw.value_column)


def _checked(kind, value, name: str, line: int, column: int):
    """`value` if it is of the attribute's kind (an int is a float too), else ExprError."""
    if isinstance(kind, tuple):
        if value in kind:
            return value
        wanted = " or ".join(kind)
    elif kind is float and type(value) in (int, float):
        return float(value)
    elif type(value) is kind:
        return value
    else:
        wanted = {bool: "True or False", int: "a whole number", float: "a number"}[kind]
    raise ExprError(f"{name}= takes {wanted}", line, column)


def _arguments(op: Op) -> str:
    if op.variadic:
        return f"1 to {MAX_OPERANDS} tensor arguments"
    return "1 tensor argument" if op.arity == 1 else f"{op.arity} tensor arguments"
