"""Layered layout of a computation graph: inputs on the left, the output on the right.

Each op sits one column right of its deepest operand (topological generations); each leaf sits
just left of its first consumer, so a constant used late does not draw a long edge. The order
inside a column comes from barycenter sweeps (each node moves towards the mean height of its
neighbours), keeping the order with the fewest crossings. A graph deeper than `max_columns` is cut
into bands of columns stacked top to bottom, read like lines of text, so labels keep their room.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import networkx as nx

MAX_COLUMNS = 6  # columns in one band: about 130 px each at the default width of 800 px
SWEEPS = 4  # barycenter sweeps (left to right and back)
BAND_GAP = 0.6  # vertical space between bands, in rows


@dataclass(frozen=True)
class GraphLayout:
    positions: dict[int, tuple[float, float]]  # node -> (column, row); rows grow downwards
    columns: int  # columns in the widest band
    rows: float  # total height in rows


def layered_layout(graph: nx.MultiDiGraph, max_columns: int = MAX_COLUMNS) -> GraphLayout:
    layers = _layers(graph)
    order = _order_layers(graph, layers)
    n_bands = math.ceil(len(order) / max_columns)
    per_band = math.ceil(len(order) / n_bands)
    positions: dict[int, tuple[float, float]] = {}
    top = 0.0
    for band in range(n_bands):
        columns = order[band * per_band : (band + 1) * per_band]
        height = max(len(column) for column in columns)
        for x, column in enumerate(columns):
            for i, node in enumerate(column):
                positions[node] = (float(x), top + (height - 1) / 2 + i - (len(column) - 1) / 2)
        top += height + BAND_GAP
    return GraphLayout(positions, min(per_band, len(order)), top - BAND_GAP)


def _layers(graph: nx.MultiDiGraph) -> dict[int, int]:
    layer: dict[int, int] = {}
    for depth, generation in enumerate(nx.topological_generations(graph)):
        layer.update(dict.fromkeys(generation, depth))
    for node in graph.nodes:
        consumers = list(graph.successors(node))
        if graph.in_degree(node) == 0 and consumers:
            layer[node] = min(layer[c] for c in consumers) - 1
    return layer


def _order_layers(graph: nx.MultiDiGraph, layer: dict[int, int]) -> list[list[int]]:
    order: list[list[int]] = [[] for _ in range(max(layer.values()) + 1)]
    for node in sorted(graph.nodes):
        order[layer[node]].append(node)
    best, best_crossings = [list(c) for c in order], crossings(graph, order)
    for _ in range(SWEEPS):
        for columns, neighbours in ((range(1, len(order)), graph.predecessors),
                                    (range(len(order) - 2, -1, -1), graph.successors)):
            for c in columns:
                rank = _ranks(order)
                order[c].sort(key=lambda n: _barycenter(n, neighbours, rank))
            count = crossings(graph, order)
            if count < best_crossings:
                best, best_crossings = [list(c) for c in order], count
    return best


def _ranks(order: list[list[int]]) -> dict[int, float]:
    """Each node's height in its column, centred on 0 so columns of any size compare."""
    return {n: i - (len(col) - 1) / 2 for col in order for i, n in enumerate(col)}


def _barycenter(node: int, neighbours, rank: dict[int, float]) -> float:
    around = [rank[n] for n in neighbours(node)]
    return sum(around) / len(around) if around else rank[node]


def crossings(graph: nx.MultiDiGraph, order: list[list[int]]) -> int:
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
