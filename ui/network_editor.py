"""The Network Builder's network widgets: one row per hidden layer, and the input features.

Their values live in st.session_state under the page's URL param names ("net", "features"), so
the URL follows every edit (page_models.network_builder.PARAMS)."""

from __future__ import annotations

import streamlit as st

from engine.limits import MAX_HIDDEN_LAYERS, MAX_WIDTH
from engine.nn import ACTIVATIONS, MLPSpec
from page_models import network_builder as nb
from page_models.features import FEATURES, available_features
from ui.clicks import once

__all__ = ["edited_network", "feature_picker", "layer_editor"]

_ROW_KEYS = ("nb_w", "nb_a", "nb_d")  # width, activation, dropout p of row i: f"{key}{i}"


def _forget_layer_widgets() -> None:
    state = st.session_state
    for key in [k for k in state if str(k).startswith(_ROW_KEYS)]:
        del state[key]


def _edit_network(change, *args) -> None:
    state = st.session_state
    state.net = change(MLPSpec.from_text(state.net), *args).to_text()
    _forget_layer_widgets()


def edited_network(spec: MLPSpec) -> MLPSpec:
    """The network with this run's edits of the layer widgets (drawn later, below its name)."""
    state = st.session_state
    for i, values in enumerate(nb.editor_values(spec)):
        for key, value in zip(_ROW_KEYS, values):
            state.setdefault(f"{key}{i}", value)
    n = len(spec.hidden)
    return nb.set_layers(spec, *([state[f"{key}{i}"] for i in range(n)] for key in _ROW_KEYS))


def layer_editor(spec: MLPSpec) -> None:
    """One row of widgets per hidden layer, a remove button each, and "Add layer"."""
    ratios = [0.8, 1.0, 1.2, 1.0, 0.4, 1.6]
    for i in range(len(spec.hidden)):
        row = st.columns(ratios, vertical_alignment="center")
        row[0].markdown(f"**Hidden {i + 1}**")
        row[1].number_input("neurons", min_value=1, max_value=MAX_WIDTH, step=1,
                            key=f"nb_w{i}", label_visibility="collapsed")
        row[2].selectbox("activation", list(ACTIVATIONS), key=f"nb_a{i}",
                         label_visibility="collapsed")
        row[3].selectbox("dropout p", nb.DROPOUT_PS, key=f"nb_d{i}",
                         label_visibility="collapsed", format_func=lambda p: f"dropout {p:g}")
        row[4].button("", key=f"nb_remove{i}", **once(_edit_network, nb.remove_layer, i),
                      icon=":material/close:", help=f"Remove hidden layer {i + 1}")
    st.button("Add layer", **once(_edit_network, nb.add_layer), icon=":material/add:",
              disabled=len(spec.hidden) >= MAX_HIDDEN_LAYERS)
    for note in nb.editor_notes(spec):
        st.caption(note)


def feature_picker(n_inputs: int) -> None:
    """The input features a dataset with `n_inputs` raw columns can feed (at least one)."""
    state = st.session_state
    options = available_features(n_inputs)
    if any(k not in options for k in state.get("nb_features") or [None]):
        state.nb_features = [k for k in state.features if k in options] or options[:1]
    st.pills("Input features", options, selection_mode="multi", key="nb_features",
             format_func=lambda k: FEATURES[k].label)
    state.features = tuple(k for k in options if k in state.nb_features) or (options[0],)
