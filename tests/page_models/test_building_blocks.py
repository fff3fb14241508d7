"""page_models.building_blocks: the section registry and each section's numbers."""

import math

import numpy as np
import pytest

from engine import LimitError, PlaygroundError, Tensor, cross_entropy
from page_models.building_blocks import (
    PARAMS,
    SECTIONS,
    calculus,
    factorisation,
    linear_algebra,
    probability,
)
from page_models.limits import MAX_FD_PARAMETERS, MAX_LOOP_SIZE


def defaults(key: str, **changes) -> dict:
    values = {name: param.default for name, param in SECTIONS[key].params.items()}
    return {**values, **changes}


def compute(key: str, **changes):
    return SECTIONS[key].compute(defaults(key, **changes))


# ---- the registry ---------------------------------------------------------------------------


def test_the_issues_section_keys_are_registered():
    new = {"activations", "regression", "rank", "quadratic-forms", "factorisation", "tensors",
           "vectorisation", "autodiff-cost", "sampling-bias"}
    old = {"softmax", "cross-entropy", "distributions", "normalisation", "matmul",
           "derivatives", "conditioning"}
    assert set(SECTIONS) == new | old
    assert all(key == section.key for key, section in SECTIONS.items())


def test_no_two_sections_share_a_param_name():
    names = [name for section in SECTIONS.values() for name in section.params]
    assert len(names) == len(set(names)) and not {"section", "hide"} & set(names)
    assert len(PARAMS) == len(names) + 2 and PARAMS["section"].default == "softmax"
    assert PARAMS["hide"].default is False  # a lesson's open question sets it


@pytest.mark.parametrize("key", SECTIONS)
def test_every_section_computes_its_defaults(key):
    assert compute(key) is not None


# ---- fixes ----------------------------------------------------------------------------------


def test_distribution_is_built_from_exactly_the_sliders_shown():
    """The slider-state bug: what is plotted must be what the shown sliders say. Each kind's
    distribution reads only its own sliders' params, every one of them."""
    other_values = {"ds_low": -1.0, "ds_high": 3.0, "ds_mean": 2.0, "ds_std": 2.0, "ds_p": 0.7}
    for kind, sliders in probability.DISTRIBUTION_SLIDERS.items():
        shown = {name for name, _, _ in sliders}
        values = defaults("distributions", ds_dist=kind)
        base = probability.chosen_distribution(values)
        for name, value in other_values.items():
            moved = probability.chosen_distribution({**values, name: value})
            same = (moved.mean, moved.std) == (base.mean, base.std)
            assert same == (name not in shown), (kind, name)


def test_sample_std_of_one_value_is_undefined():
    view = compute("distributions", ds_n=1)
    assert view.std is None and view.samples.size == 1


def test_single_class_loss_is_plus_zero():
    view = compute("cross-entropy", ce_scores="only 3.5")
    assert view.loss == 0.0 and math.copysign(1.0, view.loss) == 1.0
    assert view.grad.tolist() == [0.0]


def test_scores_may_be_space_separated_and_labels_repeat():
    view = compute("softmax", sm_scores="1 2 3")
    assert view.labels == ["#1", "#2", "#3"] and view.probs.argmax() == 2
    view = compute("softmax", sm_scores="cat 1, cat 2, cat 0")
    assert view.labels == ["cat", "cat (2)", "cat (3)"] and len(view.counts) == 3


def test_cross_entropy_true_class_out_of_range_falls_back_to_the_first():
    assert compute("cross-entropy", ce_true=7).true_index == 0


# ---- least squares --------------------------------------------------------------------------


@pytest.mark.parametrize("seed", range(5))
def test_least_squares_residual_is_orthogonal_to_the_columns(seed):
    rng = np.random.default_rng(seed)
    points = rng.normal(size=(12, 2)) * 10
    text = "; ".join(f"{float(x)!r} {float(y)!r}" for x, y in points)
    view = compute("regression", rg_points=text)
    scale = np.linalg.norm(view.design, axis=0) * np.linalg.norm(view.y)
    assert np.all(np.abs(view.column_dot_residual) <= 1e-12 * scale)
    expected, *_ = np.linalg.lstsq(view.design, view.y, rcond=None)
    assert np.allclose(view.w, expected, rtol=1e-10, atol=1e-12)
    # Hence Pythagoras, which the right-angled triangle of the figure draws.
    assert np.isclose(view.y @ view.y, view.fitted @ view.fitted + view.residual @ view.residual)


def test_fitted_line_is_written_with_real_minus_signs():
    assert compute("regression", rg_points="0 0; 1 1; 2 2").equation == "ŷ = 0.000 + 1.000·x"
    assert compute("regression", rg_points="0 3; 1 1; 2 2").equation == "ŷ = 2.500 − 0.500·x"
    assert compute("regression", rg_points="0 -1; 1 -2").equation == "ŷ = −1.000 − 1.000·x"


def test_move_point_rewrites_one_point():
    assert linear_algebra.move_point("1 2; 3 4", 1, 5.5, -1.0) == "1 2; 5.5 -1"


def test_least_squares_needs_two_different_x():
    with pytest.raises(PlaygroundError, match="two different x"):
        compute("regression", rg_points="2 1; 2 3")


# ---- rank -----------------------------------------------------------------------------------


@pytest.mark.parametrize("seed", range(8))
def test_rank_equals_numpys_and_dependent_vectors_are_combinations(seed):
    rng = np.random.default_rng(seed)
    dim = 2 + seed % 2
    basis = rng.integers(-3, 4, size=(1 + seed % dim, dim))
    mixes = rng.integers(-2, 3, size=(3, basis.shape[0]))
    vectors = np.vstack([basis, mixes @ basis]).astype(float)
    rng.shuffle(vectors)
    view = compute("rank", rk_vectors="; ".join(" ".join(f"{x:g}" for x in v) for v in vectors))
    assert view.rank == np.linalg.matrix_rank(vectors)
    assert view.ranks == [np.linalg.matrix_rank(vectors[: k + 1]) for k in range(len(vectors))]
    for vector, combination in zip(vectors, view.combinations):
        if combination is not None:
            assert np.allclose(combination @ vectors, vector)


# ---- quadratic forms ------------------------------------------------------------------------


@pytest.mark.parametrize("a, b, c, shape", [(2, 0.5, 1, "bowl"), (-2, 0.5, -1, "dome"),
                                            (1, 2, 1, "saddle"), (1, 1, 1, "trough"),
                                            (-1, 1, -1, "ridge"), (0, 0, 0, "flat")])
def test_quadratic_shape_from_eigenvalue_signs(a, b, c, shape):
    view = compute("quadratic-forms", qf_a=a, qf_b=b, qf_c=c)
    assert view.shape == shape
    assert np.allclose(view.eigenvalues, np.linalg.eigvalsh([[a, b], [b, c]]))


def test_quadratic_surface_is_x_a_x_and_descent_goes_down_a_bowl():
    view = compute("quadratic-forms")
    i, j = 7, 30
    point = np.array([view.grid[j], view.grid[i]])
    assert np.isclose(view.surface[i, j], point @ view.a @ point)
    values = [p @ view.a @ p for p in view.descent]
    assert all(later < earlier for earlier, later in zip(values, values[1:]))
    assert view.condition_number == pytest.approx(view.eigenvalues[1] / view.eigenvalues[0])


# ---- factorisation --------------------------------------------------------------------------


@pytest.mark.parametrize("seed", range(3))
def test_nmf_is_non_negative_and_never_beats_the_svd(seed):
    view = compute("factorisation", fa_seed=seed)
    assert view.matrix.min() >= 0
    for part in view.nmf_parts:
        assert part.min() >= 0
    assert np.allclose(sum(view.nmf_parts), view.nmf_approximation)
    assert np.allclose(sum(view.svd_parts), view.svd_approximation)
    assert np.all(view.nmf_errors >= view.svd_errors - 1e-9)  # Eckart–Young
    assert view.svd_errors[-1] < 1e-12


def test_nmf_finds_the_three_rectangles():
    view = compute("factorisation", fa_rank=3)
    assert view.svd_errors[2] < 1e-12 and view.nmf_errors[2] < 0.02
    assert any(part.min() < -1e-9 for part in view.svd_parts)  # SVD's parts cancel


def test_nmf_refuses_negative_entries_and_too_many_iterations():
    with pytest.raises(PlaygroundError, match="negative"):
        compute("factorisation", fa_data="typed", fa_matrix="1 -1; 2 2")
    with pytest.raises(LimitError):
        factorisation.nmf(np.ones((2, 2)), 1, seed=0, iterations=10**6)


# ---- tensors --------------------------------------------------------------------------------


@pytest.mark.parametrize("spec, shapes", [("ij,jk->ik", "2x3, 3x4"), ("ii->", "3x3"),
                                          ("ij->ji", "2x5"), ("bij,bjk->bik", "2x2x3, 2x3x2"),
                                          ("i,j->ij", "3, 4"), ("ij,ij->", "2x2, 2x2")])
def test_einsum_matches_numpy(spec, shapes):
    view = compute("tensors", te_spec=spec, te_shapes=shapes)
    assert np.array_equal(view.result, np.einsum(spec, *view.operands))
    assert [x.shape for x in view.operands] == factorisation.parse_shapes(shapes)


def test_einsum_latex_sums_the_missing_indices():
    assert factorisation.einsum_latex("ij,jk->ik") == r"R_{ik} = \sum_{j} A_{ij} B_{jk}"
    assert factorisation.einsum_latex("ii->") == r"R = \sum_{i} A_{ii}"


def test_broadcast_goes_through_the_engine():
    view = compute("tensors", te_op="mul", te_shapes="3x1, 4")
    assert view.result.shape == (3, 4)
    assert np.array_equal(view.result, view.operands[0] * view.operands[1])
    with pytest.raises(PlaygroundError, match="pairs the axes from the right"):
        compute("tensors", te_op="add", te_shapes="2x3, 2")


# ---- activations ----------------------------------------------------------------------------


@pytest.mark.parametrize("name", calculus.ACTIVATIONS)
def test_activation_slopes_match_central_differences(name):
    activation = calculus.ACTIVATIONS[name]
    x = np.array([-4.0, -1.3, -0.2, 0.3, 1.7, 4.5])  # away from ReLU's kink
    _, slopes = calculus.value_and_slope(activation, x, 0.1)
    h = 1e-6
    up = activation.f(Tensor(x + h), 0.1).data
    down = activation.f(Tensor(x - h), 0.1).data
    assert np.allclose(slopes, (up - down) / (2 * h), atol=1e-8)


def test_activation_values_and_flat_regions():
    view = compute("activations", ac_x=-2.0, ac_alpha=0.2)
    assert view.curves["leaky ReLU"].at_x == pytest.approx((-0.4, 0.2))
    assert view.curves["sigmoid"].at_x[0] == pytest.approx(1 / (1 + math.exp(2)))
    assert view.curves["sigmoid"].flat == "x < −4.4 and x > 4.4"  # σ′ = 0.0125 at ±4.36
    assert view.curves["ReLU"].flat.startswith("x < ")
    assert view.curves["softplus"].flat.startswith("x < ")


# ---- timings --------------------------------------------------------------------------------


def test_gradient_cost_gradients_agree_and_the_size_is_capped():
    cost = calculus.gradient_cost(20, seed=1)
    assert cost.sizes[0] == 1 and cost.sizes[-1] == 20
    assert cost.max_difference < 1e-8
    assert np.all(cost.backward_s > 0) and np.all(cost.finite_difference_s > 0)
    with pytest.raises(LimitError):
        calculus.gradient_cost(MAX_FD_PARAMETERS + 1, seed=0)


@pytest.mark.parametrize("name", calculus.COMPUTATIONS)
def test_loop_and_vectorised_agree_and_the_size_is_capped(name):
    timing = calculus.loop_timing(name, 200, seed=0)
    assert timing.same_result and timing.sizes[-1] == 200
    assert np.all(timing.speedup > 0)
    with pytest.raises(LimitError):
        calculus.loop_timing(name, MAX_LOOP_SIZE + 1, seed=0)


# ---- sampling bias --------------------------------------------------------------------------


def test_a_fair_sample_finds_the_mean_and_a_biased_one_drifts_by_beta_sigma():
    fair = compute("sampling-bias", sb_bias=0.0, sb_n=5000)
    assert abs(fair.biased_sample.mean() - fair.population.mean()) < 0.5
    biased = compute("sampling-bias", sb_bias=1.0, sb_n=5000)
    assert biased.expected_biased_mean == probability.POPULATION_MEAN + probability.POPULATION_STD
    assert abs(biased.biased_sample.mean() - biased.expected_biased_mean) < 0.5
    assert abs(biased.random_sample.mean() - biased.population.mean()) < 0.5
    assert biased.biased_running_mean[-1] == pytest.approx(biased.biased_sample.mean())


def test_running_mean():
    assert probability.running_mean(np.array([2.0, 4.0, 6.0])).tolist() == [2.0, 3.0, 4.0]


# ---- what the sections' words claim, computed -----------------------------------------------


def test_gelu_is_the_exact_erf_form_not_the_tanh_approximation():
    x = np.linspace(-5, 5, 201)
    values, slopes = calculus.value_and_slope(calculus.ACTIVATIONS["GELU"], x, 0.0)
    phi = np.array([0.5 * (1 + math.erf(v / math.sqrt(2))) for v in x])
    density = np.exp(-x**2 / 2) / math.sqrt(2 * math.pi)
    assert np.abs(values - x * phi).max() < 1e-6
    assert np.abs(slopes - (phi + x * density)).max() < 1e-5
    tanh_form = 0.5 * x * (1 + np.tanh(math.sqrt(2 / math.pi) * (x + 0.044715 * x**3)))
    assert np.abs(values - tanh_form).max() > 1e-4  # the approximation is a different curve


def test_quadratic_descent_zig_zags_when_kappa_is_large_and_not_when_it_is_1():
    steep = compute("quadratic-forms", qf_a=3.0, qf_b=0.0, qf_c=0.1)  # κ = 30
    assert steep.condition_number == pytest.approx(30)
    across = steep.descent[:, 0]  # the steep eigenvector's coordinate
    assert np.all(across[1:] * across[:-1] < 0)  # it changes sign at every step
    along = steep.descent[:, 1]
    assert np.all(np.diff(along) < 0) and along[5] > 0.7 * along[0]  # and crawls along
    round_bowl = compute("quadratic-forms", qf_a=2.0, qf_b=0.0, qf_c=2.0)  # κ = 1
    assert np.abs(round_bowl.descent[1]).max() < 0.1 * np.abs(round_bowl.descent[0]).max()


@pytest.mark.parametrize("seed", range(3))
def test_rank_k_error_is_the_next_singular_value_in_the_spectral_norm_only(seed):
    view = compute("conditioning", cd_n=4, cd_seed=seed, cd_log_kappa=1.0)
    sigma = view.summary.singular_values
    ks, spectral, frobenius = view.low_rank
    for k, two, fro in zip(ks, spectral, frobenius):
        assert two == pytest.approx(sigma[k] if k < len(sigma) else 0, abs=1e-9)
        assert fro == pytest.approx(math.sqrt((sigma[k:] ** 2).sum()), abs=1e-9)
    assert frobenius[0] > spectral[0] * 1.01  # so "off by the next one" needs its norm named


def test_nmf_can_miss_the_rectangles_that_the_svd_recovers():
    view = compute("factorisation", fa_seed=8, fa_rank=3)  # the example the section names
    assert round(view.nmf_errors[2], 3) == 0.064 and view.svd_errors[2] < 1e-12


@pytest.mark.parametrize("temperature", [0.3, 1.0, 3.0])
def test_a_score_higher_by_1_is_e_to_the_1_over_t_times_as_likely(temperature):
    view = compute("softmax", sm_scores="a 2, b 1", sm_temp=temperature)
    assert view.probs[0] / view.probs[1] == pytest.approx(math.exp(1 / temperature))


def test_z_scores_divide_by_the_standard_deviation_over_n():
    view = compute("normalisation", nm_source="pasted")
    x = view.x
    sigma = math.sqrt(((x - x.mean()) ** 2).sum() / x.size)
    assert np.allclose(view.z, (x - x.mean()) / sigma)


def test_a_mean_reduced_batch_loss_gives_each_row_a_factor_1_over_n():
    scores = np.array([[2.0, 1.0, 0.1], [0.5, 0.5, 3.0], [1.0, 2.0, 0.0], [0.0, 0.0, 0.0]])
    y = np.array([0, 2, 1, 0])
    z = Tensor(scores, requires_grad=True)
    cross_entropy(z, y).backward()
    p = np.exp(scores) / np.exp(scores).sum(axis=1, keepdims=True)
    assert np.allclose(z.grad, (p - np.eye(3)[y]) / len(y))


def test_soft_label_cross_entropy_has_gradient_p_minus_t():
    """cross-entropy lesson: for a general target distribution t, ∂(−Σ t ln p)/∂z = p − t."""
    from engine.functional import softmax

    t = np.array([0.7, 0.2, 0.1])
    z = Tensor(np.array([2.0, 1.0, 0.1]), requires_grad=True)
    (-(Tensor(t) * softmax(z).log()).sum()).backward()
    p = np.exp(z.data) / np.exp(z.data).sum()
    assert np.allclose(z.grad, p - t)
