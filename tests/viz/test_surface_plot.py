"""Loss-surface figures: contour, animated trajectories, and loss against steps with rates."""

import numpy as np
import pytest

from page_models.optimizers import OptimizerChoice
from page_models.surfaces import descend, make_surface, optimal_settings, theoretical_rates
from viz.surface_plot import (
    drawn_indices,
    legend_name,
    level_lines,
    loss_figure,
    trajectory_figure,
)

KAPPA = 20.0
SURFACE = make_surface("quadratic", KAPPA)
BEST = optimal_settings(KAPPA)
OPTIMIZERS = [OptimizerChoice.of("sgd", **BEST["sgd"]),
              OptimizerChoice.of("momentum", **BEST["momentum"]),
              OptimizerChoice.of("adam", lr=0.1)]
RUNS = [descend(SURFACE, opt, SURFACE.start, 60) for opt in OPTIMIZERS]


def test_trajectory_figure_has_contour_minima_start_and_one_path_per_run():
    fig = trajectory_figure(SURFACE, RUNS, frames=10)
    assert fig.data[0].name == "level lines" and len(fig.data) == 3 + len(RUNS)
    paths = fig.data[3:]
    assert [p.line.color for p in paths] == [o.colour for o in OPTIMIZERS]
    np.testing.assert_allclose(paths[0].x, RUNS[0].points[:, 0])  # opens on the full path
    assert list(fig.layout.xaxis.range) == list(SURFACE.x_range)


def test_frames_grow_the_paths_and_touch_only_the_path_traces():
    fig = trajectory_figure(SURFACE, RUNS, frames=10)
    assert len(fig.frames) == 11 and fig.frames[0].name == "0" and fig.frames[-1].name == "60"
    assert all(tuple(f.traces) == (3, 4, 5) for f in fig.frames)
    lengths = [len(f.data[0].x) for f in fig.frames]
    assert lengths[0] == 1 and lengths[-1] == 61 and lengths == sorted(lengths)
    assert fig.layout.updatemenus[0].buttons[0].label.endswith("Play")
    assert len(fig.layout.sliders[0].steps) == 11


def test_the_animation_can_be_stepped_and_touches_no_contour_trace():
    """plotly.js erases contour traces during any animation (#4491): the level lines are a
    scatter trace, so every trace of the figure survives the frames."""
    fig = trajectory_figure(SURFACE, RUNS, frames=10)
    assert {t.type for t in fig.data} == {"scatter"} and fig.data[0].name == "level lines"
    buttons = fig.layout.updatemenus[0].buttons
    assert [b.label for b in buttons] == ["▶ Play", "❚❚ Pause", "First", "Last"]
    assert list(buttons[2].args[0]) == ["0"] and list(buttons[3].args[0]) == ["60"]
    steps = fig.layout.sliders[0].steps
    assert steps[1].label == "6 of 60" and steps[-1].label == "60 of 60"


def test_level_lines_of_a_cone_are_circles_at_their_radius():
    xs = ys = np.linspace(-2, 2, 81)
    X, Y = np.meshgrid(xs, ys)
    x, y = level_lines(xs, ys, np.hypot(X, Y), [0.5, 1.5])
    assert np.isnan(x[2::3]).all() and np.isnan(y[2::3]).all()  # two points, then a gap
    points = np.hypot(np.delete(x, np.s_[2::3]), np.delete(y, np.s_[2::3]))
    radii = np.where(points < 1, 0.5, 1.5)
    np.testing.assert_allclose(points, radii, atol=0.01)  # linear interpolation on a 0.05 grid
    starts, ends = np.stack([x[0::3], y[0::3]], 1), np.stack([x[1::3], y[1::3]], 1)
    inner = np.hypot(*starts.T) < 1
    lengths = np.hypot(*(ends - starts).T)
    assert lengths[inner].sum() == pytest.approx(np.pi * 1.0, rel=0.01)  # closed: 2π·0.5
    assert lengths[~inner].sum() == pytest.approx(np.pi * 3.0, rel=0.01)  # 2π·1.5


def test_level_lines_split_a_saddle_cell_as_its_centre_says():
    grid = np.array([[1.0, 0.0], [0.0, 1.0]])  # diagonal corners above 0.5; centre 0.5 ...
    x, y = level_lines(np.array([0.0, 1.0]), np.array([0.0, 1.0]), grid + 0.1, [0.5])
    # ... + 0.1: the centre (0.6) is above, joining the two high corners: the lines cut off
    # the low corners (1, 0) and (0, 1)
    segs = {tuple(np.round(p, 2)) for p in zip(x, y) if not np.isnan(p[0])}
    assert segs == {(0.6, 0.0), (1.0, 0.4), (0.4, 1.0), (0.0, 0.6)}
    pairs = [tuple(sorted([(x[i], y[i]), (x[i + 1], y[i + 1])])) for i in range(0, len(x), 3)]
    assert sorted(np.round(pairs, 2).tolist()) == [[[0.0, 0.6], [0.4, 1.0]],
                                                   [[0.6, 0.0], [1.0, 0.4]]]


def test_long_paths_are_thinned_but_keep_the_start_of_the_path_and_the_end():
    idx = drawn_indices(1001, max_points=300)
    assert len(idx) <= 300 and idx[0] == 0 and idx[-1] == 1000
    np.testing.assert_array_equal(idx[:150], np.arange(150))
    np.testing.assert_array_equal(drawn_indices(40), np.arange(40))


def test_loss_figure_draws_theory_lines_for_given_rates():
    rates = theoretical_rates(KAPPA)
    fig = loss_figure(SURFACE, RUNS, rates)
    names = [t.name for t in fig.data]
    assert len(fig.data) == 5  # three measured curves, two theory lines (no rate for Adam)
    theory = [t for t in fig.data if "theory" in t.name]
    assert [t.line.dash for t in theory] == ["dot", "dot"]
    gd = fig.data[0]
    gd_theory = fig.data[1]
    assert "SGD" in names[0] and "SGD theory" in names[1]
    # Gradient descent at the optimal step follows its rate exactly.
    np.testing.assert_allclose(gd.y[:30], gd_theory.y[:30], rtol=1e-8)
    assert fig.layout.yaxis.type == "log"
    assert len(loss_figure(SURFACE, RUNS).data) == 3


def test_divergence_is_named_and_keeps_the_axes():
    wild = descend(SURFACE, OptimizerChoice.of("sgd", lr=5.0), SURFACE.start, 200)
    assert legend_name(wild) == f"SGD, lr=5: diverged at step {wild.diverged_at}"
    fig = loss_figure(SURFACE, [wild, RUNS[1]])
    assert fig.data[0].name == f"SGD, lr=5:<br>diverged at step {wild.diverged_at}"  # 2 lines
    top = fig.layout.yaxis.range[1]
    assert top == pytest.approx(np.log10(RUNS[1].losses[0]) + 1.0)
    contour = trajectory_figure(SURFACE, [wild, RUNS[1]])
    assert list(contour.layout.yaxis.range) == list(SURFACE.y_range)


def test_saddle_plots_the_gap_above_its_negative_minimum():
    saddle = make_surface("saddle")
    run = descend(saddle, OptimizerChoice.of("sgd", lr=0.1), saddle.start, 150)
    fig = loss_figure(saddle, [run])
    np.testing.assert_allclose(fig.data[0].y[:5], run.losses[:5] + 0.25)


def test_legend_names_show_the_settings_briefly():
    assert legend_name(RUNS[0]) == "SGD, lr=0.0952"
    assert legend_name(RUNS[1]) == "Momentum, lr=0.134, μ=0.403"
    assert legend_name(RUNS[2]) == "Adam, lr=0.1"


def test_a_diverged_run_is_marked_on_the_top_edge_and_the_axis_fits_the_others():
    wild = descend(SURFACE, OptimizerChoice.of("sgd", lr=5.0), SURFACE.start, 200)
    fig = loss_figure(SURFACE, [wild, RUNS[1]])
    low, top = fig.layout.yaxis.range
    (mark,) = [t for t in fig.data if t.mode == "markers"]
    assert mark.marker.symbol == "triangle-up" and mark.marker.color == wild.optimizer.colour
    assert mark.x == (len(wild.losses) - 1,)
    assert np.log10(mark.y[0]) == pytest.approx(top, abs=0.02 * (top - low))
    assert wild.losses[-1] > 10**top  # its line leaves through the top


def test_at_kappa_1_the_one_step_descent_and_its_rate_line_show_on_the_bottom_edge():
    round_bowl = make_surface("quadratic", 1.0)
    best = optimal_settings(1.0)["sgd"]
    run = descend(round_bowl, OptimizerChoice.of("sgd", **best), round_bowl.start, 20)
    assert run.losses[1] == 0.0  # γ = 1: the minimum in one step
    fig = loss_figure(round_bowl, [run], theoretical_rates(1.0))
    low, high = fig.layout.yaxis.range
    assert high - low >= 3 and len(fig.data) == 2  # decades for the drop to show
    for line in fig.data:  # measured and theory: from the start gap down to the bottom edge
        assert line.y[0] == pytest.approx(run.losses[0])
        assert line.y[1] == pytest.approx(10**low) and np.isfinite(line.y).all()


def test_loss_axis_ticks_are_plain_numbers():
    fig = loss_figure(SURFACE, RUNS)
    labels = fig.layout.yaxis.ticktext
    assert labels and all(float(t) > 0 for t in labels)  # each label is the number itself
    np.testing.assert_allclose(fig.layout.yaxis.tickvals, [float(t) for t in labels])
