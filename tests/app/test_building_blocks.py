"""The Building Blocks page through streamlit.testing: every section, bad inputs, URL state."""


import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

from engine import ShapeError, Tensor

from .helpers import open_app

PAGE = "pages/4_Building_Blocks.py"
SECTIONS = ["softmax", "cross-entropy", "distributions", "normalisation", "matmul",
            "derivatives", "conditioning"]
CHARTS = {"cross-entropy": 2, "conditioning": 2}


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
    assert at.latex, "no formula"
    assert at.pills[0].value == section
    assert [t.value for t in at.title] == ["Building Blocks"]


def test_default_section_is_softmax_and_a_bad_section_falls_back():
    assert open_page().pills[0].value == "softmax"
    assert open_page(section="nope").pills[0].value == "softmax"


def test_switching_section_writes_the_url():
    at = open_page()
    at.pills[0].set_value("matmul").run()
    assert at.query_params["section"] == "matmul"
    assert len(charts(at)) == 1 and at.number_input(key="mm_m").value == 2


def test_a_sections_settings_survive_visiting_another_section():
    at = open_page(sm_temp=2.0)
    at.pills[0].set_value("matmul").run()
    at.number_input(key="mm_m").set_value(4).run()
    assert at.query_params["sm_temp"] == "2.0" and at.query_params["mm_m"] == "4"
    at.pills[0].set_value("softmax").run()
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
