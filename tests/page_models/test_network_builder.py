"""page_models.network_builder: the page's state table, the network's one URL form, and the
layer editor's edits."""

import pytest

from engine.errors import PlaygroundError
from engine.limits import MAX_HIDDEN_LAYERS, MAX_WIDTH
from engine.nn import MLPSpec
from page_models import network_builder as nb
from page_models.url import parse_query, to_query

DEFAULTS = {name: param.default for name, param in nb.PARAMS.items()}


def test_the_default_network_in_the_url_is_mlpspecs_text():
    assert nb.PARAMS["net"].default == "2-8-8-2:tanh:0"
    assert MLPSpec.from_text(nb.PARAMS["net"].default) == nb.DEFAULT_NETWORK


def test_a_query_round_trips_and_defaults_are_left_out():
    query = {"data": "circles", "noise": "0.2", "features": "x1,x2,x1sq",
             "net": "3-4-6-2:relu,sigmoid:0,0.5", "opt": "momentum:lr=0.1~cosine:T_max=300",
             "batch": "16", "seed": "7", "epoch": "40"}
    values = parse_query(nb.PARAMS, query)
    assert values["features"] == ("x1", "x2", "x1sq") and values["epoch"] == 40
    assert to_query(nb.PARAMS, values) == query
    assert to_query(nb.PARAMS, DEFAULTS) == {}


def test_what_is_shown_of_a_run_is_not_a_training_setting_and_is_capped():
    view = {"epoch", "point_graph", "point"}
    assert set(nb.TRAINING) == set(nb.PARAMS) - view
    assert parse_query(nb.PARAMS, {"epoch": "100000"})["epoch"] == 0
    assert parse_query(nb.PARAMS, {"point": "100000"})["point"] == 0


def test_build_sizes_the_network_to_the_features_and_the_dataset():
    setup = nb.build({**DEFAULTS, "features": ("x1", "x2", "x1sq"), "net": "9-5-9"})
    assert setup.spec.sizes == (3, 5, 2)
    assert setup.train_data.n_features == 3 and setup.raw.n_features == 2
    regression = nb.build({**DEFAULTS, "data": "regression", "features": ("x1",)})
    assert regression.spec.sizes == (1, 8, 8, 1) and regression.loss_name == "MSE"
    assert len(setup.train_data) + len(setup.val_data) == nb.N_POINTS


@pytest.mark.parametrize("text", ["2-x-2", "2-8-2:swish", "", f"2-{MAX_WIDTH + 1}-2",
                                  "-".join(["2"] * (MAX_HIDDEN_LAYERS + 3))])
def test_a_bad_network_text_is_a_message(text):
    with pytest.raises(PlaygroundError):
        nb.build({**DEFAULTS, "net": text})


def test_adding_copies_the_last_layer_without_dropout_up_to_the_depth_cap():
    spec = MLPSpec.from_text("2-4-6-2:tanh,relu:0,0.5")
    assert nb.add_layer(spec).to_text() == "2-4-6-6-2:tanh,relu,relu:0,0.5,0"
    assert nb.add_layer(MLPSpec(n_in=2, hidden=(), n_out=2)).to_text() == "2-8-2:tanh:0"
    full = MLPSpec(n_in=2, hidden=(3,) * MAX_HIDDEN_LAYERS, n_out=2)
    assert nb.add_layer(full) == full


def test_removing_and_setting_layers():
    spec = MLPSpec.from_text("2-4-6-2:tanh,relu:0.2,0.5")
    assert nb.remove_layer(spec, 0).to_text() == "2-6-2:relu:0.5"
    assert nb.remove_layer(nb.remove_layer(spec, 1), 0).to_text() == "2-2"
    assert str(nb.set_layers(spec, (5,), ("sigmoid",), (0.1,))) == "2 → 5 sigmoid (dropout 0.1) → 2"


def test_the_editor_offers_each_layer_with_its_dropout_snapped_to_a_choice():
    spec = MLPSpec.from_text("2-4-6-2:tanh,relu:0.24,0.45")
    assert nb.editor_values(spec) == [(4, "tanh", 0.2), (6, "relu", 0.5)]


def test_the_editor_notes_name_the_caps_and_logistic_regression():
    assert nb.editor_notes(nb.DEFAULT_NETWORK) == [nb.init_note(nb.DEFAULT_NETWORK)]
    assert "logistic" in nb.editor_notes(MLPSpec(n_in=2, hidden=(), n_out=2))[0]
    deep_and_wide = MLPSpec(n_in=2, hidden=(MAX_WIDTH,) * MAX_HIDDEN_LAYERS, n_out=2)
    notes = " ".join(nb.editor_notes(deep_and_wide))
    assert f"at most {MAX_HIDDEN_LAYERS} hidden layers" in notes
    assert f"at most {MAX_WIDTH} neurons" in notes


def test_the_optimizer_is_one_registry_choice_with_its_schedule():
    assert nb.PARAMS["opt"].default == "adam:lr=0.03"
    setup = nb.build({**DEFAULTS, "opt": "rmsprop:lr=0.01~step:step_size=10"})
    assert setup.optimizer.key == "rmsprop" and setup.optimizer.schedule.key == "step"
    with pytest.raises(PlaygroundError):
        nb.build({**DEFAULTS, "opt": "adam,sgd"})
    with pytest.raises(PlaygroundError):
        nb.build({**DEFAULTS, "opt": "newton"})


def test_the_editor_says_how_each_layer_starts():
    spec = MLPSpec(n_in=2, hidden=(8, 8), activations=("relu", "sigmoid"), n_out=2)
    assert nb.init_note(spec) == (
        "Initial weights, as torch.nn.init draws them (biases 0): hidden 1: He, gain √2 · "
        "hidden 2: Xavier, gain 1 · output: Xavier, gain 1.")
