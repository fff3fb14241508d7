"""Presenter figures: every font larger and every line thicker, in a copy."""

import numpy as np
import plotly.graph_objects as go
import pytest

from viz.presenter import presenter_figure


def figure() -> go.Figure:
    fig = go.Figure(go.Scatter(x=[0, 1], y=[1, 0], line={"width": 2}, textfont={"size": 10}),
                    frames=[go.Frame(data=[go.Scatter(line={"width": 4})])])
    fig.add_shape(type="line", x0=0, x1=1, y0=0, y1=1, line={"width": 1})
    fig.add_annotation(text="note", font={"size": 14})
    fig.update_layout(font={"size": 17}, legend={"font": {"size": 15}})
    fig.update_xaxes(tickfont={"size": 16}, title={"text": "x", "font": {"size": 18}})
    return fig


def test_every_font_size_and_line_width_grows_by_its_factor():
    scaled = presenter_figure(figure(), type_scale=2, line_scale=3)
    layout, trace = scaled["layout"], scaled["data"][0]
    assert layout["font"]["size"] == 34 and layout["legend"]["font"]["size"] == 30
    assert layout["xaxis"]["tickfont"]["size"] == 32
    assert layout["xaxis"]["title"]["font"]["size"] == 36
    assert layout["annotations"][0]["font"]["size"] == 28
    assert trace["textfont"]["size"] == 20 and trace["line"]["width"] == 6
    assert layout["shapes"][0]["line"]["width"] == 3
    assert scaled["frames"][0]["data"][0]["line"]["width"] == 12


def test_the_figure_itself_is_unchanged():
    fig = figure()
    presenter_figure(fig, type_scale=2, line_scale=3)
    assert fig.layout.font.size == 17 and fig.data[0].line.width == 2
    assert fig.frames[0].data[0].line.width == 4


def test_a_layout_without_a_font_gets_plotlys_default_scaled():
    scaled = presenter_figure(go.Figure(go.Scatter(x=[0], y=[0])), type_scale=1.5)
    assert scaled["layout"]["font"]["size"] == pytest.approx(18)


def test_per_point_sizes_scale_too():
    fig = go.Figure(go.Scatter(x=[0, 1], y=[0, 1], mode="text", text=["a", "b"],
                               textfont={"size": np.array([10.0, 20.0])}))
    scaled = presenter_figure(fig, type_scale=2)
    assert list(np.asarray(scaled["data"][0]["textfont"]["size"])) == [20.0, 40.0]


def test_a_legend_under_the_plot_moves_down_and_one_on_it_stays():
    below = go.Figure(layout={"legend": {"y": -0.2}})
    assert presenter_figure(below, type_scale=2)["layout"]["legend"]["y"] == pytest.approx(-0.8)
    inside = go.Figure(layout={"legend": {"y": 0.9}})
    assert presenter_figure(inside, type_scale=2)["layout"]["legend"]["y"] == 0.9
