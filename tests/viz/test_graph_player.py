"""Edge labels sit beside their edges, never on a line; no line crosses a text."""

import math

import pytest

from engine.expr import build
from page_models.examples import EXAMPLES, EXAMPLES_BY_KEY
from page_models.graph_record import record_backward
from viz.graph import tensor_graph
from viz.graph_player import (
    EDGE_CHAR_PX,
    EDGE_TEXT_HALF_PX,
    TEXT_DY,
    drawn_as,
    overlaps,
    player_data,
    segment_hits,
    text_boxes,
    without_answers,
)
from viz.graph_routes import TRIM_PX


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


def every_shape(example) -> list[dict]:
    """The example's data as sent and drawn in each other shape (viz.graph_player.drawn_as)."""
    data = example_data(example)
    return [drawn_as(data, shape) for shape in [None, *range(len(data["shapes"]))]]


@pytest.mark.parametrize("example", EXAMPLES, ids=lambda e: e.key)
def test_no_text_covers_another_in_any_step(example):
    """Every step of every built-in example (attention's included), in every shape: the boxes
    the player's texts take (viz.graph_player.text_boxes: names, values, gradients, edge labels)
    never overlap."""
    for data in every_shape(example):
        for k, frame in enumerate(data["frames"]):
            boxes = text_boxes(data, k)
            for i, (text, box, _) in enumerate(boxes):
                over = [other for other, b, _ in boxes[i + 1:] if overlaps(box, b)]
                assert not over, (data["direction"], data["width"], frame["label"], text, over)


def drawn_lines(data: dict) -> list:
    """Every segment the player draws (each line ends TRIM_PX short of its last point: the
    arrow's tip), as (edge, a, b)."""
    segments = []
    for i, edge in enumerate(data["edges"]):
        points = [tuple(p) for p in edge["points"]]
        (ax, ay), (bx, by) = points[-2:]
        cut = TRIM_PX / math.hypot(bx - ax, by - ay)
        points[-1] = (bx - (bx - ax) * cut, by - (by - ay) * cut)
        segments += [(i, a, b) for a, b in zip(points, points[1:])]
    return segments


@pytest.mark.parametrize("example", EXAMPLES, ids=lambda e: e.key)
def test_no_line_crosses_a_text_in_any_step(example):
    """Every step of every built-in example, in every shape (left to right in one band or a few,
    top to bottom): no line (its arrow included) runs through an edge's label or through a
    node's text (name, value, gradient, inner label)."""
    for data in every_shape(example):
        lines = drawn_lines(data)
        for k, frame in enumerate(data["frames"]):
            for text, box, _ in text_boxes(data, k):
                hits = [i for i, a, b in lines if segment_hits(box, a, b)]
                assert not hits, (data["direction"], data["width"], frame["label"], text, hits)


def test_the_line_test_sees_a_line_through_a_text():
    data = example_data(EXAMPLES_BY_KEY["neuron"])
    x, y = data["nodes"][0]["x"], data["nodes"][0]["y"]
    data["edges"][0]["points"] = [[x - 60, y + TEXT_DY["value"] - 4], [x + 200, y + 40]]
    assert any(segment_hits(box, a, b) for _, box, node in text_boxes(data, len(data["frames"]) - 1)
               if node == 0 for _, a, b in drawn_lines(data))


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
    assert any(f["exact"] for f in data["frames"])  # the arithmetic's numbers in full, on hover
    assert not any(f["exact"] for f in without_answers(data)["frames"])
    w1 = next(n for n in data["nodes"] if n["label"] == "w1")  # shown where no inspector is beside
    assert w1["chain"] == ["∂y/∂w1 = ∂y/∂t2 · ∂t2/∂w1 = 0.246 × 2 = 0.492"]
    assert w1["chain_exact"]["0.492"] == "0.49226816547519675"
    assert not any(n["chain"] for n in without_answers(data)["nodes"])
