"""The arithmetic of one animation step, with the numbers in it (three significant digits).

    forward:   w1 × x1 = 0.5 × 2 = 1
    backward:  ∂y/∂w1 = ∂y/∂t1 · ∂t1/∂w1 = 0.246 × 2 = 0.492      (t1 = w1 × x1)
    fan-out:   ∂z/∂x = 3 (from x × y) + 1 (from z) = 4
    tensors:   ∂s/∂W = G xᵀ: (3,1) → (3,2) = [[…]], with G = ∂s/∂t1 = […]; x = […]

Every number is read from the recorded graph (viz.graph); nothing here runs a pass.
"""

from __future__ import annotations

from string import Formatter

import networkx as nx
import numpy as np

from engine import format_shape
from viz.graph import defined_as, local_derivative, operands_of, text_name
from viz.numbers import MAX_WRITTEN_ENTRIES, entries_text, format_number

Edge = tuple[int, int, int]  # (parent, child, key)


def gradient_label(graph: nx.MultiDiGraph, node: int) -> str:
    """∂s/∂z, with the output's and the node's names (a formula if unnamed).

    A non-scalar output h is seeded with ones, so its gradients are those of Σh: the label says so.
    """
    output = graph.graph["output"]
    name = text_name(graph, output)
    scalar = np.size(graph.nodes[output]["value"]) == 1
    return f"∂{name if scalar else f'(Σ{name})'}/∂{text_name(graph, node)}"


def forward_line(graph: nx.MultiDiGraph, node: int) -> str:
    """`w1 × x1 = 0.5 × 2 = 1`; with tensors, the shapes, then the entries (or a summary)."""
    attrs = graph.nodes[node]
    op = attrs["op"]
    operands = [u for u, _ in operands_of(graph, node)]
    value = entries_text(attrs["value"])
    values = [graph.nodes[u]["value"] for u in operands]
    if all(np.size(v) == 1 for v in values):
        texts = [entries_text(v) for v in values]
        numbers = op.written(texts, attrs["tensor"].attrs)
        return f"{defined_as(graph, node)} = {numbers} = {value}"
    shapes = [format_shape(np.shape(v)) for v in values]
    rule = f" {op.symbol} ".join(shapes) if op.infix else f"{op.name} {', '.join(shapes)}"
    return f"{defined_as(graph, node)}: {rule} → {format_shape(attrs['shape'])} = {value}"


def backward_line(graph: nx.MultiDiGraph, edge: Edge, consumers: int) -> str:
    """The chain rule along one edge, with numbers. With several consumers, the line says which
    contribution this is (their sum comes in its own step)."""
    parent, child, key = edge
    contribution = graph.edges[edge]["contribution"]
    upstream, local = gradient_label(graph, child), _local_label(graph, child, parent)
    lhs = gradient_label(graph, parent)
    if consumers > 1:
        lhs = f"{lhs} (the part from {text_name(graph, child)})"
    g = graph.nodes[child]["gradient"]
    d = local_derivative(graph, child, key)
    result = entries_text(contribution)
    if d is not None and np.size(g) == 1 and d.size == 1:
        return (f"{lhs} = {upstream} · {local} = {entries_text(g)} × {entries_text(d)} "
                f"= {result}")
    op = graph.nodes[child]["op"]
    if key < len(op.rule) and op.rule[key]:
        return _rule_line(graph, edge, lhs, upstream, result)
    if d is not None and d.size <= MAX_WRITTEN_ENTRIES:
        return (f"{lhs} = {upstream} ⊙ {local} = {entries_text(g)} ⊙ {entries_text(d)} "
                f"= {result}")
    shapes = f"{format_shape(np.shape(g))} → {format_shape(np.shape(contribution))}"
    return f"{lhs} = {upstream} through {op.title}: {shapes} = {result}"


def sum_line(graph: nx.MultiDiGraph, parent: int, edges: list[Edge]) -> str:
    """A gradient that several consumers sent: each contribution named, then the sum."""
    terms = [f"{entries_text(graph.edges[e]['contribution'])} (from {text_name(graph, e[1])})"
             for e in edges]
    total = entries_text(graph.nodes[parent]["gradient"])
    return f"{gradient_label(graph, parent)} = {' + '.join(terms)} = {total}"


def gradient_lines(graph: nx.MultiDiGraph, node: int) -> list[str]:
    """How `node` got its gradient: the chain rule along each edge to a consumer that sent one
    back, then their sum if several did (the output: its seed 1; no gradient: nothing)."""
    if graph.nodes[node]["gradient"] is None:
        return []
    if node == graph.graph["output"]:
        return [f"{gradient_label(graph, node)} = 1"]
    received = [e for e in graph.out_edges(node, keys=True)
                if graph.edges[e]["contribution"] is not None]
    lines = [backward_line(graph, e, len(received)) for e in received]
    return lines + ([sum_line(graph, node, received)] if len(received) > 1 else [])


def _local_label(graph: nx.MultiDiGraph, child: int, parent: int) -> str:
    return f"∂{text_name(graph, child)}/∂{text_name(graph, parent)}"


def _rule_line(graph, edge: Edge, lhs: str, upstream: str, result: str) -> str:
    """The op's own rule for this VJP (Op.rule) with the names in it, the shapes, the result,
    and the values the rule reads where they are small enough to write."""
    parent, child, key = edge
    rule = graph.nodes[child]["op"].rule[key]
    operands = [u for u, _ in operands_of(graph, child)]
    nodes = {str(i): u for i, u in enumerate(operands)} | {"out": child}
    read = dict.fromkeys(field for _, field, _, _ in Formatter().parse(rule) if field)
    written = rule.format(*[text_name(graph, u) for u in operands], out=text_name(graph, child))
    g = graph.nodes[child]["gradient"]
    values = [(f"G = {upstream}", g)] + [
        (text_name(graph, nodes[f]), graph.nodes[nodes[f]]["value"]) for f in read]
    known = [f"{label} = {entries_text(v)}" for label, v in values
             if np.size(v) <= MAX_WRITTEN_ENTRIES]
    shapes = f"{format_shape(np.shape(g))} → {format_shape(graph.nodes[parent]['shape'])}"
    return f"{lhs} = {written}: {shapes} = {result}" + (f", with {'; '.join(known)}" if known
                                                         else "")


def tangent_line(graph: nx.MultiDiGraph, node: int, tangents: dict, source: int) -> str:
    """Forward mode's chain rule at one node: ∂node/∂x = Σ ∂node/∂operand · ∂operand/∂x."""
    src = text_name(graph, source)
    name = text_name(graph, node)
    terms, numbers = [], []
    for parent, key in operands_of(graph, node):
        if parent not in tangents:
            continue
        operand = text_name(graph, parent)
        terms.append(f"∂{name}/∂{operand} · ∂{operand}/∂{src}")
        d = local_derivative(graph, node, key)
        if d is not None and d.size == 1 and np.size(tangents[parent]) == 1:
            numbers.append(f"{entries_text(d)} × {entries_text(tangents[parent])}")
    written = f" = {' + '.join(numbers)}" if len(numbers) == len(terms) else ""
    return f"∂{name}/∂{src} = {' + '.join(terms)}{written} = {entries_text(tangents[node])}"


def exact_numbers(graph: nx.MultiDiGraph, nodes: list[int], edges: list[Edge],
                  more: tuple = ()) -> dict[str, str]:
    """Each number a step's arithmetic writes (3 significant digits) -> its exact value, for the
    hover: the values of `nodes` and of the operands of each, the gradients, local derivatives
    and contributions of `edges`, and `more` arrays; every entry of an array small enough to be
    written out."""
    arrays = list(more)
    for node in nodes:
        arrays += [graph.nodes[u]["value"] for u, _ in operands_of(graph, node)]
        arrays += [graph.nodes[node]["value"], graph.nodes[node]["gradient"]]
    for parent, child, key in edges:
        arrays += [graph.nodes[child]["gradient"], local_derivative(graph, child, key),
                   graph.edges[parent, child, key]["contribution"]]
        arrays += [graph.nodes[u]["value"] for u, _ in operands_of(graph, child)]
    exact: dict[str, list[str]] = {}
    for array in arrays:
        if array is not None and np.size(array) <= MAX_WRITTEN_ENTRIES:
            for x in np.asarray(array, dtype=float).reshape(-1):
                full = repr(float(x))
                if full not in exact.setdefault(format_number(x), [full]):
                    exact[format_number(x)].append(full)
    return {short: " or ".join(fulls) for short, fulls in exact.items()}
