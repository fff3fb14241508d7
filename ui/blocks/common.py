"""What every Building Blocks recipe uses: its section's values, the main visual, formulas."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import streamlit as st

from page_models.building_blocks import SECTIONS, Section
from page_models.building_blocks.section import SEED_MAX
from ui import charts
from ui.state import current

CACHE_ENTRIES = 64  # results of shared sections kept at once (each is a few kB)
CACHE_SECONDS = 300  # and for how long: a timing is redone at most every five minutes


def state(name: str) -> Any:
    return st.session_state[name]


def answer_hidden() -> bool:
    """A lesson's open question asks for numbers this view would show (?hide=1): leave them out
    until the answer is revealed (the lesson then reloads the view without it)."""
    if not st.session_state.get("hide"):
        return False
    st.caption("The numbers the lesson's question asks for are hidden until you reveal the "
               "answer.")
    return True


def keep_index_below(name: str, size: int) -> None:
    """Reset an index param that no longer fits (e.g. a class removed from the scores)."""
    if not 0 <= state(name) < size:
        st.session_state[name] = 0


@st.cache_data(max_entries=CACHE_ENTRIES, ttl=CACHE_SECONDS, show_spinner="Computing…")
def _shared_result(key: str, items: tuple[tuple[str, Any], ...]) -> Any:
    return SECTIONS[key].compute(dict(items))


def compute(section: Section) -> Any:
    """What the section shows for the current widget values (cached if the section is shared:
    a class opening one link computes, or times, it once)."""
    values = current(section.params)
    if section.shared:
        return _shared_result(section.key, tuple(sorted(values.items())))
    return section.compute(values)


@contextmanager
def main_visual() -> Iterator[None]:
    """The section's chart: the one thing that must be on the first 1280×720 screen."""
    with st.container(key="main-visual"):
        yield


def seed_input(where, key: str, label: str = "Seed") -> None:
    where.number_input(label, 0, SEED_MAX, step=1, key=key)


def chart(fig, where=st) -> None:
    charts.chart(fig, where, width="stretch", config={"displaylogo": False})


def explain(formulas: list[str], text: str) -> None:
    """The formulas on the left, the plain sentences on the right."""
    left, right = st.columns([1, 1], gap="large")
    with left:
        for formula in formulas:
            st.latex(formula)
    right.markdown(text)


def metrics(pairs: list[tuple[str, str]] | list[tuple[str, str, str]]) -> None:
    """A row of st.metric: (label, value) or (label, value, help)."""
    for column, (label, value, *help_text) in zip(st.columns(len(pairs)), pairs):
        column.metric(label, value, help=help_text[0] if help_text else None)
