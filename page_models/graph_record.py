"""One backward pass, recorded: what a graph figure or an inspector shows, read once.

    record = record_backward(loss)   # runs loss.backward() once, with the engine's observer

Figure builders (viz/) draw from a record and never run the backward pass themselves. The record
holds each tensor's gradient as a copy, so later passes (an accumulation demo, a gradient check)
do not change what it shows.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from engine import Tensor, topological_order
from engine.limits import MAX_GRAPH_NODES, check_limit


@dataclass(frozen=True)
class BackwardRecord:
    """The graph of everything `output` depends on, and what one backward pass sent through it."""

    output: Tensor
    order: tuple[Tensor, ...]  # parents before children
    gradients: dict[Tensor, np.ndarray]  # every tensor that received a gradient
    events: tuple[tuple[Tensor, Tensor, np.ndarray], ...]  # (child, parent, contribution), in
    # the order of the pass; a tensor's gradient is the sum of the contributions into it


def record_backward(output: Tensor, max_nodes: int = MAX_GRAPH_NODES) -> BackwardRecord:
    """Clear the gradients of the graph under `output`, run output.backward() once (seeded with
    ones if it is not a scalar) if it depends on a parameter, and record what it sent."""
    order = tuple(topological_order(output))
    check_limit("The number of graph nodes", len(order), max_nodes)
    events: list[tuple[Tensor, Tensor, np.ndarray]] = []
    for tensor in order:
        tensor.zero_grad()
    if output.requires_grad:
        output.backward(np.ones_like(output.data),
                        observer=lambda child, parent, g: events.append((child, parent,
                                                                          np.array(g))))
    gradients = {t: np.array(t.grad) for t in order if t.grad is not None}
    return BackwardRecord(output, order, gradients, tuple(events))
