"""The data the graph player (ui.graph_player) draws: positions once, then each step's colours
and texts. Plain JSON, so the same data can drive a standalone HTML export.

    data = player_data(graph, graph_id="…")          # the costly part: once per graph
    data = at_step(data, frame=3, selected=5)          # then per rerun

Coordinates are SVG pixels at scale 1; the browser scales the drawing to its column.
"""

from __future__ import annotations

import math

import networkx as nx
import numpy as np

from engine import Tensor
from engine.limits import MAX_GRAPH_NODES
from viz import palette
from viz.graph import defined_as
from viz.graph_anim import FILL, RING, Step, animation_steps, tangent_steps
from viz.graph_arithmetic import exact_numbers, gradient_lines
from viz.graph_layout import GraphLayout, layered_layout
from viz.graph_routes import (
    BASELINE_PX,
    EDGE_CHAR_PX,
    EDGE_TEXT_HALF_PX,
    INNER_HALF_PX,
    MARGIN_PX,
    NODE_R,
    TEXT_DY,
    TEXT_HALF_PX,
    Columns,
    columns_of,
    label_reach,
    routes,
)
from viz.graph_text import hover_text
from viz.numbers import full_text

CHAR_PX = 8.2  # average width of a character of the node texts (15 px font)
ROW_PX = 104  # a row: name above, node, value and gradient under it
BOX_PX = (460, 420)  # the room the player gives the drawing at 1280 × 720, sidebar open and the
# inspector beside it (at scale 1)
MAX_HEIGHT_PX = 600  # the drawing's box at most (the player gives it the first screen's rest)
TEXT_FLOOR_PX = 12  # the smallest a text of the graph may be drawn on screen (the player pans and
PRESENTER_TEXT_FLOOR_PX = 16  # zooms a graph that does not fit at that size); in presenter mode
INNER_CHAR_PX = 9.4  # a character of a node's own label (bold 16 px)
# height


def at_step(data: dict, frame: int, selected: int | None, hidden: bool = False) -> dict:
    """`data` opening at step `frame` (clamped to the steps there are), with `selected` ringed;
    `hidden`: without the numbers a lesson's open question asks for (`without_answers`)."""
    if hidden:
        data = without_answers(data)
    return {**data, "frame": min(max(frame, 0), len(data["frames"]) - 1),
            "selected": -1 if selected is None else selected}


def without_answers(data: dict) -> dict:
    """`data` with every computed value and every gradient blanked (a lesson's open question
    asks for one of them): the inputs' values, the graph and the order of the steps stay."""
    leaves = [node["square"] for node in data["nodes"]]
    frames = [{**frame, "lines": [], "exact": {}, "edge_texts": {},
               "grads": [""] * len(frame["grads"]),
               "values": [v if leaf else "" for v, leaf in zip(frame["values"], leaves)]}
              for frame in data["frames"]]
    nodes = [{**node, "hover": node["hover"].split("\n")[0], "chain": [], "chain_exact": {}}
             for node in data["nodes"]]
    edges = [{**edge, "exact": ""} for edge in data["edges"]]
    return {**data, "frames": frames, "nodes": nodes, "edges": edges}


def player_data(graph: nx.MultiDiGraph, graph_id: str, frame: int = 0,
                selected: int | None = None, scale: float = 1.0,
                tangents: tuple[Tensor, dict[Tensor, np.ndarray]] | None = None) -> dict:
    """Everything the player needs, as JSON-ready lists; `scale` > 1 (presenter mode) draws
    the graph (its texts and lines) and the controls that much larger. With `tangents` =
    (source, {tensor: tangent}) from page_models.expression_graph.forward_tangents, the steps
    are forward mode's (viz.graph_anim.tangent_steps)."""
    if tangents is None:
        steps = animation_steps(graph)
    else:
        ids = {graph.nodes[n]["tensor"]: n for n in graph.nodes}
        source, by_tensor = tangents
        steps = tangent_steps(graph, {ids[t]: v for t, v in by_tensor.items()}, ids[source])
    nodes = sorted(graph.nodes)
    edges = list(graph.edges(keys=True))
    frames = [_frame(step, edges) for step in steps]
    drawn = [_node(graph, n) for n in nodes]
    chars = _label_chars(frames, edges)
    beside = _text_halves(drawn, frames)
    longest: dict = {}
    for (_, v, _), n in zip(edges, chars):
        longest[v] = max(longest.get(v, 0), n)
    reaches = {v: label_reach(graph.in_degree(v), n, beside[v]) for v, n in longest.items()}
    layout, columns = _best_layout(graph, {n: max(beside[n]) for n in nodes},
                                   {n: reaches.get(n, 0.0) for n in nodes})
    clear = {n: beside[n][1] + 2 for n in nodes}
    paths, labels = routes(edges, layout, columns, _row_y, clear, beside, chars)
    for n, node in zip(nodes, drawn):
        column, row = layout.positions[n]
        node["x"], node["y"] = columns.x(column), _row_y(row)
    data = {
        "graph_id": graph_id,
        "scale": scale,
        "width": round(columns.width, 1),
        "height": round(_height_px(layout), 1),
        "node_r": NODE_R,
        "text_dy": TEXT_DY,
        "max_height": MAX_HEIGHT_PX,
        "text_floor": PRESENTER_TEXT_FLOOR_PX if scale > 1 else TEXT_FLOOR_PX,
        "nodes": drawn,
        "edges": [{"points": p, "label": place, "from": e[0], "to": e[1],
                   "exact": _exact(graph.edges[e]["contribution"])}
                  for p, place, e in zip(paths, labels, edges)],
        "frames": frames,
        "colours": {"ink": palette.INK, "edge": palette.EDGE, "selected": palette.SELECTED,
                    "forward": palette.FORWARD, "backward": palette.BACKWARD},
    }
    return at_step(data, frame, selected)


def _label_chars(frames: list[dict], edges: list) -> list[int]:
    """Each edge's longest label over the steps (0: it never has one)."""
    return [max((len(f["edge_texts"].get(str(i), "")) for f in frames), default=0)
            for i in range(len(edges))]


Box = tuple[float, float, float, float]  # x0, y0, x1, y1 in drawing units


def text_boxes(data: dict, frame: int, edge_labels: bool = True
               ) -> list[tuple[str, Box, int | None]]:
    """Where step `frame` draws each text: (text, box, its node or None for an edge's label),
    as the player's CSS sets them (viz/assets/graph_player.css); the nodes' texts only without
    `edge_labels`."""
    f, dy = data["frames"][frame], data["text_dy"]
    boxes = []
    for i, node in enumerate(data["nodes"]):
        x, y = node["x"], node["y"]
        boxes.append((node["label"], _centred(x, y, len(node["label"]) * INNER_CHAR_PX,
                                              INNER_HALF_PX), i))
        for text, baseline in ((node["top"], y + dy["top"]), (f["values"][i], y + dy["value"]),
                               (f["grads"][i], y + dy["grad"])):
            if text:
                boxes.append((text, _centred(x, baseline - BASELINE_PX, len(text) * CHAR_PX,
                                             TEXT_HALF_PX), i))
    for k, text in f["edge_texts"].items() if edge_labels else ():
        if text:
            x, y = data["edges"][int(k)]["label"]
            boxes.append((text, _centred(x, y, len(text) * EDGE_CHAR_PX, EDGE_TEXT_HALF_PX),
                          None))
    return boxes


def _centred(x: float, y: float, width: float, half_height: float) -> Box:
    return (x - width / 2, y - half_height, x + width / 2, y + half_height)


def overlaps(a: Box, b: Box) -> bool:
    return min(a[2], b[2]) > max(a[0], b[0]) and min(a[3], b[3]) > max(a[1], b[1])


def segment_hits(box: Box, a, b) -> bool:
    """Whether the segment a–b passes through `box` (Liang–Barsky clipping)."""
    (x0, y0, x1, y1), (ax, ay), (bx, by) = box, a, b
    low, high = 0.0, 1.0
    for p, q in ((-(bx - ax), ax - x0), (bx - ax, x1 - ax), (-(by - ay), ay - y0),
                 (by - ay, y1 - ay)):
        if p == 0:
            if q < 0:
                return False
        elif p < 0:
            low = max(low, q / p)
        else:
            high = min(high, q / p)
    return low <= high


def _text_halves(nodes: list[dict], frames: list[dict]) -> dict[int, tuple[float, float, float]]:
    """Half the width of each node's name, its inner label, and its widest number over the
    steps."""
    return {i: (len(node["top"]) * CHAR_PX / 2, len(node["label"]) * INNER_CHAR_PX / 2,
                max(len(f[k][i]) * CHAR_PX / 2 for f in frames for k in ("values", "grads")))
            for i, node in enumerate(nodes)}


def _row_y(row: float) -> float:
    return round(MARGIN_PX + 10 + row * ROW_PX, 1)


def _height_px(layout: GraphLayout) -> float:
    return MARGIN_PX * 2 + 20 + (layout.rows - 1) * ROW_PX


BAND_GAIN = 1.2  # a cut into more bands must show the graph that much larger


def _best_layout(graph: nx.MultiDiGraph, halves: dict, rooms: dict
                 ) -> tuple[GraphLayout, Columns]:
    """The layout, in one band or cut into a few, that the box shows largest (by a fifth at least,
    as edges into the next band make a long way round), and its columns."""
    one_band = layered_layout(graph, MAX_GRAPH_NODES)
    depth = one_band.columns
    cuts = {math.ceil(depth / bands) for bands in (2, 3)} - {depth}
    best, best_scale = None, -1.0
    for layout in [one_band, *(layered_layout(graph, c) for c in sorted(cuts) if c >= 2)]:
        columns = columns_of(layout, halves, rooms)
        scale = min(BOX_PX[0] / columns.width, BOX_PX[1] / _height_px(layout))
        if scale > best_scale * BAND_GAIN:
            best, best_scale = (layout, columns), scale
    return best


def _node(graph: nx.MultiDiGraph, n: int) -> dict:
    attrs = graph.nodes[n]
    sent_back = [e for e in graph.out_edges(n, keys=True)
                 if graph.edges[e]["contribution"] is not None]
    inner = attrs["name"] if attrs["op"] is None and attrs["name"] else (
        attrs["symbol"] or attrs["formula"])
    return {"x": 0.0, "y": 0.0, "label": inner,
            "top": (attrs["name"] or attrs["short"] or "") if attrs["op"] is not None else "",
            "square": attrs["op"] is None,
            "hover": "\n".join([defined_as(graph, n), *hover_text(graph, n).split("<br>")[1:]]),
            "chain": gradient_lines(graph, n),  # shown above the graph where no inspector is beside
            "chain_exact": exact_numbers(graph, [n], sent_back)}


def _exact(contribution) -> str:
    """An edge's contribution in full, for the hover of its label ("" if none)."""
    return "" if contribution is None else f"exactly {full_text(contribution)}"


def _frame(step: Step, edges: list) -> dict:
    index = {e: i for i, e in enumerate(edges)}
    return {
        "label": step.label,
        "lines": step.lines,
        "exact": step.exact,
        "fills": [_colour(FILL, c, palette.NEUTRAL) for c in step.fills],
        "rings": [_colour(RING, c, palette.EDGE) for c in step.rings],
        "values": step.values,
        "grads": step.gradients,
        "lit": [index[e] for e in step.lit],
        "lit_colour": step.lit_colour,
        "edge_texts": {str(index[e]): t for e, t in zip(step.lit, step.edge_texts)},
    }


def _colour(scale, code: float | None, missing: str) -> str:
    return missing if code is None else scale.colour(code)
