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
from viz.graph_anim import FILL, RING, Step, animation_steps, tangent_steps
from viz.graph_figure import hover_text, label_anchor, middle_segment
from viz.graph_layout import layered_layout

CHAR_PX = 8.2  # average width of a character of the node texts (15 px font)
MIN_COLUMN_PX, MAX_COLUMN_PX = 96, 230
ROW_PX = 100  # a row: name above, node, value and gradient under it
MARGIN_PX = 48
BOX_PX = (460, 420)  # the room the player gives the drawing at 1280 × 720, sidebar open and the
# inspector beside it (at scale 1)
NODE_R = 21
MAX_HEIGHT_PX = 600  # the drawing's box at most (the player gives it the first screen's rest)
TEXT_FLOOR_PX = 12  # the smallest a text of the graph may be drawn on screen (the player pans and
PRESENTER_TEXT_FLOOR_PX = 16  # zooms a graph that does not fit at that size); in presenter mode
EDGE_CHAR_PX = 8.4  # width of a character of an edge's label (bold 14 px)
EDGE_TEXT_HALF_PX = 9  # half the height of an edge's label
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
    return {**data, "frames": frames, "nodes": nodes}


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
    return at_step({
        "graph_id": graph_id,
        "scale": scale,
        "width": round(max(width, 2 * MARGIN_PX + column_px), 1),
        "height": round(height, 1),
        "node_r": NODE_R,
        "max_height": MAX_HEIGHT_PX,
        "text_floor": PRESENTER_TEXT_FLOOR_PX if scale > 1 else TEXT_FLOOR_PX,
        "nodes": [_node(graph, n, xy[n]) for n in nodes],
        "edges": [{"points": p, "from": u, "to": v, "label": _label_point(p, chars)}
                  for p, (u, v, _), chars in zip(paths, edges, _label_chars(frames, edges))],
        "frames": frames,
        "colours": {"ink": palette.INK, "edge": palette.EDGE, "selected": palette.SELECTED,
                    "forward": palette.FORWARD, "backward": palette.BACKWARD},
    }, frame, selected)


def _label_chars(frames: list[dict], edges: list) -> list[int]:
    """Each edge's longest label over the steps (0: it never has one)."""
    return [max((len(f["edge_texts"].get(str(i), "")) for f in frames), default=0)
            for i in range(len(edges))]


def _label_point(points: list, chars: int) -> list[float]:
    """The centre of an edge's label `chars` long: its anchor (viz.graph_figure.label_anchor)
    pushed along the middle segment's normal just far enough that the line misses the label;
    above the line, or right of a vertical one."""
    (ax, ay), (bx, by) = middle_segment(points)
    mx, my = label_anchor(points)
    length = math.hypot(bx - ax, by - ay) or 1.0
    nx, ny = -(by - ay) / length, (bx - ax) / length
    if ny > 0 or (ny == 0 and nx < 0):
        nx, ny = -nx, -ny
    reach = chars * EDGE_CHAR_PX / 2 * abs(nx) + EDGE_TEXT_HALF_PX * abs(ny) + 3
    return [round(mx + nx * reach, 1), round(my + ny * reach, 1)]


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
            "hover": hover_text(graph, n).replace("<br>", "\n").replace("<b>", "")
            .replace("</b>", "")}


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
