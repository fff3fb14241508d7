"""The Expression Graph page's model, without Streamlit."""

import numpy as np
import pytest

from engine import ExprError
from engine.expr import InputSpec, parse
from page_models import expression_graph as model
from page_models.examples import EXAMPLES_BY_KEY, MICROGRAD_README
from page_models.free_names import default_specs
from page_models.url import parse_query, to_query

DESIGN_CARD = "z = W @ x + b; h = sigmoid(z); s = sum(u * h)"


def view_of(source: str, vals: str = "[]", seed: int = 0) -> model.View:
    program = parse(source)
    return model.build_view(program, model.input_specs(program, vals), seed)


def test_the_inputs_url_form_round_trips_and_refuses_junk():
    text = model.encode_values([("w", "randn(3)", True), ("t", "0.5", False)])
    assert text == '[["t","0.5",false],["w","randn(3)",true]]'
    assert model.decode_values(text) == {"t": InputSpec("0.5", False), "w": InputSpec("randn(3)")}
    assert model.decode_values("{not json") is None
    assert model.decode_values('[["x", 1, true], ["y", "2", true]]') == {"y": InputSpec("2")}


def test_the_state_is_one_table_and_defaults_stay_out_of_the_url():
    state = parse_query(model.PARAMS, {"frame": "7", "eps": "12", "seed": "x"})
    assert state["frame"] == 7 and state["eps"] == model.DEFAULT_EPS_EXPONENT  # 1e-12: no
    assert state["src"] == EXAMPLES_BY_KEY["neuron"].source
    assert to_query(model.PARAMS, state) == {"frame": "7"}


def test_an_example_sets_program_and_inputs():
    state = model.example_state("fanout")
    assert state["src"] == "z = x * y + x\n"
    assert model.decode_values(state["vals"]) == EXAMPLES_BY_KEY["fanout"].values
    assert model.example_state("nope") is None and model.example_state(None) is None


def test_the_design_cards_program_builds_with_shapes_that_fit():
    specs = default_specs(parse(DESIGN_CARD))
    assert {n: s.value for n, s in specs.items()} == {
        "W": "randn(3, 2)", "x": "randn(2, 1)", "b": "randn(3, 1)", "u": "randn(3, 1)"}
    view = view_of(DESIGN_CARD)
    assert view.built.output.shape == ()
    assert set(view.record.gradients[t].shape for t in view.built.parameters) == {
        (3, 2), (2, 1), (3, 1)}


@pytest.mark.parametrize("source, defaults", [
    ("y = -log(softmax(z)[2])", {"z": ("randn(3)", True)}),  # a textbook classifier's loss
    ("y = p[4] + x[-5]", {"p": ("randn(5)", True), "x": ("randn(5)", True)}),
    ("y = sum(W[:, 1])", {"W": ("randn(3, 3)", True)}),
    ("y = X[0:6, 0]", {"X": ("randn(6, 3)", True)}),
    ("loss = -mean(log_softmax(Z)[[0, 1, 2], y])", {"Z": ("randn(3, 3)", True),
                                                    "y": ("0", False)}),
])
def test_a_subscripted_name_typed_alone_gets_a_value_its_index_fits(source, defaults):
    specs = default_specs(parse(source))
    assert {n: (s.value, s.parameter) for n, s in specs.items()} == defaults
    view = view_of(source)
    assert np.isfinite(view.built.output.data).all()


def test_the_help_lists_every_function_and_subscripts_from_the_op_table():
    from engine.expr import FUNCTIONS
    for op in FUNCTIONS.values():
        assert f"`{op.help}`" in model.PROGRAM_HELP
    assert "W[:, 1]" in model.PROGRAM_HELP and "dropout" not in model.PROGRAM_HELP


def test_a_saved_value_wins_over_the_default_and_stays_editable():
    vals = model.encode_values([("x", "[[1], [2]]", False)])
    specs = model.input_specs(parse(DESIGN_CARD), vals)
    assert specs["x"] == InputSpec("[[1], [2]]", False) and specs["W"].value == "randn(3, 2)"
    assert model.input_specs(parse("y = w * 2"), "{junk")["w"].value == "2.0"


def test_micrograds_readme_example_typed_as_written():
    view = view_of(MICROGRAD_README)
    a, b = view.built.inputs["a"], view.built.inputs["b"]
    assert view.built.output.item() == pytest.approx(24.7041, abs=5e-5)
    assert view.record.gradients[a].item() == pytest.approx(138.8338, abs=5e-5)
    assert view.record.gradients[b].item() == pytest.approx(645.5773, abs=5e-5)
    assert view.built.program.free_names == ()
    assert model.skipped_note(view.built.program) == (
        "Skipped line 1 (import), lines 15–18 (print and backward: the graph runs backward "
        "by itself).")


@pytest.mark.parametrize("source, note", [
    ("y = x * 2", ""),
    ("import a\nfrom b import c\ny = x * 2\nprint(y)",
     "Skipped lines 1–2 (import), line 4 (print)."),
    ("y = x\n\ny.backward()", "Skipped line 3 (backward: the graph runs backward by itself)."),
])
def test_the_skipped_lines_note(source, note):
    assert model.skipped_note(parse(source)) == note


def test_the_graph_id_changes_with_the_graph_only():
    program = parse("y = x * w")
    specs = model.input_specs(program, "[]")
    first = model.build_view(program, specs, 0)
    assert model.build_view(program, specs, 0).graph_id == first.graph_id
    assert model.build_view(program, specs, 1).graph_id != first.graph_id
    other = {**specs, "x": InputSpec("5.0")}
    assert model.build_view(program, other, 0).graph_id != first.graph_id


def test_a_bad_value_is_named():
    name, err = model.first_bad_value({"a": InputSpec("1"), "b": InputSpec("randn(2,")}, 0)
    assert name == "b" and isinstance(err, ExprError)
    assert model.first_bad_value({"a": InputSpec("1")}, 0) is None


def test_the_inspected_node_follows_its_key():
    keys = {0: "x", 1: "h", 2: "s"}
    assert model.follow_node(1, (1, "h"), keys) == 1
    assert model.follow_node(1, (1, "z"), {0: "x", 1: "h", 2: "z"}) == 2  # z moved to 2
    assert model.follow_node(1, (1, "gone"), keys) == -1
    assert model.follow_node(7, None, keys) == -1


def test_the_gradient_check_passes_and_says_why_it_is_skipped():
    view = view_of("y = sigmoid(w * x)")
    parameters, reason = model.gradcheck_plan(view)
    assert reason is None and [p.name for p in parameters] == ["w", "x"]
    result = model.run_gradcheck(view, parameters, 6)
    assert result.eps == 1e-6 and all(c.passed for c in result.checks) and not result.notes
    _, reason = model.gradcheck_plan(view_of("y = x * 2", model.encode_values(
        [("x", "1", False)])))
    assert "No parameters" in reason
    _, reason = model.gradcheck_plan(view_of("w = 2.0\ny = x * 3", model.encode_values(
        [("x", "1", False)])))
    assert "does not depend on any parameter (w)" in reason
    _, reason = model.gradcheck_plan(view_of("y = sum(W)", model.encode_values(
        [("W", "zeros(300)", True)])))
    assert reason.startswith("Skipped.") and "cap" in reason


def test_a_failure_at_a_kink_is_explained_in_words():
    view = view_of("y = relu(x)", model.encode_values([("x", "0.0", True)]))
    result = model.run_gradcheck(view, view.built.parameters, 6)
    assert not result.checks[0].passed
    assert "kink at 0" in result.notes[0] and "nan" not in result.notes[0]
    view = view_of("y = sqrt(x)", model.encode_values([("x", "1e-9", True)]))
    result = model.run_gradcheck(view, view.built.parameters, 6)
    assert "edge of its domain" in result.notes[0]
    view = view_of("y = clamp(x, -1, 0.5)", model.encode_values([("x", "0.5", True)]))
    result = model.run_gradcheck(view, view.built.parameters, 6)  # the kinks are its bounds
    assert "clamp has a kink at 0.5" in result.notes[0]


def test_a_tiny_eps_loses_digits_and_says_so():
    view = view_of("y = x + 10000000", model.encode_values([("x", "3.0", True)]))
    result = model.run_gradcheck(view, view.built.parameters, 10)
    assert not result.checks[0].passed and "rounding" in result.notes[0]
    assert model.run_gradcheck(view, view.built.parameters, 4).checks[0].passed


def test_backward_twice_without_zero_grad_doubles_every_gradient():
    view = view_of(EXAMPLES_BY_KEY["neuron"].source, EXAMPLES_BY_KEY["neuron"].values and
                   model.example_values(EXAMPLES_BY_KEY["neuron"]))
    twice = model.accumulation(view)
    assert list(twice) == ["w1", "w2", "b"]
    for name, (once, doubled) in twice.items():
        assert np.array_equal(doubled, 2 * once)
        assert np.array_equal(once, view.record.gradients[view.built.inputs[name]])
    assert view.built.inputs["w1"].grad == pytest.approx(0.492, abs=1e-3)  # untouched


def test_pass_counts_one_per_parameter_entry_or_per_output_entry():
    assert model.pass_counts(view_of(DESIGN_CARD)) == (6 + 2 + 3 + 3, 1)


def test_the_surface_needs_two_scalar_parameters():
    view = view_of("z = x * y")
    x, y = model.surface_inputs(view)
    f, elementwise = model.surface_function(view)
    assert elementwise and f(np.array([2.0]), np.array([5.0])) == pytest.approx([10.0])
    assert model.surface_inputs(view_of(DESIGN_CARD)) is None


@pytest.mark.parametrize("key", ["neuron", "chain", "mlp", "micrograd"])
def test_forward_mode_tangents_agree_with_the_backward_pass(key):
    state = model.example_state(key)
    program = parse(state["src"])
    view = model.build_view(program, model.input_specs(program, state["vals"]), 0)
    for source in view.built.parameters:
        _, tangents = model.tangents_from(view, source.name)
        # the output's tangent along ones is ⟨∂output/∂source, ones⟩
        assert tangents[view.built.output].sum() == pytest.approx(
            view.record.gradients[source].sum(), rel=1e-12, abs=1e-12)
    assert model.tangents_from(view, "") is None


def test_memoised_computes_once_per_key():
    memo, calls = {}, []
    for key in (1, 1, 2, 2, 1):
        model.memoised(memo, "x", key, lambda k=key: calls.append(k) or k * 10)
    assert calls == [1, 2, 1] and memo["x"] == (1, 10)
