"""The "Your data" panel: built-in data, a pasted or uploaded CSV, points drawn by clicking on a
chart, or a formula dataset y > f(x) (page_models.own_data does the work).

    data = your_data(builtin)        # the page's built-in Dataset -> the Dataset to train on
    publish({**PARAMS, **own_data.PARAMS})

your_data binds its own state (page_models.own_data.PARAMS; pass them to publish and share_link
too). Nothing typed or drawn is lost: each page's panel keeps its values for the whole session,
also across a tour of the other pages (ui.state.keep); a small dataset travels in the link
(my_points); a larger CSV is offered for download.
"""

from __future__ import annotations

import streamlit as st

from engine.data import MIN_SAMPLES, Dataset
from engine.errors import ExprError, PlaygroundError
from page_models.limits import MAX_CSV_CHARS, MAX_LINK_POINTS, MAX_OWN_POINTS
from page_models.own_data import (
    PARAMS,
    SOURCES,
    add_point,
    check_trainable,
    empty,
    formula_dataset,
    formula_line,
    from_csv,
    from_link,
    on_link_grid,
    remove_nearest,
    to_csv,
    to_link,
)
from ui.charts import chart
from ui.errors import show_user_error
from ui.expr_error import show_expr_error
from ui.state import bind, keep
from viz.data_canvas import data_canvas

__all__ = ["your_data"]

_DRAWN = "my_drawn"  # to_link text of the drawn points
_VERSION = "my_draw_version"  # part of the drawing chart's key: a new chart after each click
_ERROR = "my_data_error"  # a message from a callback, shown on the next run
_DRAW_CLASSES = 4  # classes offered when drawing
_REMOVE = "remove"


def your_data(builtin: Dataset) -> Dataset | None:
    """Draw the panel; return the dataset to train on (`builtin` unless the visitor chose their
    own), or None when their data cannot be trained on yet (the panel says why)."""
    _restore(builtin)
    source = st.session_state["my_data"]
    with st.expander("Your data", icon=":material/dataset:", expanded=source != "builtin"):
        st.segmented_control("Data", list(SOURCES), format_func=SOURCES.get, key="my_data",
                             required=True)
        source = st.session_state["my_data"]
        if message := st.session_state.pop(_ERROR, None):
            st.error(message, icon=":material/error:")
        data = {"builtin": lambda: builtin, "csv": _csv, "draw": lambda: _draw(builtin),
                "formula": _formula}[source]()
    if source != "csv":  # the CSV panel sets the link's data itself
        st.session_state["my_points"] = st.session_state[_DRAWN] if source == "draw" else ""
    return data


def _restore(builtin: Dataset) -> None:
    """Seed the panel's state (ui.state): its params from the link, what the page held when the
    visitor left it, or the defaults; what was typed or drawn is kept across a tour too."""
    bind(PARAMS)
    state = st.session_state
    linked, source = state["my_points"], state["my_data"]
    first_run = "my_csv_text" not in state  # of this visit: read a linked CSV once
    keep({"my_csv_text": _linked_csv(linked) if first_run and source == "csv" else "",
          "my_draw_mode": 0 if builtin.task == "classification" else "add",
          _DRAWN: linked if source == "draw" else "",
          _VERSION: 0})


def _linked_csv(text: str) -> str:
    try:
        return to_csv(from_link(text, "csv")) if text else ""
    except PlaygroundError as err:
        st.session_state[_ERROR] = str(err)
        return ""


def _usable(data: Dataset) -> Dataset | None:
    """The data, or None with the reason shown if a network cannot train on it yet."""
    try:
        check_trainable(data)
    except PlaygroundError as err:
        show_user_error(err)
        return None
    return data


# ---- CSV -----------------------------------------------------------------------------------
def _csv() -> Dataset | None:
    st.file_uploader("Upload a CSV file", type=["csv", "txt"], key="my_csv_file",
                     on_change=_uploaded, max_upload_size=1)
    text = st.text_area("…or paste it here", key="my_csv_text", height=140,
                        placeholder="x1,x2,class\n0.5,-1.2,0\n-0.3,0.8,1\n…")
    st.session_state["my_points"] = ""
    st.caption("Each row: x1, x2, class (a whole number or a word) to classify, or x, y for "
               f"regression. A header row is optional. Up to {MAX_OWN_POINTS:,} points.")
    if not text.strip():
        st.info(f"Paste or upload a CSV. A share link carries up to {MAX_LINK_POINTS} points; "
                "larger data travels as a CSV file.", icon=":material/info:")
        return None
    try:
        data, labels = from_csv(text)
    except PlaygroundError as err:
        show_user_error(err)
        return None
    if len(data) <= MAX_LINK_POINTS:
        data = on_link_grid(data)
        st.session_state["my_points"] = to_link(data)
    else:
        st.info(f"The share link cannot carry these {len(data):,} points (it carries up to "
                f"{MAX_LINK_POINTS}): share the CSV file instead.", icon=":material/link_off:")
        st.download_button("Download the data as CSV", to_csv(data), "data.csv", "text/csv",
                           on_click="ignore", icon=":material/download:")
    renamed = any(label != str(i) for i, label in enumerate(labels))
    classes = ", ".join(f"{i} = {label}" for i, label in enumerate(labels)) if renamed else ""
    st.caption(f"{len(data):,} points, {data.task}" + (f"; classes {classes}" if classes else ""))
    chart(data_canvas(data, clickable=False, height=320), key="my_csv_chart")
    return _usable(data)


def _uploaded() -> None:
    file = st.session_state.get("my_csv_file")
    if file is None:
        return
    if file.size > 4 * MAX_CSV_CHARS:
        st.session_state[_ERROR] = (f"The file has {file.size:,} bytes; a CSV here has at most "
                                    f"{MAX_CSV_CHARS:,} characters.")
        return
    try:
        st.session_state["my_csv_text"] = file.getvalue().decode("utf-8-sig")
    except UnicodeDecodeError:
        st.session_state[_ERROR] = "The file is not UTF-8 text: save it as a CSV (UTF-8)."


# ---- drawing -------------------------------------------------------------------------------
def _draw(builtin: Dataset) -> Dataset | None:
    data = _drawn(builtin)
    left, right = st.columns(2)
    left.button("Start empty", on_click=_start, args=(empty(builtin.task),),
                icon=":material/restart_alt:", width="stretch")
    right.button("Start from the built-in data", on_click=_start, args=(builtin,),
                 icon=":material/scatter_plot:", width="stretch")
    modes = [*range(_DRAW_CLASSES), _REMOVE] if data.task == "classification" else [
        "add", _REMOVE]
    if st.session_state["my_draw_mode"] not in modes:
        st.session_state["my_draw_mode"] = modes[0]
    st.segmented_control("Click on the chart to", modes, key="my_draw_mode", required=True,
                         format_func=lambda m: m if isinstance(m, str) else f"add class {m}")
    key = f"my_draw_chart_{st.session_state[_VERSION]}"
    chart(data_canvas(data, clickable=True, height=380), key=key,
          on_select=lambda: _clicked(key, builtin), selection_mode="points",
          config={"displayModeBar": False})
    st.caption(f"{len(data)} point{'' if len(data) == 1 else 's'} (up to {MAX_LINK_POINTS}; "
               f"a network needs at least "
               f"{MIN_SAMPLES}). Click to add a point, or choose remove and click near one.")
    return _usable(data)


def _drawn(builtin: Dataset) -> Dataset:
    text = st.session_state[_DRAWN]
    try:
        return from_link(text, "drawn") if text else empty(builtin.task)
    except PlaygroundError as err:
        show_user_error(err)
        st.session_state[_DRAWN] = ""
        return empty(builtin.task)


def _start(data: Dataset) -> None:
    if len(data) > MAX_LINK_POINTS:
        st.session_state[_ERROR] = (
            f"Drawing starts from at most {MAX_LINK_POINTS} points (the share link carries "
            f"them); the built-in data has {len(data):,}. Lower its number of points.")
        return
    _keep(data)


def _clicked(key: str, builtin: Dataset) -> None:
    """A click on the drawing chart: add a point there, or remove the one nearest to it."""
    event = st.session_state.get(key)
    points = event.selection.points if event is not None else []
    if not points:
        return
    x, y = float(points[0]["x"]), float(points[0]["y"])
    data, mode = _drawn(builtin), st.session_state["my_draw_mode"]
    try:
        if mode == _REMOVE:
            _keep(remove_nearest(data, x, y))
        else:
            _keep(add_point(data, x, y, mode if isinstance(mode, int) else 0))
    except PlaygroundError as err:
        st.session_state[_ERROR] = str(err)
    st.session_state[_VERSION] += 1  # a fresh chart, without the selection just handled


def _keep(data: Dataset) -> None:
    st.session_state[_DRAWN] = to_link(data)


# ---- formula -------------------------------------------------------------------------------
def _formula() -> Dataset | None:
    st.text_input("Class 1 above the curve x2 = f(x1), with f(x) =", key="my_fx",
                  help="Any expression of x in the expression language: 0.5 * x**2 - 1, "
                       "sin(3 * x), abs(x) - 1 …")
    n, noise, seed = st.columns(3)
    n.number_input("Points", MIN_SAMPLES, MAX_OWN_POINTS, step=50, key="my_fx_n")
    noise.number_input("Noise", 0.0, 1.0, step=0.05, key="my_fx_noise")
    seed.number_input("Seed", 0, PARAMS["my_fx_seed"].hi, step=1, key="my_fx_seed")
    state = st.session_state
    try:
        data = formula_dataset(state["my_fx"], int(state["my_fx_n"]),
                               float(state["my_fx_noise"]), int(state["my_fx_seed"]))
    except ExprError as err:
        show_expr_error(err, state["my_fx"], where="f(x)")
        return None
    except PlaygroundError as err:
        show_user_error(err)
        return None
    chart(data_canvas(data, clickable=False, height=320, curve=formula_line(state["my_fx"])),
          key="my_fx_chart")
    return data
