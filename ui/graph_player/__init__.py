"""The graph player: a custom component (Streamlit components v2, no iframe) that draws a
computation graph as SVG and plays its forward and backward steps in the browser.

    clicked = graph_player(player_data(graph, graph_id, frame, selected), key="graph_player",
                           on_click=pick)

API for any page: the data comes from viz.graph_player.player_data (plain JSON). The browser
owns the step, on the player core (viz.player_core): play/pause, step back/forward, first/last,
speed, a scrub bar, and the page keys Space, ← →, Home/End, ? (the list of keys; Escape hides
it). It keeps its step across reruns until data["graph_id"] changes, and writes it to the address
bar as `url_param`=N and reports it to "Add this view to my lesson" (ui.lesson_draft). The only
message back is a node click: the trigger value {"node": i, "frame": k}, read in `on_click` as
st.session_state[key].clicked. Its JS and CSS are viz/assets/graph_player.{js,css}, shared with
the standalone HTML export (viz.graph_export).
"""

from __future__ import annotations

from collections.abc import Callable

import streamlit as st

from viz.graph_export import PLAYER_CSS, PLAYER_JS
from viz.player_core import player_code

_JS, _CSS = player_code(PLAYER_JS, PLAYER_CSS)
_COMPONENT = st.components.v2.component("backprop_graph_player", js=_JS, css=_CSS)


def graph_player(data: dict, key: str, on_click: Callable[[], None] | None = None,
                 url_param: str = "frame"):
    """Mount the player; returns the component's result (its .clicked trigger value)."""
    return _COMPONENT(data={**data, "url_param": url_param}, key=key,
                      on_clicked_change=on_click or (lambda: None))
