"""The computation-graph figure: graph facts, layout, animation steps and frames."""

from __future__ import annotations

import math

import networkx as nx
import numpy as np
import pytest

from engine import LimitError, Tensor
from page_models.graph_record import record_backward
from viz import palette
from viz.coded_scale import CodedScale
from viz.graph import (
    first_nonfinite_node,
    formula,
    local_derivative,
    node_keys,
    shape_rule,
    tensor_graph,
)
from viz.graph_anim import FILL, RING, animation_steps
from viz.graph_layout import MAX_COLUMNS, _band_starts, crossings, layered_layout
from viz.graph_text import hover_text
from viz.numbers import format_number, full_text, short_text


def graph_of(output, names=None):
    """The graph of `output` after one recorded backward pass."""
    return tensor_graph(record_backward(output), names)


def neuron():
    """s = sum(u * sigmoid(W @ x + b)): 4 leaves, 5 ops."""
    W = Tensor([[0.5, -1.0], [0.3, 0.8]], requires_grad=True, name="W")
    x = Tensor([1.0, 2.0], name="x")
    b = Tensor([0.1, -0.2], requires_grad=True, name="b")
    u = Tensor([1.0, -1.0], name="u")
    z = W @ x + b
    h = z.sigmoid()
    s = (u * h).sum()
    return s, {"W": W, "x": x, "b": b, "u": u, "z": z, "h": h, "s": s}


def fan_out():
    """f = x * y + x with x = 2, y = 3: x feeds two consumers, ∂f/∂x = y + 1 = 4."""
    x = Tensor(2.0, requires_grad=True, name="x")
    y = Tensor(3.0, requires_grad=True, name="y")
    f = x * y + x
    return f, {"x": x, "y": y, "f": f}


def square():
    x = Tensor(3.0, requires_grad=True, name="x")
    f = x * x
    return f, {"x": x, "f": f}


def node_named(graph, name):
    return next(n for n in graph.nodes if graph.nodes[n]["name"] == name)


def chain(n_ops: int):
    h = Tensor(0.5, requires_grad=True, name="x")
    for _ in range(n_ops):
        h = h.tanh()
    return h


# ---- the graph ----------------------------------------------------------------------------------


@pytest.mark.parametrize("build, nodes, edges", [(neuron, 9, 8), (fan_out, 4, 4), (square, 2, 2)])
def test_node_and_edge_counts(build, nodes, edges):
    graph = graph_of(*build())
    assert graph.number_of_nodes() == nodes
    assert graph.number_of_edges() == edges


def test_node_attributes():
    output, names = neuron()
    graph = graph_of(output, names)
    kinds = {graph.nodes[n]["name"]: graph.nodes[n]["kind"] for n in graph.nodes}
    assert kinds["W"] == kinds["b"] == "parameter"
    assert kinds["x"] == kinds["u"] == "input"
    assert kinds["h"] == kinds["s"] == "op"
    h = graph.nodes[node_named(graph, "h")]
    assert h["symbol"] == "σ" and h["shape"] == (2,)
    assert h["formula"] == "sigmoid(z)"
    assert np.allclose(h["value"], names["h"].data)
    assert np.allclose(h["gradient"], [1.0, -1.0])
    assert graph.nodes[graph.graph["output"]]["name"] == "s"


def test_a_literal_is_a_constant():
    x = Tensor(2.0, requires_grad=True, name="x")
    graph = graph_of(x * 3.0, {"x": x})
    constant = next(n for n in graph.nodes if graph.nodes[n]["kind"] == "constant")
    assert graph.nodes[constant]["gradient"] is None
    assert formula(graph, graph.graph["output"]) == "x × 3"


def test_edge_contributions_into_each_node_sum_to_its_gradient():
    for build in (neuron, fan_out, square):
        graph = graph_of(*build())
        for node in graph.nodes:
            gradient = graph.nodes[node]["gradient"]
            carried = [d["contribution"] for _, _, d in graph.out_edges(node, data=True)]
            carried = [c for c in carried if c is not None]
            if node == graph.graph["output"]:
                assert np.array_equal(gradient, np.ones_like(gradient))
            elif carried:
                assert np.allclose(sum(carried), gradient)
            else:
                assert gradient is None


def test_fan_out_and_repeated_operands_carry_one_contribution_per_edge():
    graph = graph_of(*fan_out())
    x = node_named(graph, "x")
    assert sorted(float(d["contribution"]) for _, _, d in graph.out_edges(x, data=True)) == [1, 3]
    graph = graph_of(*square())
    x = node_named(graph, "x")
    assert [float(d["contribution"]) for _, _, d in graph.out_edges(x, data=True)] == [3, 3]
    assert float(graph.nodes[x]["gradient"]) == 6


def test_building_the_graph_twice_does_not_accumulate_gradients():
    output, names = fan_out()
    graph_of(output, names)
    graph = graph_of(output, names)
    assert float(graph.nodes[node_named(graph, "x")]["gradient"]) == 4


def test_a_graph_without_parameters_has_no_gradients():
    x = Tensor(2.0, name="x")
    graph = graph_of(x.exp(), {"x": x})
    assert graph.graph["events"] == []
    assert all(graph.nodes[n]["gradient"] is None for n in graph.nodes)


def test_node_keys_are_names_made_unique():
    x = Tensor(2.0, requires_grad=True, name="x")
    graph = graph_of((x * 3.0) + (x * 3.0), {"x": x})
    keys = node_keys(graph)
    assert len(set(keys.values())) == graph.number_of_nodes()
    assert sorted(keys.values()) == sorted(["x", "3", "3 #2", "(x × 3)", "(x × 3) #2",
                                            "((x × 3) + (x × 3))"])


def test_the_node_cap():
    with pytest.raises(LimitError, match="cap of 10"):
        record_backward(chain(20), max_nodes=10)


def test_local_derivatives():
    output, names = neuron()
    graph = graph_of(output, names)
    h, z = names["h"].data, node_named(graph, "z")
    assert np.allclose(local_derivative(graph, node_named(graph, "h"), 0), h * (1 - h))
    assert local_derivative(graph, z, 0) is not None  # W @ x + b: same shapes, elementwise
    matmul = next(n for n in graph.nodes if graph.nodes[n]["symbol"] == "@")
    assert local_derivative(graph, matmul, 0) is None  # not elementwise
    total = node_named(graph, "s")
    assert np.allclose(local_derivative(graph, total, 0), [1.0, 1.0])  # scalar output
    assert shape_rule(graph, matmul) == "(2,2) @ (2,) → (2,)"


def test_the_local_derivative_of_a_broadcast_operand_into_a_one_element_output():
    a, B = Tensor(2.0, requires_grad=True), Tensor([[3.0]], requires_grad=True)
    graph = graph_of(a * B)  # () * (1,1) -> (1,1)
    product = graph.graph["output"]
    assert local_derivative(graph, product, 0).shape == ()
    assert local_derivative(graph, product, 0) == 3.0
    assert local_derivative(graph, product, 1).tolist() == [[2.0]]
    assert "local" in hover_text(graph, product)


def test_hover_text_has_name_op_shape_value_gradient_and_local_derivative():
    output, names = neuron()
    graph = graph_of(output, names)
    text = hover_text(graph, node_named(graph, "h"))
    for part in ("<b>h</b> = sigmoid(z)", "sigmoid (σ)", "shape σ (2,) → (2,)", "value (2,)",
                 "gradient ∂s/∂h", "local ∂h/∂z"):
        assert part in text
    x = Tensor(0.1, requires_grad=True, name="x")
    graph = graph_of(x * 1.0, {"x": x})
    assert "value 0.1" in hover_text(graph, node_named(graph, "x"))  # scalars in full


def test_the_first_non_finite_value_is_found_forward_and_gradient_backward():
    x = Tensor(0.0, requires_grad=True, name="x")
    r = x.sqrt()  # finite value 0, infinite gradient 1 / (2 sqrt 0)
    r.name = "r"
    s = (r * 2.0).log()  # log 0 = −inf, and its gradient 1/0 = inf
    s.name = "s"
    graph = graph_of(s.log().exp(), {"x": x, "r": r, "s": s})  # log(−inf) = nan after s
    assert graph.nodes[first_nonfinite_node(graph, "value")]["name"] == "s"
    exp = graph.graph["output"]  # exp(nan): its gradient is the seed 1, its operand's is nan
    assert first_nonfinite_node(graph, "gradient") == next(graph.predecessors(exp))
    fine, _ = fan_out()
    graph = graph_of(fine)
    assert first_nonfinite_node(graph, "value") is None
    assert first_nonfinite_node(graph, "gradient") is None
    only_gradient = graph_of(x.sqrt(), {"x": x})
    assert only_gradient.nodes[first_nonfinite_node(only_gradient, "gradient")]["name"] == "x"
    assert first_nonfinite_node(only_gradient, "value") is None


# ---- layout -------------------------------------------------------------------------------------


@pytest.mark.parametrize("output", [neuron()[0], fan_out()[0], square()[0], chain(149)])
def test_layout_positions_are_finite_and_distinct(output):
    graph = graph_of(output)
    layout = layered_layout(graph)
    points = list(layout.positions.values())
    assert len(points) == graph.number_of_nodes()
    assert all(math.isfinite(x) and math.isfinite(y) for x, y in points)
    assert len(set(points)) == len(points)
    assert layout.columns <= MAX_COLUMNS


def test_inputs_left_output_right():
    output, names = neuron()
    graph = graph_of(output, names)
    positions = layered_layout(graph).positions
    for u, v in graph.edges():
        assert positions[u][0] < positions[v][0]
    output_x = positions[graph.graph["output"]][0]
    assert output_x == max(x for x, _ in positions.values())


def test_crossings_are_reduced():
    # Numbered so that keeping the order crosses: 0 -> 3 and 1 -> 2, and a tree on top.
    graph = nx.MultiDiGraph([(0, 3), (1, 2), (2, 4), (3, 5), (4, 6), (5, 6)])
    assert crossings(graph, [[0, 1], [2, 3], [4, 5], [6]]) == 1
    layout = layered_layout(graph)
    columns: dict[float, list] = {}
    for node, (x, _y) in sorted(layout.positions.items(), key=lambda item: item[1][1]):
        columns.setdefault(x, []).append(node)
    assert crossings(graph, [columns[x] for x in sorted(columns)]) == 0


def test_a_deep_chain_wraps_into_bands():
    layout = layered_layout(graph_of(chain(40)))
    assert layout.columns <= MAX_COLUMNS
    assert layout.rows > 1


def test_micrograds_example_fits_in_one_band_without_long_edges_back():
    from engine.expr import build
    from page_models.examples import EXAMPLES_BY_KEY

    example = EXAMPLES_BY_KEY["micrograd"]
    built = build(example.source, example.values)
    graph = graph_of(built.output, {**built.inputs, **built.nodes})
    layout = layered_layout(graph, 13)  # the graph player's one band (viz.graph_player)
    assert layout.columns == 13 and len({x for x, _ in layout.positions.values()}) == 13
    for u, v, key in graph.edges(keys=True):  # no edge runs back to the left
        xs = [layout.positions[u][0], *(x for x, _ in layout.bends.get((u, v, key), [])),
              layout.positions[v][0]]
        assert xs == sorted(xs)


def test_bands_are_cut_where_fewest_edges_cross():
    # Columns 0..5; 1 edge runs from column 1 into 2, 5 from each other column into the next.
    assert _band_starts([5, 1, 5, 5, 5, 0], n_bands=2, max_columns=4) == [0, 2]
    assert _band_starts([1, 1, 1, 1, 1, 0], n_bands=2, max_columns=4) == [0, 3]  # tie: even
    assert _band_starts([1] * 13, n_bands=1, max_columns=13) == [0]


def test_an_edge_into_the_next_band_runs_back_through_the_gap_between_bands():
    graph = graph_of(chain(11))  # 12 columns: bands of 6
    layout = layered_layout(graph, 6)
    first, last = graph.graph["output"] - 6, graph.graph["output"] - 5  # columns 5 and 6
    (x0, y0), (x1, y1) = layout.positions[first], layout.positions[last]
    assert (x0, x1) == (5, 0) and y1 > y0
    path = layout.bends[first, last, 0]
    assert path[0][0] == 5.5 and path[-1] == (-0.5, y1)  # out to the right, in from the left
    gap = {y for _, y in path[:2]}
    assert len(gap) == 1 and y0 < gap.pop() < y1  # back left under the first band
    assert len(layout.bends) == 1


def test_a_shallow_graph_stays_in_one_band():
    output, names = neuron()
    layout = layered_layout(graph_of(output, names))
    assert layout.columns == 6 and layout.rows <= 2  # one band, two nodes high


# ---- animation ----------------------------------------------------------------------------------


def test_frames_are_bare_forward_backward_final():
    output, names = fan_out()
    steps = animation_steps(graph_of(output, names))
    # bare + (inputs + 2 ops) + (seed + 2 nodes sending + 1 sum at x) + final
    assert len(steps) == 1 + 3 + 4 + 1
    labels = [s.label for s in steps]
    assert labels[0] == "the bare graph"
    assert labels[1] == "forward 1/3: the inputs"
    assert labels[3] == "forward 3/3: f = t1 + x"
    assert labels[4] == "backward 1/4: ∂f/∂f = 1"
    assert labels[5] == "backward 2/4: ∂f/∂f flows into t1, x"
    assert labels[7] == "backward 4/4: ∂f/∂x = 1 + 3 = 4"
    assert labels[8] == "every value and gradient"


def test_fan_out_shows_each_contribution_then_the_sum():
    graph = graph_of(*fan_out())
    x = node_named(graph, "x")
    shown = [s.gradients[x] for s in animation_steps(graph)]
    assert shown[5] == "∂ 1"  # the edge from + arrives: one of two, shown as it is
    assert shown[6] == "∂ 1 + 3"  # the edge from × arrives
    assert shown[7] == "∂ 4"  # the sum
    steps = animation_steps(graph)
    assert steps[7].edge_texts == ["1", "3"]  # both contributions lit in the sum frame


def test_many_contributions_arriving_are_counted_in_a_short_text():
    x = Tensor(2.0, requires_grad=True, name="x")
    graph = graph_of(x.exp() + x.sin() + x.cos() + x.tanh(), {"x": x})
    shown = [step.gradients[node_named(graph, "x")] for step in animation_steps(graph)]
    assert [t for t in shown if t.endswith(" in")] == [f"∂ {k}/4 in" for k in range(1, 5)]
    assert shown[-1] == "∂ " + short_text(graph.nodes[node_named(graph, "x")]["gradient"])


def test_repeated_operand_both_contributions_arrive():
    steps = animation_steps(graph_of(*square()))
    assert [s.label for s in steps][-2] == "backward 3/3: ∂f/∂x = 3 + 3 = 6"


def test_forward_steps_light_the_incoming_edges():
    output, names = neuron()
    graph = graph_of(output, names)
    steps = animation_steps(graph)
    h = node_named(graph, "h")
    step = next(s for s in steps if s.label.endswith("h = sigmoid(z)"))
    assert step.lit == list(graph.in_edges(h, keys=True))
    assert step.values[h] == short_text(names["h"].data)
    assert steps[0].values[h] == ""


def test_colours_follow_the_sign_and_flag_non_finite_values():
    x = Tensor(-1.0, requires_grad=True, name="x")
    y = Tensor(2.0, requires_grad=True, name="y")
    graph = graph_of(x.log() + y, {"x": x, "y": y})
    final = animation_steps(graph)[-1]
    log = next(n for n in graph.nodes if graph.nodes[n]["symbol"] == "log")
    assert FILL.colour(final.fills[log]) == palette.NONFINITE
    xn, yn = node_named(graph, "x"), node_named(graph, "y")
    assert final.fills[xn] < 0.4 < final.fills[yn]  # blue side, red side
    assert RING.colour(final.rings[yn]) != palette.EDGE


def test_no_parameters_no_backward_frames():
    x = Tensor(2.0, name="x")
    labels = [s.label for s in animation_steps(graph_of(x.exp(), {"x": x}))]
    assert not any(label.startswith("backward") for label in labels)


# ---- helpers ------------------------------------------------------------------------------------


def test_coded_scale_round_trips():
    coded = CodedScale(palette.VALUE_SCALE, (palette.NONFINITE, palette.EDGE))
    for x in (-3.0, -1.0, 0.0, 1.0, 2.0):  # exact codes (no rounding)
        assert coded.colour(coded.code(x, 2.0)) == palette.diverging(x, 2.0)
    assert coded.colour(coded.code(float("nan"), 1.0)) == palette.NONFINITE
    assert coded.colour(coded.fixed_code(palette.EDGE)) == palette.EDGE
    stops = [position for position, _ in coded.colorscale()]
    assert stops[0] == 0 and stops[-1] == 1 and stops == sorted(stops)


def test_number_formatting():
    assert format_number(-0.73123) == "−0.731"
    assert format_number(float("inf")) == "∞" and format_number(float("nan")) == "nan"
    assert short_text(np.array([1.0, -2.0])) == "[1, −2]"
    assert short_text(np.ones((3, 4))) == "(3,4) μ 1"
    assert short_text(np.array([0.1, 0.2, -0.3])) == "(3,) μ 0"  # not μ 2.8e−17
    assert short_text(np.array([1e-20, 1e-20, 1e-20]), shape=False) == "μ 1e−20"
    assert short_text(np.array([np.inf, 1.0, 2.0]), shape=False) == "μ ∞"
    assert full_text(np.array(0.1)) == "0.1"
    assert full_text(np.arange(10.0)).endswith(", …]")


def test_a_long_edge_goes_round_the_nodes_in_a_lane():
    x = Tensor(0.5, requires_grad=True, name="x")
    out = x.tanh().tanh().tanh() * x  # x also feeds the last op, three columns to the right
    graph = graph_of(out, {"x": x})
    layout = layered_layout(graph)
    x_node, product = node_named(graph, "x"), graph.graph["output"]
    assert layout.positions[product][0] - layout.positions[x_node][0] == 4
    lane = layout.bends[x_node, product, 1]
    assert [x for x, _ in lane] == [1.0, 2.0, 3.0]
    assert not set(lane) & set(layout.positions.values())
    assert len(layout.bends) == 1  # every other edge joins neighbouring columns


def test_a_non_scalar_output_is_labelled_as_its_sum():
    x = Tensor([1.0, 2.0], requires_grad=True, name="x")
    h = (x * 2).tanh()
    h.name = "h"
    labels = [step.label for step in animation_steps(graph_of(h))]
    assert "backward 1/3: ∂(Σh)/∂h = 1" in labels
    s = (x * x).sum()
    s.name = "s"
    assert "backward 1/4: ∂s/∂s = 1" in [step.label for step in animation_steps(graph_of(s))]
