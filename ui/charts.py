"""One way to draw a plotly chart on any page: in presenter mode it gets larger type and thicker
lines (viz.presenter), at the same height; in a narrow column (a lesson's pane, a phone) a layout
for its width (viz.narrow); every chart gets a text alternative (its title and what its data says,
viz.chart_text), read by a screen reader just before it and never shown.

A figure built once for every session (st.cache_resource) is marked with `shared(fig)`: chart()
then lays it out, describes it and converts it once per view of it (presenter mode, width) for
all sessions. Unmarked, st.plotly_chart copies and converts a figure on every run (to_dict: a
deep copy, arrays to base64), which was most of a class's chart cost on the Optimizer Lab
(benchmarks/classroom.py --profile).
"""

from __future__ import annotations

import html
import threading

import plotly.graph_objects as go
import streamlit as st

from ui.nav import presenting
from ui.widths import ChartWidth, next_chart
from viz.chart_text import chart_text
from viz.narrow import narrow_figure
from viz.presenter import presenter_figure

MAX_VIEWS = 4  # of one shared figure (presenter mode or not, a few widths; ~0.5 MB the three
# charts of the Optimizer Lab's default view: 32 cached setups hold at most ~64 MB of views)
_views_lock = threading.Lock()

# Visually hidden; ui.nav's HEADER_CSS takes its element out of the page's flow (no gap above
# the chart).
_HIDDEN = ("position:absolute;width:1px;height:1px;margin:-1px;overflow:hidden;"
           "clip-path:inset(50%);white-space:nowrap")


class _Converted(go.Figure):
    """What st.plotly_chart reads of a figure, its to_dict(), computed once; otherwise an empty
    figure. (Not a copy of the figure: go.Figure(fig) re-parents fig's traces while it copies
    them, and a session reading the shared figure meanwhile failed.)"""

    def __init__(self, figure: go.Figure | dict):
        super().__init__()
        # a dict is validated as a figure, as st.plotly_chart does with one
        self._converted = (go.Figure(figure) if isinstance(figure, dict) else figure).to_dict()

    def to_dict(self) -> dict:
        return self._converted


def shared(fig: go.Figure) -> go.Figure:
    """Mark a figure that every session draws as it is, never to be changed again."""
    fig._bp_views = {}
    return fig


def _laid_out(fig: go.Figure, present: bool, width: ChartWidth) -> go.Figure | dict:
    """The figure scaled for presenter mode and laid out for its width."""
    figure = presenter_figure(fig) if present else fig
    if width.px:
        figure = narrow_figure(figure, floor_px=16 if present else 12, width_px=width.px,
                               keep_height=not width.may_grow)
    return figure


def _view(fig: go.Figure, present: bool, width: ChartWidth) -> tuple[str, go.Figure | dict]:
    """The figure's text alternative and the figure to draw; for a shared figure, made once per
    view and kept on it (the newest MAX_VIEWS): sessions that arrive together wait for the
    first."""
    views = getattr(fig, "_bp_views", None)
    if views is None:
        return chart_text(fig), _laid_out(fig, present, width)
    key = (present, width.px, width.may_grow)
    with _views_lock:
        if (view := views.get(key)) is None:
            view = views[key] = chart_text(fig), _Converted(_laid_out(fig, present, width))
            while len(views) > MAX_VIEWS:
                del views[next(iter(views))]
        return view


def chart(fig: go.Figure, where=st, **kwargs):
    """st.plotly_chart(fig, **kwargs) in `where` (a container or column), after its text
    alternative, with the figure scaled for presenter mode when it is on and laid out for its
    width where it is narrow (ui.widths). Returns what st.plotly_chart returns."""
    width = next_chart()
    box = where.container(key=width.key)
    text, figure = _view(fig, presenting(), width)
    box.markdown(f'<p class="bp-chart-text" style="{_HIDDEN}">Chart: '
                 f"{html.escape(text)}</p>", unsafe_allow_html=True)
    return box.plotly_chart(figure, **kwargs)
