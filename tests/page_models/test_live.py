"""LiveRun: advancing a training run epoch by epoch, stopping at the cap or on divergence."""

import numpy as np

from engine.data import make_dataset, train_val_split
from engine.limits import MAX_EPOCHS
from engine.nn import MLPSpec
from engine.train import train
from page_models.live import LiveRun
from page_models.optimizers import OptimizerChoice

SPEC = MLPSpec(n_in=2, hidden=(6,), activations=("tanh",), dropouts=(0.0,), n_out=2)
TRAIN, VAL = train_val_split(make_dataset("moons", n=60, seed=0), 0.25, seed=0)


def live(lr=0.05, batch_size=15):
    return LiveRun(SPEC, OptimizerChoice.of("adam", lr=lr), TRAIN, VAL, batch_size, seed=3)


def test_before_the_first_step_the_model_has_the_runs_initial_weights():
    run = live()
    before = [p.data.copy() for p in run.model.parameters()]
    assert run.epoch == run.step == 0 and run.history is None
    run.advance(1)
    first = train(SPEC, OptimizerChoice.of("adam", lr=0.05), TRAIN, VAL, 1, 15, seed=3)
    # The same start and the same steps as a plain engine.train run.
    for p, q in zip(run.model.parameters(), first.model.parameters(), strict=True):
        np.testing.assert_array_equal(p.data, q.data)
    assert not all(np.array_equal(b, p.data) for b, p in zip(before, run.model.parameters()))


def test_advance_counts_whole_epochs_and_the_loss_falls():
    run = live()
    run.advance(1)
    assert (run.epoch, run.step) == (1, 3)  # 45 training points in batches of 15
    run.advance(20)
    assert run.epoch == 21
    assert run.history.epoch_train_loss[-1] < run.history.epoch_train_loss[0]
    assert run.stop_reason is None


def test_the_epoch_cap_ends_the_run_and_names_the_cap():
    run = live(batch_size=64)
    run.advance(MAX_EPOCHS + 5)
    assert run.finished and run.epoch == MAX_EPOCHS == run.max_epochs
    assert f"cap of {MAX_EPOCHS} epochs" in run.stop_reason
    run.advance(1)
    assert run.epoch == MAX_EPOCHS


def test_a_small_batch_is_capped_by_the_training_steps_cap():
    sgd = OptimizerChoice.of("sgd", lr=0.1)
    run = LiveRun(SPEC, sgd, TRAIN, VAL, 1, seed=0)  # 45 steps per epoch
    assert run.max_epochs < MAX_EPOCHS and "training steps" in run.cap_name


def test_divergence_ends_the_run_with_advice():
    huge = OptimizerChoice("adam", (("lr", 1e6), ("beta1", 0.9), ("beta2", 0.999)))  # past the cap
    run = LiveRun(SPEC, huge, TRAIN, VAL, 15, seed=3)
    run.advance(50)
    assert run.finished and run.history.diverged
    assert "diverged" in run.stop_reason and "learning rate" in run.stop_reason
