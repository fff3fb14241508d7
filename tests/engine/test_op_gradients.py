"""Every op's gradient against central differences in float64.

test_every_op runs over the op table itself: an op is checked through its generic cases (every
elementwise op without attributes) or its entry in CASES, and an op with neither fails, so a new
op cannot go unchecked. The hypothesis tests below draw shapes, axes and broadcasting pairs.
"""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import array_shapes, mutually_broadcastable_shapes

from engine import OPS, Tensor, apply, cross_entropy, dropout, gradcheck, log_softmax, mse, softmax

RNG = np.random.default_rng(0)


def normal(*shape, rng=RNG):
    return rng.standard_normal(shape)


def positive(*shape, rng=RNG):
    return np.abs(normal(*shape, rng=rng)) + 0.5


def apart_from_zero(*shape, rng=RNG):
    x = normal(*shape, rng=rng)
    return np.where(x >= 0, x + 0.2, x - 0.2)


# The values an elementwise op is checked on: inside its domain, away from its kinks.
DOMAINS = {"log": positive, "sqrt": positive, "div": positive, "pow": positive,
           "relu": apart_from_zero, "abs": apart_from_zero}
ELEMENTWISE_SHAPES = [[()], [(3,)], [(2, 3)]]
BROADCAST_SHAPES = [[(2, 3), (2, 3)], [(3, 1), (1, 4)], [(), (2, 3)], [(2, 3), ()], [(2, 3), (3,)],
                    [(5,), (4, 5)], [(2, 1, 3), (4, 1)]]


class Const:
    """An operand that is a constant of the op (class targets), not a checked input."""

    def __init__(self, value):
        self.value = value


def _reductions():
    cases = [((normal(2, 3, 4),), {"axis": axis, "keepdims": keepdims})
             for axis in (None, 0, 1, 2, -1, (0, 2)) for keepdims in (False, True)]
    scalar = [((normal(),), {"axis": axis, "keepdims": keepdims})  # torch: identity, gradient 1
              for axis in (0, -1) for keepdims in (False, True)]
    return cases + scalar


def _softmaxes():
    return [((normal(3, 4),), {"axis": axis}) for axis in (0, 1, -1, -2)] + [
        ((normal(2, 3, 4),), {"axis": 1}), ((normal(),), {"axis": 0}), ((normal(5),), {})]


# Operands (arrays are checked inputs) and attributes of each op that is not plain elementwise.
CASES = {
    "matmul": [((normal(*a), normal(*b)), {}) for a, b in [
        ((2, 3), (3, 4)), ((3,), (3, 4)), ((2, 3), (3,)), ((3,), (3,)), ((2, 2, 3), (3, 4)),
        ((4, 3), (2, 3, 5))]],
    "sum": _reductions(),
    "mean": _reductions(),
    "max": _reductions() + [((np.array([1.0, 3.0, 3.0]),), {})],  # a tie shares the gradient
    "reshape": [((normal(2, 3),), {"shape": (3, 2)}), ((normal(2, 3),), {"shape": (-1,)}),
                ((normal(6),), {"shape": (1, 2, 3)}), ((normal(),), {"shape": (1, 1)})],
    "transpose": [((normal(*shape),), {"axes": axes}) for shape, axes in [
        ((2, 3), None), ((2, 3), (1, 0)), ((2, 3), (-1, 0)), ((2, 3, 4), (2, 0, 1)),
        ((2, 3, 4), (-1, -3, -2)), ((2, 3, 4), (1, -1, 0)), ((3,), None), ((), None)]],
    "softmax": _softmaxes(),
    "log_softmax": _softmaxes(),
    "cross_entropy": [((normal(4, 3), Const([0, 2, 1, 2])), {}), ((normal(3), Const(1)), {}),
                      ((normal(2, 2, 3), Const([[0, 1], [2, 2]])), {})],
    "mse": [((normal(*shape), normal(*shape)), {}) for shape in [(), (4,), (3, 2)]]
           + [((normal(4), normal()), {})],
    "dropout": [((normal(5, 4),), {"mask": (RNG.random((5, 4)) >= 0.5) / 0.5})],
}


def gradient_cases(name):
    """The (operands, attrs) pairs op `name` is checked on; [] if it has none."""
    op = OPS[name]
    if name in CASES:
        return CASES[name]
    if op.kind == "elementwise" and not op.attrs:
        shapes = ELEMENTWISE_SHAPES if op.arity == 1 else BROADCAST_SHAPES
        draw = DOMAINS.get(name, normal)
        return [(tuple(draw(*shape) for shape in operands), {}) for operands in shapes]
    return []


def assert_gradcheck(fn, inputs):
    report = gradcheck(fn, inputs)
    for check in report.inputs:
        assert check.analytic.shape == check.numeric.shape
        assert check.passed, (check.name, check.max_abs_error, check.analytic, check.numeric)


def params(*arrays):
    return [Tensor(a, requires_grad=True, name=f"x{i}") for i, a in enumerate(arrays)]


@pytest.mark.parametrize("name", sorted(OPS))
def test_every_op(name):
    cases = gradient_cases(name)
    assert cases, f"op {name} has no gradient check: add its cases to CASES in {__file__}"
    op = OPS[name]
    for operands, attrs in cases:
        inputs = params(*[x for x in operands if not isinstance(x, Const)])

        def fn(*checked, operands=operands, attrs=attrs):
            values = iter(checked)
            return apply(op, *[x.value if isinstance(x, Const) else next(values)
                               for x in operands], **attrs)

        assert_gradcheck(fn, inputs)


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
ELEMENTWISE = sorted(name for name, op in OPS.items() if op.kind == "elementwise" and not op.attrs)


def drawn(name, shape, seed):
    """Values for op `name` of the given shape, in its domain (see DOMAINS)."""
    return DOMAINS.get(name, normal)(*shape, rng=np.random.default_rng(seed))


@pytest.mark.parametrize("name", ELEMENTWISE)
@given(pair=broadcast_pairs, seed=seeds)
@settings(max_examples=15)
def test_elementwise_on_drawn_shapes(name, pair, seed):
    op = OPS[name]
    operands = [drawn(name, shape, seed + i) for i, shape in enumerate(pair.input_shapes)]
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
