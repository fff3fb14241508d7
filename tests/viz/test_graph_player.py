"""Edge labels sit beside their edges, never on the line."""

import pytest

from engine.expr import build
from page_models.examples import EXAMPLES
from page_models.graph_record import record_backward
from viz.graph import tensor_graph
from viz.graph_player import EDGE_CHAR_PX, EDGE_TEXT_HALF_PX, player_data
from viz.graph_text import label_anchor, middle_segment


def crosses(box: tuple[float, float, float, float], a, b, samples: int = 200) -> bool:
    """Whether the segment a–b passes through the box (x0, y0, x1, y1)."""
    x0, y0, x1, y1 = box
    return any(x0 <= a[0] + t * (b[0] - a[0]) <= x1 and y0 <= a[1] + t * (b[1] - a[1]) <= y1
               for t in (i / samples for i in range(samples + 1)))


@pytest.mark.parametrize("example", EXAMPLES, ids=lambda e: e.key)
def test_no_edge_label_is_drawn_on_its_edge(example):
    built = build(example.source, example.values)
    graph = tensor_graph(record_backward(built.output), {**built.inputs, **built.nodes})
    data = player_data(graph, graph_id=example.key)
    labelled = 0
    for i, edge in enumerate(data["edges"]):
        chars = max(len(f["edge_texts"].get(str(i), "")) for f in data["frames"])
        if not chars:
            continue
        labelled += 1
        x, y = edge["label"]
        half_width = chars * EDGE_CHAR_PX / 2
        box = (x - half_width, y - EDGE_TEXT_HALF_PX, x + half_width, y + EDGE_TEXT_HALF_PX)
        points = edge["points"]
        assert not any(crosses(box, a, b) for a, b in zip(points, points[1:])), (i, edge)
    assert labelled  # every example's backward pass labels its edges


@pytest.mark.parametrize("path", [
    [(0, 0), (2, 1)], [(0, 0), (2, -1)], [(0, 0), (0, 2)], [(0, 0), (1, -3), (2, 1)],
    [(0, 0), (1, 1), (2, 1), (3, 3)]])
def test_an_edge_label_is_anchored_on_its_middle_segment_nearer_the_child(path):
    (x0, y0), (x1, y1) = middle_segment(path)
    assert (x0, y0) == path[(len(path) - 1) // 2]
    ax, ay = label_anchor(path)
    assert (ax, ay) == pytest.approx((x0 + 0.6 * (x1 - x0), y0 + 0.6 * (y1 - y0)))
