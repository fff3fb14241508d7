"""A page's state lives in its URL, so a link reproduces exactly what a teacher set up.

Each page model declares its state as `Param`s (page_models.url); a page calls `bind(params)`
before drawing widgets (each widget uses the param's name as its `key`), and `publish(params)`
after.
`bind` seeds st.session_state from the URL on the page's first run in a session; anything
unreadable or out of range in a URL falls back to the default (a hostile link cannot break a
widget). `publish` writes the current values back to the URL, leaving defaults out.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from urllib.parse import urlencode

import streamlit as st

from page_models.url import SHARED_PARAMS, Param, over_cap, to_query

__all__ = ["bind", "current", "explain_over_cap", "publish", "share_link", "url_query"]


def bind(params: Mapping[str, Param]) -> None:
    """Seed st.session_state[name] for each param not yet there: from the URL, else the default.

    A param already there is assigned again: Streamlit forgets the state of a widget left out of
    a run (another tab's, a hidden slider, another page's), and its value would then differ from
    what the page computes with. ui.nav.page_header binds the params every page carries."""
    for name, param in params.items():
        if name not in st.session_state:
            text = st.query_params.get(name)
            st.session_state[name] = param.default if text is None else param.parse(text)
        else:
            st.session_state[name] = st.session_state[name]


def explain_over_cap(params: Mapping[str, Param]) -> None:
    """Say which values of the link were above a cap (they fell back to their defaults)."""
    if over := over_cap(params, st.query_params.to_dict()):
        st.info(f"This link asks for more than the caps allow, so defaults are used instead: "
                f"{', '.join(over)}.", icon=":material/info:")


def current(params: Mapping[str, Param]) -> dict[str, Any]:
    """The params' current values (after `bind` and the widgets)."""
    return {name: st.session_state.get(name, param.default) for name, param in params.items()}


def url_query(params: Mapping[str, Param]) -> dict[str, str]:
    """The query string (as a dict) of the current values, defaults left out; the params every
    page carries included."""
    every = {**SHARED_PARAMS, **params}
    return to_query(every, current(every))


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
