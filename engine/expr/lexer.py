"""Tokens of the expression language, each with its exact line and column.

Hand-written and whitelisting: numbers (1, 2.5, 1e-3, .5), names (letters, digits and _, Greek
letters too), the operators + - * / ** @ and their augmented forms, = ( ) [ ] , . : ; and
newlines. `#` starts a comment. Anything else (strings, //, %, ^, $, a null byte ...) is an
ExprError at its position. Newlines inside brackets join lines, as in Python.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from engine.errors import ExprError

NUMBER, NAME, OP, NEWLINE, END = "number", "name", "operator", "newline", "end"

# Longest first, so "**=" wins over "**" and "*".
OPERATORS = ("**=", "+=", "-=", "*=", "/=", "@=", "**", "+", "-", "*", "/", "@", "=",
             "(", ")", "[", "]", ",", ".", ":", ";")
AUGMENTED = ("+=", "-=", "*=", "/=", "@=", "**=")

# Characters a student may reach for that the language spells differently.
_HINTS = {
    "^": "use ** for powers (x**2)",
    "'": "strings are not part of the language",
    '"': "strings are not part of the language",
    "%": "the remainder operator % is not supported",
    "\\": "a line cannot be continued with \\ (open a parenthesis instead)",
    "<": "comparisons are not supported",
    ">": "comparisons are not supported",
    "!": "comparisons are not supported",
    "{": "braces are not part of the language",
    "}": "braces are not part of the language",
    "−": "type the minus sign as -",
    "×": "use * for multiplication",
    "·": "use * for multiplication",
    "÷": "use / for division",
    "²": "use ** for powers (x**2)",
    "³": "use ** for powers (x**3)",
}


@dataclass(frozen=True)
class Token:
    kind: str  # NUMBER, NAME, OP, NEWLINE or END
    text: str
    line: int  # 1-based
    column: int  # 1-based
    offset: int  # index into the source

    def describe(self) -> str:
        """How an error message names this token."""
        if self.kind == END:
            return "end of input"
        if self.kind == NEWLINE:
            return "end of line"
        return f"'{self.text}'"


def tokenize(source: str) -> Iterator[Token]:
    """Yield the tokens of `source`, then an END token; raise ExprError at a bad character.

    Lazy, so that a parser meets errors in the order of the text.
    """
    line, line_start, depth, i, n = 1, 0, 0, 0, len(source)

    def error(message: str, at: int) -> ExprError:
        return ExprError(message, line, at - line_start + 1)

    def token(kind: str, start: int, end: int) -> Token:
        return Token(kind, source[start:end], line, start - line_start + 1, start)

    while i < n:
        ch = source[i]
        if ch == "\n":
            if depth == 0:
                yield token(NEWLINE, i, i + 1)
            line, line_start, i = line + 1, i + 1, i + 1
        elif ch.isspace():
            i += 1
        elif ch == "#":
            while i < n and source[i] != "\n":
                i += 1
        elif _digit_at(source, i) or (ch == "." and _digit_at(source, i + 1)):
            end = _number_end(source, i)
            if end < n and (_continues_name(source[end]) or source[end] == "."):
                stop = end
                while stop < n and (_continues_name(source[stop]) or source[stop] == "."):
                    stop += 1
                raise error(f"malformed number '{source[i:stop]}' (write 2 * x, not 2x)", i)
            yield token(NUMBER, i, end)
            i = end
        elif _starts_name(ch):
            end = i + 1
            while end < n and _continues_name(source[end]):
                end += 1
            yield token(NAME, i, end)
            i = end
        else:
            op = next((op for op in OPERATORS if source.startswith(op, i)), None)
            if op is None or source.startswith("//", i) or source.startswith("==", i):
                raise error(_unexpected_character(source, i), i)
            if op in ("(", "["):
                depth += 1
            elif op in (")", "]"):
                depth = max(depth - 1, 0)
            yield token(OP, i, i + len(op))
            i += len(op)
    yield token(END, n, n)


def _number_end(source: str, i: int) -> int:
    """End of the number starting at i: digits, an optional fraction, an optional exponent."""
    while _digit_at(source, i):
        i += 1
    if source.startswith(".", i):
        i += 1
        while _digit_at(source, i):
            i += 1
    if source[i : i + 1] in ("e", "E"):
        j = i + 2 if source[i + 1 : i + 2] in ("+", "-") else i + 1
        if _digit_at(source, j):
            while _digit_at(source, j):
                j += 1
            return j
    return i


def _digit_at(source: str, i: int) -> bool:
    """An ASCII digit at index i (str.isdigit() also accepts ², which float() rejects)."""
    return i < len(source) and source[i] in "0123456789"


def _starts_name(ch: str) -> bool:
    return ch.isidentifier()


def _continues_name(ch: str) -> bool:
    return ("a" + ch).isidentifier()


def _unexpected_character(source: str, i: int) -> str:
    if source.startswith("//", i):
        return "the operator // is not supported (use / for division)"
    if source.startswith("==", i):
        return "comparisons are not supported"
    ch = source[i]
    shown = ch if ch.isprintable() else repr(ch)[1:-1]
    hint = _HINTS.get(ch)
    return f"unexpected character '{shown}'" + (f": {hint}" if hint else "")
