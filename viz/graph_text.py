"""What the graph player writes beside a graph's nodes: a node's hover text."""

from __future__ import annotations

import networkx as nx

from viz.graph import local_derivative, operands_of, shape_rule, text_name
from viz.graph_anim import gradient_label
from viz.numbers import full_text

__all__ = ["hover_text"]


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
