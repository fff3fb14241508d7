"""The Network Builder's model: its state (one URL param table), the network it builds from that
state, and the edits of the layer editor.

The network has one URL form, engine.nn.MLPSpec's text ("2-8-8-2:tanh:0"); its input and output
sizes always follow the chosen features and the dataset. The optimizer has the registry's
(page_models.optimizers): "adam:lr=0.03", "sgd:lr=0.1~cosine:T_max=300". `epoch` is how far the
shown run has trained: a link with epoch=N retrains to epoch N (the run is deterministic) and
opens paused there. `point_graph` and `point` show the live graph of one data point
(page_models.point_graph); like `epoch` they are not training settings (VIEW).
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any

from engine import DATASETS, make_dataset, train_val_split
from engine.data import Dataset
from engine.errors import PlaygroundError
from engine.limits import MAX_EPOCHS, MAX_HIDDEN_LAYERS, MAX_WIDTH
from engine.nn import MLPSpec
from engine.train import class_probabilities, predict
from page_models.export import Training
from page_models.features import FEATURES, expand_features
from page_models.limits import MAX_OWN_POINTS
from page_models.optimizers import OptimizerChoice, format_choices, parse_choices
from page_models.url import Param

__all__ = [
    "BATCH_SIZES", "DROPOUT_PS", "NOISES", "PARAMS", "Setup", "add_layer", "build", "dataset",
    "data_source", "default_optimizer", "editor_notes", "editor_values", "export",
    "loaded_caption", "loaded_predictor",
    "init_note", "remove_layer", "run_key", "set_layers",
]

N_POINTS = 200
VAL_FRACTION = 0.2
DROPOUT_PS = (0.0, 0.1, 0.2, 0.3, 0.5)
NOISES = (0.0, 0.05, 0.1, 0.2, 0.3, 0.5)
BATCH_SIZES = (8, 16, 32, 64)
DEFAULT_LR = 0.03  # a rate at which every registry optimizer learns the default network quickly
DEFAULT_NETWORK = MLPSpec(n_in=2, hidden=(8, 8), n_out=2)


def default_optimizer(key: str) -> OptimizerChoice:
    """Optimizer `key` as this page starts it: its registry defaults at DEFAULT_LR."""
    return OptimizerChoice.of(key, lr=DEFAULT_LR)


def the_optimizer(text: str) -> OptimizerChoice:
    """The one optimizer an "opt" text names (PlaygroundError if it names none or several)."""
    optimizers = parse_choices(text)
    if len(optimizers) != 1:
        raise PlaygroundError(f"The Network Builder trains with one optimizer, not "
                              f"{len(optimizers)}.")
    return optimizers[0]


PARAMS = {
    "data": Param("moons", choices=tuple(DATASETS)),
    "noise": Param(0.1, choices=NOISES),
    "features": Param(("x1", "x2")),
    "net": Param(DEFAULT_NETWORK.to_text(), max_len=400, check=MLPSpec.from_text),
    "opt": Param(format_choices([default_optimizer("adam")]), max_len=400, check=the_optimizer),
    "batch": Param(32, choices=BATCH_SIZES),
    "seed": Param(0, lo=0, hi=9999),
    "epoch": Param(0, lo=0, hi=MAX_EPOCHS),
    "point_graph": Param(False),  # the live graph of one data point...
    "point": Param(0, lo=0, hi=MAX_OWN_POINTS - 1),  # ...this one (page_models.point_graph)
}
VIEW = ("epoch", "point_graph", "point")  # what is shown of a run
TRAINING = tuple(name for name in PARAMS if name not in VIEW)  # a change starts a new run


@dataclass(frozen=True)
class Setup:
    """What the settings build: the data (raw and as features), the network and the optimizer."""

    raw: Dataset  # the dataset's own inputs (x₁, x₂): what the boundary is drawn over
    features: tuple[str, ...]
    train_data: Dataset  # inputs expanded to the features
    val_data: Dataset
    spec: MLPSpec
    optimizer: OptimizerChoice
    batch_size: int
    seed: int

    @property
    def task(self) -> str:
        return self.raw.task

    @property
    def max_epochs(self) -> int:
        """The epoch cap (with N_POINTS points even batch 8 stays under MAX_TRAIN_STEPS)."""
        return MAX_EPOCHS

    @property
    def loss_name(self) -> str:
        return "softmax + cross-entropy" if self.task == "classification" else "MSE"

    def expand(self, X):
        """Raw inputs (x₁, x₂) -> the network's inputs (the chosen features)."""
        return expand_features(X, self.features)


def dataset(values: Mapping[str, Any]) -> Dataset:
    """The dataset these settings choose, with its own inputs (before the features)."""
    return make_dataset(values["data"], n=N_POINTS, noise=values["noise"], seed=values["seed"])


def build(values: Mapping[str, Any], raw: Dataset | None = None) -> Setup:
    """The Setup of these settings (PARAMS' names) on `raw` (the built-in dataset they choose if
    None: the visitor's own data otherwise); PlaygroundError if one cannot be built.

    The network text's input and output sizes are replaced by the features' and the dataset's.
    """
    raw = dataset(values) if raw is None else raw
    features = tuple(values["features"])
    expanded = replace(raw, X=expand_features(raw.X, features))
    train_data, val_data = train_val_split(expanded, VAL_FRACTION, seed=values["seed"])
    spec = replace(MLPSpec.from_text(values["net"]), n_in=len(features), n_out=raw.n_outputs)
    return Setup(raw, features, train_data, val_data, spec, the_optimizer(values["opt"]),
                 values["batch"], values["seed"])


def run_key(values: Mapping[str, Any], raw: Dataset) -> tuple:
    """Plain values that name one training run (a cache key, shared by every session): the
    training settings and a digest of the data's contents."""
    digest = hashlib.sha256(b"".join([raw.task.encode(), raw.X.tobytes(), raw.y.tobytes()]))
    return (*(values[name] for name in TRAINING), digest.hexdigest())


def export(setup: Setup, epochs: int, source: str) -> Training:
    """The run the page shows after `epochs` epochs, for the export files (page_models.export):
    same network, initial weights, training split, batches and dropout masks, so the scripts
    print the page's training losses."""
    inputs = ", ".join(FEATURES[key].label for key in setup.features)
    return Training.of(setup.spec, setup.optimizer, setup.train_data, epochs, setup.batch_size,
                       setup.seed, source=f"{source}; inputs {inputs}; the training part "
                       f"({1 - VAL_FRACTION:.0%}) of the split seeded {setup.seed}")


def data_source(values: Mapping[str, Any], raw: Dataset) -> str:
    """Where the data came from, in words (for the export files): `values` holds PARAMS' and
    page_models.own_data.PARAMS' names."""
    kind = values["my_data"]
    if kind == "builtin":
        return (f"built-in dataset {values['data']!r}, {len(raw)} points, noise "
                f"{values['noise']:g}, seed {values['seed']}")
    if kind == "formula":
        return (f"formula dataset: class 1 where x2 > f(x1), f(x) = {values['my_fx']}, "
                f"{len(raw)} points, noise {values['my_fx_noise']:g}, seed {values['my_fx_seed']}")
    return f"{'a CSV' if kind == 'csv' else 'points drawn on the page'}, {len(raw)} points"


def loaded_caption(model, info: Mapping) -> str:
    """What a loaded network file says about itself (network_from_json's info; any field may be
    missing from a hand-edited file)."""
    training = info.get("training") if isinstance(info.get("training"), dict) else {}
    data = info.get("data") if isinstance(info.get("data"), dict) else {}
    epochs, source = training.get("epochs"), data.get("source")
    return (f"The loaded network {model.spec}" + (f", trained {epochs} epochs" if epochs else "")
            + (f" on {str(source)[:300]}" if source else "") + ", over this page's data.")


def loaded_predictor(model, setup: Setup):
    """A function raw inputs -> the loaded `model`'s predictions (class probabilities or
    values), or a PlaygroundError saying why the model does not fit this page's inputs."""
    if (model.spec.n_in, model.spec.n_out) != (setup.spec.n_in, setup.spec.n_out):
        raise PlaygroundError(
            f"The loaded network {model.spec} takes {model.spec.n_in} input(s) and gives "
            f"{model.spec.n_out} output(s); this page's data and features need "
            f"{setup.spec.n_in} and {setup.spec.n_out}. Choose matching features or data.")
    if setup.task == "classification":
        return lambda X: class_probabilities(model, setup.expand(X))
    return lambda X: predict(model, setup.expand(X))



def set_layers(spec: MLPSpec, widths, activations, dropouts) -> MLPSpec:
    """The network with these hidden layers (one width, activation and dropout p each)."""
    return replace(spec, hidden=tuple(widths), activations=tuple(activations),
                   dropouts=tuple(dropouts), gains=())


def add_layer(spec: MLPSpec) -> MLPSpec:
    """One more hidden layer like the last one (8 tanh if there is none), without dropout;
    unchanged at the depth cap."""
    if len(spec.hidden) >= MAX_HIDDEN_LAYERS:
        return spec
    width, act = (spec.hidden[-1], spec.activations[-1]) if spec.hidden else (8, "tanh")
    return set_layers(spec, (*spec.hidden, width), (*spec.activations, act),
                      (*spec.dropouts, 0.0))


def remove_layer(spec: MLPSpec, i: int) -> MLPSpec:
    """The network without hidden layer i (0-based)."""
    def drop(values):
        return values[:i] + values[i + 1:]
    return set_layers(spec, drop(spec.hidden), drop(spec.activations), drop(spec.dropouts))


def editor_values(spec: MLPSpec) -> list[tuple[int, str, float]]:
    """(width, activation, dropout p) of each hidden layer as the layer editor offers them: each
    p snapped to the nearest of DROPOUT_PS."""
    return [(width, act, min(DROPOUT_PS, key=lambda c: abs(c - p)))
            for width, act, p in zip(spec.hidden, spec.activations, spec.dropouts)]


def editor_notes(spec: MLPSpec) -> list[str]:
    """What the layer editor says under its rows: a cap reached, or what no hidden layer means."""
    notes = []
    if len(spec.hidden) >= MAX_HIDDEN_LAYERS:
        notes.append(f"Depth cap reached: at most {MAX_HIDDEN_LAYERS} hidden layers on this "
                     "public instance.")
    elif not spec.hidden:
        notes.append("No hidden layer: this is logistic (softmax) regression, or linear "
                     "regression.")
    if MAX_WIDTH in spec.hidden:
        notes.append(f"Width cap reached: at most {MAX_WIDTH} neurons per layer on this public "
                     "instance.")
    return [*notes, init_note(spec)]


def init_note(spec: MLPSpec) -> str:
    """How each layer's weights start (engine.nn.Init, as torch.nn.init draws them)."""
    names = [f"hidden {i}" for i in range(1, len(spec.hidden) + 1)] + ["output"]
    layers = " · ".join(f"{name}: {init}" for name, init in zip(names, spec.inits))
    return f"Initial weights, as torch.nn.init draws them (biases 0): {layers}."
