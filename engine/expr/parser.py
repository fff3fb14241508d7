"""Syntax trees of the expression language and a precedence-climbing parser that builds them.

Precedence, loosest first, as in Python:

    + -            left-associative
    * / @          left-associative (@ binds like *)
    -x             unary minus
    **             right-associative; binds tighter than a unary minus on its left
                   (-x**2 = -(x**2)) and accepts one on its right (2**-1)
    f(...)  x.T  x.f()   calls of a name, transpose, method calls (x.relu() is relu(x)),
    x[...]               subscripts: x[2], x[-1], W[:, 1], X[0:2], P[[0, 1], y],
                         P[range(2), y]
    1  x  (...)  [1, 2]

A minus sign before a number is part of it: -3 is one constant, while -x is a negation node.

The parser keeps an explicit nesting depth (never a RecursionError: deeper than MAX_NESTING is an
ExprError) and counts the graph nodes the tree will make (every literal, operator, call and .T makes
one; the program adds one per input), so an oversized program stops at the token that crossed
MAX_GRAPH_NODES. Which functions exist is checked by the caller, not here. A subscript's entries
are whole numbers, slices of whole numbers (start:stop:step, step > 0 as in PyTorch) or expressions
whose values are the indices (a list such as [0, 1], range(2) for the same list, a name); a float
literal there is an ExprError at its position. (Token texts are unambiguous: an operator's text is
never a name's or a number's, so `peek().text == "("` suffices.)
"""

from __future__ import annotations

import keyword
from dataclasses import dataclass

from engine.errors import ExprError
from engine.expr.lexer import AUGMENTED, END, NAME, NEWLINE, NUMBER, Token, tokenize
from engine.limits import (
    MAX_GRAPH_NODES,
    MAX_NESTING,
    MAX_OPERANDS,
    MAX_STATEMENTS,
    MAX_TENSOR_ELEMENTS,
)
from engine.ops import format_shape

# Binary operators handled by precedence climbing (** is parsed separately: right-associative).
PRECEDENCE = {"+": 1, "-": 1, "*": 2, "/": 2, "@": 2}
BOOLEANS = {"True": True, "False": False}
RANGE = "range"  # range(n) in a subscript: the indices 0 … n−1, as in PyTorch's p[range(n), y]


@dataclass(frozen=True)
class Node:
    line: int
    column: int


@dataclass(frozen=True)
class Number(Node):
    value: float
    text: str

    @property
    def is_whole(self) -> bool:
        return not any(c in self.text for c in ".eE")


@dataclass(frozen=True)
class Array(Node):
    """A list literal such as [[1, 2], [3, 4]]: numbers only, rows of equal shape."""

    value: tuple  # nested tuples of floats
    shape: tuple[int, ...]


@dataclass(frozen=True)
class Name(Node):
    id: str


@dataclass(frozen=True)
class Negate(Node):
    operand: Node


@dataclass(frozen=True)
class BinOp(Node):
    op: str  # "+", "-", "*", "/", "**" or "@"
    left: Node
    right: Node


@dataclass(frozen=True)
class Transpose(Node):
    operand: Node


@dataclass(frozen=True)
class Subscript(Node):
    """x[...]: each entry of the index is a whole number, a slice, or an expression whose value
    holds the indices."""

    operand: Node
    index: tuple[int | slice | Node, ...]


@dataclass(frozen=True)
class Keyword:
    name: str
    value: int | float | bool | str  # a name (approximate=tanh) is its text
    line: int
    column: int
    value_line: int
    value_column: int


@dataclass(frozen=True)
class Call(Node):
    function: str
    args: tuple[Node, ...]
    keywords: tuple[Keyword, ...]


@dataclass(frozen=True)
class RawStatement:
    """One statement as written: `target = value`, `target op= value` or a bare `value`."""

    target: Name | None
    value: Node
    text: str  # its source text
    line: int
    column: int


def whole_number(node: Node) -> int | None:
    """The integer a literal such as 3 or -1 spells, or None if it is anything else."""
    if not (isinstance(node, Number) and node.is_whole):
        return None
    digits = node.text.lstrip("-").lstrip("0") or "0"
    if len(digits) > len(str(MAX_TENSOR_ELEMENTS)) or int(digits) > MAX_TENSOR_ELEMENTS:
        raise ExprError(
            f"{node.text} is larger than any size or axis can be "
            f"(at most {MAX_TENSOR_ELEMENTS:,})", node.line, node.column)
    return -int(digits) if node.text.startswith("-") else int(digits)


def _range_list(call: Call) -> Array:
    """The list literal [0, 1, …, n−1] that range(n) in a subscript stands for."""
    n = whole_number(call.args[0]) if len(call.args) == 1 and not call.keywords else None
    if n is None or n < 0:
        raise ExprError(f"{RANGE} takes one whole number ≥ 0, as in P[{RANGE}(4), y]",
                        call.line, call.column)
    return Array(call.line, call.column, tuple(float(i) for i in range(n)), (n,))


def _negative(number: Number, minus: Token) -> Number:
    return Number(minus.line, minus.column, -number.value, "-" + number.text)


def error_at(token: Token, message: str) -> ExprError:
    return ExprError(message, token.line, token.column)


class Parser:
    """Recursive descent with precedence climbing over the tokens of `source`."""

    def __init__(self, source: str):
        self.source = source
        self.stream = tokenize(source)
        self.tokens: list[Token] = []  # read so far
        self.i = 0
        self.depth = 0
        self.nodes = 0

    # ---- entry points -----------------------------------------------------------------------
    def statements(self):
        """Yield RawStatements until the end of the input (separators: newline or ;)."""
        count = 0
        while True:
            while self.peek().kind == NEWLINE or self.peek().text == ";":
                self.advance()
            if self.peek().kind == END:
                return
            count += 1
            if count > MAX_STATEMENTS:
                raise error_at(self.peek(), f"more than {MAX_STATEMENTS} statements, the cap on "
                                            "this public instance")
            yield self.statement()

    def single_expression(self) -> Node:
        """The whole input as one expression (an input's value such as randn(3, 2))."""
        value = self.expression()
        if self.peek().kind != END:
            raise self.unexpected("after a complete value")
        return value

    def count_node(self, line: int, column: int) -> None:
        """Count one more graph node; raise ExprError at (line, column) past MAX_GRAPH_NODES."""
        self.nodes += 1
        if self.nodes > MAX_GRAPH_NODES:
            raise ExprError(f"the graph would have more than {MAX_GRAPH_NODES} nodes, the cap on "
                            "this public instance", line, column)

    # ---- statements -------------------------------------------------------------------------
    def statement(self) -> RawStatement:
        first = self.peek()
        target = None
        if first.kind == NAME and (self.peek(1).text == "=" or self.peek(1).text in AUGMENTED):
            self.check_name(first)
            target = Name(first.line, first.column, first.text)
            self.advance()
            op = self.advance()
            value = self.expression()
            if op.text != "=":  # c += e  means  c = c + (e)
                value = self.make(BinOp, op, op=op.text[:-1], left=target, right=value)
        else:
            value = self.expression()
        end = self.peek()
        if end.kind not in (NEWLINE, END) and end.text != ";":
            if end.text == "=" or end.text in AUGMENTED:
                raise error_at(end, "only a name can be assigned to, one per statement "
                                    "(write name = expression)")
            raise self.unexpected("after a complete expression (one statement per line, or "
                                  "separate them with ;)")
        text = self.source[first.offset:self.tokens[self.i - 1].offset
                           + len(self.tokens[self.i - 1].text)]
        return RawStatement(target, value, text.strip(), first.line, first.column)

    # ---- expressions ------------------------------------------------------------------------
    def expression(self, min_precedence: int = 1) -> Node:
        self.enter()
        left = self.unary()
        while True:
            op = self.peek()
            precedence = PRECEDENCE.get(op.text)
            if precedence is None or precedence < min_precedence:
                break
            self.advance()
            right = self.expression(precedence + 1)
            left = self.make(BinOp, op, op=op.text, left=left, right=right)
        self.leave()
        return left

    def unary(self) -> Node:
        minus = self.peek()
        if minus.text != "-":
            return self.power()
        self.advance()
        self.enter()
        operand = self.unary()
        self.leave()
        if isinstance(operand, Number) and not operand.text.startswith("-"):
            return _negative(operand, minus)  # -3 is one constant, not neg(3)
        return self.make(Negate, minus, operand=operand)

    def power(self) -> Node:
        base = self.postfix()
        op = self.peek()
        if op.text != "**":
            return base
        self.advance()
        self.enter()
        exponent = self.unary()
        self.leave()
        return self.make(BinOp, op, op="**", left=base, right=exponent)

    def postfix(self) -> Node:
        value = self.primary()
        while self.peek().text in (".", "["):
            token = self.advance()
            if token.text == "[":
                value = self.subscript(value, token)
                continue
            attribute = self.peek()
            if attribute.kind != NAME:
                raise error_at(attribute, "expected T or a method call such as relu() after "
                                          f"'.', found {attribute.describe()}")
            if self.peek(1).text == "(":
                value = self.method_call(value)
                continue
            if attribute.text != "T":
                raise error_at(attribute, "only .T (transpose) and method calls such as "
                                          ".relu() are supported: attribute access is not")
            self.advance()
            value = self.make(Transpose, token, operand=value)
        return value

    def subscript(self, operand: Node, opening: Token) -> Subscript:
        """x[...] after its '[': entries separated by commas, then ']'."""
        self.enter()
        entries = []
        while True:
            if len(entries) == MAX_OPERANDS:
                raise error_at(self.peek(), f"more than {MAX_OPERANDS} indices in one subscript, "
                                            "the cap on this public instance")
            entries.append(self.index_entry())
            if self.peek().text != ",":
                break
            self.advance()
        self.expect("]", f"to close the '[' at line {opening.line}, column {opening.column}")
        self.leave()
        return self.make(Subscript, opening, operand=operand, index=tuple(entries))

    def index_entry(self) -> int | slice | Node:
        """One entry of a subscript: a whole number, a slice or an expression."""
        if self.peek().text in ("]", ","):
            raise self.unexpected("where an index was expected (a whole number, a slice such "
                                  "as 0:2, or a list of indices)")
        start = None if self.peek().text == ":" else self.expression()
        if self.peek().text != ":":
            if isinstance(start, Number):
                return self.whole_index(start, "an index must be a whole number")
            if isinstance(start, Call) and start.function == RANGE:
                return _range_list(start)
            return start
        bounds = [start]
        while self.peek().text == ":" and len(bounds) < 3:
            self.advance()
            bounds.append(None if self.peek().text in (":", ",", "]") else self.expression())
        start, stop, step = (self.whole_index(b, "a slice's bounds and step must be whole "
                                                 "numbers") for b in (bounds + [None])[:3])
        if step is not None and step <= 0:
            raise ExprError("a slice's step must be positive (PyTorch has no negative steps)",
                            bounds[2].line, bounds[2].column)
        return slice(start, stop, step)

    @staticmethod
    def whole_index(node: Node | None, rule: str) -> int | None:
        """The whole number `node` spells (None stays None); ExprError stating `rule` if it is
        anything else."""
        if node is None:
            return None
        number = whole_number(node)
        if number is None:
            written = f", not {node.text}" if isinstance(node, Number) else ", written as numbers"
            raise ExprError(rule + written, node.line, node.column)
        return number

    def method_call(self, receiver: Node) -> Call:
        """x.relu() is relu(x): the function gets the receiver as its only argument."""
        method = self.advance()
        self.advance()  # "("
        self.expect(")", f"after .{method.text}( (a method call takes no arguments: write "
                         f"{method.text}(x, …) for more)")
        return self.make(Call, method, function=method.text, args=(receiver,), keywords=())

    def primary(self) -> Node:
        token = self.peek()
        if token.kind == NUMBER:
            self.advance()
            return self.make(Number, token, value=float(token.text), text=token.text)
        if token.kind == NAME:
            self.check_name(token)
            self.advance()
            if self.peek().text == "(":
                return self.call(token)
            return Name(token.line, token.column, token.text)
        if token.text == "(":
            self.advance()
            value = self.expression()
            self.expect(")", f"to close the '(' at line {token.line}, column {token.column}")
            return value
        if token.text == "[":
            value, shape = self.array()
            return self.make(Array, token, value=value, shape=shape)
        raise self.unexpected("where a value was expected (a number, a name, a call or "
                              "a parenthesis)")

    def call(self, function: Token) -> Call:
        opening = self.advance()
        args: list[Node] = []
        keywords: list[Keyword] = []
        while self.peek().text != ")":
            token = self.peek()
            if token.kind == NAME and self.peek(1).text == "=":
                keywords.append(self.keyword(keywords))
            elif keywords:
                raise error_at(token, "a positional argument cannot follow a keyword argument")
            else:
                args.append(self.expression())
            if self.peek().text != ",":
                break
            self.advance()
        self.expect(")", f"to close the call of {function.text} at "
                         f"line {opening.line}, column {opening.column}")
        return self.make(Call, function, function=function.text, args=tuple(args),
                         keywords=tuple(keywords))

    def keyword(self, earlier: list[Keyword]) -> Keyword:
        """name=value, the value a number, True/False or a name (approximate=tanh)."""
        name = self.advance()
        if any(k.name == name.text for k in earlier):
            raise error_at(name, f"the keyword {name.text} is given twice")
        self.advance()  # "="
        token = self.peek()
        if token.kind == NAME and token.text not in BOOLEANS and self.peek(1).text in (",", ")"):
            self.advance()
            value = token.text
        elif token.text in BOOLEANS:
            self.advance()
            value = BOOLEANS[token.text]
        else:
            number = self.signed_number()
            if number is None:
                raise error_at(token, f"{name.text}= takes a number (axis=-1), True/False "
                                      "(keepdims=True) or a name (approximate=tanh)")
            value = whole_number(number) if number.is_whole else number.value
        return Keyword(name.text, value, name.line, name.column, token.line, token.column)

    def signed_number(self) -> Number | None:
        """A number with an optional minus sign, or None (nothing consumed) if there is none."""
        minus = self.peek()
        offset = 1 if minus.text == "-" else 0
        token = self.peek(offset)
        if token.kind != NUMBER:
            return None
        self.i += offset + 1
        number = Number(token.line, token.column, float(token.text), token.text)
        return _negative(number, minus) if offset else number

    def array(self) -> tuple[tuple, tuple[int, ...]]:
        """A list literal [..] of numbers or of lists of equal shape: (nested values, shape)."""
        opening = self.advance()
        self.enter()
        items, shapes = [], []
        while self.peek().text != "]":
            token = self.peek()
            if token.text == "[":
                value, shape = self.array()
            else:
                number = self.signed_number()
                if number is None:
                    raise error_at(token, "a list holds numbers (or lists of numbers) only, "
                                          f"not {token.describe()}")
                value, shape = number.value, ()
            if shapes and shape != shapes[0]:
                raise error_at(token, "every entry of a list must have the same shape: "
                                      f"{_shape_text(shapes[0])} then {_shape_text(shape)}")
            items.append(value)
            shapes.append(shape)
            if self.peek().text != ",":
                break
            self.advance()
        self.expect("]", f"to close the '[' at line {opening.line}, column {opening.column}")
        self.leave()
        return tuple(items), (len(items), *(shapes[0] if shapes else ()))

    # ---- helpers ----------------------------------------------------------------------------
    def make(self, kind, token: Token, **fields) -> Node:
        """A node that becomes a graph node, counted against MAX_GRAPH_NODES."""
        self.count_node(token.line, token.column)
        return kind(token.line, token.column, **fields)

    def check_name(self, token: Token) -> None:
        if token.text in BOOLEANS:
            raise error_at(token, f"{token.text} can only be a keyword value, as in keepdims=True")
        if keyword.iskeyword(token.text):
            raise error_at(token, f"'{token.text}' is a Python keyword, not part of this "
                                  "language (names, numbers, + - * / ** @, functions and .T)")

    def peek(self, ahead: int = 0) -> Token:
        while len(self.tokens) <= self.i + ahead and not (self.tokens and
                                                          self.tokens[-1].kind == END):
            self.tokens.append(next(self.stream))
        return self.tokens[min(self.i + ahead, len(self.tokens) - 1)]

    def advance(self) -> Token:
        token = self.peek()
        if token.kind != END:
            self.i += 1
        return token

    def expect(self, text: str, why: str) -> Token:
        if self.peek().text != text:
            raise error_at(self.peek(), f"expected '{text}' {why}, found {self.peek().describe()}")
        return self.advance()

    def unexpected(self, where: str) -> ExprError:
        token = self.peek()
        return error_at(token, f"unexpected {token.describe()} {where}")

    def enter(self) -> None:
        self.depth += 1
        if self.depth > MAX_NESTING:
            raise error_at(self.peek(), f"nested more than {MAX_NESTING} levels deep, the cap "
                                        "on this public instance")

    def leave(self) -> None:
        self.depth -= 1


def _shape_text(shape: tuple[int, ...]) -> str:
    return "a number" if shape == () else f"a list of shape {format_shape(shape)}"
