"""The data the graph player (ui.graph_player) draws: positions once, then each step's colours
and texts. Plain JSON, so the same data can drive a standalone HTML export.

    data = player_data(graph, graph_id="…")          # the costly part: once per graph
    data = at_step(data, frame=3, selected=5)          # then per rerun

Coordinates are SVG pixels at scale 1; the browser scales the drawing to its column.
"""

from __future__ import annotations

import itertools
import math

import networkx as nx
import numpy as np

from engine import Tensor
from engine.limits import MAX_GRAPH_NODES
from viz import palette
from viz.graph import defined_as
from viz.graph_anim import FILL, RING, Step, animation_steps, tangent_steps
from viz.graph_layout import layered_layout
from viz.graph_text import hover_text
from viz.numbers import full_text

CHAR_PX = 8.2  # average width of a character of the node texts (15 px font)
MIN_COLUMN_PX, MAX_COLUMN_PX = 96, 230
ROW_PX = 104  # a row: name above, node, value and gradient under it
MARGIN_PX = 48
BOX_PX = (460, 420)  # the room the player gives the drawing at 1280 × 720, sidebar open and the
# inspector beside it (at scale 1)
NODE_R = 21
TEXT_DY = {"top": -NODE_R - 5, "value": NODE_R + 17, "grad": NODE_R + 35}  # a node's texts'
# baselines below its centre: name above, value and gradient under it
MAX_HEIGHT_PX = 600  # the drawing's box at most (the player gives it the first screen's rest)
TEXT_FLOOR_PX = 12  # the smallest a text of the graph may be drawn on screen (the player pans and
PRESENTER_TEXT_FLOOR_PX = 16  # zooms a graph that does not fit at that size); in presenter mode
EDGE_CHAR_PX = 8.4  # width of a character of an edge's label (bold 14 px)
EDGE_TEXT_HALF_PX = 9  # half the height of an edge's label
INNER_CHAR_PX, INNER_HALF_PX = 9.4, 8  # a character of a node's own label (bold 16 px), half its
# height
TWIN_BEND = 0.35  # how far the edges of a repeated operand (x * x) bow apart, in columns


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
    frames = [{**frame, "lines": [], "edge_texts": {}, "grads": [""] * len(frame["grads"]),
               "values": [v if leaf else "" for v, leaf in zip(frame["values"], leaves)]}
              for frame in data["frames"]]
    nodes = [{**node, "hover": node["hover"].split("\n")[0]} for node in data["nodes"]]
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
    final = steps[-1]
    widest = max([len(t) for t in final.values + final.gradients]
                 + [len(graph.nodes[n]["name"] or "") for n in nodes] + [6])
    column_px = min(max(widest * CHAR_PX + 16, MIN_COLUMN_PX), MAX_COLUMN_PX)
    layout = _best_layout(graph, column_px)

    def at(col: float, row: float) -> tuple[float, float]:
        return round(MARGIN_PX + col * column_px, 1), round(MARGIN_PX + 10 + row * ROW_PX, 1)

    xy = {n: at(*layout.positions[n]) for n in nodes}
    edges = list(graph.edges(keys=True))
    paths = []
    for u, v, key in edges:
        points = [xy[u], *(at(*p) for p in layout.bends.get((u, v, key), [])), xy[v]]
        twins = graph.number_of_edges(u, v)
        if twins > 1 and len(points) == 2:
            rank = sorted(graph[u][v]).index(key) - (twins - 1) / 2
            (x0, y0), (x1, y1) = points
            length = max(math.hypot(x1 - x0, y1 - y0), 1e-9)
            bend = TWIN_BEND * column_px * rank
            points.insert(1, ((x0 + x1) / 2 - bend * (y1 - y0) / length,
                              (y0 + y1) / 2 + bend * (x1 - x0) / length))
        paths.append([list(p) for p in points])
    width, height = _size_px(layout, column_px)
    frames = [_frame(step, edges) for step in steps]
    data = {
        "graph_id": graph_id,
        "scale": scale,
        "width": round(max(width, 2 * MARGIN_PX + column_px), 1),
        "height": round(height, 1),
        "node_r": NODE_R,
        "text_dy": TEXT_DY,
        "max_height": MAX_HEIGHT_PX,
        "text_floor": PRESENTER_TEXT_FLOOR_PX if scale > 1 else TEXT_FLOOR_PX,
        "nodes": [_node(graph, n, xy[n]) for n in nodes],
        "edges": [{"points": p, "from": e[0], "to": e[1],
                   "exact": _exact(graph.edges[e]["contribution"])} for p, e in zip(paths, edges)],
        "frames": frames,
        "colours": {"ink": palette.INK, "edge": palette.EDGE, "selected": palette.SELECTED,
                    "forward": palette.FORWARD, "backward": palette.BACKWARD},
    }
    for edge, place in zip(data["edges"], _label_points(data, _label_chars(frames, edges))):
        edge["label"] = place
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
                boxes.append((text, _centred(x, baseline - 4, len(text) * CHAR_PX, 7.5), i))
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


def _label_points(data: dict, chars: list[int]) -> list[list[float]]:
    """The centre of each edge's label (as long as its longest): beside its own line, on the
    first of a few places along it (the middle first) where it covers no node's text, no other
    label and no line; else where it covers the fewest texts, then lines."""
    widest = {}  # each node text's widest box over the steps (a sum arriving can be wider)
    for k in range(len(data["frames"])):
        for _, box, node in text_boxes(data, k, edge_labels=False):
            key = (node, box[1])
            if key not in widest or box[2] - box[0] > widest[key][2] - widest[key][0]:
                widest[key] = box
    taken = list(widest.values())
    lines = [(a, b) for e in data["edges"] for a, b in zip(e["points"], e["points"][1:])]
    places = []
    for edge, n in zip(data["edges"], chars):
        candidates = _label_candidates(edge["points"], n) if n else [[0.0, 0.0]]
        place = min(candidates, key=lambda c: _covered(_label_box(c, n), taken, lines))
        if n:
            taken.append(_label_box(place, n))
        places.append(place)
    return places


def _label_box(centre, chars: int) -> Box:
    return _centred(centre[0], centre[1], chars * EDGE_CHAR_PX, EDGE_TEXT_HALF_PX)


def _covered(box: Box, taken: list[Box], lines: list) -> tuple[int, int]:
    """How many texts, then lines, a label's box would cover (min() takes the first clear)."""
    return (sum(overlaps(box, other) for other in taken),
            sum(segment_hits(box, a, b) for a, b in lines))


LABEL_ALONG = (0.5, 0.35, 0.65, 0.2, 0.8)  # where along an edge's length its label may go
LABEL_FURTHER = (0, 10, 20)  # and how much further from its line than just clear of it


def _label_candidates(points: list, chars: int) -> list[list[float]]:
    """Places beside the line, `chars` wide, at LABEL_ALONG of its length, above then below."""
    lengths = [math.dist(a, b) for a, b in zip(points, points[1:])]
    places = []
    for along in LABEL_ALONG:
        left = along * sum(lengths)
        k = 0
        while k < len(lengths) - 1 and left > lengths[k]:
            left -= lengths[k]
            k += 1
        (ax, ay), (bx, by) = points[k], points[k + 1]
        t = left / (lengths[k] or 1.0)
        mx, my = ax + t * (bx - ax), ay + t * (by - ay)
        length = lengths[k] or 1.0
        nx, ny = -(by - ay) / length, (bx - ax) / length
        if ny > 0 or (ny == 0 and nx < 0):
            nx, ny = -nx, -ny
        reach = chars * EDGE_CHAR_PX / 2 * abs(nx) + EDGE_TEXT_HALF_PX * abs(ny) + 3
        for side, further in itertools.product((1, -1), LABEL_FURTHER):
            places.append([round(mx + side * nx * (reach + further), 1),
                           round(my + side * ny * (reach + further), 1)])
    return places


def _size_px(layout, column_px: float) -> tuple[float, float]:
    return (MARGIN_PX * 2 + (layout.columns - 1) * column_px,
            MARGIN_PX * 2 + 20 + (layout.rows - 1) * ROW_PX)


def _best_layout(graph: nx.MultiDiGraph, column_px: float):
    """The layout, in one band or cut into a few, that the box shows largest."""
    one_band = layered_layout(graph, MAX_GRAPH_NODES)
    depth = one_band.columns
    cuts = {math.ceil(depth / bands) for bands in (2, 3)} - {depth}
    best, best_scale = None, -1.0
    for layout in [one_band, *(layered_layout(graph, c) for c in sorted(cuts) if c >= 2)]:
        width, height = _size_px(layout, column_px)
        scale = min(BOX_PX[0] / width, BOX_PX[1] / height)
        if scale > best_scale + 1e-9:
            best, best_scale = layout, scale
    return best


def _node(graph: nx.MultiDiGraph, n: int, xy) -> dict:
    attrs = graph.nodes[n]
    inner = attrs["name"] if attrs["op"] is None and attrs["name"] else (
        attrs["symbol"] or attrs["formula"])
    return {"x": xy[0], "y": xy[1], "label": inner,
            "top": (attrs["name"] or attrs["short"]) if attrs["op"] is not None else "",
            "square": attrs["op"] is None,
            "hover": "\n".join([defined_as(graph, n), *hover_text(graph, n).split("<br>")[1:]])}


def _exact(contribution) -> str:
    """An edge's contribution in full, for the hover of its label ("" if none)."""
    return "" if contribution is None else f"exactly {full_text(contribution)}"


def _frame(step: Step, edges: list) -> dict:
    index = {e: i for i, e in enumerate(edges)}
    return {
        "label": step.label,
        "lines": step.lines,
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
