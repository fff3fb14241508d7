"""The animated computation-graph figure: one plotly figure with frames, played in the browser.

    fig = graph_figure(tensor_graph(loss, names))

Positions never change between frames. Each frame updates only the traces that change (node
colours, the text under nodes, the highlighted edges and their labels), and every frame sets all
of them, so jumping anywhere with the slider shows the same picture as playing up to there.
"""

from __future__ import annotations

from dataclasses import astuple, dataclass, replace

import networkx as nx
import numpy as np
import plotly.graph_objects as go

from viz import palette
from viz.graph import local_derivative, operands_of, shape_rule, text_name
from viz.graph_anim import FILL, RING, Step, animation_steps, gradient_label
from viz.graph_layout import GraphLayout, layered_layout
from viz.numbers import full_text

DEFAULT_WIDTH_PX = 800  # the chart at full page width on a 1280-px screen, sidebar open
MARGIN_PX = 10  # left and right
PLOT_PX = DEFAULT_WIDTH_PX - 2 * MARGIN_PX
CHAR_EM = 0.5  # average width of a label character, in em
LINE_EM = 1.6  # height of a line of label text, with the gap to the next, in em
CONTROLS_PX = 150  # room under the graph for the buttons and the slider
SPEEDS = {"▶ Play": 700, "slow": 1500, "fast": 250}  # frame duration in ms

# Trace order; frames update the dynamic ones. TEXTS holds, at fixed points, the value under
# each node, the gradient under that, then a label at the middle of each edge.
EDGES, ARROWS, LIT_EDGES, SELECTION, NODES, TEXTS, NAMES = range(7)
DYNAMIC = [LIT_EDGES, NODES, TEXTS]
SYMBOLS = {"op": "circle", "parameter": "square", "input": "square", "constant": "square"}
BLANK = " "  # an empty text: plotly's animation loses texts that start out as ""
LABEL_AT = 0.6  # an edge label's place along a straight edge, from the parent
HALO = "0 0 3px white, 0 0 3px white, 0 0 4px white"  # keeps text legible on a line


@dataclass(frozen=True)
class Sizes:
    """Sizes in pixels; `scaled` enlarges them all, e.g. for a projector."""

    node: float = 46  # node diameter
    label_font: float = 18  # symbol or name inside a node, the current step's label
    text_font: float = 15  # value and gradient under a node, edge contributions
    row: float = 128  # height of one row of nodes: name, node, value and gradient lines
    arrow: float = 14
    column_gap: float = 6  # least space between the labels of neighbouring columns

    @property
    def ring(self) -> float:
        """The ring round the selected node; names sit above it."""
        return self.node + 16

    def scaled(self, factor: float) -> Sizes:
        return Sizes(*(value * factor for value in astuple(self)))

    def with_label_lines(self, lines: int) -> Sizes:
        """Rows tall enough for labels of `lines` lines above the nodes (`row` fits one): a
        shape rule takes two, which would meet the gradient line of the row above."""
        return replace(self, row=self.row + max(lines - 1, 0) * LINE_EM * self.text_font)


SIZES = Sizes()


def graph_figure(
    graph: nx.MultiDiGraph,
    selected: int | None = None,
    shape_labels: bool = False,
    scale: float = 1.0,
) -> go.Figure:
    """The figure of a graph from viz.graph.tensor_graph. `selected` draws a ring round a node;
    `shape_labels` writes each op's shape rule above it instead of its name; `scale` enlarges
    nodes and text (fewer columns then fit side by side)."""
    steps = animation_steps(graph)
    nodes = sorted(graph.nodes)
    top_labels = [_top_label(graph, n, shape_labels) for n in nodes]
    size = SIZES.scaled(scale).with_label_lines(max(t.count("<br>") + 1 for t in top_labels))
    layout = layered_layout(graph, columns_that_fit(graph, steps[-1], top_labels, size))
    xy = {n: (x, -y) for n, (x, y) in layout.positions.items()}
    paths = _edge_paths(graph, xy, layout)
    ring = [xy[selected]] if selected in xy else []
    traces = [
        _lines(list(paths.values()), palette.EDGE, 2),
        _arrowheads(paths, layout, size),
        _lines([], palette.FORWARD, 6),
        _points(ring, "markers", marker={"size": size.ring, "color": "rgba(0,0,0,0)",
                                         "line": {"color": palette.SELECTED, "width": 5}}),
        _node_trace(graph, nodes, xy, size),
        _text_trace(nodes, xy, paths, size),
        _points([xy[n] for n in nodes], "markers+text", marker={"size": size.ring, "opacity": 0},
                text=top_labels, textposition="top center",
                textfont={"size": size.text_font, "color": palette.INK}),
    ]
    for index, data in zip(DYNAMIC, _frame_data(steps[0], paths)):
        traces[index] = _merge(traces[index], data)
    frames = [{"name": str(i), "traces": DYNAMIC, "data": _frame_data(step, paths)}
              for i, step in enumerate(steps)]
    return go.Figure(data=traces, layout=_layout(layout, steps, size), frames=frames)


def text_px(text: str, font_px: float) -> float:
    """About how wide a line of text is: digits are half an em, most letters a little more."""
    return CHAR_EM * font_px * len(text)


def columns_that_fit(
    graph: nx.MultiDiGraph, final: Step, top_labels: list[str], size: Sizes = SIZES
) -> int:
    """How many columns fit side by side at the default width without labels overlapping."""
    widest = max(
        [size.node]
        + [text_px(t, size.text_font) for t in final.values + final.gradients]
        + [text_px(line, size.text_font) for label in top_labels for line in label.split("<br>")]
        + [text_px(_inner_label(graph, n), size.label_font) for n in graph.nodes]
    )
    return max(2, int(PLOT_PX / (widest + size.column_gap) - 0.2))


def _edge_paths(graph: nx.MultiDiGraph, xy, layout: GraphLayout) -> dict[tuple, list]:
    """Points of each edge: straight, through its lane in each column it passes, or with a gentle
    bend for a repeated operand (x * x)."""
    paths = {}
    for u, v, key in graph.edges(keys=True):
        (x0, y0), (x1, y1) = xy[u], xy[v]
        twins = graph.number_of_edges(u, v)
        if (u, v, key) in layout.bends:
            lane = [(x, -y) for x, y in layout.bends[u, v, key]]
            paths[u, v, key] = [(x0, y0), *lane, (x1, y1)]
        elif twins == 1:
            paths[u, v, key] = [(x0, y0), (x1, y1)]
        else:
            rank = sorted(graph[u][v]).index(key)
            bend = 0.3 * (rank - (twins - 1) / 2)
            length = max(((x1 - x0) ** 2 + (y1 - y0) ** 2) ** 0.5, 1e-9)
            mid = ((x0 + x1) / 2 - bend * (y1 - y0) / length,
                   (y0 + y1) / 2 + bend * (x1 - x0) / length)
            paths[u, v, key] = [(x0, y0), mid, (x1, y1)]
    return paths


def _lines(paths: list[list], colour: str, width: float) -> dict:
    xs, ys = [], []
    for path in paths:
        xs += [p[0] for p in path] + [None]
        ys += [p[1] for p in path] + [None]
    return _points(list(zip(xs, ys)), "lines", line={"color": colour, "width": width})


def _points(points, mode: str, **style) -> dict:
    """A scatter trace without hover (hover belongs to the nodes)."""
    return {"type": "scatter", "x": [p[0] for p in points], "y": [p[1] for p in points],
            "mode": mode, "hoverinfo": "skip", **style}


def _node_trace(graph: nx.MultiDiGraph, nodes: list[int], xy, size: Sizes) -> dict:
    attrs = graph.nodes
    return {
        "type": "scatter",
        "x": [xy[n][0] for n in nodes],
        "y": [xy[n][1] for n in nodes],
        "mode": "markers+text",
        "text": [_inner_label(graph, n) for n in nodes],
        "textposition": "middle center",
        "textfont": {"size": size.label_font, "color": palette.INK},
        "customdata": nodes,
        "hovertext": [hover_text(graph, n) for n in nodes],
        "hoverinfo": "text",
        "marker": {
            "size": size.node,
            "symbol": [SYMBOLS[attrs[n]["kind"]] for n in nodes],
            "colorscale": FILL.colorscale(), "cmin": 0, "cmax": 1,
            "line": {"width": 5, "colorscale": RING.colorscale(), "cmin": 0, "cmax": 1},
        },
    }


def _inner_label(graph: nx.MultiDiGraph, node: int) -> str:
    """The text inside a node: an input's name, an op's symbol, a constant's value."""
    attrs = graph.nodes[node]
    if attrs["op"] is None and attrs["name"]:
        return attrs["name"]
    return attrs["symbol"] or attrs["formula"]


def _text_trace(nodes: list[int], xy, paths, size: Sizes) -> dict:
    """Values (under the nodes), gradients (under those) and edge labels, at fixed points.

    A text sits below an invisible marker, so the marker's size sets how far below its point."""
    n, middles = len(nodes), [label_anchor(path) for path in paths.values()]
    gradient_offset = size.node + 2.4 * size.text_font
    return _points(
        [xy[v] for v in nodes] * 2 + middles,
        "markers+text",
        textposition=["bottom center"] * 2 * n + [_beside(path) for path in paths.values()],
        textfont={
            "size": size.text_font,
            "color": [palette.INK] * n + [palette.BACKWARD] * (n + len(middles)),
            "weight": ["normal"] * 2 * n + ["bold"] * len(middles),
            "shadow": HALO,
        },
        marker={"size": [size.node] * n + [gradient_offset] * n + [6] * len(middles),
                "opacity": 0},
    )


def _top_label(graph: nx.MultiDiGraph, node: int, shape_labels: bool) -> str:
    """With shape labels, an op's shape rule and an input's shape (a weight's is (out, in), as
    in PyTorch); else an op's name."""
    attrs = graph.nodes[node]
    if shape_labels:
        return shape_rule(graph, node).replace(" → ", "<br>→ ")
    return (attrs["name"] or "") if attrs["op"] is not None else ""


def hover_text(graph: nx.MultiDiGraph, node: int) -> str:
    """Name, op, shape, value, gradient and local derivatives of a node, for its hover box."""
    attrs = graph.nodes[node]
    op = attrs["op"]
    lines = [f"<b>{attrs['name'] or attrs['formula']}</b>"
             + (f" = {attrs['formula']}" if attrs["name"] and op else "")]
    lines.append(f"{op.title} ({op.symbol})" if op else attrs["kind"])
    lines.append(f"shape {shape_rule(graph, node)}")
    lines.append(f"value {full_text(attrs['value'])}")
    if attrs["gradient"] is not None:
        lines.append(f"gradient {gradient_label(graph, node)} = {full_text(attrs['gradient'])}")
    for parent, key in operands_of(graph, node) if op else []:
        d = local_derivative(graph, node, key)
        how = full_text(d) if d is not None else f"the {op.title} rule (see the inspector)"
        lines.append(f"local ∂{text_name(graph, node)}/∂{text_name(graph, parent)} = {how}")
    return "<br>".join(lines)


def _frame_data(step: Step, paths) -> list[dict]:
    """The dynamic traces (in DYNAMIC order) as `step` shows them."""
    lit = _lines([paths[e] for e in step.lit], step.lit_colour, 6)
    edge_text = dict(zip(step.lit, step.edge_texts))
    texts = step.values + step.gradients + [edge_text.get(e, "") for e in paths]
    texts = [t or BLANK for t in texts]
    return [
        {"type": "scatter", "x": lit["x"], "y": lit["y"], "line": lit["line"]},
        {"type": "scatter",
         "marker": {"color": np.array(step.fills), "line": {"color": np.array(step.rings)}}},
        {"type": "scatter", "text": np.array(texts, dtype=str)},
    ]


def _merge(base: dict, update: dict) -> dict:
    """`base` with `update` written into it, nested dicts merged (as plotly applies a frame)."""
    merged = dict(base)
    for key, value in update.items():
        old = merged.get(key)
        merged[key] = _merge(old, value) if isinstance(value, dict) and isinstance(old, dict) \
            else value
    return merged


def _beside(path: list) -> str:
    """Where an edge's label sits from its point (_middle), clear of the line: in the quarter
    the middle segment does not cross (above-left of a rising line, above-right of a falling
    one), above a level line, right of an upright one."""
    (x0, y0), (x1, y1) = middle_segment(path)
    if x0 == x1:
        return "middle right"
    if y0 == y1:
        return "top center"
    return "top left" if (x1 - x0) * (y1 - y0) > 0 else "top right"


def middle_segment(path: list) -> tuple:
    """The segment of an edge its label sits by: the middle one (after the middle bend)."""
    half = (len(path) - 1) // 2
    return path[half], path[half + 1]


def label_anchor(path: list) -> tuple[float, float]:
    """Where an edge's label goes: on its middle segment, a little nearer the child (the
    parent's value and gradient lines sit under the parent)."""
    (x0, y0), (x1, y1) = middle_segment(path)
    return x0 + LABEL_AT * (x1 - x0), y0 + LABEL_AT * (y1 - y0)


def _arrowheads(paths, layout: GraphLayout, size: Sizes) -> dict:
    """An arrowhead at the end of every edge, its tip on the child's rim (at the default width).

    Each head follows an invisible point on its edge; angleref="previous" turns it along the edge.
    """
    px_x, px_y = PLOT_PX / (layout.columns + 0.2), size.row  # pixels per unit
    points = []
    for path in paths.values():
        (x0, y0), (x1, y1) = path[-2], path[-1]
        dx, dy = (x1 - x0) * px_x, (y1 - y0) * px_y
        back = (size.node / 2 + size.arrow / 2 + 3) / max((dx * dx + dy * dy) ** 0.5, 1e-9)
        points += [(x0, y0), (x1 - back * (x1 - x0), y1 - back * (y1 - y0))]
    return _points(points, "markers", marker={
        "symbol": "arrow", "angleref": "previous", "color": palette.EDGE,
        "size": [0, size.arrow] * len(paths)})


def _layout(layout: GraphLayout, steps: list[Step], size: Sizes) -> dict:
    def play(ms: int) -> list:
        return [None, {"frame": {"duration": ms, "redraw": True}, "fromcurrent": True,
                       "transition": {"duration": 0}, "mode": "immediate"}]

    pause = [[None], {"frame": {"duration": 0, "redraw": False}, "mode": "immediate",
                      "transition": {"duration": 0}}]
    buttons = [{"label": label, "method": "animate", "args": play(ms)}
               for label, ms in SPEEDS.items()]
    buttons.insert(1, {"label": "‖ Pause", "method": "animate", "args": pause})
    slider_steps = [
        {"label": step.label, "method": "animate",
         "args": [[str(i)], {"frame": {"duration": 0, "redraw": True}, "mode": "immediate",
                             "transition": {"duration": 0}}]}
        for i, step in enumerate(steps)
    ]
    return {
        "height": round((layout.rows + 0.2) * size.row + 40 + CONTROLS_PX),
        "margin": {"l": MARGIN_PX, "r": MARGIN_PX, "t": 40, "b": CONTROLS_PX},
        "showlegend": False,
        "hovermode": "closest",
        "dragmode": False,
        "plot_bgcolor": "white",
        "paper_bgcolor": "white",
        "font": {"family": palette.FONT_FAMILY, "size": size.text_font, "color": palette.INK},
        "hoverlabel": {"font": {"size": size.text_font, "color": palette.INK}, "align": "left",
                       "bgcolor": "white", "bordercolor": palette.INK},
        "xaxis": {"visible": False, "range": [-0.6, layout.columns - 0.4], "fixedrange": True},
        "yaxis": {"visible": False, "range": [-layout.rows + 0.4, 0.6], "fixedrange": True},
        "updatemenus": [{"type": "buttons", "direction": "left", "showactive": False,
                         "x": 0, "xanchor": "left", "y": 0, "yanchor": "top",
                         "pad": {"t": 95, "r": 10}, "buttons": buttons,
                         "font": {"size": size.text_font}}],
        "sliders": [{"active": 0, "steps": slider_steps, "x": 0, "len": 1, "y": 0,
                     "yanchor": "top", "pad": {"t": 10, "b": 0},
                     "font": {"color": "rgba(0,0,0,0)", "size": 1},
                     "currentvalue": {"prefix": "", "xanchor": "left",
                                      "font": {"size": size.label_font,
                                               "color": palette.INK}}}],
    }
