"""One way to draw a plotly chart on any page: in presenter mode it gets larger type and thicker
lines (viz.presenter), at the same height."""

from __future__ import annotations

import plotly.graph_objects as go
import streamlit as st

from ui.nav import presenting
from viz.presenter import narrow_figure, presenter_figure


def chart(fig: go.Figure, where=st, **kwargs):
    """st.plotly_chart(fig, **kwargs) in `where` (a container or column), with the figure
    scaled for presenter mode when it is on. Returns what st.plotly_chart returns."""
    figure = presenter_figure(fig) if presenting() else fig
    if st.context.is_embedded:  # a lesson's pane, ~470 px wide
        figure = narrow_figure(figure, floor_px=16 if presenting() else 12)
    return where.plotly_chart(figure, **kwargs)
