"""The loss-surface player: a browser component (custom component v2, canvas drawing) on the
player core (viz.player_core) that draws the Optimizer Lab's trajectory map and plays the paths
step by step at a steady rate, with Play, Pause, Step, First/Last, speed and the page keys
(Space, ← →, Home, End; ? shows them) acting in the browser at once. Nothing is sent back:
playing never reruns the script; the step goes to the address bar as `url_param` and to "Add this
view to my lesson" (ui.lesson_draft).

    surface_player("trajectories", json.dumps(surface_player_data(surface, runs)),
                   start=state("sstep"), present=presenting())

The map is viz.surface_plot.surface_player_data as JSON text (build it once per setup: the same
text keeps the browser's step across reruns). The first map opens at step `start` (clamped to
the paths: a link's step), a later new map on its final paths. `present` draws larger type and
thicker lines.
"""

from __future__ import annotations

from pathlib import Path

import streamlit as st

from viz.player_core import player_code

__all__ = ["surface_player"]

_STATIC = Path(__file__).parent / "static"
_JS, _CSS = player_code(_STATIC / "surface_player.js", _STATIC / "surface_player.css")
_player = st.components.v2.component("surface_player", css=_CSS, js=_JS)


def surface_player(key: str, map_json: str, *, start: int, present: bool = False,
                   url_param: str = "sstep") -> None:
    """Draw the player (see the module doc)."""
    _player(key=key, data={"map": map_json, "start": start, "present": present,
                           "url_param": url_param})
