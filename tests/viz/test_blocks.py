"""Figures of the Building Blocks page, built from engine results."""

import numpy as np
import pytest

from engine import Tensor, cross_entropy, softmax
from page_models.building_blocks import SECTIONS
from page_models.building_blocks.calculus import ACTIVATIONS, GradientCost, LoopTiming
from page_models.building_blocks.linear_algebra import distances_to_minimum
from page_models.numerics import differences, matrices, sampling, scaling
from viz.blocks import (
    FONT_SIZE,
    cross_entropy_loss_figure,
    gradient_figure,
    projector_style,
    softmax_figure,
)
from viz.blocks_calculus import (
    activations_figure,
    difference_error_figure,
    gradient_cost_figure,
    loop_timing_figure,
)
from viz.blocks_factorisation import factorisation_figure, parts_figure, tensor_figure
from viz.blocks_linalg import (
    descent_figure,
    dot_product_latex,
    low_rank_figure,
    matmul_figure,
    matrix_latex,
    quadratic_figure,
    rank_figure,
    regression_figure,
)
from viz.blocks_stats import (
    distribution_figure,
    histogram_bars,
    sampling_bias_figure,
    scaling_figure,
)
from viz.palette import PICKED

LABELS = ["mat", "floor", "sofa", "moon"]
SCORES = np.array([3.0, 2.2, 1.9, -1.0])


def test_softmax_bars_are_probabilities_and_draw_fractions():
    probs = softmax(Tensor(SCORES)).data
    counts = sampling.draw_counts(probs, 500, seed=0)
    fig = softmax_figure(LABELS, probs, counts)
    prob_bars, draw_bars = fig.data
    assert list(prob_bars.x) == LABELS
    assert sum(prob_bars.y) == pytest.approx(1.0)
    assert list(prob_bars.y) == pytest.approx(probs)
    assert sum(draw_bars.y) == pytest.approx(1.0)
    assert list(draw_bars.y) == pytest.approx(counts / 500)
    assert "500" in draw_bars.name


def test_softmax_of_huge_scores_is_finite():
    probs = softmax(Tensor(np.array([1000.0, 1001.0]))).data
    fig = softmax_figure(["a", "b"], probs, np.array([3, 7]))
    assert np.all(np.isfinite(fig.data[0].y))
    assert fig.data[0].y[1] / fig.data[0].y[0] == pytest.approx(np.e)


@pytest.mark.parametrize("true_class", [0, 2])
def test_gradient_bars_equal_softmax_minus_onehot(true_class):
    z = Tensor(SCORES[None, :], requires_grad=True)
    cross_entropy(z, np.array([true_class])).backward()
    fig = gradient_figure(LABELS, z.grad[0], true_class)
    expected = softmax(Tensor(SCORES)).data - np.eye(len(SCORES))[true_class]
    assert list(fig.data[0].y) == pytest.approx(expected)
    assert sum(fig.data[0].y) == pytest.approx(0.0, abs=1e-12)
    assert fig.data[0].x[true_class] == f"{LABELS[true_class]} (true)"


def test_cross_entropy_curve_marks_the_current_loss():
    fig = cross_entropy_loss_figure(0.25, "cat")
    curve, marker = fig.data
    assert list(curve.y) == pytest.approx(-np.log(curve.x))
    assert marker.x[0] == 0.25 and marker.y[0] == pytest.approx(np.log(4))
    assert "cat" in fig.layout.xaxis.title.text


def test_histogram_bars_have_area_one():
    x = sampling.draw_samples(sampling.normal(0.0, 1.0), 1000, seed=0)
    bars = histogram_bars(x, "h", "#000000", bins=20)
    assert len(bars.x) == 20
    assert np.sum(np.array(bars.y) * np.array(bars.width)) == pytest.approx(1.0)


def test_distribution_figure_continuous():
    dist = sampling.normal(2.0, 0.5)
    fig = distribution_figure(dist, sampling.draw_samples(dist, 300, seed=1))
    bars, density = fig.data
    assert bars.type == "bar" and density.type == "scatter"
    assert max(density.y) == pytest.approx(1 / (0.5 * np.sqrt(2 * np.pi)), rel=1e-3)
    assert "300" in fig.layout.title.text


def test_distribution_figure_bernoulli():
    dist = sampling.bernoulli(0.3)
    samples = sampling.draw_samples(dist, 1000, seed=2)
    population, sample = distribution_figure(dist, samples).data
    assert list(population.y) == pytest.approx([0.7, 0.3])
    assert list(sample.y) == pytest.approx([np.mean(samples == 0), np.mean(samples == 1)])


def test_scaling_figure_panels_and_outlier():
    x = np.append(sampling.draw_samples(sampling.normal(50, 10), 200, seed=0), 500.0)
    z = scaling.z_scores(x)
    fig = scaling_figure(x, scaling.min_max_scale(x), z, outlier=200)
    bars = [t for t in fig.data if t.type == "bar"]
    markers = [t for t in fig.data if t.type == "scatter"]
    assert len(bars) == 3
    assert [m.x[0] for m in markers] == pytest.approx([500.0, 1.0, z[200]])
    assert all(m.marker.color == PICKED for m in markers)
    assert "the outlier" in fig.layout.title.text
    assert z.mean() == pytest.approx(0.0, abs=1e-12) and z.std() == pytest.approx(1.0)
    assert [a.text for a in fig.layout.annotations][:3] == [
        "raw", "min–max scaled to [0, 1]", "z-scores"]


def test_scaling_figure_without_outlier_has_no_marker():
    x = np.arange(10.0)
    fig = scaling_figure(x, scaling.min_max_scale(x), scaling.z_scores(x))
    assert [t.type for t in fig.data] == ["bar", "bar", "bar"]


def test_matmul_figure_outlines_row_column_and_cell():
    a, b = matrices.integer_matrix(2, 3, seed=1), matrices.integer_matrix(3, 4, seed=2)
    c = (Tensor(a) @ Tensor(b)).data
    fig = matmul_figure(a, b, c, row=1, col=2)
    assert [t.type for t in fig.data] == ["heatmap"] * 3
    assert np.array(fig.data[2].z) == pytest.approx(a @ b)
    row, col, cell = fig.layout.shapes
    assert (row.y0, row.y1, row.x0, row.x1) == (0.5, 1.5, -0.5, 2.5)  # row 2 of A
    assert (col.x0, col.x1, col.y0, col.y1) == (1.5, 2.5, -0.5, 2.5)  # column 3 of B
    assert (cell.x0, cell.y0) == (1.5, 0.5)


def test_matmul_figure_without_result_shows_a_and_b():
    fig = matmul_figure(np.ones((2, 3)), np.ones((4, 2)), None, 0, 0)
    assert len(fig.data) == 2
    assert "C" not in " ".join(a.text for a in fig.layout.annotations)


def test_dot_product_latex():
    a = np.array([[1.0, -2.0]])
    b = np.array([[3.0], [4.0]])
    text = dot_product_latex(a, b, 0, 0, -5.0)
    assert text.startswith("C_{11}")
    assert r"1\cdot3 + (-2)\cdot4 = -5" in text


def test_matrix_latex():
    assert matrix_latex(np.array([[1.0, -0.25], [1 / 3, 2e-7]])) == (
        r"\begin{bmatrix}1 & -0.25 \\ 0.333 & 2e-07\end{bmatrix}")


def test_difference_error_figure():
    h = np.logspace(-16, 0, 17)
    err = differences.difference_errors(lambda t: t.exp(), 0.5, h)
    fig = difference_error_figure(err)
    names = [t.name for t in fig.data if t.showlegend is not False]
    assert names == ["forward", "central", "∝ h", "∝ h²", "round-off ∝ ε/h"]
    forward = np.array(fig.data[0].y, dtype=float)
    drawn = np.isfinite(forward)
    assert forward[drawn] == pytest.approx(err.forward[drawn])
    assert np.all(np.isnan(forward[err.forward == 0]))  # exact zeros cannot sit on a log axis
    assert fig.layout.xaxis.type == "log" and fig.layout.yaxis.type == "log"
    stars = [t for t in fig.data if t.showlegend is False]
    assert len(stars) == 2
    assert stars[1].y[0] == pytest.approx(np.nanmin(err.central[err.central > 0]))


def test_low_rank_and_descent_figures():
    a = matrices.matrix_with_condition(3, 100.0, seed=0)
    summary = matrices.svd_summary(a)
    fig = low_rank_figure(summary.singular_values, *matrices.low_rank_errors(a))
    assert list(fig.data[0].y) == pytest.approx(summary.singular_values)
    assert list(fig.data[1].x) == [0, 1, 2, 3]
    distances = distances_to_minimum(a, 20)
    fig = descent_figure(distances, 100.0)
    assert list(fig.data[0].y) == pytest.approx(distances)
    assert list(fig.data[1].y) == pytest.approx(0.99 ** np.arange(21))
    stalled = descent_figure(distances_to_minimum(
        matrices.matrix_with_condition(4, 1e16, seed=0), 20), 1e16)
    assert stalled.layout.yaxis.range[0] <= -2  # a run stuck near 1 is drawn as stuck


def test_projector_style_fonts_are_large():
    fig = projector_style(softmax_figure(["a"], np.array([1.0]), np.array([1])), "T")
    assert fig.layout.title.text == "T"
    assert fig.layout.font.size >= 14
    assert fig.layout.xaxis.tickfont.size >= 14 and fig.layout.yaxis.tickfont.size >= 14
    assert FONT_SIZE >= 14


def test_a_loss_too_large_for_the_axis_is_marked_at_the_top_with_its_value():
    fig = cross_entropy_loss_figure(0.0, "b", loss=2000.0)  # scores a 1000, b −1000, true b
    marker = fig.data[1]
    assert marker.y[0] < fig.layout.yaxis.range[1] and marker.marker.symbol == "triangle-up"
    assert "loss = 2000" in marker.text[0]


def test_the_legend_takes_a_row_of_its_own_only_when_asked():
    def styled(legend):
        return projector_style(softmax_figure(["a", "b"], np.array([0.5, 0.5]), np.array([1, 1])),
                               "T", legend=legend)
    above, beside, none = styled("above"), styled("beside title"), styled("none")
    assert above.layout.margin.t > beside.layout.margin.t == none.layout.margin.t
    assert beside.layout.legend.yref == "container" and beside.layout.legend.y == 1.0
    assert none.layout.showlegend is False
    with pytest.raises(ValueError, match="legend"):
        styled("left")


# ---- the sections of issue 18 ---------------------------------------------------------------


def section_view(key: str, **changes):
    values = {name: param.default for name, param in SECTIONS[key].params.items()}
    return SECTIONS[key].compute({**values, **changes})


def test_activations_figure_draws_each_function_and_slope_once_in_the_legend():
    view = section_view("activations")
    fig = activations_figure(view)
    assert [t.name for t in fig.data if t.showlegend] == list(ACTIVATIONS)
    slopes = [t for t in fig.data if t.xaxis == "x2" and t.mode == "lines"]
    assert list(slopes[0].y) == pytest.approx(view.curves["sigmoid"].slopes)


def test_timing_figures_use_log_axes_and_show_the_speedup():
    timing = LoopTiming(np.array([1, 10, 100]), np.array([1e-6, 1e-5, 1e-4]),
                        np.array([1e-6, 2e-6, 4e-6]), True)
    fig = loop_timing_figure(timing)
    assert list(fig.data[2].y) == pytest.approx([1, 5, 25])
    assert fig.layout.xaxis.type == "log" and fig.layout.yaxis.type == "log"
    cost = GradientCost(np.array([1, 10]), np.array([1e-4, 1e-3]), np.array([5e-5, 5e-5]), 0.0)
    fig = gradient_cost_figure(cost)
    assert [list(t.y) for t in fig.data] == [[1e-4, 1e-3], [5e-5, 5e-5]]


def test_rank_figure_dashes_a_vector_that_adds_nothing_and_draws_the_span():
    fig = rank_figure(section_view("rank", rk_vectors="1 0; 2 0"))
    assert [t.name for t in fig.data] == ["span", "v1", "v2 (adds nothing)"]
    assert fig.data[2].line.dash == "dash" and "rank 1" in fig.layout.title.text
    fig = rank_figure(section_view("rank", rk_vectors="1 0 0; 0 1 0; 1 1 0"))
    assert "a plane" in fig.layout.title.text
    assert {t.type for t in fig.data} == {"scatter"}  # drawn flat: no WebGL scene redrawing
    span = next(t for t in fig.data if t.name == "span")
    assert span.fill == "toself" and len(span.x) == 5  # a parallelogram, closed
    assert fig.layout.meta["summary"] == ("In 3-D: v1 = (1, 0, 0); v2 = (0, 1, 0); "
                                          "v3 = (1, 1, 0) adds nothing.")


@pytest.mark.parametrize("vectors", ["1 -1 0; 0 0 1", "1.1 -1.1 0.7; 2.2 -2.2 1.4"])
def test_the_3d_rank_view_never_sees_a_plane_edge_on_or_a_line_end_on(vectors):
    """The default eye looks along (−1.1, 1.1, −0.7): this plane holds that direction, and
    this line is it; the drawing turns about z instead."""
    fig = rank_figure(section_view("rank", rk_vectors=vectors))
    arrows = [t for t in fig.data if (t.name or "").startswith("v")]
    lengths = [np.hypot(np.diff(t.x), np.diff(t.y))[0] for t in arrows]
    assert min(lengths) > 0.5 * np.linalg.norm([1, -1, 0])
    if len(arrows) == 2 and "plane" in fig.layout.title.text:
        (ax, bx), (ay, by) = (np.diff(t.x)[0] for t in arrows), (np.diff(t.y)[0] for t in arrows)
        assert abs(ax * by - ay * bx) > 0.3  # the two arrows do not lie on one line


def test_regression_figure_draws_every_residual_and_the_projection():
    view = section_view("regression")
    fig = regression_figure(view, picked=1)
    residuals = [t for t in fig.data if t.type == "scatter" and t.line.dash == "dot"]
    assert len(residuals) == len(view.x)
    assert [list(r.y) for r in residuals] == [[y, f] for y, f in zip(view.y, view.fitted)]
    fitted = np.linalg.norm(view.fitted)
    stretch = int(0.4 * fitted / np.linalg.norm(view.residual))
    r_arrow = [t for t in fig.data if t.name == f"r (×{stretch})"][0]  # upright on ŷ
    assert list(r_arrow.x) == pytest.approx([fitted, fitted])
    assert list(r_arrow.y) == pytest.approx([0, stretch * np.linalg.norm(view.residual)])
    exact = regression_figure(section_view("regression", rg_points="0 0; 1 5; 2 0"), picked=0)
    assert [t.name for t in exact.data if t.name and t.name.startswith("r")] == ["r"]
    points = [t for t in fig.data if t.name == "points"][0]
    assert list(points.marker.size) == [11, 18, 11, 11, 11]


def test_quadratic_figure_has_surface_contours_eigenvectors_and_descent():
    view = section_view("quadratic-forms", qf_a=1.0, qf_b=0.0, qf_c=-1.0)
    fig = quadratic_figure(view)
    assert [t.type for t in fig.data][:3] == ["scatter", "scatter", "contour"]
    assert not any(key.startswith("scene") for key in fig.layout.to_plotly_json())  # no WebGL
    assert "a saddle" in [a.text for a in fig.layout.annotations]
    up, down = fig.data[:2]  # the wires where xᵀAx ≥ 0 and ≤ 0: a saddle has both
    assert np.isfinite(np.array(up.y, dtype=float)).any()
    assert np.isfinite(np.array(down.y, dtype=float)).any()
    assert fig.data[-1].name == "gradient descent"


def test_factorisation_figures():
    view = section_view("factorisation", fa_rank=2)
    fig = factorisation_figure(view)
    assert [t.type for t in fig.data] == ["heatmap"] * 3 + ["scatter"] * 2
    assert list(fig.data[4].y) == pytest.approx(view.nmf_errors)
    parts = parts_figure(view)
    assert len(parts.data) == 4 and min(np.min(t.z) for t in parts.data[:2]) >= 0
    hidden = factorisation_figure(view, errors=False)  # a lesson asks which error is smaller
    assert [t.type for t in hidden.data] == ["heatmap"] * 3
    assert "relative error" not in str(hidden.to_dict())


def test_tensor_figure_titles_carry_the_shapes():
    fig = tensor_figure(section_view("tensors", te_spec="bij,bjk->bik",
                                     te_shapes="2x2x3, 2x3x2"))
    assert [a.text for a in fig.layout.annotations] == ["A: 2×2×3", "B: 2×3×2", "R: 2×2×2"]
    assert np.shape(fig.data[0].z) == (4, 3)  # the first two axes stacked as rows
    hidden = tensor_figure(section_view("tensors", te_spec="bij,bjk->bik",
                                        te_shapes="2x2x3, 2x3x2"), result=False)
    assert [a.text for a in hidden.layout.annotations] == ["A: 2×2×3", "B: 2×3×2"]
    assert len(hidden.data) == 2


def test_sampling_bias_figure_draws_both_running_means():
    view = section_view("sampling-bias", sb_n=100)
    fig = sampling_bias_figure(view)
    running = [t for t in fig.data if t.xaxis == "x2"]
    assert [list(t.y) for t in running] == [list(view.random_running_mean),
                                            list(view.biased_running_mean)]



def test_an_open_question_leaves_the_numbers_off_the_softmax_and_loss_figures():
    probs, counts = np.array([0.7, 0.3]), np.array([6, 4])
    shown = softmax_figure(["a", "b"], probs, counts)
    hidden = softmax_figure(["a", "b"], probs, counts, numbers=False)
    assert list(shown.data[0].text) == ["0.700", "0.300"]
    assert hidden.data[0].text is None
    assert {trace.hoverinfo for trace in hidden.data} == {"skip"}
    assert "loss = 1.386" in cross_entropy_loss_figure(0.25, "cat").data[1].text[0]
    assert cross_entropy_loss_figure(0.25, "cat", numbers=False).data[1].text[0] == ""


@pytest.mark.parametrize("vectors", ["2 1; 1 2; 3 3", "1 0 0; 0 1 0; 1 1 0"])
def test_an_open_rank_question_draws_only_the_arrows(vectors):
    view = SECTIONS["rank"].compute({"rk_vectors": vectors})
    named, plain = rank_figure(view), rank_figure(view, named=False)
    assert "rank 2" in named.layout.title.text and "rank" not in plain.layout.title.text
    assert any("adds nothing" in (t.name or "") for t in named.data)
    assert not any("adds nothing" in (t.name or "") or t.name == "span" for t in plain.data)
