"""A list of optimizers to edit: each one's registry entry, knobs and schedule; add and remove.

The list lives in st.session_state[prefix] as URL text (page_models.optimizers.format_choices),
so it is bound to the address bar like any other param; the widgets are derived from it
(page_models.optimizer_lab.picker_state) and read back into it (read_picker) on every run.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping

import streamlit as st

from page_models.optimizer_lab import (
    optimizer_names,
    picker_state,
    read_picker,
    schedule_names,
)
from page_models.optimizers import (
    MAX_CHOSEN,
    OPTIMIZERS,
    SCHEDULES,
    Knob,
    OptimizerChoice,
    format_choices,
    parse_choices,
)

Default = Callable[[str], OptimizerChoice]


def _shown(prefix: str) -> list[OptimizerChoice]:
    return parse_choices(st.session_state[prefix])


def _store(prefix: str, choices: list[OptimizerChoice]) -> None:
    st.session_state[prefix] = format_choices(choices)


def _changed(prefix: str, default_for: Default) -> None:
    """A slot switched optimizer or schedule: rebuild the list so its widgets start afresh."""
    _store(prefix, read_picker(prefix, st.session_state, _shown(prefix), default_for))


def _remove(prefix: str, i: int) -> None:
    choices = _shown(prefix)
    _store(prefix, choices[:i] + choices[i + 1:])


def _add(prefix: str, default_for: Default) -> None:
    _store(prefix, [*_shown(prefix), default_for(st.session_state[f"{prefix}_add"])])


def _knob(knob: Knob, key: str) -> None:
    if knob.integer:
        st.number_input(knob.label, int(knob.lo), int(knob.hi), step=1, key=key)
    elif knob.log:
        options = sorted({*knob.values(), st.session_state[key]})
        st.select_slider(knob.label, options, format_func="{:g}".format, key=key)
    else:
        decimals = max(0, -math.floor(math.log10(knob.step)))
        st.slider(knob.label, knob.lo, knob.hi, step=knob.step, format=f"%.{decimals}f", key=key)


def optimizer_picker(prefix: str, default_for: Default,
                     fixed: Mapping[str, Mapping[str, float]] | None = None,
                     single: bool = False) -> None:
    """Draw the list in st.session_state[prefix] (a bound param, so readable: its Param's
    check turned an unreadable link into the default) and write back what the widgets say.

    default_for(key): a new or switched slot's settings; fixed: registry key -> knob values
    imposed from outside (shown as text instead of sliders); single: exactly one optimizer (no
    add or remove).
    """
    shown = _shown(prefix)
    widgets = picker_state(prefix, shown)  # what the list's text says each widget holds
    if st.session_state.get(f"{prefix}_synced") == st.session_state[prefix]:
        # the widgets hold the user's values; only those not drawn last run (another view's)
        # were forgotten by Streamlit
        widgets = {key: value for key, value in widgets.items() if key not in st.session_state}
    st.session_state.update(widgets)
    names, schedules = optimizer_names(), schedule_names()
    for i, choice in enumerate(shown):
        slot = f"{prefix}{i}_"
        with st.container(border=True):
            st.selectbox("Optimizer", list(names), format_func=names.get, key=slot + "key",
                         on_change=_changed, args=(prefix, default_for),
                         label_visibility="collapsed", help=choice.entry.about)
            imposed = (fixed or {}).get(choice.key, {})
            for knob in choice.entry.knobs:
                if knob.name in imposed:
                    st.caption(f"{knob.label} = {imposed[knob.name]:.4g} (optimal)")
                else:
                    _knob(knob, slot + knob.name)
            st.selectbox("Learning-rate schedule", list(schedules), format_func=schedules.get,
                         key=slot + "schedule", on_change=_changed, args=(prefix, default_for),
                         help=SCHEDULES[choice.schedule.key].about if choice.schedule else None)
            if choice.schedule:
                for knob in SCHEDULES[choice.schedule.key].knobs:
                    _knob(knob, slot + "s_" + knob.name)
            if not single:
                st.button(f"Remove {choice.label}", key=slot + "remove", on_click=_remove,
                          args=(prefix, i), icon=":material/close:", type="tertiary")
    if len(shown) < MAX_CHOSEN and not single:
        left, right = st.columns([3, 2], vertical_alignment="bottom")
        left.selectbox("Add an optimizer", list(OPTIMIZERS), format_func=names.get,
                       key=f"{prefix}_add")
        right.button("Add", key=f"{prefix}_add_button", on_click=_add,
                     args=(prefix, default_for), icon=":material/add:", width="stretch")
    _store(prefix, read_picker(prefix, st.session_state, shown, default_for))
    st.session_state[f"{prefix}_synced"] = st.session_state[prefix]
