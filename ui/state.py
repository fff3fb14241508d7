"""A page's state lives in its URL, so a link reproduces exactly what a teacher set up, and it
belongs to its page: one page's keys never reach another.

Each page model declares its state as `Param`s (page_models.url); a page calls `bind(params)`
before drawing widgets (each widget uses the param's name as its `key`), and `publish(params)`
at the end of every run. `keep(defaults)` declares the page's other state worth keeping (text
typed, points drawn, a toggle). `bind` and `keep` seed st.session_state where a name has no
value (the page's first run after it is entered, or a widget not drawn last run): from the URL,
else from what the page held, else the default. Anything unreadable or out of range in a URL
falls back to the default (a hostile link cannot break a widget). `publish` writes the current
values back to the URL, leaving defaults out, and puts them away for the page's next visit.

Ownership: `enter_page` (ui.nav.page_header calls it first thing on every page) removes every
key the last page (or Streamlit) left in st.session_state, so a page always starts from its own
state: a key another page used, with another meaning, cannot leak in or crash it. Only the params
every page carries (page_models.url.SHARED_PARAMS) and app-wide names (`APP_PREFIX`, e.g. the
author's draft lesson) cross pages. A link that opens a page replaces what the page held.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from urllib.parse import urlencode

import streamlit as st

from page_models.url import SHARED_PARAMS, Param, over_cap, rejected, to_query

__all__ = ["APP_PREFIX", "bind", "current", "enter_page", "explain_link", "keep",
           "publish", "share_link", "url_query"]

APP_PREFIX = "app."  # state names that cross pages (the draft lesson), beside SHARED_PARAMS
_PAGE = "app.page"  # the page that owns the session's state now
_OWNED = "app.owned"  # page -> the names it binds or keeps
_KEPT = "app.kept"  # page -> {name: value} of those names, as of its last run


def enter_page(page: str) -> None:
    """Make `page` the owner of the session's state (first thing on every page, ui.nav)."""
    state = st.session_state
    if state.get(_PAGE) == page:
        return
    for name in list(state.keys()):
        if not (name.startswith(APP_PREFIX) or name in SHARED_PARAMS):
            del state[name]
    state[_PAGE] = page
    state.setdefault(_OWNED, {}).setdefault(page, set())
    if any(name not in SHARED_PARAMS for name in st.query_params):  # a link: it is the truth
        state.setdefault(_KEPT, {}).pop(page, None)


def _kept() -> dict[str, Any]:
    """What the page held (as of its last run) for the names it binds or keeps."""
    state = st.session_state
    return state.setdefault(_KEPT, {}).setdefault(state.get(_PAGE), {})


def _seed(name: str, default: Any, parse=None) -> None:
    """Give `name` a value unless it has one: the link's, else what the page held, else
    `default`."""
    state = st.session_state
    state.setdefault(_OWNED, {}).setdefault(state.get(_PAGE), set()).add(name)
    if name in state:
        state[name] = state[name]  # kept alive while its widget is not drawn
    elif parse is not None and (text := st.query_params.get(name)) is not None:
        state[name] = parse(text)
    else:
        state[name] = _kept().get(name, default)


def bind(params: Mapping[str, Param]) -> None:
    """Seed st.session_state[name] for each param not yet there (see the module's docstring).

    A param already there is assigned again: Streamlit forgets the state of a widget left out of
    a run (another tab's, a hidden slider), and its value would then differ from what the page
    computes with. ui.nav.page_header binds the params every page carries."""
    for name, param in params.items():
        _seed(name, param.default, param.parse)


def keep(defaults: Mapping[str, Any]) -> None:
    """Declare state of this page that is not in its URL but must survive a tour of the other
    pages (a typed CSV, drawn points, a toggle): seeded like a param, without the URL."""
    for name, default in defaults.items():
        _seed(name, default)


def _remember() -> None:
    """Put the page's bound and kept values away (Streamlit forgets a widget's value as soon as
    its page, or the part of the page that draws it, is not shown)."""
    state = st.session_state
    owned = state.get(_OWNED, {}).get(state.get(_PAGE), ())
    _kept().update({name: state[name] for name in owned if name in state})


def explain_link(params: Mapping[str, Param]) -> None:
    """Say which values of the link were above a cap or could not be used (they fell back to
    their defaults)."""
    query = st.query_params.to_dict()
    if over := over_cap(params, query):
        st.info(f"This link asks for more than the caps allow, so defaults are used instead: "
                f"{', '.join(over)}.", icon=":material/info:")
    for reason in rejected(params, query):
        st.warning(f"This link's {reason} The default is used instead.",
                   icon=":material/link_off:")


def current(params: Mapping[str, Param]) -> dict[str, Any]:
    """The params' current values (after `bind` and the widgets; a param whose widget is not
    drawn has the value the page keeps for it)."""
    state, kept = st.session_state, _kept()
    return {name: state[name] if name in state else kept.get(name, param.default)
            for name, param in params.items()}


def url_query(params: Mapping[str, Param]) -> dict[str, str]:
    """The query string (as a dict) of the current values, defaults left out; the params every
    page carries included."""
    every = {**SHARED_PARAMS, **params}
    return to_query(every, current(every))


def publish(params: Mapping[str, Param]) -> None:
    """Write the current values to the URL, replacing what was there, and keep every value the
    page binds or keeps for its next visit (call it at the end of every run)."""
    _remember()
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
