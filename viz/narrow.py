"""A figure for a narrow column: a phone's (about 340 px), a lesson pane's (about 420 px) or a
page's column narrower than the figure was laid out for (ui.widths tells the width).

The figures are laid out for a wide column; plotly keeps their layout as the column narrows, so
side-by-side panels get squeezed, long titles are cut off and tick labels run into each other.
`narrow_figure` redoes the layout for the column's width: panels too narrow to read go one under
the other, each as tall as before; titles wrap; axes show fewer ticks; a legend gets the rows it
needs. The texts' sizes never go below the text floor."""

from __future__ import annotations

import math
from collections.abc import Iterable

import plotly.graph_objects as go

NARROW_SCALE = 0.8  # subplot and axis titles in a narrow column
LEGEND_ROW_PX = 30  # the top margin a legend moved into its own row needs
CHAR_EM = 0.56  # a character's mean width in the app's sans-serif font, in em (a little generous)
LINE_EM = 1.35  # a line of a wrapped title, in em
TICK_PX = 60  # the width one tick label needs, its space included
LEGEND_SYMBOL_PX = 46  # a legend entry's symbol and spaces
LEGEND_LINE_EM = 2.0  # a row of a horizontal legend, in em (plotly draws 1.5–2.2)
LEGEND_PAD_PX = 12  # a legend's padding, above and below its rows
MIN_PANEL_PX = 170  # side-by-side panels narrower than this go one under the other
SHRINK_BELOW_PX = 500  # in a column narrower than this subplot and axis titles shrink
TITLE_GAP_PX = 12  # under a wrapped title, for the plot's top tick label
TITLE_PAD_PX = 12  # a wrapped title's room above it (viz.blocks.projector_style's)
TITLE_SCALE = 1.4  # plotly's figure title without a font size: the layout's font times this
PLOTLY_MARGIN = {"t": 100, "b": 80, "l": 80, "r": 80}  # plotly's defaults
PLOTLY_HEIGHT = 450


def narrow_figure(fig: go.Figure | dict, floor_px: float, width_px: float,
                  keep_height: bool = False) -> dict:
    """The figure as plotly JSON (a copy if `fig` is a Figure; a dict is changed in place) for a
    column `width_px` wide: a legend in the title's row (viz.blocks.projector_style's "beside
    title") that does not fit there gets its own row under the title; below SHRINK_BELOW_PX
    subplot and axis titles shrink by NARROW_SCALE, never below `floor_px`; a row of panels
    narrower than MIN_PANEL_PX becomes a column of panels; then titles and legend names wrap
    to their width, axes keep a tick label per TICK_PX, and a legend gets its rows. The figure
    grows by the room all that takes, unless `keep_height` (a page laid out to fit a screen):
    then the plot gives it up."""
    figure = fig.to_plotly_json() if isinstance(fig, go.Figure) else fig
    layout = figure["layout"]
    margin = layout.setdefault("margin", {})
    for side, size in PLOTLY_MARGIN.items():
        margin.setdefault(side, size)
    height = layout.setdefault("height", PLOTLY_HEIGHT)
    _legend_own_row(figure, width_px)
    if width_px < SHRINK_BELOW_PX:
        _shrink_titles(layout, floor_px)
    panels = _panels_in_a_row(layout)
    plot_px = width_px - margin["l"] - margin["r"]
    if len(panels) > 1 and min(_span(layout[x]) for x, _ in panels) * plot_px < MIN_PANEL_PX:
        _stack(layout, panels)
    _wrap_titles(layout, width_px)
    _thin_ticks(figure, plot_px)
    legend_px = _legend_rows(figure, width_px)
    under = legend_px > 0 and _legend_room(layout, legend_px)
    if keep_height:
        layout["height"] = height
    if under:
        _place_under(layout, legend_px)
    return figure


def wrap(text: str, chars: int) -> str:
    """`text` broken into lines (plotly's <br>) of at most `chars` characters where it has
    spaces; a line already broken stays broken."""
    lines = []
    for part in text.split("<br>"):
        line = ""
        for word in part.split(" "):
            if line and len(line) + 1 + len(word) > chars:
                lines.append(line)
                line = word
            else:
                line = f"{line} {word}" if line else word
        lines.append(line)
    return "<br>".join(lines)


def _legend_own_row(figure: dict, width_px: float) -> None:
    """A legend in the title's row that does not fit beside the title moves under it."""
    layout = figure["layout"]
    legend = layout.get("legend", {})
    if legend.get("yref") != "container" or legend.get("y") != 1:
        return
    title = layout.get("title") if isinstance(layout.get("title"), dict) else {}
    title_px = CHAR_EM * _font_size(layout, title, TITLE_SCALE) * len(title.get("text", ""))
    size = _font_size(layout, legend)
    entries_px = sum(_entry_px(trace["name"], size) for trace in _legend_entries(figure))
    if title_px + entries_px + 20 > width_px:
        legend.update(yref="paper", y=1.02, yanchor="bottom")
        if not _subplot_titles(layout):  # else it goes under the plot (_legend_room)
            layout["margin"]["t"] += LEGEND_ROW_PX
            layout["height"] += LEGEND_ROW_PX


def _legend_entries(figure: dict) -> list[dict]:
    return [t for t in figure.get("data", [])
            if t.get("showlegend", True) is not False and t.get("name")]


def _entry_px(name: str, size: float) -> float:
    return LEGEND_SYMBOL_PX + CHAR_EM * size * max(map(len, name.split("<br>")))


def _font_size(layout: dict, props: dict, scale: float = 1.0) -> float:
    """The font size of a text with these props: its own, else the layout's times `scale`
    (plotly draws a figure's title 1.4× the layout's font)."""
    own = props.get("font", {}).get("size")
    return own or round(layout.get("font", {}).get("size", 12) * scale)


def _subplot_titles(layout: dict) -> list[dict]:
    return [a for a in layout.get("annotations", [])
            if a.get("yref") == "paper" and a.get("yanchor") == "bottom"
            and a.get("xref") == "paper" and a.get("showarrow") is False]


def _axes(layout: dict, letter: str) -> Iterable[tuple[str, dict]]:
    return ((name, axis) for name, axis in layout.items()
            if name.startswith(f"{letter}axis") and isinstance(axis, dict))


def _shrink_titles(layout: dict, floor_px: float) -> None:
    fonts = [a.setdefault("font", {}) for a in _subplot_titles(layout)]
    fonts += [axis.setdefault("title", {}).setdefault("font", {})
              for letter in "xy" for _, axis in _axes(layout, letter)]
    base = layout.get("font", {}).get("size", 12)
    for font in fonts:
        font["size"] = max(floor_px, font.get("size", base) * NARROW_SCALE)


def _span(axis: dict) -> float:
    low, high = axis.get("domain", [0.0, 1.0])
    return high - low


def _y_name(x_axis: dict) -> str:
    anchor = x_axis.get("anchor", "y")
    return "yaxis" + anchor[1:]


def _panels_in_a_row(layout: dict) -> list[tuple[str, str]]:
    """(x axis, y axis) names of the figure's panels left to right, if they form one row of
    plain panels (no overlaid axes, no 3-D scenes), else []."""
    panels = []
    for name, axis in _axes(layout, "x"):
        y = _y_name(axis)
        if axis.get("overlaying") or not isinstance(layout.get(y), dict):
            return []
        panels.append((name, y))
    if any(axis.get("overlaying") for _, axis in _axes(layout, "y")):
        return []
    if len({tuple(layout[y].get("domain", [0.0, 1.0])) for _, y in panels}) > 1:
        return []
    return sorted(panels, key=lambda p: layout[p[0]].get("domain", [0.0])[0])


def _below_px(layout: dict, x_axis: dict) -> float:
    """The height an x axis' tick labels and title take under its panel."""
    ticks = _font_size(layout, {"font": x_axis.get("tickfont", {})}) * 2.0
    title = x_axis.get("title", {})
    return ticks + (_font_size(layout, title) * LINE_EM + 14 if title.get("text") else 0)


def _stack(layout: dict, panels: list[tuple[str, str]]) -> None:
    """One panel under the other, each as tall as it was, with room between them for the
    x axis above and the subplot title below; subplot titles follow their panels, the first
    panel's y title goes to the others that have none, and what lies under the plot (a
    legend, notes) keeps its distance from the last panel."""
    margin = layout["margin"]
    area = layout["height"] - margin["t"] - margin["b"]
    low, high = layout[panels[0][1]].get("domain", [0.0, 1.0])
    panel_px = area * (high - low)
    titles = _subplot_titles(layout)
    title_px = max((_font_size(layout, a) * LINE_EM for a in titles), default=0) + 10
    gap_px = max(_below_px(layout, layout[x]) for x, _ in panels) + title_px
    new_area = len(panels) * panel_px + (len(panels) - 1) * gap_px
    old_centres = [sum(layout[x].get("domain", [0.0, 1.0])) / 2 for x, _ in panels]
    y_title = layout[panels[0][1]].get("title", {})
    for i, (x, y) in enumerate(panels):
        top = 1 - i * (panel_px + gap_px) / new_area
        layout[x]["domain"] = [0.0, 1.0]
        layout[y]["domain"] = [max(0.0, top - panel_px / new_area), top]
        if y_title.get("text") and not layout[y].get("title", {}).get("text"):
            layout[y]["title"] = dict(y_title)
    for title in titles:
        i = min(range(len(panels)), key=lambda i: abs(old_centres[i] - title.get("x", 0.5)))
        title.update(x=0.5, y=layout[panels[i][1]]["domain"][1])
    for item in [layout.get("legend", {}), *layout.get("annotations", [])]:
        if item.get("yref", "paper") == "paper" and item.get("y", 1) < 0:
            item["y"] = item["y"] * area / new_area
    layout["height"] += new_area - area


def _wrap_titles(layout: dict, width_px: float) -> None:
    """The figure's title, subplot titles and axis titles broken into lines that fit, the room
    for the extra lines added (above the plot for titles over it, under it for x titles)."""
    margin = layout["margin"]
    title = layout.get("title")
    if isinstance(title, dict) and title.get("text"):
        extra = _wrap_in(layout, title, width_px - 10, scale=TITLE_SCALE)
        room = extra + TITLE_GAP_PX if extra else 0.0  # and clear of the top tick label
        margin["t"] += room
        layout["height"] += room
        if extra:  # from the top edge down (plotly sets a top-anchored title's first line
            pad = title.setdefault("pad", {})  # where one line's would be: pad it down)
            if title.get("yanchor") != "top":
                title.update(yref="container", y=1.0, yanchor="top")
                pad.setdefault("t", TITLE_PAD_PX)
            pad["t"] = pad.get("t", 0) + extra
    panel_px = {x: _span(axis) * (width_px - margin["l"] - margin["r"])
                for x, axis in _axes(layout, "x")}
    extra_top = 0.0
    for annotation in _subplot_titles(layout):
        grown = _wrap_in(layout, annotation, _panel_under(layout, annotation, panel_px, width_px))
        if annotation.get("y", 0) >= 0.99:  # over the top row: into the margin
            extra_top = max(extra_top, grown)
    margin["t"] += extra_top
    layout["height"] += extra_top
    extra_bottom = max((_wrap_in(layout, axis.get("title", {}), panel_px[x])
                        for x, axis in _axes(layout, "x")), default=0.0)
    margin["b"] += extra_bottom
    layout["height"] += extra_bottom
    area = layout["height"] - margin["t"] - margin["b"]
    for _, axis in _axes(layout, "y"):
        margin["l"] += _wrap_in(layout, axis.get("title", {}), area * _span(axis))


def _panel_under(layout: dict, annotation: dict, panel_px: dict[str, float],
                 width_px: float) -> float:
    """The width of the panel a subplot title stands over (by its centre)."""
    x = annotation.get("x", 0.5)
    for name, axis in _axes(layout, "x"):
        low, high = axis.get("domain", [0.0, 1.0])
        if low - 0.01 <= x <= high + 0.01:
            return panel_px[name]
    return max(panel_px.values(), default=width_px)


def _wrap_in(layout: dict, props: dict, width_px: float, scale: float = 1.0) -> float:
    """Wrap props["text"] to `width_px`; the height its extra lines take."""
    text = props.get("text")
    if not text:
        return 0.0
    size = _font_size(layout, props, scale)
    wrapped = wrap(text, max(6, int(width_px / (CHAR_EM * size))))
    props["text"] = wrapped
    return (wrapped.count("<br>") - text.count("<br>")) * size * LINE_EM


def _thin_ticks(figure: dict, plot_px: float) -> None:
    """At most one tick label per TICK_PX of each axis' width: plotly picks fewer (nticks), or
    an axis with its own tick values keeps every n-th; an axis of categories keeps them all
    (plotly turns their labels when they don't fit)."""
    layout = figure["layout"]
    for name, axis in _axes(layout, "x"):
        if axis.get("type") == "category" or _has_categories(figure["data"], "x" + name[5:]):
            continue
        most = max(2, int(_span(axis) * plot_px // TICK_PX))
        values, texts = axis.get("tickvals"), axis.get("ticktext")
        if isinstance(values, list | tuple) and len(values) > most:
            step = math.ceil(len(values) / most)
            axis["tickvals"] = list(values)[::step]
            if isinstance(texts, list | tuple):
                axis["ticktext"] = list(texts)[::step]
        elif axis.get("tickmode") != "array":
            axis["nticks"] = min(axis.get("nticks") or most, most)


def _has_categories(traces: list[dict], x_axis: str) -> bool:
    """Some trace on this x axis ("x", "x2", …) has words for x values."""
    return any(t.get("xaxis", "x") == x_axis and isinstance(t.get("x"), list | tuple)
               and any(isinstance(v, str) for v in t["x"]) for t in traces)


def _legend_rows(figure: dict, width_px: float) -> float:
    """Wrap each legend name wider than the column into lines; the height of a horizontal
    legend, its entries in rows at this width (0 if it has none or is not horizontal)."""
    layout = figure["layout"]
    legend = layout.get("legend", {})
    if legend.get("orientation") != "h" or layout.get("showlegend") is False:
        return 0.0
    size = _font_size(layout, legend)
    margin = layout["margin"]
    room = width_px - margin["l"] - margin["r"]  # plotly wraps a legend's rows at the plot's width
    chars = max(6, int((room - LEGEND_SYMBOL_PX) / (CHAR_EM * size)))
    rows, used = [], room
    for trace in _legend_entries(figure):
        trace["name"] = wrap(trace["name"], chars)
        entry = _entry_px(trace["name"], size)
        if used + entry > room:
            rows.append(1)
            used = 0.0
        used += entry
        rows[-1] = max(rows[-1], trace["name"].count("<br>") + 1)
    return sum(rows) * size * LEGEND_LINE_EM + LEGEND_PAD_PX


def _legend_room(layout: dict, legend_px: float) -> bool:
    """Make room for a horizontal legend `legend_px` tall: under the plot for one under it, over
    it for one over it (it had a row's room), except that one over the panels of a figure with
    subplot titles would run into them: it moves under the plot (True: place it at the end)."""
    legend = layout.get("legend", {})
    size = _font_size(layout, legend)
    margin = layout["margin"]
    over = legend.get("y", 1) >= 1 and legend.get("yref", "paper") == "paper"
    if over and _subplot_titles(layout):
        margin["b"] += legend_px + 10
        layout["height"] += legend_px + 10
        return True
    extra = max(0.0, legend_px - size * LEGEND_LINE_EM - LEGEND_PAD_PX)
    margin["t" if over or legend.get("yref") == "container" else "b"] += extra
    layout["height"] += extra
    return False


def _place_under(layout: dict, legend_px: float) -> None:
    layout["legend"].update(yref="container", y=(legend_px + 4) / layout["height"],
                            yanchor="top", x=0.0, xanchor="left")
