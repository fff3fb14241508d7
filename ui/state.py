"""A page's state lives in its URL, so a link reproduces exactly what a teacher set up.

Each page declares its state as `Param`s (default and allowed values), calls `bind(params)` before
drawing widgets (each widget uses the param's name as its `key`), and `publish(params)` after.
`bind` seeds st.session_state from the URL on the page's first run in a session; anything
unreadable or out of range in a URL falls back to the default (a hostile link cannot break a
widget). `publish` writes the current values back to the URL, leaving defaults out.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

import streamlit as st


@dataclass(frozen=True)
class Param:
    """One piece of page state: its default, and optionally its range or its choices.

    The default's type is the param's type: str, bool, int, float, or a tuple of ints/floats.
    """

    default: Any
    lo: float | None = None
    hi: float | None = None
    choices: Sequence[Any] | None = None
    max_len: int = 4000  # strings and tuples longer than this fall back to the default

    def parse(self, text: str) -> Any:
        """The value `text` stands for, or the default if it is unreadable or out of range."""
        try:
            value = _decode(text, self.default)
        except (ValueError, TypeError):
            return self.default
        return value if self.allows(value) else self.default

    def allows(self, value: Any) -> bool:
        if self.choices is not None:
            return value in self.choices
        if isinstance(value, str | tuple) and len(value) > self.max_len:
            return False
        items = value if isinstance(value, tuple) else (value,)
        for item in items:
            if isinstance(item, bool) or not isinstance(item, int | float):
                continue
            if item != item or (self.lo is not None and item < self.lo):
                return False
            if self.hi is not None and item > self.hi:
                return False
        return True


def _decode(text: str, default: Any) -> Any:
    if isinstance(default, bool):
        if text not in ("0", "1", "true", "false"):
            raise ValueError(text)
        return text in ("1", "true")
    if isinstance(default, int):
        return int(text)
    if isinstance(default, float):
        return float(text)
    if isinstance(default, tuple):
        kind = type(default[0]) if default else int
        return tuple(kind(part) for part in text.split(",") if part.strip()) if text else ()
    return text


def encode(value: Any) -> str:
    """The URL text of a value (the inverse of Param.parse)."""
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, tuple | list):
        return ",".join(encode(v) for v in value)
    if isinstance(value, float):
        return repr(value)
    return str(value)


def bind(params: Mapping[str, Param]) -> None:
    """Seed st.session_state[name] for each param not yet there: from the URL, else the default."""
    for name, param in params.items():
        if name not in st.session_state:
            text = st.query_params.get(name)
            st.session_state[name] = param.default if text is None else param.parse(text)


def over_cap(params: Mapping[str, Param]) -> list[str]:
    """"epochs=5000 (at most 500)" for each URL value (or list entry) above its param's maximum."""
    over = []
    for name, param in params.items():
        text = st.query_params.get(name)
        if param.hi is None or text is None:
            continue
        try:
            numbers = [float(part) for part in text.split(",") if part.strip()]
        except ValueError:
            continue
        if any(number > param.hi for number in numbers):
            over.append(f"{name}={text[:12]} (at most {param.hi:g})")
    return over


def explain_over_cap(params: Mapping[str, Param]) -> None:
    """Say which values of the link were above a cap (they fell back to their defaults)."""
    if over := over_cap(params):
        st.info(f"This link asks for more than the caps allow, so defaults are used instead: "
                f"{', '.join(over)}.", icon=":material/info:")


def current(params: Mapping[str, Param]) -> dict[str, Any]:
    """The params' current values (after `bind` and the widgets)."""
    return {name: st.session_state.get(name, param.default) for name, param in params.items()}


def url_query(params: Mapping[str, Param]) -> dict[str, str]:
    """The query string (as a dict) of the current values, defaults left out."""
    return {
        name: encode(value)
        for name, value in current(params).items()
        if value != params[name].default
    }


def publish(params: Mapping[str, Param]) -> None:
    """Write the current values to the URL, replacing what was there."""
    query = url_query(params)
    if dict(st.query_params) != query:
        st.query_params.from_dict(query)


def share_link(params: Mapping[str, Param], label: str = "Share this view") -> str:
    """Show the full link to this view (with a copy button) and return it."""
    query = urlencode(url_query(params))
    base = st.context.url or ""
    link = f"{base}?{query}" if query else base
    with st.popover(label, icon=":material/link:"):
        st.caption("Anyone who opens this link sees exactly this view.")
        st.code(link or "(the link appears when the app runs in a browser)", language=None)
    return link
