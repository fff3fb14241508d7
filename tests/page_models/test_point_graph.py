"""The live graph of one data point: each epoch's values and gradients are the engine's forward
and backward pass of that point through the network of that epoch."""

import json

import numpy as np
import pytest

from engine.errors import PlaygroundError
from engine.tensor import Tensor
from engine.train import LOSS_FOR_TASK
from page_models.live import model_at
from page_models.network_builder import PARAMS, build
from page_models.point_graph import PointPlayback, check_point, point_record
from ui.live_player import LiveRun
from viz.numbers import node_text

DEFAULTS = {name: param.default for name, param in PARAMS.items()}
POINT = 7


def engine_pass(setup, epoch: int, index: int):
    """The point through the network of `epoch` (trained again), evaluation mode: its loss and
    each parameter's value and gradient by name."""
    model = model_at(setup, epoch)
    model.eval()
    model.zero_grad()  # training left its last step's gradients
    x = Tensor(setup.expand(setup.raw.X[index:index + 1]))
    loss = LOSS_FOR_TASK[setup.task](model(x), Tensor(setup.raw.y[index:index + 1]))
    loss.backward()
    return loss.data, {p.name: (p.data, p.grad) for p in model.parameters()}


@pytest.mark.parametrize("values", [DEFAULTS, {**DEFAULTS, "net": "2-6-3:relu:0.5",
                                                "opt": "sgd:lr=0.1", "batch": 8}],
                         ids=["default", "relu-dropout-sgd"])
def test_each_sent_frame_is_the_engines_pass_of_that_point_at_that_epoch(values):
    setup = build(values)
    run = LiveRun.of(setup)
    sent = [json.loads(text) for text in run.point_feed(POINT).frames(0, 6)]
    assert [f["epoch"] for f in sent] == list(range(7))
    names = [t.name for t in point_record(model_at(setup, 0), setup, POINT).order]
    replay = PointPlayback(setup, POINT).frames(7)
    for epoch in (0, 1, 6):
        frame = replay[epoch]
        loss, parameters = engine_pass(setup, epoch, POINT)
        assert frame.epoch == epoch
        np.testing.assert_allclose(frame.values[-1], loss, rtol=0, atol=1e-12)
        for i, name in enumerate(names):
            if name in parameters:
                value, grad = parameters[name]
                np.testing.assert_allclose(frame.values[i], value, rtol=0, atol=1e-12)
                np.testing.assert_allclose(frame.gradients[i], grad, rtol=0, atol=1e-12)
        assert sent[epoch]["values"] == [node_text(v) for v in frame.values]
        assert sent[epoch]["grads"] == ["" if g is None else "∂ " + node_text(g)
                                        for g in frame.gradients]


def test_the_replay_changes_with_the_epoch_and_leaves_the_run_alone():
    setup = build(DEFAULTS)
    run = LiveRun.of(setup)
    shared = run.feed.frames(0, 3)
    run.point_feed(POINT).frames(0, 3)
    assert run.feed.frames(0, 3) == shared == LiveRun.of(setup).feed.frames(0, 3)
    first, later = PointPlayback(setup, POINT).frames(4)[::3]
    assert not np.allclose(first.values[-1], later.values[-1])  # the loss moved


def test_a_point_feed_in_step_with_the_run_follows_it_without_training_again():
    setup = build(DEFAULTS)
    replayed = LiveRun.of(setup).point_feed(POINT).frames(0, 6)
    run = LiveRun.of(setup)
    early = run.point_feed(POINT)  # before the run trains: it follows from frame 0
    run.feed.frames(0, 6)
    assert early.made == replayed and early.playback.following
    late = run.point_feed(POINT + 1)  # mid-run: it replays to the run's frame, then follows
    other = LiveRun.of(setup).point_feed(POINT + 1).frames(0, 9)
    assert late.frames(0, 6) == other[:7] and not late.playback.following
    run.feed.frames(7, 9)
    assert late.made == other and late.playback.following
    assert late.frames(0, 12) == other  # never past the run's own frames


def test_a_run_keeps_the_feeds_of_the_last_points_asked_for():
    run = LiveRun.of(build(DEFAULTS))
    for index in range(10):
        run.point_feed(index)
    run.point_feed(3)
    assert list(run.points)[-1] == 3 and len(run.points) == 8


def test_a_point_outside_the_data_is_a_clear_error():
    setup = build(DEFAULTS)
    assert check_point(setup, 199) == 199
    for index in (200, -1):
        with pytest.raises(PlaygroundError, match=r"the data has 200 points, numbered 0 to 199"):
            check_point(setup, index)
