"""engine.nn: modules, parameters, modes, Linear's initialisation, Dropout, MLPSpec and MLP."""

import math

import numpy as np
import pytest

from engine import (
    ACTIVATIONS,
    MLP,
    Dropout,
    LimitError,
    Linear,
    MLPSpec,
    PlaygroundError,
    ReLU,
    Sequential,
    Sigmoid,
    Tanh,
    Tensor,
    cross_entropy,
    gradcheck,
)
from engine.limits import MAX_HIDDEN_LAYERS, MAX_WIDTH
from engine.nn import GAINS, Init, stack_models


def rng(seed=0):
    return np.random.default_rng(seed)


# ---- Module, Linear, Sequential --------------------------------------------------------------
def test_linear_is_torchs_layout_and_default_initialisation():
    """W is (out, in) and y = x Wᵀ + b (Wx + b per sample); W and b ~ U(±1/√in)."""
    layer = Linear(3, 5, rng())
    assert layer.weight.shape == (5, 3) and layer.bias.shape == (5,)
    bound = 1 / math.sqrt(3)
    for p in (layer.weight.data, layer.bias.data):
        assert bound >= np.abs(p).max() > 0.5 * bound  # really spread over (−a, a)
    x = np.random.default_rng(1).normal(size=(4, 3))
    np.testing.assert_allclose(layer(x).data, x @ layer.weight.data.T + layer.bias.data)
    np.testing.assert_allclose(layer(x).data[0], layer.weight.data @ x[0] + layer.bias.data)
    assert str(layer.init) == "PyTorch's default"


@pytest.mark.parametrize("init, bound", [
    (Init("xavier", 2.0), 2.0 * math.sqrt(6 / (10 + 4))),
    (Init("he", math.sqrt(2)), math.sqrt(6 / 10)),  # variance 2 / fan_in
])  # fmt: skip
def test_xavier_and_he_bounds_and_zero_bias(init, bound):
    layer = Linear(10, 4, rng(), init)
    assert init.bound(10, 4) == pytest.approx(bound)
    assert bound >= np.abs(layer.weight.data).max() > 0.5 * bound
    np.testing.assert_array_equal(layer.bias.data, 0.0)


def test_initialisations_say_what_they_are():
    assert [str(i) for i in MLPSpec(n_in=2, hidden=(4, 4, 4), activations=(
        "tanh", "sigmoid", "relu"), n_out=2).inits] == [
        "Xavier, gain 5/3", "Xavier, gain 1", "He, gain √2", "Xavier, gain 1"]
    assert str(Init("he", 1.5)) == "He, gain 1.5"
    with pytest.raises(PlaygroundError, match="Unknown initialisation"):
        Init("orthogonal")
    with pytest.raises(PlaygroundError, match="positive"):
        Init("xavier", 0.0)


@pytest.mark.parametrize("bad", [0, -1, 2.5, True, MAX_WIDTH + 1])
def test_linear_rejects_bad_sizes(bad):
    with pytest.raises(PlaygroundError):
        Linear(bad, 3, rng())


def test_parameters_and_names_in_order():
    net = Sequential(Linear(2, 3, rng()), Tanh(), Linear(3, 1, rng()))
    names = [name for name, _ in net.named_parameters()]
    assert names == ["0.weight", "0.bias", "2.weight", "2.bias"]
    assert [p.shape for p in net.parameters()] == [(3, 2), (3,), (1, 3), (1,)]
    assert all(p.requires_grad for p in net.parameters())


def test_train_and_eval_reach_every_submodule():
    drop = Dropout(0.5, rng())
    inner = Sequential(Linear(2, 2, rng()), drop)
    net = Sequential(inner, ReLU())
    assert net.eval() is net
    assert not net.training and not inner.training and not drop.training
    net.train()
    assert net.training and inner.training and drop.training


def test_sequential_is_indexable_and_iterable():
    a, b = Linear(2, 2, rng()), Sigmoid()
    net = Sequential(a, b)
    assert net[0] is a and net[-1] is b and list(net) == [a, b] and len(net) == 2
    with pytest.raises(PlaygroundError, match="not a Module"):
        Sequential(a, "tanh")


def test_call_accepts_tensor_or_array():
    layer = Linear(2, 2, rng())
    x = np.array([[1.0, -2.0]])
    np.testing.assert_array_equal(layer(x).data, layer(Tensor(x)).data)


def test_activations_compute_their_functions():
    x = np.array([[-2.0, 0.0, 3.0]])
    np.testing.assert_allclose(Tanh()(x).data, np.tanh(x))
    np.testing.assert_allclose(Sigmoid()(x).data, 1 / (1 + np.exp(-x)))
    np.testing.assert_allclose(ReLU()(x).data, [[0.0, 0.0, 3.0]])
    assert ACTIVATIONS == {"tanh": Tanh, "sigmoid": Sigmoid, "relu": ReLU}


def test_repr_is_readable():
    model = MLP(MLPSpec(n_in=2, hidden=(4,), dropouts=(0.1,), n_out=3), rng())
    text = repr(model)
    assert text.splitlines()[0] == "MLP(2 → 4 tanh (dropout 0.1) → 3"
    assert "(0): Linear(2 → 4)" in text and "(1): Tanh()" in text
    assert "(2): Dropout(p=0.1)" in text and "(3): Linear(4 → 3)" in text


# ---- Dropout ---------------------------------------------------------------------------------
def test_dropout_zeroes_a_fraction_p_and_keeps_the_mean():
    p = 0.3
    x = np.ones((400, 500))
    out = Dropout(p, rng())(x).data
    assert np.mean(out == 0.0) == pytest.approx(p, abs=0.005)
    np.testing.assert_allclose(np.unique(out), [0.0, 1 / (1 - p)])
    assert out.mean() == pytest.approx(1.0, abs=0.01)


def test_dropout_gradient_is_the_mask():
    x = Tensor(np.ones((50, 40)), requires_grad=True)
    out = Dropout(0.5, rng())(x)
    out.sum().backward()
    np.testing.assert_array_equal(x.grad, out.data)  # mask/(1−p) where kept, 0 where dropped


def test_dropout_is_identity_in_eval_mode_and_for_p0():
    x = np.random.default_rng(1).normal(size=(20, 10))
    np.testing.assert_array_equal(Dropout(0.5, rng()).eval()(x).data, x)
    np.testing.assert_array_equal(Dropout(0.0, rng())(x).data, x)


def test_dropout_p1_gives_zeros_and_zero_gradient():
    x = Tensor(np.ones((5, 4)), requires_grad=True)
    out = Dropout(1.0, rng())(x)
    np.testing.assert_array_equal(out.data, 0.0)
    out.sum().backward()
    np.testing.assert_array_equal(x.grad, 0.0)
    assert np.isfinite(x.grad).all()


def test_dropout_masks_repeat_with_the_seed():
    x = np.ones((10, 10))
    assert np.array_equal(Dropout(0.5, rng(3))(x).data, Dropout(0.5, rng(3))(x).data)
    assert not np.array_equal(Dropout(0.5, rng(3))(x).data, Dropout(0.5, rng(4))(x).data)


@pytest.mark.parametrize("p", [-0.1, 1.5, math.nan, "0.5", True])
def test_dropout_rejects_p_outside_0_1(p):
    with pytest.raises(PlaygroundError, match="between 0 and 1"):
        Dropout(p)


# ---- MLPSpec ---------------------------------------------------------------------------------
def test_spec_text_round_trip():
    spec = MLPSpec(n_in=2, hidden=(16, 8), activations=("relu",), dropouts=(0.25,), n_out=3)
    assert spec.to_text() == "2-16-8-3:relu:0.25"
    assert MLPSpec.from_text(spec.to_text()) == spec
    assert MLPSpec.from_text("2-5-1") == MLPSpec(n_in=2, hidden=(5,), n_out=1)
    assert MLPSpec.from_text("2-4-3:Sigmoid").activations == ("sigmoid",)
    assert MLPSpec.from_text("2-2").hidden == ()
    assert spec.sizes == (2, 16, 8, 3)
    assert str(spec) == "2 → 16 relu (dropout 0.25) → 8 relu (dropout 0.25) → 3"


@pytest.mark.parametrize("spec, text", [
    (MLPSpec(n_in=2, hidden=(4, 3), activations=("tanh", "relu"), dropouts=(0.0, 0.5), n_out=2),
     "2-4-3-2:tanh,relu:0,0.5"),
    (MLPSpec(n_in=2, hidden=(8, 8), activations=("sigmoid",) * 2, gains=(1.0, 1.0), n_out=2),
     "2-8-8-2:sigmoid:0:1"),
    (MLPSpec(n_in=3, hidden=(5, 6), activations=("relu",) * 2, gains=(1.5, 2.0), n_out=1),
     "3-5-6-1:relu:0:1.5,2"),
    (MLPSpec(n_in=2, hidden=(), n_out=4), "2-4"),
])  # fmt: skip
def test_per_layer_settings_round_trip_as_text(spec, text):
    assert spec.to_text() == text
    assert MLPSpec.from_text(text) == spec


def test_one_value_stands_for_every_layer():
    assert MLPSpec.from_text("2-16-16-2:tanh:0.2") == MLPSpec(
        n_in=2, hidden=(16, 16), activations=("tanh",), dropouts=(0.2,), n_out=2)
    assert MLPSpec.from_text("2-4-3-2:relu:0.1,0") == MLPSpec(
        n_in=2, hidden=(4, 3), activations=("relu", "relu"), dropouts=(0.1, 0.0), n_out=2)
    assert MLPSpec.from_text("2-2:tanh:0.2") == MLPSpec(n_in=2, hidden=(), n_out=2)


@pytest.mark.parametrize("text", ["", "2", "2-x-2", "2-3-2:tanh:lots", "2-3-2:tanh:0:extra",
                                  "2-3-2:swish", "2-0-2", "2-3-2:tanh:1", "2-3-3-2:tanh,relu,relu",
                                  "2-3-3-2:tanh:0,0,0", "2-3-2:tanh:0:-1", "2-3-2:tanh:0:1:2"])
def test_spec_from_text_rejects_garbage_with_a_message(text):
    with pytest.raises(PlaygroundError):
        MLPSpec.from_text(text)


def test_spec_caps():
    with pytest.raises(LimitError, match="cap"):
        MLPSpec(n_in=2, hidden=(4,) * (MAX_HIDDEN_LAYERS + 1), n_out=2)
    with pytest.raises(LimitError, match="cap"):
        MLPSpec(n_in=2, hidden=(MAX_WIDTH + 1,), n_out=2)
    with pytest.raises(LimitError, match="hidden layers"):
        MLPSpec(n_in=2, hidden=(4,) * 7, activations=("tanh",) * 7, dropouts=(0.0,) * 7, n_out=2)
    with pytest.raises(LimitError, match="width"):
        MLPSpec(n_in=2, hidden=(129,), activations=("tanh",), dropouts=(0.0,), n_out=2)


@pytest.mark.parametrize("kwargs", [
    {"hidden": "16"}, {"hidden": (4.5,)}, {"activations": ("swish",)}, {"dropouts": (1.0,)},
    {"dropouts": (-0.5,)}, {"n_in": 0}, {"gains": (0.0,)}, {"gains": (1.0, 2.0)},
])
def test_spec_rejects_bad_settings(kwargs):
    settings = {"n_in": 2, "hidden": (4,), "n_out": 2, **kwargs}
    with pytest.raises(PlaygroundError):
        MLPSpec(**settings)


@pytest.mark.parametrize("widths, acts, drops, message", [
    ((4,), ("tanh", "relu"), (0.0,), "Each hidden layer needs"),
    ((4,), ("swish",), (0.0,), "Hidden layer 1: unknown activation"),
    ((4, 4), ("tanh", "tanh"), (0.0, 1.0), r"Hidden layer 2: the dropout p"),
    ((0,), ("tanh",), (0.0,), "at least 1"),
])  # fmt: skip
def test_bad_layers_get_a_clear_message(widths, acts, drops, message):
    with pytest.raises(PlaygroundError, match=message):
        MLPSpec(n_in=2, hidden=widths, activations=acts, dropouts=drops, n_out=2)


def test_spec_is_frozen_and_normalised():
    spec = MLPSpec(n_in=2, hidden=[3, 3], activations=(" ReLU ",), n_out=2)
    assert spec.hidden == (3, 3) and spec.activations == ("relu", "relu")
    assert spec.dropouts == (0.0, 0.0) and spec.gains == ()
    assert MLPSpec(n_in=2, hidden=(3,), n_out=2) == MLPSpec(n_in=2, hidden=(3,), n_out=2)
    with pytest.raises(AttributeError):
        spec.n_in = 3


# ---- MLP -------------------------------------------------------------------------------------
def test_mlp_structure_and_layers():
    model = MLP(MLPSpec(n_in=2, hidden=(5, 4), dropouts=(0.2,), n_out=3), rng())
    kinds = [type(m).__name__ for m in model]
    assert kinds == ["Linear", "Tanh", "Dropout", "Linear", "Tanh", "Dropout", "Linear"]
    assert [(lin.in_features, lin.out_features) for lin in model.layers] == [(2, 5), (5, 4),
                                                                            (4, 3)]
    assert [p.name for p in model.parameters()] == ["W1", "b1", "W2", "b2", "W3", "b3"]
    assert model(np.zeros((7, 2))).shape == (7, 3)
    no_dropout = MLP(MLPSpec(n_in=2, hidden=(5,), n_out=1), rng())
    assert [type(m).__name__ for m in no_dropout] == ["Linear", "Tanh", "Linear"]


def test_mlp_weights_do_not_depend_on_dropout():
    spec = MLPSpec(n_in=2, hidden=(6, 6), n_out=2)
    plain, dropped = MLP(spec, rng(7)), MLP(spec.with_dropout(0.5), rng(7))
    for a, b in zip(plain.parameters(), dropped.parameters()):
        np.testing.assert_array_equal(a.data, b.data)


def test_with_dropout_keeps_every_other_setting():
    spec = MLPSpec(n_in=2, hidden=(4, 3), activations=("relu", "sigmoid"), dropouts=(0.1, 0.0),
                   gains=(1.0, 2.0), n_out=2)
    dropped = spec.with_dropout(0.5)
    assert dropped.dropouts == (0.5, 0.5)
    assert (dropped.n_in, dropped.hidden, dropped.activations, dropped.gains, dropped.n_out) == (
        2, (4, 3), ("relu", "sigmoid"), (1.0, 2.0), 2)
    assert spec.with_dropout(0.0).dropouts == (0.0, 0.0)
    with pytest.raises(PlaygroundError, match="dropout"):
        spec.with_dropout(1.0)


def test_each_layer_starts_as_its_activation_asks():
    """ReLU: He (gain √2), tanh: Xavier with gain 5/3, the output layer: Xavier with gain 1;
    the same draws scaled to each bound."""
    relu = MLP(MLPSpec(n_in=4, hidden=(6,), activations=("relu",), n_out=3), rng())
    tanh = MLP(MLPSpec(n_in=4, hidden=(6,), activations=("tanh",), n_out=3), rng())
    he, xavier = math.sqrt(2) * math.sqrt(3 / 4), 5 / 3 * math.sqrt(6 / (4 + 6))
    np.testing.assert_allclose(relu.layers[0].weight.data / he, tanh.layers[0].weight.data / xavier)
    np.testing.assert_allclose(relu.layers[1].weight.data, tanh.layers[1].weight.data)
    assert relu.layers[1].init == tanh.layers[1].init == Init("xavier", 1.0)


@pytest.mark.parametrize("activation", ["tanh", "sigmoid"])
def test_mlp_gradients_pass_gradcheck(activation):
    model = MLP(MLPSpec(n_in=2, hidden=(4, 3), activations=(activation,), n_out=3), rng(2))
    X = np.random.default_rng(5).normal(size=(6, 2))
    y = np.array([0, 1, 2, 0, 1, 2])
    for p in model.parameters():  # non-zero biases, so their gradients are tested too
        p.data += np.random.default_rng(9).normal(scale=0.1, size=p.shape)

    report = gradcheck(lambda *params: cross_entropy(model(X), y), model.parameters())
    assert report.passed, [(c.name, c.max_abs_error) for c in report.inputs]


def test_mlp_with_relu_passes_gradcheck_away_from_the_kink():
    model = MLP(MLPSpec(n_in=2, hidden=(5,), activations=("relu",), n_out=2), rng(4))
    X = np.random.default_rng(6).normal(size=(8, 2))
    pre = X @ model.layers[0].weight.data.T
    assert np.abs(pre).min() > 1e-3  # no input within eps of relu's kink
    report = gradcheck(lambda *params: cross_entropy(model(X), np.arange(8) % 2),
                       model.parameters())
    assert report.passed


def test_mlp_needs_a_spec():
    with pytest.raises(PlaygroundError, match="MLPSpec"):
        MLP("2-3-2", rng())


def test_stacked_models_compute_each_model_and_own_its_parameters():
    spec = MLPSpec(n_in=2, hidden=(5, 4), activations=("tanh", "relu"), dropouts=(0.5, 0.0),
                   n_out=3)
    models = [MLP(spec, np.random.default_rng(s), dropout_rng=np.random.default_rng([s, 2]))
              for s in range(3)]
    twins = [MLP(spec, np.random.default_rng(s), dropout_rng=np.random.default_rng([s, 2]))
             for s in range(3)]
    net = stack_models(models)
    X = np.random.default_rng(9).normal(size=(3, 7, 2))
    out = net(X)  # training mode: each run draws its own dropout masks, as its twin does
    for r, twin in enumerate(twins):
        np.testing.assert_allclose(out.data[r], twin(X[r]).data, rtol=1e-14)
    net.parameters()[0].data[1] += 1.0  # a model's parameters are views of its slice
    np.testing.assert_array_equal(models[1].parameters()[0].data, net.parameters()[0].data[1])
    with pytest.raises(PlaygroundError, match="same layers"):
        stack_models([models[0], MLP(MLPSpec(n_in=2, hidden=(6,), n_out=3),
                                     np.random.default_rng(0))])


def test_state_dict_names_and_layouts_are_torchs():
    model = MLP(MLPSpec(n_in=2, hidden=(3,), dropouts=(0.5,), n_out=2), rng())
    state = model.state_dict()
    assert {k: v.shape for k, v in state.items()} == {
        "0.weight": (3, 2), "0.bias": (3,), "3.weight": (2, 3), "3.bias": (2,)}
    other = MLP(model.spec, rng(1))
    other.load_state_dict({k: v.tolist() for k, v in state.items()})
    x = np.random.default_rng(2).normal(size=(5, 2))
    np.testing.assert_array_equal(other.eval()(x).data, model.eval()(x).data)
    with pytest.raises(PlaygroundError, match="do not match"):
        other.load_state_dict({"0.weight": state["0.weight"]})
    with pytest.raises(PlaygroundError, match="3.weight has the wrong shape"):
        other.load_state_dict({**state, "3.weight": state["3.weight"].T})
    with pytest.raises(PlaygroundError, match="not an array of numbers"):
        other.load_state_dict({**state, "0.bias": ["x", 1, 2]})


# ---- against PyTorch (run where torch is installed: CI installs it) ---------------------------
def test_gains_and_initialisations_are_torchs():
    torch = pytest.importorskip("torch", reason="PyTorch checks the initialisation in CI")
    for activation, gain in GAINS.items():
        assert gain == pytest.approx(torch.nn.init.calculate_gain(activation), rel=1e-15)
    generator = torch.Generator().manual_seed(0)
    torch.manual_seed(0)
    fan_in, fan_out = 120, 100
    w = torch.empty(fan_out, fan_in, dtype=torch.float64)
    torch_draws = {
        Init("default"): lambda: torch.nn.Linear(fan_in, fan_out).weight.detach(),
        Init("xavier", 5 / 3): lambda: torch.nn.init.xavier_uniform_(
            w, gain=5 / 3, generator=generator),
        Init("he", math.sqrt(2)): lambda: torch.nn.init.kaiming_uniform_(
            w, nonlinearity="relu", generator=generator),
    }
    for init, draw in torch_draws.items():
        theirs = draw().numpy().copy()
        ours = Linear(fan_in, fan_out, rng(), init).weight.data
        bound = init.bound(fan_in, fan_out)
        for drawn in (theirs, ours):  # 12,000 draws: the largest is within 0.1 % of the bound
            assert bound * 0.999 < np.abs(drawn).max() <= bound
            assert drawn.std() == pytest.approx(bound / math.sqrt(3), rel=0.02)


def test_a_torch_network_loads_the_state_dict_and_computes_the_same():
    torch = pytest.importorskip("torch", reason="PyTorch checks the layout in CI")
    model = MLP(MLPSpec(n_in=3, hidden=(5, 4), activations=("tanh", "relu"), n_out=2), rng())
    twin = torch.nn.Sequential(torch.nn.Linear(3, 5), torch.nn.Tanh(), torch.nn.Linear(5, 4),
                               torch.nn.ReLU(), torch.nn.Linear(4, 2)).double()
    twin.load_state_dict({k: torch.from_numpy(v) for k, v in model.state_dict().items()})
    x = np.random.default_rng(3).normal(size=(7, 3))
    np.testing.assert_allclose(twin(torch.from_numpy(x)).detach().numpy(), model(x).data,
                               rtol=1e-12)
