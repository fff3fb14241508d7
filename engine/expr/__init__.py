"""The expression language: type the math, get the graph.

    parse(source) -> Program          statements, free names (the inputs), output name
    build(source, values, seed=0)     -> ExprGraph: .output, .inputs, .nodes, .parameters,
                                         .statement_of(tensor), .evaluate(*parameters)

A program is one statement per line (or separated by ;): `name = expression`, `name += expression`
(also -= *= /= @= **=) or a bare expression; `#` starts a comment; the last statement is the output.
Expressions use numbers, names, + - * / ** @, unary minus, parentheses, .T, subscripts (p[2],
x[-1], W[:, 1], X[0:2], A[1, 2], P[range(2), y]), list literals of numbers and calls of the
functions in the engine's op table (engine.expr.functions), also as methods (x.relu() is relu(x)).
Input values are specs (engine.expr.values): "2.5", "[[1, 2], [3, 4]]", "randn(3, 2)" ...;
`a = -4.0` or `a = Value(-4.0)` makes a parameter. Lines of pasted micrograd Python that compute
nothing here (import, print(...), g.backward()) are skipped and listed in Program.skipped_lines.

The text is read by a hand-written tokenizer and parser with a whitelist; nothing is evaluated as
Python. Every mistake is an ExprError with a line and a column.
"""

from engine.expr.builder import ExprGraph, build
from engine.expr.functions import FUNCTIONS
from engine.expr.program import Program, Statement, display_name, parse
from engine.expr.values import CONSTRUCTORS, InputSpec, default_spec, input_value

__all__ = [
    "CONSTRUCTORS",
    "FUNCTIONS",
    "ExprGraph",
    "InputSpec",
    "Program",
    "Statement",
    "build",
    "default_spec",
    "display_name",
    "input_value",
    "parse",
]
