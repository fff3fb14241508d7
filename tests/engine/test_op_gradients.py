"""Every op's gradient against central differences in float64, shapes drawn by hypothesis."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import array_shapes, mutually_broadcastable_shapes

from engine import OPS, Tensor, cross_entropy, dropout, gradcheck, log_softmax, mse, softmax


def values(rng, shape, positive=False, away_from_zero=False):
    x = rng.standard_normal(shape)
    if positive:
        return np.abs(x) + 0.5
    if away_from_zero:
        return np.where(x >= 0, x + 0.2, x - 0.2)
    return x


def params(*arrays):
    return [Tensor(a, requires_grad=True, name=f"x{i}") for i, a in enumerate(arrays)]


def assert_gradcheck(fn, inputs):
    report = gradcheck(fn, inputs)
    for check in report.inputs:
        assert check.analytic.shape == check.numeric.shape
        assert check.passed, (check.name, check.max_abs_error, check.analytic, check.numeric)


shapes = array_shapes(min_dims=0, max_dims=3, min_side=1, max_side=4)
broadcast_pairs = mutually_broadcastable_shapes(num_shapes=2, min_dims=0, max_dims=3, max_side=4)
seeds = st.integers(0, 2**32 - 1)

# Builders: (rng, shape or shapes) -> (fn, inputs). One per op, so a new op without a case fails.
UNARY = {
    "neg": (lambda t: -t, {}),
    "exp": (lambda t: t.exp(), {}),
    "log": (lambda t: t.log(), {"positive": True}),
    "tanh": (lambda t: t.tanh(), {}),
    "sigmoid": (lambda t: t.sigmoid(), {}),
    "relu": (lambda t: t.relu(), {"away_from_zero": True}),
    "sin": (lambda t: t.sin(), {}),
    "cos": (lambda t: t.cos(), {}),
    "sqrt": (lambda t: t.sqrt(), {"positive": True}),
    "abs": (lambda t: t.abs(), {"away_from_zero": True}),
}
BINARY = {
    "add": (lambda a, b: a + b, {}),
    "sub": (lambda a, b: a - b, {}),
    "mul": (lambda a, b: a * b, {}),
    "div": (lambda a, b: a / b, {"positive": True}),
    "pow": (lambda a, b: a**b, {"positive": True}),
}
OTHER = {"matmul", "sum", "mean", "max", "reshape", "transpose", "softmax", "log_softmax",
         "cross_entropy", "mse", "dropout"}


def test_every_op_in_the_table_has_a_gradient_test():
    assert set(UNARY) | set(BINARY) | OTHER == set(OPS)


@pytest.mark.parametrize("name", sorted(UNARY))
@given(shape=shapes, seed=seeds)
@settings(max_examples=15)
def test_unary(name, shape, seed):
    fn, kind = UNARY[name]
    assert_gradcheck(fn, params(values(np.random.default_rng(seed), shape, **kind)))


@pytest.mark.parametrize("name", sorted(BINARY))
@given(pair=broadcast_pairs, seed=seeds)
@settings(max_examples=15)
def test_binary_with_broadcasting(name, pair, seed):
    fn, kind = BINARY[name]
    rng = np.random.default_rng(seed)
    a, b = (values(rng, s, **kind) for s in pair.input_shapes)
    assert_gradcheck(fn, params(a, b))


@pytest.mark.parametrize(
    "shape_a, shape_b",
    [((3, 1), (1, 4)), ((5,), (4, 5)), ((), (2, 3)), ((2, 3), ()), ((2, 1, 3), (4, 1))],
)
@pytest.mark.parametrize("name", sorted(BINARY))
def test_named_broadcasting_cases(name, shape_a, shape_b):
    fn, kind = BINARY[name]
    rng = np.random.default_rng(1)
    inputs = params(values(rng, shape_a, **kind), values(rng, shape_b, **kind))
    out = fn(*inputs)
    out.backward(np.ones(out.shape))
    assert inputs[0].grad.shape == shape_a and inputs[1].grad.shape == shape_b
    assert_gradcheck(fn, inputs)


@pytest.mark.parametrize(
    "shape_a, shape_b",
    [((2, 3), (3, 4)), ((3,), (3, 4)), ((2, 3), (3,)), ((3,), (3,)), ((2, 2, 3), (3, 4)),
     ((4, 3), (2, 3, 5))],
)
def test_matmul(shape_a, shape_b):
    rng = np.random.default_rng(2)
    a, b = rng.standard_normal(shape_a), rng.standard_normal(shape_b)
    assert_gradcheck(lambda a, b: a @ b, params(a, b))


@given(m=st.integers(1, 4), n=st.integers(1, 4), p=st.integers(1, 4), seed=seeds)
@settings(max_examples=15)
def test_matmul_random_sizes(m, n, p, seed):
    rng = np.random.default_rng(seed)
    a, b = rng.standard_normal((m, n)), rng.standard_normal((n, p))
    assert_gradcheck(lambda a, b: a @ b, params(a, b))


@pytest.mark.parametrize("name", ["sum", "mean", "max"])
@pytest.mark.parametrize("axis", [None, 0, 1, 2, -1, (0, 2)])
@pytest.mark.parametrize("keepdims", [False, True])
def test_reductions_over_each_axis(name, axis, keepdims):
    x = params(np.random.default_rng(3).standard_normal((2, 3, 4)))
    out = getattr(x[0], name)(axis=axis, keepdims=keepdims)
    assert out.shape == getattr(np, {"max": "max", "sum": "sum", "mean": "mean"}[name])(
        x[0].data, axis=axis, keepdims=keepdims
    ).shape
    assert_gradcheck(lambda t: getattr(t, name)(axis=axis, keepdims=keepdims), x)


def test_max_shares_the_gradient_among_ties():
    x = Tensor([1.0, 3.0, 3.0], requires_grad=True)
    x.max().backward()
    np.testing.assert_array_equal(x.grad, [0.0, 0.5, 0.5])


@given(shape=array_shapes(min_dims=1, max_dims=3, max_side=4), seed=seeds)
@settings(max_examples=15)
def test_reshape_and_transpose(shape, seed):
    rng = np.random.default_rng(seed)
    x = params(rng.standard_normal(shape))
    axes = tuple(rng.permutation(len(shape)).tolist())
    weights = rng.standard_normal(int(np.prod(shape)))
    assert_gradcheck(lambda t: t.reshape(-1) * weights, x)
    assert_gradcheck(lambda t: t.transpose(*axes), x)
    assert_gradcheck(lambda t: t.T, x)


@pytest.mark.parametrize("fn", [softmax, log_softmax])
@pytest.mark.parametrize("axis", [0, -1])
def test_softmax_family(fn, axis):
    x = params(np.random.default_rng(4).standard_normal((3, 4)))
    assert_gradcheck(lambda t: fn(t, axis=axis), x)


@pytest.mark.parametrize(
    "shape, targets", [((4, 3), [0, 2, 1, 2]), ((3,), 1), ((2, 2, 3), [[0, 1], [2, 2]])]
)
def test_cross_entropy(shape, targets):
    logits = params(np.random.default_rng(5).standard_normal(shape))
    assert_gradcheck(lambda z: cross_entropy(z, targets), logits)


@pytest.mark.parametrize("shape", [(), (4,), (3, 2)])
def test_mse(shape):
    rng = np.random.default_rng(6)
    pred, target = rng.standard_normal(shape), rng.standard_normal(shape)
    assert_gradcheck(lambda p, t: mse(p, t), params(pred, target))


def test_dropout_gradient_uses_the_same_mask():
    x = params(np.random.default_rng(7).standard_normal((5, 4)))
    mask_source = dropout(x[0], 0.5, training=True, rng=np.random.default_rng(0))
    mask = mask_source.attrs["mask"]
    assert_gradcheck(lambda t: dropout(t, 0.5, training=True, rng=np.random.default_rng(0)), x)
    mask_source.backward(np.ones((5, 4)))
    np.testing.assert_array_equal(x[0].grad, mask)


# ---- the remaining ops on shapes drawn by hypothesis -----------------------------------------
@st.composite
def shape_and_axis(draw, min_dims=1):
    shape = draw(array_shapes(min_dims=min_dims, max_dims=3, max_side=4))
    return shape, draw(st.integers(-len(shape), len(shape) - 1))


@pytest.mark.parametrize("name", ["sum", "mean", "max"])
@given(case=shape_and_axis(), keepdims=st.booleans(), whole=st.booleans(), seed=seeds)
@settings(max_examples=15)
def test_reductions_on_drawn_shapes(name, case, keepdims, whole, seed):
    shape, axis = case
    axis = None if whole else axis
    x = params(np.random.default_rng(seed).standard_normal(shape))  # ties have probability 0
    assert_gradcheck(lambda t: getattr(t, name)(axis=axis, keepdims=keepdims), x)


@pytest.mark.parametrize("fn", [softmax, log_softmax])
@given(case=shape_and_axis(), seed=seeds)
@settings(max_examples=15)
def test_softmax_family_on_drawn_shapes(fn, case, seed):
    shape, axis = case
    assert_gradcheck(lambda t: fn(t, axis=axis),
                     params(np.random.default_rng(seed).standard_normal(shape)))


@given(rows=array_shapes(min_dims=0, max_dims=2, max_side=4), classes=st.integers(1, 5),
       seed=seeds)
@settings(max_examples=15)
def test_cross_entropy_on_drawn_shapes(rows, classes, seed):
    rng = np.random.default_rng(seed)
    targets = rng.integers(0, classes, size=rows)
    logits = params(rng.standard_normal((*rows, classes)) * 3)
    assert_gradcheck(lambda z: cross_entropy(z, targets), logits)


@given(shape=shapes, scalar_target=st.booleans(), seed=seeds)
@settings(max_examples=15)
def test_mse_on_drawn_shapes(shape, scalar_target, seed):
    rng = np.random.default_rng(seed)
    target = rng.standard_normal(() if scalar_target else shape)
    assert_gradcheck(lambda p, t: mse(p, t), params(rng.standard_normal(shape), target))
