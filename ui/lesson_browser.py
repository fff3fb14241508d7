"""The Lessons page's browser side (a custom component v2: no iframe of its own, no build step):
its keys, a ? button with the list of them, and each embedded view scrolled, once per address,
so its main visual (`.st-key-main-visual`, else its first chart) is at the top of the frame (kept
there until it stays put: a page may still move after its run).

Keys, one owner each, on the player core (viz.player_core: its focus rule, its words):
ArrowLeft / ArrowRight and Home report "back" / "next" / "first" as a trigger value (the
lesson's steps); Space is passed on to the embedded view, whose player (if it has one) plays or
pauses; ? shows and hides the list of keys, Escape hides it. A key pressed on a control (a field,
a button, a slider, a tab…) is the control's. While the embedded view has the focus, every key
is its own (a key pressed in a frame never reaches this page): click the lesson's text to take
them back. Its JS and CSS are ui/static/lesson_browser.{js,css}.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import streamlit as st

from viz.player_core import player_code

VIEW_TITLE = "Lesson view"  # the embedded view's iframe title starts with this

_STATIC = Path(__file__).parent / "static"
_JS, _CSS = player_code(_STATIC / "lesson_browser.js", _STATIC / "lesson_browser.css")
_browser = st.components.v2.component("lesson_browser", js=_JS, css=_CSS)


def lesson_browser(on_move: Callable[[int], None], on_first: Callable[[], None]) -> None:
    """A ? button with the lesson's keys; call on_move(-1) on ArrowLeft, on_move(+1) on
    ArrowRight and on_first() on Home (as widget callbacks); keep the embedded views scrolled to
    their main visual."""

    def moved() -> None:
        value = st.session_state.get("lesson_browser")
        move = value.get("key") if isinstance(value, dict) else None
        if move in ("back", "next"):
            on_move(-1 if move == "back" else 1)
        elif move == "first":
            on_first()

    _browser(key="lesson_browser", data={"title": VIEW_TITLE}, on_key_change=moved)
