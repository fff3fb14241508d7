import inspect

import numpy as np

from engine import Tensor, gradcheck


def test_reports_analytic_numeric_and_errors_per_input():
    x = Tensor([1.0, 2.0], requires_grad=True, name="x")
    y = Tensor(3.0, requires_grad=True)
    report = gradcheck(lambda a, b: (a * b).sum(), [x, y])
    assert report.passed
    assert [c.name for c in report.inputs] == ["x", "input 1"]
    np.testing.assert_allclose(report.inputs[0].analytic, [3.0, 3.0])
    np.testing.assert_allclose(report.inputs[0].numeric, [3.0, 3.0], atol=1e-8)
    assert report.inputs[1].max_abs_error < 1e-6


def test_detects_a_wrong_gradient():
    x = Tensor([0.3, -0.7], requires_grad=True)
    def wrong(t):
        return (t * t.data).sum()  # treats one factor as constant: half the true gradient

    report = gradcheck(wrong, [x])
    assert not report.passed
    assert report.inputs[0].max_abs_error > 0.1


def test_leaves_data_and_gradients_untouched():
    x = Tensor([0.5, 1.5], requires_grad=True)
    x.grad = np.array([7.0, 7.0])
    before = x.data.copy()
    gradcheck(lambda t: t.tanh().sum(), [x])
    np.testing.assert_array_equal(x.data, before)
    np.testing.assert_array_equal(x.grad, [7.0, 7.0])


def test_defaults_are_torchs():
    defaults = {name: p.default for name, p in inspect.signature(gradcheck).parameters.items()}
    assert (defaults["eps"], defaults["atol"], defaults["rtol"]) == (1e-6, 1e-5, 1e-3)


def test_report_fields_per_input():
    x = Tensor([[0.2, -0.4, 0.9]], requires_grad=True, name="x")
    check = gradcheck(lambda t: (t * t).sum(), [x]).inputs[0]
    assert (check.name, check.analytic.shape, check.numeric.shape) == ("x", (1, 3), (1, 3))
    assert check.passed and check.max_abs_error < 1e-8 and check.max_rel_error < 1e-8


def test_an_input_whose_data_is_a_transposed_view():
    x = Tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)
    x.data = x.data.T  # not contiguous: nudges must still reach the very array fn reads
    report = gradcheck(lambda t: (t * np.array([[1.0, 2.0], [3.0, 4.0]])).sum(), [x])
    assert report.passed
    np.testing.assert_allclose(report.inputs[0].numeric, [[1.0, 2.0], [3.0, 4.0]])
