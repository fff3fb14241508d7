"""Where the graph player draws each column, edge and edge label, in SVG pixels at scale 1, from a
layered layout (viz.graph_layout).

Each column is as wide as its widest node text over all steps, with room on its left for the
labels of the edges into it; between two columns lies a gap where lines change rows. A line leaves
its node level, at a port of its own, crosses its own column, changes rows in the gap, and enters
its node level through the label room: the nodes' texts lie above and below their node's ports,
so no line crosses a text, and each edge's label sits just above its level end (the lowest of
several: just below), where no other line runs.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from viz.graph_layout import GraphLayout

NODE_R = 21
MARGIN_PX = 48
GAP_PX = 32  # between a column's texts and the next column's label room: lines change rows here
LABEL_PAD_PX = 6  # a label's room beyond the label
IN_PORT_PX = 24  # between two lines into one node: a label (18 px) fits between them
OUT_PORT_PX = 8  # between two lines out of one node
TURN_PX = 5  # between two lines running back into the next band
EDGE_CHAR_PX = 8.4  # width of a character of an edge's label (bold 14 px)
EDGE_TEXT_HALF_PX = 9  # half the height of an edge's label
LABEL_CLEAR_PX = 3  # between a label and the line it sits on
TRIM_PX = NODE_R + 3  # the player ends each line this far before its last point (the arrow)
TEXT_DY = {"top": -NODE_R - 5, "value": NODE_R + 17, "grad": NODE_R + 35}  # a node's texts'
# baselines below its centre: name above, value and gradient under it
TEXT_HALF_PX, BASELINE_PX = 7.5, 4  # half a node text's height; its middle above its baseline
INNER_HALF_PX = 8  # half the height of the label inside a node
LEFT_RIGHT_TEXTS = {kind: [0, dy, "middle"] for kind, dy in TEXT_DY.items()}  # each node text's
# (dx, dy of its baseline, anchor) from the node's centre: left to right, above and under it


def top_down_texts(inner_half: float) -> dict:
    """Top to bottom: a node's name left of it, its numbers right of it, clear of its selection
    ring and of the widest label inside a node (`inner_half`: half its width)."""
    dx = max(NODE_R + 10, inner_half + 4)
    return {"top": [-dx, 5, "end"], "value": [dx, -3, "start"], "grad": [dx, 14, "start"]}
TOP_BAND, UNDER_BAND = ((TEXT_DY[a] - BASELINE_PX - TEXT_HALF_PX,
                         TEXT_DY[b] - BASELINE_PX + TEXT_HALF_PX)
                        for a, b in (("top", "top"), ("value", "grad")))  # heights texts take


@dataclass(frozen=True)
class Columns:
    """Each column's centre, half the width of its texts, and its label room on the left."""

    centres: list[float]
    halves: list[float]
    rooms: list[float]

    def x(self, column: float) -> float:
        return self.centres[int(column)]

    def left(self, column: int) -> float:
        """Where lines into the column level out: left of its label room."""
        return self.centres[column] - self.halves[column] - self.rooms[column]

    def right(self, column: int) -> float:
        return self.centres[column] + self.halves[column]

    @property
    def width(self) -> float:
        return self.right(len(self.centres) - 1) + MARGIN_PX


def columns_of(layout: GraphLayout, halves: dict, reaches: dict) -> Columns:
    """The columns' geometry: `halves` (node -> half its widest text) and `reaches` (node -> how
    far left of its centre its incoming labels reach) decide each column's width."""
    half = [NODE_R + 8.0] * layout.columns  # the selection ring at least
    for node, (column, _) in layout.positions.items():
        half[int(column)] = max(half[int(column)], halves[node])
    room = [0.0] * layout.columns
    for node, (column, _) in layout.positions.items():
        room[int(column)] = max(room[int(column)], reaches[node] - half[int(column)])
    centres, x = [], MARGIN_PX
    for c in range(layout.columns):
        x += room[c] + half[c]
        centres.append(round(x, 1))
        x += half[c] + GAP_PX
    return Columns(centres, half, room)


def label_reach(count: int, chars: int, halves: tuple[float, float, float]) -> float:
    """How far left of a node's centre the labels of its `count` incoming edges (`chars` long at
    most) reach, room to spare included."""
    if not chars:
        return 0.0
    ends = [label_end(dy, halves) for dy in label_heights(count)]
    return max(ends) + chars * EDGE_CHAR_PX + LABEL_PAD_PX


def label_heights(count: int) -> list[float]:
    """The heights of the labels of a node's `count` incoming edges: each just above its line,
    the lowest of several just below its line."""
    lift = EDGE_TEXT_HALF_PX + LABEL_CLEAR_PX
    dys = ports(count, IN_PORT_PX)
    return [dy + (lift if j == count - 1 and count > 1 else -lift) for j, dy in enumerate(dys)]


def label_end(dy: float, halves: tuple[float, float, float]) -> float:
    """How far left of a node's centre a label at height `dy` ends: clear of the selection ring,
    and of the node's texts level with it (`halves`: half the width of its name, inner label and
    numbers)."""
    low, high = dy - EDGE_TEXT_HALF_PX, dy + EDGE_TEXT_HALF_PX
    end = NODE_R + 10
    for (a, b), half in zip((TOP_BAND, (-INNER_HALF_PX, INNER_HALF_PX), UNDER_BAND), halves):
        if low < b and high > a:
            end = max(end, half + LABEL_PAD_PX / 2)
    return end


def ports(count: int, gap: float) -> list[float]:
    """The heights (from the node's centre) of `count` lines at one side of a node, top first;
    three or more sit a little low, between the name above the node and the value under it."""
    low = 2.0 if count > 2 else 0.0
    return [low + (j - (count - 1) / 2) * gap for j in range(count)]


Polyline = list[list[float]]


def routes(edges: list, layout: GraphLayout, columns: Columns, row_y, clear: dict,
           beside: dict, label_chars: list[int], direction: str = "lr"
           ) -> tuple[list[Polyline], list[list[float]]]:
    """Each edge's polyline and its label's centre. `row_y` maps a layout row to pixels; `clear`
    (node -> px): how far from its centre a line keeps off a node's inner text; `beside` (node ->
    three px): half the width of its name, its inner label and its numbers. Top to bottom
    ("tb"), the layout's columns are drawn as rows (x and y swap) and a label sits beside the
    level end of its line, the first of two left of it, else right."""
    pos = layout.positions
    hops = [[pos[u], *layout.bends.get((u, v, k), []), pos[v]] for u, v, k in edges]
    out_dy = _port_heights(edges, [h[1][1] for h in hops], 0, OUT_PORT_PX)
    in_dy = _port_heights(edges, [h[-2][1] for h in hops], 1, IN_PORT_PX)
    turning = [i for i, hop in enumerate(hops) if any(c != int(c) for c, _ in hop)]
    turning.sort(key=lambda i: (-hops[i][0][1], -hops[i][-1][1]))  # nested, so none cross
    turn_rank = {i: rank for rank, i in enumerate(turning)}
    paths, labels = [], []
    for i, ((u, v, _), hop) in enumerate(zip(edges, hops)):
        (cu, ru), (cv, rv) = hop[0], hop[-1]
        y = row_y(ru) + out_dy[i]
        points = [(columns.x(cu) + max(_rim(out_dy[i]), clear[u]), y), (columns.right(int(cu)), y)]
        for j, (column, row) in enumerate(hop[1:-1], start=1):
            wy = row_y(row)
            if column == int(column):  # a lane through a column: level across it
                points += [(columns.left(int(column)), wy), (columns.right(int(column)), wy)]
                continue
            # a turn between bands: level, then up or down; each edge back in a lane of its own
            rank = turn_rank[i]
            wx = (columns.right(math.floor(column)) + GAP_PX / 4 + rank * TURN_PX if column > 0
                  else columns.left(0) - GAP_PX / 4 - (len(turning) - 1 - rank) * TURN_PX)
            if any(c != int(c) and r == row for c, r in (hop[j - 1], hop[j + 1])):
                wy += rank * TURN_PX  # along the gap between bands
            points += [(wx, points[-1][1]), (wx, wy)]
        y = row_y(rv) + in_dy[i]
        if hop[-2][0] != int(hop[-2][0]):  # after a turn: down to the port's height
            points[-1] = (points[-1][0], y)
        tip = columns.x(cv) - max(_rim(in_dy[i]), clear[v]) - 3
        points += [(columns.left(int(cv)), y), (tip + TRIM_PX, y)]  # the player trims it
        into = sorted(in_dy[j] for j, edge in enumerate(edges) if edge[1] == v)
        width = label_chars[i] * EDGE_CHAR_PX
        if direction == "tb":
            side = -1 if len(into) == 2 and in_dy[i] == into[0] else 1
            label = (columns.x(cv) - columns.halves[int(cv)] - LABEL_PAD_PX / 2
                     - EDGE_TEXT_HALF_PX, y + side * (LABEL_CLEAR_PX + width / 2))
            points, label = [p[::-1] for p in points], label[::-1]
        else:
            dy = label_heights(len(into))[into.index(in_dy[i])]
            label = (columns.x(cv) - label_end(dy, beside[v]) - width / 2, row_y(rv) + dy)
        paths.append(_simplified(points))
        labels.append([round(c, 1) for c in label])
    return paths, labels


def _rim(dy: float) -> float:
    """How far right or left of a node's centre a line at height `dy` meets its circle (a line
    below or above it stops at half the radius)."""
    return math.sqrt(max(NODE_R**2 - dy**2, (NODE_R / 2) ** 2))


def _port_heights(edges: list, towards: list[float], end: int, gap: float) -> list[float]:
    """Each edge's port height at its source (end 0) or target (end 1): a node's lines in the
    order of the rows they come from or go to, so they do not cross at the node."""
    by_node: dict = {}
    for i, edge in enumerate(edges):
        by_node.setdefault(edge[end], []).append(i)
    heights = [0.0] * len(edges)
    for group in by_node.values():
        group.sort(key=lambda i: (towards[i], edges[i][1 - end]))
        for i, dy in zip(group, ports(len(group), gap)):
            heights[i] = dy
    return heights


def _simplified(points: list) -> list[list[float]]:
    """The polyline without repeated points and without a middle point of three in a line."""
    kept: list = []
    for p in (tuple(round(c, 1) for c in q) for q in points):
        if kept and p == kept[-1]:
            continue
        if len(kept) >= 2 and _collinear(kept[-2], kept[-1], p):
            kept[-1] = p
        else:
            kept.append(p)
    return [list(p) for p in kept]


def _collinear(a, b, c) -> bool:
    return abs((b[0] - a[0]) * (c[1] - a[1]) - (b[1] - a[1]) * (c[0] - a[0])) < 1e-6
