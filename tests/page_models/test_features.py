"""Input feature expansion: names, values, order and clear errors."""

from dataclasses import replace

import numpy as np
import pytest

from engine import make_dataset, train_val_split
from engine.errors import PlaygroundError
from engine.nn import MLPSpec
from engine.train import train
from page_models.features import FEATURES, available_features, expand_features
from page_models.optimizers import OptimizerChoice

X = np.array([[1.0, 2.0], [-0.5, 3.0], [0.0, -1.0]])


def test_every_feature_has_the_value_its_label_says():
    x1, x2 = X[:, 0], X[:, 1]
    expected = {
        "x1": x1, "x2": x2, "x1sq": x1**2, "x2sq": x2**2, "x1x2": x1 * x2,
        "sinx1": np.sin(x1), "sinx2": np.sin(x2),
    }  # fmt: skip
    assert list(FEATURES) == list(expected)
    for key, column in expected.items():
        np.testing.assert_allclose(expand_features(X, [key])[:, 0], column)


def test_columns_come_in_the_order_asked():
    out = expand_features(X, ["x2", "x1", "x1x2"])
    assert out.shape == (3, 3)
    np.testing.assert_allclose(out, np.column_stack([X[:, 1], X[:, 0], X[:, 0] * X[:, 1]]))


def test_labels_are_readable():
    assert FEATURES["x1sq"].label == "x₁²"
    assert FEATURES["x1x2"].label == "x₁·x₂"
    assert FEATURES["sinx2"].label == "sin x₂"


def test_one_input_column_offers_only_features_of_x1():
    assert available_features(1) == ["x1", "x1sq", "sinx1"]
    assert available_features(2) == list(FEATURES)
    with pytest.raises(PlaygroundError, match="needs x₂"):
        expand_features(X[:, :1], ["x1", "x2"])


@pytest.mark.parametrize("keys, message", [([], "at least one"), (["x3"], "Unknown input")])
def test_bad_feature_lists_get_a_clear_message(keys, message):
    with pytest.raises(PlaygroundError, match=message):
        expand_features(X, keys)


def test_inputs_must_be_a_table():
    with pytest.raises(PlaygroundError, match="table"):
        expand_features(np.zeros(3), ["x1"])


def test_squared_features_let_a_network_without_hidden_layers_separate_circles():
    circles = make_dataset("circles", n=200, noise=0.1, seed=0)
    accuracy = {}
    for keys in (("x1", "x2"), ("x1", "x2", "x1sq", "x2sq")):
        data = replace(circles, X=expand_features(circles.X, keys))
        train_data, val_data = train_val_split(data, 0.2, seed=0)
        spec = MLPSpec(n_in=len(keys), hidden=(), activations=(), n_out=2)
        history = train(spec, OptimizerChoice.of("adam", lr=0.03), train_data, val_data, 60, 32, 0)
        accuracy[keys] = history.epoch_val_acc[-1]
    assert accuracy[("x1", "x2")] < 0.7  # a straight line cannot separate two rings
    assert accuracy[("x1", "x2", "x1sq", "x2sq")] > 0.95  # x₁² + x₂² = r² is linear in them
