"""Layered layout of a computation graph: inputs on the left, the output on the right.

Each op sits one column right of its deepest operand (topological generations); each leaf sits
just left of its first consumer, so a constant used late does not draw a long edge. The order
inside a column comes from barycenter sweeps (each node moves towards the mean height of its
neighbours), keeping the order with the fewest crossings; an edge that spans several columns gets
a lane in each column it passes, so it goes round the nodes. A graph deeper than `max_columns` is
cut into bands of columns stacked top to bottom, read like lines of text, so labels keep their
room.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import networkx as nx

MAX_COLUMNS = 6  # columns in one band unless the caller knows more fit
SWEEPS = 4  # barycenter sweeps (left to right and back)
BAND_GAP = 0.6  # vertical space between bands, in rows
LANE_HEIGHT = 0.45  # rows a long edge takes where it passes a column


@dataclass(frozen=True)
class GraphLayout:
    positions: dict[int, tuple[float, float]]  # node -> (column, row); rows grow downwards
    bends: dict[tuple[int, int, int], list[tuple[float, float]]]  # waypoints of long edges
    columns: int  # columns in the widest band
    rows: float  # total height in rows


def layered_layout(graph: nx.MultiDiGraph, max_columns: int = MAX_COLUMNS) -> GraphLayout:
    """Positions of the nodes, and waypoints for edges that span several columns: such an edge
    gets a lane of its own (a "dummy node" in every column it passes) so it goes round nodes.
    An edge into the next band leaves its band to the right, runs back left through the gap
    under it, and enters the next band from the left, never across other nodes."""
    layers = _layers(graph)
    routed, lanes = _with_lanes(graph, layers)
    order = _order_layers(routed, layers)
    n_bands = math.ceil(len(order) / max_columns)
    starts = _band_starts(_cut_sizes(routed, layers, len(order)), n_bands, max_columns)
    bands = list(zip(starts, [*starts[1:], len(order)]))
    points: dict = {}
    band_of: dict = {}
    returns = []  # per band, the two turns of an edge into the next band
    top = 0.0
    for band, (start, end) in enumerate(bands):
        columns = order[start:end]
        height = max(_height(column) for column in columns)
        for x, column in enumerate(columns):
            y = top + (height - _height(column)) / 2
            for item in column:
                size = _size(item)
                points[item] = (float(x), y + size / 2 - 0.5)
                band_of[item] = band
                y += size
        gap = top + height - 0.5 + BAND_GAP / 2
        returns.append([(end - start - 0.5, gap), (-0.5, gap)])
        top += height + BAND_GAP
    bends = {}
    for u, v, key in graph.edges(keys=True):
        path = [u, *lanes.get((u, v, key), []), v]
        waypoints = []
        for a, b in zip(path, path[1:]):
            if band_of[a] != band_of[b]:  # down the left side to b's height, then into b
                waypoints += [*returns[band_of[a]], (-0.5, points[b][1])]
            if b != v:
                waypoints.append(points[b])
        if waypoints:
            bends[u, v, key] = waypoints
    positions = {n: points[n] for n in graph.nodes}
    widest = max(end - start for start, end in bands)
    return GraphLayout(positions, bends, widest, top - BAND_GAP)


def _cut_sizes(routed: nx.DiGraph, layer: dict, n_columns: int) -> list[int]:
    """How many edges (lanes included) run from each column into the next."""
    sizes = [0] * n_columns
    for u, _ in routed.edges():
        sizes[layer[u]] += 1
    return sizes


def _band_starts(cut_sizes: list[int], n_bands: int, max_columns: int) -> list[int]:
    """The first column of each of `n_bands` bands of at most `max_columns` columns, cut where
    the fewest edges have to run from the end of one band to the start of the next (those are
    the long edges back), then with the widest band as narrow as can be."""
    n = len(cut_sizes)
    best: dict = {(0, 0): ((0, 0), 0)}  # (bands, columns) -> ((edges cut, widest band), start)
    for bands in range(1, n_bands + 1):
        for end in range(1, n + 1):
            options = []
            for start in range(max(0, end - max_columns), end):
                if (bands - 1, start) in best:
                    (cut, widest), _ = best[bands - 1, start]
                    cut += cut_sizes[start - 1] if start else 0
                    options.append(((cut, max(widest, end - start)), start))
            if options:
                best[bands, end] = min(options)
    starts, end = [], n
    for bands in range(n_bands, 0, -1):
        end = best[bands, end][1]
        starts.append(end)
    return starts[::-1]


def _size(item) -> float:
    return LANE_HEIGHT if isinstance(item, tuple) else 1.0


def _height(column: list) -> float:
    return sum(_size(item) for item in column)


def _layers(graph: nx.MultiDiGraph) -> dict:
    layer: dict = {}
    for depth, generation in enumerate(nx.topological_generations(graph)):
        layer.update(dict.fromkeys(generation, depth))
    for node in graph.nodes:
        consumers = list(graph.successors(node))
        if graph.in_degree(node) == 0 and consumers:
            layer[node] = min(layer[c] for c in consumers) - 1
    return layer


def _with_lanes(graph: nx.MultiDiGraph, layer: dict) -> tuple[nx.DiGraph, dict]:
    """The graph with each long edge cut into one-column steps through lane nodes (tuples),
    and each long edge's lane nodes; `layer` gains the lanes' columns."""
    routed = nx.DiGraph()
    routed.add_nodes_from(sorted(graph.nodes))
    lanes = {}
    for u, v, key in graph.edges(keys=True):
        lane = [("lane", u, v, key, i) for i in range(layer[u] + 1, layer[v])]
        layer.update({item: item[-1] for item in lane})
        path = [u, *lane, v]
        routed.add_edges_from(zip(path, path[1:]))
        if lane:
            lanes[u, v, key] = lane
    return routed, lanes


def _order_layers(graph: nx.DiGraph, layer: dict) -> list[list]:
    order: list[list] = [[] for _ in range(max(layer.values()) + 1)]
    for node in graph.nodes:
        order[layer[node]].append(node)
    best, best_crossings = [list(c) for c in order], crossings(graph, order)
    for _ in range(SWEEPS):
        for columns, neighbours, side in ((range(1, len(order)), graph.predecessors, -1),
                                          (range(len(order) - 2, -1, -1), graph.successors, 1)):
            for c in columns:
                rank = _ranks([order[c], order[c + side]])  # every edge joins neighbouring columns
                order[c].sort(key=lambda n: _barycenter(n, neighbours, rank))
            count = crossings(graph, order)
            if count < best_crossings:
                best, best_crossings = [list(c) for c in order], count
    return best


def _ranks(order: list[list]) -> dict:
    """Each node's height in its column, centred on 0 so columns of any size compare."""
    return {n: i - (len(col) - 1) / 2 for col in order for i, n in enumerate(col)}


def _barycenter(node, neighbours, rank: dict) -> float:
    around = [rank[n] for n in neighbours(node)]
    return sum(around) / len(around) if around else rank[node]


def crossings(graph: nx.DiGraph, order: list[list]) -> int:
    """Pairs of edges between the same two adjacent columns that cross each other."""
    where = {n: (c, i) for c, col in enumerate(order) for i, n in enumerate(col)}
    spans: dict[int, list[tuple[int, int]]] = {}
    for u, v in graph.edges():
        (cu, iu), (cv, iv) = where[u], where[v]
        if cv == cu + 1:
            spans.setdefault(cu, []).append((iu, iv))
    total = 0
    for edges in spans.values():
        for k, (a1, b1) in enumerate(edges):
            total += sum(1 for a2, b2 in edges[k + 1 :] if (a1 - a2) * (b1 - b2) < 0)
    return total
