"""The "Your data" chart: the points of a dataset by class, optionally over an invisible grid of
click targets, so that a click anywhere on the chart reports where it landed (st.plotly_chart
reports clicks on points only)."""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go

from engine.data import Dataset
from page_models.own_data import canvas_range, plot_points
from viz.curves import projector_layout
from viz.palette import CLASS_COLORS, INK

CLICK_GRID = 60  # click targets per axis: a click lands within half a grid step of the cursor


def data_canvas(dataset: Dataset, *, clickable: bool, curve=None, height: int = 420) -> go.Figure:
    """The dataset's points (x1, x2 by class; or x, y for regression), and the line through
    `curve` = (xs, ys) if given; with `clickable`, the last trace is the grid of invisible click
    targets over the view (the points themselves take no clicks, so a click always reports the
    grid point under the cursor)."""
    (x0, x1), (y0, y1) = canvas_range(dataset) if clickable else canvas_range(dataset, None)
    points = plot_points(dataset)
    labels = dataset.y if dataset.task == "classification" else np.zeros(len(dataset), int)
    traces = [
        go.Scatter(x=points[labels == c, 0], y=points[labels == c, 1], mode="markers",
                   name=f"class {c}" if dataset.task == "classification" else "data",
                   marker={"color": CLASS_COLORS[c % len(CLASS_COLORS)] if dataset.task ==
                           "classification" else INK, "size": 8,
                           "line": {"color": "#ffffff", "width": 1}},
                   unselected={"marker": {"opacity": 1}}, hoverinfo="skip")
        for c in range(max(dataset.n_classes, 1))
    ]
    if curve is not None:
        traces.append(go.Scatter(x=curve[0], y=curve[1], mode="lines", name="x2 = f(x1)",
                                 line={"color": INK, "width": 2, "dash": "dash"},
                                 hoverinfo="skip"))
    if clickable:
        gx, gy = np.meshgrid(np.linspace(x0, x1, CLICK_GRID), np.linspace(y0, y1, CLICK_GRID))
        traces.append(go.Scatter(x=gx.ravel(), y=gy.ravel(), mode="markers", name="click grid",
                                 marker={"size": 12, "opacity": 0}, showlegend=False,
                                 hovertemplate="click: (%{x:.2f}, %{y:.2f})<extra></extra>",
                                 selected={"marker": {"opacity": 0}},
                                 unselected={"marker": {"opacity": 0}}))
    fig = go.Figure(traces)
    fig.update_xaxes(range=[x0, x1], zeroline=False, title="x1" if dataset.task ==
                     "classification" else "x")
    fig.update_yaxes(range=[y0, y1], zeroline=False, title="x2" if dataset.task ==
                     "classification" else "y")
    fig.update_layout(dragmode=False, clickmode="event+select", hovermode="closest")
    projector_layout(fig, height=height)
    fig.update_layout(margin={"t": 10})
    return fig
