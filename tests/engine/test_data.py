"""Toy datasets: shapes, dtypes, labels, determinism, clean shapes at noise 0, splits, bad input."""

import math

import numpy as np
import pytest

from engine.data import (
    DATASETS,
    MAX_SAMPLES,
    MIN_SAMPLES,
    MOONS_CENTERS,
    MOONS_SCALE,
    Dataset,
    blob_centers,
    make_dataset,
    regression_curve,
    train_val_split,
)
from engine.errors import LimitError, PlaygroundError

CLASSIFICATION = ["moons", "circles", "xor", "spiral", "blobs"]


def test_registry_names():
    assert set(DATASETS) == {*CLASSIFICATION, "regression"}


@pytest.mark.parametrize("name", CLASSIFICATION)
@pytest.mark.parametrize("n", [MIN_SAMPLES, 101, 400])
def test_classification_shapes_dtypes_and_labels(name, n):
    ds = make_dataset(name, n=n, noise=0.2, seed=3)
    assert isinstance(ds, Dataset) and ds.name == name and ds.task == "classification"
    assert ds.X.shape == (n, 2) and ds.X.dtype == np.float64
    assert ds.y.shape == (n,) and ds.y.dtype == np.int64
    assert len(ds) == n and ds.n_features == 2 and ds.n_outputs == ds.n_classes
    assert ds.y.min() >= 0 and ds.y.max() < ds.n_classes
    counts = np.bincount(ds.y, minlength=ds.n_classes)
    assert counts.max() - counts.min() <= (1 if name != "xor" else 2)  # balanced
    assert np.isfinite(ds.X).all()


def test_regression_shapes_and_dtypes():
    ds = make_dataset("regression", n=150, noise=0.1, seed=1)
    assert ds.task == "regression" and ds.n_classes == 0 and ds.n_outputs == 1
    assert ds.X.shape == (150, 1) and ds.X.dtype == np.float64
    assert ds.y.shape == (150, 1) and ds.y.dtype == np.float64
    assert ds.n_features == 1


@pytest.mark.parametrize("name", list(DATASETS))
def test_inputs_are_roughly_standardised(name):
    ds = make_dataset(name, n=2000, noise=0.1, seed=0)
    assert np.abs(ds.X).max() < 2.6
    assert np.abs(ds.X).max() > 1.0  # spread out, not squashed near 0
    assert np.abs(ds.X.mean(axis=0)).max() < 0.5


@pytest.mark.parametrize("name", list(DATASETS))
def test_same_seed_same_data_different_seed_different_data(name):
    a, b = make_dataset(name, seed=7), make_dataset(name, seed=7)
    np.testing.assert_array_equal(a.X, b.X)
    np.testing.assert_array_equal(a.y, b.y)
    c = make_dataset(name, seed=8)
    assert not np.array_equal(a.X, c.X)


@pytest.mark.parametrize("name", list(DATASETS))
def test_does_not_touch_the_global_random_state(name):
    np.random.seed(123)
    before = np.random.get_state()[1].copy()
    make_dataset(name, n=50)
    np.testing.assert_array_equal(np.random.get_state()[1], before)


def test_known_values_are_stable_across_machines():
    # A shared URL must show the same points to every visitor: pin a few numbers. default_rng
    # (PCG64) is platform independent; only a NumPy release that changes a sampler could move them.
    ds = make_dataset("moons", n=10, noise=0.0, seed=0)
    np.testing.assert_array_equal(ds.y, [0, 0, 0, 1, 1, 1, 1, 0, 0, 1])
    ds = make_dataset("regression", n=10, noise=0.0, seed=0)
    np.testing.assert_allclose(ds.X[:3, 0], [0.54784675, -0.92085314, -1.8361059], atol=1e-7)


def test_noise_changes_points_but_not_labels_or_clean_positions_draws():
    clean = make_dataset("moons", n=200, noise=0.0, seed=4)
    noisy = make_dataset("moons", n=200, noise=0.2, seed=4)
    np.testing.assert_array_equal(clean.y, noisy.y)
    assert 0.05 < np.std(noisy.X - clean.X) < 0.4


# ---- clean shapes at noise 0 -----------------------------------------------------------------
def test_clean_moons_lie_on_their_arcs():
    ds = make_dataset("moons", n=300, noise=0.0, seed=1)
    for label, side in [(0, 1.0), (1, -1.0)]:
        rel = ds.X[ds.y == label] - MOONS_CENTERS[label]
        np.testing.assert_allclose(np.hypot(rel[:, 0], rel[:, 1]), MOONS_SCALE, atol=1e-12)
        assert (side * rel[:, 1] >= -1e-12).all()  # class 0 upper half, class 1 lower half


def test_clean_circles_lie_on_two_circles():
    ds = make_dataset("circles", n=300, noise=0.0, seed=1, factor=0.4)
    radius = np.hypot(ds.X[:, 0], ds.X[:, 1])
    np.testing.assert_allclose(radius[ds.y == 0], 1.6, atol=1e-12)
    np.testing.assert_allclose(radius[ds.y == 1], 0.64, atol=1e-12)


def test_clean_xor_points_sit_in_their_quadrants():
    ds = make_dataset("xor", n=400, noise=0.0, seed=1)
    assert ((np.abs(ds.X) >= 0.2) & (np.abs(ds.X) <= 1.8)).all()
    np.testing.assert_array_equal(ds.y, (ds.X[:, 0] * ds.X[:, 1] < 0).astype(int))
    quadrants = {(bool(a), bool(b)) for a, b in ds.X > 0}
    assert len(quadrants) == 4


@pytest.mark.parametrize(("arms", "turns"), [(2, 1.0), (3, 0.5), (5, 2.0)])
def test_clean_spiral_points_lie_on_their_arms(arms, turns):
    ds = make_dataset("spiral", n=300, noise=0.0, seed=2, arms=arms, turns=turns)
    assert ds.n_classes == arms and set(ds.y) == set(range(arms))
    radius = np.hypot(ds.X[:, 0], ds.X[:, 1])
    assert radius.max() <= 2.0 + 1e-12
    expected = 2 * math.pi * (ds.y / arms + turns * radius / 2)
    gap = np.angle(np.exp(1j * (np.arctan2(ds.X[:, 1], ds.X[:, 0]) - expected)))
    np.testing.assert_allclose(gap[radius > 1e-6], 0.0, atol=1e-9)


@pytest.mark.parametrize("k", [2, 3, 5, 8])
def test_blobs_gather_around_their_centres(k):
    ds = make_dataset("blobs", n=80 * k, noise=0.0, seed=3, k=k, spread=0.2)
    assert ds.n_classes == k
    centres = blob_centers(k)
    for label in range(k):
        points = ds.X[ds.y == label]
        np.testing.assert_allclose(points.mean(axis=0), centres[label], atol=0.1)
        assert (0.1 < (points - centres[label]).std(axis=0)).all()
        assert ((points - centres[label]).std(axis=0) < 0.3).all()
    exact = make_dataset("blobs", n=30, noise=0.0, seed=3, k=k, spread=0.0)
    np.testing.assert_array_equal(exact.X, centres[exact.y])


def test_clean_regression_is_the_curve():
    ds = make_dataset("regression", n=200, noise=0.0, seed=5)
    assert ((ds.X >= -2) & (ds.X <= 2)).all()
    np.testing.assert_array_equal(ds.y, regression_curve(ds.X))
    np.testing.assert_allclose(regression_curve(np.array([0.0, math.pi / 4])), [0.0, 1.0])


def test_regression_noise_is_on_the_target_only():
    clean = make_dataset("regression", n=500, noise=0.0, seed=5)
    noisy = make_dataset("regression", n=500, noise=0.3, seed=5)
    np.testing.assert_array_equal(clean.X, noisy.X)
    assert 0.25 < np.std(noisy.y - clean.y) < 0.35


# ---- split -----------------------------------------------------------------------------------
@pytest.mark.parametrize(("n", "fraction", "n_val"), [(200, 0.2, 40), (101, 0.25, 25),
                                                      (10, 0.01, 1), (10, 0.99, 9)])
def test_split_sizes_and_disjointness(n, fraction, n_val):
    ds = make_dataset("spiral", n=n, seed=1)
    train, val = train_val_split(ds, val_fraction=fraction, seed=4)
    assert len(val) == n_val and len(train) == n - n_val
    assert train.task == val.task == ds.task and train.n_classes == val.n_classes == ds.n_classes
    assert train.name == val.name == "spiral"
    rows = {tuple(r) for r in ds.X}
    train_rows, val_rows = {tuple(r) for r in train.X}, {tuple(r) for r in val.X}
    assert train_rows.isdisjoint(val_rows) and train_rows | val_rows == rows
    lookup = {tuple(x): y for x, y in zip(ds.X, ds.y)}
    assert all(lookup[tuple(x)] == y for x, y in zip(val.X, val.y))


def test_split_is_seeded_and_keeps_regression_shapes():
    ds = make_dataset("regression", n=100, seed=0)
    (a_train, a_val), (b_train, b_val) = train_val_split(ds, 0.3, 9), train_val_split(ds, 0.3, 9)
    np.testing.assert_array_equal(a_val.X, b_val.X)
    np.testing.assert_array_equal(a_train.y, b_train.y)
    assert a_val.X.shape == (30, 1) and a_val.y.shape == (30, 1)
    c_train, _ = train_val_split(ds, 0.3, 10)
    assert not np.array_equal(a_train.X, c_train.X)


@pytest.mark.parametrize("fraction", [0.0, 1.0, -0.1, 1.5, float("nan"), "0.2"])
def test_split_rejects_bad_fractions(fraction):
    with pytest.raises(PlaygroundError, match="val_fraction"):
        train_val_split(make_dataset("moons"), fraction)


# ---- bad arguments ---------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"n": 0}, "at least"),
        ({"n": MIN_SAMPLES - 1}, "at least"),
        ({"n": 20.5}, "whole number"),
        ({"n": "100"}, "whole number"),
        ({"n": True}, "whole number"),
        ({"noise": -0.1}, "noise"),
        ({"noise": 5.0}, "noise"),
        ({"noise": float("nan")}, "noise"),
        ({"noise": None}, "noise"),
        ({"seed": -1}, "seed"),
        ({"seed": 1.5}, "seed"),
    ],
)
@pytest.mark.parametrize("name", list(DATASETS))
def test_bad_common_arguments_raise(name, kwargs, match):
    with pytest.raises(PlaygroundError, match=match):
        make_dataset(name, **kwargs)


@pytest.mark.parametrize("name", list(DATASETS))
def test_too_many_points_is_a_limit_error_naming_the_cap(name):
    with pytest.raises(LimitError, match="5,000"):
        make_dataset(name, n=MAX_SAMPLES + 1)
    assert len(make_dataset(name, n=MAX_SAMPLES, noise=0.0)) == MAX_SAMPLES


def test_numpy_integers_are_accepted():
    ds = make_dataset("blobs", n=np.int64(50), noise=np.float32(0.5), seed=np.uint32(3),
                      k=np.int8(4))
    assert len(ds) == 50 and ds.n_classes == 4


@pytest.mark.parametrize(
    ("name", "kwargs", "match"),
    [
        ("mnist", {}, "Unknown dataset"),
        ("moons", {"k": 3}, "no setting k"),
        ("blobs", {"k": 1}, "k"),
        ("blobs", {"k": 9}, "k"),
        ("blobs", {"spread": -1.0}, "spread"),
        ("circles", {"factor": 1.0}, "factor"),
        ("spiral", {"arms": 1}, "arms"),
        ("spiral", {"turns": 10}, "turns"),
    ],
)
def test_bad_shape_arguments_raise(name, kwargs, match):
    with pytest.raises(PlaygroundError, match=match):
        make_dataset(name, **kwargs)


def test_names_are_case_insensitive():
    np.testing.assert_array_equal(make_dataset(" Moons ").X, make_dataset("moons").X)
