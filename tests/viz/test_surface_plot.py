"""Loss-surface figures: the trajectory map's player data, and loss against steps with rates."""

import json

import numpy as np
import pytest

from page_models import optimizer_lab as lab
from page_models.optimizers import OptimizerChoice
from page_models.surfaces import descend, make_surface, optimal_settings, theoretical_rates
from viz.palette import optimizer_style
from viz.surface_plot import (
    NAME_HEIGHT,
    drawn_indices,
    legend_name,
    level_lines,
    loss_figure,
    surface_player_data,
)

KAPPA = 20.0
SURFACE = make_surface("quadratic", KAPPA)
BEST = optimal_settings(KAPPA)
OPTIMIZERS = [OptimizerChoice.of("sgd", **BEST["sgd"]),
              OptimizerChoice.of("momentum", **BEST["momentum"]),
              OptimizerChoice.of("adam", lr=0.1)]
RUNS = [descend(SURFACE, opt, SURFACE.start, 60) for opt in OPTIMIZERS]


def pairs(flat: list[float]) -> np.ndarray:
    return np.array(flat).reshape(-1, 2)


def test_player_data_round_trips_every_drawn_point_with_its_step():
    data = json.loads(json.dumps(surface_player_data(SURFACE, RUNS)))  # plain JSON
    assert data["title"] == SURFACE.title and data["last"] == 60
    assert (data["x"], data["y"]) == (list(SURFACE.x_range), list(SURFACE.y_range))
    assert [(r["colour"], r["marker"]) for r in data["runs"]] == [optimizer_style(o.key)
                                                                   for o in OPTIMIZERS]
    assert [r["name"] for r in data["runs"]] == [o.label for o in OPTIMIZERS]
    assert [r["label"] for r in data["runs"]] == [legend_name(r) for r in RUNS]
    for run, sent in zip(RUNS, data["runs"]):
        idx = drawn_indices(len(run.points))
        assert sent["steps"] == idx.tolist() and sent["diverged_at"] is None
        np.testing.assert_allclose(sent["losses"], run.losses[idx], rtol=5e-3)
        np.testing.assert_allclose(pairs(sent["points"]), run.points[idx], atol=5e-4)
    np.testing.assert_allclose(pairs(data["minima"]), SURFACE.minima)
    np.testing.assert_allclose(pairs(data["start"]), [RUNS[0].points[0]], atol=5e-4)


def test_player_data_holds_the_level_lines_to_a_thousandth_of_the_axes():
    data = surface_player_data(SURFACE, RUNS)
    segments = np.array(data["levels"]).reshape(-1, 4)
    assert len(segments) > 1000  # 24 levels of closed curves
    xs, ys = segments[:, 0::2], segments[:, 1::2]
    assert SURFACE.x_range[0] <= xs.min() and xs.max() <= SURFACE.x_range[1]
    assert SURFACE.y_range[0] <= ys.min() and ys.max() <= SURFACE.y_range[1]
    # each level is a curve of equal height: the quadratic's ½(x² + κy²) is the same at both
    # ends of a segment, up to the grid's linear interpolation
    f = 0.5 * (xs**2 + KAPPA * ys**2)
    assert np.median(np.abs(f[:, 0] - f[:, 1]) / f.max(axis=1)) < 0.05
    assert all(round(v, 3) == v for v in data["levels"][:200])  # span 4: three decimals


def test_player_data_marks_a_diverged_run_and_ends_its_path_at_its_last_good_point():
    wild = descend(SURFACE, OptimizerChoice.of("sgd", lr=5.0), SURFACE.start, 200)
    data = surface_player_data(SURFACE, [wild, RUNS[1]])
    sent = data["runs"][0]
    assert sent["diverged_at"] == wild.diverged_at and "diverged at step" in sent["label"]
    assert sent["steps"][-1] == len(wild.points) - 1 < wild.diverged_at
    assert data["last"] == 60 and (data["x"], data["y"]) == (list(SURFACE.x_range),
                                                             list(SURFACE.y_range))


def test_six_optimizers_for_1000_steps_stay_small():
    """Beale, the densest level lines, six paths of 1000 steps: ~205 kB of JSON (the plotly
    figure with 40 frames it replaces was several MB)."""
    beale = make_surface("beale")
    six = [descend(beale, OptimizerChoice.of(key, lr=lr), beale.start, 1000)
           for key, lr in (("sgd", 0.01), ("nesterov", 0.002), ("rmsprop", 0.01),
                           ("adagrad", 0.5), ("adam", 0.05), ("adamw", 0.05))]
    data = surface_player_data(beale, six)
    assert [len(r["steps"]) for r in data["runs"]] == [300] * 6  # thinned: drawn_indices
    assert len(json.dumps(data, separators=(",", ":"))) < 240_000


def test_level_lines_of_a_cone_are_circles_at_their_radius():
    xs = ys = np.linspace(-2, 2, 81)
    X, Y = np.meshgrid(xs, ys)
    segments = level_lines(xs, ys, np.hypot(X, Y), [0.5, 1.5])
    assert segments.shape[1] == 4  # x₁, y₁, x₂, y₂
    points = np.hypot(segments[:, 0::2], segments[:, 1::2])
    radii = np.where(points < 1, 0.5, 1.5)
    np.testing.assert_allclose(points, radii, atol=0.01)  # linear interpolation on a 0.05 grid
    starts, ends = segments[:, :2], segments[:, 2:]
    inner = np.hypot(*starts.T) < 1
    lengths = np.hypot(*(ends - starts).T)
    assert lengths[inner].sum() == pytest.approx(np.pi * 1.0, rel=0.01)  # closed: 2π·0.5
    assert lengths[~inner].sum() == pytest.approx(np.pi * 3.0, rel=0.01)  # 2π·1.5


def test_level_lines_split_a_saddle_cell_as_its_centre_says():
    grid = np.array([[1.0, 0.0], [0.0, 1.0]])  # diagonal corners above 0.5; centre 0.5 ...
    segments = level_lines(np.array([0.0, 1.0]), np.array([0.0, 1.0]), grid + 0.1, [0.5])
    # ... + 0.1: the centre (0.6) is above, joining the two high corners: the lines cut off
    # the low corners (1, 0) and (0, 1)
    ends = [sorted([tuple(s[:2]), tuple(s[2:])]) for s in segments]
    assert sorted(np.round(ends, 2).tolist()) == [[[0.0, 0.6], [0.4, 1.0]],
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
    assert mark.marker.symbol == "triangle-up"
    assert mark.marker.color == optimizer_style("sgd").colour
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


def test_the_names_at_the_paths_ends_never_overlap_in_the_default_comparison():
    """The Optimizer Lab's surface view as it opens: all three paths end at the minimum, where
    their names would lie on one another; at step 5 they are far apart and stay at their ends."""
    defaults = {name: param.default for name, param in lab.page_params("quadratic").items()}
    setup = lab.surface_setup(defaults)
    runs = lab.descend_all(setup)
    data = surface_player_data(setup.surface, runs)
    assert len(runs) >= 3 and data["name_steps"][0] == 0 and data["name_steps"][-1] == data["last"]
    heights = np.array([run["name_heights"] for run in data["runs"]])  # runs × name steps
    assert heights.shape == (len(runs), len(data["name_steps"]))
    apart = np.diff(np.sort(heights, axis=0), axis=0)
    assert apart.min() >= NAME_HEIGHT - 1e-4  # at every step, every two names
    y_lo, y_hi = setup.surface.y_range
    ends = np.array([run.points[-1, 1] for run in runs])
    assert np.ptp((ends - y_lo) / (y_hi - y_lo)) < NAME_HEIGHT  # they would have overlapped
    at_5 = data["name_steps"].index(5)
    natural = [(run.points[5, 1] - y_lo) / (y_hi - y_lo) for run in runs]
    np.testing.assert_allclose(heights[:, at_5], natural, atol=1e-4)
