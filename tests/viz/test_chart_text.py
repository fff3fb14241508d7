"""A chart in words: its title and one sentence of its data."""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from viz.chart_text import MAX_BARS, MAX_SERIES, chart_text


def test_a_line_chart_says_where_each_named_line_ends():
    fig = go.Figure([go.Scatter(x=[1, 2, 3], y=[1.0, 0.5, 0.25], name="SGD, lr=0.1"),
                     go.Scatter(x=[1, 2, 3], y=[2.0, np.nan, np.nan], name="Adam<br>diverged"),
                     go.Scatter(x=[1, 2], y=[0, 1], showlegend=False),  # a band: not named
                     go.Scatter(x=[3], y=[0.25], mode="markers", name="end")])  # not a line
    fig.update_layout(title="<b>Training loss</b>")
    assert chart_text(fig) == ("Training loss. SGD, lr=0.1 ends at 3 with 0.25; "
                               "Adam diverged ends at 1 with 2.")


def test_subplot_titles_and_maps():
    fig = make_subplots(rows=1, cols=2, subplot_titles=["a bowl", "contours"])
    fig.add_trace(go.Heatmap(z=[[-1.5, 0.0], [2.0, 4.25]]), row=1, col=1)
    assert chart_text(fig) == "a bowl; contours. A map of values from −1.5 to 4.25."
    fig.add_trace(go.Contour(z=[[5.0, np.nan]]), row=1, col=2)
    assert chart_text(fig) == "a bowl; contours. 2 maps of values from −1.5 to 5."


def test_many_lines_are_counted_and_an_empty_chart_still_speaks():
    fig = go.Figure([go.Scatter(x=[0], y=[k], name=f"run {k}") for k in range(MAX_SERIES + 2)])
    assert chart_text(fig).endswith("; and 2 more.")
    assert chart_text(go.Figure()) == "Chart. 0 traces."


def test_a_drawing_whose_axes_are_not_data_says_its_own_sentence():
    fig = go.Figure([go.Scatter(x=[0.1, 0.7], y=[0.2, 0.3], name="v1")])  # screen coordinates
    fig.update_layout(title="rank 1", meta={"summary": "v1 = (1, 0, 0)."})
    assert chart_text(fig) == "rank 1. v1 = (1, 0, 0)."
    fig.update_layout(title=None, meta={"title": "Neurons", "summary": "2 → 1 neurons."})
    assert chart_text(fig) == "Neurons. 2 → 1 neurons."  # a title not drawn


def test_bars_and_points_are_read_and_an_untitled_chart_is_named_by_its_axes():
    fig = go.Figure([go.Bar(x=["point 1", "point 2"], y=[0.52, 0.475], name="pass 1"),
                     go.Bar(y=np.arange(MAX_BARS + 1.0), name="σ"),
                     go.Scatter(x=[1, 2, 3], y=[0, 1, 2], mode="markers", name="raw")])
    fig.update_yaxes(title_text="output").update_xaxes(title_text="sample")
    assert chart_text(fig) == ("output against sample. Pass 1: point 1 0.52, point 2 0.475; "
                               f"σ: {MAX_BARS + 1} bars from 0 to {MAX_BARS}; raw: 3 points.")
