"""The vanishing-gradient lesson: deep sigmoid gradients shrink towards the inputs, ReLU's not."""

from engine.data import make_dataset, train_val_split
from page_models.lessons import (
    CLASSIC_GAIN,
    VANISHING,
    vanishing_gradient_spec,
    vanishing_gradients,
)
from page_models.optimizers import OptimizerChoice


def test_the_lesson_network_is_deep_and_uniform():
    spec = vanishing_gradient_spec("sigmoid", 2, 2)
    assert spec.hidden == (VANISHING["width"],) * VANISHING["depth"]
    assert set(spec.activations) == {"sigmoid"}
    assert spec.layer_gains == (CLASSIC_GAIN["sigmoid"],) * VANISHING["depth"]


def test_sigmoid_gradients_vanish_towards_the_inputs_and_relu_gradients_do_not():
    train_data, val_data = train_val_split(make_dataset("moons", n=120, seed=0), 0.25, seed=0)
    sgd = OptimizerChoice.of("sgd", lr=0.1)
    result = vanishing_gradients(train_data, val_data, sgd, 30, seed=0)
    assert list(result) == ["sigmoid", "relu"]
    sigmoid, relu = result["sigmoid"][1], result["relu"][1]
    assert len(sigmoid) == len(relu) == VANISHING["depth"] + 1
    # First layer vs last layer: sigmoid loses orders of magnitude, ReLU stays within one.
    assert sigmoid[0] < 1e-2 * sigmoid[-1]
    assert relu[0] > 0.1 * relu[-1]
    assert sigmoid[0] < 1e-2 * relu[0]
