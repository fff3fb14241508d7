"""3-D drawn flat (viz.oblique)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from viz.oblique import RISE, WIRE_EVERY, oblique_wires, project, rise_scale, wire_traces


def test_oblique_wires_draw_every_fourth_grid_line_and_lift_the_bowl():
    grid = np.linspace(-2.0, 2.0, 9)
    gx, gy = np.meshgrid(grid, grid)
    bowl = gx**2 + gy**2
    x, y, points = oblique_wires(grid, grid, bowl, rise_scale(grid, bowl))
    assert WIRE_EVERY == 4 and np.isnan(x).sum() == 6  # 3 wires each way, each ended by a gap
    np.testing.assert_allclose(np.nanmax(points[:, 2]), 8.0)
    corner = np.nanargmax(points[:, 2])  # a corner is high: seen above the flat centre's place
    flat_x, flat_y, _ = oblique_wires(grid, grid, np.zeros_like(gx), 1.0)
    assert y[corner] > flat_y[corner] and x[corner] == pytest.approx(flat_x[corner])


def test_heights_are_drawn_from_the_base_at_most_rise_grid_widths_tall():
    xs = np.linspace(0.0, 4.0, 5)
    assert rise_scale(xs, np.array([-2.0, 1.0])) == pytest.approx(RISE * 4 / 2)
    assert rise_scale(xs, np.zeros(3)) == 0.0
    up = project(np.array([[0.0, 0.0, 1.0]]))
    assert up[0] == pytest.approx([0.0]) and up[1][0] > 0  # z is straight up on the screen
    Z = np.full((5, 5), 7.0)  # a flat surface at the base is drawn at height 0
    _, sy, _ = oblique_wires(xs, xs, Z, 1.0, base=7.0)
    _, flat_y, _ = oblique_wires(xs, xs, np.zeros((5, 5)), 1.0)
    np.testing.assert_allclose(sy, flat_y)


def test_wire_traces_colour_by_sign_and_hover_with_the_names():
    grid = np.linspace(-1.0, 1.0, 9)
    gx, _ = np.meshgrid(grid, grid)
    above, below = wire_traces(grid, grid, gx, 1.0, ("a", "b", "f"))
    assert above.line.color != below.line.color and not above.name
    assert (above.line.dash, below.line.dash) == ("solid", "dot")  # not by colour alone
    assert "a = %{customdata[0]" in above.hovertemplate and "f = " in above.hovertemplate
    shown = np.isfinite(np.asarray(above.y, dtype=float))
    assert (np.asarray(above.customdata)[shown, 2] >= -0.25 - 1e-12).all()  # one cell below 0


WEBGL_3D = ("Surface(", "Scatter3d(", "Mesh3d(", "Cone(", "Streamtube(", "Volume(",
            "Isosurface(", "scene={", "scene=dict(")


def test_no_figure_draws_a_webgl_scene_that_redraws_itself():
    """plotly.js redraws a 3-D scene on every animation frame even when nothing moves (and
    under prefers-reduced-motion): 3-D is drawn flat, with viz.oblique."""
    root = Path(__file__).resolve().parents[2]
    found = [f"{path.relative_to(root)}: {name}"
             for folder in ("viz", "ui", "pages") for path in (root / folder).rglob("*.py")
             for name in WEBGL_3D if name in path.read_text()]
    assert not found, found
