"""The backward pass: fan-out, accumulation, deep graphs, observer, errors, non-finite values."""

import warnings

import numpy as np
import pytest

import engine
from engine import (
    PlaygroundError,
    ShapeError,
    Tensor,
    cross_entropy,
    gradcheck,
    log_softmax,
    mse,
    no_grad,
    softmax,
)


def test_fan_out_sums_the_contributions():
    x = Tensor(3.0, requires_grad=True)
    y = Tensor(-2.0, requires_grad=True)
    (x * y + x).backward()
    assert x.grad == pytest.approx(-2.0 + 1.0)
    assert y.grad == pytest.approx(3.0)


def test_same_tensor_twice_in_one_op():
    x = Tensor([1.0, -2.0], requires_grad=True)
    (x * x).sum().backward()
    np.testing.assert_allclose(x.grad, [2.0, -4.0])


def test_gradients_accumulate_until_zeroed():
    x = Tensor([1.0, 2.0], requires_grad=True)
    (x * 3).sum().backward()
    (x * 3).sum().backward()
    np.testing.assert_allclose(x.grad, [6.0, 6.0])
    x.zero_grad()
    assert x.grad is None
    (x * 3).sum().backward()
    np.testing.assert_allclose(x.grad, [3.0, 3.0])


def test_intermediate_gradients_do_not_leak_into_the_next_pass():
    x = Tensor(2.0, requires_grad=True)
    h = x * x
    out = h * 3
    out.backward()
    out.backward()
    assert x.grad == pytest.approx(2 * 12.0)
    assert h.grad == pytest.approx(2 * 3.0)


def test_every_gradient_has_its_tensors_shape():
    W = Tensor(np.ones((3, 2)), requires_grad=True)
    b = Tensor(np.zeros(3), requires_grad=True)
    x = Tensor([[1.0], [2.0]])
    out = ((W @ x).reshape(3) + b).tanh().sum()
    out.backward()
    for t in engine.topological_order(out, only_requiring_grad=True):
        assert t.grad.shape == t.data.shape


def test_reflected_operators_with_numbers_and_arrays():
    x = Tensor([1.0, 2.0], requires_grad=True)
    out = (2 - x) * 3 + 1 / x + 2**x + np.array([1.0, 1.0]) * x
    out.sum().backward()
    expected = -3 - 1 / x.data**2 + np.log(2) * 2**x.data + 1
    np.testing.assert_allclose(x.grad, expected)
    np.testing.assert_allclose((np.ones(2) @ x).data, 3.0)


@pytest.mark.parametrize("symbol", ["+", "-", "*", "/", "**", "@"])
@pytest.mark.parametrize("left", [np.array([[0.5, 2.0], [1.5, 3.0]]), np.float64(1.5), 2.0])
def test_reflected_operators_with_a_numpy_array_or_number_on_the_left(symbol, left):
    if symbol == "@" and np.ndim(left) == 0:
        return  # a scalar has no matrix product
    fn = {"+": lambda a, b: a + b, "-": lambda a, b: a - b, "*": lambda a, b: a * b,
          "/": lambda a, b: a / b, "**": lambda a, b: a**b, "@": lambda a, b: a @ b}[symbol]
    x = Tensor([[0.7, 1.2], [0.4, 2.5]], requires_grad=True)
    out = fn(left, x)
    assert isinstance(out, Tensor) and out.parents[1] is x  # NumPy deferred to the Tensor
    np.testing.assert_allclose(out.data, fn(np.asarray(left), x.data))
    assert gradcheck(lambda t: fn(left, t), [x]).passed


def test_grad_is_none_until_a_backward_pass_reaches_it():
    x = Tensor([1.0, 2.0], requires_grad=True)
    unused = Tensor([[1.0]], requires_grad=True)
    assert x.grad is None
    (x * 2).sum().backward()
    assert unused.grad is None
    assert x.grad.shape == (2,) and x.grad.dtype == np.float64


def test_a_gradient_of_the_wrong_shape_is_a_shape_error():
    x = Tensor([1.0, 2.0], requires_grad=True)
    with pytest.raises(ShapeError, match=r"backward: .*\(3,\).*\(2,\)"):
        (x * 2).backward(np.ones(3))
    (x * 2).backward(1.0)  # a scalar gradient broadcasts
    np.testing.assert_allclose(x.grad, [2.0, 2.0])


def test_chain_of_ten_thousand_ops():
    x = Tensor(0.5, requires_grad=True)
    y = x
    for _ in range(10_000):
        y = y * 1.0001
    y.backward()
    assert x.grad == pytest.approx(1.0001**10_000)


def test_ten_thousand_diamonds_are_visited_once_each():
    # Each step reads y twice: a traversal that revisits shared nodes would take 2**10000 steps.
    x = Tensor(1.0, requires_grad=True)
    y = x
    for _ in range(10_000):
        y = y * 0.5 + y * 0.5
    order = engine.topological_order(y, only_requiring_grad=True)
    assert len(order) == 1 + 3 * 10_000 and len({id(t) for t in order}) == len(order)
    y.backward()
    assert x.grad == pytest.approx(1.0)


def test_topological_order_puts_parents_first():
    a = Tensor(1.0, requires_grad=True)
    b = a * 2
    c = a + b
    d = c * b
    order = engine.topological_order(d)
    for node in order:
        for parent in node.parents:
            assert order.index(parent) < order.index(node)
    assert len(order) == len({id(n) for n in order})


def test_observer_contributions_sum_to_each_gradient():
    rng = np.random.default_rng(0)
    W = Tensor(rng.standard_normal((3, 2)), requires_grad=True, name="W")
    x = Tensor(rng.standard_normal(2), requires_grad=True, name="x")
    h = (W @ x).sigmoid()
    s = (h * h).sum() + (W @ x).sum() + x.sum()
    received = {}
    edges = []

    def observer(child, parent, contribution):
        edges.append((child, parent))
        received[parent] = received.get(parent, 0) + contribution

    s.backward(observer=observer)
    assert len(edges) > 5
    for node, total in received.items():
        np.testing.assert_allclose(total, node.grad)
    # Reported in the order of the pass: a child reports before the edges out of its parents.
    position = {}
    for i, (child, _) in enumerate(edges):
        position.setdefault(child, i)
    for i, (_, parent) in enumerate(edges):
        if parent in position:
            assert position[parent] > i


def test_backward_without_gradient_needs_a_scalar():
    x = Tensor([1.0, 2.0], requires_grad=True)
    with pytest.raises(PlaygroundError, match="scalar"):
        (x * 2).backward()
    (x * 2).backward(np.array([1.0, 10.0]))
    np.testing.assert_allclose(x.grad, [2.0, 20.0])


def test_shape_error_names_the_op_and_both_shapes():
    message = r"matmul: \(2,3\) @ \(2,4\): inner dimensions 3 and 2 differ"
    with pytest.raises(ShapeError, match=message):
        Tensor(np.ones((2, 3))) @ Tensor(np.ones((2, 4)))
    with pytest.raises(ShapeError, match=r"add: \(2,3\) \+ \(4,\): axis sizes 3 and 4 differ"):
        Tensor(np.ones((2, 3))) + Tensor(np.ones(4))
    with pytest.raises(ShapeError, match="sum"):
        Tensor(np.ones((2, 3))).sum(axis=2)
    with pytest.raises(ShapeError, match="reshape"):
        Tensor(np.ones((2, 3))).reshape(4, 2)
    with pytest.raises(ShapeError, match="class indices"):
        cross_entropy(Tensor(np.ones((2, 3))), [0, 3])
    with pytest.raises(ShapeError, match=r"mse: \(2,1\), \(2,\): .* same shape"):
        mse(Tensor(np.ones((2, 1))), Tensor(np.ones(2)))  # would silently broadcast to (2,2)
    assert issubclass(ShapeError, PlaygroundError)


def test_huge_logits_give_no_nan():
    z = Tensor([[1000.0, 1001.0, 1002.0], [-1000.0, 0.0, 1000.0]], requires_grad=True)
    for out in (softmax(z), log_softmax(z)):
        assert np.isfinite(out.data).all()
    loss = cross_entropy(z, [2, 0])
    assert np.isfinite(loss.data)
    loss.backward()
    assert np.isfinite(z.grad).all()


def test_cross_entropy_gradient_is_softmax_minus_onehot_over_n():
    rng = np.random.default_rng(1)
    z = Tensor(rng.standard_normal((5, 4)) * 10, requires_grad=True)
    y = np.array([0, 3, 1, 1, 2])
    cross_entropy(z, y).backward()
    onehot = np.eye(4)[y]
    np.testing.assert_allclose(z.grad, (softmax(z).data - onehot) / 5, rtol=1e-12, atol=1e-15)


def test_non_finite_values_propagate():
    x = Tensor([1.0, 0.0], requires_grad=True, name="x")
    out = (x.log() * 2).sum()
    assert np.isneginf(out.data)
    out.backward()  # no exception: inf/nan flow through
    assert not np.isfinite(x.grad).all()


@pytest.mark.parametrize("grad_shape, shape", [((3, 4), (3, 4)), ((2, 3, 4), (3, 4)),
                                               ((3, 4), (1, 4)), ((3, 4), ()), ((5, 3, 4), (3, 1))])
def test_unbroadcast_sums_what_broadcasting_stretched(grad_shape, shape):
    g = np.random.default_rng(0).normal(size=grad_shape)
    reduced = engine.unbroadcast(g, shape)
    assert reduced.shape == shape
    assert reduced.sum() == pytest.approx(g.sum())


@pytest.mark.parametrize("grad_shape, shape", [((3,), (3, 4)), ((3, 4), (4, 3)), ((2,), (3,)),
                                               ((), (2,))])
def test_unbroadcast_raises_on_a_gradient_broadcasting_cannot_explain(grad_shape, shape):
    """A VJP that returns too small or the wrong shape is a bug: never papered over."""
    with pytest.raises(ShapeError, match="cannot be reduced"):
        engine.unbroadcast(np.ones(grad_shape), shape)


def test_overflow_and_division_by_zero_do_not_raise():
    big = Tensor(1000.0).exp()
    assert np.isposinf(big.data)
    assert np.isposinf((Tensor(1.0) / Tensor(0.0)).data)


def test_empty_arrays_and_zero_powers_never_raise_or_warn():
    empty = Tensor(np.zeros((0, 3)), requires_grad=True)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert np.isnan(empty.mean().data)  # the mean of nothing is 0/0
        empty.mean().backward()
        empty.mean(axis=0).backward(np.ones(3))
        assert np.isnan(mse(Tensor(np.zeros(0)), 0.0).data)
        assert np.isnan(cross_entropy(Tensor(np.zeros((0, 3))), np.zeros(0)).data)
        assert softmax(Tensor(np.zeros((3, 0)))).shape == (3, 0)  # as in torch
        assert log_softmax(Tensor(np.zeros((0, 3))), axis=0).shape == (0, 3)
    assert empty.grad.shape == (0, 3)
    base, exponent = Tensor(0.0, requires_grad=True), Tensor(2.0, requires_grad=True)
    (base**exponent).backward()
    assert base.grad == 0.0 and exponent.grad == 0.0  # the limit of 0**b · ln 0, as in PyTorch


def test_no_grad_records_nothing():
    x = Tensor(2.0, requires_grad=True)
    with no_grad():
        y = x * 3
    assert not y.requires_grad and y.parents == ()
    z = x * 3
    assert z.requires_grad and z.parents[0] is x


def test_constants_are_recorded_for_display_but_get_no_gradient():
    a = Tensor(2.0, name="a")
    b = Tensor(3.0, requires_grad=True, name="b")
    c = a * 4
    out = c + b
    assert c.parents[0] is a and not c.requires_grad
    out.backward()
    assert a.grad is None and c.grad is None and b.grad == 1.0


def test_backward_never_keeps_the_callers_gradient_array():
    x = Tensor([1.0, 2.0], requires_grad=True)
    h = x + 1
    seed = np.ones(2)
    (h + 0).backward(seed)
    seed[:] = 100.0
    np.testing.assert_array_equal(h.grad, [1.0, 1.0])
    np.testing.assert_array_equal(x.grad, [1.0, 1.0])


def test_a_leaf_gradient_is_its_own_c_array_even_through_a_transpose():
    w = Tensor(np.arange(6.0).reshape(2, 3), requires_grad=True)
    x = Tensor(np.ones((4, 3)))
    (x @ w.T).sum().backward()  # the contribution reaching w is a transposed view
    assert w.grad.flags.c_contiguous and w.grad.flags.owndata
    np.testing.assert_array_equal(w.grad, np.full((2, 3), 4.0))


@pytest.mark.parametrize("value", [[2.0], [[2.0]], 2.0, np.float64(2.0)])
def test_item_of_any_one_element_tensor(value):
    assert Tensor(value).item() == 2.0 and type(Tensor(value).item()) is float


@pytest.mark.parametrize("shape", [(2,), (0,), (1, 2)])
def test_item_of_more_or_fewer_elements_is_a_shape_error(shape):
    with pytest.raises(ShapeError, match=rf"item\(\) needs a value with one element.*{shape[-1]}"):
        Tensor(np.zeros(shape)).item()


@pytest.mark.parametrize("reduction", ["sum", "mean", "max"])
@pytest.mark.parametrize("axis", [0, -1, (0,)])
@pytest.mark.parametrize("keepdims", [False, True])
def test_reducing_a_0d_value_over_its_axis_is_the_identity(reduction, axis, keepdims):
    x = Tensor(2.0, requires_grad=True)  # torch: x.sum(0) is x, and its gradient is 1
    out = getattr(x, reduction)(axis=axis, keepdims=keepdims)
    out.backward()
    assert (out.shape, out.item(), x.grad) == ((), 2.0, 1.0)


@pytest.mark.parametrize("fn, value", [(softmax, 1.0), (log_softmax, 0.0)])
@pytest.mark.parametrize("axis", [0, -1])
def test_softmax_of_a_0d_value_is_one(fn, value, axis):
    x = Tensor(2.0, requires_grad=True)
    out = fn(x, axis=axis)
    out.backward()
    assert (out.shape, out.item(), x.grad) == ((), value, 0.0)  # as torch.softmax(x, 0)


@pytest.mark.parametrize("call, message", [
    (lambda: Tensor(2.0).sum(axis=1), "axis 1 is out of bounds"),
    (lambda: Tensor(np.ones((2, 3))).mean(axis=-3), "axis -3 is out of bounds"),
    (lambda: Tensor(np.ones((2, 3))).sum(axis=(0, -2)), "repeated axis"),
    (lambda: Tensor(np.zeros((2, 0))).max(axis=1), r"maximum of no numbers.*size 0"),
    (lambda: Tensor(np.zeros(0)).max(), r"maximum of no numbers.*size 0"),
    (lambda: cross_entropy(Tensor(np.zeros((2, 0))), [0, 0]), "at least one class"),
])
def test_reductions_that_have_no_answer_are_shape_errors(call, message):
    with pytest.raises(ShapeError, match=message):
        call()


def test_max_over_a_nonempty_axis_of_an_empty_value_is_empty():
    x = Tensor(np.zeros((0, 3)), requires_grad=True)
    out = x.max(axis=1)
    out.backward(np.ones(0))
    assert out.shape == (0,) and x.grad.shape == (0, 3)
