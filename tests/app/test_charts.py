"""ui.charts: a shared figure is laid out and converted once per view, for every session."""

import json
import threading

import plotly.graph_objects as go
import plotly.io

from ui import charts
from ui.widths import ChartWidth

WIDE = ChartWidth("bpchart-0-0", None, False)


def figure() -> go.Figure:
    return go.Figure(go.Scatter(x=[0, 1, 2], y=[3.0, 1.0, 2.0], name="loss"),
                     layout={"title": {"text": "Training loss"}, "height": 320})


def spec(fig: go.Figure | dict) -> dict:
    """What st.plotly_chart sends: plotly.io.to_json of the figure's to_dict() (a dict is
    validated as a figure first)."""
    return json.loads(plotly.io.to_json(go.Figure(fig).to_dict() if isinstance(fig, dict)
                                        else fig.to_dict(), validate=False))


def test_a_shared_figure_is_converted_once_per_view_and_drawn_as_it_would_be_unshared():
    fig = charts.shared(figure())
    narrow = ChartWidth("bpchart-0-300", 300, True)
    for present, width in [(False, WIDE), (True, WIDE), (False, narrow)]:
        text, drawn = charts._view(fig, present, width)
        again_text, again = charts._view(fig, present, width)
        assert again is drawn and again.to_dict() is drawn.to_dict() and again_text == text
        plain_text, plain = charts._view(figure(), present, width)
        assert spec(drawn) == spec(plain) and text == plain_text
    assert len({id(view[1]) for view in fig._bp_views.values()}) == 3


def test_a_shared_figure_keeps_only_its_newest_views():
    fig = charts.shared(figure())
    for px in range(200, 200 + 20 * (charts.MAX_VIEWS + 3), 20):
        charts._view(fig, False, ChartWidth(f"bpchart-0-{px}", px, False))
    kept = [px for _, px, _ in fig._bp_views]
    assert kept == list(range(200 + 20 * 3, 200 + 20 * (charts.MAX_VIEWS + 3), 20))


def test_a_figure_that_is_not_shared_is_laid_out_on_every_run():
    fig = figure()
    assert charts._view(fig, True, WIDE)[1] is not charts._view(fig, True, WIDE)[1]
    assert charts._view(fig, False, WIDE)[1] is fig  # drawn as it is
    assert not hasattr(fig, "_bp_views")


def test_sessions_drawing_one_shared_figure_at_once_never_see_it_half_copied():
    from viz.chart_text import chart_text

    fig = charts.shared(go.Figure([go.Scatter(x=list(range(50)), y=[i * i for i in range(50)],
                                              name=f"run {k}") for k in range(6)]))
    start, errors = threading.Barrier(6), []

    def session(i: int):
        start.wait()
        try:
            for _ in range(30):
                charts._Converted(fig)  # what a new view of it converts (as it is: wide)
                chart_text(fig)
                charts._view(fig, i % 2 == 0, ChartWidth("bpchart-0-0", None, False))
        except Exception as error:  # noqa: BLE001 (any exception fails the test)
            errors.append(repr(error))

    threads = [threading.Thread(target=session, args=(i,)) for i in range(6)]
    [thread.start() for thread in threads]
    [thread.join() for thread in threads]
    assert errors == []
