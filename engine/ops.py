"""The op table: every primitive op is one entry.

An entry holds the forward computation (NumPy arrays in, array out), one vector-Jacobian product
per input, and the facts a page shows: symbol, readable name, the local derivative in LaTeX. The
expression parser's whitelist, the graph labels and the help text all read this table, so adding
an op is adding one entry.

A VJP has the signature ``vjp(g, out, *inputs, **attrs)``: ``g`` is the upstream gradient (shape of
``out``), ``out`` the op's value, ``inputs`` the operands' values. It may return an array that
broadcasts to its input's shape; the backward pass reduces it to that shape ("unbroadcast") in
one place. ``None`` in place of a VJP marks an input that carries no gradient (class targets).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
from numpy.lib.array_utils import normalize_axis_tuple

Array = np.ndarray
Forward = Callable[..., Array]
VJP = Callable[..., Array] | None


@dataclass(frozen=True)
class Op:
    name: str  # identifier, also the function name in the expression language
    symbol: str  # short label on a graph node: "+", "×", "σ"
    title: str  # readable name: "sigmoid"
    latex: str  # local derivative(s), LaTeX
    forward: Forward
    vjps: tuple[VJP, ...]
    kind: str  # "elementwise", "matmul", "reduction", "shape", "normalisation", "loss"
    infix: bool = False  # written between its operands: a + b
    attrs: tuple[str, ...] = ()  # keyword arguments the op accepts (axis, keepdims, ...)
    aliases: tuple[str, ...] = ()  # other names in the expression language
    check: Callable[..., str | None] | None = field(default=None, repr=False)  # shape precheck

    @property
    def arity(self) -> int:
        return len(self.vjps)


def format_shape(shape) -> str:
    """Shape as a student writes it: (2,3), (3,), ()."""
    return "(" + ",".join(map(str, shape)) + ("," if len(shape) == 1 else "") + ")"


def _axes(a: Array, axis) -> tuple[int, ...] | None:
    """The axes (from 0) a reduction of `a` over `axis` reduces; None for all of them.

    Like torch, a 0-d value has one axis, 0 (also -1), and reducing over it is the identity.
    An axis out of range, or given twice, is a ValueError naming it.
    """
    if axis is None or (a.ndim == 0 and set(np.atleast_1d(axis).tolist()) <= {0, -1}):
        return None
    return normalize_axis_tuple(axis, a.ndim)


def _count(a: Array, axes) -> int:
    """How many entries of `a` each result of a reduction over `axes` combines."""
    return a.size if axes is None else math.prod(a.shape[i] for i in axes)


def _expand(g: Array, axes, keepdims: bool) -> Array:
    """Give a reduced gradient back the reduced axes (as size 1) so it broadcasts to the input."""
    return g if keepdims or axes is None else np.expand_dims(g, axes)


def _sum_vjp(g, out, a, axes, keepdims):
    return np.broadcast_to(_expand(g, axes, keepdims), a.shape)


def _mean(a, axes, keepdims):
    """The sum over `axes` divided by the count (NumPy's mean, without its warning when the
    count is 0: the result is then nan, as 0/0 is)."""
    return np.sum(a, axis=axes, keepdims=keepdims) / _count(a, axes)


def _mean_vjp(g, out, a, axes, keepdims):
    """Each of the n averaged entries gets g / n."""
    return _sum_vjp(g, out, a, axes, keepdims) / _count(a, axes)


def _max(a, axes, keepdims):
    if _count(a, axes) == 0:
        raise ValueError("the maximum of no numbers is undefined (an axis reduced has size 0)")
    return np.max(a, axis=axes, keepdims=keepdims)


def _max_vjp(g, out, a, axes, keepdims):
    """Share the gradient equally among the entries that attain the maximum."""
    winners = a == _expand(out, axes, keepdims)
    return winners * (_expand(g, axes, keepdims) / winners.sum(axis=axes, keepdims=True))


def _pow_vjp_exponent(g, out, a, b):
    """g · aᵇ ln a, taken as 0 where a = 0 and b ≥ 0 (the limit; PyTorch does the same)."""
    return np.where((a == 0) & (b >= 0), 0.0, g * out * np.log(a))


def _broadcast_check(a, b):
    """Why NumPy cannot broadcast a against b (trailing axes paired), or None."""
    for m, n in zip(a.shape[::-1], b.shape[::-1]):
        if m != n and 1 not in (m, n):
            return f"axis sizes {m} and {n} differ and neither is 1, so they cannot broadcast"
    return None


def _matmul_check(a, b):
    if a.ndim == 0 or b.ndim == 0:
        return "matmul needs operands with at least one dimension (use * for scalars)"
    inner_a, inner_b = a.shape[-1], b.shape[0] if b.ndim == 1 else b.shape[-2]
    if inner_a != inner_b:
        return f"inner dimensions {inner_a} and {inner_b} differ"
    return None


def _promote(a, b, g):
    """View 1-D matmul operands and the upstream gradient as matrices, as NumPy's matmul does."""
    a2 = a[None, :] if a.ndim == 1 else a
    b2 = b[:, None] if b.ndim == 1 else b
    if b.ndim == 1:
        g = g[..., None]
    if a.ndim == 1:
        g = g[..., None, :]
    return a2, b2, g


def _matmul_vjp_a(g, out, a, b):
    """∂L/∂A = G Bᵀ."""
    _, b2, g2 = _promote(a, b, g)
    ga = g2 @ np.swapaxes(b2, -1, -2)
    return ga[..., 0, :] if a.ndim == 1 else ga


def _matmul_vjp_b(g, out, a, b):
    """∂L/∂B = Aᵀ G."""
    a2, _, g2 = _promote(a, b, g)
    gb = np.swapaxes(a2, -1, -2) @ g2
    return gb[..., 0] if b.ndim == 1 else gb


def _tanh_vjp(g, out, a):
    """g · (1 − tanh²), in one buffer."""
    d = np.multiply(out, out, out=np.empty_like(out))
    np.subtract(1.0, d, out=d)
    d *= g
    return d


def _sigmoid(a):
    return 0.5 * (1.0 + np.tanh(0.5 * a))  # stable for huge |a|


def _log_softmax(a, axis=-1):
    shifted = a - a.max(axis=axis, keepdims=True, initial=-np.inf)  # initial: an empty axis
    return shifted - np.log(np.exp(shifted).sum(axis=axis, keepdims=True))


def _softmax(a, axis=-1):
    e = np.exp(a - a.max(axis=axis, keepdims=True, initial=-np.inf))
    e /= e.sum(axis=axis, keepdims=True)
    return e


def _softmax_vjp(g, out, a, axis=-1):
    return out * (g - (g * out).sum(axis=axis, keepdims=True))


def _log_softmax_vjp(g, out, a, axis=-1):
    return g - np.exp(out) * g.sum(axis=axis, keepdims=True)


def _class_indices(logits, targets):
    """Targets as integer class indices, one per row of logits, flattened to (rows,)."""
    idx = np.asarray(targets)
    rows, k = logits.shape[:-1], logits.shape[-1]
    if idx.shape != rows:
        raise ValueError(f"targets must have shape {format_shape(rows)}, one class index per row")
    flat = idx.ravel()
    if flat.size and flat.min() >= 0 and flat.max() < k:  # nan fails both comparisons
        ints = flat.astype(np.intp)
        if not (ints != flat).any():
            return ints
    if not np.all(np.isfinite(idx)) or np.any(idx != np.round(idx)):
        raise ValueError("targets must be whole numbers (class indices)")
    if np.any(idx < 0) or np.any(idx >= k):
        raise ValueError(f"targets must be class indices from 0 to {k - 1}")
    return flat.astype(np.intp)


def _cross_entropy_check(logits, targets):
    if logits.ndim == 0:
        return "logits need at least one dimension (the classes)"
    if logits.shape[-1] == 0:
        return "logits need at least one class (their last axis has size 0)"
    return None


def cross_entropy_terms(logits, targets):
    """−log softmax(logits)[target] for each row, through log-softmax (stable): the terms the
    cross-entropy averages, shaped like the rows."""
    idx = _class_indices(logits, targets)
    log_probs = _log_softmax(logits).reshape(-1, logits.shape[-1])
    return -log_probs[np.arange(len(idx)), idx].reshape(logits.shape[:-1])


def _cross_entropy(logits, targets):
    """Mean over the batch of −log softmax(logits)[target]."""
    return _mean(cross_entropy_terms(logits, targets), None, False)


def _cross_entropy_vjp(g, out, logits, targets):
    """∂L/∂z = (softmax(z) − onehot(y)) / N."""
    idx = _class_indices(logits, targets)
    grad = _softmax(logits)
    grad.reshape(-1, logits.shape[-1])[np.arange(len(idx)), idx] -= 1.0  # − onehot(y)
    grad *= g / len(idx)
    return grad


def _mse_check(pred, target):
    if pred.shape != target.shape and pred.ndim and target.ndim:
        return "prediction and target must have the same shape"
    return None


def squared_errors(pred, target):
    """(ŷ − y)² for each entry: the terms the mean squared error averages."""
    return (pred - target) ** 2


def _mse(pred, target):
    return _mean(squared_errors(pred, target), None, False)


def _mse_vjp_pred(g, out, pred, target):
    diff = pred - target
    return g * 2.0 * diff / diff.size


def _mse_vjp_target(g, out, pred, target):
    return -_mse_vjp_pred(g, out, pred, target)


def _transpose_vjp(g, out, a, axes=None):
    """Transpose back by the inverse permutation (of the axes as numbers from 0: -1 is last)."""
    return np.transpose(g, None if axes is None else np.argsort(np.mod(axes, a.ndim)))


def _elementwise(name, symbol, title, latex, forward, vjp):
    return Op(name, symbol, title, latex, forward, (vjp,), "elementwise")


def _binary(name, symbol, title, latex, forward, vjp_a, vjp_b):
    return Op(name, symbol, title, latex, forward, (vjp_a, vjp_b), "elementwise", infix=True,
              check=_broadcast_check)


def _reduction(name, symbol, title, latex, forward, vjp):
    """A reduction op; `forward(a, axes, keepdims)` and its VJP get the axes from _axes."""
    def run(a, axis=None, keepdims=False):
        return forward(a, _axes(a, axis), keepdims)

    def run_vjp(g, out, a, axis=None, keepdims=False):
        return vjp(g, out, a, _axes(a, axis), keepdims)

    return Op(name, symbol, title, latex, run, (run_vjp,), "reduction",
              attrs=("axis", "keepdims"))


_TABLE = [
    _binary("add", "+", "add",
            r"\frac{\partial (a+b)}{\partial a} = 1,\quad \frac{\partial (a+b)}{\partial b} = 1",
            np.add, lambda g, out, a, b: g, lambda g, out, a, b: g),
    _binary("sub", "−", "subtract",
            r"\frac{\partial (a-b)}{\partial a} = 1,\quad \frac{\partial (a-b)}{\partial b} = -1",
            np.subtract, lambda g, out, a, b: g, lambda g, out, a, b: -g),
    _binary("mul", "×", "multiply",
            r"\frac{\partial (ab)}{\partial a} = b,\quad \frac{\partial (ab)}{\partial b} = a",
            np.multiply, lambda g, out, a, b: g * b, lambda g, out, a, b: g * a),
    _binary("div", "÷", "divide",
            r"\frac{\partial (a/b)}{\partial a} = \frac{1}{b},\quad "
            r"\frac{\partial (a/b)}{\partial b} = -\frac{a}{b^2}",
            np.divide, lambda g, out, a, b: g / b, lambda g, out, a, b: -g * out / b),
    _binary("pow", "^", "power",
            r"\frac{\partial a^b}{\partial a} = b\,a^{b-1},\quad "
            r"\frac{\partial a^b}{\partial b} = a^b \ln a",
            np.power, lambda g, out, a, b: g * b * a ** (b - 1), _pow_vjp_exponent),
    Op("matmul", "@", "matrix product",
       r"\frac{\partial L}{\partial A} = G B^\top,\quad \frac{\partial L}{\partial B} = A^\top G",
       np.matmul, (_matmul_vjp_a, _matmul_vjp_b), "matmul", infix=True, aliases=("dot",),
       check=_matmul_check),
    _elementwise("neg", "−", "negate", r"\frac{d(-x)}{dx} = -1",
                 np.negative, lambda g, out, a: -g),
    _elementwise("exp", "exp", "exponential", r"\frac{d}{dx} e^x = e^x",
                 np.exp, lambda g, out, a: g * out),
    _elementwise("log", "log", "natural logarithm", r"\frac{d}{dx} \ln x = \frac{1}{x}",
                 np.log, lambda g, out, a: g / a),
    _elementwise("tanh", "tanh", "hyperbolic tangent", r"\frac{d}{dx} \tanh x = 1 - \tanh^2 x",
                 np.tanh, _tanh_vjp),
    _elementwise("sigmoid", "σ", "sigmoid",
                 r"\frac{d}{dx} \sigma(x) = \sigma(x)\,(1 - \sigma(x))",
                 _sigmoid, lambda g, out, a: g * out * (1.0 - out)),
    _elementwise("relu", "ReLU", "rectified linear unit", r"\frac{d}{dx} \max(0, x) = [x > 0]",
                 lambda a: np.maximum(a, 0.0), lambda g, out, a: g * (a > 0)),
    _elementwise("sin", "sin", "sine", r"\frac{d}{dx} \sin x = \cos x",
                 np.sin, lambda g, out, a: g * np.cos(a)),
    _elementwise("cos", "cos", "cosine", r"\frac{d}{dx} \cos x = -\sin x",
                 np.cos, lambda g, out, a: -g * np.sin(a)),
    _elementwise("sqrt", "√", "square root", r"\frac{d}{dx} \sqrt{x} = \frac{1}{2\sqrt{x}}",
                 np.sqrt, lambda g, out, a: g * 0.5 / out),
    _elementwise("abs", "|x|", "absolute value", r"\frac{d}{dx} |x| = \operatorname{sign}(x)",
                 np.abs, lambda g, out, a: g * np.sign(a)),
    _reduction("sum", "Σ", "sum", r"\frac{\partial}{\partial x_i} \sum_j x_j = 1",
               lambda a, axis, keepdims: np.sum(a, axis=axis, keepdims=keepdims), _sum_vjp),
    _reduction("mean", "mean", "mean",
               r"\frac{\partial}{\partial x_i} \frac{1}{n}\sum_j x_j = \frac{1}{n}",
               _mean, _mean_vjp),
    _reduction("max", "max", "maximum",
               r"\frac{\partial}{\partial x_i} \max_j x_j = [x_i = \max_j x_j] \,/\, \#\text{ties}",
               _max, _max_vjp),
    Op("reshape", "reshape", "reshape",
       r"\frac{\partial L}{\partial x} = \operatorname{reshape}(G, \text{shape of } x)",
       lambda a, shape: np.reshape(a, shape), (lambda g, out, a, shape: np.reshape(g, a.shape),),
       "shape", attrs=("shape",)),
    Op("transpose", "ᵀ", "transpose", r"\frac{\partial L}{\partial X} = G^\top",
       lambda a, axes=None: np.transpose(a, axes), (_transpose_vjp,), "shape", attrs=("axes",)),
    Op("softmax", "softmax", "softmax", r"\frac{\partial s_i}{\partial z_j} = s_i(\delta_{ij} - s_j)",
       _softmax, (_softmax_vjp,), "normalisation", attrs=("axis",)),
    Op("log_softmax", "log-softmax", "log-softmax",
       r"\frac{\partial \log s_i}{\partial z_j} = \delta_{ij} - s_j",
       _log_softmax, (_log_softmax_vjp,), "normalisation", attrs=("axis",)),
    Op("cross_entropy", "CE", "cross-entropy",
       r"\frac{\partial L}{\partial z} = \frac{1}{N}"
       r"\left(\operatorname{softmax}(z) - \operatorname{onehot}(y)\right)",
       _cross_entropy, (_cross_entropy_vjp, None), "loss", check=_cross_entropy_check),
    Op("mse", "MSE", "mean squared error", r"\frac{\partial L}{\partial \hat y} = \frac{2}{N}(\hat y - y)",
       _mse, (_mse_vjp_pred, _mse_vjp_target), "loss", check=_mse_check),
    Op("dropout", "drop", "dropout",
       r"\frac{\partial L}{\partial x} = G \odot \frac{m}{1-p},\ m_i \sim \operatorname{Bernoulli}(1-p)",
       lambda a, mask: a * mask, (lambda g, out, a, mask: g * mask,), "elementwise", attrs=("mask",)),
]

OPS: dict[str, Op] = {op.name: op for op in _TABLE}
