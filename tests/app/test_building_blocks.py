"""The Building Blocks page through streamlit.testing: every section, bad inputs, URL state."""

import json

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

from engine import ShapeError, Tensor
from page_models.building_blocks import SECTIONS

from .helpers import open_app, run

PAGE = "pages/4_Building_Blocks.py"
CHARTS = {"cross-entropy": 2, "conditioning": 2, "factorisation": 2}  # else one chart


def open_page(**query) -> AppTest:
    """The page as a visitor opening its link with these query params sees it."""
    return open_app(PAGE, **query)


def charts(at: AppTest) -> list:
    return at.get("plotly_chart")


def errors(at: AppTest) -> list[str]:
    return [e.value for e in at.error]


def text(at: AppTest) -> str:
    return " ".join(m.value for m in at.markdown)


@pytest.mark.parametrize("section", SECTIONS)
def test_every_section_runs_with_a_chart_formula_and_sentences(section):
    at = open_page(section=section)
    assert errors(at) == []
    assert len(charts(at)) == CHARTS.get(section, 1)
    assert text(at), "no sentences"
    assert at.latex, "no formula"
    assert at.pills(key="section").value == section
    assert [t.value for t in at.title] == ["Building Blocks"]


def test_default_section_is_softmax_and_a_bad_section_falls_back():
    assert open_page().pills(key="section").value == "softmax"
    assert open_page(section="nope").pills(key="section").value == "softmax"


def test_switching_section_writes_the_url():
    at = open_page()
    at.pills(key="section").set_value("matmul").run()
    assert at.query_params["section"] == "matmul"
    assert len(charts(at)) == 1 and at.number_input(key="mm_m").value == 2


def test_a_sections_settings_survive_visiting_another_section():
    at = open_page(sm_temp=2.0)
    at.pills(key="section").set_value("matmul").run()
    at.number_input(key="mm_m").set_value(4).run()
    assert at.query_params["sm_temp"] == "2.0" and at.query_params["mm_m"] == "4"
    at.pills(key="section").set_value("softmax").run()
    assert at.slider(key="sm_temp").value == 2.0
    assert "section" not in at.query_params  # the default section is left out


@pytest.mark.parametrize(
    "query, key, expected",
    [({"sm_temp": "99"}, "sm_temp", 1.0), ({"sm_temp": "nan"}, "sm_temp", 1.0),
     ({"sm_draws": "7"}, "sm_draws", 100), ({"sm_seed": "-3"}, "sm_seed", 0)],
)
def test_hostile_url_values_fall_back_to_defaults(query, key, expected):
    at = open_page(section="softmax", **query)
    assert errors(at) == []
    widget = {"sm_temp": at.slider, "sm_draws": at.select_slider, "sm_seed": at.number_input}
    assert widget[key](key=key).value == expected


def test_url_round_trip_sets_the_widgets():
    at = open_page(section="matmul", mm_m=3, mm_n=4, mm_nb=4, mm_p=2, mm_row=2, mm_col=1)
    assert at.number_input(key="mm_m").value == 3
    assert at.number_input(key="mm_n").value == 4
    assert at.selectbox(key="mm_row").value == 2
    assert at.selectbox(key="mm_col").value == 1
    assert any(r"C_{32}" in latex.value for latex in at.latex)
    at.number_input(key="mm_p").set_value(5).run()
    assert at.query_params["mm_p"] == "5"
    assert at.query_params["mm_m"] == "3"


def test_softmax_widgets_come_from_the_url():
    at = open_page(section="softmax", sm_temp=0.5, sm_draws=1000, sm_seed=7,
                   sm_scores="a 1, b 2")
    assert at.slider(key="sm_temp").value == 0.5
    assert at.select_slider(key="sm_draws").value == 1000
    assert at.number_input(key="sm_seed").value == 7
    assert at.text_input(key="sm_scores").value == "a 1, b 2"
    assert "**b** is 7.39 times as likely as **a**" in text(at)


def test_softmax_is_stable_with_huge_scores():
    at = open_page(section="softmax", sm_scores="x 1000, y 1001, z 999")
    assert errors(at) == []
    assert "**y** is 2.72 times as likely as **x**" in text(at)
    assert "nan" not in charts(at)[0].proto.spec


def test_softmax_survives_scores_near_the_float_limit_at_a_low_temperature():
    at = open_page(section="softmax", sm_scores="a 1e308, b -1e308, c 1000, d -1000",
                   sm_temp=0.05)
    assert errors(at) == [] and len(charts(at)) == 1
    assert "nan" not in charts(at)[0].proto.spec
    assert "**a** is more than 10^308 times as likely as **c**" in text(at)
    at = open_page(section="softmax", sm_scores="a 1000, b -1000")
    assert "**a** is about 10^868.6 times as likely as **b**: e^((1000 − (−1000)) / 1)" in text(at)


def test_softmax_bad_scores_say_what_is_wrong_and_the_page_stays_alive():
    at = open_page(section="softmax", sm_scores="cat 2, dog abc")
    assert errors(at) == ["‘abc’ is not a number."]
    assert charts(at) == []
    assert at.slider(key="sm_temp").value == 1.0  # the controls are still there
    at.text_input(key="sm_scores").set_value("cat 2, dog 1").run()
    assert errors(at) == [] and len(charts(at)) == 1


def test_softmax_too_many_scores_hits_the_cap():
    at = open_page(section="softmax", sm_scores=", ".join(str(i) for i in range(30)))
    assert "cap of 20" in errors(at)[0]


def test_changing_the_temperature_changes_the_probabilities():
    at = open_page(section="softmax", sm_scores="a 1, b 2")
    at.slider(key="sm_temp").set_value(2.0).run()
    assert "1.65 times" in text(at)  # e^(1/2)
    assert at.query_params["sm_temp"] == "2.0"


def test_cross_entropy_gradient_and_true_class():
    at = open_page(section="cross-entropy", ce_scores="cat 2, dog 1, bird 0.1", ce_true=1)
    assert at.selectbox(key="ce_true").value == 1
    assert at.selectbox(key="ce_true").options == ["cat", "dog", "bird"]
    spec = charts(at)[1].proto.spec
    assert "dog (true)" in spec
    at.selectbox(key="ce_true").set_value(2).run()
    assert "bird (true)" in charts(at)[1].proto.spec
    assert at.query_params["ce_true"] == "2"


def test_cross_entropy_true_class_resets_when_its_class_is_removed():
    at = open_page(section="cross-entropy", ce_scores="a 1, b 2, c 3", ce_true=2)
    at.text_input(key="ce_scores").set_value("a 1, b 2").run()
    assert errors(at) == []
    assert at.selectbox(key="ce_true").value == 0


def test_cross_entropy_bad_scores():
    at = open_page(section="cross-entropy", ce_scores="cat 2, dog 1e")
    assert errors(at) == ["‘1e’ is not a number."]
    assert charts(at) == []


@pytest.mark.parametrize(
    "dist, query, population",
    [("uniform", {"ds_low": -2.0, "ds_high": 2.0}, "0.000"),
     ("normal", {"ds_mean": 3.0, "ds_std": 2.0}, "3.000"),
     ("Bernoulli", {"ds_p": 0.25}, "0.250")],
)
def test_distributions(dist, query, population):
    at = open_page(section="distributions", ds_dist=dist, ds_n=5000, **query)
    assert errors(at) == []
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["population mean μ"] == population
    assert abs(float(metrics["sample mean x̄"]) - float(population)) < 0.1
    assert at.pills(key="ds_dist").value == dist


def test_distributions_uniform_needs_low_below_high():
    at = open_page(section="distributions", ds_dist="uniform", ds_low=3.0, ds_high=1.0)
    assert errors(at) == ["The uniform distribution needs low < high, not 3 ≥ 1."]
    assert charts(at) == []


def test_normalisation_drawn_data_checks_the_68_95_99_7_rule():
    at = open_page(section="normalisation", nm_n=10000)
    assert errors(at) == []
    assert "| 1 | 68." in text(at) and "| 2 | 95." in text(at)


def test_normalisation_pasted_numbers_and_an_outlier():
    at = open_page(section="normalisation", nm_source="pasted", nm_numbers="1 2 3 4 5",
                   nm_outlier=1, nm_outlier_k=10)
    assert errors(at) == []
    assert at.text_input(key="nm_numbers").value == "1 2 3 4 5"
    assert at.toggle(key="nm_outlier").value is True
    assert "6 numbers" in text(at)
    assert "the outlier" in charts(at)[0].proto.spec
    assert at.pills(key="nm_source").value == "pasted"


@pytest.mark.parametrize(
    "numbers, message",
    [("1, 2, three", "‘three’ is not a number."),
     ("5 5 5 5", "All the numbers equal 5"),
     ("7", "All the numbers equal 7"),
     ("", "Type at least one number in the pasted numbers.")],
)
def test_normalisation_bad_pasted_numbers(numbers, message):
    at = open_page(section="normalisation", nm_source="pasted", nm_numbers=numbers)
    assert len(errors(at)) == 1 and message in errors(at)[0]
    assert charts(at) == []
    assert at.latex, "the formulas stay on the page"


def test_matmul_mismatch_shows_the_engines_message_verbatim():
    at = open_page(section="matmul", mm_m=2, mm_n=3, mm_nb=4, mm_p=2)
    with pytest.raises(ShapeError) as matmul_error:
        Tensor(np.zeros((2, 3))) @ Tensor(np.zeros((4, 2)))
    with pytest.raises(ShapeError) as layer_error:
        Tensor(np.zeros((2, 3))) @ Tensor(np.zeros(4))
    assert errors(at) == [str(matmul_error.value), str(layer_error.value)]
    assert len(charts(at)) == 1  # A and B are still drawn


def test_matmul_layer_shape_rule():
    at = open_page(section="matmul", mm_m=4, mm_n=3, mm_nb=3, mm_p=2)
    assert errors(at) == []
    assert "W (4,3) @ x (3,) + b (4,) → output (4,)" in text(at)


def test_matmul_picked_cell_is_clamped_to_the_result():
    at = open_page(section="matmul", mm_m=3, mm_row=2)
    at.number_input(key="mm_m").set_value(2).run()
    assert at.selectbox(key="mm_row").value == 0


@pytest.mark.parametrize("function", ["sin", "exp", "tanh", "sigmoid", "cube", "log"])
def test_derivatives_every_function(function):
    at = open_page(section="derivatives", nd_f=function, nd_x=0.5)
    assert errors(at) == []
    metrics = {m.label: m.value for m in at.metric}
    exact = {"sin": np.cos(0.5), "exp": np.exp(0.5), "tanh": 1 - np.tanh(0.5) ** 2,
             "sigmoid": np.exp(-0.5) / (1 + np.exp(-0.5)) ** 2, "cube": 0.75, "log": 2.0}
    assert float(metrics["exact f′(x) from backward"]) == pytest.approx(exact[function])


def test_derivatives_log_needs_positive_x():
    at = open_page(section="derivatives", nd_f="log", nd_x=-1.0)
    assert errors(at) == ["log is only defined for x > 0; move the point x to the right."]
    assert charts(at) == []


def test_conditioning_large_kappa_loses_rank_and_accuracy():
    calm = open_page(section="conditioning", cd_log_kappa=0.0)
    wild = open_page(section="conditioning", cd_log_kappa=16.0, cd_n=4)
    calm_metrics = {m.label: m.value for m in calm.metric}
    wild_metrics = {m.label: m.value for m in wild.metric}
    assert calm_metrics["rank"] == "3 of 3"
    assert calm_metrics["condition number κ"] == "1"
    assert wild_metrics["rank"] in ("2 of 4", "3 of 4")
    assert any(r"\begin{bmatrix}" in latex.value for latex in wild.latex)  # the matrix itself
    assert float(wild_metrics["relative error in x"]) > 1e3 * float(
        calm_metrics["relative error in x"])
    assert errors(wild) == []


def test_cross_entropy_with_huge_scores_shows_the_engines_loss():
    at = open_page(section="cross-entropy", ce_scores="a 1000, b -1000", ce_true=1)
    assert errors(at) == [] and len(charts(at)) == 2
    assert "loss = 2000" in charts(at)[0].proto.spec  # −ln p with p = e^−2000, off the axis


def test_pasted_numbers_near_the_float_limit_are_a_message():
    at = open_page(section="normalisation", nm_source="pasted", nm_numbers="1e308, -1e308")
    assert len(errors(at)) == 1 and "too large" in errors(at)[0] and charts(at) == []


def test_conditioning_of_a_typed_matrix():
    at = open_page(section="conditioning", cd_own="1", cd_matrix="4 1; 1 3")
    assert errors(at) == [] and len(charts(at)) == 2
    metrics = [m.value for m in at.metric]
    kappa = np.linalg.cond(np.array([[4.0, 1.0], [1.0, 3.0]]))
    assert metrics[:2] == ["2 of 2", f"{kappa:.3g}"]
    # Singular: no solve, and not positive definite: no descent chart, each said plainly.
    at = open_page(section="conditioning", cd_own="1", cd_matrix="1 2; 2 4")
    assert [m.value for m in at.metric][0] == "1 of 2" and len(charts(at)) == 1
    assert "symmetric positive definite" in at.info[0].value
    # Bad matrices are messages naming the problem.
    at = open_page(section="conditioning", cd_own="1", cd_matrix="1 2 3; 4 5 6")
    assert errors(at) == ["A is (2,3); this section needs a square matrix (n×n) to solve Ax = b."]
    at = open_page(section="conditioning", cd_own="1", cd_matrix="1 2; 3")
    assert "Row 2 of the matrix has 1" in errors(at)[0] and charts(at) == []
    at.toggle(key="cd_own").set_value(False).run()
    assert errors(at) == [] and len(charts(at)) == 2


def test_a_value_above_its_cap_says_which_cap():
    at = open_page(section="softmax", sm_temp="99")
    notes = " ".join(i.value for i in at.info)
    assert "sm_temp=99 (at most 5)" in notes
    assert at.slider(key="sm_temp").value == 1.0


# ---- issue 18: fixes ------------------------------------------------------------------------


def test_space_separated_scores_are_one_bar_each():
    at = open_page(section="softmax", sm_scores="1 2 3")
    assert errors(at) == []
    bars = charts(at)[0].proto.spec
    assert all(f'"#{k}"' in bars for k in (1, 2, 3))
    assert "**#3** is 2.72 times as likely as **#2**" in text(at)


def test_duplicate_labels_keep_their_own_bars():
    at = open_page(section="softmax", sm_scores="cat 1, cat 2, dog 0")
    assert '"cat (2)"' in charts(at)[0].proto.spec
    assert "**cat (2)** is 2.72 times as likely as **cat**" in text(at)
    at = open_page(section="cross-entropy", ce_scores="cat 1, cat 2")
    assert at.selectbox(key="ce_true").options == ["cat", "cat (2)"]


def test_a_single_class_has_loss_zero_not_minus_zero():
    at = open_page(section="cross-entropy", ce_scores="cat 2")
    spec = charts(at)[0].proto.spec
    assert "loss = 0" in spec and "loss = -0" not in spec and "loss = −0" not in spec
    assert "add a second class" in at.info[0].value


def test_a_sample_of_one_has_no_standard_deviation():
    at = open_page(section="distributions", ds_n=1)
    metrics = {m.label: m for m in at.metric}
    assert metrics["sample std s"].value == "undefined"
    assert "n − 1 = 0" in metrics["sample std s"].help


def test_distribution_sliders_keep_their_values_when_the_distribution_changes():
    """Moving a slider, switching the distribution and back: every slider shows the value that
    is plotted (Streamlit used to forget the hidden sliders' values)."""
    at = open_page(section="distributions")
    at.slider(key="ds_mean").set_value(2.0).run()
    at.pills(key="ds_dist").set_value("uniform").run()
    at.slider(key="ds_high").set_value(3.0).run()
    at.pills(key="ds_dist").set_value("normal").run()
    at.slider(key="ds_std").set_value(1.5).run()
    at.pills(key="ds_dist").set_value("uniform").run()
    at.pills(key="ds_dist").set_value("normal").run()
    assert at.slider(key="ds_mean").value == 2.0 and at.slider(key="ds_std").value == 1.5
    assert {m.label: m.value for m in at.metric}["population mean μ"] == "2.000"
    at.pills(key="ds_dist").set_value("uniform").run()
    assert at.slider(key="ds_high").value == 3.0
    assert {m.label: m.value for m in at.metric}["population mean μ"] == "1.500"
    assert at.query_params["ds_high"] == "3.0" and at.query_params["ds_mean"] == "2.0"


# ---- issue 18: new sections -----------------------------------------------------------------


def test_activations_table_has_every_function_at_the_point():
    at = open_page(section="activations", ac_x=-2.0, ac_alpha=0.2)
    table = text(at)
    for name in ("sigmoid", "tanh", "ReLU", "leaky ReLU", "softplus", "GELU"):
        assert f"| {name} |" in table
    assert "| leaky ReLU | $\\max(\\alpha x, x)$ | -0.400 | 0.200 |" in table


def test_activations_junk_url_falls_back():
    at = open_page(section="activations", ac_x="abc", ac_alpha="9")
    assert errors(at) == [] and at.slider(key="ac_x").value == 1.0
    assert "ac_alpha=9 (at most 0.5)" in " ".join(i.value for i in at.info)


def test_regression_moving_a_point_refits_and_keeps_the_residual_orthogonal():
    at = open_page(section="regression", rg_points="0 0; 1 1; 2 2")
    assert "ŷ = 0.000 + 1.000·x" in text(at)
    at.selectbox(key="rg_pick").set_value(2)
    run(at)
    at.number_input(key="rg_move_y").set_value(5.0)
    run(at)
    assert at.query_params["rg_points"] == "0 0; 1 1; 2 5"
    assert at.text_input(key="rg_points").value == "0 0; 1 1; 2 5"
    assert "ŷ = −0.500 + 2.500·x" in text(at) and "zero up to rounding" in text(at)


@pytest.mark.parametrize(
    "points, message",
    [("1 2; 3", "Row 2 of the matrix has 1"), ("1 1; 1 2", "two different x values"),
     ("a b", "‘a’ is not a number"), ("1 2 3; 4 5 6", "two numbers “x y”"),
     ("", "Type a matrix")],
)
def test_regression_bad_points_are_messages(points, message):
    at = open_page(section="regression", rg_points=points)
    assert len(errors(at)) == 1 and message in errors(at)[0] and charts(at) == []


def test_rank_names_the_vector_that_adds_nothing():
    at = open_page(section="rank", rk_vectors="1 0; 2 0")
    assert "**rank 1** of 2 vectors in 2-D" in text(at)
    assert "v2 = 2·v1: it adds no new direction." in text(at)
    at = open_page(section="rank", rk_vectors="1 0 0; 0 1 0; 1 1 0; 0 0 1")
    assert "**rank 3** of 4 vectors in 3-D" in text(at) and "v3 = 1·v1 + 1·v2" in text(at)


@pytest.mark.parametrize("vectors, message", [("1 2 3 4", "2 or 3 numbers"),
                                              ("1; 2", "2 or 3 numbers"), ("x", "not a number")])
def test_rank_bad_vectors_are_messages(vectors, message):
    at = open_page(section="rank", rk_vectors=vectors)
    assert len(errors(at)) == 1 and message in errors(at)[0] and charts(at) == []


@pytest.mark.parametrize("a, b, c, shape", [(2.0, 0.5, 1.0, "bowl"), (-1.0, 0.0, 1.0, "saddle"),
                                            (-1.0, 0.0, -2.0, "dome"), (1.0, 1.0, 1.0, "trough")])
def test_quadratic_form_shape_follows_the_eigenvalue_signs(a, b, c, shape):
    at = open_page(section="quadratic-forms", qf_a=a, qf_b=b, qf_c=c)
    assert errors(at) == [] and {m.label: m.value for m in at.metric}["shape"] == shape


def test_quadratic_form_junk_url_falls_back():
    at = open_page(section="quadratic-forms", qf_a="zz", qf_b="nan", qf_c="7")
    assert [at.slider(key=k).value for k in ("qf_a", "qf_b", "qf_c")] == [2.0, 0.5, 1.0]


@pytest.mark.parametrize("matrix, message", [("1 -2; 3 4", "negative"), ("0 0; 0 0", "Every entry"),
                                             ("1 2; 3", "Row 2")])
def test_factorisation_bad_typed_matrices_are_messages(matrix, message):
    at = open_page(section="factorisation", fa_data="typed", fa_matrix=matrix)
    assert len(errors(at)) == 1 and message in errors(at)[0] and charts(at) == []


def test_factorisation_typed_matrix_and_rank():
    at = open_page(section="factorisation", fa_data="typed", fa_rank=2)
    assert errors(at) == [] and len(charts(at)) == 2
    assert "NMF part 2" in charts(at)[1].proto.spec and "NMF part 3" not in charts(at)[1].proto.spec


@pytest.mark.parametrize(
    "query, message",
    [({"te_spec": "ij,jk->ikk"}, "The result's index k appears twice."),
     ({"te_spec": "ij,jk=>ik"}, "not an einsum spec"),
     ({"te_spec": "__import__('os')"}, "not an einsum spec"),
     ({"te_shapes": "2x3, 4x4"}, "Index j has size 3 in one place and 4"),
     ({"te_spec": "ij->k"}, "names 1 operand(s) but 2 shape(s)"),
     ({"te_shapes": "2x3x", "te_spec": "ij->ji"}, None),
     ({"te_shapes": "abc, 3x4"}, "‘abc’ is not a shape"),
     ({"te_shapes": "2x9, 9x4"}, "1 to 6 entries"),
     ({"te_op": "add", "te_shapes": "2x3, 4"}, "Broadcasting pairs the axes from the right")],
)
def test_tensors_bad_specs_and_shapes_are_messages(query, message):
    at = open_page(section="tensors", **query)
    if message is None:
        assert errors(at) == [] and len(charts(at)) == 1
    else:
        assert len(errors(at)) == 1 and message in errors(at)[0] and charts(at) == []


def test_tensors_broadcast_shapes_are_shown():
    at = open_page(section="tensors", te_op="add", te_shapes="3x1, 1x4")
    titles = [a["text"] for a in json.loads(charts(at)[0].proto.spec)["layout"]["annotations"]]
    assert titles == ["A: 3×1", "B: 1×4", "R: 3×4"]


@pytest.mark.parametrize("op", ["dot product", "ReLU", "a·x + b"])
def test_vectorisation_times_each_computation(op):
    at = open_page(section="vectorisation", vc_op=op, vc_max=1000)
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["n"] == "1,000" and metrics["same result"] == "yes"
    assert "Timed live on this server" in at.caption[0].value


def test_timed_sections_refuse_sizes_above_their_caps():
    at = open_page(section="vectorisation", vc_max="10000000")
    assert at.select_slider(key="vc_max").value == 10_000
    at = open_page(section="autodiff-cost", ad_max="5000", ad_seed="-1")
    assert at.select_slider(key="ad_max").value == 300 and errors(at) == []


def test_autodiff_cost_gradients_agree():
    at = open_page(section="autodiff-cost", ad_max=30)
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["parameters P"] == "30" and float(metrics["largest |difference|"]) < 1e-6


def test_sampling_bias_junk_url_and_a_fair_sample():
    at = open_page(section="sampling-bias", sb_bias="-1", sb_n="3")
    assert at.slider(key="sb_bias").value == 0.5 and at.select_slider(key="sb_n").value == 500
    at = open_page(section="sampling-bias", sb_bias=0.0, sb_n=5000)
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["where biased x̄ settles"] == "170.00 cm"
    assert abs(float(metrics["biased sample x̄"].split()[0]) - 170) < 1


@pytest.mark.parametrize("junk", ["nan", "-1e309", "1,2,,x", "9" * 5000])
@pytest.mark.parametrize("section", SECTIONS)
def test_junk_in_every_param_of_every_section(section, junk):
    """Every param of the section gets junk at once: defaults or a message, never a crash."""
    at = open_page(section=section, **dict.fromkeys(SECTIONS[section].params, junk))
    assert at.pills(key="section").value == section
    assert len(charts(at)) + len(errors(at)) >= 1


# ---- a lesson's open question: ?hide=1 leaves out the numbers it asks for ----------------------


def test_hide_leaves_out_the_softmax_probabilities_and_the_comparison():
    shown, hidden = open_page(section="softmax"), open_page(section="softmax", hide=1)
    assert "0.531" in charts(shown)[0].proto.spec and "**mat** is" in text(shown)
    assert "0.531" not in charts(hidden)[0].proto.spec and "**mat** is" not in text(hidden)
    assert "hidden until you reveal" in " ".join(c.value for c in hidden.caption)


def test_hide_leaves_out_the_cross_entropy_numbers_and_gradient():
    shown, hidden = open_page(section="cross-entropy"), open_page(section="cross-entropy", hide=1)
    assert "loss = 0.417" in charts(shown)[0].proto.spec and len(charts(shown)) == 2
    assert "loss = 0.417" not in charts(hidden)[0].proto.spec and len(charts(hidden)) == 1
    assert "once you reveal" in hidden.info[0].value


def test_hide_leaves_out_the_normalisation_table():
    assert "| 2 | 95." in text(open_page(section="normalisation", nm_n=10000))
    assert "| 2 | 95." not in text(open_page(section="normalisation", nm_n=10000, hide=1))


def test_hide_leaves_out_the_product_c():
    shown, hidden = open_page(section="matmul"), open_page(section="matmul", hide=1)
    assert "C = A @ B" in charts(shown)[0].proto.spec and len(shown.latex) > len(hidden.latex)
    assert "C = A @ B" not in charts(hidden)[0].proto.spec
    assert open_page(section="matmul", mm_nb=2, hide=1).error == []  # "no product" is hidden too


def test_hide_leaves_out_the_quadratic_forms_shape_and_the_solve_metrics():
    shown = open_page(section="quadratic-forms", qf_a=1.0, qf_b=2.0, qf_c=1.0)
    hidden = open_page(section="quadratic-forms", qf_a=1.0, qf_b=2.0, qf_c=1.0, hide=1)
    assert "a saddle" in charts(shown)[0].proto.spec and len(shown.metric) == 4
    assert "a saddle" not in charts(hidden)[0].proto.spec and len(hidden.metric) == 0
    assert len(open_page(section="conditioning", hide=1).metric) == 0
    assert "ŷ = 0.730" in text(open_page(section="regression"))
    assert "ŷ = 0.730" not in text(open_page(section="regression", hide=1))


def test_hide_leaves_out_the_factorisation_errors_and_the_tensors_result():
    shown, hidden = open_page(section="factorisation"), open_page(section="factorisation", hide=1)
    assert "relative error" in charts(shown)[0].proto.spec
    assert "relative error" not in charts(hidden)[0].proto.spec
    query = {"section": "tensors", "te_op": "einsum", "te_spec": "bij,bjk->bik",
             "te_shapes": "4x2x3, 4x3x5"}
    assert "R: 4×2×5" in charts(open_page(**query))[0].proto.spec
    assert "R: 4×2×5" not in charts(open_page(**query, hide=1))[0].proto.spec
