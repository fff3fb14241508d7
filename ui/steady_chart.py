"""A plotly chart that is replaced several times a second without a blank flash."""

from typing import Any

import plotly.graph_objects as go
import streamlit as st


def steady_plotly_chart(key: str, figure: go.Figure, **kwargs: Any) -> None:
    """st.plotly_chart for a live view: double-buffered, so a new figure never shows a blank.

    Streamlit keys a plotly chart in the browser by an id that includes the figure itself, so
    every new figure remounts the chart, which stays blank until plotly has drawn it: at five
    updates a second the chart flickers (measured: 3 of 8 screenshots of the Network Builder's
    live area missed a chart). Two slots share one grid cell. The new figure goes into the slot
    that is not on top, and that slot is raised; the other slot is sent again unchanged (same id:
    no remount), so the previous picture shows through while the new one is drawn.
    """
    buffers = st.session_state.setdefault(f"_steady_{key}", {"specs": [None, None], "top": 0})
    new = 1 - buffers["top"]
    buffers["specs"][new] = figure.to_dict()  # a snapshot: the caller may mutate the figure
    buffers["top"] = new
    cell = f"steady_{key}"
    st.html(
        f"<style>.st-key-{cell} {{display: grid !important;"
        f" grid-template-columns: minmax(0, 1fr)}}"
        f" .st-key-{cell} > * {{grid-area: 1 / 1; width: 100% !important}}"
        f" .st-key-{cell}_{new} {{position: relative; z-index: 1}}</style>"
    )
    with st.container(key=cell):
        for slot, spec in enumerate(buffers["specs"]):
            with st.container(key=f"{cell}_{slot}"):
                if spec is not None:
                    st.plotly_chart(spec, key=f"{key}_{slot}", **kwargs)
