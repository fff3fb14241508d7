"""The data the graph player (ui.graph_player) draws: positions once, then each step's colours
and texts. Plain JSON, so the same data can drive a standalone HTML export.

    data = player_data(graph, graph_id="…")          # the costly part: once per graph
    data = at_step(data, frame=3, selected=5)          # then per rerun

Coordinates are SVG pixels at scale 1; the browser scales the drawing to its column.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import networkx as nx
import numpy as np

from engine import Tensor
from engine.limits import MAX_GRAPH_NODES
from viz import palette
from viz.graph import defined_as
from viz.graph_anim import FILL, RING, Step, animation_steps, tangent_steps
from viz.graph_arithmetic import exact_numbers, gradient_lines
from viz.graph_layout import LANE_HEIGHT, GraphLayout, layered_layout
from viz.graph_routes import (
    BASELINE_PX,
    EDGE_CHAR_PX,
    EDGE_TEXT_HALF_PX,
    IN_PORT_PX,
    INNER_HALF_PX,
    LABEL_CLEAR_PX,
    LABEL_PAD_PX,
    LEFT_RIGHT_TEXTS,
    MARGIN_PX,
    NODE_R,
    TEXT_DY,
    TEXT_HALF_PX,
    Columns,
    columns_of,
    label_reach,
    routes,
    top_down_texts,
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
    the graph (its texts and lines) and the controls that much larger. Drawn left to right (in
    one band or a few, for the box beside the inspector); data["shapes"] (`drawn_as`) are the
    other cuts and top to bottom, which the player draws instead where its own box shows one a
    fifth larger (a wide presenter's box, a narrow pane). With
    `tangents` = (source, {tensor: tangent}) from page_models.expression_graph.forward_tangents,
    the steps are forward mode's (viz.graph_anim.tangent_steps)."""
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
    first, others = _shapes(graph, beside, chars)
    drawing = _drawing(first, edges, chars)
    for node, xy in zip(drawn, drawing["xy"]):
        node["x"], node["y"] = xy
    data = {
        "graph_id": graph_id,
        "scale": scale,
        "width": drawing["width"],
        "height": drawing["height"],
        "node_r": NODE_R,
        "direction": "lr",
        "text_dy": TEXT_DY,
        "text_at": LEFT_RIGHT_TEXTS,
        "shapes": [_drawing(shape, edges, chars) for shape in others],
        "max_height": MAX_HEIGHT_PX,
        "text_floor": PRESENTER_TEXT_FLOOR_PX if scale > 1 else TEXT_FLOOR_PX,
        "nodes": drawn,
        "edges": [{"points": p, "label": place, "from": e[0], "to": e[1],
                   "exact": _exact(graph.edges[e]["contribution"])}
                  for p, place, e in zip(drawing["points"], drawing["labels"], edges)],
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
    f, at = data["frames"][frame], data["text_at"]
    boxes = []
    for i, node in enumerate(data["nodes"]):
        x, y = node["x"], node["y"]
        boxes.append((node["label"], _centred(x, y, len(node["label"]) * INNER_CHAR_PX,
                                              INNER_HALF_PX), i))
        for text, kind in ((node["top"], "top"), (f["values"][i], "value"),
                           (f["grads"][i], "grad")):
            if text:
                dx, dy, anchor = at[kind]
                width = len(text) * CHAR_PX
                middle = x + dx + {"start": width / 2, "end": -width / 2}.get(anchor, 0)
                boxes.append((text, _centred(middle, y + dy - BASELINE_PX, width, TEXT_HALF_PX),
                              i))
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


@dataclass(frozen=True)
class Shape:
    """A way to draw the graph: its layout, direction, columns (along the direction) and rows."""

    direction: str  # "lr": inputs left, output right; "tb": inputs at the top, output below
    layout: GraphLayout
    columns: Columns
    across: Callable[[float], float]  # a layout row -> px across the direction
    across_px: float  # the drawing's size across the direction
    clear: dict  # node -> px its lines keep off its centre (its inner label)
    beside: dict  # node -> half its name's, inner label's and numbers' widths
    texts: dict  # where a node's texts go (viz.graph_routes.LEFT_RIGHT_TEXTS, top_down_texts)

    def xy(self, node: int) -> tuple[float, float]:
        column, row = self.layout.positions[node]
        along, across = self.columns.x(column), self.across(row)
        return (across, along) if self.direction == "tb" else (along, across)

    @property
    def width(self) -> float:
        return self.across_px if self.direction == "tb" else self.columns.width

    @property
    def height(self) -> float:
        return self.columns.width if self.direction == "tb" else self.across_px


SHAPE_GAIN = 1.2  # another shape than the first must show the graph that much larger (also in
# the player: graph_player.js)


def _shapes(graph: nx.MultiDiGraph, beside: dict, chars: list[int]
            ) -> tuple[Shape, list[Shape]]:
    """The shape the box beside the inspector shows largest, left to right in one band or cut
    into a few (a cut by a fifth larger at least: edges into the next band make a long way
    round), and the others: the other cuts, and top to bottom in one band unless a node gets
    more than two labelled edges."""
    nodes = sorted(graph.nodes)
    longest: dict = {}
    for (_, v, _), n in zip(graph.edges(keys=True), chars):
        longest[v] = max(longest.get(v, 0), n)
    reaches = {n: label_reach(graph.in_degree(n), longest.get(n, 0), beside[n]) for n in nodes}
    halves = {n: max(beside[n]) for n in nodes}
    clear = {n: beside[n][1] + 2 for n in nodes}
    one_band = layered_layout(graph, MAX_GRAPH_NODES)
    depth = one_band.columns
    cuts = {math.ceil(depth / bands) for bands in (2, 3)} - {depth}
    shapes = [Shape("lr", layout, columns_of(layout, halves, reaches), _row_y,
                    MARGIN_PX * 2 + 20 + (layout.rows - 1) * ROW_PX, clear, beside,
                    LEFT_RIGHT_TEXTS)
              for layout in [one_band, *(layered_layout(graph, c) for c in sorted(cuts) if c >= 2)]]
    best, best_scale = None, -1.0
    for shape in shapes:
        scale = min(BOX_PX[0] / shape.width, BOX_PX[1] / shape.height)
        if scale > best_scale * SHAPE_GAIN:
            best, best_scale = shape, scale
    if all(graph.in_degree(v) <= 2 for v in longest):
        shapes.append(_top_to_bottom(one_band, beside, max(chars, default=0), longest))
    return best, [shape for shape in shapes if shape is not best]


def _drawing(shape: Shape, edges: list, chars: list[int]) -> dict:
    """Where `shape` puts each node, line and label, and the drawing's size."""
    points, labels = routes(edges, shape.layout, shape.columns, shape.across, shape.clear,
                            shape.beside, chars, shape.direction)
    return {"direction": shape.direction, "width": round(shape.width, 1),
            "height": round(shape.height, 1),
            "text_at": shape.texts, "points": points, "labels": labels,
            "xy": [list(shape.xy(n)) for n in sorted(shape.layout.positions)]}


def drawn_as(data: dict, shape: int | None) -> dict:
    """`data` drawn in its other shape number `shape` (None: as sent), as the player does."""
    if shape is None:
        return data
    other = data["shapes"][shape]
    return {**data, **{k: other[k] for k in ("direction", "width", "height", "text_at")},
            "nodes": [{**node, "x": x, "y": y} for node, (x, y) in zip(data["nodes"], other["xy"])],
            "edges": [{**edge, "points": p, "label": label}
                      for edge, p, label in zip(data["edges"], other["points"], other["labels"])]}


def _top_to_bottom(layout: GraphLayout, beside: dict, chars: int, labelled: dict) -> Shape:
    """One band top to bottom: a row as tall as a node, with room above it for the labels of the
    edges into it; the layout's rows side by side, as wide as the widest name left of a node
    plus the widest number right of one (or two labels beside the lines into one)."""
    texts = top_down_texts(max(half for _, half, _ in beside.values()))
    name = max(half * 2 for half, _, _ in beside.values()) - texts["top"][0]
    numbers = max(half * 2 for _, _, half in beside.values()) + texts["value"][0]
    label = IN_PORT_PX / 2 + LABEL_CLEAR_PX + chars * EDGE_CHAR_PX
    pitch = max(name + numbers + LABEL_PAD_PX, 2 * label + LABEL_PAD_PX,
                (max(name, numbers, label) + LABEL_PAD_PX) / (0.5 + LANE_HEIGHT / 2))
    ring = NODE_R + 8.0
    reaches = {n: ring + LABEL_PAD_PX + 2 * EDGE_TEXT_HALF_PX if labelled.get(n) else 0.0
               for n in beside}
    columns = columns_of(layout, dict.fromkeys(beside, ring), reaches)
    return Shape("tb", layout, columns, lambda row: round(MARGIN_PX + (row + 0.5) * pitch, 1),
                 MARGIN_PX * 2 + layout.rows * pitch, dict.fromkeys(beside, INNER_HALF_PX + 2),
                 beside, texts)


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
