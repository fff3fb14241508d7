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
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from engine import optim
from engine.data import make_dataset
from engine.errors import PlaygroundError
from engine.expr import InputSpec, build
from engine.nn import MLPSpec
from engine.tensor import Tensor
from engine.train import predict, train
from page_models.examples import EXAMPLES_BY_KEY, MICROGRAD_README
from page_models.export import (
    TEMPLATES,
    Training,
    exportable,
    network_from_json,
    network_json,
    numpy_script,
    pytorch_script,
    pytorch_snippet,
)
from page_models.optimizers import OPTIMIZERS, OptimizerChoice, ScheduleChoice
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
    return run_file(path, tmp_path)


def run_file(path: Path, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, str(path)], capture_output=True, text=True,
                          timeout=120, cwd=cwd)


ENGINE_RUNS = {  # name -> (data, spec, optimizer, epochs, batch size, seed)
    "adam, dropout, relu": (make_dataset("moons", n=60, seed=1),
                            MLPSpec(n_in=2, hidden=(8, 5), activations=("relu",),
                                    dropouts=(0.3,), n_out=2),
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


def test_a_source_with_quotes_and_backslashes_stays_in_the_docstring(tmp_path):
    data, spec, optimizer, *_ = ENGINE_RUNS["adam, formula data"]
    training = Training.of(spec, optimizer, data, 1, 32, 2, source='f(x) = """\\"; x')
    done = run_subprocess(numpy_script(training), tmp_path)
    assert done.returncode == 0, done.stderr


def test_export_refuses_what_it_cannot_write():
    data, spec, optimizer, *_ = ENGINE_RUNS["adam, dropout, relu"]
    with pytest.raises(PlaygroundError, match="no template for the optimizer 'LBFGS'"):
        Training(spec, data, "LBFGS", {"lr": 1.0}, 1, 1, 0)
    with pytest.raises(PlaygroundError, match="no template for the schedule 'Warmup'"):
        Training(spec, data, "SGD", {"lr": 1.0}, 1, 1, 0, schedule=("Warmup", {}))
    with pytest.raises(PlaygroundError, match="does not fit"):
        Training.of(spec, optimizer, make_dataset("regression", n=20), 1, 1, 0)


# ---- the PyTorch script against the NumPy script -------------------------------------------
SGD = {"lr": 0.05, "momentum": 0.0, "dampening": 0.0, "nesterov": False, "weight_decay": 0.0}
ADAM = {"lr": 0.02, "betas": (0.9, 0.99), "eps": 1e-8, "weight_decay": 0.0, "amsgrad": False}
RMSPROP = {"lr": 0.01, "alpha": 0.9, "eps": 1e-8, "weight_decay": 0.0, "momentum": 0.0,
           "centered": False}
TORCH_RUNS = {  # name -> (optimizer, hyperparameters, schedule)
    "sgd": ("SGD", SGD, None),
    "sgd nesterov, weight decay": ("SGD", {**SGD, "momentum": 0.9, "nesterov": True,
                                           "weight_decay": 0.01}, None),
    "sgd momentum, dampening": ("SGD", {**SGD, "momentum": 0.7, "dampening": 0.3}, None),
    "adam, weight decay": ("Adam", {**ADAM, "weight_decay": 0.05}, None),
    "adam amsgrad": ("Adam", {**ADAM, "amsgrad": True}, None),
    "adamw": ("AdamW", {**ADAM, "weight_decay": 0.1}, None),
    "adamw amsgrad": ("AdamW", {**ADAM, "weight_decay": 0.1, "amsgrad": True}, None),
    "rmsprop": ("RMSprop", RMSPROP, None),
    "rmsprop centered, momentum, decay": ("RMSprop", {"lr": 0.005, "alpha": 0.95, "eps": 1e-6,
                                                      "weight_decay": 0.02, "momentum": 0.5,
                                                      "centered": True}, None),
    "adagrad": ("Adagrad", {"lr": 0.1, "lr_decay": 0.01, "weight_decay": 0.01,
                            "initial_accumulator_value": 0.1, "eps": 1e-10}, None),
    "steplr": ("SGD", SGD, ("StepLR", {"step_size": 7, "gamma": 0.5})),
    "exponentiallr": ("Adam", ADAM, ("ExponentialLR", {"gamma": 0.95})),
    "cosineannealinglr": ("SGD", {**SGD, "momentum": 0.9}, ("CosineAnnealingLR",
                                                            {"T_max": 12, "eta_min": 0.001})),
    "linearlr": ("RMSprop", {**RMSPROP, "alpha": 0.99},
                 ("LinearLR", {"start_factor": 0.25, "end_factor": 1.0, "total_iters": 20})),
}  # 6 epochs of 5 steps: each schedule changes the rate several times within the run


def subclasses(cls) -> set[str]:
    return {c.__name__ for sub in cls.__subclasses__() for c in (sub, *sub.__subclasses__())}


def test_every_engine_optimizer_and_schedule_exports_and_is_tested_against_torch():
    optimizers, schedules = subclasses(optim.Optimizer), subclasses(optim.LRScheduler)
    assert {"SGD", "RMSprop", "Adagrad", "Adam", "AdamW"} <= optimizers
    assert all(exportable(name) for name in optimizers | schedules)
    assert {run[0] for run in TORCH_RUNS.values()} == optimizers
    assert {run[2][0] for run in TORCH_RUNS.values() if run[2]} == schedules


SPIRAL = make_dataset("spiral", n=45, arms=3, seed=1)
SPEC = MLPSpec(n_in=2, hidden=(6, 5), activations=("tanh", "relu"), dropouts=(0.2, 0.0), n_out=3)


@pytest.mark.parametrize("name", TORCH_RUNS)
def test_pytorch_script_trains_as_the_numpy_script(name, tmp_path):
    optimizer, hyper, schedule = TORCH_RUNS[name]
    training = Training(SPEC, SPIRAL, optimizer, hyper, epochs=6, batch_size=10, seed=4,
                        schedule=schedule)
    scripts_agree(training, tmp_path)


REGISTRY_RUNS = [*[OptimizerChoice.of(key) for key in OPTIMIZERS],
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


# ---- the templates ---------------------------------------------------------------------------
@pytest.mark.parametrize("template", ["numpy_training.py", "torch_training.py"])
def test_each_template_runs_on_its_own(template, tmp_path):
    if template.startswith("torch"):
        pytest.importorskip("torch", reason="PyTorch runs the PyTorch template in CI")
    done = run_file(TEMPLATES / template, tmp_path)
    assert done.returncode == 0, done.stderr
    numpy_done = run_file(TEMPLATES / "numpy_training.py", tmp_path)
    assert len(losses_of(done.stdout)) == 3  # demo.py's run
    np.testing.assert_allclose(losses_of(done.stdout), losses_of(numpy_done.stdout), rtol=1e-12)


def test_the_exported_scripts_pass_ruff(tmp_path):
    """Only data is generated: the scripts are the templates (which ruff checks with the rest)
    with the run's data and copied functions, and pass the same checks."""
    pytest.importorskip("ruff", reason="ruff is a dev requirement")
    data, spec, optimizer, *_ = ENGINE_RUNS["adam, dropout, relu"]
    choice = OptimizerChoice.of("amsgrad", ScheduleChoice.of("cosine", T_max=9))
    scripts = {"numpy_script.py": numpy_script(Training.of(spec, choice, data, 2, 8, 0)),
               "torch_script.py": pytorch_script(Training.of(spec, optimizer, data, 2, 8, 0))}
    for name, script in scripts.items():
        (tmp_path / name).write_text(script, encoding="utf-8")
    pyproject = Path(__file__).resolve().parents[2] / "pyproject.toml"
    done = subprocess.run([sys.executable, "-m", "ruff", "check", "--config", str(pyproject),
                           *scripts], capture_output=True, text=True, cwd=tmp_path)
    assert done.returncode == 0, done.stdout


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
    assert info["training"]["optimizer"] == "SGD"
    assert info["training"]["hyperparameters"]["momentum"] == 0.8
    assert info["data"] == {"source": "blobs, k=3", "task": "classification", "n_classes": 3,
                            "points": 45}


def test_the_json_holds_torchs_state_dict_and_version_1_files_still_load():
    data, spec, optimizer, epochs, batch, seed = ENGINE_RUNS["momentum, three classes, sigmoid"]
    model = train(spec, optimizer, data, None, epochs, batch, seed).model
    doc = json.loads(network_json(model, Training.of(spec, optimizer, data, 1, 1, 0)))
    assert doc["version"] == 2 and list(doc["state_dict"]) == [
        "0.weight", "0.bias", "3.weight", "3.bias"]  # Linear, Sigmoid, Dropout, Linear
    assert np.array(doc["state_dict"]["0.weight"]).shape == (6, 2)  # (out, in)
    old = {**doc, "version": 1, "weights": {  # version 1: W1, b1, ... with W (in, out)
        "W1": model.layers[0].weight.data.T.tolist(), "b1": model.layers[0].bias.data.tolist(),
        "W2": model.layers[1].weight.data.T.tolist(), "b2": model.layers[1].bias.data.tolist()}}
    del old["state_dict"]
    loaded, _ = network_from_json(json.dumps(old))
    grid = np.random.default_rng(0).uniform(-3, 3, size=(50, 2))
    np.testing.assert_array_equal(predict(loaded, grid), predict(model, grid))


def test_a_torch_network_loads_the_exported_state_dict():
    torch = pytest.importorskip("torch", reason="PyTorch checks the JSON's layout in CI")
    data, spec, optimizer, *_ = ENGINE_RUNS["momentum, three classes, sigmoid"]
    doc = json.loads(network_json(train(spec, optimizer, data, None, 1, 8, 0).model,
                                  Training.of(spec, optimizer, data, 1, 8, 0)))
    twin = torch.nn.Sequential(torch.nn.Linear(2, 6), torch.nn.Sigmoid(), torch.nn.Dropout(0.5),
                               torch.nn.Linear(6, 3)).double().eval()
    twin.load_state_dict({k: torch.tensor(v, dtype=torch.float64)
                          for k, v in doc["state_dict"].items()})
    model, _ = network_from_json(json.dumps(doc))
    np.testing.assert_allclose(twin(torch.from_numpy(data.X)).detach().numpy(),
                               predict(model, data.X), rtol=1e-12)


V2 = '{"format": "backprop-playground-network", "version": 2, '


@pytest.mark.parametrize("text, message", [
    ("not json", "not a network file"),
    ("[]", "not a network file"),
    ('{"format": "something else"}', "not a network file"),
    ('{"format": "backprop-playground-network", "spec": "2-3-2", "weights": {}}',
     "do not match"),
    ('{"format": "backprop-playground-network", "spec": "2-999-2", "weights": {}}',
     "cannot be built"),
    ('{"format": "backprop-playground-network", "spec": "1-1", '
     '"weights": {"W1": [[1, 2]], "b1": [0]}}', "0.weight has the wrong shape"),
    ('{"format": "backprop-playground-network", "spec": "1-1", '
     '"weights": {"W1": [["x"]], "b1": [0]}}', "not a network file"),
    ('{"format": "backprop-playground-network", "version": 3, "spec": "1-1"}',
     "version 3; this playground reads versions 1 and 2"),
    (V2 + '"spec": "2-3-2", "state_dict": {"0.weight": [[1, 2]]}}', "do not match"),
    (V2 + '"spec": "1-1", "state_dict": {"0.weight": [[1, 2]], "0.bias": [0]}}',
     "0.weight has the wrong shape"),
    (V2 + '"spec": "1-1", "state_dict": [1]}', "not a table"),
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
    st.sampled_from(["W1", "b1", "W2", "b2", "x", "0.weight", "0.bias", "2.weight", "2.bias"]),
    inner, max_size=4), max_leaves=20)


@settings(max_examples=200, deadline=None)
@given(st.sampled_from(["2-3-2", "1-1", "2-2-2:relu:0.5", "x", "2-0-2"]), json_values,
       st.sampled_from([1, 2]))
def test_any_network_file_gives_a_network_or_a_playground_error(spec, weights, version):
    key = "weights" if version == 1 else "state_dict"
    text = json.dumps({"format": "backprop-playground-network", "version": version,
                       "spec": spec, key: weights})
    try:
        model, _ = network_from_json(text)
    except PlaygroundError:
        return
    assert np.isfinite(predict(model, np.zeros((1, model.spec.n_in)))).all()
