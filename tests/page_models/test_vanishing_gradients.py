"""The vanishing-gradient lesson: deep sigmoid gradients shrink towards the inputs, ReLU's not."""

import numpy as np

from engine.data import make_dataset, train_val_split
from page_models.vanishing_gradients import (
    VANISHING,
    compare_activations,
    lesson_conclusion,
    lesson_intro,
    log_norm_range,
    vanishing_gradient_spec,
)


def test_the_lesson_network_is_deep_and_uniform():
    spec = vanishing_gradient_spec("sigmoid", 2, 2)
    assert spec.hidden == (VANISHING["width"],) * VANISHING["depth"]
    assert set(spec.activations) == {"sigmoid"}
    assert {str(init) for init in spec.inits} == {"Xavier, gain 1"}  # torch's, for sigmoid
    assert VANISHING["optimizer"].key == "sgd"  # an adaptive optimizer hides the effect


def test_sigmoid_gradients_vanish_towards_the_inputs_and_relu_gradients_do_not():
    train_data, val_data = train_val_split(make_dataset("moons", n=120, seed=0), 0.25, seed=0)
    result = compare_activations(train_data, val_data, 30, seed=0)
    assert list(result) == ["sigmoid", "relu"]
    sigmoid, relu = result["sigmoid"][1], result["relu"][1]
    assert len(sigmoid) == len(relu) == VANISHING["depth"] + 1
    # First layer vs last layer: sigmoid loses orders of magnitude, ReLU stays within one.
    assert sigmoid[0] < 1e-2 * sigmoid[-1]
    assert relu[0] > 0.1 * relu[-1]
    assert sigmoid[0] < 1e-2 * relu[0]


def test_the_log_range_holds_every_positive_norm_of_every_run():
    train_data, val_data = train_val_split(make_dataset("moons", n=60, seed=0), 0.25, seed=0)
    results = compare_activations(train_data, val_data, 15, seed=0)
    histories = [h for h, _ in results.values()]
    low, high = log_norm_range(histories)
    every = np.concatenate([h.grad_norms.ravel() for h in histories])
    assert 10 ** low < every[every > 0].min() and every.max() < 10 ** high


def test_the_conclusion_names_how_much_smaller_layer_one_gets():
    assert "**1,000× smaller**" in lesson_conclusion(np.array([0.001, 0.1, 1.0]))
    assert "plain SGD, lr=0.1" in lesson_intro()
