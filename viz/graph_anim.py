"""The steps of the forward/backward animation of a computation graph (what each frame shows).

Step 0 is the bare graph. Forward: the leaves show their values, then each op in topological
order shows its value while its incoming edges light up. Backward, in the order the engine's
backward pass reported its edges: the output gets gradient 1, then each step lights the edges
from one node into its operands, labelled with the contribution each carried. A node that feeds
several consumers shows each contribution arriving, then gets a step of its own for their sum.
The last step shows every value and gradient. Gradients are read from the engine, never recomputed.
"""

from __future__ import annotations

import itertools
import math
from collections import Counter
from dataclasses import dataclass, field

import networkx as nx
import numpy as np

from viz import palette
from viz.coded_scale import CodedScale
from viz.graph import defined_as, text_name
from viz.graph_arithmetic import (
    backward_line,
    exact_numbers,
    forward_line,
    gradient_label,
    sum_line,
    tangent_line,
)
from viz.numbers import MINUS, node_text, short_text, summary

Edge = tuple[int, int, int]  # (parent, child, key)
FILL = CodedScale(
    palette.VALUE_SCALE, (palette.NONFINITE, *dict.fromkeys(palette.NODE_KIND.values()))
)
RING = CodedScale(palette.RING_SCALE, (palette.NONFINITE, palette.EDGE))
FILL_HEADROOM = 1.4  # the largest |number| gets 70% of the scale's colour: text on it stays legible
MAX_SUM_TERMS = 3  # a longer sum is written "sum of n contributions"


@dataclass
class Step:
    """What one frame shows. Lists are indexed by node (nodes are 0..n-1)."""

    label: str
    fills: list[float]  # node fill: its value, coded on FILL (the value scale)
    rings: list[float]  # node outline: its gradient, coded on RING (the gradient scale)
    values: list[str]  # text under a node: its value
    gradients: list[str]  # second line: its gradient, or contributions arriving
    lit: list[Edge] = field(default_factory=list)  # edges highlighted in this step
    lit_colour: str = palette.FORWARD
    edge_texts: list[str] = field(default_factory=list)  # a label per lit edge (or none)
    lines: list[str] = field(default_factory=list)  # the step's arithmetic, with numbers
    exact: dict[str, str] = field(default_factory=dict)  # each number in `lines` -> in full


def animation_steps(graph: nx.MultiDiGraph) -> list[Step]:
    nodes = sorted(graph.nodes)
    attrs = graph.nodes
    value_fill = _codes([attrs[n]["value"] for n in nodes], FILL, FILL_HEADROOM)
    gradients = [attrs[n]["gradient"] for n in nodes]
    grad_ring = _codes(gradients, RING)
    state = Step(
        label="the bare graph",
        fills=[FILL.fixed_code(palette.NODE_KIND[attrs[n]["kind"]]) for n in nodes],
        rings=[RING.fixed_code(palette.EDGE)] * len(nodes),
        values=[""] * len(nodes),
        gradients=[""] * len(nodes),
    )
    frames = [_snapshot(state, state.label)]

    def show_value(n: int) -> None:
        state.fills[n] = value_fill[n]
        state.values[n] = node_text(attrs[n]["value"])

    def show_gradient(n: int) -> None:
        state.rings[n] = grad_ring[n]
        state.gradients[n] = "∂ " + node_text(gradients[n])

    for n in nodes:
        if attrs[n]["op"] is None:
            show_value(n)
    forward = [_snapshot(state, "the inputs")]
    for n in nodes:
        if attrs[n]["op"] is not None:
            show_value(n)
            lit = list(graph.in_edges(n, keys=True))
            step = _snapshot(state, defined_as(graph, n), lit, palette.FORWARD)
            step.lines = [forward_line(graph, n)]
            step.exact = exact_numbers(graph, [n], [])
            forward.append(step)
    frames += _numbered("forward", forward)

    backward = []
    events = graph.graph["events"]
    if events:
        output = graph.graph["output"]
        show_gradient(output)
        backward.append(_snapshot(state, f"{gradient_label(graph, output)} = 1"))
        backward += _backward_steps(graph, state, show_gradient)
    frames += _numbered("backward", backward)

    for n in nodes:
        show_value(n)
        if gradients[n] is not None:
            show_gradient(n)
    frames.append(_snapshot(state, "every value and gradient"))
    return frames


def _backward_steps(graph: nx.MultiDiGraph, state: Step, show_gradient) -> list[Step]:
    events = graph.graph["events"]
    expected = Counter(parent for _, parent, _ in events)
    arrived: dict[int, list[Edge]] = {}
    steps = []
    for child, group in itertools.groupby(events, key=lambda e: e[0]):
        lit = [(parent, child, key) for _, parent, key in group]
        completed = []
        for edge in lit:
            parent = edge[0]
            arrived.setdefault(parent, []).append(edge)
            if expected[parent] == 1:
                show_gradient(parent)
            else:
                so_far = _arrivals_text(graph, arrived[parent], expected[parent])
                state.gradients[parent] = "∂ " + so_far
                if len(arrived[parent]) == expected[parent]:
                    completed.append(parent)
        targets = ", ".join(dict.fromkeys(text_name(graph, e[0]) for e in lit))
        label = f"{gradient_label(graph, child)} flows into {targets}"
        step = _backward_snapshot(graph, state, label, lit)
        step.lines = [backward_line(graph, edge, expected[edge[0]]) for edge in lit]
        step.exact = exact_numbers(graph, [], lit)
        steps.append(step)
        for parent in completed:
            show_gradient(parent)
            total = short_text(graph.nodes[parent]["gradient"])
            terms = arrived[parent]
            added = (
                _sum_text(graph, terms)
                if len(terms) <= MAX_SUM_TERMS
                else f"sum of {len(terms)} contributions"
            )
            label = f"{gradient_label(graph, parent)} = {added} = {total}"
            step = _backward_snapshot(graph, state, label, terms)
            step.lines = [sum_line(graph, parent, terms)]
            step.exact = exact_numbers(graph, [parent], terms)
            steps.append(step)
    return steps


def _backward_snapshot(graph, state: Step, label: str, lit: list[Edge]) -> Step:
    texts = [short_text(graph.edges[e]["contribution"], shape=False) for e in lit]
    return _snapshot(state, label, lit, palette.BACKWARD, texts)


def _arrivals_text(graph: nx.MultiDiGraph, edges: list[Edge], expected: int) -> str:
    """Contributions that reached a node so far: a short sum, or how many of how many."""
    scalars = all(graph.edges[e]["contribution"].size == 1 for e in edges)
    if scalars and expected <= MAX_SUM_TERMS:
        return _sum_text(graph, edges)
    return f"{len(edges)}/{expected} in"  # short: it must fit in the node's column


def _sum_text(graph: nx.MultiDiGraph, edges: list[Edge]) -> str:
    """Contributions as a sum: 0.5 + 1.2 − 0.3."""
    texts = [short_text(graph.edges[e]["contribution"]) for e in edges]
    text = texts[0]
    for t in texts[1:]:
        text += f" − {t[1:]}" if t.startswith(MINUS) else f" + {t}"
    return text


def _snapshot(state: Step, label: str, lit=(), colour=palette.FORWARD, texts=()) -> Step:
    return Step(
        label,
        list(state.fills),
        list(state.rings),
        list(state.values),
        list(state.gradients),
        list(lit),
        colour,
        list(texts),
    )


def _numbered(phase: str, steps: list[Step]) -> list[Step]:
    for k, step in enumerate(steps, 1):
        step.label = f"{phase} {k}/{len(steps)}: {step.label}"
    return steps


def _codes(arrays, coded: CodedScale, headroom: float = 1.0) -> list[float | None]:
    """Each array's summary on a diverging scale symmetric around 0 (None stays None); the ends
    of the scale sit at ±headroom × the largest |summary|."""
    numbers = [None if a is None else summary(a) for a in arrays]
    finite = [abs(x) for x in numbers if x is not None and math.isfinite(x)]
    top = max(finite, default=0.0) * headroom
    return [None if x is None else coded.code(x, top) for x in numbers]


def tangent_steps(graph: nx.MultiDiGraph, tangents: dict[int, np.ndarray], source: int
                  ) -> list[Step]:
    """Forward mode from one input: the bare graph, the input's tangent 1, then each op in
    topological order with its value and its tangent ∂node/∂source (the second line under a
    node, written "ṫ"), then every value and tangent. `tangents` maps nodes to the tangents
    page_models.expression_graph.forward_tangents computed."""
    nodes = sorted(graph.nodes)
    attrs = graph.nodes
    value_fill = _codes([attrs[n]["value"] for n in nodes], FILL, FILL_HEADROOM)
    ring = _codes([tangents.get(n) for n in nodes], RING)
    state = Step("the bare graph",
                 [FILL.fixed_code(palette.NODE_KIND[attrs[n]["kind"]]) for n in nodes],
                 [RING.fixed_code(palette.EDGE)] * len(nodes), [""] * len(nodes),
                 [""] * len(nodes))
    frames = [_snapshot(state, state.label)]

    def show(n: int) -> None:
        state.fills[n] = value_fill[n]
        state.values[n] = node_text(attrs[n]["value"])
        if n in tangents:
            state.rings[n] = ring[n]
            state.gradients[n] = "ṫ " + node_text(tangents[n])

    for n in nodes:
        if attrs[n]["op"] is None:
            show(n)
    name = text_name(graph, source)
    steps = [_snapshot(state, f"the inputs; {name} gets the tangent ∂{name}/∂{name} = 1")]
    for n in nodes:
        if attrs[n]["op"] is not None:
            show(n)
            lit = [e for e in graph.in_edges(n, keys=True) if e[0] in tangents]
            step = _snapshot(state, defined_as(graph, n), lit, palette.BACKWARD)
            if n in tangents:
                step.lines = [tangent_line(graph, n, tangents, source)]
                step.exact = exact_numbers(graph, [n], lit, tuple(tangents[e[0]] for e in lit)
                                           + (tangents[n],))
            steps.append(step)
    frames += _numbered("tangent", steps)
    for n in nodes:
        show(n)
    frames.append(_snapshot(state, "every value and tangent"))
    return frames
