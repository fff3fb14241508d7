"""Tensor: a float64 array that remembers how it was made, and the reverse-mode backward pass."""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar

import numpy as np

from engine.errors import PlaygroundError, ShapeError
from engine.ops import OPS, Op, format_shape

# Per-thread (per Streamlit session) switch: record the graph or not.
_grad_enabled: ContextVar[bool] = ContextVar("grad_enabled", default=True)

Observer = Callable[["Tensor", "Tensor", np.ndarray], None]

# Per thread: NumPy's floating-point warnings are off already (inside `quietly`).
_quiet: ContextVar[bool] = ContextVar("quiet", default=False)


class quietly:
    """NumPy's floating-point warnings off for a whole pass (an op's result shows inf or nan
    itself): one np.errstate for a network's forward pass, a backward pass or a training step,
    where each op would otherwise enter its own; nested, it costs a flag's look-up."""

    __slots__ = ("_errstate", "_token")

    def __enter__(self) -> None:
        self._token = None
        if not _quiet.get():
            self._token = _quiet.set(True)
            self._errstate = np.errstate(all="ignore")
            self._errstate.__enter__()

    def __exit__(self, *exc_info) -> None:
        if self._token is not None:
            self._errstate.__exit__(*exc_info)
            _quiet.reset(self._token)


@contextmanager
def no_grad() -> Iterator[None]:
    """Evaluate without recording a graph (for evaluation and optimizer updates)."""
    token = _grad_enabled.set(False)
    try:
        yield
    finally:
        _grad_enabled.reset(token)


class Tensor:
    """A float64 array with an optional gradient and the op and parents that produced it."""

    __slots__ = ("data", "grad", "requires_grad", "name", "op", "parents", "attrs")
    __array_ufunc__ = None  # make NumPy defer: ndarray + Tensor calls Tensor.__radd__

    def __init__(self, data, requires_grad: bool = False, name: str | None = None):
        self.data = np.array(data.data if isinstance(data, Tensor) else data, dtype=np.float64)
        self.grad: np.ndarray | None = None
        self.requires_grad = requires_grad
        self.name = name
        self.op: Op | None = None
        self.parents: tuple[Tensor, ...] = ()
        self.attrs: dict = {}

    # ---- properties -------------------------------------------------------------------------
    @property
    def shape(self) -> tuple[int, ...]:
        return self.data.shape

    @property
    def ndim(self) -> int:
        return self.data.ndim

    @property
    def size(self) -> int:
        return self.data.size

    @property
    def is_leaf(self) -> bool:
        return self.op is None

    @property
    def T(self) -> Tensor:
        return self.transpose()

    def item(self) -> float:
        """The value of a one-element tensor (of any shape, as torch allows) as a float."""
        if self.size != 1:
            raise ShapeError(f"item() needs a value with one element, not one of shape "
                             f"{format_shape(self.shape)}")
        return float(self.data.reshape(()))

    def zero_grad(self) -> None:
        self.grad = None

    def __repr__(self) -> str:
        made_by = f", op={self.op.name}" if self.op else ""
        label = f"name={self.name!r}, " if self.name else ""
        return f"Tensor({label}shape={format_shape(self.shape)}{made_by})"

    # ---- arithmetic -------------------------------------------------------------------------
    def __add__(self, other): return apply(OPS["add"], self, other)
    def __radd__(self, other): return apply(OPS["add"], other, self)
    def __sub__(self, other): return apply(OPS["sub"], self, other)
    def __rsub__(self, other): return apply(OPS["sub"], other, self)
    def __mul__(self, other): return apply(OPS["mul"], self, other)
    def __rmul__(self, other): return apply(OPS["mul"], other, self)
    def __truediv__(self, other): return apply(OPS["div"], self, other)
    def __rtruediv__(self, other): return apply(OPS["div"], other, self)
    def __pow__(self, other): return apply(OPS["pow"], self, other)
    def __rpow__(self, other): return apply(OPS["pow"], other, self)
    def __matmul__(self, other): return apply(OPS["matmul"], self, other)
    def __rmatmul__(self, other): return apply(OPS["matmul"], other, self)
    def __neg__(self): return apply(OPS["neg"], self)

    # ---- elementwise functions --------------------------------------------------------------
    def exp(self): return apply(OPS["exp"], self)
    def log(self): return apply(OPS["log"], self)
    def tanh(self): return apply(OPS["tanh"], self)
    def sigmoid(self): return apply(OPS["sigmoid"], self)
    def relu(self): return apply(OPS["relu"], self)
    def sin(self): return apply(OPS["sin"], self)
    def cos(self): return apply(OPS["cos"], self)
    def sqrt(self): return apply(OPS["sqrt"], self)
    def abs(self): return apply(OPS["abs"], self)

    # ---- reductions and shapes --------------------------------------------------------------
    def sum(self, axis=None, keepdims=False):
        return apply(OPS["sum"], self, axis=axis, keepdims=keepdims)

    def mean(self, axis=None, keepdims=False):
        return apply(OPS["mean"], self, axis=axis, keepdims=keepdims)

    def max(self, axis=None, keepdims=False):
        return apply(OPS["max"], self, axis=axis, keepdims=keepdims)

    def reshape(self, *shape):
        shape = shape[0] if len(shape) == 1 and isinstance(shape[0], tuple | list) else shape
        return apply(OPS["reshape"], self, shape=tuple(shape))

    def transpose(self, *axes):
        axes = axes[0] if len(axes) == 1 and isinstance(axes[0], tuple | list) else axes
        return apply(OPS["transpose"], self, axes=tuple(axes) if axes else None)

    # ---- backward pass ----------------------------------------------------------------------
    def backward(self, grad=None, observer: Observer | None = None) -> None:
        """Accumulate d(self)/d(node) into `.grad` of every node that requires a gradient.

        Without `grad`, self must be a scalar (the loss) and is seeded with 1. `observer`, if
        given, is called as observer(child, parent, contribution) for every edge, in the order
        of the pass; a node's gradient is the sum of the contributions into it. A `grad` that
        does not broadcast to self's shape is a ShapeError.
        """
        if not self.requires_grad:
            raise PlaygroundError("backward(): this value does not depend on any parameter.")
        if grad is None:
            if self.size != 1:
                shape = format_shape(self.shape)
                raise PlaygroundError(f"backward() without a gradient needs a scalar, not {shape}.")
            grad = np.ones(self.shape)
        else:
            grad = np.asarray(grad, dtype=np.float64)
            try:
                grad = np.array(np.broadcast_to(grad, self.shape))  # a copy: never the caller's
            except ValueError:
                raise ShapeError(f"backward: a gradient of shape {format_shape(grad.shape)} "
                                 f"does not fit a value of shape {format_shape(self.shape)}"
                                 ) from None
        pending = {self: grad}
        with quietly():
            for node in reversed(topological_order(self, only_requiring_grad=True)):
                g = pending.pop(node, None)
                if g is None:  # reached only through inputs that carry no gradient
                    continue
                if node.grad is not None:  # accumulate: a node reached by several paths
                    node.grad = node.grad + g
                elif node.op is None and not (g.base is None and g.flags.c_contiguous):
                    # a leaf owns its gradient (users and optimizers read it), laid out as a C
                    # array: a view (of another node's gradient, a broadcast) is copied
                    node.grad = np.array(g, order="C")
                else:
                    node.grad = g
                if node.op is None:
                    continue
                inputs = [p.data for p in node.parents]
                for parent, vjp in zip(node.parents, node.op.vjps):  # the chain rule, edge by edge
                    if vjp is None or not parent.requires_grad:
                        continue
                    contribution = vjp(g, node.data, *inputs, **node.attrs)
                    if contribution.shape != parent.data.shape:
                        contribution = unbroadcast(contribution, parent.data.shape)
                    elif contribution is g:  # passed on as it is (a + b): a view, so that
                        # a leaf copies it
                        contribution = g.view()
                    if observer is not None:
                        observer(node, parent, contribution)
                    earlier = pending.get(parent)
                    pending[parent] = contribution if earlier is None else earlier + contribution


def apply(op: Op, *operands, **attrs) -> Tensor:
    """Run `op` forward on tensors (numbers and arrays become constants) and record the node."""
    parents = tuple([x if isinstance(x, Tensor) else Tensor(x) for x in operands])
    inputs = [p.data for p in parents]
    reason = op.check(*inputs) if op.check is not None else None
    if reason is None:
        try:
            if _quiet.get():  # inside a quiet pass already (a module's forward, a training step)
                data = op.forward(*inputs, **attrs)
            else:
                with quietly():
                    data = op.forward(*inputs, **attrs)
        except (ValueError, IndexError, TypeError) as err:
            reason = str(err)
    if reason is not None:
        raise ShapeError(f"{op.name}: {_describe_operands(op, inputs)}: {reason}")
    out = Tensor.__new__(Tensor)
    out.data = np.asarray(data, dtype=np.float64)
    out.grad = None
    out.name = None
    if _grad_enabled.get():
        out.requires_grad = any([p.requires_grad for p in parents])
        out.op, out.parents, out.attrs = op, parents, attrs
    else:
        out.requires_grad = False
        out.op, out.parents, out.attrs = None, (), {}
    return out


def _describe_operands(op: Op, inputs) -> str:
    shapes = [format_shape(x.shape) for x in inputs]
    return f" {op.symbol} ".join(shapes) if op.infix else ", ".join(shapes)


def unbroadcast(g: np.ndarray, shape: tuple[int, ...]) -> np.ndarray:
    """Reduce a gradient to `shape` by summing over the axes that broadcasting stretched; a
    gradient that broadcasting cannot explain is a ShapeError (a bug to surface, never to paper
    over)."""
    if g.shape == shape:
        return g
    extra = g.ndim - len(shape)
    if extra > 0:  # the leading axes broadcasting added, summed as 1ᵀG: one BLAS pass, where
        # NumPy sums a C array over its first axis row by row (a bias's gradient over a batch
        # of 256 rows of 64: 7.6 µs summed, 2.8 µs as 1ᵀG)
        rows, kept = math.prod(g.shape[:extra]), g.shape[extra:]
        ones = np.empty(rows)
        ones.fill(1.0)
        g = ones @ g if g.ndim == extra + 1 == 2 else (
            ones @ g.reshape(rows, math.prod(kept))).reshape(kept)
    if extra >= 0 and g.shape != shape:
        stretched = tuple(i for i, n in enumerate(shape) if n == 1 and g.shape[i] != 1)
        if stretched:
            g = g.sum(axis=stretched, keepdims=True)
    if g.shape != shape:
        raise ShapeError(f"a gradient of shape {format_shape(g.shape)} cannot be reduced to its "
                         f"value's shape {format_shape(shape)}: the op's VJP is wrong")
    return g


def topological_order(root: Tensor, only_requiring_grad: bool = False) -> list[Tensor]:
    """Every node that `root` depends on, parents before children (iterative: no recursion)."""
    order: list[Tensor] = []
    visited: set[Tensor] = set()
    stack: list[tuple[Tensor, bool]] = [(root, False)]
    while stack:
        node, parents_done = stack.pop()
        if parents_done:
            order.append(node)
            continue
        if node in visited:
            continue
        visited.add(node)
        if not node.parents:
            order.append(node)
            continue
        stack.append((node, True))
        for parent in node.parents:
            if parent not in visited and (parent.requires_grad or not only_requiring_grad):
                stack.append((parent, False))
    return order

