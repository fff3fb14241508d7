"""Per-layer activation and dropout, built by MLP and trained by engine.train; page_models.network's
views into a network."""

import numpy as np
import pytest

from engine.data import make_dataset, train_val_split
from engine.errors import PlaygroundError
from engine.nn import MLP, Dropout, Linear, MLPSpec, ReLU, Sigmoid, Tanh
from engine.tensor import topological_order
from engine.train import train
from engine.train_grid import compare
from page_models.network import hidden_activations, one_training_step, repeated_outputs
from page_models.optimizers import OptimizerChoice


def layered(widths, activations, dropouts, gains=()) -> MLPSpec:
    """2 inputs → the hidden layers → 2 outputs."""
    return MLPSpec(n_in=2, hidden=widths, activations=activations, dropouts=dropouts,
                   gains=gains, n_out=2)


def test_each_hidden_layer_gets_its_own_activation_and_dropout():
    spec = layered((4, 3), ("tanh", "relu"), (0.0, 0.5))
    kinds = [type(m) for m in MLP(spec, np.random.default_rng(0))]
    assert kinds == [Linear, Tanh, Linear, ReLU, Dropout, Linear]
    assert str(spec) == "2 → 4 tanh → 3 relu (dropout 0.5) → 2"


def test_uniform_settings_give_the_same_network_as_a_plain_mlpspec():
    per_layer = MLPSpec(n_in=2, hidden=(5, 5), activations=("relu", "relu"),
                        dropouts=(0.0, 0.0), n_out=3)
    plain = MLPSpec(n_in=2, hidden=(5, 5), activations=("relu",), n_out=3)
    a, b = MLP(per_layer, np.random.default_rng(7)), MLP(plain, np.random.default_rng(7))
    for p, q in zip(a.parameters(), b.parameters(), strict=True):
        np.testing.assert_array_equal(p.data, q.data)


def test_no_hidden_layers_is_logistic_regression():
    spec = layered((), (), ())
    model = MLP(spec, np.random.default_rng(0))
    assert [type(m) for m in model] == [Linear]
    assert str(spec) == "2 → 2"


def test_engine_train_trains_it_and_the_loss_falls():
    train_data, val_data = train_val_split(make_dataset("moons", n=120, seed=0), 0.25, seed=0)
    spec = layered((8, 8), ("tanh", "sigmoid"), (0.1, 0.0))
    history = train(spec, OptimizerChoice.of("adam", lr=0.05), train_data, val_data, epochs=15,
                    batch_size=30, seed=1)
    assert isinstance(history.model[4], Sigmoid)
    assert history.epoch_train_loss[-1] < 0.7 * history.epoch_train_loss[0]


def test_compare_keeps_each_layers_activation_and_gain():
    train_data, val_data = train_val_split(make_dataset("moons", n=80, seed=0), 0.25, seed=0)
    spec = layered((4, 3), ("relu", "sigmoid"), (0.0, 0.5), gains=(1.0, 1.0))
    adam = OptimizerChoice.of("adam", lr=0.01)
    runs = compare(spec, [adam], 0.2, [0], train_data, val_data, 1, 20)
    for run in runs:
        trained = run.history.model.spec
        assert (trained.activations, trained.gains) == (("relu", "sigmoid"), (1.0, 1.0))
        assert trained.dropouts == (run.dropout_p, run.dropout_p)
        alone = train(spec.with_dropout(run.dropout_p), run.optimizer, train_data, val_data, 1,
                      20, run.seed)
        assert run.history.step_loss == alone.step_loss


def test_hidden_activations_are_each_layers_outputs_on_one_sample():
    spec = layered((4, 3), ("tanh", "relu"), (0.5, 0.0))
    model = MLP(spec, np.random.default_rng(0))
    x = np.array([0.3, -1.2])
    h1, h2 = hidden_activations(model, x)
    lin1, lin2 = model.layers[0], model.layers[1]
    expected1 = np.tanh(lin1.weight.data @ x + lin1.bias.data)  # Wx + b: W is (out, in)
    np.testing.assert_allclose(h1, expected1)  # evaluation mode: no dropout
    np.testing.assert_allclose(h2, np.maximum(lin2.weight.data @ expected1 + lin2.bias.data, 0))
    assert model.training  # mode restored


def test_repeated_outputs_differ_in_training_mode_and_agree_in_evaluation_mode():
    spec = layered((16,), ("relu",), (0.5,))
    model = MLP(spec, np.random.default_rng(0))
    X = np.random.default_rng(1).normal(size=(5, 2))
    train_passes = repeated_outputs(model, X, 3, training=True)
    eval_passes = repeated_outputs(model, X, 3, training=False)
    assert train_passes.shape == eval_passes.shape == (3, 5, 2)
    assert not np.allclose(train_passes[0], train_passes[1])
    np.testing.assert_array_equal(eval_passes[0], eval_passes[2])
    assert model.training
    # The model's own dropout stream was not used: its next mask is what it would have been.
    fresh = MLP(spec, np.random.default_rng(0))
    np.testing.assert_array_equal(model(X).data, fresh(X).data)


def test_one_training_step_runs_forward_and_backward_on_a_copy():
    spec = layered((3,), ("relu",), (0.5,))
    model = MLP(spec, np.random.default_rng(0))
    X = np.random.default_rng(1).normal(size=(4, 2))
    step, twin = one_training_step(model, X, np.array([0, 1, 1, 0]), "classification")
    loss = step.output
    assert loss.op.name == "cross_entropy" and loss.shape == ()
    ops = [t.op.name for t in topological_order(loss) if t.op]
    assert ops == ["linear", "relu", "dropout", "linear", "cross_entropy"]  # a layer: x Wᵀ + b
    names = {t.name for t in topological_order(loss) if t.is_leaf}
    assert names == {"X", "y", "W1", "b1", "W2", "b2"}
    assert all(p.grad is None for p in model.parameters())  # the model itself is untouched
    assert all(p.grad.shape == p.shape for p in twin.parameters())
    assert any(np.abs(p.grad).sum() > 0 for p in twin.parameters())  # the backward pass ran
    mse_step, _ = one_training_step(model, X, np.zeros((4, 2)), "regression")
    assert mse_step.output.op.name == "mse"


def test_per_layer_initialisation_gains_scale_the_initial_weights():
    default = layered((8,), ("tanh",), (0.0,))
    other = layered((8,), ("tanh",), (0.0,), gains=(1.0,))
    a, b = MLP(default, np.random.default_rng(0)), MLP(other, np.random.default_rng(0))
    assert [i.gain for i in other.inits] == [1.0, 1.0]
    assert default.inits[0].gain == pytest.approx(5 / 3)  # torch's calculate_gain("tanh")
    ratio = a.layers[0].weight.data / b.layers[0].weight.data
    np.testing.assert_allclose(ratio, 5 / 3)
    np.testing.assert_array_equal(a.layers[1].weight.data, b.layers[1].weight.data)  # output
    with pytest.raises(PlaygroundError, match="gain"):
        layered((8,), ("sigmoid",), (0.0,), gains=(1.0, 2.0))
