"""The arithmetic of each animation step, checked against the engine's own numbers."""

import re

import numpy as np
import pytest

from engine.expr import InputSpec, build
from page_models.examples import EXAMPLES, EXAMPLES_BY_KEY
from page_models.graph_record import record_backward
from viz.graph import tensor_graph
from viz.graph_anim import animation_steps
from viz.graph_player import player_data
from viz.numbers import entries_text, format_number, node_text


def steps_of(key: str):
    example = EXAMPLES_BY_KEY[key]
    built = build(example.source, example.values)
    graph = tensor_graph(record_backward(built.output), {**built.inputs, **built.nodes})
    return built, graph, animation_steps(graph)


def lines_of(steps) -> list[str]:
    return [line for step in steps for line in step.lines]


def sigmoid(z):
    return 1 / (1 + np.exp(-z))


def test_the_default_neuron_shows_w1s_chain_rule_with_its_numbers():
    built, _, steps = steps_of("neuron")
    x1, x2, w1, w2, b = (built.inputs[n].item() for n in ("x1", "x2", "w1", "w2", "b"))
    z = w1 * x1 + w2 * x2 + b
    upstream = sigmoid(z) * (1 - sigmoid(z))  # ∂y/∂t2 (t2 = w1 × x1): the sum passes it on
    expected = (f"∂y/∂w1 = ∂y/∂t2 · ∂t2/∂w1 = {format_number(upstream)} × "
                f"{format_number(x1)} = {format_number(upstream * x1)}")
    assert expected == "∂y/∂w1 = ∂y/∂t2 · ∂t2/∂w1 = 0.246 × 2 = 0.492"
    step = next(s for s in steps if expected in s.lines)
    assert step.label.startswith("backward ") and step.label.endswith("flows into w1")
    assert "t2 = w1 × x1 = 0.5 × 2 = 1" in lines_of(steps)
    assert f"y = sigmoid(t4) = sigmoid({format_number(z)}) = " \
           f"{format_number(sigmoid(z))}" in lines_of(steps)


def test_fan_out_names_each_contribution_then_sums_them():
    built, _, steps = steps_of("fanout")
    x, y = built.inputs["x"].item(), built.inputs["y"].item()
    lines = lines_of(steps)
    assert "∂z/∂x (the part from t1) = ∂z/∂t1 · ∂t1/∂x = 1 × 3 = 3" in lines
    assert f"∂z/∂x = 1 (from z) + 3 (from t1) = {format_number(y + 1)}" in lines
    assert x == 2


def test_a_matrix_product_states_its_rule_and_shapes_and_writes_the_matrices():
    built, graph, steps = steps_of("chain")
    W = built.inputs["W"]
    line = next(line for line in lines_of(steps) if line.startswith("∂s/∂W = "))
    gradient = graph.nodes[next(n for n in graph.nodes if graph.nodes[n]["tensor"] is W)][
        "gradient"]
    upstream = built.nodes["z"].grad  # z = W @ x + b passes its gradient on to W @ x
    assert line == (f"∂s/∂W = G xᵀ: (3,1) → (3,2) = {entries_text(gradient)}, with "
                    f"G = ∂s/∂t1 = {entries_text(upstream)}; "
                    f"x = {entries_text(built.inputs['x'].data)}")


def test_a_subscript_is_labelled_as_written_and_scatters_its_gradient():
    built = build("y = p[1] * W[:, 0]", {"p": "[1, 2, 3]", "W": "[[1, 2], [3, 4]]"})
    graph = tensor_graph(record_backward(built.output), {**built.inputs, **built.nodes})
    formulas = {graph.nodes[n]["formula"] for n in graph.nodes}
    assert {"p[1]", "W[:, 0]", "p[1] × W[:, 0]"} <= formulas
    labels = {node["label"] for node in player_data(graph, "id")["nodes"]}
    assert {"p[1]", "W[:, 0]", "×"} <= labels  # the player's node labels
    lines = lines_of(animation_steps(graph))
    assert "∂(Σy)/∂p = G scattered into zeros of the shape of p: () → (3,) = [0, 4, 0], " \
           "with G = ∂(Σy)/∂p[1] = 4; p = [1, 2, 3]" in lines


def test_cross_entropys_logit_gradient_is_written_as_p_minus_onehot():
    built = build("loss = cross_entropy(z, y)", {"z": "[[2, 1, 0], [0, 1, 3]]",
                                                 "y": InputSpec("[0, 2]", False)})
    graph = tensor_graph(record_backward(built.output), {**built.inputs, **built.nodes})
    z = built.inputs["z"].data
    p = np.exp(z) / np.exp(z).sum(axis=1, keepdims=True)
    onehot = np.eye(3)[[0, 2]]
    line = next(line for line in lines_of(animation_steps(graph))
                if line.startswith("∂loss/∂z = "))
    assert line == (f"∂loss/∂z = (softmax(z) − onehot(y)) / N: () → (2,3) = "
                    f"{entries_text((p - onehot) / 2)}, with G = ∂loss/∂loss = 1; z = "
                    f"{entries_text(z)}; y = [0, 2]")


def test_a_tensor_gradient_under_a_node_never_reads_as_zero():
    _, graph, steps = steps_of("softmax_ce")
    z = next(n for n in graph.nodes if graph.nodes[n]["name"] == "z")
    gradient = graph.nodes[z]["gradient"]
    assert abs(gradient.mean()) < 1e-12 and np.abs(gradient).max() > 0.1  # p − t sums to 0
    assert steps[-1].gradients[z] == "∂ " + node_text(gradient) == "∂ [−0.34, 0.24, 0.099]"
    assert node_text(np.full((4, 3), -0.25)) == "(4,3) ±0.25"


def test_forward_lines_of_tensors_give_shapes_then_entries():
    built, _, steps = steps_of("chain")
    z = built.nodes["z"].data
    assert f"z = t1 + b: (3,1) + (3,1) → (3,1) = {entries_text(z)}" in lines_of(steps)
    assert entries_text(np.zeros((5, 4))) == "(5,4) array, largest |entry| 0"


@pytest.mark.parametrize("key", list(EXAMPLES_BY_KEY))
def test_every_step_of_every_example_has_its_arithmetic(key):
    _, graph, steps = steps_of(key)
    for step in steps:
        moving = step.label.startswith(("forward", "backward")) and step.lit
        assert bool(step.lines) == bool(moving), step.label
    data = player_data(graph, "id", frame=10_000)
    assert data["frame"] == len(steps) - 1  # a frame past the end shows the last step
    assert len(data["frames"]) == len(steps) and len(data["nodes"]) == graph.number_of_nodes()


def test_forward_mode_steps_carry_the_tangent_with_its_chain_rule():
    from engine.expr import parse
    from page_models import expression_graph as model

    state = model.example_state("neuron")
    program = parse(state["src"])
    view = model.build_view(program, model.input_specs(program, state["vals"]), 0)
    graph = tensor_graph(view.record, view.names)
    data = player_data(graph, "id", tangents=model.tangents_from(view, "w1"))
    labels = [f["label"] for f in data["frames"]]
    assert labels[1] == "tangent 1/6: the inputs; w1 gets the tangent ∂w1/∂w1 = 1"
    lines = [line for f in data["frames"] for line in f["lines"]]
    assert "∂t2/∂w1 = ∂t2/∂w1 · ∂w1/∂w1 = 2 × 1 = 2" in lines
    assert lines[-1].endswith("= 0.492")  # ∂y/∂w1, reached in one forward pass
    assert labels[-1] == "every value and tangent"


def test_the_softmax_step_shows_the_logit_gradient_as_p_minus_t():
    built, _, steps = steps_of("softmax_ce")
    p, t = built.nodes["p"].data, built.inputs["t"].data
    line = next(line for line in lines_of(steps) if line.startswith("∂loss/∂z = "))
    assert line.startswith(f"∂loss/∂z = p ⊙ (G − Σ G ⊙ p): (3,) → (3,) = "
                           f"{entries_text(p - t)}, with G = ∂loss/∂p = ")
    assert line.endswith(f"; p = {entries_text(p)}")


@pytest.mark.parametrize("key", [e.key for e in EXAMPLES])
def test_unnamed_intermediates_get_short_names_defined_once(key):
    """No step writes a nested formula ∂y/∂((w1 × x1) + …): an unnamed op node is t1, t2, …, and
    its expression is written where the forward pass computes it."""
    _, graph, steps = steps_of(key)
    shorts = [graph.nodes[n]["short"] for n in sorted(graph.nodes) if graph.nodes[n]["short"]]
    assert shorts == [f"t{k}" for k in range(1, len(shorts) + 1)]
    texts = [s.label for s in steps] + lines_of(steps)
    assert not any("∂(" in t.replace("∂(Σ", "") or "…" in t for t in texts), key
    for short in shorts:
        definitions = [s.label for s in steps if s.label.split(": ", 1)[-1].startswith(
            f"{short} = ")]
        assert len(definitions) == 1, (short, definitions)


NUMBER = re.compile(r"\(\d+(?:,\d+)*,?\)|(?<![\w.])−?\d+(?:\.\d+)?(?:e[+−]\d+)?(?![\w.])")


@pytest.mark.parametrize("key", ["neuron", "fanout", "chain", "micrograd"])
def test_every_number_in_a_steps_arithmetic_has_its_exact_value_for_the_hover(key):
    _, _, steps = steps_of(key)
    for step in steps:
        for line in step.lines:
            for number in NUMBER.findall(line):
                if not number.startswith("("):  # a shape
                    assert number in step.exact, (line, number)
    if key == "neuron":  # w1's step: its contribution as the engine computed it, in full
        graph = steps_of(key)[1]
        w1 = next(s for s in steps if "∂y/∂w1 = ∂y/∂t2 · ∂t2/∂w1 = 0.246 × 2 = 0.492" in s.lines)
        (edge,) = [e for e in graph.edges(keys=True) if graph.nodes[e[0]]["name"] == "w1"]
        assert w1.exact["0.492"] == repr(float(graph.edges[edge]["contribution"]))
        assert w1.exact["2"] == "2.0"
