"""The player core's one place in Python: each browser player's JS and CSS with the core
(viz/assets/player_core.{js,css}: transport, page keys and their focus rule, the key list,
canvas sizing) before its own code, and the palette handed to both from viz.palette.

    js, css = player_code(ASSETS / "graph_player.js", ASSETS / "graph_player.css")

The JS gets `const PALETTE = {"ink": "#222222", …}`, the CSS the same colours as variables
(`var(--bp-ink)`) on every `.bp` element: no colour is written in a player's JS or CSS. The
result is plain text, so it serves a Streamlit component (components v2 take strings) and the
standalone HTML export alike.
"""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path

from viz import palette

ASSETS = Path(__file__).parent / "assets"
CORE_JS = ASSETS / "player_core.js"
CORE_CSS = ASSETS / "player_core.css"

PALETTE = {
    "ink": palette.INK,
    "paper": palette.PAPER,
    "panel": palette.PANEL,
    "border": palette.BORDER,
    "accent": palette.ACCENT,
    "muted": palette.MUTED,
    "grid": palette.GRID,
    "frame": palette.FRAME,
    "edge": palette.EDGE,
    "level": palette.LEVEL,
    "minimum": palette.MINIMUM,
    "hidden-node": palette.HIDDEN_NODE,
    "backward": palette.BACKWARD,
    "selected": palette.SELECTED,
    "focus": palette.FOCUS,
    "caution": palette.CAUTION,
    "caution-bg": palette.CAUTION_BG,
}
"""The colours the players use, by the name their JS (PALETTE[name]) and CSS (--bp-name) read."""


def palette_css() -> str:
    """The palette as CSS variables on every player's root (class "bp")."""
    return ".bp { " + " ".join(f"--bp-{name}: {colour};" for name, colour in PALETTE.items()) + " }"


def _lean(js: str) -> str:
    """`js` without its comment lines and indentation: the code travels in every run's
    message. (No line of the players' JS starts with // inside a string.)"""
    lines = (line.strip() for line in js.splitlines())
    return "\n".join(line for line in lines if line and not line.startswith("//"))


@lru_cache(maxsize=8)  # four players
def player_code(js: Path, css: Path) -> tuple[str, str]:
    """(JS, CSS) of the player whose own code is in `js` and `css`: the palette and the core
    first. Read once per process."""
    return ("const PALETTE = " + json.dumps(PALETTE) + ";\n"
            + _lean(CORE_JS.read_text("utf-8") + js.read_text("utf-8")),
            palette_css() + "\n" + CORE_CSS.read_text("utf-8") + css.read_text("utf-8"))
