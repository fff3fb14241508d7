"""Looking inside an MLP: each hidden layer's activations, outputs pass after pass (dropout on
or off), and the graph of one training step."""

from __future__ import annotations

import copy

import numpy as np

from engine.functional import softmax
from engine.nn import ACTIVATIONS, MLP
from engine.tensor import Tensor, no_grad
from engine.train import LOSS_FOR_TASK
from page_models.graph_record import BackwardRecord, record_backward

__all__ = ["dropout_passes", "hidden_activations", "one_training_step", "repeated_outputs"]


def hidden_activations(model: MLP, x: np.ndarray) -> list[np.ndarray]:
    """Each hidden layer's activations (after its activation function) on one sample `x`,
    in evaluation mode; the model's mode is restored afterwards."""
    was_training = model.training
    model.eval()
    try:
        with no_grad():
            h, out = Tensor(np.asarray(x, dtype=np.float64)[None, :]), []
            for module in model:
                h = module(h)
                if isinstance(module, tuple(ACTIVATIONS.values())):
                    out.append(h.data[0])
    finally:
        model.train(was_training)
    return out


def repeated_outputs(model: MLP, X: np.ndarray, passes: int, training: bool) -> np.ndarray:
    """(passes, n, n_out): the network's outputs on the same inputs X, pass after pass.

    In training mode every pass draws new dropout masks, so the outputs differ; in evaluation
    mode dropout is the identity and every pass is the same. Runs on a copy of the model, so the
    model's own mode and dropout random stream are untouched.
    """
    twin = copy.deepcopy(model)
    twin.train(training)
    with no_grad():
        return np.stack([twin(X).data for _ in range(passes)])


def dropout_passes(model: MLP, X: np.ndarray, y: np.ndarray, task: str, passes: int,
                   training: bool) -> tuple[np.ndarray, str, str]:
    """(passes, n) what a dropout comparison shows of each pass on the inputs X, its name (the
    probability of the true class y for classification, the prediction for regression) and a
    caption saying what the passes show."""
    outputs = repeated_outputs(model, X, passes, training)
    mode = ("training mode: every pass drops different neurons, so the same input gives "
            "different outputs" if training else
            "evaluation mode: dropout is switched off, so every pass gives the same output")
    caption = f"The same {len(X)} inputs, {passes} forward passes, {mode}."
    if task == "classification":
        return softmax(outputs).data[:, np.arange(len(X)), y], "P(true class)", caption
    return outputs[..., 0], "prediction ŷ", caption


def one_training_step(model: MLP, X: np.ndarray, y: np.ndarray,
                      task: str) -> tuple[BackwardRecord, MLP]:
    """The recorded backward pass of one training step's loss on the minibatch (X, y), and the
    copy of the model (in training mode: dropout on) it ran on; the model being trained is
    untouched, only the copy's gradients are filled.

    The loss is the one engine.train trains the task on. The inputs are named "X" and the targets
    "y"; the parameters keep their names (W1, b1, ...).
    """
    twin = copy.deepcopy(model)
    twin.train()
    loss = LOSS_FOR_TASK[task](twin(Tensor(X, name="X")), Tensor(y, name="y"))
    return record_backward(loss), twin
