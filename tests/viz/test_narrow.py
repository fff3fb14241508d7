"""Narrow figures (viz.narrow): a phone's or a lesson pane's layout of a wide figure."""

import plotly.graph_objects as go
import pytest
from plotly.subplots import make_subplots

from viz.blocks import FONT_SIZE, projector_style
from viz.narrow import (
    CHAR_EM,
    LEGEND_LINE_EM,
    LEGEND_ROW_PX,
    LEGEND_SYMBOL_PX,
    MIN_PANEL_PX,
    TICK_PX,
    narrow_figure,
    wrap,
)
from viz.presenter import presenter_figure


def panels(n: int, titles: bool = True) -> go.Figure:
    fig = make_subplots(rows=1, cols=n,
                        subplot_titles=[f"panel {i} of the row" for i in range(n)] if titles
                        else None)
    for i in range(n):
        fig.add_trace(go.Scatter(x=[0, 1, 2], y=[i, 1, 0], name=f"series {i}"), row=1, col=i + 1)
        fig.update_xaxes(title_text="epoch", row=1, col=i + 1)
    fig.update_yaxes(title_text="loss", row=1, col=1)
    return projector_style(fig, "Three panels that a phone cannot show side by side")


def plot_px(layout: dict, axis: dict) -> float:
    margin = layout["margin"]
    low, high = axis["domain"]
    return (layout["height"] - margin["t"] - margin["b"]) * (high - low)


def test_wrap_breaks_at_spaces_into_lines_that_fit_and_keeps_breaks():
    assert wrap("one two three four", 9) == "one two<br>three<br>four"
    assert wrap("a<br>b c", 10) == "a<br>b c"
    assert wrap("unbreakable-long-word", 5) == "unbreakable-long-word"


def test_a_legend_that_does_not_fit_beside_the_title_gets_its_own_row_and_titles_shrink():
    fig = go.Figure([go.Bar(x=[0], y=[1], name="a"), go.Bar(x=[1], y=[2], name="b")])
    fig.update_xaxes(title_text="value")
    fig = projector_style(fig, "A title too long to share its row with the legend",
                          legend="beside title")
    top = fig.layout.margin.t
    layout = narrow_figure(fig, floor_px=12, width_px=420)["layout"]
    assert layout["legend"]["yref"] == "paper" and layout["legend"]["yanchor"] == "bottom"
    assert layout["margin"]["t"] >= top + LEGEND_ROW_PX
    assert layout["xaxis"]["title"]["font"]["size"] == pytest.approx(17 * 0.8)
    assert fig.layout.legend.yref == "container"  # the figure itself is unchanged


def test_a_legend_over_panels_with_titles_goes_under_the_plot():
    fig = make_subplots(rows=1, cols=2, subplot_titles=["raw", "min–max scaled to [0, 1]"])
    fig.add_trace(go.Bar(x=[0], y=[1], name="a"), row=1, col=1)
    fig.add_trace(go.Bar(x=[0], y=[1], name="b"), row=1, col=2)
    fig = projector_style(fig, "Two panels")  # the legend over the plot, right of the titles
    bottom = fig.layout.margin.b
    layout = narrow_figure(fig, floor_px=12, width_px=420)["layout"]
    legend = layout["legend"]
    assert legend["yref"] == "container" and legend["yanchor"] == "top"
    legend_px = legend["y"] * layout["height"]
    assert layout["margin"]["b"] >= bottom + legend_px  # its own room under the x axis
    assert [a["font"]["size"] for a in layout["annotations"]] == [12.8, 12.8]  # 16 × 0.8


def test_a_narrow_figure_never_goes_below_the_floor():
    scaled = presenter_figure(projector_style(go.Figure(go.Scatter(x=[0], y=[0])), "t"))
    narrow = narrow_figure(scaled, floor_px=16, width_px=420)
    assert narrow["layout"]["xaxis"]["title"]["font"]["size"] == pytest.approx(17 * 1.2 * 0.8)
    layout = narrow_figure(scaled, floor_px=19, width_px=420)["layout"]
    assert layout["yaxis"]["title"]["font"]["size"] == 19


def test_panels_too_narrow_for_a_phone_go_one_under_the_other_each_as_tall_as_before():
    fig = panels(3)
    wide = fig.to_plotly_json()["layout"]
    before = plot_px(wide, wide["yaxis"])
    layout = narrow_figure(fig, floor_px=12, width_px=340)["layout"]
    ys = [layout[f"yaxis{s}"]["domain"] for s in ("", "2", "3")]
    assert all(layout[f"xaxis{s}"]["domain"] == [0.0, 1.0] for s in ("", "2", "3"))
    assert ys[0][1] == 1 and ys[0][0] > ys[1][1] and ys[1][0] > ys[2][1] >= 0  # top to bottom
    assert [plot_px(layout, layout[f"yaxis{s}"]) for s in ("", "2", "3")] == pytest.approx(
        [before] * 3)
    titles = sorted(layout["annotations"], key=lambda a: -a["y"])
    assert [t["y"] for t in titles] == pytest.approx([y[1] for y in ys])  # over their panels
    assert all(layout[f"yaxis{s}"]["title"]["text"] == "loss" for s in ("", "2", "3"))


def test_panels_wide_enough_stay_side_by_side():
    fig = panels(2)
    wide_px = 2 * MIN_PANEL_PX / 0.45 + 200  # each panel wider than MIN_PANEL_PX
    layout = narrow_figure(fig, floor_px=12, width_px=wide_px)["layout"]
    assert layout["xaxis"]["domain"][1] < layout["xaxis2"]["domain"][0]
    assert layout["yaxis"]["domain"] == layout["yaxis2"]["domain"]


def test_titles_wrap_to_the_width_and_get_the_room_their_lines_take():
    fig = panels(1, titles=False)
    top = fig.layout.margin.t
    layout = narrow_figure(fig, floor_px=12, width_px=340)["layout"]
    lines = layout["title"]["text"].split("<br>")
    size = layout["title"]["font"]["size"]
    assert len(lines) > 1
    assert all(len(line) * CHAR_EM * size <= 340 - 10 for line in lines)
    assert layout["margin"]["t"] > top


def test_an_axis_keeps_a_tick_label_per_tick_px_but_every_category():
    fig = go.Figure(go.Scatter(x=list(range(12)), y=list(range(12))))
    fig.update_xaxes(tickvals=list(range(12)), ticktext=[str(i) for i in range(12)])
    layout = narrow_figure(projector_style(fig, "t"), floor_px=12, width_px=340)["layout"]
    most = (340 - 70 - 20) // TICK_PX
    assert len(layout["xaxis"]["tickvals"]) <= most
    assert layout["xaxis"]["ticktext"] == [str(v) for v in layout["xaxis"]["tickvals"]]
    bars = go.Figure(go.Bar(x=[f"word {i}" for i in range(8)], y=list(range(8))))
    layout = narrow_figure(projector_style(bars, "t"), floor_px=12, width_px=340)["layout"]
    assert "nticks" not in layout["xaxis"] and "tickvals" not in layout["xaxis"]


def test_a_legend_gets_the_rows_its_entries_take_at_this_width():
    fig = go.Figure([go.Scatter(x=[0], y=[i], name=f"Momentum, lr=0.05, dropout 0.{i}")
                     for i in range(4)])
    fig = projector_style(fig, "t")  # the legend over the plot, in one row when wide
    top, height = fig.layout.margin.t, fig.layout.height
    figure = narrow_figure(fig, floor_px=12, width_px=340)
    layout = figure["layout"]
    size = FONT_SIZE - 1
    plot_px = 340 - 70 - 20  # plotly wraps a legend at the plot's width
    names = [t["name"].split("<br>") for t in figure["data"]]
    assert all(LEGEND_SYMBOL_PX + CHAR_EM * size * len(line) <= plot_px
               for lines in names for line in lines)
    lines = sum(len(n) for n in names)  # one entry per row: each is wider than half the plot
    assert lines > 4
    assert layout["margin"]["t"] == pytest.approx(top + (lines - 1) * size * LEGEND_LINE_EM)
    assert layout["height"] == pytest.approx(height + (lines - 1) * size * LEGEND_LINE_EM)


def test_a_legend_that_fits_beside_a_short_title_stays_there():
    fig = go.Figure(go.Bar(x=[0], y=[1], name="a"))
    fig = projector_style(fig, "Short", legend="beside title")
    layout = narrow_figure(fig, floor_px=12, width_px=420)["layout"]
    assert layout["legend"]["yref"] == "container"
    assert layout["margin"]["t"] == fig.layout.margin.t


def test_a_figure_keeps_its_height_when_told_to_and_its_plot_gives_up_the_room():
    fig = panels(3)
    grown = narrow_figure(fig, floor_px=12, width_px=340)["layout"]
    kept = narrow_figure(fig, floor_px=12, width_px=340, keep_height=True)["layout"]
    assert grown["height"] > fig.layout.height
    assert kept["height"] == fig.layout.height
    assert kept["margin"] == grown["margin"] and kept["yaxis"]["domain"] == grown["yaxis"]["domain"]
