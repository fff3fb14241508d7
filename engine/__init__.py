"""Backprop Playground's math: a vectorised reverse-mode autodiff engine on NumPy."""

from engine import expr
from engine.data import DATASETS, Dataset, make_dataset, train_val_split
from engine.errors import ExprError, LimitError, PlaygroundError, ShapeError
from engine.functional import cross_entropy, dropout, log_softmax, mse, softmax
from engine.gradcheck import GradCheckReport, InputCheck, gradcheck
from engine.nn import (
    ACTIVATIONS,
    MLP,
    Dropout,
    Linear,
    MLPSpec,
    Module,
    ReLU,
    Sequential,
    Sigmoid,
    Tanh,
)
from engine.ops import OPS, Op, format_shape
from engine.optim import OPTIMIZERS, SGD, Adam, Optimizer, make_optimizer
from engine.tensor import Tensor, apply, first_nonfinite, no_grad, topological_order, unbroadcast
from engine.train import (
    History,
    OptimizerSpec,
    Run,
    StepRecord,
    accuracy,
    class_probabilities,
    compare,
    predict,
    train,
    train_steps,
)

__all__ = [
    "expr",
    "ACTIVATIONS",
    "MLP",
    "Dropout",
    "Linear",
    "MLPSpec",
    "Module",
    "ReLU",
    "Sequential",
    "Sigmoid",
    "Tanh",
    "History",
    "OptimizerSpec",
    "Run",
    "StepRecord",
    "accuracy",
    "class_probabilities",
    "compare",
    "predict",
    "train",
    "train_steps",
    "DATASETS",
    "OPTIMIZERS",
    "SGD",
    "Adam",
    "Dataset",
    "Optimizer",
    "make_dataset",
    "make_optimizer",
    "train_val_split",
    "OPS",
    "ExprError",
    "GradCheckReport",
    "InputCheck",
    "LimitError",
    "Op",
    "PlaygroundError",
    "ShapeError",
    "Tensor",
    "apply",
    "cross_entropy",
    "dropout",
    "first_nonfinite",
    "format_shape",
    "gradcheck",
    "log_softmax",
    "mse",
    "no_grad",
    "softmax",
    "topological_order",
    "unbroadcast",
]
