"""Tables and warnings the Expression Graph page shows beside the graph, as plain data."""

from __future__ import annotations

import networkx as nx

from engine import format_shape
from engine.gradcheck import InputCheck
from viz.graph import defined_as, first_nonfinite_node, text_name
from viz.numbers import entries_text, node_text, short_text

TABLE_ENTRIES = 4  # arrays up to this size are written out in a table cell


def cell(value) -> str:
    """A value in a table cell: its entries if few, else its shape and ± its largest |entry|."""
    return entries_text(value, TABLE_ENTRIES) if value.size <= TABLE_ENTRIES else node_text(value)


def node_labels(graph: nx.MultiDiGraph) -> dict[int, str]:
    """Each node as the node picker lists it: "h = sigmoid(z)", "W", "t1 = x × y"."""
    return {n: defined_as(graph, n) for n in sorted(graph.nodes)}


def nonfinite_warning(graph: nx.MultiDiGraph, statement_of) -> str | None:
    """Where the values, or else the gradients, first stop being finite; `statement_of(tensor)`
    is the program statement that made a tensor (or None)."""
    for attribute, what in (("value", "values"), ("gradient", "gradients (backward pass)")):
        node = first_nonfinite_node(graph, attribute)
        if node is None:
            continue
        line = getattr(statement_of(graph.nodes[node]["tensor"]), "line", None)
        where = f" in line {line}" if line is not None else ""
        return (f"The {what} first become inf or nan at **{text_name(graph, node)}**{where}: "
                f"{short_text(graph.nodes[node][attribute])}. Nodes holding inf or nan are "
                "orange.")
    return None


def gradcheck_table(checks: list[InputCheck]) -> dict[str, list[str]]:
    return {
        "parameter": [c.name for c in checks],
        "shape": [format_shape(c.analytic.shape) for c in checks],
        "backward": [cell(c.analytic) for c in checks],
        "central difference": [cell(c.numeric) for c in checks],
        "abs / rel error": [f"{c.max_abs_error:.0e} / {c.max_rel_error:.0e}" for c in checks],
        "pass": ["✓" if c.passed else "✗ fail" for c in checks],
    }


def accumulation_table(twice: dict) -> dict[str, list[str]]:
    """Gradients after one backward pass, after two without zero_grad, after zero_grad."""
    return {
        "parameter": list(twice),
        "after 1 backward": [cell(a) for a, _ in twice.values()],
        "after 2, no zero_grad": [cell(b) for _, b in twice.values()],
        "after zero_grad": ["None"] * len(twice),
    }
