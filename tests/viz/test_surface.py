"""The surface z = f(x, y) with its two tangent lines."""

import numpy as np
import pytest

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
    along_x, along_y, now = fig.data[-3:]
    line_x, line_y = np.asarray(along_x.customdata), np.asarray(along_y.customdata)  # (x, y, z)
    assert np.allclose(np.diff(line_x[:, 2]) / np.diff(line_x[:, 0]), dzdx)
    assert np.allclose(line_x[:, 1], y0)
    assert np.allclose(np.diff(line_y[:, 2]) / np.diff(line_y[:, 1]), dzdy)
    assert np.allclose(line_y[:, 0], x0)
    assert along_x.name == "along x: slope ∂z/∂x = 3.5"
    for line in (along_x, along_y):  # drawn through the point
        assert np.mean(line.x) == pytest.approx(now.x[0]) and np.mean(line.y) == pytest.approx(
            now.y[0])
    assert {t.type for t in fig.data} == {"scatter"}  # drawn flat: no WebGL scene redrawing
    assert fig.layout.meta["summary"].startswith("z from ")
    # The tangent touches the surface at the point: a first-order approximation nearby.
    h = 1e-3
    assert abs(f(x0 + h, y0) - (z0 + dzdx * h)) < 1e-5


def test_the_span_grows_with_a_far_away_point():
    assert span_around(0.0, 1.0) == 1.0
    assert span_around(10.0, -3.0) == 5.0


def _view(source: str, **values: str):
    from engine.expr import InputSpec, parse
    from page_models import expression_graph as model

    return model.build_view(parse(source), {n: InputSpec(v) for n, v in values.items()}, 0)


def test_a_two_parameter_program_s_surface_is_drawn_at_its_point_with_its_gradient():
    from viz.surface import program_surface

    fig, names = program_surface(_view("z = x * x + 3 * y", x="1.5", y="-2"))
    assert names == ("x", "y", "z")
    # by hand: z(1.5, -2) = 2.25 - 6, ∂z/∂x = 2x = 3, ∂z/∂y = 3
    grid = surface_grid(lambda a, b: a * a + 3 * b, 1.5, -2.0, span_around(1.5, -2.0),
                        vectorised=True)
    assert fig.to_dict() == surface_figure(*grid, (1.5, -2.0, -3.75), (3.0, 3.0),
                                           names).to_dict()


def test_a_program_without_two_scalar_parameters_has_no_surface():
    from viz.surface import program_surface

    assert program_surface(_view("z = x * x", x="1.5")) is None
    assert program_surface(_view("z = sum(x * y)", x="[1, 2]", y="3")) is None
