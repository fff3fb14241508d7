"""build(): run a parsed program on the engine and keep the graph it records.

Every literal, operator, call and .T becomes one engine op (numbers become constant tensors), so the
graph the Expression Graph page draws is exactly the program. Before an op runs, the size of its
result is checked (broadcasting and matmul are the only ops that can grow their inputs) against
MAX_TENSOR_ELEMENTS, and the running total of all values against MAX_GRAPH_ELEMENTS: too large a
request fails before anything is allocated. Errors from the engine (ShapeError, LimitError ...)
become an ExprError at the operator or call that caused them, keeping the engine's message.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np

from engine.errors import ExprError, PlaygroundError
from engine.expr.functions import bind_call
from engine.expr.parser import Array, BinOp, Name, Negate, Node, Number, Subscript, Transpose
from engine.expr.program import Program, Statement, index_operands, parse
from engine.expr.values import (
    InputSpec,
    Spec,
    as_input_spec,
    default_spec,
    input_value,
    literal_value,
)
from engine.limits import MAX_GRAPH_ELEMENTS, MAX_TENSOR_ELEMENTS, check_limit
from engine.ops import OPS, Op
from engine.tensor import Tensor, apply

BINARY_OPS = {"+": "add", "-": "sub", "*": "mul", "/": "div", "**": "pow", "@": "matmul"}


@dataclass
class ExprGraph:
    """A built program: its output, inputs and named nodes, ready for backward() and gradcheck."""

    program: Program
    output: Tensor
    inputs: dict[str, Tensor]  # free name -> leaf tensor, in the order of program.free_names,
    # then each leaf the program assigns (a = -4.0) by its display name, in program order
    nodes: dict[str, Tensor]  # display name (z, c′, out) -> the tensor its statement made
    made_in: dict[Tensor, Statement] = field(repr=False)  # every op result -> its statement

    @property
    def parameters(self) -> list[Tensor]:
        """The inputs that get a gradient, in free-name order."""
        return [t for t in self.inputs.values() if t.requires_grad]

    def statement_of(self, tensor: Tensor) -> Statement | None:
        """The statement that computed `tensor` (None for an input)."""
        return self.made_in.get(tensor)

    def evaluate(self, *parameters: Tensor) -> Tensor:
        """Run the program again with `parameters` in place of self.parameters (constants and
        drawn random values are reused): the function gradcheck(built.evaluate,
        built.parameters) checks."""
        if len(parameters) != len(self.parameters):
            raise ValueError(f"evaluate() takes {len(self.parameters)} parameters, "
                             f"got {len(parameters)}")
        substitutes = iter(parameters)
        leaves = {name: next(substitutes) if t.requires_grad else t
                  for name, t in self.inputs.items()}
        free = {name: leaves[name] for name in self.program.free_names}
        return _Run(free, leaves=leaves).program(self.program).output


def build(source: str | Program, values: Mapping[str, InputSpec | Spec] | None = None,
          seed: int = 0) -> ExprGraph:
    """Parse (unless given a Program) and run a program.

    `values` maps free names to InputSpecs (a bare spec means a parameter); a free name without
    one gets default_spec(its position); names that are not free are ignored. `seed` (≥ 0) seeds
    the random constructors. Raises ExprError for anything the user can get wrong.
    """
    program = source if isinstance(source, Program) else parse(source)
    values = values or {}
    inputs = {}
    for position, name in enumerate(program.free_names):
        spec = as_input_spec(values.get(name, default_spec(position)))
        inputs[name] = Tensor(input_value(name, spec.value, seed), spec.parameter, name)
    run = _Run(inputs, seed=seed)
    for name, t in inputs.items():
        run.count(t.size, f"the value of {name}", program.statements[0])
    run.program(program)
    return ExprGraph(program, run.output, {**inputs, **run.leaves}, run.nodes, run.made_in)


class _Run:
    """One execution of a program: an environment of names, and what each statement made."""

    def __init__(self, inputs: dict[str, Tensor], seed: int = 0,
                 leaves: dict[str, Tensor] | None = None):
        self.env = dict(inputs)
        self.seed = seed
        self.given = leaves or {}  # leaves to reuse (evaluate): display name -> tensor
        self.leaves: dict[str, Tensor] = {}  # the leaves the program's statements assigned
        self.nodes: dict[str, Tensor] = {}
        self.made_in: dict[Tensor, Statement] = {}
        self.output: Tensor | None = None
        self.statement: Statement | None = None
        self.elements = 0

    def program(self, program: Program) -> _Run:
        for statement in program.statements:
            self.statement = statement
            value = self.leaf(statement) if statement.leaf else self.value(statement.value)
            if statement.target is not None:
                self.env[statement.target] = value
            if statement.name is not None:
                if value.name is None:  # `y = x` names no new node: x keeps its name
                    value.name = statement.name
                self.nodes[statement.name] = value
        # the output statement's node (a name.backward() line chose it), else the last value
        self.output = self.nodes.get(program.output_name, value)
        return self

    def leaf(self, statement: Statement) -> Tensor:
        """The parameter `name = <value spec>` makes (or the one given to reuse)."""
        name = statement.name
        if name not in self.given:
            data = literal_value(statement.value, statement.target, self.seed)
            self.count(data.size, f"the value of {name}", statement)
            self.given[name] = Tensor(data, requires_grad=True, name=name)
        self.leaves[name] = self.made(self.given[name])
        return self.leaves[name]

    def value(self, node: Node) -> Tensor:
        if isinstance(node, Name):
            return self.env[node.id]
        if isinstance(node, Number | Array):
            data = np.array(node.value, dtype=np.float64)
            self.count(data.size, "a literal", node)
            return self.made(Tensor(data))
        if isinstance(node, Negate):
            return self.apply(node, OPS["neg"], self.value(node.operand))
        if isinstance(node, Transpose):
            return self.apply(node, OPS["transpose"], self.value(node.operand), axes=None)
        if isinstance(node, BinOp):
            left, right = self.value(node.left), self.value(node.right)
            return self.apply(node, OPS[BINARY_OPS[node.op]], left, right)
        if isinstance(node, Subscript):
            operands = [self.value(part) for part in (node.operand, *index_operands(node))]
            return self.apply(node, OPS["getitem"], *operands, index=subscript_index(node))
        call = bind_call(node)  # the only node left: a Call
        args = [self.value(arg) for arg in call.args]
        return self.apply(node, call.op, *args, **call.attrs)

    def apply(self, node: Node, op: Op, *operands: Tensor, **attrs) -> Tensor:
        size = _result_size(op, [t.shape for t in operands], attrs)
        self.count(size, f"the result of {op.name}", node)
        try:
            out = apply(op, *operands, **attrs)
        except PlaygroundError as err:
            raise ExprError(str(err), node.line, node.column) from err
        return self.made(out)

    def made(self, tensor: Tensor) -> Tensor:
        self.made_in[tensor] = self.statement
        return tensor

    def count(self, elements: int, what: str, where: Node | Statement) -> None:
        """Check one new value's size and the graph's total before the value is computed."""
        self.elements += elements
        try:
            check_limit(f"the number of elements in {what}", elements, MAX_TENSOR_ELEMENTS)
            check_limit("the number of elements in the whole graph", self.elements,
                        MAX_GRAPH_ELEMENTS)
        except PlaygroundError as err:
            raise ExprError(str(err), where.line, where.column) from err


def subscript_index(node: Subscript) -> tuple:
    """The getitem op's `index`: the subscript's numbers and slices, None for each expression."""
    return tuple(None if isinstance(entry, Node) else entry for entry in node.index)


def _result_size(op: Op, shapes: list[tuple[int, ...]], attrs: dict) -> int:
    """The number of elements op's result will have (an upper bound for ops that shrink).

    Incompatible shapes count as 0: the op itself then raises the ShapeError that explains them.
    """
    try:
        if op.kind == "join":
            return sum(math.prod(shape) for shape in shapes)
        if op.name == "getitem":
            return _indexed_size(shapes[0], shapes[1:], attrs["index"])
        if op.kind == "matmul":
            a, b = shapes
            if not a or not b:
                return 0
            rows = a[-2:-1] if len(a) > 1 else ()
            columns = b[-1:] if len(b) > 1 else ()
            return math.prod(np.broadcast_shapes(a[:-2], b[:-2]) + rows + columns)
        if op.kind == "elementwise" and len(shapes) > 1:
            return math.prod(np.broadcast_shapes(*shapes))
    except ValueError:
        return 0
    return max(math.prod(shape) for shape in shapes)


def _indexed_size(shape: tuple[int, ...], arrays: list[tuple[int, ...]], index: tuple) -> int:
    """The size of x[index] for x of `shape`: the index arrays' broadcast size times each
    slice's length and each axis the index leaves whole (before anything is allocated)."""
    size = math.prod(np.broadcast_shapes(*arrays)) if arrays else 1
    for n, entry in zip(shape, index):
        if isinstance(entry, slice):
            size *= len(range(*entry.indices(n)))
    return size * math.prod(shape[len(index):])
