"""Every built-in example builds, and its gradients pass gradcheck."""

import re

import numpy as np
import pytest

from engine import cross_entropy, gradcheck
from engine.expr import build, parse
from page_models.examples import EXAMPLES, EXAMPLES_BY_KEY


@pytest.mark.parametrize("example", EXAMPLES, ids=lambda e: e.key)
def test_example_builds_and_passes_gradcheck(example):
    built = build(example.source, example.values)
    assert set(example.values) == set(built.program.free_names)  # every input has its value
    assert built.parameters
    report = gradcheck(built.evaluate, built.parameters)
    assert report.passed, [(c.name, c.max_abs_error) for c in report.inputs]
    assert np.all(np.isfinite(built.output.data))


def test_examples_in_teaching_order_with_url_safe_keys():
    assert [e.key for e in EXAMPLES] == ["partials", "neuron", "chain", "fanout", "softmax_ce",
                                         "mlp", "layernorm", "attention", "micrograd"]
    assert all(re.fullmatch(r"[a-z_]+", e.key) for e in EXAMPLES)
    assert EXAMPLES_BY_KEY["chain"] is EXAMPLES[2]


def test_micrograd_readme_numbers():
    built = build(EXAMPLES_BY_KEY["micrograd"].source, EXAMPLES_BY_KEY["micrograd"].values)
    built.output.backward()
    assert f"{built.output.item():.4f}" == "24.7041"
    assert f"{built.inputs['a'].grad.item():.4f}" == "138.8338"
    assert f"{built.inputs['b'].grad.item():.4f}" == "645.5773"
    assert built.output.name == "g′"
    assert EXAMPLES_BY_KEY["micrograd"].source.startswith("from micrograd.engine import Value\n")


def test_partials_and_fanout_gradients():
    built = build(EXAMPLES_BY_KEY["partials"].source, EXAMPLES_BY_KEY["partials"].values)
    built.output.backward()
    assert (built.inputs["x"].grad, built.inputs["y"].grad) == (3.0, 2.0)
    built = build(EXAMPLES_BY_KEY["fanout"].source, EXAMPLES_BY_KEY["fanout"].values)
    built.output.backward()
    assert built.inputs["x"].grad == 4.0  # y + 1: the two paths add up


def test_chain_network_shapes():
    example = EXAMPLES_BY_KEY["chain"]
    built = build(example.source, example.values)
    assert built.inputs["W"].shape == (3, 2)
    assert list(built.nodes) == ["z", "h", "s"] and built.output.shape == (1, 1)


def test_softmax_gradient_is_p_minus_t():
    example = EXAMPLES_BY_KEY["softmax_ce"]
    built = build(example.source, example.values)
    built.output.backward()
    p, t = built.nodes["p"].data, built.inputs["t"].data
    assert built.inputs["z"].grad == pytest.approx(p - t)
    same = build("cross_entropy(z, 0)", {"z": example.values["z"]}).output.item()
    assert built.output.item() == pytest.approx(same)


def test_mlp_targets_and_data_are_constants():
    example = EXAMPLES_BY_KEY["mlp"]
    assert parse(example.source).output_name == "loss"
    built = build(example.source, example.values)
    assert not built.inputs["X"].requires_grad and not built.inputs["y"].requires_grad
    assert [t.name for t in built.parameters] == ["W1", "b1", "W2", "b2"]


def test_mlp_is_in_the_course_notation_and_its_loss_is_the_cross_entropy():
    example = EXAMPLES_BY_KEY["mlp"]
    built = build(example.source, example.values)
    assert built.inputs["W1"].shape == (5, 2) and built.inputs["W2"].shape == (3, 5)  # (out, in)
    assert "log_softmax(Z2)[range(4), y]" in example.source
    same = cross_entropy(built.nodes["Z2"], built.inputs["y"].data).item()
    assert built.output.item() == pytest.approx(same, rel=1e-12)  # as the blurb says


def test_layer_norm_rows_have_mean_0_variance_1_and_the_input_gradient_sums_to_0():
    example = EXAMPLES_BY_KEY["layernorm"]
    built = build(example.source, example.values)
    xhat = built.nodes["xhat"].data
    np.testing.assert_allclose(xhat.mean(axis=1), 0, atol=1e-12)
    np.testing.assert_allclose(xhat.var(axis=1), 1, atol=1e-4)  # ε = 1e-5 under the root
    built.output.backward(np.ones(built.output.shape))
    np.testing.assert_allclose(built.inputs["x"].grad.sum(axis=1), 0, atol=1e-12)
    assert "sums to 0 along each row" in example.blurb


def test_attention_weights_are_rows_that_sum_to_1_and_reach_every_weight_matrix():
    example = EXAMPLES_BY_KEY["attention"]
    built = build(example.source, example.values)
    A = built.nodes["A"].data
    assert A.shape == (3, 3) and built.output.shape == (3, 2)
    np.testing.assert_allclose(A.sum(axis=1), 1, atol=1e-12)
    built.output.backward(np.ones(built.output.shape))
    assert all(np.abs(built.inputs[w].grad).max() > 1e-3 for w in ("Wq", "Wk", "Wv"))
