"""Your own data: CSV, drawn points, formula datasets and their share links."""

import base64
import math
import struct
import zlib

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from engine.data import make_dataset
from engine.errors import ExprError, LimitError, PlaygroundError
from page_models.limits import MAX_LINK_POINTS, MAX_OWN_CLASSES, MAX_OWN_POINTS
from page_models.own_data import (
    LINK_PRECISION,
    add_point,
    check_trainable,
    empty,
    formula_dataset,
    formula_line,
    from_csv,
    from_link,
    on_link_grid,
    plot_points,
    remove_nearest,
    to_csv,
    to_link,
)


def same(a, b):
    """Bit-for-bit the same dataset."""
    assert (a.task, a.n_classes) == (b.task, b.n_classes)
    np.testing.assert_array_equal(a.X, b.X)
    np.testing.assert_array_equal(a.y, b.y)
    assert a.X.dtype == b.X.dtype and a.y.dtype == b.y.dtype
    assert a.X.shape == b.X.shape and a.y.shape == b.y.shape


# ---- CSV -----------------------------------------------------------------------------------
def test_classification_csv_with_header_and_word_labels():
    data, labels = from_csv("a,b,colour\n0.5,1,red\n\n-2,3e-1,blue\n1.5,.25,red\n")
    assert data.task == "classification" and data.n_classes == 2
    np.testing.assert_array_equal(data.X, [[0.5, 1.0], [-2.0, 0.3], [1.5, 0.25]])
    assert labels == ("blue", "red")
    np.testing.assert_array_equal(data.y, [1, 0, 1])


def test_numeric_labels_sort_numerically_and_separators_are_detected():
    data, labels = from_csv("1;2;10\n3;4;-1\n5;6;2")
    assert labels == ("-1", "2", "10")
    np.testing.assert_array_equal(data.y, [2, 0, 1])
    tabbed, _ = from_csv("1\t2\t0\n3\t4\t1")
    spaced, _ = from_csv("1 2 0\n3  4 1")
    same(tabbed, spaced)


def test_regression_csv_without_header():
    data, labels = from_csv("\ufeff0.5,1\n-1,2\n")
    assert (data.task, data.n_classes, labels) == ("regression", 0, ())
    assert data.X.shape == data.y.shape == (2, 1)
    np.testing.assert_array_equal(plot_points(data), [[0.5, 1.0], [-1.0, 2.0]])


@pytest.mark.parametrize("text, message", [
    ("", "empty"),
    ("  \n\n", "empty"),
    ("x,y,class\n", "header but no data"),
    ("1,2,0\n3,4\n", "Line 2 has 2 values but line 1 has 3"),
    ("1,2,3,4\n", "Line 1 has 4 values"),
    ("1,2,0\n3,abc,1\n", "Line 2, column 2: 'abc' is not a number"),
    ("1,2,0\n3,,1\n", "Line 2, column 2: an empty cell is not a number"),
    ("1,2,0\nnan,2,1\n", "Line 2, column 1: 'nan' is not a number"),
    ("1,2,0\n1_000,2,1\n", "Line 2, column 1"),
    ("1,2,0\n1e9,2,1\n", "Line 2, column 1: 1e9 is outside ±1,000,000"),
    ("1,2,0\n3,4,0.5\n", "Line 2, column 3: the class 0.5 is not a whole number"),
    ("1,2,0\n3,4,\n", "Line 2, column 3: the class is empty"),
    ("1,2,7\n3,4,7\n", "Every row has class 7"),
])
def test_csv_mistakes_are_named(text, message):
    with pytest.raises(PlaygroundError, match=message):
        from_csv(text)


def test_csv_caps_are_named():
    too_many_classes = "\n".join(f"{i},{i},{i}" for i in range(MAX_OWN_CLASSES + 1))
    with pytest.raises(LimitError, match=f"classes in the CSV is 9, above the cap of "
                                         f"{MAX_OWN_CLASSES}"):
        from_csv(too_many_classes)
    too_many_points = "\n".join(f"{i},{i},{i % 2}" for i in range(MAX_OWN_POINTS + 1))
    with pytest.raises(LimitError, match=f"points in the CSV is 2,001, above the cap of "
                                         f"{MAX_OWN_POINTS:,}"):
        from_csv(too_many_points)
    with pytest.raises(LimitError, match="characters"):
        from_csv("1," * 200_000)


@pytest.mark.parametrize("name", ["moons", "regression", "blobs"])
def test_csv_round_trip_is_exact(name):
    data = make_dataset(name, n=50, seed=3)
    back, _ = from_csv(to_csv(data))
    same(back, data)


# ---- share links ---------------------------------------------------------------------------
coordinate = st.floats(-1e6, 1e6, allow_nan=False)


@st.composite
def csv_texts(draw):
    """CSV text of a classification or a regression dataset, sometimes with a header."""
    n = draw(st.integers(1, 40))
    points = draw(st.lists(st.tuples(coordinate, coordinate), min_size=n, max_size=n))
    header = draw(st.booleans())
    if draw(st.booleans()):
        labels = draw(st.lists(st.integers(0, 4), min_size=n, max_size=n).filter(
            lambda ls: len(set(ls)) > 1))
        rows = [f"{a!r},{b!r},{c}" for (a, b), c in zip(points, labels)]
        return "\n".join((["x1,x2,class"] if header else []) + rows)
    return "\n".join((["x,y"] if header else []) + [f"{a!r},{b!r}" for a, b in points])


@settings(max_examples=150, deadline=None)
@given(csv_texts())
def test_csv_to_dataset_to_link_to_same_dataset(text):
    data, _ = from_csv(text)
    linked = from_link(to_link(data))
    # within the stated precision of the original ...
    points, back = plot_points(data), plot_points(linked)
    span = np.maximum(np.ptp(points, axis=0), 2.0**-16)
    assert (np.abs(back - points) <= LINK_PRECISION * span).all()
    np.testing.assert_array_equal(linked.y if data.task == "classification" else 0,
                                  data.y if data.task == "classification" else 0)
    # ... and exact from then on: the dataset a page trains on is the one a reload gives
    same(from_link(to_link(linked)), linked)
    same(from_csv(to_csv(linked))[0], linked)


def test_link_is_compact_and_capped():
    data = make_dataset("spiral", n=MAX_LINK_POINTS, seed=1)
    text = to_link(data)
    assert len(text) < 2000 and set(text) <= set(
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")
    same(on_link_grid(on_link_grid(data)), on_link_grid(data))
    with pytest.raises(LimitError, match=f"points in a share link is 301, above the cap of "
                                         f"{MAX_LINK_POINTS}"):
        to_link(make_dataset("moons", n=MAX_LINK_POINTS + 1))


def test_empty_and_constant_datasets_travel():
    for data in (empty(), empty("regression"), from_csv("3,3,0\n3,3,1")[0]):
        same(on_link_grid(data), data)


@pytest.mark.parametrize("text", ["", "abc", "!!!", to_link(make_dataset("xor", n=20))[:-6],
                                  to_link(make_dataset("xor", n=20)) + "AAAA"])
def test_a_damaged_link_says_so(text):
    with pytest.raises(PlaygroundError, match="cannot be read"):
        from_link(text)


# ---- drawing -------------------------------------------------------------------------------
def test_drawing_adds_and_removes_points():
    data = add_point(add_point(empty(), 1.0, 2.0, 0), -1.0, 0.5, 3)
    assert data.n_classes == 4 and len(data) == 2
    np.testing.assert_array_equal(data.y, [0, 3])
    left = remove_nearest(data, -0.9, 0.4)
    np.testing.assert_array_equal(left.X, [[1.0, 2.0]])
    assert len(remove_nearest(remove_nearest(left, 0, 0), 0, 0)) == 0


def test_drawing_on_regression_and_builtin_data():
    data = add_point(empty("regression"), 0.5, -1.0)
    assert data.X.shape == data.y.shape == (1, 1) and data.y[0, 0] == -1.0
    moons = make_dataset("moons", n=20)
    more = add_point(moons, 0.0, 0.0, 1)
    same(remove_nearest(more, 0.0, 0.0), moons)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.booleans(), coordinate, coordinate, st.integers(0, 3)),
                max_size=30), st.sampled_from(["classification", "regression"]))
def test_drawn_points_travel_in_the_link(edits, task):
    data = empty(task)
    for add, x, y, cls in edits:  # each edit kept as the link gives it back, as the panel does
        data = on_link_grid(add_point(data, x, y, cls) if add else remove_nearest(data, x, y))
        same(from_link(to_link(data)), data)
    assert len(data) <= sum(add for add, *_ in edits)


def test_drawing_mistakes():
    with pytest.raises(PlaygroundError, match="class must be a whole number from 0 to 7"):
        add_point(empty(), 0, 0, MAX_OWN_CLASSES)
    with pytest.raises(PlaygroundError, match="x must be a number"):
        add_point(empty(), math.nan, 0)
    with pytest.raises(LimitError, match="drawn points"):
        add_point(make_dataset("moons", n=MAX_LINK_POINTS), 0, 0)


def test_check_trainable():
    with pytest.raises(PlaygroundError, match="has 0 point"):
        check_trainable(empty())
    one_class = empty()
    for i in range(10):
        one_class = add_point(one_class, i, i, 1)
    with pytest.raises(PlaygroundError, match="Every point has class 1"):
        check_trainable(one_class)
    check_trainable(add_point(one_class, 0, 0, 0))


# ---- formula -------------------------------------------------------------------------------
def test_formula_labels_points_above_the_curve():
    data = formula_dataset("0.5 * x**2 - 1", n=300, noise=0.0, seed=2)
    x1, x2 = data.X.T
    np.testing.assert_array_equal(data.y, (x2 > 0.5 * x1**2 - 1).astype(int))
    assert 0 < data.y.mean() < 1 and (np.abs(data.X) <= 2).all()
    noisy = formula_dataset("0.5 * x**2 - 1", n=300, noise=0.2, seed=2)
    np.testing.assert_array_equal(noisy.y, data.y)
    assert 0 < np.abs(noisy.X - data.X).max() < 2
    same(formula_dataset("sin(3*x)", seed=5), formula_dataset("sin(3*x)", seed=5))


@pytest.mark.parametrize("f, error, message", [
    ("x + y", PlaygroundError, "only the name x, but it uses y"),
    ("x +", ExprError, "line 1"),
    ("__import__('os')", ExprError, "line 1"),
    ("log(x)", PlaygroundError, "not a finite number at x = -"),
    ("sum(x) * [1, 2]", PlaygroundError, r"one number for each x; it gives shape \(2,\)"),
    ("5", PlaygroundError, "Every point has class 0"),
])
def test_formula_mistakes(f, error, message):
    with pytest.raises(error, match=message):
        formula_dataset(f, n=50)


def test_formula_line_is_the_curve():
    xs, ys = formula_line("0.5 * x**2 - 1", points=5)
    np.testing.assert_array_equal(xs, [-2, -1, 0, 1, 2])
    np.testing.assert_allclose(ys, 0.5 * xs**2 - 1)
    assert np.isnan(formula_line("log(x)", points=5)[1][0])
    np.testing.assert_array_equal(formula_line("1", points=3)[1], [1, 1, 1])


def test_formula_constant_and_caps():
    assert formula_dataset("0.25", n=50).y.sum() > 0
    with pytest.raises(PlaygroundError, match="from 10 to 2,000"):
        formula_dataset("x", n=MAX_OWN_POINTS + 1)


# ---- anything a visitor can type or a link can hold ----------------------------------------
cells = st.one_of(st.text(max_size=6), st.floats().map(repr), st.integers().map(str))


@settings(max_examples=300, deadline=None)
@given(st.one_of(st.text(max_size=200),
                 st.lists(st.lists(cells, max_size=4), max_size=12).map(
                     lambda rows: "\n".join(",".join(row) for row in rows))))
def test_any_csv_text_gives_a_dataset_or_a_playground_error(text):
    try:
        data, labels = from_csv(text)
    except PlaygroundError:
        return
    assert len(data) and np.isfinite(plot_points(data)).all()
    assert data.task == "regression" or 2 <= data.n_classes == len(labels)


def packed(raw: bytes) -> str:
    return base64.urlsafe_b64encode(zlib.compress(raw)).decode()


link_bodies = st.tuples(st.integers(0, 2), st.integers(0, 2), st.integers(0, 12),
                        st.integers(0, 6), st.binary(max_size=80)).map(
    lambda h: struct.pack(">BBBH", *h[:4]) + h[4])  # a plausible header, then anything


@settings(max_examples=300, deadline=None)
@given(st.one_of(st.text(max_size=80), st.binary(max_size=200).map(packed),
                 link_bodies.map(packed)))
def test_any_link_text_gives_a_dataset_or_a_playground_error(text):
    try:
        data = from_link(text)
    except PlaygroundError:
        return
    same(on_link_grid(data), data)
