"""engine.train and engine.train_grid: runs, histories, live steps, divergence, comparison grids
(the same loop with R > 1 runs), prediction helpers."""

import math

import numpy as np
import pytest

from engine import (
    MLP,
    SGD,
    LimitError,
    MLPSpec,
    PlaygroundError,
    class_probabilities,
    compare,
    make_dataset,
    predict,
    train,
    train_steps,
    train_val_split,
)
from engine.limits import MAX_EPOCHS, MAX_SEEDS
from engine.tensor import Tensor
from engine.train import (
    DIVERGENCE_FACTOR,
    LOSS_FOR_TASK,
    LOSS_OPS,
    LOSS_TERMS,
    Job,
    Runs,
    _losses,
)
from page_models.optimizers import OPTIMIZERS as REGISTRY
from page_models.optimizers import OptimizerChoice, ScheduleChoice

SPEC = MLPSpec(n_in=2, hidden=(8,), n_out=2)


def opt(key: str, lr: float, schedule: ScheduleChoice | None = None, **knobs):
    """A registry optimizer with any learning rate (1e-300 and 1e4 included: past the knob's
    range, which only limits what a page offers)."""
    values = REGISTRY[key].defaults() | {"lr": lr, **knobs}
    return OptimizerChoice(key, tuple(values.items()), schedule)


@pytest.fixture(scope="module")
def moons():
    return train_val_split(make_dataset("moons", n=100, noise=0.1, seed=0), 0.2, seed=0)


def close_histories(a, b, tol=1e-12) -> None:
    """Every recorded curve, the divergence and the final weights agree to `tol` (relative)."""
    for name in ("step_loss", "epoch_train_loss", "epoch_train_acc", "epoch_val_loss",
                 "epoch_val_acc", "grad_norms"):
        np.testing.assert_allclose(getattr(a, name), getattr(b, name), rtol=tol, atol=tol,
                                   err_msg=name)
    assert a.diverged_at == b.diverged_at
    for p, q in zip(a.model.parameters(), b.model.parameters(), strict=True):
        np.testing.assert_allclose(p.data, q.data, rtol=tol, atol=tol)


def same_history(a, b) -> bool:
    return (a.step_loss == b.step_loss and a.epoch_train_loss == b.epoch_train_loss
            and a.epoch_val_loss == b.epoch_val_loss and a.epoch_val_acc == b.epoch_val_acc
            and np.array_equal(a.grad_norms, b.grad_norms) and a.diverged_at == b.diverged_at)


# ---- one run ---------------------------------------------------------------------------------
def test_history_has_every_curve_with_a_partial_last_batch(moons):
    train_data, val_data = moons  # 80 training points: batches of 32, 32, 16
    h = train(SPEC, opt("sgd", 0.1), train_data, val_data, epochs=4, batch_size=32,
              seed=0)
    assert h.steps_per_epoch == 3 and h.steps == 12 and len(h.step_loss) == 12
    assert h.epochs == 4
    for curve in (h.epoch_train_loss, h.epoch_train_acc, h.epoch_val_loss, h.epoch_val_acc):
        assert len(curve) == 4 and np.isfinite(curve).all()
    assert h.grad_norms.shape == (12, 2) and (h.grad_norms > 0).all()
    assert h.layer_names == ["Layer 1 (2→8)", "Layer 2 (8→2)"]
    assert h.epoch_end_steps == [3, 6, 9, 12]
    assert h.diverged_at is None and not h.diverged
    assert isinstance(h.model, MLP)


def test_same_seed_same_history_and_other_seed_other_history(moons):
    def run(seed):
        return train(SPEC.with_dropout(0.3), opt("momentum", 0.1), *moons, epochs=3,
                     batch_size=16, seed=seed)

    assert same_history(run(4), run(4))
    assert run(4).step_loss != run(5).step_loss


def test_weights_come_from_the_seed_or_init_seed(moons):
    """lr = 1e-300 leaves the weights as they were (biases start at 0 and move to ~1e-300)."""
    frozen = opt("sgd", 1e-300)
    initial = MLP(SPEC, np.random.default_rng(3)).parameters()
    for kwargs in ({"seed": 3}, {"seed": 8, "init_seed": 3}):
        h = train(SPEC, frozen, *moons, epochs=1, batch_size=16, **kwargs)
        for p, q in zip(h.model.parameters(), initial):
            np.testing.assert_allclose(p.data, q.data, rtol=1e-15, atol=1e-250)


def test_shuffling_changes_the_batches_but_not_a_full_batch(moons):
    full, sgd = len(moons[0]), opt("sgd", 0.1)
    a = train(SPEC, sgd, *moons, epochs=3, batch_size=full, seed=0, init_seed=0)
    b = train(SPEC, sgd, *moons, epochs=3, batch_size=full, seed=1, init_seed=0)
    np.testing.assert_allclose(a.step_loss, b.step_loss, rtol=1e-12)  # same data, other order
    c = train(SPEC, sgd, *moons, epochs=3, batch_size=10, seed=1, init_seed=0)
    d = train(SPEC, sgd, *moons, epochs=3, batch_size=10, seed=2, init_seed=0)
    assert c.step_loss[0] != d.step_loss[0]  # other minibatches


def test_batch_size_above_the_data_is_one_batch(moons):
    h = train(SPEC, opt("sgd", 0.1), *moons, epochs=2, batch_size=10_000, seed=0)
    assert h.steps_per_epoch == 1 and h.steps == 2


def test_adam_learns_moons_to_97_percent_within_300_steps():
    data = make_dataset("moons", n=200, noise=0.1, seed=0)
    spec = MLPSpec(n_in=2, hidden=(16, 16), activations=("tanh",), n_out=2)
    h = train(spec, opt("adam", 0.01), data, None, epochs=42, batch_size=32, seed=0)
    assert h.steps <= 300
    assert h.epoch_train_acc[-1] >= 0.97
    assert np.mean(predict(h.model, data.X).argmax(axis=1) == data.y) == h.epoch_train_acc[-1]
    assert all(math.isnan(v) for v in h.epoch_val_loss)  # no validation data


@pytest.mark.parametrize("activation, accuracy", [("tanh", 0.95), ("relu", 0.95),
                                                  ("sigmoid", 0.85)])
def test_every_activation_trains(activation, accuracy):
    """Sigmoid with torch's gain 1 learns slowest: σ′ ≤ 1/4 shrinks every layer's signal."""
    data = make_dataset("moons", n=200, noise=0.1, seed=0)
    spec = MLPSpec(n_in=2, hidden=(16, 16), activations=(activation,), n_out=2)
    h = train(spec, opt("adam", 0.01), data, None, epochs=42, batch_size=32, seed=0)
    assert h.epoch_train_acc[-1] >= accuracy


def test_regression_uses_squared_error_and_has_no_accuracy():
    train_data, val_data = train_val_split(make_dataset("regression", n=120, seed=0), 0.25)
    spec = MLPSpec(n_in=1, hidden=(16,), n_out=1)
    h = train(spec, opt("adam", 0.02), train_data, val_data, epochs=40, batch_size=16,
              seed=0)
    assert h.task == "regression"
    assert all(math.isnan(a) for a in h.epoch_train_acc + h.epoch_val_acc)
    assert h.epoch_val_loss[-1] < 0.5 * h.epoch_val_loss[0]
    mse = np.mean((predict(h.model, train_data.X) - train_data.y) ** 2)
    assert mse == pytest.approx(h.epoch_train_loss[-1], rel=1e-9)


@pytest.mark.parametrize("name, spec", [
    ("moons", SPEC), ("regression", MLPSpec(n_in=1, hidden=(8,), n_out=1))])
def test_training_minimises_the_loss_for_its_task(name, spec):
    data = make_dataset(name, n=60, seed=0)
    h = train(spec, opt("sgd", 0.1), data, None, epochs=1, batch_size=len(data), seed=0)
    start = MLP(spec, np.random.default_rng(0))  # one full batch: the initial weights' loss
    expected = LOSS_FOR_TASK[data.task](start(Tensor(data.X)), Tensor(data.y))
    assert h.step_loss[0] == pytest.approx(expected.item(), rel=1e-12)


def test_the_loop_is_forward_loss_backward_step(moons):
    """Two steps of train() are the modules' forward, the task's loss from the op table, the
    backward pass and the optimizer's step, on the batches of the shuffling stream."""
    train_data, _ = moons
    choice = opt("momentum", 0.1)
    h = train(SPEC.with_dropout(0.3), choice, train_data, None, epochs=1, batch_size=40, seed=5)
    model = MLP(SPEC.with_dropout(0.3), np.random.default_rng(5),
                dropout_rng=np.random.default_rng([5, 2]))
    optimizer = SGD(model.parameters(), lr=0.1, momentum=0.9)
    order = np.random.default_rng([5, 1]).permutation(len(train_data))
    losses = []
    for batch in (order[:40], order[40:]):
        model.zero_grad()
        loss = LOSS_FOR_TASK["classification"](model(train_data.X[batch]), train_data.y[batch])
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
    assert h.step_loss == losses
    for p, q in zip(h.model.parameters(), model.parameters()):
        np.testing.assert_array_equal(p.data, q.data)


def test_one_run_trains_its_own_mlp_and_several_a_stack_of_them(moons):
    """The loop is the same for R runs: with R = 1 the network is the run's MLP itself (the
    graph a page shows for one step), with R > 1 the MLPs stacked, each a view of its slice."""
    jobs = [Job(SPEC, opt("sgd", 0.1), seed, seed) for seed in (0, 1)]
    one, two = Runs(jobs[:1], moons[0], None, 16), Runs(jobs, moons[0], None, 16)
    assert one.net is one.histories[0].model and not one.stacked
    assert two.stacked and two.params[0].shape == (2, 8, 2)  # (runs, out, in)
    for runs in (one, two):
        assert [epoch_end for _, _, epoch_end in runs.steps(1)] == [False] * 4 + [True]
    np.testing.assert_allclose(two.histories[0].step_loss, one.histories[0].step_loss,
                               rtol=1e-12)


def test_a_schedule_steps_once_per_optimizer_step(moons):
    schedule = ScheduleChoice("step", (("step_size", 2), ("gamma", 0.0)))  # lr 0 from step 3
    h = train(SPEC, opt("sgd", 0.5, schedule), *moons, epochs=2, batch_size=20, seed=0)
    plain = train(SPEC, opt("sgd", 0.5), *moons, epochs=1, batch_size=20, seed=0)
    assert h.step_loss[:3] == plain.step_loss[:3]  # steps 1 and 2 moved the weights alike
    assert h.step_loss[3] != plain.step_loss[3]  # step 3 did not move them
    assert len(set(h.epoch_train_loss)) == 1  # nor did any later step


# ---- divergence ------------------------------------------------------------------------------
def test_a_huge_learning_rate_diverges_and_stops(moons):
    h = train(SPEC, opt("sgd", 1e4), *moons, epochs=20, batch_size=16, seed=0)
    assert h.diverged and h.diverged_at is not None
    assert len(h.step_loss) == h.diverged_at - 1  # steps before the bad one
    assert h.steps < 20 * h.steps_per_epoch
    assert np.isfinite(h.step_loss).all() and np.isfinite(h.grad_norms).all()
    assert np.isfinite(h.epoch_train_loss).all()
    assert "loss" in h.diverged_reason or "gradient" in h.diverged_reason
    if "exploded" in h.diverged_reason:
        assert str(int(DIVERGENCE_FACTOR)) in h.diverged_reason


def test_a_non_finite_loss_is_divergence(moons):
    h = train(SPEC, opt("sgd", 1e300), *moons, epochs=5, batch_size=16, seed=0)
    assert h.diverged and np.isfinite(h.step_loss).all()


# ---- step by step ----------------------------------------------------------------------------
def test_train_steps_yields_every_step_and_returns_the_history(moons):
    args = (SPEC, opt("adam", 0.01), *moons, 3, 32, 0)
    records = []
    steps = train_steps(*args)
    while True:
        try:
            records.append(next(steps))
        except StopIteration as done:
            history = done.value
            break
    assert [r.step for r in records] == list(range(1, 10))
    assert [r.epoch for r in records] == [1, 1, 1, 2, 2, 2, 3, 3, 3]
    ends = [r for r in records if r.epoch_end]
    assert [r.step for r in ends] == [3, 6, 9]
    assert [r.val_acc for r in ends] == history.epoch_val_acc
    assert [r.train_loss for r in ends] == history.epoch_train_loss
    assert [r.loss for r in records] == history.step_loss
    assert all(r.history is history for r in records)
    assert records[0].val_loss is None and not records[0].diverged
    assert same_history(history, train(*args))


def test_stopping_early_keeps_what_was_done(moons):
    steps = train_steps(SPEC, opt("sgd", 0.1), *moons, 5, 16, 0)
    for record in steps:
        if record.step == 4:
            break
    assert record.history.steps == 4 and record.history.epochs == 0


def test_train_steps_reports_divergence_last(moons):
    records = list(train_steps(SPEC, opt("sgd", 1e4), *moons, 20, 16, 0))
    assert records[-1].diverged and not any(r.diverged for r in records[:-1])
    diverged_at = records[-1].history.diverged_at
    assert records[-1].step == diverged_at
    # The diverged step's update is not applied: the model keeps the weights of the step before.
    for record in train_steps(SPEC, opt("sgd", 1e4), *moons, 20, 16, 0):
        if record.step == diverged_at - 1:
            break
    for p, q in zip(records[-1].history.model.parameters(), record.history.model.parameters()):
        np.testing.assert_array_equal(p.data, q.data)


def test_bad_settings_fail_at_the_call(moons):
    with pytest.raises(PlaygroundError, match="inputs"):
        train_steps(MLPSpec(n_in=3, hidden=(4,), n_out=2), opt("sgd", 0.1), *moons,
                    1, 8, 0)
    with pytest.raises(LimitError):
        train(SPEC, opt("sgd", 0.1), *moons, MAX_EPOCHS + 1, 8, 0)
    with pytest.raises(LimitError):
        train(SPEC, opt("sgd", 0.1), *moons, MAX_EPOCHS, 1, 0)  # too many steps
    for bad in ({"epochs": 0}, {"batch_size": 0}, {"seed": -1}, {"batch_size": 2.5}):
        settings = {"epochs": 1, "batch_size": 8, "seed": 0, **bad}
        with pytest.raises(PlaygroundError):
            train(SPEC, opt("sgd", 0.1), *moons, **settings)


# ---- comparison grid -------------------------------------------------------------------------
GRID_OPTIMIZERS = [opt("sgd", 0.2), opt("momentum", 0.05),
              opt("adam", 0.01)]


@pytest.fixture(scope="module")
def grid(moons):
    calls = []
    runs = compare(SPEC, GRID_OPTIMIZERS, 0.3, [0, 1], *moons, epochs=4, batch_size=16,
                   progress=lambda done, total: calls.append((done, total)))
    return runs, calls


def test_grid_has_every_run_in_order_with_titles(grid):
    runs, _ = grid
    assert len(runs) == 3 * 2 * 2
    assert [(r.label, r.dropout_p, r.seed) for r in runs[:4]] == [
        ("SGD", 0.0, 0), ("SGD", 0.0, 1), ("SGD", 0.3, 0), ("SGD", 0.3, 1)]
    assert [r.label for r in runs[::4]] == ["SGD", "Momentum", "Adam"]
    assert runs[-1].title == "Adam, lr=0.01, dropout 0.3, seed 1"
    assert runs[0].title == "SGD, lr=0.2, no dropout, seed 0"


def test_grid_records_validation_curves_and_dropout_changes_the_runs(grid):
    runs, _ = grid
    for run in runs:
        val_loss = run.history.epoch_val_loss
        assert len(val_loss) == 4 and np.isfinite(val_loss).all()
        assert run.history.model.spec.dropouts == (run.dropout_p,) * len(SPEC.hidden)
    for plain, dropped in zip(runs[0::4], runs[2::4]):  # same optimizer and seed
        assert plain.history.step_loss != dropped.history.step_loss
        assert plain.history.epoch_val_loss != dropped.history.epoch_val_loss


def test_grid_runs_are_single_runs(grid, moons):
    runs, _ = grid
    for run in runs:
        alone = train(SPEC.with_dropout(run.dropout_p), run.optimizer, *moons, 4, 16, run.seed)
        close_histories(run.history, alone)


@pytest.mark.parametrize("key", list(REGISTRY))
def test_grid_equals_the_plain_loop_for_every_optimizer(key, moons):
    """The stacked grid trains each run as train() does, with and without dropout, to 1e-12."""
    choice = opt(key, REGISTRY[key].knob("lr").default)
    runs = compare(SPEC, [choice], 0.3, [0, 1], *moons, epochs=3, batch_size=16)
    assert [(r.dropout_p, r.seed) for r in runs] == [(0.0, 0), (0.0, 1), (0.3, 0), (0.3, 1)]
    for run in runs:
        alone = train(SPEC.with_dropout(run.dropout_p), choice, *moons, 3, 16, run.seed)
        close_histories(run.history, alone)


@pytest.mark.parametrize("schedule", [ScheduleChoice.of(key) for key in
                                      ("step", "exponential", "cosine", "linear")])
def test_grid_equals_the_plain_loop_with_a_schedule(schedule, moons):
    choices = [opt("adam", 0.02, schedule, beta1=0.8), opt("nesterov", 0.1, schedule)]
    runs = compare(SPEC, choices, 0.2, [3], *moons, epochs=2, batch_size=8)
    for run in runs:
        alone = train(SPEC.with_dropout(run.dropout_p), run.optimizer, *moons, 2, 8, run.seed)
        close_histories(run.history, alone)


def test_grid_is_deterministic_and_reports_progress(grid, moons):
    runs, calls = grid
    again = compare(SPEC, GRID_OPTIMIZERS, 0.3, [0, 1], *moons, epochs=4, batch_size=16)
    assert all(same_history(a.history, b.history) for a, b in zip(runs, again))
    dones = [done for done, _ in calls]
    assert dones == sorted(dones) and calls[-1] == (12 * 4, 12 * 4)


def test_every_run_of_a_seed_starts_from_the_same_weights(moons):
    frozen = [opt("sgd", 1e-300), opt("momentum", 1e-300),
              opt("adam", 1e-300)]
    runs = compare(SPEC, frozen, 0.5, [0, 1], *moons, epochs=1, batch_size=16)
    for seed in (0, 1):
        initial = MLP(SPEC, np.random.default_rng(seed)).parameters()
        for run in (r for r in runs if r.seed == seed):
            for p, q in zip(run.history.model.parameters(), initial):
                np.testing.assert_allclose(p.data, q.data, rtol=1e-15, atol=1e-250)
    # The same seed also sees the same first minibatch: equal first losses without dropout.
    first = {r.history.step_loss[0] for r in runs if r.seed == 0 and not r.dropout_p}
    assert len(first) == 1


def test_a_diverging_run_does_not_disturb_the_others(moons):
    optimizers = [opt("sgd", 1e4), opt("adam", 0.01)]
    runs = compare(SPEC, optimizers, 0.2, [0], *moons, epochs=5, batch_size=16)
    assert all(r.history.diverged for r in runs if r.label == "SGD")
    for run in (r for r in runs if r.label == "Adam"):
        assert not run.history.diverged and run.history.epochs == 5
        alone = train(SPEC.with_dropout(run.dropout_p), run.optimizer, *moons, 5, 16, run.seed)
        close_histories(run.history, alone)


def test_grid_checks_its_settings(moons):
    with pytest.raises(LimitError):
        compare(SPEC, GRID_OPTIMIZERS, 0.2, list(range(MAX_SEEDS + 1)), *moons, 1, 16)
    with pytest.raises(LimitError, match="weights"):
        compare(MLPSpec(n_in=2, hidden=(128, 128), n_out=2), GRID_OPTIMIZERS, 0.2, [0, 1], *moons,
                100, 16)
    with pytest.raises(PlaygroundError, match="Nothing to compare"):
        compare(SPEC, [], 0.2, [0], *moons, 1, 16)
    with pytest.raises(PlaygroundError, match="optimizer choice"):
        compare(SPEC, ["adam"], 0.2, [0], *moons, 1, 16)
    with pytest.raises(PlaygroundError):
        compare(SPEC, GRID_OPTIMIZERS, 1.0, [0], *moons, 1, 16)


# ---- prediction helpers ----------------------------------------------------------------------
def test_predictions_use_eval_mode_and_restore_the_mode(moons):
    train_data, _ = moons
    model = MLP(SPEC.with_dropout(0.5), np.random.default_rng(0))
    probs = class_probabilities(model, train_data.X)
    assert probs.shape == (len(train_data), 2)
    np.testing.assert_allclose(probs.sum(axis=1), 1.0)
    np.testing.assert_array_equal(predict(model, train_data.X), predict(model, train_data.X))
    assert model.training  # put back


def test_a_diverged_run_can_be_closed_from_another_thread():
    """The diverged record is yielded outside np.errstate, whose exit must run in the context
    that entered it: a page's playback closes the generator from whichever thread runs next."""
    import threading


    data = make_dataset("regression", n=40, seed=0)
    records = train_steps(MLPSpec(n_in=1, hidden=(16,), n_out=1),
                          OptimizerChoice.of("sgd", lr=3.0), data, None, 6, 8, 0)
    assert any(record.diverged for record in records) is True
    errors = []

    def close() -> None:
        try:
            records.close()
        except Exception as err:  # any error fails the test
            errors.append(err)

    thread = threading.Thread(target=close)
    thread.start()
    thread.join()
    assert errors == []


@pytest.mark.parametrize("task, shape", [("classification", (5, 37, 3)),
                                         ("regression", (5, 37, 1))])
def test_the_loss_terms_of_stacked_runs_average_to_each_runs_loss(task, shape):
    """compare() measures every run's loss at once (engine.train._losses, from LOSS_TERMS): it
    is the loss op's value for that run alone, to the last bit."""
    rng = np.random.default_rng(0)
    outputs = rng.normal(size=shape) * 4
    targets = (rng.integers(0, shape[-1], size=shape[:2]).astype(float)
               if task == "classification" else rng.normal(size=shape))
    together = _losses(outputs, targets, task)
    assert LOSS_TERMS[task](outputs, targets).shape == (shape[:2] if task == "classification"
                                                        else shape)
    alone = [LOSS_OPS[task].forward(out, t) for out, t in zip(outputs, targets)]
    assert together.tolist() == alone
