"""parse(): a program's statements, its free names (the inputs) and the name of its output.

Names: a free name is any name read before it is assigned; each is an input. Every assignment
makes a new node; a name assigned again is shown primed: c, c′, c″, c‴, c⁗, then c₆, c₇ ...
(primes and subscript digits cannot occur in a typed name, so display names never collide). The
last statement is the output; if it is a bare expression its node is called "out" (primed if
"out" is taken), or, if it is just a name, the output is that name's node.

A name assigned a value spec (`a = -4.0`, `u = [1, 2]`, `W = randn(3, 2)`) is a leaf of the
graph: a parameter with that value; `a = Value(-4.0)`, micrograd's spelling, is the same leaf.

So that Python written for micrograd can be pasted, three kinds of line are skipped whole, before
tokenising, and listed in Program.skipped_lines: a line whose first word is `import` or `from`, a
line starting `print(` that closes a parenthesis on the same line (whatever is inside, f-strings
too), and a line `name.backward()`, which also makes name the output if it was assigned before.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

from engine.errors import ExprError
from engine.expr.functions import FUNCTIONS, bind_call
from engine.expr.parser import (
    Array,
    BinOp,
    Call,
    Name,
    Negate,
    Node,
    Number,
    Parser,
    Subscript,
    Transpose,
)
from engine.expr.values import CONSTRUCTORS
from engine.limits import MAX_SOURCE_CHARS

OUTPUT_NAME = "out"
VALUE = "Value"  # micrograd's scalar: a = Value(-4.0) is a = -4.0
# Lines skipped whole: kind -> the pattern such a line starts with (a print( line must also
# close a parenthesis on the same line).
SKIPPED = {
    "import": r"\s*(import|from)\b",
    "print": r"\s*print\s*\(",
    "backward": r"\s*([^\W\d]\w*)\s*\.\s*backward\s*\(\s*\)\s*(#.*)?$",
}
PRIMES = ("", "′", "″", "‴", "⁗")
SUBSCRIPT_DIGITS = str.maketrans("0123456789", "₀₁₂₃₄₅₆₇₈₉")


@dataclass(frozen=True)
class Statement:
    target: str | None  # the name assigned; None for a bare expression
    name: str | None  # display name of the node it makes (c, c′ ...); None if it names none
    value: Node
    text: str  # the statement's source text, as the inspector shows it
    line: int
    column: int
    leaf: bool = False  # `name = <value spec>`: a parameter leaf, not an op


@dataclass(frozen=True)
class Program:
    source: str
    statements: tuple[Statement, ...]
    free_names: tuple[str, ...]  # the inputs, in the order they are first read
    output_name: str
    skipped_lines: tuple[SkippedLine, ...] = ()


@dataclass(frozen=True)
class SkippedLine:
    line: int  # 1-based
    kind: str  # a key of SKIPPED: "import", "print" or "backward"


def display_name(name: str, version: int) -> str:
    """The node name of the `version`-th (0-based) assignment of `name`: c, c′, c″ ..., c₆."""
    if version < len(PRIMES):
        return name + PRIMES[version]
    return name + str(version + 1).translate(SUBSCRIPT_DIGITS)


def parse(source: str) -> Program:
    """Parse a program; raise ExprError (with line and column) for anything not in the language.

    Checks, in order of the text: the caps (source length first), syntax, function names and
    their arguments, and names (a function cannot be read as a value or assigned to).
    """
    if len(source) > MAX_SOURCE_CHARS:
        line = source.count("\n", 0, MAX_SOURCE_CHARS) + 1
        column = MAX_SOURCE_CHARS - source.rfind("\n", 0, MAX_SOURCE_CHARS)
        raise ExprError(f"the program has {len(source):,} characters, above the cap of "
                        f"{MAX_SOURCE_CHARS:,} on this public instance", line, column)
    lines = source.split("\n")
    skipped = [SkippedLine(number, kind) for number, text in enumerate(lines, 1)
               if (kind := _skipped_kind(text, number))]
    backward = {s.line: re.match(SKIPPED["backward"], lines[s.line - 1])[1]
                for s in skipped if s.kind == "backward"}  # line -> the name run backward
    for s in skipped:
        lines[s.line - 1] = ""
    parser = Parser("\n".join(lines))
    versions: dict[str, int] = {}  # name -> how many nodes carry it so far
    free: list[str] = []
    statements = []
    output = None
    for raw in parser.statements():
        output = _output_before(raw.line, backward, statements, output)
        if raw.target is not None and isinstance(raw.value, Call) and raw.value.function == VALUE:
            raw = replace(raw, value=_value_number(raw.value))
        leaf = raw.target is not None and is_value_spec(raw.value)
        if not leaf:
            _check_reads(raw.value, versions, free, parser)
        name = None
        if raw.target is not None:
            target = raw.target
            if target.id in FUNCTIONS or target.id in CONSTRUCTORS:
                raise ExprError(f"{target.id} is a function and cannot be assigned to",
                                target.line, target.column)
            name = _new_node_name(target.id, versions)
        statements.append(Statement(raw.target and raw.target.id, name, raw.value, raw.text,
                                    raw.line, raw.column, leaf))
    if not statements:
        raise ExprError("the program is empty: type an expression such as z = x * y", 1, 1)
    output = _output_before(len(lines) + 1, backward, statements, output)
    last = statements[-1]
    if output is None and last.name is not None:
        output = last.name
    elif output is None and isinstance(last.value, Name):
        output = display_name(last.value.id, versions[last.value.id] - 1)
    elif output is None:
        output = _new_node_name(OUTPUT_NAME, versions)
        statements[-1] = replace(last, name=output)
    return Program(source, tuple(statements), tuple(free), output, tuple(skipped))


def _skipped_kind(text: str, line: int) -> str | None:
    """The SKIPPED kind of one source line, or None; ExprError for a print( left open."""
    kind = next((kind for kind, rule in SKIPPED.items() if re.match(rule, text)), None)
    if kind == "print" and ")" not in text:
        raise ExprError("a print( line is skipped only when it closes its parenthesis on the "
                        "same line", line, text.index("(") + 1)
    return kind


def _output_before(line: int, backward: dict[int, str], statements: list[Statement],
                   output: str | None) -> str | None:
    """The output once the `name.backward()` lines before `line` are read: the node of name's
    latest assignment (a name not assigned yet leaves the output as it was)."""
    for at in [at for at in backward if at < line]:
        name = backward.pop(at)
        output = next((s.name for s in reversed(statements) if s.target == name), output)
    return output


def _value_number(call: Call) -> Number:
    """The number in Value(-4.0); ExprError for anything else."""
    if len(call.args) != 1 or call.keywords or not isinstance(call.args[0], Number):
        raise ExprError(f"{VALUE}(…) takes one number, as in a = {VALUE}(-4.0)",
                        call.line, call.column)
    return call.args[0]


def is_value_spec(node: Node) -> bool:
    """A number, a list literal or a constructor call such as randn(3, 2): a leaf's value."""
    return isinstance(node, Number | Array) or (isinstance(node, Call)
                                                 and node.function in CONSTRUCTORS)


def _new_node_name(name: str, versions: dict[str, int]) -> str:
    version = versions.get(name, 0)
    versions[name] = version + 1
    return display_name(name, version)


def _check_reads(node: Node, versions: dict[str, int], free: list[str], parser: Parser) -> None:
    """Check the calls and names an expression reads; record names read before any assignment."""
    if isinstance(node, Name):
        if node.id in FUNCTIONS or node.id in CONSTRUCTORS:
            raise ExprError(f"{node.id} is a function: call it, as in {node.id}(x)",
                            node.line, node.column)
        if node.id not in versions:
            parser.count_node(node.line, node.column)  # an input is a graph node too
            versions[node.id] = 1
            free.append(node.id)
    elif isinstance(node, Call):
        if node.function == VALUE:
            raise ExprError(f"{VALUE}(…) makes a parameter: write it alone on the right of an "
                            f"assignment, as in a = {VALUE}(-4.0)", node.line, node.column)
        if node.function in CONSTRUCTORS:
            raise ExprError(f"{node.function}(…) makes a value: assign it to a name on a line of "
                            f"its own (W = {node.function}(3, 2)) or use it in the inputs table",
                            node.line, node.column)
        for arg in bind_call(node).args:
            _check_reads(arg, versions, free, parser)
    elif isinstance(node, Negate | Transpose):
        _check_reads(node.operand, versions, free, parser)
    elif isinstance(node, Subscript):
        for part in (node.operand, *index_operands(node)):
            _check_reads(part, versions, free, parser)
    elif isinstance(node, BinOp):
        _check_reads(node.left, versions, free, parser)
        _check_reads(node.right, versions, free, parser)


def index_operands(node: Subscript) -> list[Node]:
    """The entries of a subscript that are expressions (their values are the indices)."""
    return [entry for entry in node.index if isinstance(entry, Node)]
