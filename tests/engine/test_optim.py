"""Optimizers: PyTorch golden trajectories, in-place updates, skipped parameters, bad arguments."""

import json
from pathlib import Path

import numpy as np
import pytest

from engine.errors import PlaygroundError
from engine.optim import SGD, Adam, Optimizer
from engine.tensor import Tensor

# torch.optim's trajectories, copied from the team's ../shared/golden/optim.json into the repo so
# a clean checkout tests against them too (test_golden_copy_matches_the_shared_original).
GOLDEN_PATH = Path(__file__).resolve().parent / "golden" / "optim.json"
SHARED_GOLDEN_PATH = Path(__file__).resolve().parents[3] / "shared" / "golden" / "optim.json"
CLASSES = {"SGD": SGD, "Adam": Adam}


def _load_golden() -> dict:
    # A missing golden file must fail the suite (a skipped reference test proves nothing).
    if not GOLDEN_PATH.is_file():
        pytest.fail(f"golden optimizer file missing: {GOLDEN_PATH}")
    return json.loads(GOLDEN_PATH.read_text())


def _golden_cases():
    if not GOLDEN_PATH.is_file():
        return [pytest.param(None, id="golden-file-missing")]
    cases = json.loads(GOLDEN_PATH.read_text())["cases"]
    return [pytest.param(c, id=f"{c['optimizer']}-{i}-{c['kwargs']}") for i, c in enumerate(cases)]


def test_golden_file_has_cases():
    golden = _load_golden()
    assert {c["optimizer"] for c in golden["cases"]} == set(CLASSES)
    assert len(golden["grads"]) == len(golden["cases"][0]["params_after_each_step"])


def test_golden_copy_matches_the_shared_original():
    if not SHARED_GOLDEN_PATH.is_file():
        pytest.skip(f"no shared original beside this checkout ({SHARED_GOLDEN_PATH})")
    assert json.loads(SHARED_GOLDEN_PATH.read_text()) == _load_golden()


@pytest.mark.parametrize("case", _golden_cases())
def test_matches_torch_trajectory(case):
    golden = _load_golden()
    assert case is not None
    p = Tensor(golden["p0"], requires_grad=True)
    data = p.data
    opt = CLASSES[case["optimizer"]]([p], **case["kwargs"])
    assert len(golden["grads"]) == len(case["params_after_each_step"])
    for k, (grad, expected) in enumerate(zip(golden["grads"], case["params_after_each_step"])):
        p.grad = np.array(grad, dtype=np.float64)
        opt.step()
        np.testing.assert_allclose(p.data, expected, rtol=0, atol=1e-12, err_msg=f"step {k}")
    assert p.data is data  # updated in place, never rebound


# ---- behaviour -------------------------------------------------------------------------------
def _make(name, params, **kw):
    return SGD(params, lr=0.1, momentum=0.9, **kw) if name == "sgd" else Adam(params, lr=0.1, **kw)


@pytest.mark.parametrize("name", ["sgd", "adam"])
def test_zero_grad_sets_none(name):
    a, b = Tensor([1.0, 2.0], requires_grad=True), Tensor([[3.0]], requires_grad=True)
    a.grad, b.grad = np.ones(2), np.ones((1, 1))
    _make(name, [a, b]).zero_grad()
    assert a.grad is None and b.grad is None


@pytest.mark.parametrize("name", ["sgd", "adam"])
def test_parameters_without_gradient_are_skipped(name):
    a, b = Tensor([1.0, 2.0], requires_grad=True), Tensor([3.0, 4.0], requires_grad=True)
    opt = _make(name, [a, b])
    a.grad = np.array([0.5, -0.5])
    opt.step()
    assert not np.array_equal(a.data, [1.0, 2.0])
    np.testing.assert_array_equal(b.data, [3.0, 4.0])
    assert opt.state[1]["step"] == 0


def test_skipped_parameter_keeps_its_own_step_count():
    # Like PyTorch: Adam's bias correction uses the steps this parameter actually took.
    a, b = Tensor([1.0], requires_grad=True), Tensor([1.0], requires_grad=True)
    opt = Adam([a, b], lr=0.1)
    a.grad = np.array([1.0])
    opt.step()
    opt.step()
    b.grad = np.array([1.0])
    a.grad = None
    opt.step()
    assert opt.state[0]["step"] == 2 and opt.state[1]["step"] == 1
    np.testing.assert_allclose(b.data, [0.9], atol=1e-12)  # first Adam step moves by lr


@pytest.mark.parametrize("name", ["sgd", "adam"])
def test_update_is_in_place_and_leaves_grad_alone(name):
    p = Tensor(np.arange(6.0).reshape(2, 3), requires_grad=True)
    data = p.data
    grad = np.full((2, 3), 0.25)
    p.grad = grad
    opt = _make(name, [p], weight_decay=0.1)
    opt.step()
    buffers = {k: id(v) for k, v in opt.state[0].items() if isinstance(v, np.ndarray)}
    opt.step()
    assert p.data is data and p.grad is grad
    np.testing.assert_array_equal(grad, 0.25)
    assert {k: id(v) for k, v in opt.state[0].items() if isinstance(v, np.ndarray)} == buffers


def test_plain_sgd_step():
    p = Tensor([[1.0, 2.0]], requires_grad=True)
    p.grad = np.array([[1.0, -1.0]])
    SGD([p], lr=0.5).step()
    np.testing.assert_array_equal(p.data, [[0.5, 2.5]])


def test_zero_learning_rate_is_allowed_and_does_nothing():
    p = Tensor([1.0, 2.0], requires_grad=True)
    p.grad = np.ones(2)
    SGD([p], lr=0.0, momentum=0.9).step()
    np.testing.assert_array_equal(p.data, [1.0, 2.0])


def test_wrong_gradient_shape_is_a_clear_error():
    p = Tensor([1.0, 2.0], requires_grad=True)
    p.grad = np.ones(3)
    with pytest.raises(PlaygroundError, match="shape"):
        SGD([p], lr=0.1).step()


def test_works_with_a_plain_object_with_data_and_grad():
    class Param:
        def __init__(self):
            self.data = np.array([1.0])
            self.grad = np.array([2.0])

    p = Param()
    SGD([p], lr=0.25).step()
    np.testing.assert_array_equal(p.data, [0.5])


def test_hyperparameters_and_repr():
    opt = SGD([Tensor([1.0], requires_grad=True)], lr=0.05, momentum=0.9)
    assert isinstance(opt, SGD) and isinstance(opt, Optimizer)
    assert opt.hyperparameters() == {
        "lr": 0.05, "momentum": 0.9, "dampening": 0.0, "nesterov": False, "weight_decay": 0.0}
    assert repr(opt).startswith("SGD(lr=0.05, momentum=0.9")


# ---- argument validation ---------------------------------------------------------------------
def _p():
    return [Tensor([1.0], requires_grad=True)]


@pytest.mark.parametrize(
    ("build", "match"),
    [
        (lambda: SGD(_p(), lr=-0.1), "lr"),
        (lambda: SGD(_p(), lr=float("nan")), "lr"),
        (lambda: SGD(_p(), lr="0.1"), "lr"),
        (lambda: SGD(_p(), lr=True), "lr"),
        (lambda: SGD(_p(), lr=float("inf")), "lr"),
        (lambda: SGD(_p(), lr=0.1, momentum=-0.5), "momentum"),
        (lambda: SGD(_p(), lr=0.1, dampening=1.5), "dampening"),
        (lambda: SGD(_p(), lr=0.1, weight_decay=-1), "weight_decay"),
        (lambda: SGD(_p(), lr=0.1, nesterov=True), "Nesterov"),
        (lambda: SGD(_p(), lr=0.1, momentum=0.9, dampening=0.1, nesterov=True), "Nesterov"),
        (lambda: SGD(_p(), lr=0.1, momentum=0.9, nesterov="yes"), "nesterov"),
        (lambda: Adam(_p(), lr=-1), "lr"),
        (lambda: Adam(_p(), betas=(1.0, 0.999)), "beta1"),
        (lambda: Adam(_p(), betas=(0.9, -0.1)), "beta2"),
        (lambda: Adam(_p(), betas=0.9), "betas"),
        (lambda: Adam(_p(), betas=(0.9, 0.99, 0.9)), "betas"),
        (lambda: Adam(_p(), eps=-1e-8), "eps"),
        (lambda: Adam(_p(), weight_decay=-0.01), "weight_decay"),
        (lambda: SGD([], lr=0.1), "no parameters"),
        (lambda: SGD([np.zeros(2)], lr=0.1), "Parameter 0"),
    ],
)
def test_bad_arguments_raise_a_clear_error(build, match):
    with pytest.raises(PlaygroundError, match=match):
        build()


def test_nesterov_with_momentum_is_fine():
    assert SGD(_p(), lr=0.1, momentum=0.9, nesterov=True).nesterov is True
