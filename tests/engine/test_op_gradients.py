"""Every op's gradient against central differences in float64, and against PyTorch if it is
installed.

test_every_op runs over the op table itself: an op is checked through its generic cases (every
elementwise op whose attributes all have defaults, on values drawn from its entry's domain and
away from its kinks) and its entries in CASES, and an op with neither fails, so a new op cannot
go unchecked. test_every_op_matches_torch runs the same cases through the entry's torch template.
The hypothesis tests below draw shapes, axes and broadcasting pairs.
"""

import ast

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import array_shapes, mutually_broadcastable_shapes

from engine import OPS, Tensor, apply, cross_entropy, dropout, gradcheck, log_softmax, mse, softmax
from engine.ops import TORCH_HELPERS

RNG = np.random.default_rng(0)
KINK_MARGIN = 0.2  # how far the values an op is checked on stay from its kinks


def normal(*shape, rng=RNG):
    return rng.standard_normal(shape)


def drawn(op, shape, rng=RNG, attrs=None):
    """Values for `op` of the given shape: inside its domain, at least KINK_MARGIN from its
    kinks (Op.domain, Op.kinks)."""
    x = rng.standard_normal(shape)
    if op.domain[0] == 0:
        x = np.abs(x) + 0.5
    for kink in op.kinks_at(attrs or {}):
        near = np.abs(x - kink) < KINK_MARGIN
        x = np.where(near, kink + np.where(x >= kink, KINK_MARGIN, -KINK_MARGIN), x)
    return x


ELEMENTWISE_SHAPES = [[()], [(3,)], [(2, 3)]]
BROADCAST_SHAPES = [[(2, 3), (2, 3)], [(3, 1), (1, 4)], [(), (2, 3)], [(2, 3), ()], [(2, 3), (3,)],
                    [(5,), (4, 5)], [(2, 1, 3), (4, 1)]]


class Const:
    """An operand that is a constant of the op (class targets, indices), not a checked input."""

    def __init__(self, value):
        self.value = np.asarray(value, dtype=np.float64)


def _reductions(**extra):
    cases = [((normal(2, 3, 4),), {"axis": axis, "keepdims": keepdims, **extra})
             for axis in (None, 0, 1, 2, -1, (0, 2)) for keepdims in (False, True)]
    scalar = [((normal(),), {"axis": axis, "keepdims": keepdims})  # torch: identity, gradient 1
              for axis in (0, -1) for keepdims in (False, True)]
    return cases + (scalar if not extra else [])


def _softmaxes():
    return [((normal(3, 4),), {"axis": axis}) for axis in (0, 1, -1, -2)] + [
        ((normal(2, 3, 4),), {"axis": 1}), ((normal(),), {"axis": 0}), ((normal(5),), {})]


def _clamps():
    bounds = [{"min": -0.5, "max": 0.5}, {"min": 0.0}, {"max": 0.3}, {"min": 1.0, "max": 1.0}]
    return [((drawn(OPS["clamp"], (3, 4), attrs=b),), b) for b in bounds]


def _spreads():
    """var and std: every reduction, each correction torch allows that leaves n − c > 0."""
    return (_reductions(correction=1) + _reductions(correction=0)
            + [((normal(2, 3, 4),), {"correction": 2}), ((normal(3, 4),), {"axis": 1,
                                                                            "correction": 3})])


# Operands (arrays are checked inputs) and attributes of each op beyond its generic cases.
CASES = {
    "matmul": [((normal(*a), normal(*b)), {}) for a, b in [
        ((2, 3), (3, 4)), ((3,), (3, 4)), ((2, 3), (3,)), ((3,), (3,)), ((2, 2, 3), (3, 4)),
        ((4, 3), (2, 3, 5))]],
    "linear": [((normal(*x), normal(*w), normal(*b)), {}) for x, w, b in [
        ((4, 3), (2, 3), (2,)), ((3,), (2, 3), (2,)), ((4, 3), (2, 3), ()),
        ((4, 3), (5, 2, 3), (5, 1, 2)), ((5, 4, 3), (5, 2, 3), (5, 1, 2)), ((3,), (2, 3), (4, 2))]],
    "sum": _reductions(),
    "mean": _reductions(),
    "max": _reductions() + [((np.array([1.0, 3.0, 3.0]),), {})],  # a tie shares the gradient
    "var": _spreads(),
    "std": _spreads(),
    "logsumexp": _reductions() + [((normal(3) * 400,), {})],  # would overflow exp unshifted
    "reshape": [((normal(2, 3),), {"shape": (3, 2)}), ((normal(2, 3),), {"shape": (-1,)}),
                ((normal(6),), {"shape": (1, 2, 3)}), ((normal(),), {"shape": (1, 1)})],
    "transpose": [((normal(*shape),), {"axes": axes}) for shape, axes in [
        ((2, 3), None), ((2, 3), (1, 0)), ((2, 3), (-1, 0)), ((2, 3, 4), (2, 0, 1)),
        ((2, 3, 4), (-1, -3, -2)), ((2, 3, 4), (1, -1, 0)), ((3,), None), ((), None)]],
    "getitem": [((normal(4),), {"index": (2,)}), ((normal(4),), {"index": (-1,)}),
                ((normal(3, 2),), {"index": (slice(None), 1)}),
                ((normal(4, 2),), {"index": (slice(0, 2),)}),
                ((normal(3, 3),), {"index": (1, 2)}),
                ((normal(5),), {"index": (slice(1, None, 2),)}),
                ((normal(3),), {"index": (slice(None),)}),
                ((normal(4),), {"index": (slice(5, 9),)}),  # an empty slice: no gradient
                ((normal(4, 3), Const([0, 2, 2, 3])), {"index": (None,)}),  # 2 picked twice
                ((normal(4, 3), Const([0, 1, 2, 3]), Const([1, 0, 2, 2])),
                 {"index": (None, None)}),  # one entry per row: log-probabilities[range, y]
                ((normal(3, 4), Const([2, -1])), {"index": (slice(1, 3), None)})],
    "concat": [((normal(2, 3), normal(1, 3)), {"axis": 0}), ((normal(3), normal(2)), {}),
               ((normal(2, 3), normal(2, 2), normal(2, 1)), {"axis": 1}),
               ((normal(2, 3), normal(2, 1)), {"axis": -1}), ((normal(2),), {})],
    "stack": [((normal(2, 3), normal(2, 3)), {"axis": 0}), ((normal(3), normal(3)), {"axis": 1}),
              ((normal(2, 3), normal(2, 3), normal(2, 3)), {"axis": -1}), ((normal(),), {})],
    "leaky_relu": [((drawn(OPS["leaky_relu"], (3, 4)),), {"negative_slope": 0.2}),
                   ((drawn(OPS["leaky_relu"], (3,)),), {"negative_slope": -1.5})],
    "gelu": [((normal(3, 4) * 3,), {"approximate": "tanh"}), ((normal(5) * 3,), {})],
    "softplus": [((normal(3, 4) * 4,), {"beta": 2.0}), ((normal(4) + 30,), {}),
                 ((normal(4) * 3,), {"beta": 0.5, "threshold": 50.0})],
    "elu": [((drawn(OPS["elu"], (3, 4)),), {"alpha": 0.5})],
    "clamp": _clamps(),
    "softmax": _softmaxes(),
    "log_softmax": _softmaxes(),
    "cross_entropy": [((normal(4, 3), Const([0, 2, 1, 2])), {}), ((normal(3), Const(1)), {}),
                      ((normal(2, 2, 3), Const([[0, 1], [2, 2]])), {})],
    "mse": [((normal(*shape), normal(*shape)), {}) for shape in [(), (4,), (3, 2)]]
           + [((normal(4), normal()), {})],
    "dropout": [((normal(5, 4),), {"mask": (RNG.random((5, 4)) >= 0.5) / 0.5})],
}


def plain(op) -> bool:
    """An elementwise op that runs on tensors alone (clamp needs a bound, dropout a mask)."""
    if op.kind != "elementwise" or not set(op.attrs) <= set(op.defaults):
        return False
    try:
        op.forward(*[np.ones(())] * op.arity)
    except ValueError:
        return False
    return True


def gradient_cases(name):
    """The (operands, attrs) pairs op `name` is checked on; [] if it has none."""
    op = OPS[name]
    cases = list(CASES.get(name, []))
    if plain(op):
        shapes = ELEMENTWISE_SHAPES if op.arity == 1 else BROADCAST_SHAPES
        cases += [(tuple(drawn(op, shape) for shape in operands), {}) for operands in shapes]
    return cases


def assert_gradcheck(fn, inputs):
    report = gradcheck(fn, inputs)
    for check in report.inputs:
        assert check.analytic.shape == check.numeric.shape
        assert check.passed, (check.name, check.max_abs_error, check.analytic, check.numeric)


def params(*arrays):
    return [Tensor(a, requires_grad=True, name=f"x{i}") for i, a in enumerate(arrays)]


def runner(op, operands, attrs):
    """fn(*checked inputs) applying `op` with the Const operands in their places."""
    def fn(*checked):
        values = iter(checked)
        return apply(op, *[x.value if isinstance(x, Const) else next(values)
                           for x in operands], **attrs)
    return fn


@pytest.mark.parametrize("name", sorted(OPS))
def test_every_op(name):
    cases = gradient_cases(name)
    assert cases, f"op {name} has no gradient check: add its cases to CASES in {__file__}"
    for operands, attrs in cases:
        inputs = params(*[x for x in operands if not isinstance(x, Const)])
        assert_gradcheck(runner(OPS[name], operands, attrs), inputs)


@pytest.mark.parametrize("name", sorted(OPS))
def test_every_ops_torch_template_is_one_python_expression(name):
    """Checked without PyTorch too: the template fills in on every case and parses."""
    for operands, attrs in gradient_cases(name):
        code = OPS[name].torch_code([f"a{i}" for i in range(len(operands))], attrs)
        ast.parse(code, mode="eval")
        assert "{" not in code and "}" not in code


@pytest.mark.parametrize("name", sorted(OPS))
def test_every_op_matches_torch(name):
    """The op's value and gradients equal its torch template's (torch's autograd)."""
    torch = pytest.importorskip("torch", reason="PyTorch is not a dependency of the app")
    op = OPS[name]
    for operands, attrs in gradient_cases(name):
        inputs = params(*[x for x in operands if not isinstance(x, Const)])
        out = runner(op, operands, attrs)(*inputs)
        v = np.random.default_rng(1).standard_normal(out.shape)
        out.backward(v)
        names = [f"a{i}" for i in range(len(operands))]
        scope = {"torch": torch}
        exec(TORCH_HELPERS, scope)  # our own code, never user text
        tensors = {}
        for label, x in zip(names, operands):
            checked = not isinstance(x, Const)
            value = x.value if not checked else x
            tensors[label] = torch.tensor(value, dtype=torch.float64, requires_grad=checked)
        arrays = {k: torch.tensor(a) for k, a in attrs.items() if isinstance(a, np.ndarray)}
        expected = eval(op.torch_code(names, attrs), {**scope, **tensors, **arrays})
        np.testing.assert_allclose(out.data, expected.detach().numpy(), rtol=1e-10, atol=1e-12)
        expected.backward(torch.tensor(v))
        for tensor, label in zip(inputs, [n for n, x in zip(names, operands)
                                          if not isinstance(x, Const)]):
            grad = tensors[label].grad
            np.testing.assert_allclose(tensor.grad, np.zeros(tensor.shape) if grad is None
                                       else grad.numpy(), rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("name, a, b, grad_a", [
    ("maximum", [1.0, 2.0, 3.0], [3.0, 2.0, 1.0], [0.0, 0.5, 1.0]),
    ("minimum", [1.0, 2.0, 3.0], [3.0, 2.0, 1.0], [1.0, 0.5, 0.0]),
])
def test_maximum_and_minimum_split_a_tie_evenly_as_torch_does(name, a, b, grad_a):
    x, y = params(np.array(a), np.array(b))
    apply(OPS[name], x, y).backward(np.ones(3))
    np.testing.assert_array_equal(x.grad, grad_a)
    np.testing.assert_array_equal(x.grad + y.grad, np.ones(3))


@pytest.mark.parametrize("name, attrs, at, slope", [
    ("relu", {}, 0.0, 0.0), ("abs", {}, 0.0, 0.0), ("leaky_relu", {}, 0.0, 0.01),
    ("elu", {"alpha": 0.5}, 0.0, 0.5), ("clamp", {"min": 0.0, "max": 1.0}, 0.0, 0.0),
    ("clamp", {"min": 0.0, "max": 1.0}, 1.0, 0.0), ("clamp", {"max": 0.0}, 0.0, 0.0),
])
def test_subgradients_at_kinks_are_torchs(name, attrs, at, slope):
    x = params(np.array(at))[0]
    apply(OPS[name], x, **attrs).backward()
    assert x.grad == slope
    assert at in OPS[name].kinks_at(attrs)
    try:
        import torch
    except ImportError:
        return
    a = torch.tensor(at, dtype=torch.float64, requires_grad=True)
    eval(OPS[name].torch_code(["a"], attrs), {"torch": torch, "a": a}).backward()
    assert a.grad.item() == slope


def test_gelu_without_scipy_matches_its_closed_form():
    x = np.array([-3.0, -0.5, 0.0, 0.7, 2.0])
    phi = np.array([0.0013498980, 0.3085375387, 0.5, 0.7580363478, 0.9772498681])  # a table
    exact = x * phi  # x Φ(x)
    np.testing.assert_allclose(OPS["gelu"].forward(x), exact, atol=1e-9)
    assert abs(OPS["gelu"].forward(x, approximate="tanh") - exact).max() < 1e-3


def test_var_and_std_use_torchs_correction():
    x = np.array([1.0, 2.0, 4.0, 7.0])
    assert OPS["var"].forward(x) == pytest.approx(np.var(x, ddof=1))
    assert OPS["std"].forward(x, correction=0) == pytest.approx(np.std(x))
    with np.errstate(divide="ignore"):
        assert np.isinf(OPS["var"].forward(np.array([3.0, 5.0]), correction=2))  # n − c = 0


def test_logsumexp_is_stable():
    assert OPS["logsumexp"].forward(np.array([1000.0, 1000.0])) == pytest.approx(
        1000 + np.log(2))
    with np.errstate(divide="ignore"):
        assert OPS["logsumexp"].forward(np.array([-np.inf, -np.inf])) == -np.inf


def test_getitem_sums_the_gradient_of_an_entry_picked_twice():
    x = params(np.array([1.0, 2.0, 3.0]))[0]
    apply(OPS["getitem"], x, np.array([1.0, 1.0, 0.0]), index=(None,)).backward(np.ones(3))
    np.testing.assert_array_equal(x.grad, [1.0, 2.0, 0.0])


def test_max_shares_the_gradient_among_ties():
    x = Tensor([1.0, 3.0, 3.0], requires_grad=True)
    x.max().backward()
    np.testing.assert_array_equal(x.grad, [0.0, 0.5, 0.5])


def test_dropout_gradient_uses_the_same_mask():
    x = params(normal(5, 4))
    mask_source = dropout(x[0], 0.5, training=True, rng=np.random.default_rng(0))
    mask = mask_source.attrs["mask"]
    assert_gradcheck(lambda t: dropout(t, 0.5, training=True, rng=np.random.default_rng(0)), x)
    mask_source.backward(np.ones((5, 4)))
    np.testing.assert_array_equal(x[0].grad, mask)


# ---- shapes drawn by hypothesis ------------------------------------------------------------
seeds = st.integers(0, 2**32 - 1)
shapes = array_shapes(min_dims=0, max_dims=3, min_side=1, max_side=4)
broadcast_pairs = mutually_broadcastable_shapes(num_shapes=2, min_dims=0, max_dims=3, max_side=4)
ELEMENTWISE = sorted(name for name, op in OPS.items() if plain(op))


@pytest.mark.parametrize("name", ELEMENTWISE)
@given(pair=broadcast_pairs, seed=seeds)
@settings(max_examples=15)
def test_elementwise_on_drawn_shapes(name, pair, seed):
    op = OPS[name]
    operands = [drawn(op, shape, np.random.default_rng(seed + i))
                for i, shape in enumerate(pair.input_shapes)]
    assert_gradcheck(lambda *ts: apply(op, *ts), params(*operands[:op.arity]))


@given(m=st.integers(1, 4), n=st.integers(1, 4), p=st.integers(1, 4), seed=seeds)
@settings(max_examples=15)
def test_matmul_random_sizes(m, n, p, seed):
    r = np.random.default_rng(seed)
    assert_gradcheck(lambda a, b: a @ b, params(r.standard_normal((m, n)),
                                                r.standard_normal((n, p))))


@st.composite
def shape_and_axis(draw, min_dims=1):
    """A shape and one of its axes (a 0-d shape has axis 0, also -1, as in torch)."""
    shape = draw(array_shapes(min_dims=min_dims, max_dims=3, max_side=4))
    n = max(len(shape), 1)
    return shape, draw(st.integers(-n, n - 1))


@pytest.mark.parametrize("name", ["sum", "mean", "max"])
@given(case=shape_and_axis(min_dims=0), keepdims=st.booleans(),
       whole=st.booleans(), seed=seeds)
@settings(max_examples=15)
def test_reductions_on_drawn_shapes(name, case, keepdims, whole, seed):
    shape, axis = case
    axis = None if whole else axis
    x = params(np.random.default_rng(seed).standard_normal(shape))  # ties have probability 0
    out = getattr(x[0], name)(axis=axis, keepdims=keepdims)
    if x[0].ndim:  # NumPy's shape rule; a 0-d value stays 0-d (as in torch)
        assert out.shape == getattr(np, name)(x[0].data, axis=axis, keepdims=keepdims).shape
    assert_gradcheck(lambda t: getattr(t, name)(axis=axis, keepdims=keepdims), x)


@given(shape=array_shapes(min_dims=1, max_dims=3, max_side=4), seed=seeds, data=st.data())
@settings(max_examples=15)
def test_reshape_and_transpose(shape, seed, data):
    r = np.random.default_rng(seed)
    x = params(r.standard_normal(shape))
    axes = tuple(int(a) - data.draw(st.sampled_from((0, len(shape))))  # -1 is the last axis
                 for a in r.permutation(len(shape)))
    weights = r.standard_normal(int(np.prod(shape)))
    assert_gradcheck(lambda t: t.reshape(-1) * weights, x)
    assert_gradcheck(lambda t: t.transpose(*axes), x)
    assert_gradcheck(lambda t: t.T, x)


@pytest.mark.parametrize("fn", [softmax, log_softmax])
@given(case=shape_and_axis(min_dims=0), seed=seeds)
@settings(max_examples=15)
def test_softmax_family_on_drawn_shapes(fn, case, seed):
    shape, axis = case
    assert_gradcheck(lambda t: fn(t, axis=axis),
                     params(np.random.default_rng(seed).standard_normal(shape)))


@given(rows=array_shapes(min_dims=0, max_dims=2, max_side=4), classes=st.integers(1, 5),
       seed=seeds)
@settings(max_examples=15)
def test_cross_entropy_on_drawn_shapes(rows, classes, seed):
    r = np.random.default_rng(seed)
    targets = r.integers(0, classes, size=rows)
    logits = params(r.standard_normal((*rows, classes)) * 3)
    assert_gradcheck(lambda z: cross_entropy(z, targets), logits)


@given(shape=shapes, scalar_target=st.booleans(), seed=seeds)
@settings(max_examples=15)
def test_mse_on_drawn_shapes(shape, scalar_target, seed):
    r = np.random.default_rng(seed)
    target = r.standard_normal(() if scalar_target else shape)
    assert_gradcheck(lambda p, t: mse(p, t), params(r.standard_normal(shape), target))
