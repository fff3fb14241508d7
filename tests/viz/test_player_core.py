"""The player core's one place in Python (viz.player_core): every browser player gets the core and
the palette, and writes no colour and no key list of its own."""

import re
from pathlib import Path

import pytest

from viz import palette
from viz.player_core import ASSETS, CORE_JS, PALETTE, palette_css, player_code

ROOT = Path(__file__).resolve().parents[2]
PLAYERS = [(ASSETS / "graph_player.js", ASSETS / "graph_player.css"),
           *((ROOT / "ui/static" / f"{name}.js", ROOT / "ui/static" / f"{name}.css")
             for name in ("live_player", "surface_player", "lesson_browser"))]
HEX = re.compile(r"#[0-9a-fA-F]{3,8}\b")


@pytest.mark.parametrize("js, css", PLAYERS, ids=lambda path: path.name)
def test_each_player_comes_with_the_core_and_the_palette(js, css):
    code, style = player_code(js, css)
    assert code.startswith("const PALETTE = {") and "class Transport {" in code
    assert "export default function" in code and "\n//" not in code  # comment lines dropped
    assert style.startswith(palette_css()) and ".bp-keys" in style


@pytest.mark.parametrize("path", [*(p for pair in PLAYERS for p in pair), CORE_JS,
                                  ASSETS / "player_core.css"], ids=lambda path: path.name)
def test_no_player_file_writes_a_colour_or_key_words_of_its_own(path):
    text = path.read_text("utf-8")
    assert not HEX.findall(text), "colours come from viz.palette through PALETTE / --bp-*"
    if path != CORE_JS:
        assert "play / pause" not in text and "Esc hides" not in text  # KEY_WORDS, in the core


def test_the_palette_reaches_the_browser_from_viz_palette():
    assert PALETTE["ink"] == palette.INK and PALETTE["backward"] == palette.BACKWARD
    css = palette_css()
    assert all(f"--bp-{name}: {colour};" in css for name, colour in PALETTE.items())
    assert set(PALETTE.values()) <= {v for v in vars(palette).values() if isinstance(v, str)}
