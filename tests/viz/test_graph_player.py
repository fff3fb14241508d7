"""Edge labels sit beside their edges, never on the line."""

import pytest

from engine.expr import build
from page_models.examples import EXAMPLES, EXAMPLES_BY_KEY
from page_models.graph_record import record_backward
from viz.graph import tensor_graph
from viz.graph_player import (
    EDGE_CHAR_PX,
    EDGE_TEXT_HALF_PX,
    overlaps,
    player_data,
    segment_hits,
    text_boxes,
    without_answers,
)


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


def example_data(example) -> dict:
    built = build(example.source, example.values)
    graph = tensor_graph(record_backward(built.output), {**built.inputs, **built.nodes})
    return player_data(graph, graph_id=example.key)


@pytest.mark.parametrize("example", EXAMPLES, ids=lambda e: e.key)
def test_no_text_covers_another_in_any_step(example):
    """Every step of every built-in example (attention's included): the boxes the player's texts
    take (viz.graph_player.text_boxes: names, values, gradients, edge labels) never overlap."""
    data = example_data(example)
    for k, frame in enumerate(data["frames"]):
        boxes = text_boxes(data, k)
        for i, (text, box, _) in enumerate(boxes):
            over = [other for other, b, _ in boxes[i + 1:] if overlaps(box, b)]
            assert not over, (frame["label"], text, over)


CROWDED = {"attention", "micrograd"}  # a label or two still on a line (see below)


@pytest.mark.parametrize("example", [
    pytest.param(e, marks=pytest.mark.xfail(
        e.key in CROWDED, strict=True,
        reason="a crowded edge's label finds no clear place beside its straight line; needs "
               "edges routed round the nodes' texts")) for e in EXAMPLES], ids=lambda e: e.key)
def test_no_edge_label_covers_a_line_in_any_step(example):
    data = example_data(example)
    lines = [(a, b) for e in data["edges"] for a, b in zip(e["points"], e["points"][1:])]
    for k, frame in enumerate(data["frames"]):
        for text, box, node in text_boxes(data, k):
            if node is None:
                assert not any(segment_hits(box, a, b) for a, b in lines), (frame["label"], text)


def test_the_overlap_test_can_fail():
    assert overlaps((0, 0, 10, 10), (9, 9, 20, 20)) and not overlaps((0, 0, 10, 10), (10, 0, 20, 9))
    assert segment_hits((0, 0, 10, 10), (-5, 5), (15, 5))
    assert not segment_hits((0, 0, 10, 10), (-5, 12), (15, 12))


def test_an_edge_labels_hover_gives_the_exact_contribution_unless_answers_are_hidden():
    data = example_data(EXAMPLES_BY_KEY["neuron"])
    exact = [e["exact"] for e in data["edges"]]
    assert "exactly 0.49226816547519675" in exact  # w1's, 2 σ′(−0.25), in full
    assert next(n for n in data["nodes"] if n["top"] == "t2")["hover"].startswith("t2 = w1 × x1\n")
    assert not any(e["exact"] for e in without_answers(data)["edges"])
