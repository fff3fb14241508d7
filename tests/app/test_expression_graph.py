"""The Expression Graph page through streamlit.testing (no browser)."""

import json

import pytest
from streamlit.testing.v1 import AppTest

from page_models.examples import EXAMPLES, MICROGRAD_README
from ui.expr_error import caret_lines

from .helpers import open_app, run

PAGE = "pages/1_Expression_Graph.py"


def open_page(**query) -> AppTest:
    """The page as a visitor opening its link with these query params sees it."""
    return open_app(PAGE, **query)

def charts(at: AppTest) -> list[dict]:
    """The plotly charts (the surface)."""
    return [json.loads(chart.proto.spec) for chart in at.get("plotly_chart")]


def player(at: AppTest) -> dict | None:
    """The data the graph player was given (viz.graph_player.player_data), or None."""
    found = [e for e in at.get("bidi_component") if e.proto.component_name.endswith("player")]
    return json.loads(found[0].proto.json) if found else None


def node_labels(at: AppTest) -> list[str]:
    """The labels inside the nodes of the graph."""
    return [node["label"] for node in player(at)["nodes"]]


def url(at: AppTest) -> dict[str, str]:
    return {k: v if isinstance(v, str) else v[-1] for k, v in at.query_params.items()}


def errors(at: AppTest) -> str:
    return " ".join(e.value for e in at.error)


def node_id(labels: list[str], start: str) -> int:
    """The node whose label in the node picker starts with `start` (option 0 is "none")."""
    return next(i for i, label in enumerate(labels) if label.startswith(start)) - 1


def dataframe_columns(at: AppTest) -> dict:
    """The gradient check's table."""
    tables = [d.value.to_dict(orient="list") for d in at.dataframe]
    return next(t for t in tables if "central difference" in t)


@pytest.mark.parametrize("example", [e.key for e in EXAMPLES])
def test_every_example_runs(example):
    at = open_page(example=example)
    assert not at.error, errors(at)
    assert player(at), "no graph"
    assert at.text_area(key="src").value == next(e.source for e in EXAMPLES if e.key == example)
    checks = dataframe_columns(at)
    assert checks["pass"] and all(mark == "✓" for mark in checks["pass"]), checks


def test_default_view_is_the_neuron():
    at = open_page()
    assert "sigmoid" in at.text_area(key="src").value
    assert {"w1", "x1", "w2", "x2", "b", "σ"} <= set(node_labels(at))
    assert at.toggle(key="par_w1").value and not at.toggle(key="par_x1").value
    assert url(at) == {}  # the defaults are not written into the URL


def test_loading_an_example_replaces_program_and_inputs():
    at = open_page()
    at.selectbox(key="example_pick").set_value("fanout")
    run(at)
    assert at.text_area(key="src").value == "z = x * y + x\n"
    assert [t.value for t in at.text_input] == ["2.0", "3.0"]
    assert at.selectbox(key="example_pick").value is None
    assert url(at)["src"] == "z = x * y + x\n"


def test_editing_the_program_changes_the_graph_and_the_inputs():
    at = open_page()
    at.text_area(key="src").input("q = exp(a) * a")
    run(at)
    assert sorted(node_labels(at)) == sorted(["a", "exp", "×"])
    assert [t.label for t in at.text_input] == ["value of a"]
    assert url(at)["src"] == "q = exp(a) * a"


def test_micrograds_readme_pasted_verbatim_builds_and_notes_the_skipped_lines():
    at = open_page()
    at.text_area(key="src").input(MICROGRAD_README)
    run(at)
    assert not at.error, errors(at)
    assert ("Skipped line 1 (import), lines 15–18 (print and backward: the graph runs backward "
            "by itself).") in [c.value for c in at.caption]
    data, labels = player(at), node_labels(at)
    last = data["frames"][-1]
    a, b = labels.index("a"), labels.index("b")
    assert (last["grads"][a], last["grads"][b]) == ("∂ 139", "∂ 646")  # 138.8338, 645.5773
    output = next(i for i, n in enumerate(data["nodes"]) if n["top"] == "g′")
    assert last["values"][output] == "24.7"  # 24.7041


def test_a_broken_program_shows_the_error_with_a_caret_and_keeps_the_last_graph():
    at = open_page()
    before = node_labels(at)
    at.text_area(key="src").input("y = sigmoid(w1 * (x1 +)")
    run(at)
    assert "Line 1, column" in errors(at)
    carets = [c.value for c in at.code if c.value.rstrip().endswith("^")]
    assert carets and carets[0].startswith("y = sigmoid(w1 * (x1 +)")
    assert node_labels(at) == before
    assert any("last graph that worked" in c.value for c in at.caption)


def test_a_shape_error_points_into_the_program():
    at = open_page()
    at.text_area(key="src").input("z = [1, 2] + [1, 2, 3]")
    run(at)
    assert "Line 1, column" in errors(at)
    assert "(2,)" in errors(at) and "(3,)" in errors(at)


def test_a_bad_value_points_into_the_value():
    at = open_page()
    at.text_input(key="val_w1").input("randn(2,")
    run(at)
    assert "Value of w1, line 1" in errors(at)
    assert any(c.value.startswith("randn(2,\n") for c in at.code)


def test_switching_an_input_to_constant_drops_it_from_the_gradient_check():
    at = open_page()
    assert dataframe_columns(at)["parameter"] == ["w1", "w2", "b"]
    at.toggle(key="par_w1").set_value(False)
    run(at)
    assert dataframe_columns(at)["parameter"] == ["w2", "b"]
    assert ["w1", "0.5", False] in json.loads(url(at)["vals"])


def test_query_params_round_trip():
    src = "h = tanh(x * w)\nloss = (h - t) ** 2"
    vals = json.dumps([["t", "0.5", False], ["w", "randn(3)", True], ["x", "[1, 2, 3]", False]],
                      separators=(",", ":"))
    at = open_page(src=src, vals=vals, seed="7", node="3")
    assert at.text_area(key="src").value == src
    assert at.text_input(key="val_w").value == "randn(3)"
    assert not at.toggle(key="par_t").value
    assert at.number_input(key="seed").value == 7
    assert at.selectbox(key="node").value == 3
    assert url(at) == {"src": src, "vals": vals, "seed": "7", "node": "3"}
    again = open_page(**url(at))
    assert player(again) == player(at)


def test_the_seed_changes_random_inputs():
    at = open_page(example="chain")
    before = player(at)
    at.number_input(key="seed").set_value(3)
    run(at)
    assert player(at)["frames"] != before["frames"]


def test_a_hostile_link_falls_back_to_defaults():
    at = open_page(vals="{not json", seed="-4", node="99999")
    assert at.number_input(key="seed").value == 0
    assert at.text_input(key="val_w1").value == "0.5"


def test_the_inspector_shows_statement_value_gradient_and_derivative():
    at = open_page(example="fanout")
    labels = at.selectbox(key="node").options
    at.selectbox(key="node").set_value(0)  # x, the input that feeds two consumers
    run(at)
    text = " ".join(m.value for m in at.markdown)
    assert "is an input, a parameter" in text
    assert "the gradient is the sum of what each sent back" in text
    assert dataframe_columns(at)  # the gradient check is still there
    contributions = at.dataframe[0].value.to_dict(orient="list")
    assert sorted(contributions["contribution (3 significant digits)"]) == ["1", "3"]
    assert len(labels) == 5  # "choose a node" and the 4 nodes
    at.selectbox(key="node").set_value(node_id(labels, "z ="))
    run(at)
    assert any(c.value == "z = x * y + x" for c in at.code)
    assert any(r"\frac{\partial (a+b)}{\partial a}" in latex.value for latex in at.latex)


def test_elementwise_vector_ops_show_a_diagonal_jacobian():
    at = open_page(src="h = tanh(x)\ns = sum(h)", vals=json.dumps([["x", "[0.5, -1, 2]", True]]))
    at.selectbox(key="node").set_value(node_id(at.selectbox(key="node").options, "h ="))
    run(at)
    assert any("Jacobian" in m.value for m in at.markdown)
    assert any(r"\begin{bmatrix}" in latex.value and "(3,3)" in latex.value for latex in at.latex)


def test_the_surface_shows_for_two_scalar_parameters_only():
    at = open_page(example="partials")
    assert len(charts(at)) == 1
    surface = charts(at)[0]
    names = [trace.get("name", "") for trace in surface["data"]]
    assert "along x: slope ∂z/∂x = 3" in names and "along y: slope ∂z/∂y = 2" in names
    assert not charts(open_page())  # the neuron: five inputs


def test_presenter_mode_is_in_the_url():
    at = open_page()
    at.toggle(key="present").set_value(True)
    run(at)
    assert url(at)["present"] == "1"


def test_caret_lines():
    assert caret_lines("a = 1\nb = (2", 2, 5) == "b = (2\n    ^"
    assert caret_lines("", 1, 1) == "\n^"
    assert caret_lines("x", 9, 1) == "x\n^"  # a line past the end shows the last


def test_a_broken_link_shows_the_error_and_keeps_it_in_the_url():
    at = open_page(src="z = (x")
    assert "Line 1, column" in errors(at)
    assert not player(at)
    assert url(at)["src"] == "z = (x"


def test_a_program_above_the_node_cap_is_refused_with_the_cap_named():
    at = open_page(src="z = " + " + ".join(["x"] * 200))
    assert "cap" in errors(at)


def test_the_inspector_gives_the_shape_rule_of_a_matrix_product():
    at = open_page(example="chain")
    at.selectbox(key="node").set_value(node_id(at.selectbox(key="node").options, "t1 = W @ x"))
    run(at)
    text = " ".join(m.value for m in at.markdown)
    assert "Shapes: `(3,2) @ (2,1) → (3,1)`" in text
    assert "∂s/∂W is (3,2)" in text and "∂s/∂x" not in text  # x is a constant


def test_presenter_mode_enlarges_the_graph():
    assert player(open_page(present="1"))["scale"] > player(open_page())["scale"]


def warnings(at: AppTest) -> str:
    return " ".join(w.value for w in at.warning)


def test_a_non_finite_value_names_the_node_where_it_first_appears():
    at = open_page(src="z = log(x - x)\ny = z * w",
                   vals=json.dumps([["w", "3.0", True], ["x", "2.0", True]]))
    assert "values first become inf or nan at **z** in line 1: −∞" in warnings(at)
    assert player(at)
    at = open_page(src="y = sqrt(x)", vals=json.dumps([["x", "0", True]]))  # value 0, slope ∞
    assert "gradients (backward pass) first become inf or nan at **x**: ∞" in warnings(at)
    assert not open_page().warning


def test_the_inspected_node_follows_its_name_when_the_program_is_edited():
    at = open_page(example="chain")
    at.selectbox(key="node").set_value(node_id(at.selectbox(key="node").options, "h ="))
    run(at)
    before = at.selectbox(key="node").value
    at.text_area(key="src").input("z = W @ x + 2 * b\nh = sigmoid(z)\ns = sum(h) + u.T @ h")
    run(at)
    picker = at.selectbox(key="node")
    assert picker.value != before  # h has another number now
    assert picker.format_func(picker.value).startswith("h = sigmoid(z)")
    assert url(at)["node"] == str(picker.value)
    at.text_area(key="src").input("z = W @ x + b\ns = u.T @ z")  # h is gone: nothing selected
    run(at)
    assert at.selectbox(key="node").value == -1


def test_a_column_vector_gets_its_diagonal_jacobian_too():
    at = open_page(example="chain")  # h = sigmoid(z) with z of shape (3,1)
    at.selectbox(key="node").set_value(node_id(at.selectbox(key="node").options, "h ="))
    run(at)
    assert any("Jacobian ∂h/∂z ((3,1) read as a vector of 3)" in m.value for m in at.markdown)
    assert any(r"\begin{bmatrix}" in latex.value and "(3,3)" in latex.value for latex in at.latex)


def test_an_output_that_depends_on_no_parameter_skips_the_check_without_a_traceback():
    at = open_page(src="k = w * 2\ny = x * 3",
                   vals=json.dumps([["w", "1.0", True], ["x", "2.0", False]]))
    assert any("y does not depend on any parameter (w)" in i.value for i in at.info)
    assert player(at)


def test_a_value_over_the_element_cap_names_the_input_once():
    at = open_page(src="y = sum(x)", vals=json.dumps([["x", "zeros(1000, 1000)", True]]))
    assert errors(at).startswith("Value of x, line 1, column 1: zeros would make 1,000,000")


def test_the_inspector_gives_each_operands_chain_rule_with_numbers():
    at = open_page()
    at.selectbox(key="node").set_value(node_id(at.selectbox(key="node").options, "t2 = w1 × x1"))
    run(at)
    code = " ".join(c.value for c in at.code)
    assert "∂y/∂w1 = ∂y/∂t2 · ∂t2/∂w1 = 0.246 × 2 = 0.492" in code
    assert "upstream × local = contribution" in " ".join(m.value for m in at.markdown)


def test_the_inspector_shows_the_jacobian_of_a_matrix_product():
    at = open_page(example="chain")
    at.selectbox(key="node").set_value(node_id(at.selectbox(key="node").options, "t1 = W @ x"))
    run(at)
    assert any("Jacobian ∂t1/∂x" in m.value and "the matrix W" in m.value
               for m in at.markdown)
    assert any(r"\partial\,\text{x}" in latex.value and r"\begin{bmatrix}" in latex.value
               for latex in at.latex)


def test_a_frame_link_is_kept_and_a_new_graph_starts_at_the_bare_graph():
    at = open_page(frame="11")
    assert player(at)["frame"] == 11 and url(at)["frame"] == "11"
    at.toggle(key="present").set_value(True)  # no new graph: the step stays
    run(at)
    assert player(at)["frame"] == 11
    at.text_input(key="val_w1").input("0.7")
    run(at)
    assert player(at)["frame"] == 0 and "frame" not in url(at)


def test_the_design_cards_program_builds_alone_and_its_values_stay_editable():
    at = open_page(src="z = W @ x + b; h = sigmoid(z); s = sum(u * h)")
    assert not at.error, errors(at)
    assert at.text_input(key="val_W").value == "randn(3, 2)"
    at.text_input(key="val_W").input("ones(3, 2)")
    run(at)
    assert not at.error and ["W", "ones(3, 2)", True] in json.loads(url(at)["vals"])


def test_the_gradient_checks_eps_is_adjustable_and_numeric_sits_beside_analytic():
    at = open_page(src="y = relu(x)", vals=json.dumps([["x", "0.0", True]]))
    table = dataframe_columns(at)
    assert table["backward"] == ["0"] and table["central difference"] == ["0.5"]
    assert any("kink at 0" in w.value for w in at.warning)
    at.select_slider(key="eps").set_value(10)
    run(at)
    assert url(at)["eps"] == "10"


def test_each_example_shows_its_explanation():
    for example in EXAMPLES[:2]:
        assert any(example.blurb in c.value for c in open_page(example=example.key).caption)


def test_forward_mode_plays_tangents_and_says_how_many_passes_each_mode_needs():
    at = open_page(frame="5")
    at.selectbox(key="tangent").set_value("w1")
    run(at)
    data = player(at)
    assert data["frame"] == 0 and data["frames"][1]["label"].startswith("tangent 1/6")
    assert url(at)["tangent"] == "w1"
    text = " ".join(m.value for m in at.markdown)
    assert "Reverse mode** (backpropagation) needs one pass per output entry: **1**" in text
    assert "**3** passes" in text  # w1, w2, b
    at = open_page(tangent="nope")  # not an input: reverse mode
    assert at.selectbox(key="tangent").value == "" and "tangent" not in url(at)


def test_the_page_offers_the_snippet_the_html_player_and_the_svg():
    at = open_page(example="fanout")
    buttons = at.get("download_button")
    labels = [b.proto.label for b in buttons]
    assert labels == ["Download PyTorch snippet", "Download HTML player", "Download SVG"]
    assert "Fill: the value (blue −, red +)" in " ".join(c.value for c in at.caption)


def sent_text(at: AppTest) -> str:
    """Everything the page sent, as text: every element's message."""
    def walk(node):
        proto = getattr(node, "proto", None)
        yield str(proto) if proto is not None else ""
        yield from (text for child in getattr(node, "children", {}).values()
                    for text in walk(child))
    return "".join(walk(at._tree))


def test_hide_leaves_every_computed_value_and_gradient_out_until_reveal():
    """A lesson's open question (?hide=1): ∂z/∂w1 = x1² = 7.29 and z = 3.645 are nowhere in
    what the page sends; the inputs still show, and without hide both numbers do."""
    query = {"src": "z = w1 * x1 * x1", "vals": '[["w1","0.5",true],["x1","2.7",false]]'}
    shown, hidden = open_page(**query), open_page(**query, hide=1)
    assert "7.29" in sent_text(shown) and "3.645" in sent_text(shown)
    assert "7.29" not in sent_text(hidden) and "3.645" not in sent_text(hidden)
    assert "2.7" in json.dumps(player(hidden)) and len(player(hidden)["frames"]) > 1
    assert "hidden until you reveal" in " ".join(c.value for c in hidden.caption)
