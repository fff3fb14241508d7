"""The surface z = f(x, y) with its two tangent lines."""

import numpy as np

from viz.surface import span_around, surface_figure, surface_grid


def f(x, y):
    with np.errstate(all="ignore"):  # log of x ≤ 0 on purpose
        return x * y + np.log(x)


def test_the_grid_is_the_same_called_once_or_point_by_point():
    xs, ys, Z = surface_grid(f, 2.0, 3.0, span=1.0, n=5)
    _, _, Z_loop = surface_grid(lambda a, b: float(f(a, b)), 2.0, 3.0, span=1.0, n=5)
    assert np.allclose(Z, Z_loop)
    _, _, Z_once = surface_grid(f, 2.0, 3.0, span=1.0, n=5, vectorised=True)
    assert np.allclose(Z, Z_once)
    assert xs[0] == 1.0 and xs[-1] == 3.0 and ys[2] == 3.0
    assert Z[1, 3] == f(xs[3], ys[1])  # rows follow y, columns follow x


def test_non_finite_values_become_gaps():
    _, _, Z = surface_grid(f, 0.5, 0.0, span=1.0, n=5)  # log(x) for x ≤ 0
    assert np.isnan(Z[:, :2]).all() and np.isfinite(Z[:, 3:]).all()


def test_the_tangent_lines_have_the_partial_derivatives_as_slopes():
    x0, y0 = 2.0, 3.0
    z0, dzdx, dzdy = f(x0, y0), y0 + 1 / x0, x0
    xs, ys, Z = surface_grid(f, x0, y0, span=1.0)
    fig = surface_figure(xs, ys, Z, (x0, y0, z0), (dzdx, dzdy), ("x", "y", "z"))
    along_x, along_y = fig.data[1], fig.data[2]
    assert np.allclose(np.diff(along_x.z) / np.diff(along_x.x), dzdx)
    assert np.allclose(along_x.y, y0)
    assert np.allclose(np.diff(along_y.z) / np.diff(along_y.y), dzdy)
    assert np.allclose(along_y.x, x0)
    assert along_x.name == "along x: slope ∂z/∂x = 3.5"
    # The tangent touches the surface at the point: a first-order approximation nearby.
    h = 1e-3
    assert abs(f(x0 + h, y0) - (z0 + dzdx * h)) < 1e-5


def test_the_span_grows_with_a_far_away_point():
    assert span_around(0.0, 1.0) == 1.0
    assert span_around(10.0, -3.0) == 5.0
