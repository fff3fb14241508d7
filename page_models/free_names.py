"""Default values for a program's free names, with shapes that fit how the program uses them.

`z = W @ x + b; h = sigmoid(z); s = sum(u * h)` typed alone should build: W and x meet in a
matrix product, so W gets randn(3, 2) and x randn(2, 1); b is added to a (3,1) value and u
multiplies one, so both get (3,1). `p[4]` makes p a vector of 5 and `W[:, 1]` W a (3,3) matrix;
a name that holds indices (`P[i, j]`) is the constant 0. A name whose use says nothing about its
shape is a scalar (engine.expr.default_spec). The shapes are found by walking the program once
per statement with shapes instead of values (twice, so a use late in the program informs an
earlier one).
"""

from __future__ import annotations

import numpy as np

from engine.errors import PlaygroundError
from engine.expr import InputSpec, Program, default_spec
from engine.expr.builder import subscript_index
from engine.expr.functions import bind_call
from engine.expr.parser import Array, BinOp, Call, Name, Negate, Node, Number, Subscript, Transpose
from engine.expr.program import index_operands
from engine.ops import OPS

Shape = tuple[int, ...]
MATRIX = (3, 2)  # a free name on the left of @ with nothing else known about it
SIDE = 3  # an axis of a free name that is indexed, unless the index needs more
INDEX = InputSpec("0", parameter=False)  # a free name whose value indexes: x[i]


def default_specs(program: Program) -> dict[str, InputSpec]:
    """A spec for every free name: randn(<shape>) where its use fixes a shape, else a scalar."""
    shapes: dict[str, Shape | None] = dict.fromkeys(program.free_names)
    indices: set[str] = set()  # free names that hold a subscript's indices
    for _ in range(2):
        _Walk(shapes, indices).program(program)
    specs = {}
    for position, name in enumerate(program.free_names):
        shape = shapes[name]
        if shape:
            specs[name] = InputSpec(f"randn({', '.join(map(str, shape))})")
        else:
            specs[name] = INDEX if name in indices else default_spec(position)
    return specs


class _Walk:
    def __init__(self, shapes: dict[str, Shape | None], indices: set[str]):
        self.shapes = shapes
        self.indices = indices
        self.env: dict[str, Shape | None] = {}

    def program(self, program: Program) -> None:
        for statement in program.statements:
            try:
                shape = (_literal_shape(statement.value) if statement.leaf
                         else self.shape(statement.value))
            except (PlaygroundError, ValueError, TypeError, IndexError):
                shape = None
            if statement.target is not None:
                self.env[statement.target] = shape

    def shape(self, node: Node) -> Shape | None:
        if isinstance(node, Name):
            return self.env[node.id] if node.id in self.env else self.shapes.get(node.id)
        if isinstance(node, Number | Array):
            return _literal_shape(node)
        if isinstance(node, Negate):
            return self.shape(node.operand)
        if isinstance(node, Transpose):
            inner = self.shape(node.operand)
            return None if inner is None else inner[::-1]
        if isinstance(node, BinOp):
            if node.op == "@":
                return self.matmul(node.left, node.right)
            return self.elementwise([node.left, node.right])
        if isinstance(node, Subscript):
            return self.indexed(node)
        if isinstance(node, Call):
            call = bind_call(node)
            kind = call.op.kind
            if kind == "matmul":
                return self.matmul(*call.args)
            if kind == "loss":
                for arg in call.args:
                    self.shape(arg)
                return ()
            if kind == "elementwise":
                return self.elementwise(list(call.args))
            shapes = [self.shape(arg) for arg in call.args]
            if None in shapes:
                return None
            return np.shape(call.op.forward(*map(np.zeros, shapes), **call.attrs))
        return None

    def indexed(self, node: Subscript) -> Shape | None:
        """The shape of x[...], its index arrays taken as zeros of their shapes. An unknown x
        gets one axis per entry of the index, each long enough for it (at least SIDE)."""
        shape = self.shape(node.operand)
        if shape is None:
            self.fix(node.operand, tuple(_side(entry) for entry in node.index))
            shape = self.shape(node.operand)
        self.indices.update(e.id for e in index_operands(node) if isinstance(e, Name))
        arrays = [self.shape(entry) for entry in index_operands(node)]
        arrays = [() if a is None and isinstance(e, Name) else a
                  for e, a in zip(index_operands(node), arrays)]
        if shape is None or None in arrays:
            return None
        return OPS["getitem"].forward(np.zeros(shape), *map(np.zeros, arrays),
                                      index=subscript_index(node)).shape

    def fix(self, node: Node, shape: Shape) -> None:
        """Give an unknown free name the shape its use asks for (also through a negation or an
        op that keeps the shape of its one operand: softmax(z)[2] makes z a vector)."""
        if isinstance(node, Name) and node.id not in self.env and node.id in self.shapes \
                and self.shapes[node.id] is None:
            self.shapes[node.id] = shape
        elif isinstance(node, Negate):
            self.fix(node.operand, shape)
        elif isinstance(node, Call):
            call = bind_call(node)
            if call.op.kind in ("elementwise", "normalisation") and len(call.args) == 1:
                self.fix(call.args[0], shape)

    def elementwise(self, operands: list[Node]) -> Shape | None:
        shapes = [self.shape(a) for a in operands]
        known = [s for s in shapes if s is not None]
        if not known:
            return None
        result = np.broadcast_shapes(*known)
        for node, shape in zip(operands, shapes):
            if shape is None and result:
                self.fix(node, result)
        return result

    def matmul(self, left: Node, right: Node) -> Shape | None:
        a, b = self.shape(left), self.shape(right)
        if a is None and b is None:
            a, b = MATRIX, (MATRIX[1], 1)
            self.fix(left, a)
            self.fix(right, b)
        elif a is None and b:
            a = (MATRIX[0], b[0] if len(b) == 1 else b[-2])
            self.fix(left, a)
        elif b is None and a:
            b = (a[-1], 1)
            self.fix(right, b)
        if not a or not b:
            return None
        return np.matmul(np.zeros(a), np.zeros(b)).shape


def _side(entry) -> int:
    """An axis long enough for one entry of a subscript: x[4] needs 5, x[-4] and x[0:4] 4."""
    if isinstance(entry, int):
        return max(SIDE, entry + 1 if entry >= 0 else -entry)
    if isinstance(entry, slice):
        return max(SIDE, abs(entry.start or 0), abs(entry.stop or 0))
    return SIDE


def _literal_shape(node: Node) -> Shape | None:
    if isinstance(node, Number):
        return ()
    if isinstance(node, Array):
        return node.shape
    if isinstance(node, Call) and node.args:  # randn(3, 2)
        return tuple(int(a.value) for a in node.args if isinstance(a, Number))
    return None
