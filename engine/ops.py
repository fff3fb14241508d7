"""The op table: every primitive op is one entry, its forward and its backward side by side.

An entry holds the forward computation (NumPy arrays in, array out), one vector-Jacobian product
per input, and every other fact about the op: its symbol and readable name, how it is written in
the expression language (help), the local derivative in LaTeX, its PyTorch code, the values it is
checked on (domain, kinks) and each VJP in words for the graph's arithmetic (rule). The
expression parser's whitelist, the graph labels, the help text, the PyTorch export, the gradient
check's explanations and the op tests all read this table, so adding an op is adding one entry.

A VJP has the signature ``vjp(g, out, *inputs, **attrs)``: ``g`` is the upstream gradient (shape of
``out``), ``out`` the op's value, ``inputs`` the operands' values. It may return an array that
broadcasts to its input's shape; the backward pass reduces it to that shape ("unbroadcast") in
one place. ``None`` in place of a VJP marks an input that carries no gradient (class targets,
indices). Subgradients at kinks are PyTorch's.
"""

from __future__ import annotations

import inspect
import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property

import numpy as np
from numpy.lib.array_utils import normalize_axis_tuple

from engine.limits import MAX_OPERANDS

Array = np.ndarray
VJP = Callable[..., Array] | None
# How an attribute is typed: int, float or bool (a keyword, or a number after the tensors if the
# op lists it as positional), tuple (whole numbers after the tensors), a tuple of the names it
# may be (approximate=tanh), or None (it cannot be typed: dropout's mask, a subscript's index).
AttrKind = type | tuple[str, ...] | None
REALS = (-math.inf, math.inf)
POSITIVE = (0.0, math.inf)


@dataclass(frozen=True, kw_only=True, eq=False)
class Op:
    name: str  # identifier, also the function name in the expression language
    symbol: str  # short label on a graph node: "+", "×", "σ"
    title: str  # readable name: "sigmoid"
    help: str  # how it is written: "leaky_relu(x, negative_slope=0.01)"
    forward: Callable[..., Array]
    vjps: tuple[VJP, ...]
    latex: str  # local derivative(s), LaTeX
    torch: str  # PyTorch code: {0}, {1} the operands, {tensors} all of them, {dim} the axis as
    # torch's dim, {reduce} ", dim=…, keepdim=…" (empty for a whole reduction), {index} a
    # subscript's index, and the attributes by name (defaults filled in); it may call torch and
    # TORCH_HELPERS
    kind: str  # "elementwise", "matmul", "layer", "reduction", "shape", "normalisation", "loss",
    # "join"
    infix: bool = False  # written between its operands: a + b
    variadic: bool = False  # takes 1 to len(vjps) tensors (concat, stack, a subscript's arrays)
    attrs: Mapping[str, AttrKind] = field(default_factory=dict)  # keyword arguments it accepts
    positional: tuple[str, ...] = ()  # attributes that may also follow the tensors: clamp(x, 0, 1)
    aliases: tuple[str, ...] = ()  # other names in the expression language
    domain: tuple[float, float] = REALS  # where the operands are drawn from in gradient checks;
    # a finite end is an edge where the op or its slope breaks down (log and sqrt at 0)
    kinks: tuple[float | str, ...] = ()  # values of the first operand where the slope jumps (a
    # name: that attribute's value)
    rule: tuple[str | None, ...] = ()  # each VJP in words, with {0}, {1} the operands' names and
    # {out} the result's: "G {1}ᵀ" (None or missing: the generic chain rule)
    notation: Callable[[Sequence[str], Mapping], str] | None = None  # how it is written, if
    # neither infix nor a call: p[2]
    check: Callable[..., str | None] | None = field(default=None, repr=False)  # shape precheck

    @property
    def arity(self) -> int:
        """The number of tensor arguments (the least, if variadic)."""
        return 1 if self.variadic else len(self.vjps)

    @cached_property
    def defaults(self) -> dict:
        """The attributes' defaults, read from the forward function's signature."""
        parameters = inspect.signature(self.forward).parameters
        return {name: parameters[name].default for name in self.attrs
                if name in parameters and parameters[name].default is not inspect.Parameter.empty}

    def written(self, operands: Sequence[str], attrs: Mapping) -> str:
        """The op with its operands' texts, as a student writes it: a + b, tanh(z), p[2]."""
        if self.notation is not None:
            return self.notation(operands, attrs)
        if self.infix:
            return f" {self.symbol} ".join(operands)
        return f"{self.name}({', '.join(operands)})"

    def torch_code(self, args: Sequence[str], attrs: Mapping) -> str:
        """The PyTorch code of this op on operands given as code (`args`)."""
        values = {**self.defaults, **attrs}
        axis, keepdims = values.get("axis"), values.get("keepdims", False)
        dim = f"tuple(range({args[0]}.dim()))" if axis is None else repr(axis)
        whole = axis is None and not keepdims
        index = values.get("index", ())
        fields = {**values, "dim": dim, "tensors": ", ".join(args),
                  "reduce": "" if whole else f", dim={dim}, keepdim={keepdims}",
                  "index": index_text(index, [f"{a}.long()" for a in args[1:]])}
        return self.torch.format(*args, **fields)

    def kinks_at(self, attrs: Mapping) -> list[float]:
        """The kinks as numbers (an attribute that names one and is None has none)."""
        values = {**self.defaults, **attrs}
        points = [values.get(k) if isinstance(k, str) else k for k in self.kinks]
        return [float(p) for p in points if p is not None]


def format_shape(shape) -> str:
    """Shape as a student writes it: (2,3), (3,), ()."""
    return "(" + ",".join(map(str, shape)) + ("," if len(shape) == 1 else "") + ")"


def index_text(index: Sequence, arrays: Sequence[str]) -> str:
    """A subscript's index as written: 2, -1, `:, 1`, `0:2`, `::-1`; None takes the next of
    `arrays` (the texts of the index operands)."""
    parts, arrays = [], iter(arrays)
    for entry in index:
        if entry is None:
            parts.append(next(arrays))
        elif isinstance(entry, slice):
            bounds = ["" if v is None else str(v) for v in (entry.start, entry.stop)]
            parts.append(":".join(bounds) + ("" if entry.step is None else f":{entry.step}"))
        else:
            parts.append(str(entry))
    return ", ".join(parts)


TORCH_HELPERS = """\
def T(a, axes=None):  # transpose: reverse the axes, as .T does, or permute them
    return a.permute(tuple(range(a.dim() - 1, -1, -1)) if axes is None else axes)
"""
"""Python defining what the torch templates call besides torch (T: the transpose)."""

OPS: dict[str, Op] = {}


def _op(**facts) -> None:
    op = Op(**facts)
    OPS[op.name] = op


# ---- shared helpers ------------------------------------------------------------------------

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


def _broadcast_check(a, b):
    """Why NumPy cannot broadcast a against b (trailing axes paired), or None."""
    for m, n in zip(a.shape[::-1], b.shape[::-1]):
        if m != n and 1 not in (m, n):
            return f"axis sizes {m} and {n} differ and neither is 1, so they cannot broadcast"
    return None


_AXIS = {"axis": int, "keepdims": bool}


# ---- arithmetic ----------------------------------------------------------------------------

_op(name="add", symbol="+", title="add", help="a + b", infix=True, kind="elementwise",
    forward=np.add,
    vjps=(lambda g, out, a, b: g, lambda g, out, a, b: g),
    latex=r"\frac{\partial (a+b)}{\partial a} = 1,\quad \frac{\partial (a+b)}{\partial b} = 1",
    torch="torch.add({0}, {1})", check=_broadcast_check)

_op(name="sub", symbol="−", title="subtract", help="a - b", infix=True, kind="elementwise",
    forward=np.subtract,
    vjps=(lambda g, out, a, b: g, lambda g, out, a, b: -g),
    latex=r"\frac{\partial (a-b)}{\partial a} = 1,\quad \frac{\partial (a-b)}{\partial b} = -1",
    torch="torch.sub({0}, {1})", check=_broadcast_check)

_op(name="mul", symbol="×", title="multiply", help="a * b", infix=True, kind="elementwise",
    forward=np.multiply,
    vjps=(lambda g, out, a, b: g * b, lambda g, out, a, b: g * a),
    latex=r"\frac{\partial (ab)}{\partial a} = b,\quad \frac{\partial (ab)}{\partial b} = a",
    torch="torch.mul({0}, {1})", check=_broadcast_check)

_op(name="div", symbol="÷", title="divide", help="a / b", infix=True, kind="elementwise",
    forward=np.divide,
    vjps=(lambda g, out, a, b: g / b, lambda g, out, a, b: -g * out / b),
    latex=r"\frac{\partial (a/b)}{\partial a} = \frac{1}{b},\quad "
          r"\frac{\partial (a/b)}{\partial b} = -\frac{a}{b^2}",
    torch="torch.div({0}, {1})", check=_broadcast_check, domain=POSITIVE)


def _pow_vjp_exponent(g, out, a, b):
    """g · aᵇ ln a, taken as 0 where a = 0 and b ≥ 0 (the limit; PyTorch does the same)."""
    return np.where((a == 0) & (b >= 0), 0.0, g * out * np.log(a))


_op(name="pow", symbol="^", title="power", help="a ** b", infix=True, kind="elementwise",
    forward=np.power,
    vjps=(lambda g, out, a, b: g * b * a ** (b - 1), _pow_vjp_exponent),
    latex=r"\frac{\partial a^b}{\partial a} = b\,a^{b-1},\quad "
          r"\frac{\partial a^b}{\partial b} = a^b \ln a",
    torch="torch.pow({0}, {1})", check=_broadcast_check, domain=POSITIVE)


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


_op(name="matmul", symbol="@", title="matrix product", help="A @ B, dot(A, B)",
    infix=True, kind="matmul", aliases=("dot",),
    forward=np.matmul,
    vjps=(_matmul_vjp_a, _matmul_vjp_b),
    latex=r"\frac{\partial L}{\partial A} = G B^\top,\quad \frac{\partial L}{\partial B} = A^\top G",
    torch="torch.matmul({0}, {1})", check=_matmul_check, rule=("G {1}ᵀ", "{0}ᵀ G"))

def _linear_check(x, weight, bias):
    if x.ndim == 0 or weight.ndim < 2:
        return "linear needs an input with at least one axis and a weight matrix (out, in)"
    if x.shape[-1] != weight.shape[-1]:
        return f"the input has {x.shape[-1]} features but the weight expects {weight.shape[-1]}"
    return None


def _linear(x, weight, bias):
    return x @ weight.mT + bias


def _linear_vjp_weight(g, out, x, weight, bias):
    """∂L/∂W = Gᵀ X: each output's gradient times the layer's input, summed over the batch."""
    if x.ndim == 1:  # one sample: the outer product
        x, g = x[None, :], g[..., None, :]
    return g.mT @ x


_op(name="linear", symbol="linear", title="linear layer", help="linear(x, W, b) = x @ W.T + b",
    kind="layer",
    forward=_linear,
    vjps=(lambda g, out, x, weight, bias: g @ weight, _linear_vjp_weight,
          lambda g, out, x, weight, bias: g),
    latex=r"\frac{\partial L}{\partial X} = G W,\quad \frac{\partial L}{\partial W} = G^\top X,"
          r"\quad \frac{\partial L}{\partial b} = \textstyle\sum_{\text{rows}} G",
    torch="(torch.matmul({0}, {1}.transpose(-1, -2)) + {2})", check=_linear_check,
    rule=("G {1}", "Gᵀ {0}", None))

_op(name="neg", symbol="−", title="negate", help="-x", kind="elementwise",
    forward=np.negative,
    vjps=(lambda g, out, a: -g,),
    latex=r"\frac{d(-x)}{dx} = -1", torch="torch.neg({0})")

# ---- elementwise functions -----------------------------------------------------------------

_op(name="exp", symbol="exp", title="exponential", help="exp(x)", kind="elementwise",
    forward=np.exp,
    vjps=(lambda g, out, a: g * out,),
    latex=r"\frac{d}{dx} e^x = e^x", torch="torch.exp({0})")

_op(name="log", symbol="log", title="natural logarithm", help="log(x)", kind="elementwise",
    forward=np.log,
    vjps=(lambda g, out, a: g / a,),
    latex=r"\frac{d}{dx} \ln x = \frac{1}{x}", torch="torch.log({0})", domain=POSITIVE)


def _tanh_vjp(g, out, a):
    """g · (1 − tanh²), in one buffer."""
    d = np.multiply(out, out, out=np.empty_like(out))
    np.subtract(1.0, d, out=d)
    d *= g
    return d


_op(name="tanh", symbol="tanh", title="hyperbolic tangent", help="tanh(x)", kind="elementwise",
    forward=np.tanh,
    vjps=(_tanh_vjp,),
    latex=r"\frac{d}{dx} \tanh x = 1 - \tanh^2 x", torch="torch.tanh({0})")


def _sigmoid(a):
    return 0.5 * (1.0 + np.tanh(0.5 * a))  # stable for huge |a|


_op(name="sigmoid", symbol="σ", title="sigmoid", help="sigmoid(x)", kind="elementwise",
    forward=_sigmoid,
    vjps=(lambda g, out, a: g * out * (1.0 - out),),
    latex=r"\frac{d}{dx} \sigma(x) = \sigma(x)\,(1 - \sigma(x))", torch="torch.sigmoid({0})")

_op(name="relu", symbol="ReLU", title="rectified linear unit", help="relu(x)",
    kind="elementwise", kinks=(0.0,),
    forward=lambda a: np.maximum(a, 0.0),
    vjps=(lambda g, out, a: g * (a > 0),),  # torch: slope 0 at 0
    latex=r"\frac{d}{dx} \max(0, x) = [x > 0]", torch="torch.relu({0})")


def _leaky_relu(a, negative_slope=0.01):
    return np.where(a > 0, a, a * negative_slope)


def _leaky_relu_vjp(g, out, a, negative_slope=0.01):
    return g * np.where(a > 0, 1.0, negative_slope)  # torch: the negative slope at 0


_op(name="leaky_relu", symbol="LReLU", title="leaky ReLU",
    help="leaky_relu(x, negative_slope=0.01)", kind="elementwise", kinks=(0.0,),
    attrs={"negative_slope": float}, positional=("negative_slope",),
    forward=_leaky_relu,
    vjps=(_leaky_relu_vjp,),
    latex=r"\frac{d}{dx} = 1 \text{ if } x > 0 \text{ else the negative slope}",
    torch="torch.nn.functional.leaky_relu({0}, negative_slope={negative_slope})")

_SQRT_2, _SQRT_2PI, _GELU_TANH_K, _GELU_TANH_C = (
    math.sqrt(2.0), math.sqrt(2.0 * math.pi), math.sqrt(2.0 / math.pi), 0.044715)
_erf = np.frompyfunc(math.erf, 1, 1)


def _normal_cdf(a):
    """Φ(a) = (1 + erf(a/√2)) / 2, elementwise (math.erf: no SciPy)."""
    return 0.5 * (1.0 + np.asarray(_erf(a / _SQRT_2), dtype=np.float64))


def _gelu(a, approximate="none"):
    if approximate == "tanh":
        return 0.5 * a * (1.0 + np.tanh(_GELU_TANH_K * (a + _GELU_TANH_C * a ** 3)))
    return a * _normal_cdf(a)


def _gelu_vjp(g, out, a, approximate="none"):
    if approximate == "tanh":
        t = np.tanh(_GELU_TANH_K * (a + _GELU_TANH_C * a ** 3))
        slope = _GELU_TANH_K * (1.0 + 3.0 * _GELU_TANH_C * a ** 2)
        return g * (0.5 * (1.0 + t) + 0.5 * a * (1.0 - t * t) * slope)
    return g * (_normal_cdf(a) + a * np.exp(-0.5 * a * a) / _SQRT_2PI)  # Φ(x) + x φ(x)


_op(name="gelu", symbol="GELU", title="Gaussian error linear unit",
    help="gelu(x), gelu(x, approximate=tanh)", kind="elementwise",
    attrs={"approximate": ("none", "tanh")},
    forward=_gelu,
    vjps=(_gelu_vjp,),
    latex=r"\frac{d}{dx}\, x\,\Phi(x) = \Phi(x) + x\,\varphi(x)",
    torch="torch.nn.functional.gelu({0}, approximate={approximate!r})")


def _softplus(a, beta=1.0, threshold=20.0):
    """log(1 + e^(βx)) / β, linear where βx > threshold (as torch)."""
    return np.where(a * beta > threshold, a, np.logaddexp(0.0, a * beta) / beta)


def _softplus_vjp(g, out, a, beta=1.0, threshold=20.0):
    return g * np.where(a * beta > threshold, 1.0, _sigmoid(a * beta))


_op(name="softplus", symbol="softplus", title="softplus",
    help="softplus(x, beta=1, threshold=20)", kind="elementwise",
    attrs={"beta": float, "threshold": float},
    forward=_softplus,
    vjps=(_softplus_vjp,),
    latex=r"\frac{d}{dx} \tfrac{1}{\beta}\ln(1 + e^{\beta x}) = \sigma(\beta x)",
    torch="torch.nn.functional.softplus({0}, beta={beta}, threshold={threshold})")


def _elu(a, alpha=1.0):
    return np.where(a > 0, a, alpha * np.expm1(np.minimum(a, 0.0)))


def _elu_vjp(g, out, a, alpha=1.0):
    return g * np.where(a > 0, 1.0, alpha * np.exp(np.minimum(a, 0.0)))  # torch: α at 0


_op(name="elu", symbol="ELU", title="exponential linear unit", help="elu(x, alpha=1)",
    kind="elementwise", kinks=(0.0,), attrs={"alpha": float},
    forward=_elu,
    vjps=(_elu_vjp,),
    latex=r"\frac{d}{dx} = 1 \text{ if } x > 0 \text{ else } \alpha e^x",
    torch="torch.nn.functional.elu({0}, alpha={alpha})")

_op(name="sin", symbol="sin", title="sine", help="sin(x)", kind="elementwise",
    forward=np.sin,
    vjps=(lambda g, out, a: g * np.cos(a),),
    latex=r"\frac{d}{dx} \sin x = \cos x", torch="torch.sin({0})")

_op(name="cos", symbol="cos", title="cosine", help="cos(x)", kind="elementwise",
    forward=np.cos,
    vjps=(lambda g, out, a: -g * np.sin(a),),
    latex=r"\frac{d}{dx} \cos x = -\sin x", torch="torch.cos({0})")

_op(name="sqrt", symbol="√", title="square root", help="sqrt(x)", kind="elementwise",
    domain=POSITIVE,
    forward=np.sqrt,
    vjps=(lambda g, out, a: g * 0.5 / out,),
    latex=r"\frac{d}{dx} \sqrt{x} = \frac{1}{2\sqrt{x}}", torch="torch.sqrt({0})")

_op(name="abs", symbol="|x|", title="absolute value", help="abs(x)", kind="elementwise",
    kinks=(0.0,),
    forward=np.abs,
    vjps=(lambda g, out, a: g * np.sign(a),),  # torch: sign(0) = 0
    latex=r"\frac{d}{dx} |x| = \operatorname{sign}(x)", torch="torch.abs({0})")


def _tie_share(a, b):
    """1 where a wins, 0 where it loses, ½ at a tie (torch splits the gradient evenly)."""
    return np.where(a == b, 0.5, (a > b).astype(np.float64))


_op(name="maximum", symbol="max", title="elementwise maximum", help="maximum(a, b)",
    kind="elementwise", check=_broadcast_check,
    forward=np.maximum,
    vjps=(lambda g, out, a, b: g * _tie_share(a, b), lambda g, out, a, b: g * _tie_share(b, a)),
    latex=r"\frac{\partial \max(a, b)}{\partial a} = [a > b] + \tfrac12 [a = b]",
    torch="torch.maximum({0}, {1})")

_op(name="minimum", symbol="min", title="elementwise minimum", help="minimum(a, b)",
    kind="elementwise", check=_broadcast_check,
    forward=np.minimum,
    vjps=(lambda g, out, a, b: g * _tie_share(b, a), lambda g, out, a, b: g * _tie_share(a, b)),
    latex=r"\frac{\partial \min(a, b)}{\partial a} = [a < b] + \tfrac12 [a = b]",
    torch="torch.minimum({0}, {1})")


def _clamp(a, min=None, max=None):  # noqa: A002 (torch's names)
    if min is None and max is None:
        raise ValueError("clamp needs min or max, as in clamp(x, 0, 1)")
    lo = -np.inf if min is None else min
    hi = np.inf if max is None else max
    return np.minimum(np.maximum(a, lo), hi)


def _clamp_vjp(g, out, a, min=None, max=None):  # noqa: A002
    lo = -np.inf if min is None else min
    hi = np.inf if max is None else max
    return g * ((a > lo) & (a < hi))  # torch: 0 at the bounds too


_op(name="clamp", symbol="clamp", title="clamp", help="clamp(x, min, max)", kind="elementwise",
    attrs={"min": float, "max": float}, positional=("min", "max"), kinks=("min", "max"),
    forward=_clamp,
    vjps=(_clamp_vjp,),
    latex=r"\frac{d}{dx} = [\min < x < \max]",
    torch="torch.clamp({0}, min={min}, max={max})")

# ---- reductions ----------------------------------------------------------------------------


def _sum(a, axis=None, keepdims=False):
    return a.sum(axis=_axes(a, axis), keepdims=keepdims)


def _sum_vjp(g, out, a, axis=None, keepdims=False):
    return np.broadcast_to(_expand(g, _axes(a, axis), keepdims), a.shape)


_op(name="sum", symbol="Σ", title="sum", help="sum(x, axis=0, keepdims=True)",
    kind="reduction", attrs=_AXIS,
    forward=_sum,
    vjps=(_sum_vjp,),
    latex=r"\frac{\partial}{\partial x_i} \sum_j x_j = 1",
    torch="torch.sum({0}{reduce})", rule=("G copied to every entry of {0}",))


def _mean(a, axis=None, keepdims=False):
    """The sum over `axis` divided by the count (NumPy's mean, without its warning when the
    count is 0: the result is then nan, as 0/0 is)."""
    axes = _axes(a, axis)
    return a.sum(axis=axes, keepdims=keepdims) / _count(a, axes)


def _mean_vjp(g, out, a, axis=None, keepdims=False):
    """Each of the n averaged entries gets g / n."""
    return _sum_vjp(g, out, a, axis, keepdims) / _count(a, _axes(a, axis))


_op(name="mean", symbol="mean", title="mean", help="mean(x, axis=0, keepdims=True)",
    kind="reduction", attrs=_AXIS,
    forward=_mean,
    vjps=(_mean_vjp,),
    latex=r"\frac{\partial}{\partial x_i} \frac{1}{n}\sum_j x_j = \frac{1}{n}",
    torch="torch.mean({0}{reduce})", rule=("G / n copied to every entry of {0}",))


def _max(a, axis=None, keepdims=False):
    axes = _axes(a, axis)
    if _count(a, axes) == 0:
        raise ValueError("the maximum of no numbers is undefined (an axis reduced has size 0)")
    return np.max(a, axis=axes, keepdims=keepdims)


def _max_vjp(g, out, a, axis=None, keepdims=False):
    """Share the gradient equally among the entries that attain the maximum (as torch.amax)."""
    axes = _axes(a, axis)
    winners = a == _expand(out, axes, keepdims)
    return winners * (_expand(g, axes, keepdims) / winners.sum(axis=axes, keepdims=True))


_op(name="max", symbol="max", title="maximum", help="max(x, axis=0, keepdims=True)",
    kind="reduction", attrs=_AXIS,
    forward=_max,
    vjps=(_max_vjp,),
    latex=r"\frac{\partial}{\partial x_i} \max_j x_j = [x_i = \max_j x_j] \,/\, \#\text{ties}",
    torch="torch.amax({0}{reduce})")


def _deviations(a, axis, correction):
    """(x − mean over the axes, the divisor n − correction, as torch: never below 0)."""
    axes = _axes(a, axis)
    centred = a - np.sum(a, axis=axes, keepdims=True) / _count(a, axes)
    return centred, axes, max(_count(a, axes) - correction, 0)


def _var(a, axis=None, correction=1, keepdims=False):
    centred, axes, divisor = _deviations(a, axis, correction)
    return np.sum(centred * centred, axis=axes, keepdims=keepdims) / divisor


def _var_vjp(g, out, a, axis=None, correction=1, keepdims=False):
    centred, axes, divisor = _deviations(a, axis, correction)
    return _expand(g, axes, keepdims) * 2.0 * centred / divisor


_op(name="var", symbol="var", title="variance", help="var(x, axis=0, correction=1)",
    kind="reduction", attrs={**_AXIS, "correction": int},
    forward=_var,
    vjps=(_var_vjp,),
    latex=r"\frac{\partial}{\partial x_i} \frac{\sum_j (x_j - \bar x)^2}{n - c} "
          r"= \frac{2 (x_i - \bar x)}{n - c}",
    torch="torch.var({0}{reduce}, correction={correction})")


def _std(a, axis=None, correction=1, keepdims=False):
    return np.sqrt(_var(a, axis, correction, keepdims))


def _std_vjp(g, out, a, axis=None, correction=1, keepdims=False):
    centred, axes, divisor = _deviations(a, axis, correction)
    return _expand(g / out, axes, keepdims) * centred / divisor


_op(name="std", symbol="std", title="standard deviation", help="std(x, axis=0, correction=1)",
    kind="reduction", attrs={**_AXIS, "correction": int},
    forward=_std,
    vjps=(_std_vjp,),
    latex=r"\frac{\partial s}{\partial x_i} = \frac{x_i - \bar x}{(n - c)\, s}",
    torch="torch.std({0}{reduce}, correction={correction})")


def _logsumexp(a, axis=None, keepdims=False):
    """log Σ exp(x), shifted by the maximum (no overflow); an infinite maximum is not shifted."""
    axes = _axes(a, axis)
    top = np.max(a, axis=axes, keepdims=True, initial=-np.inf)
    top = np.where(np.isfinite(top), top, 0.0)
    out = np.log(np.sum(np.exp(a - top), axis=axes, keepdims=True)) + top
    if keepdims:
        return out
    return out.reshape(()) if axes is None else np.squeeze(out, axes)


def _logsumexp_vjp(g, out, a, axis=None, keepdims=False):
    """softmax(x) · g."""
    axes = _axes(a, axis)
    return _expand(g, axes, keepdims) * np.exp(a - _expand(out, axes, keepdims))


_op(name="logsumexp", symbol="LSE", title="log-sum-exp", help="logsumexp(x, axis=-1)",
    kind="reduction", attrs=_AXIS,
    forward=_logsumexp,
    vjps=(_logsumexp_vjp,),
    latex=r"\frac{\partial}{\partial x_i} \log \sum_j e^{x_j} = \operatorname{softmax}(x)_i",
    torch="torch.logsumexp({0}, dim={dim}, keepdim={keepdims})",
    rule=("softmax({0}) ⊙ G",))

# ---- shapes --------------------------------------------------------------------------------

_op(name="reshape", symbol="reshape", title="reshape", help="reshape(x, 2, 3)", kind="shape",
    attrs={"shape": tuple}, positional=("shape",),
    forward=lambda a, shape: np.reshape(a, shape),
    vjps=(lambda g, out, a, shape: np.reshape(g, a.shape),),
    latex=r"\frac{\partial L}{\partial x} = \operatorname{reshape}(G, \text{shape of } x)",
    torch="torch.reshape({0}, {shape})", rule=("G reshaped to the shape of {0}",))


def _transpose_vjp(g, out, a, axes=None):
    """Transpose back by the inverse permutation (of the axes as numbers from 0: -1 is last)."""
    if axes is None:
        return np.transpose(g)
    forward = [axis % a.ndim for axis in axes]
    return np.transpose(g, sorted(range(a.ndim), key=forward.__getitem__))


_op(name="transpose", symbol="ᵀ", title="transpose", help="x.T, transpose(x, 1, 0)",
    kind="shape", attrs={"axes": tuple}, positional=("axes",),
    forward=lambda a, axes=None: np.transpose(a, axes),
    vjps=(_transpose_vjp,),
    latex=r"\frac{\partial L}{\partial X} = G^\top",
    torch="T({0}, {axes})", rule=("Gᵀ",))


def _index(index, arrays) -> tuple:
    """A subscript's index for NumPy: its entries, with each None replaced by the next array
    (whole numbers, or a ValueError)."""
    arrays = iter(arrays)
    entries = []
    for entry in index:
        if entry is None:
            array = next(arrays)
            whole = np.isfinite(array) & (array == np.round(array))
            if not whole.all():
                raise ValueError(f"an index must be a whole number, not {array[~whole].flat[0]:g}")
            entry = array.astype(np.intp)
        entries.append(entry)
    return tuple(entries)


def _getitem(a, *arrays, index):
    return np.array(a[_index(index, arrays)])  # a copy, never a view of the operand


def _getitem_vjp(g, out, a, *arrays, index):
    """G scattered into zeros at the index; an entry picked twice gets both (np.add.at)."""
    grad = np.zeros_like(a)
    np.add.at(grad, _index(index, arrays), g)
    return grad


_op(name="getitem", symbol="[ ]", title="index", help="x[0], x[-1], W[:, 1], X[0:2], P[range(2), y]",
    kind="shape", variadic=True, attrs={"index": None},
    forward=_getitem,
    vjps=(_getitem_vjp,) + (None,) * MAX_OPERANDS,  # index arrays carry no gradient
    latex=r"\frac{\partial L}{\partial x} = G \text{ scattered into zeros at the index}",
    torch="{0}[{index}]", rule=("G scattered into zeros of the shape of {0}",),
    notation=lambda operands, attrs: f"{operands[0]}[{index_text(attrs['index'], operands[1:])}]")


def _concat_vjp(i: int) -> VJP:
    def vjp(g, out, *inputs, axis=0):
        ends = np.cumsum([x.shape[axis] for x in inputs])
        return np.split(g, ends[:-1], axis=axis)[i]
    return vjp


_op(name="concat", symbol="concat", title="concatenate", help="concat(a, b, axis=0)",
    kind="join", variadic=True, attrs={"axis": int},
    forward=lambda *inputs, axis=0: np.concatenate(inputs, axis=axis),
    vjps=tuple(_concat_vjp(i) for i in range(MAX_OPERANDS)),
    latex=r"\frac{\partial L}{\partial x_k} = \text{the slice of } G \text{ that } x_k \text{ filled}",
    torch="torch.cat(({tensors},), dim={axis})", rule=("the slice of G that {0} filled",))


def _stack_vjp(i: int) -> VJP:
    return lambda g, out, *inputs, axis=0: np.take(g, i, axis=axis)


_op(name="stack", symbol="stack", title="stack", help="stack(a, b, axis=0)",
    kind="join", variadic=True, attrs={"axis": int},
    forward=lambda *inputs, axis=0: np.stack(inputs, axis=axis),
    vjps=tuple(_stack_vjp(i) for i in range(MAX_OPERANDS)),
    latex=r"\frac{\partial L}{\partial x_k} = G_k \text{ (the k-th slice along the axis)}",
    torch="torch.stack(({tensors},), dim={axis})", rule=("the slice of G that {0} filled",))

# ---- normalisation and losses --------------------------------------------------------------


def _front(a, axis):
    """`a` with `axis` swapped with the first axis (a view; swapping again swaps back); a 0-d
    value is its own front (torch gives it one axis, 0 or -1).

    Softmaxes work on a C-ordered copy of it: NumPy reduces a short last axis one row at a time
    (the row maxima of 256×2 logits took 11 µs), a first axis in one vectorised pass per entry
    along it (3 µs), and what it reduces to broadcasts back without a stride-0 axis."""
    if a.ndim == 0 and axis in (0, -1):
        return a
    return a.swapaxes(axis, 0)


def _softmax(a, axis=-1):
    e = _front(a, axis).copy()
    e -= e.max(axis=0, initial=-np.inf)  # initial: an empty axis
    np.exp(e, out=e)
    e /= e.sum(axis=0)
    return _front(e, axis)


_op(name="softmax", symbol="softmax", title="softmax", help="softmax(z, axis=-1)",
    kind="normalisation", attrs={"axis": int},
    forward=_softmax,
    vjps=(lambda g, out, a, axis=-1: out * (g - (g * out).sum(axis=axis, keepdims=True)),),
    latex=r"\frac{\partial s_i}{\partial z_j} = s_i(\delta_{ij} - s_j)",
    torch="torch.softmax({0}, dim={axis})", rule=("{out} ⊙ (G − Σ G ⊙ {out})",))


def _log_softmax(a, axis=-1):
    shifted = _front(a, axis).copy()
    shifted -= shifted.max(axis=0, initial=-np.inf)
    shifted -= np.log(np.exp(shifted).sum(axis=0))
    return _front(shifted, axis)


_op(name="log_softmax", symbol="log-softmax", title="log-softmax", help="log_softmax(z, axis=-1)",
    kind="normalisation", attrs={"axis": int},
    forward=_log_softmax,
    vjps=(lambda g, out, a, axis=-1: g - np.exp(out) * g.sum(axis=axis, keepdims=True),),
    latex=r"\frac{\partial \log s_i}{\partial z_j} = \delta_{ij} - s_j",
    torch="torch.log_softmax({0}, dim={axis})", rule=("G − softmax({0}) ⊙ Σ G",))


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
    log_probs = _log_softmax(logits.reshape(-1, logits.shape[-1]))
    return -log_probs[np.arange(len(idx)), idx].reshape(logits.shape[:-1])


def _cross_entropy_vjp(g, out, logits, targets):
    """∂L/∂z = (softmax(z) − onehot(y)) / N (the forward pass checked the targets)."""
    idx = targets.ravel().astype(np.intp)
    grad = _softmax(logits.reshape(-1, logits.shape[-1]))  # one row per target
    grad[np.arange(len(idx)), idx] -= 1.0  # − onehot(y)
    grad *= float(g) / len(idx)  # g: the loss is a scalar
    return grad.reshape(logits.shape)


_op(name="cross_entropy", symbol="CE", title="cross-entropy", help="cross_entropy(z, y)",
    kind="loss", check=_cross_entropy_check,
    forward=lambda logits, targets: _mean(cross_entropy_terms(logits, targets)),
    vjps=(_cross_entropy_vjp, None),  # the targets are class indices
    latex=r"\frac{\partial L}{\partial z} = \frac{1}{N}"
          r"\left(\operatorname{softmax}(z) - \operatorname{onehot}(y)\right)",
    torch="(lambda z, y: torch.nn.functional.cross_entropy(z.reshape(-1, z.shape[-1]), "
          "y.reshape(-1).long()))({0}, {1})",
    rule=("(softmax({0}) − onehot({1})) / N",))


def _mse_check(pred, target):
    if pred.shape != target.shape and pred.ndim and target.ndim:
        return "prediction and target must have the same shape"
    return None


def squared_errors(pred, target):
    """(ŷ − y)² for each entry: the terms the mean squared error averages."""
    return (pred - target) ** 2


def _mse_vjp_pred(g, out, pred, target):
    diff = pred - target
    return g * 2.0 * diff / diff.size


_op(name="mse", symbol="MSE", title="mean squared error", help="mse(prediction, target)",
    kind="loss", check=_mse_check,
    forward=lambda pred, target: _mean(squared_errors(pred, target)),
    vjps=(_mse_vjp_pred, lambda g, out, pred, target: -_mse_vjp_pred(g, out, pred, target)),
    latex=r"\frac{\partial L}{\partial \hat y} = \frac{2}{N}(\hat y - y)",
    torch="torch.mean(({0} - {1}) ** 2)")

_op(name="dropout", symbol="drop", title="dropout", help="dropout (the Network Builder draws its mask)",
    kind="elementwise", attrs={"mask": None},
    forward=lambda a, mask: a * mask,
    vjps=(lambda g, out, a, mask: g * mask,),
    latex=r"\frac{\partial L}{\partial x} = G \odot \frac{m}{1-p},\ "
          r"m_i \sim \operatorname{Bernoulli}(1-p)",
    torch="({0} * mask)")
