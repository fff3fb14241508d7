"""Exports: the training scripts train as engine.train.train does, the network JSON loads back
to the same predictions, and an expression program's PyTorch snippet gives the same gradients."""

import ast
import contextlib
import io
import json
import re
import runpy
import subprocess
import sys

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from engine.data import make_dataset
from engine.errors import PlaygroundError
from engine.expr import InputSpec, build
from engine.nn import MLPSpec
from engine.tensor import Tensor
from engine.train import predict, train
from page_models.examples import EXAMPLES_BY_KEY, MICROGRAD_README
from page_models.export import (
    OPTIMIZERS,
    SCHEDULES,
    Training,
    network_from_json,
    network_json,
    numpy_script,
    pytorch_script,
    pytorch_snippet,
)
from page_models.optimizers import OPTIMIZERS as REGISTRY
from page_models.optimizers import OptimizerChoice, ScheduleChoice
from page_models.own_data import formula_dataset

LINE = re.compile(r"epoch (\d+) train_loss (\S+)")


def losses_of(output: str) -> list[float]:
    """The losses a script printed, checking the line format (17 significant digits)."""
    found = LINE.findall(output)
    assert [int(epoch) for epoch, _ in found] == list(range(1, len(found) + 1))
    for _, text in found:
        assert len(re.sub(r"e.*|[-.]", "", text).lstrip("0")) <= 17
    return [float(value) for _, value in found]


def run_subprocess(script: str, tmp_path) -> subprocess.CompletedProcess:
    path = tmp_path / "exported.py"
    path.write_text(script, encoding="utf-8")
    return subprocess.run([sys.executable, str(path)], capture_output=True, text=True,
                          timeout=120, cwd=tmp_path)


ENGINE_RUNS = {  # name -> (data, spec, optimizer, epochs, batch size, seed)
    "adam, dropout, relu": (make_dataset("moons", n=60, seed=1),
                            MLPSpec.uniform(n_in=2, hidden=(8, 5), activation="relu",
                                            dropout=0.3, n_out=2),
                            OptimizerChoice.of("adam", lr=0.02), 4, 16, 3),
    "momentum, three classes, sigmoid": (make_dataset("blobs", n=45, seed=2, k=3),
                                         MLPSpec(n_in=2, hidden=(6,), activations=("sigmoid",),
                                                 dropouts=(0.5,), n_out=3),
                                         OptimizerChoice.of("momentum", lr=0.1, momentum=0.8),
                                         3, 7, 0),
    "sgd, regression, tanh": (make_dataset("regression", n=50, seed=4),
                              MLPSpec(n_in=1, hidden=(10, 10), n_out=1),
                              OptimizerChoice.of("sgd", lr=0.05), 3, 50, 9),
    "adam, formula data": (formula_dataset("x**2 - 1", n=40, seed=1),
                           MLPSpec(n_in=2, hidden=(4,), n_out=2),
                           OptimizerChoice.of("adam", lr=0.05, beta1=0.8, beta2=0.99), 3, 32, 2),
}


@pytest.mark.parametrize("name", ENGINE_RUNS)
def test_numpy_script_trains_as_the_engine(name, tmp_path):
    data, spec, optimizer, epochs, batch, seed = ENGINE_RUNS[name]
    history = train(spec, optimizer, data, None, epochs, batch, seed)
    done = run_subprocess(numpy_script(Training.of(spec, optimizer, data, epochs, batch, seed)),
                          tmp_path)
    assert done.returncode == 0, done.stderr
    assert len(history.epoch_train_loss) == epochs
    np.testing.assert_allclose(losses_of(done.stdout), history.epoch_train_loss, rtol=1e-9)


def test_a_diverging_run_stops_where_the_engine_stops(tmp_path):
    data = make_dataset("regression", n=40, seed=0)
    spec, optimizer = MLPSpec(n_in=1, hidden=(16,), n_out=1), OptimizerChoice.of("sgd", lr=3.0)
    history = train(spec, optimizer, data, None, 6, 8, 0)
    assert history.diverged_at is not None
    done = run_subprocess(numpy_script(Training.of(spec, optimizer, data, 6, 8, 0)), tmp_path)
    assert f"diverged at step {history.diverged_at}" in done.stderr
    np.testing.assert_allclose(losses_of(done.stdout), history.epoch_train_loss, rtol=1e-9)


def test_init_seed_and_a_batch_larger_than_the_data(tmp_path):
    data, spec, optimizer, _, _, _ = ENGINE_RUNS["adam, dropout, relu"]
    history = train(spec, optimizer, data, None, 2, 500, 5, init_seed=11)
    training = Training.of(spec, optimizer, data, 2, 500, 5, init_seed=11)
    done = run_subprocess(numpy_script(training), tmp_path)
    np.testing.assert_allclose(losses_of(done.stdout), history.epoch_train_loss, rtol=1e-9)


def test_export_refuses_what_it_cannot_write():
    data, spec, optimizer, *_ = ENGINE_RUNS["adam, dropout, relu"]
    with pytest.raises(PlaygroundError, match="no template for the optimizer 'lbfgs'"):
        Training(spec, data, "lbfgs", {"lr": 1.0}, 1, 1, 0)
    with pytest.raises(PlaygroundError, match="no template for the schedule 'warmup'"):
        Training(spec, data, "sgd", {"lr": 1.0}, 1, 1, 0, schedule=("warmup", {}))
    with pytest.raises(PlaygroundError, match="does not fit"):
        Training.of(spec, optimizer, make_dataset("regression", n=20), 1, 1, 0)


# ---- the PyTorch script against the NumPy script -------------------------------------------
SGD = {"lr": 0.05, "momentum": 0.0, "dampening": 0.0, "nesterov": False, "weight_decay": 0.0}
ADAM = {"lr": 0.02, "betas": (0.9, 0.99), "eps": 1e-8, "weight_decay": 0.0, "amsgrad": False}
TORCH_RUNS = {  # name -> (optimizer, hyperparameters, schedule)
    "sgd": ("sgd", SGD, None),
    "sgd nesterov, weight decay": ("sgd", {**SGD, "momentum": 0.9, "nesterov": True,
                                           "weight_decay": 0.01}, None),
    "sgd momentum, dampening": ("sgd", {**SGD, "momentum": 0.7, "dampening": 0.3}, None),
    "adam, weight decay": ("adam", {**ADAM, "weight_decay": 0.05}, None),
    "adam amsgrad": ("adam", {**ADAM, "amsgrad": True}, None),
    "adamw": ("adamw", {**ADAM, "weight_decay": 0.1}, None),
    "adamw amsgrad": ("adamw", {**ADAM, "weight_decay": 0.1, "amsgrad": True}, None),
    "rmsprop": ("rmsprop", {"lr": 0.01, "alpha": 0.9, "eps": 1e-8, "weight_decay": 0.0,
                            "momentum": 0.0, "centered": False}, None),
    "rmsprop centered, momentum, decay": ("rmsprop", {"lr": 0.005, "alpha": 0.95, "eps": 1e-6,
                                                      "weight_decay": 0.02, "momentum": 0.5,
                                                      "centered": True}, None),
    "adagrad": ("adagrad", {"lr": 0.1, "lr_decay": 0.01, "weight_decay": 0.01,
                            "initial_accumulator_value": 0.1, "eps": 1e-10}, None),
    "steplr": ("sgd", SGD, ("steplr", {"step_size": 7, "gamma": 0.5})),
    "exponentiallr": ("adam", ADAM, ("exponentiallr", {"gamma": 0.95})),
    "cosineannealinglr": ("sgd", {**SGD, "momentum": 0.9}, ("cosineannealinglr",
                                                            {"T_max": 12, "eta_min": 0.001})),
    "linearlr": ("rmsprop", {"lr": 0.01, "alpha": 0.99, "eps": 1e-8, "weight_decay": 0.0,
                             "momentum": 0.0, "centered": False},
                 ("linearlr", {"start_factor": 0.25, "end_factor": 1.0, "total_iters": 20})),
}  # 6 epochs of 5 steps: each schedule changes the rate several times within the run


def test_every_template_is_tested_against_torch():
    assert {run[0] for run in TORCH_RUNS.values()} == set(OPTIMIZERS)
    assert {run[2][0] for run in TORCH_RUNS.values() if run[2]} == set(SCHEDULES)


SPIRAL = make_dataset("spiral", n=45, arms=3, seed=1)
SPEC = MLPSpec(n_in=2, hidden=(6, 5), activations=("tanh", "relu"), dropouts=(0.2, 0.0), n_out=3)


@pytest.mark.parametrize("name", TORCH_RUNS)
def test_pytorch_script_trains_as_the_numpy_script(name, tmp_path):
    optimizer, hyper, schedule = TORCH_RUNS[name]
    training = Training(SPEC, SPIRAL, optimizer, hyper, epochs=6, batch_size=10, seed=4,
                        schedule=schedule)
    scripts_agree(training, tmp_path)


REGISTRY_RUNS = [*[OptimizerChoice.of(key) for key in REGISTRY],
                 *[OptimizerChoice.of("momentum", ScheduleChoice.of(key, **small))
                   for key, small in (("step", {"step_size": 4}), ("exponential", {}),
                                      ("cosine", {"T_max": 9}), ("linear", {"total_iters": 9}))]]


@pytest.mark.parametrize("choice", REGISTRY_RUNS, ids=lambda choice: choice.title)
def test_every_optimizer_and_schedule_of_the_registry_exports(choice, tmp_path):
    training = Training.of(SPEC, choice, SPIRAL, 3, 10, 4)
    built = choice.build([Tensor(np.zeros(1), requires_grad=True)])
    assert training.hyperparameters == built.hyperparameters()
    assert (training.schedule is None) == (choice.schedule is None)
    scripts_agree(training, tmp_path)


def scripts_agree(training: Training, tmp_path) -> None:
    torch = pytest.importorskip(
        "torch", reason="PyTorch is not a dependency of the app; install it to check the "
                        "exported PyTorch scripts against the NumPy ones")
    numpy_losses = losses_of(run_subprocess(numpy_script(training), tmp_path).stdout)
    default = torch.get_default_dtype()
    out = io.StringIO()
    try:
        with contextlib.redirect_stdout(out):
            runpy.run_path(_write(tmp_path, pytorch_script(training)))
    finally:
        torch.set_default_dtype(default)
    assert len(numpy_losses) == training.epochs
    np.testing.assert_allclose(losses_of(out.getvalue()), numpy_losses, rtol=1e-9)


def test_pytorch_script_runs_on_its_own_for_regression(tmp_path):
    pytest.importorskip("torch", reason="PyTorch is not a dependency of the app")
    data, spec, optimizer, epochs, batch, seed = ENGINE_RUNS["sgd, regression, tanh"]
    history = train(spec, optimizer, data, None, epochs, batch, seed)
    done = run_subprocess(pytorch_script(Training.of(spec, optimizer, data, epochs, batch, seed)),
                          tmp_path)
    assert done.returncode == 0, done.stderr
    np.testing.assert_allclose(losses_of(done.stdout), history.epoch_train_loss, rtol=1e-9)


def _write(tmp_path, text: str) -> str:
    path = tmp_path / "exported_torch.py"
    path.write_text(text, encoding="utf-8")
    return str(path)


# ---- network JSON --------------------------------------------------------------------------
def test_network_json_loads_back_to_the_same_predictions():
    data, spec, optimizer, epochs, batch, seed = ENGINE_RUNS["momentum, three classes, sigmoid"]
    history = train(spec, optimizer, data, None, epochs, batch, seed)
    training = Training.of(spec, optimizer, data, epochs, batch, seed, source="blobs, k=3")
    model, info = network_from_json(network_json(history.model, training))
    assert model.spec == spec
    grid = np.random.default_rng(0).uniform(-3, 3, size=(200, 2))
    np.testing.assert_array_equal(predict(model, grid), predict(history.model, grid))
    assert info["training"]["optimizer"] == "sgd"
    assert info["training"]["hyperparameters"]["momentum"] == 0.8
    assert info["data"] == {"source": "blobs, k=3", "task": "classification", "n_classes": 3,
                            "points": 45}


@pytest.mark.parametrize("text, message", [
    ("not json", "not a network file"),
    ("[]", "not a network file"),
    ('{"format": "something else"}', "not a network file"),
    ('{"format": "backprop-playground-network", "spec": "2-3-2", "weights": {}}',
     "do not match"),
    ('{"format": "backprop-playground-network", "spec": "2-999-2", "weights": {}}',
     "cannot be built"),
    ('{"format": "backprop-playground-network", "spec": "1-1", '
     '"weights": {"W1": [[1, 2]], "b1": [0]}}', "W1 has the wrong shape"),
    ('{"format": "backprop-playground-network", "spec": "1-1", '
     '"weights": {"W1": [["x"]], "b1": [0]}}', "not a network file"),
])
def test_a_bad_network_file_says_so(text, message):
    with pytest.raises(PlaygroundError, match=message):
        network_from_json(text)


# ---- expression programs as PyTorch --------------------------------------------------------
PROGRAMS = {  # program -> input values (others get the defaults)
    "z = x * y + exp(x) / y - x ** y\nz += -sin(x) * cos(y)": {},
    "h = tanh(W @ v) + sigmoid(W @ v) + relu(W @ v - 1)\nout = sum(h * h)":
        {"W": "randn(3, 2)", "v": "[0.5, -1.5]"},
    "a = sqrt(abs(x)) + log(x * x)\nmean(a, axis=0, keepdims=True) + max(a, axis=1, keepdims=True)":
        {"x": "[[1, -2, 3], [3, 0.5, 3]]"},
    "max(x) + sum(x, keepdims=True) + mean(x)": {"x": "[[1, 4, 4], [0, 2, 4]]"},
    "s = softmax(z, axis=0) * log_softmax(z)\nreshape(s, 3, 2) + transpose(s, 1, 0) + s.T":
        {"z": "randn(2, 3)"},
    "cross_entropy(z, y) + mse(z, w)": {"z": "randn(4, 3)", "y": InputSpec("[0, 2, 1, 2]", False),
                                        "w": "randn(4, 3)"},
    "t = add(x, 1)\nT = mul(t, dot([1, 2], [3, 4]))\nneg(div(sub(T, 2), pow(x, 2)))": {},
    "torch = x.T @ x": {"x": "randn(3)"},
    MICROGRAD_README: {},  # leaves assigned in the program; import, print and backward lines
    "a = 2.0\nb = a * x\nb.backward()\nb = b * 3": {},  # the output named before a reassignment
    "y = leaky_relu(x, 0.2) + gelu(x) + gelu(x, approximate=tanh) + softplus(x, beta=2)\n"
    "z = elu(x, alpha=0.5) + maximum(x, w) * minimum(x, w) + clamp(x, -0.5, 0.5)\n"
    "sum(y * z) + sum(clamp(w, max=0))": {"x": "randn(3, 2)", "w": "[[1, 2], [0, 0], [3, -1]]"},
    "s = var(x, axis=0) + std(x, correction=0) + logsumexp(x, axis=1, keepdims=True)\n"
    "c = concat(s, x, axis=0)\nsum(stack(c, c, axis=-1)) + var(x) + logsumexp(x)":
        {"x": "randn(2, 3)"},
    "p = softmax(z)\n-log(p[2]) + z[-1] * W[:, 1][0] + sum(X[0:2]) + X[1, 0] + sum(X[[0, 0], i])":
        {"z": "randn(3)", "W": "randn(3, 2)", "X": "randn(4, 2)",
         "i": InputSpec("[1, 0]", False)},
    EXAMPLES_BY_KEY["mlp"].source: EXAMPLES_BY_KEY["mlp"].values,
    EXAMPLES_BY_KEY["attention"].source: EXAMPLES_BY_KEY["attention"].values,
    EXAMPLES_BY_KEY["layernorm"].source: EXAMPLES_BY_KEY["layernorm"].values,
}


@pytest.mark.parametrize("program", PROGRAMS)
def test_pytorch_snippet_is_python_that_names_every_input(program):
    """Checked without PyTorch too: the snippet parses and assigns every input."""
    built = build(program, PROGRAMS[program], seed=3)
    tree = ast.parse(pytorch_snippet(built))
    assigned = {t.id for node in ast.walk(tree) if isinstance(node, ast.Assign)
                for t in node.targets if isinstance(t, ast.Name)}
    assert {name + "_" if name == "torch" else name for name in built.inputs} <= assigned


@pytest.mark.parametrize("program", PROGRAMS)
def test_pytorch_snippet_gives_the_gradients_shown(program):
    torch = pytest.importorskip("torch", reason="PyTorch is not a dependency of the app")
    built = build(program, PROGRAMS[program], seed=3)
    built.output.backward(np.ones_like(built.output.data))
    namespace = {}
    with contextlib.redirect_stdout(io.StringIO()) as printed:
        exec(pytorch_snippet(built), namespace)  # our own generated code, never user text
    for name, tensor in built.inputs.items():
        exported = namespace[name + "_" if name == "torch" else name]
        assert isinstance(exported, torch.Tensor)
        if tensor.requires_grad:
            np.testing.assert_allclose(exported.grad.numpy(), tensor.grad, rtol=1e-12,
                                       atol=1e-12)
            assert f"/d{name} =" in printed.getvalue()
        else:
            assert exported.grad is None


json_values = st.recursive(st.none() | st.booleans() | st.floats() | st.integers() | st.text(
    max_size=8), lambda inner: st.lists(inner, max_size=4) | st.dictionaries(
    st.sampled_from(["W1", "b1", "W2", "b2", "x"]), inner, max_size=4), max_leaves=20)


@settings(max_examples=200, deadline=None)
@given(st.sampled_from(["2-3-2", "1-1", "2-2-2:relu:0.5", "x", "2-0-2"]), json_values)
def test_any_network_file_gives_a_network_or_a_playground_error(spec, weights):
    text = json.dumps({"format": "backprop-playground-network", "spec": spec,
                       "weights": weights})
    try:
        model, _ = network_from_json(text)
    except PlaygroundError:
        return
    assert np.isfinite(predict(model, np.zeros((1, model.spec.n_in)))).all()
