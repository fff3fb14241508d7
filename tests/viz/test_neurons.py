"""The neuron-level diagram: one node per neuron, edges binned by sign and size."""

import numpy as np
import pytest

from engine.data import make_dataset
from engine.nn import MLPSpec
from viz.neurons import MAX_EDGES_PER_LAYER, LayerView, network_layers, neuron_figure
from viz.palette import GRADIENT_SCALE, NONFINITE, VALUE_SCALE, diverging


def small_net(values=None):
    layers = [
        LayerView("Input", 2, ["x₁", "x₂"]),
        LayerView("Hidden 1 · tanh", 3, values=values),
        LayerView("Output", 1, ["ŷ"]),
    ]
    matrices = [np.array([[1.0, 0.5], [-2.0, -0.1], [0.0, 3.0]]), np.array([[1.0, -1.0, 2.0]])]
    return layers, matrices


def line_traces(fig):
    return [t for t in fig.data if t.mode == "lines"]


def drawn_edges(fig):
    return sum(sum(x is None for x in t.x) for t in line_traces(fig))


def test_one_node_per_neuron_and_one_segment_per_weight():
    layers, matrices = small_net()
    fig = neuron_figure(layers, matrices)
    nodes = next(t for t in fig.data if t.mode == "markers" and t.marker.line.width)
    assert len(nodes.x) == 2 + 3 + 1
    assert sorted(set(nodes.x)) == [0, 1, 2]
    assert drawn_edges(fig) == 6 + 3


def test_sign_sets_colour_and_size_sets_width():
    layers, matrices = small_net()
    fig = neuron_figure(layers, matrices)
    widest = max(line_traces(fig), key=lambda t: t.line.width)
    # The largest |weight| is +3.0: the widest edges are the full positive colour.
    assert widest.line.color == VALUE_SCALE[-1][1]
    # It is W[2, 1] in the (out, in) layout: from input 2 (y −0.5) to hidden neuron 3 (y −1).
    assert tuple(widest.x[:2]) == (0, 1) and tuple(widest.y[:2]) == (-0.5, -1.0)
    assert "layer 1, 2 → 3<br>weight = 3" in fig.data[-3].text
    # −2.0 is 2/3 of the largest: the 4th of 5 size bins, drawn at 4/5 of the negative end.
    assert diverging(-0.8, 1.0) in {t.line.color for t in line_traces(fig)}
    widths = sorted({t.line.width for t in line_traces(fig)})
    assert len(widths) > 2


def test_gradient_mode_uses_the_gradient_scale_and_says_so():
    layers, matrices = small_net()
    fig = neuron_figure(layers, [-m for m in matrices], gradient=True)
    colorbar = fig.data[-1].marker
    assert colorbar.colorscale[0][1] == GRADIENT_SCALE[0][1]
    assert colorbar.colorbar.title.text == "gradient"
    widest = max(line_traces(fig), key=lambda t: t.line.width)
    assert widest.line.color == GRADIENT_SCALE[0][1]  # −3 is the largest: the negative end


def test_nonfinite_weights_get_the_alarm_colour():
    layers, matrices = small_net()
    matrices[0][0, 0] = np.nan
    fig = neuron_figure(layers, matrices)
    assert any(t.line.color == NONFINITE for t in line_traces(fig))


def test_layer_titles_and_input_output_labels_are_written():
    layers, matrices = small_net()
    texts = [a.text for a in neuron_figure(layers, matrices).layout.annotations]
    assert "<b>Hidden 1 · tanh</b>" in texts
    assert {"x₁", "x₂", "ŷ"} <= set(texts)


def test_node_fill_shows_activations_when_given():
    layers, matrices = small_net(values=np.array([-1.0, 0.0, 1.0]))
    nodes = next(t for t in neuron_figure(layers, matrices).data if t.marker.line.width)
    hidden_fills = list(nodes.marker.color[2:5])
    assert hidden_fills == [VALUE_SCALE[0][1], VALUE_SCALE[1][1], VALUE_SCALE[2][1]]


def test_a_wide_layer_draws_only_its_strongest_edges_and_says_so():
    n = 40
    layers = [LayerView("A", n), LayerView("B", n)]
    matrix = np.arange(n * n, dtype=float).reshape(n, n)
    fig = neuron_figure(layers, [matrix])
    assert drawn_edges(fig) == MAX_EDGES_PER_LAYER
    texts = [a.text for a in fig.layout.annotations]
    assert f"{n * n - MAX_EDGES_PER_LAYER:,} smallest weights not drawn" in texts


def test_mismatched_shapes_are_rejected():
    layers, matrices = small_net()
    with pytest.raises(ValueError, match="expected"):
        neuron_figure(layers, [matrices[0].T, matrices[1]])
    with pytest.raises(ValueError, match="need 2 matrices"):
        neuron_figure(layers, matrices[:1])


def test_network_layers_name_the_features_each_hidden_layer_and_the_outputs():
    spec = MLPSpec(n_in=3, hidden=(4, 2), activations=("relu", "tanh"), dropouts=(0.5, 0.0),
                   n_out=2)
    hidden = [np.arange(4.0), np.arange(2.0)]
    layers = network_layers(spec, ("x1", "x2", "x1sq"), make_dataset("moons", n=20), hidden)
    assert [layer.size for layer in layers] == [3, 4, 2, 2]
    assert layers[0].labels == ["x₁", "x₂", "x₁²"]
    assert layers[1].title == "Hidden 1<br>relu<br>He, gain √2<br>dropout 0.5"
    assert layers[2].title == "Hidden 2<br>tanh<br>Xavier, gain 5/3"
    assert layers[3].title == "Output<br>softmax<br>Xavier, gain 1"
    np.testing.assert_array_equal(layers[1].values, hidden[0])
    assert layers[-1].labels == ["class 0", "class 1"]
    regression = network_layers(MLPSpec(n_in=1, hidden=(), n_out=1), ("x1",),
                                make_dataset("regression", n=20), [])
    assert [(layer.title, layer.labels) for layer in regression] == [
        ("Input", ["x₁"]), ("Output<br>Xavier, gain 1", ["ŷ"])]
