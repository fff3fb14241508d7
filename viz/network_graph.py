"""The Network Builder's computation graphs in the graph player (ui.graph_player): the tensor
shapes on the nodes, the legend of a tensor's text, and the live point graph's frames.

    data = with_shapes(player_data(graph, graph_id), graph)   # shapes above the nodes
    legend = shape_legend(data)                                # what "(32,8) ±5.3" means
    frames = live_frames(point_frames)                         # the live player sends these

A live frame is the graph player's last step ("every value and gradient") of one epoch, as
viz.graph_player draws it: its values, gradients and colours; the live player's JS hands it to
the mounted graph player (the "bp-graph-live" event of viz/assets/graph_player.js).
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence

import networkx as nx

from engine import format_shape
from page_models.point_graph import PointFrame
from viz import palette
from viz.graph_anim import FILL, FILL_HEADROOM, RING, _codes
from viz.numbers import node_text

__all__ = ["live_frames", "shape_legend", "with_shapes"]

TENSOR_TEXT = re.compile(r"^\((\d+(?:,\d*)*)\) ±(\S+)$")  # node_text of an array: "(32,8) ±5.3"


def with_shapes(data: dict, graph: nx.MultiDiGraph) -> dict:
    """The player's `data` with each node's shape above it (after its name, if it has one)."""
    nodes = []
    for node, n in zip(data["nodes"], sorted(graph.nodes)):
        shape = graph.nodes[n]["shape"]
        shape = format_shape(shape) if shape else "scalar"
        nodes.append({**node, "top": f"{node['top']} {shape}".strip()})
    return {**data, "nodes": nodes}


def shape_legend(data: dict) -> str:
    """How to read a node's texts, with an example from `data`'s last step (its largest
    tensor)."""
    tensors = [m for text in data["frames"][-1]["values"] if (m := TENSOR_TEXT.match(text))]
    how = "Above a node: its shape. Under it: its value, then its gradient ∂L/∂node (∂ …)."
    if not tensors:
        return how
    example = max(tensors, key=lambda m: math.prod(map(int, filter(None, m[1].split(",")))))
    dims, largest = example.groups()
    size = " × ".join(filter(None, dims.split(",")))
    return (f"{how} A tensor shows its shape and its largest entry in size: "
            f"“{example.group(0)}” is {_article(size)} {size} array whose entries all lie "
            f"between −{largest} and {largest}.")


def _article(size: str) -> str:
    """"an" before a size that is said with a vowel first ("an 8 × 8", "an 18 × 2"), else "a"."""
    first = size.split()[0]
    return "an" if first.startswith("8") or first in ("11", "18") else "a"


def live_frames(frames: Sequence[PointFrame], label: str = "") -> list[dict]:
    """Each epoch's last step of the point graph, as viz.graph_player's frames hold it: the
    texts under the nodes and the colours (fill: value, ring: gradient)."""
    out = []
    for frame in frames:
        fills = _codes(frame.values, FILL, FILL_HEADROOM)
        rings = _codes(frame.gradients, RING)
        edge = RING.fixed_code(palette.EDGE)
        out.append({
            "epoch": frame.epoch,
            "label": f"epoch {frame.epoch}: every value and gradient{label}",
            "values": [node_text(v) for v in frame.values],
            "grads": ["" if g is None else "∂ " + node_text(g) for g in frame.gradients],
            "fills": [FILL.colour(c) for c in fills],
            "rings": [RING.colour(edge if c is None else c) for c in rings],
        })
    return out
