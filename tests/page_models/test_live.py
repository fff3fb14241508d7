"""page_models.live: the frames the browser plays are exactly the states of the plain training
loop (engine.train), however the run is cut into chunks; the run stops at the cap or on
divergence and says why."""

import math

import numpy as np
import pytest

from engine.limits import MAX_EPOCHS, MAX_TRAIN_STEPS
from engine.train import class_probabilities, predict, train
from page_models.live import (
    BOUNDARY_RESOLUTION,
    LIVE_EDGES,
    WIDE_RESOLUTION,
    Playback,
    boundary_axes,
    boundary_resolution,
    model_at,
)
from page_models.network_builder import BATCH_SIZES, PARAMS, build

DEFAULTS = {name: param.default for name, param in PARAMS.items()}


def setup_of(**changes):
    return build({**DEFAULTS, **changes})


def grid_points(setup):
    xs, ys = boundary_axes(setup)
    gx, gy = np.meshgrid(xs, ys)
    return setup.expand(np.column_stack([gx.ravel(), gy.ravel()]))


@pytest.mark.parametrize("changes", [
    {},
    {"net": "2-6-5-2:relu,tanh:0.3,0", "opt": "momentum:lr=0.03", "batch": 16, "seed": 4},
    {"data": "circles", "features": ("x1", "x2", "x1sq"), "opt": "sgd:lr=0.1~cosine:T_max=20"},
])
def test_each_frame_is_the_plain_loop_after_that_many_epochs(changes):
    setup = setup_of(**changes)
    frames = Playback(setup).frames(5)
    assert [f.epoch for f in frames] == [0, 1, 2, 3, 4]
    for frame in frames[1:]:
        history = train(setup.spec, setup.optimizer, setup.train_data, setup.val_data,
                        frame.epoch, setup.batch_size, setup.seed)
        assert frame.train_loss == history.epoch_train_loss[-1]
        assert frame.val_loss == history.epoch_val_loss[-1]
        assert frame.val_acc == history.epoch_val_acc[-1]
        per_epoch = history.steps_per_epoch
        np.testing.assert_array_equal(frame.grad_norms, history.grad_norms[-per_epoch:])
        expected = class_probabilities(history.model, grid_points(setup))
        np.testing.assert_array_equal(frame.predictions.reshape(expected.shape), expected)
        for (sources, targets, values), layer in zip(frame.edges, history.model.layers,
                                                     strict=True):
            np.testing.assert_array_equal(values, layer.weight.data[targets, sources])


def test_frame_zero_is_the_untrained_network_the_run_starts_from():
    setup = setup_of()
    frame = Playback(setup).frames(1)[0]
    assert frame.epoch == 0 and frame.train_loss is None and frame.grad_norms.shape == (0, 3)
    start = model_at(setup, 0)
    np.testing.assert_array_equal(frame.predictions.reshape(-1, 2),
                                  class_probabilities(start, grid_points(setup)))


def test_chunks_of_any_size_give_the_same_frames_as_one_long_run():
    setup = setup_of(net="2-4-2:tanh:0.5")  # dropout: its random stream must not be disturbed
    whole = Playback(setup).frames(12)
    chunked_run = Playback(setup)
    chunked = [f for size in (1, 3, 0, 5, 3) for f in chunked_run.frames(size)]
    assert [f.epoch for f in chunked] == list(range(12))
    for a, b in zip(whole, chunked, strict=True):
        assert a.train_loss == b.train_loss
        np.testing.assert_array_equal(a.grad_norms, b.grad_norms)
        np.testing.assert_array_equal(a.predictions, b.predictions)


def test_model_at_retrains_to_the_frame_of_that_epoch():
    setup = setup_of(seed=11)
    frame = Playback(setup).frames(8)[-1]
    model = model_at(setup, 7)
    for (sources, targets, values), layer in zip(frame.edges, model.layers, strict=True):
        np.testing.assert_array_equal(values, layer.weight.data[targets, sources])
        assert sources.max() < layer.in_features and targets.max() < layer.out_features


def test_regression_frames_hold_the_predicted_curve():
    setup = setup_of(data="regression", features=("x1",), net="1-8-1")
    frame = Playback(setup).frames(3)[-1]
    xs, ys = boundary_axes(setup)
    assert ys is None and frame.val_acc is None
    expected = predict(model_at(setup, 2), setup.expand(xs[:, None])).reshape(-1)
    np.testing.assert_array_equal(frame.predictions, expected)


def test_a_wide_network_keeps_only_its_strongest_weights_per_layer():
    setup = setup_of(net="2-64-64-2:relu:0")
    frame = Playback(setup).frames(1)[0]
    sizes = [len(values) for _, _, values in frame.edges]
    assert sizes == [128, LIVE_EDGES, 128]
    weights = model_at(setup, 0).layers[1].weight.data
    kept = np.abs(frame.edges[1][2])
    assert kept.min() >= np.sort(np.abs(weights).ravel())[-LIVE_EDGES]


def test_divergence_ends_the_run_with_the_step_and_the_advice():
    setup = setup_of(data="regression", features=("x1",), net="1-8-1", opt="sgd:lr=1")
    run = Playback(setup)
    frames = run.frames(50)
    assert run.finished and len(frames) < 50
    assert run.stop_reason.startswith("Training diverged at step ")
    assert "Lower the learning rate" in run.stop_reason
    assert all(math.isfinite(f.train_loss) for f in frames[1:])
    assert run.frames(5) == []


def test_the_run_stops_at_the_epoch_cap_and_says_so():
    setup = setup_of(batch=64, net="2-2-2")
    run = Playback(setup)
    frames = run.frames(MAX_EPOCHS + 10)
    assert len(frames) == MAX_EPOCHS + 1 and frames[-1].epoch == MAX_EPOCHS
    assert run.finished and f"cap of {MAX_EPOCHS} epochs" in run.stop_reason


def test_the_epoch_cap_stays_within_the_step_cap_for_every_batch_size():
    setup = setup_of(batch=min(BATCH_SIZES), net="2-2")
    one_epoch = train(setup.spec, setup.optimizer, setup.train_data, setup.val_data, 1,
                      setup.batch_size, setup.seed)
    assert setup.max_epochs * one_epoch.steps_per_epoch <= MAX_TRAIN_STEPS


def test_a_wide_network_gets_a_coarser_boundary_grid():
    assert boundary_resolution(setup_of()) == BOUNDARY_RESOLUTION
    wide = setup_of(net="2-128-128-2:relu:0")
    assert boundary_resolution(wide) == WIDE_RESOLUTION < BOUNDARY_RESOLUTION
    assert Playback(wide).frames(1)[0].predictions.shape == (WIDE_RESOLUTION,) * 2 + (2,)
