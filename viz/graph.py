"""A computation graph of engine Tensors as a networkx graph, with the facts a page shows.

`tensor_graph(record_backward(output), names)` turns a recorded backward pass
(page_models.graph_record) into a graph in which each edge knows the gradient contribution it
carried. Any Tensor graph works (an expression, a network's training step); `viz.graph_player`
draws it.

Nodes are numbered in topological order (parents first). Node attributes: kind ("input",
"parameter", "constant", "op"), op (an engine Op or None), symbol, name (display name or None),
formula, shape, value, gradient (None where no gradient flows), tensor; a node whose op is
written neither infix nor as a call (a subscript) is labelled as written, with its named
operands (p[2], W[:, 1], …[…, y]) in place of a symbol. Edges run parent -> child, keyed by
operand position (x * x has two edges), with the attribute contribution (the gradient the edge
carried backward, or None). graph.graph holds output (its node) and events: the (child, parent,
key) edges in the order the backward pass reported them.
"""

from __future__ import annotations

import itertools
from collections import Counter
from collections.abc import Mapping

import networkx as nx
import numpy as np

from engine import Tensor, format_shape, unbroadcast
from page_models.graph_record import BackwardRecord
from viz.numbers import short_text

MAX_FORMULA_CHARS = 28  # longer formulas of unnamed nodes are abbreviated with …


def tensor_graph(record: BackwardRecord, names: Mapping[str, Tensor] | None = None
                 ) -> nx.MultiDiGraph:
    """The graph of a recorded backward pass (page_models.graph_record), with values, gradients
    and contributions. `names` maps display names to tensors (a tensor's own .name is the
    fallback). Nothing is computed here: gradients and contributions are read from the record."""
    ids = {tensor: i for i, tensor in enumerate(record.order)}
    display = {tensor: name for name, tensor in (names or {}).items()}
    graph = nx.MultiDiGraph(output=ids[record.output], events=[])
    for tensor in record.order:
        for key, parent in enumerate(tensor.parents):
            graph.add_edge(ids[parent], ids[tensor], key=key, contribution=None)
    next_operand: dict[Tensor, int] = {}
    for child, parent, contribution in record.events:  # the k-th report of a (child, parent)
        start = next_operand.get(child, 0)  # pair belongs to its k-th operand slot
        key = next(k for k in range(start, len(child.parents)) if child.parents[k] is parent)
        next_operand[child] = key + 1
        u, v = ids[parent], ids[child]
        graph.edges[u, v, key]["contribution"] = contribution
        graph.graph["events"].append((v, u, key))
    for tensor, i in ids.items():
        name = display.get(tensor, tensor.name)
        graph.add_node(
            i,
            kind=_kind(tensor, name),
            op=tensor.op,
            symbol=tensor.op.symbol if tensor.op else None,
            name=name,
            shape=tensor.shape,
            value=tensor.data,
            gradient=record.gradients.get(tensor),
            tensor=tensor,
        )
    _name_intermediates(graph)
    for i in graph.nodes:
        attrs = graph.nodes[i]
        attrs["formula"] = formula(graph, i)
        if attrs["op"] is not None and attrs["op"].notation is not None:  # p[2], …[…, y]
            names = [graph.nodes[u]["name"] or "…" for u, _ in operands_of(graph, i)]
            attrs["symbol"] = attrs["op"].written(names, attrs["tensor"].attrs)
    return graph


def _name_intermediates(graph: nx.MultiDiGraph) -> None:
    """Give each unnamed op node a short name, t1, t2, … in topological order (its attribute
    "short"; None elsewhere), skipping names the program uses; a subscript of named operands
    needs none (it reads as written, p[2])."""
    taken = {graph.nodes[n]["name"] for n in graph.nodes}
    names = (f"t{k}" for k in itertools.count(1) if f"t{k}" not in taken)
    for n in sorted(graph.nodes):
        attrs = graph.nodes[n]
        written = attrs["op"] is not None and attrs["op"].notation is not None and all(
            graph.nodes[u]["name"] for u, _ in operands_of(graph, n))
        unnamed = attrs["op"] is not None and not attrs["name"] and not written
        attrs["short"] = next(names) if unnamed else None


def _kind(tensor: Tensor, name: str | None) -> str:
    if tensor.op is not None:
        return "op"
    if tensor.requires_grad:
        return "parameter"
    return "input" if name else "constant"


def display_label(graph: nx.MultiDiGraph, node: int) -> str:
    """How a node is named in text: its name (or short name, t1), a constant's value, else its op
    symbol."""
    attrs = graph.nodes[node]
    if attrs["name"] or attrs.get("short"):
        return attrs["name"] or attrs["short"]
    if attrs["kind"] == "constant":
        return short_text(attrs["value"])
    return attrs["symbol"] or "?"


def formula(graph: nx.MultiDiGraph, node: int, depth: int = 2) -> str:
    """The expression that computes a node from its operands: "tanh(z)", "t1 + b", "p[2]" (an
    unnamed operand by its short name; before the short names are given, `depth` levels of its
    own formula, "(W @ x) + b", as node_keys reads it)."""
    op = graph.nodes[node]["op"]
    if op is None:
        return display_label(graph, node)
    attrs = graph.nodes[node]["tensor"].attrs
    operands = [_operand_text(graph, u, depth, op.infix) for u, _ in operands_of(graph, node)]
    text = op.written(operands, attrs)
    if len(text) <= MAX_FORMULA_CHARS:
        return text
    if op.notation is None:
        return f"{op.name}(…)"
    named = [text if graph.nodes[u]["name"] else "…"
             for (u, _), text in zip(operands_of(graph, node)[1:], operands[1:])]
    shorter = op.written(operands[:1] + named, attrs)  # log_softmax(z)[…, y]
    return shorter if len(shorter) <= MAX_FORMULA_CHARS else op.written(["…"] * len(operands),
                                                                         attrs)


def _operand_text(graph: nx.MultiDiGraph, node: int, depth: int, in_infix: bool) -> str:
    attrs = graph.nodes[node]
    if attrs["op"] is None or attrs["name"] or attrs.get("short"):
        return display_label(graph, node)
    if depth <= 0:
        return "…"
    inner = formula(graph, node, depth - 1)
    return f"({inner})" if in_infix and attrs["op"].infix else inner


def text_name(graph: nx.MultiDiGraph, node: int) -> str:
    """A node in running text: its name or short name (t1), else a constant's value."""
    return display_label(graph, node)


def defined_as(graph: nx.MultiDiGraph, node: int) -> str:
    """An op node as it is defined, "t1 = x × y", "h = sigmoid(z)"; a leaf by its name."""
    attrs = graph.nodes[node]
    label = display_label(graph, node)
    written = attrs["op"] is None or label == attrs["formula"]  # a leaf, p[2]
    return label if written else f"{label} = {attrs['formula']}"


def node_keys(graph: nx.MultiDiGraph) -> dict[int, str]:
    """A key for each node that survives edits elsewhere in the program (unlike its number or
    short name): its name, else its formula written out, with " #2", " #3" … on later nodes of
    the same key."""
    unnamed = nx.MultiDiGraph(graph)  # the formulas as if no node had a short name
    for n in unnamed.nodes:
        unnamed.nodes[n]["short"] = None
    seen: Counter[str] = Counter()
    keys = {}
    for node in sorted(graph.nodes):
        attrs = unnamed.nodes[node]
        name = (display_label(unnamed, node) if attrs["name"] or attrs["op"] is None
                else f"({formula(unnamed, node)})")
        seen[name] += 1
        keys[node] = name if seen[name] == 1 else f"{name} #{seen[name]}"
    return keys


def operands_of(graph: nx.MultiDiGraph, node: int) -> list[tuple[int, int]]:
    """(parent, key) of each operand of `node`, in operand order."""
    return sorted(((u, k) for u, _, k in graph.in_edges(node, keys=True)), key=lambda e: e[1])


def local_derivative(graph: nx.MultiDiGraph, node: int, key: int) -> np.ndarray | None:
    """∂node/∂operand `key`, elementwise, where that is one array of the operand's shape.

    That holds for an elementwise op whose operand has the output's shape (the Jacobian is
    diagonal; this is its diagonal) and for any op with a scalar output (the Jacobian is one row).
    Otherwise (matmul, a broadcast operand, a reduction to a vector) it is None.
    """
    tensor: Tensor = graph.nodes[node]["tensor"]
    op, parent = tensor.op, tensor.parents[key]
    elementwise = op.kind == "elementwise" and parent.shape == tensor.shape
    if op.vjps[key] is None or not (elementwise or tensor.size == 1):
        return None
    inputs = [p.data for p in tensor.parents]
    with np.errstate(all="ignore"):
        d = op.vjps[key](np.ones_like(tensor.data), tensor.data, *inputs, **tensor.attrs)
        return np.array(unbroadcast(np.asarray(d), parent.shape))


def first_nonfinite_node(graph: nx.MultiDiGraph, attribute: str) -> int | None:
    """The first node whose `attribute` ("value" or "gradient") holds inf or nan, in the order the
    attribute is computed: values forward (topological order), gradients backward."""
    order = sorted(graph.nodes, reverse=attribute == "gradient")
    return next((n for n in order if graph.nodes[n][attribute] is not None
                 and not np.isfinite(graph.nodes[n][attribute]).all()), None)


def shape_rule(graph: nx.MultiDiGraph, node: int) -> str:
    """How an op maps shapes: "(32,2) @ (2,8) → (32,8)", "tanh (3,) → (3,)"."""
    attrs = graph.nodes[node]
    op = attrs["op"]
    if op is None:
        return format_shape(attrs["shape"])
    shapes = [format_shape(graph.nodes[u]["shape"]) for u, _ in operands_of(graph, node)]
    operands = f" {op.symbol} ".join(shapes) if op.infix else f"{op.symbol} {', '.join(shapes)}"
    return f"{operands} → {format_shape(attrs['shape'])}"
