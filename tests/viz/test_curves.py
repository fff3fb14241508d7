"""Comparison curves: grouping runs over seeds, mean and min–max band, divergence, summary rows."""

import math

import numpy as np
import pytest

from engine.data import make_dataset, train_val_split
from engine.nn import MLPSpec
from engine.train import History
from engine.train_grid import Run, compare
from page_models.optimizers import OptimizerChoice
from viz.curves import curves_figure, log_ticks, series, steps_to_reach, summary_rows
from viz.palette import DROPOUT_DASH, optimizer_style

SGD = OptimizerChoice.of("sgd", lr=0.1)
ADAM = OptimizerChoice.of("adam", lr=5.0)


def fake_run(optimizer, p, seed, epoch_losses, diverged_at=None, steps_per_epoch=2):
    """A Run with hand-written epoch metrics (val = train + 0.1, accuracy 1 − loss)."""
    steps = len(epoch_losses) * steps_per_epoch
    history = History(None, "classification", steps_per_epoch, ["Layer 1"],
                      step_loss=[float(v) for v in np.repeat(epoch_losses, steps_per_epoch)],
                      epoch_train_loss=list(epoch_losses),
                      epoch_train_acc=[1 - v for v in epoch_losses],
                      epoch_val_loss=[v + 0.1 for v in epoch_losses],
                      epoch_val_acc=[0.9 - v for v in epoch_losses],
                      diverged_at=diverged_at)
    assert history.steps == steps
    return Run(optimizer, p, seed, history)


RUNS = [
    fake_run(SGD, 0.0, 0, [1.0, 0.8, 0.6]),
    fake_run(SGD, 0.0, 1, [1.2, 0.6, 0.4]),
    fake_run(SGD, 0.3, 0, [1.0, 0.9, 0.8]),
    fake_run(SGD, 0.3, 1, [1.0, 0.9, 0.8]),
    fake_run(ADAM, 0.0, 0, [1.0, 50.0], diverged_at=5),
    fake_run(ADAM, 0.0, 1, [1.0, 0.5, 0.2]),
]


def test_series_groups_by_optimizer_and_dropout_with_mean_and_band():
    out = series(RUNS, "train_loss")
    assert [(s.label, s.dashed) for s in out] == [("SGD", False), ("SGD", True), ("Adam", False)]
    sgd = out[0]
    np.testing.assert_allclose(sgd.x, [1, 2, 3])
    np.testing.assert_allclose(sgd.mean, [1.1, 0.7, 0.5])
    np.testing.assert_allclose(sgd.low, [1.0, 0.6, 0.4])
    np.testing.assert_allclose(sgd.high, [1.2, 0.8, 0.6])
    assert sgd.name == "SGD, lr=0.1" and out[1].name == "SGD, lr=0.1, dropout 0.3"


def test_a_diverged_seed_is_named_and_stops_the_mean_but_not_the_band():
    adam = series(RUNS, "val_loss")[2]
    assert adam.name == "Adam, lr=5: diverged at step 5 in 1 of 2 seeds"
    assert adam.diverged == (True, False)
    assert np.isnan(adam.mean[2]) and adam.low[2] == pytest.approx(0.3)


def test_step_axis_uses_minibatch_losses_and_epoch_end_steps():
    train = series(RUNS[:2], "train_loss", "steps")[0]
    np.testing.assert_allclose(train.x, np.arange(1, 7))
    val = series(RUNS[:2], "val_loss", "steps")[0]
    np.testing.assert_allclose(val.x, [2, 4, 6])


def test_unknown_metric_is_rejected():
    with pytest.raises(ValueError):
        series(RUNS, "loss")


def test_figure_colours_dashes_and_one_legend():
    panels = [("Training", series(RUNS, "train_loss")), ("Validation", series(RUNS, "val_loss"))]
    fig = curves_figure(panels, y_title="loss")
    lines = [t for t in fig.data if t.name]
    assert len(lines) == 6  # 3 series × 2 panels
    legend = [t for t in lines if t.showlegend is not False]
    assert [t.name for t in legend] == [s.name for s in panels[0][1]]
    by_name = {t.name: t for t in legend}
    assert by_name["SGD, lr=0.1"].line.color == optimizer_style("sgd").colour
    assert by_name["SGD, lr=0.1"].marker.symbol == optimizer_style("sgd").marker
    assert by_name["SGD, lr=0.1"].line.dash == "solid"
    assert by_name["SGD, lr=0.1, dropout 0.3"].line.dash == DROPOUT_DASH
    bands = [t for t in fig.data if t.fill == "tonexty"]
    assert len(bands) == 6  # every series has 2 seeds
    ends = [t.text[0] for t in fig.data if t.mode == "text"]  # each line's name at its end
    assert ends == ["SGD", "SGD + dropout", "SGD", "SGD + dropout"]  # the diverged one is above
    marks = [t for t in fig.data if t.mode == "markers"]
    assert len(marks) == 2 and marks[0].x == (2.0,)  # where the diverged seed stopped
    low, top = fig.layout.yaxis.range  # its last loss, 50, is above the range: ▲ on the top edge
    assert marks[0].y[0] == pytest.approx(top, abs=0.02 * (top - low))
    assert tuple(marks[0].marker.symbol) == ("triangle-up",)


def test_a_blow_up_does_not_set_the_y_range():
    fig = curves_figure([("Training", series(RUNS, "train_loss"))], y_title="loss")
    low, high = fig.layout.yaxis.range
    assert low <= 0 and 1.2 < high < 5  # 3 × the largest first value, not 50
    log = curves_figure([("Training", series(RUNS, "train_loss"))], y_title="loss", log_y=True)
    assert log.layout.yaxis.type == "log" and log.layout.yaxis.range[1] < math.log10(5)


STALLED = [fake_run(ADAM, 0.0, 0, [0.7, 15.0, 17.0]), fake_run(ADAM, 0.0, 1, [0.7, 0.6, 0.5]),
           fake_run(SGD, 0.0, 0, [0.7, 0.5, 0.3])]


def test_a_run_ending_no_lower_than_it_started_is_named_stalled_and_leaves_the_y_range():
    adam, sgd = series(STALLED, "train_loss")
    assert adam.name == "Adam, lr=5: stalled at loss 17 in 1 of 2 seeds"
    assert adam.stalled == (True, False) and adam.diverged == (False, False) and sgd.note == ""
    fig = curves_figure([("Training", [adam, sgd])], y_title="loss")
    low, high = fig.layout.yaxis.range
    assert high < 1.0  # fitted to the seeds that descended (0.7 … 0.3), not to Adam's 17
    (marks,) = [t for t in fig.data if t.mode == "markers"]
    assert marks.x == (3.0,) and marks.y[0] == pytest.approx(high, abs=0.02 * (high - low))
    assert tuple(marks.marker.symbol) == ("triangle-up",)
    (adam_row, sgd_row) = summary_rows(STALLED, target_loss=0.1)
    assert adam_row["diverged"] == "stalled at loss 17 in 1 of 2 seeds"
    assert sgd_row["diverged"] == "no"


@pytest.mark.parametrize(("low", "high", "labels"), [
    (-1.5, -0.2, ["0.05", "0.1", "0.2", "0.5"]),
    (-3.2, 0.4, ["0.001", "0.01", "0.1", "1"]),
    (-20.0, 1.0, ["1e-18", "1e-15", "1e-12", "1e-09", "1e-06", "0.001", "1"]),
])
def test_log_tick_labels_are_plain_numbers(low, high, labels):
    ticks = log_ticks(low, high)
    assert ticks["ticktext"] == labels
    np.testing.assert_allclose(ticks["tickvals"], [float(t) for t in labels])


def test_summary_rows():
    rows = summary_rows(RUNS, target_loss=0.65)
    sgd, sgd_drop, adam = rows
    assert sgd["run"] == "SGD, lr=0.1"
    assert sgd["train loss"] == pytest.approx(0.5) and sgd["val loss"] == pytest.approx(0.6)
    assert sgd["best val epoch"] == 3
    assert sgd["steps to ≤ 0.65"] == 5  # seed 0 at step 6, seed 1 at step 4
    assert sgd_drop["steps to ≤ 0.65"] is None
    assert sgd["diverged"] == "no" and "time s" not in sgd  # runs share their compute time
    assert adam["diverged"] == "at step 5 in 1 of 2 seeds"
    assert adam["train loss"] == pytest.approx(0.2)  # only the seed that did not diverge


def test_regression_rows_have_no_accuracy():
    run = fake_run(SGD, 0.0, 0, [1.0, 0.5])
    run.history.task = "regression"
    (row,) = summary_rows([run], target_loss=0.1)
    assert "train acc" not in row and "val acc" not in row and row["train loss"] == 0.5


def test_steps_to_reach():
    assert steps_to_reach(RUNS[0], 0.8) == 4
    assert steps_to_reach(RUNS[0], 0.1) is None


def test_real_comparison_with_and_without_dropout_differs():
    data = make_dataset("moons", n=60, noise=0.3, seed=0)
    train, val = train_val_split(data, 0.3)
    spec = MLPSpec(n_in=2, hidden=(8,), n_out=2)
    runs = compare(spec, [SGD], 0.5, [0, 1], train, val, epochs=3, batch_size=16)
    plain, dropped = series(runs, "train_loss")
    assert plain.ys.shape == dropped.ys.shape == (2, 3)
    assert not np.allclose(plain.mean, dropped.mean)


def test_a_panel_whose_runs_all_diverged_before_the_first_epoch_says_so():
    early = [fake_run(ADAM, 0.0, 0, [], diverged_at=2), fake_run(SGD, 0.0, 0, [], diverged_at=3)]
    fig = curves_figure([("Training", series(early, "train_loss")),
                         ("Validation", series(early, "val_loss"))], y_title="loss")
    notes = [a for a in fig.layout.annotations if "Nothing to draw" in a.text]
    assert [(a.xref, a.yref) for a in notes] == [("x domain", "y domain"),
                                                 ("x2 domain", "y2 domain")]
    # A panel with values has no such note.
    fig = curves_figure([("Training", series(RUNS, "train_loss"))], y_title="loss")
    assert not [a for a in fig.layout.annotations if "Nothing to draw" in (a.text or "")]


def test_end_labels_keep_their_order_and_never_come_closer_than_the_gap():
    from viz.curves import label_heights
    at = [0.50, 0.52, 0.10, 0.51, 1.4, -0.3]
    heights = label_heights(at, gap=0.1)
    ranked = sorted(range(len(at)), key=lambda i: -at[i])
    assert [heights[i] for i in ranked] == sorted(heights, reverse=True)  # the same order
    assert all(a - b >= 0.1 - 1e-12 for a, b in zip(sorted(heights, reverse=True),
                                                   sorted(heights, reverse=True)[1:]))
    assert 0.0 <= min(heights) and max(heights) <= 0.9
    assert heights[2] == 0.10 or heights[2] < 0.10  # a label with room stays at its line's end
    assert label_heights([0.2, 0.7], gap=0.1) == [0.2, 0.7]
