"""Decision-boundary maps: grids from models or functions, class colours, small multiples."""

import numpy as np
import pytest

from engine.data import make_dataset
from engine.nn import MLP, MLPSpec
from engine.train import class_probabilities
from viz.boundary import (
    BoundaryGrid,
    boundary_figure,
    boundary_grid,
    boundary_small_multiples,
    class_colorscale,
)
from viz.palette import CLASS_COLORS

MOONS = make_dataset("moons", n=40, noise=0.1, seed=0)
BLOBS = make_dataset("blobs", n=60, seed=0, k=4)
LINE = make_dataset("regression", n=30, seed=0)


def left_right(X):
    """Class 1 right of x = 0, fully confident; class 0 left."""
    right = (X[:, 0] > 0).astype(float)
    return np.column_stack([1 - right, right])


def test_grid_covers_the_data_with_a_margin_and_evaluates_the_function():
    grid = boundary_grid(left_right, MOONS, resolution=11, margin=0.5)
    assert grid.values.shape == (11, 11, 2)
    assert grid.xs[0] == pytest.approx(MOONS.X[:, 0].min() - 0.5)
    assert grid.ys[-1] == pytest.approx(MOONS.X[:, 1].max() + 0.5)
    j = int(np.argmax(grid.xs > 0))
    assert grid.values[3, j, 1] == 1.0 and grid.values[3, j - 1, 0] == 1.0


def test_a_model_is_evaluated_as_class_probabilities():
    model = MLP(MLPSpec(n_in=2, hidden=(4,), n_out=4), np.random.default_rng(0))
    grid = boundary_grid(model, BLOBS, resolution=9)
    assert grid.values.shape == (9, 9, 4)
    np.testing.assert_allclose(grid.values.sum(axis=-1), 1.0)
    X = np.array([[grid.xs[2], grid.ys[5]]])
    np.testing.assert_allclose(grid.values[5, 2], class_probabilities(model, X)[0])


def test_heatmap_encodes_class_plus_confidence():
    fig = boundary_figure(left_right, MOONS, resolution=11)
    heat = fig.data[0]
    z = np.array(heat.z)
    assert set(np.unique(np.floor(z))) == {0.0, 1.0}
    assert z.max() == pytest.approx(1.999)  # class 1, fully confident
    assert heat.zmin == 0 and heat.zmax == 2
    points = fig.data[1:]
    assert [p.marker.color for p in points] == CLASS_COLORS[:2]
    assert sum(len(p.x) for p in points) == len(MOONS)


def test_uncertain_points_are_white():
    uniform = boundary_figure(lambda X: np.full((len(X), 3), 1 / 3), BLOBS, resolution=5)
    assert np.allclose(np.array(uniform.data[0].z) % 1, 0.0)
    scale = class_colorscale(3)
    assert scale[0] == [0.0, "#ffffff"] and scale[-1][0] == 1.0
    assert [stop for stop, _ in scale] == sorted(stop for stop, _ in scale)


def test_regression_draws_the_predicted_curve():
    grid = boundary_grid(lambda X: 2 * X, LINE, resolution=25)
    assert grid.ys is None and grid.values.shape == (25,)
    fig = boundary_figure(grid, LINE)
    curve, data = fig.data
    np.testing.assert_allclose(curve.y, 2 * np.array(curve.x))
    assert len(data.x) == len(LINE)


def test_a_precomputed_grid_is_drawn_as_is():
    grid = BoundaryGrid("classification", np.array([0.0, 1.0]), np.array([0.0, 1.0]),
                        np.tile([0.2, 0.8], (2, 2, 1)))
    fig = boundary_figure(grid, MOONS, title="cached")
    assert np.array(fig.data[0].z).shape == (2, 2)
    assert fig.layout.title.text == "cached"


def test_small_multiples_one_panel_per_source():
    panels = [(f"model {i}", left_right) for i in range(5)]
    fig = boundary_small_multiples(panels, MOONS, cols=3, resolution=7)
    heatmaps = [t for t in fig.data if t.type == "heatmap"]
    assert len(heatmaps) == 5
    assert [a.text for a in fig.layout.annotations] == [t for t, _ in panels]
    assert heatmaps[4].xaxis == "x5" and fig.layout.height == 2 * 300 + 40


def test_bad_source_is_rejected():
    with pytest.raises(TypeError):
        boundary_grid("not a model", MOONS)


def test_a_wild_regression_prediction_does_not_set_the_y_axis():
    fig = boundary_figure(lambda X: 1e6 * X, LINE, resolution=9)
    low, high = fig.layout.yaxis.range
    assert low <= LINE.y.min() and high >= LINE.y.max() and high - low < 10 * np.ptp(LINE.y)


def test_a_panel_without_finite_values_shows_only_its_points_and_the_note():
    good = boundary_grid(left_right, MOONS, resolution=5)
    empty = BoundaryGrid(good.task, good.xs, good.ys, np.full_like(good.values, np.nan))
    fig = boundary_small_multiples([("fine", good), ("blown up", empty)], MOONS,
                                   empty_note="diverged: no model")
    notes = [a for a in fig.layout.annotations if a.text == "diverged: no model"]
    assert len(notes) == 1 and (notes[0].xref, notes[0].yref) == ("x2 domain", "y2 domain")
