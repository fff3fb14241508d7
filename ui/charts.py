"""One way to draw a plotly chart on any page: in presenter mode it gets larger type and thicker
lines (viz.presenter), at the same height; in a narrow column (a lesson's pane, a phone) a layout
for its width (viz.narrow); every chart gets a text alternative (its title and what its data says,
viz.chart_text), read by a screen reader just before it and never shown."""

from __future__ import annotations

import html

import plotly.graph_objects as go
import streamlit as st

from ui.nav import presenting
from ui.widths import next_chart
from viz.chart_text import chart_text
from viz.narrow import narrow_figure
from viz.presenter import presenter_figure

# Visually hidden; ui.nav's HEADER_CSS takes its element out of the page's flow (no gap above
# the chart).
_HIDDEN = ("position:absolute;width:1px;height:1px;margin:-1px;overflow:hidden;"
           "clip-path:inset(50%);white-space:nowrap")


def chart(fig: go.Figure, where=st, **kwargs):
    """st.plotly_chart(fig, **kwargs) in `where` (a container or column), after its text
    alternative, with the figure scaled for presenter mode when it is on and laid out for its
    width where it is narrow (ui.widths). Returns what st.plotly_chart returns."""
    width = next_chart()
    box = where.container(key=width.key)
    box.markdown(f'<p class="bp-chart-text" style="{_HIDDEN}">Chart: '
                 f"{html.escape(chart_text(fig))}</p>", unsafe_allow_html=True)
    figure = presenter_figure(fig) if presenting() else fig
    if width.px:
        figure = narrow_figure(figure, floor_px=16 if presenting() else 12, width_px=width.px,
                               keep_height=not width.may_grow)
    return box.plotly_chart(figure, **kwargs)
