"""The loss-surface player: a browser component (custom component v2, canvas drawing) that
draws the Optimizer Lab's trajectory map and plays the paths step by step at a steady rate, with
Play, Pause, Step, First/Last, speed and keys (Space, ←, →, R, Home, End; ? shows them) acting in
the browser at once. Nothing is sent back: playing never reruns the script.

    surface_player("trajectories", json.dumps(surface_player_data(surface, runs)),
                   present=presenting())

The map is viz.surface_plot.surface_player_data as JSON text (build it once per setup: the same
text keeps the browser's step across reruns; a new text opens on its final paths). `present`
draws larger type and thicker lines.
"""

from __future__ import annotations

from pathlib import Path

import streamlit as st

__all__ = ["surface_player"]

_STATIC = Path(__file__).parent / "static"
_player = st.components.v2.component(
    "surface_player",
    css=(_STATIC / "surface_player.css").read_text(encoding="utf-8"),
    js=(_STATIC / "surface_player.js").read_text(encoding="utf-8"),
)


def surface_player(key: str, map_json: str, *, present: bool = False) -> None:
    """Draw the player (see the module doc)."""
    _player(key=key, data={"map": map_json, "present": present})
