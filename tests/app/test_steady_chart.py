"""ui.steady_chart: a live chart is double-buffered, so the previous picture is never remounted."""

import json

from streamlit.testing.v1 import AppTest


def live_script():
    import plotly.graph_objects as go
    import streamlit as st

    from ui.steady_chart import steady_plotly_chart

    st.session_state.updates = st.session_state.get("updates", 0) + 1
    figure = go.Figure(go.Scatter(y=list(range(st.session_state.updates + 1))))
    steady_plotly_chart("live", figure)


def slots(at: AppTest) -> list[tuple[str, int]]:
    """(element id, number of points) of each slot's chart."""
    return [(c.proto.id, len(json.loads(c.proto.spec)["data"][0]["y"]))
            for c in at.get("plotly_chart")]


def test_each_update_fills_one_slot_and_resends_the_other_unchanged():
    at = AppTest.from_function(live_script)
    at.run()
    assert [points for _, points in slots(at)] == [2]
    at.run()
    second = slots(at)
    assert [points for _, points in second] == [3, 2]
    at.run()
    third = slots(at)
    assert [points for _, points in third] == [3, 4]
    assert third[0] == second[0]  # the previous figure: same element id, so no remount
    assert not at.exception
