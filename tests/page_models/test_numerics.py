"""page_models.numerics: typed numbers, sampling, scaling, finite differences, matrices."""

import math

import numpy as np
import pytest

from engine import LimitError, PlaygroundError
from page_models.building_blocks.linear_algebra import distances_to_minimum
from page_models.numerics import differences, matrices, sampling, scaling, typed


def test_parse_numbers_accepts_commas_semicolons_and_whitespace():
    assert typed.parse_numbers("1, 2.5;-3\n 4e2").tolist() == [1.0, 2.5, -3.0, 400.0]


@pytest.mark.parametrize(
    "text, message",
    [("1, abc, 3", "‘abc’ is not a number"), ("1, nan", "‘nan’ is not a finite number"),
     ("2, inf", "not a finite number"), (" , ", "at least one number"),
     ("__import__('os')", "is not a number")],
)
def test_parse_numbers_names_what_is_wrong(text, message):
    with pytest.raises(PlaygroundError, match=message):
        typed.parse_numbers(text)


def test_parse_numbers_is_capped():
    with pytest.raises(LimitError, match="cap of 3"):
        typed.parse_numbers("1 2 3 4", cap=3)


def test_parse_labelled_scores():
    labels, scores = typed.parse_labelled_scores("mat 3, big dog: 2.2\nsofa=-1, 5", cap=10)
    assert labels == ["mat", "big dog", "sofa", "#4"]
    assert scores.tolist() == [3.0, 2.2, -1.0, 5.0]
    with pytest.raises(PlaygroundError, match="‘x’ is not a number"):
        typed.parse_labelled_scores("cat x", cap=10)
    for separators_only in ("=", "cat 1, :", " = : "):
        with pytest.raises(PlaygroundError, match="has no score"):
            typed.parse_labelled_scores(separators_only, cap=10)
    with pytest.raises(LimitError):
        typed.parse_labelled_scores("1, 2, 3", cap=2)


def test_parse_labelled_scores_reads_bare_numbers_and_keeps_repeated_labels_apart():
    assert typed.parse_labelled_scores("1 2 3", cap=10)[0] == ["#1", "#2", "#3"]
    labels, scores = typed.parse_labelled_scores("1 2, dog 3, dog 4", cap=10)
    assert labels == ["#1", "#2", "dog", "dog (2)"] and scores.tolist() == [1, 2, 3, 4]
    with pytest.raises(LimitError):
        typed.parse_labelled_scores("1 2 3", cap=2)  # the cap counts the scores, not the items


def test_sample_std_is_undefined_for_one_value():
    assert sampling.sample_mean_std(np.array([4.0])) == (4.0, None)
    assert sampling.sample_mean_std(np.array([1.0, 3.0])) == (2.0, math.sqrt(2))


def test_draw_counts_are_seeded_and_follow_the_probabilities():
    probs = np.array([0.7, 0.2, 0.1])
    counts = sampling.draw_counts(probs, 20_000, seed=3)
    assert counts.sum() == 20_000
    assert np.allclose(counts / 20_000, probs, atol=0.02)
    assert np.array_equal(counts, sampling.draw_counts(probs, 20_000, seed=3))
    assert not np.array_equal(counts, sampling.draw_counts(probs, 20_000, seed=4))


@pytest.mark.parametrize(
    "dist", [sampling.uniform(-1.0, 3.0), sampling.normal(2.0, 0.5), sampling.bernoulli(0.3)]
)
def test_samples_match_the_population(dist):
    x = sampling.draw_samples(dist, 50_000, seed=0)
    mean, std = sampling.sample_mean_std(x)
    assert mean == pytest.approx(dist.mean, abs=0.02)
    assert std == pytest.approx(dist.std, rel=0.02)


def test_densities():
    peak = sampling.normal(0.0, 1.0).density(np.array([0.0]))[0]
    assert peak == pytest.approx(1 / math.sqrt(2 * math.pi))
    assert sampling.uniform(0.0, 4.0).density(np.array([-1.0, 2.0, 5.0])).tolist() == [0, 0.25, 0]
    bernoulli = sampling.bernoulli(0.3).density(np.array([0.0, 1.0]))
    assert bernoulli.tolist() == pytest.approx([0.7, 0.3])


@pytest.mark.parametrize(
    "make, message",
    [(lambda: sampling.uniform(2.0, 1.0), "low < high"), (lambda: sampling.normal(0.0, 0.0), "> 0"),
     (lambda: sampling.bernoulli(1.5), "between 0 and 1")],
)
def test_bad_distribution_parameters(make, message):
    with pytest.raises(PlaygroundError, match=message):
        make()


def test_scalings():
    x = np.array([2.0, 4.0, 6.0, 12.0])
    assert scaling.min_max_scale(x).tolist() == [0.0, 0.2, 0.4, 1.0]
    z = scaling.z_scores(x)
    assert z.mean() == pytest.approx(0.0) and z.std() == pytest.approx(1.0)


@pytest.mark.parametrize("scale", [scaling.min_max_scale, scaling.z_scores])
def test_zero_variance_is_a_clear_error(scale):
    with pytest.raises(PlaygroundError, match="All the numbers equal 5"):
        scale(np.array([5.0, 5.0, 5.0]))


def test_the_68_95_99_7_rule():
    z = scaling.z_scores(sampling.draw_samples(sampling.normal(0.0, 1.0), 100_000, seed=1))
    for k, expected in [(1, 0.6827), (2, 0.9545), (3, 0.9973)]:
        assert scaling.normal_fraction_within(k) == pytest.approx(expected, abs=1e-4)
        assert scaling.fraction_within(z, k) == pytest.approx(expected, abs=0.005)


def test_difference_errors_against_the_engines_exact_derivative():
    h = np.logspace(-16, 0, 33)
    err = differences.difference_errors(lambda t: t.sin(), 1.0, h)
    assert err.exact == pytest.approx(math.cos(1.0), abs=1e-15)
    mid = (h > 1e-4) & (h < 1e-1)  # truncation dominates: slopes 1 and 2 on log-log axes
    fwd_slope = np.polyfit(np.log10(h[mid]), np.log10(err.forward[mid]), 1)[0]
    cen_slope = np.polyfit(np.log10(h[mid]), np.log10(err.central[mid]), 1)[0]
    assert fwd_slope == pytest.approx(1.0, abs=0.1)
    assert cen_slope == pytest.approx(2.0, abs=0.1)
    # round-off: at h = 1e-16 the differences are far worse than at the best h
    assert err.forward[0] > 1e3 * err.forward.min()
    assert err.central.min() < err.forward.min()


def test_exact_derivative_uses_backward():
    assert differences.exact_derivative(lambda t: t ** 3, 2.0) == pytest.approx(12.0)


def test_matrix_with_condition():
    a = matrices.matrix_with_condition(4, 1e3, seed=0)
    assert np.allclose(a, a.T)
    summary = matrices.svd_summary(a)
    assert summary.rank == 4
    assert summary.condition_number == pytest.approx(1e3, rel=1e-6)
    assert summary.singular_values == pytest.approx(np.geomspace(1, 1e-3, 4))


def test_rank_deficient_matrix():
    summary = matrices.svd_summary(np.array([[1.0, 2.0], [2.0, 4.0]]))
    assert summary.rank == 1
    assert summary.condition_number > 1e15


def test_low_rank_errors_are_the_dropped_singular_values():
    a = matrices.matrix_with_condition(3, 100.0, seed=1)
    ks, spectral, frobenius = matrices.low_rank_errors(a)
    s = np.linalg.svd(a, compute_uv=False)
    assert ks.tolist() == [0, 1, 2, 3]
    assert spectral[:3] == pytest.approx(s)
    assert frobenius[1] == pytest.approx(math.hypot(s[1], s[2]))
    assert spectral[3] < 1e-12


def test_solve_sensitivity_grows_with_kappa_and_respects_the_bound():
    calm = matrices.solve_sensitivity(matrices.matrix_with_condition(3, 1.0, 0), 1e-6, seed=0)
    wild = matrices.solve_sensitivity(matrices.matrix_with_condition(3, 1e8, 0), 1e-6, seed=0)
    assert calm.x_change == pytest.approx(1e-6, rel=1e-6)  # A = I moves x exactly as much as b
    assert wild.x_change > 100 * calm.x_change
    assert wild.x_change <= wild.bound * (1 + 1e-6)


def test_quadratic_descent_is_slow_when_kappa_is_large():
    fast = distances_to_minimum(matrices.matrix_with_condition(3, 2.0, 0), 50)
    slow = distances_to_minimum(matrices.matrix_with_condition(3, 1e3, 0), 50)
    assert len(fast) == 51 and fast[0] == 1.0
    assert fast[-1] < 1e-10
    assert slow[-1] > 0.1
    with pytest.raises(LimitError):
        distances_to_minimum(np.eye(2), 10_000)


def test_tempered_softmax_matches_softmax_of_z_over_t_and_never_overflows():
    z = np.array([3.0, 2.2, 1.9, -1.0])
    for t in (0.05, 1.0, 5.0):
        expected = np.exp(z / t) / np.exp(z / t).sum()
        np.testing.assert_allclose(sampling.tempered_softmax(z, t), expected, rtol=1e-12)
    # (1e308 − (−1e308)) / 0.05 overflows: that class gets probability 0, not nan.
    np.testing.assert_array_equal(sampling.tempered_softmax(np.array([1e308, -1e308]), 0.05),
                                  [1.0, 0.0])
    np.testing.assert_allclose(sampling.tempered_softmax(np.array([1e308, 1e308]), 0.05),
                               [0.5, 0.5])
    with pytest.raises(PlaygroundError, match="temperature"):
        sampling.tempered_softmax(z, 0.0)


@pytest.mark.parametrize("scale", [scaling.min_max_scale, scaling.z_scores])
def test_numbers_near_the_float_limit_are_a_clear_error(scale):
    with pytest.raises(PlaygroundError, match="too large"):
        scale(np.array([1e308, -1e308, 0.0]))
    with pytest.raises(PlaygroundError, match="too large"):
        scale(np.array([1.0, np.inf]))


def test_parse_matrix():
    np.testing.assert_array_equal(typed.parse_matrix("4 1; 1 3"), [[4, 1], [1, 3]])
    np.testing.assert_array_equal(typed.parse_matrix("1, 2\n3, 4\n"), [[1, 2], [3, 4]])
    for text, message in [("", "Type a matrix"), ("1 2; 3", "Row 2 of the matrix has 1"),
                          ("1 x", "‘x’ is not a number"), ("1e308 0; 0 1", r"at most 1e\+100")]:
        with pytest.raises(PlaygroundError, match=message):
            typed.parse_matrix(text)
    with pytest.raises(LimitError, match="rows"):
        typed.parse_matrix("1; 2; 3", max_dim=2)


def test_a_matrix_too_small_to_compute_with_is_said_plainly():
    tiny = np.eye(2) * 1e-320
    with pytest.raises(PlaygroundError, match="scale A up"):
        matrices.solve_sensitivity(tiny, 0.01, 0)
    with pytest.raises(PlaygroundError, match="scale A up"):
        distances_to_minimum(tiny, 5)


def test_outlier_squeeze_compares_the_others_range_without_and_with_the_last_value():
    x = np.array([0.0, 1.0, 2.0, 10.0])  # min-max: the others span 1, then 0.2
    assert scaling.outlier_squeeze(scaling.min_max_scale, x) == pytest.approx(5.0)
    with pytest.raises(PlaygroundError, match="at least two ordinary numbers"):
        scaling.outlier_squeeze(scaling.min_max_scale, np.array([1.0, 5.0]))
