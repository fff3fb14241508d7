"""Sections on probability: softmax and sampling, cross-entropy, distributions, normalisation,
sampling bias."""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from engine import Tensor
from engine import cross_entropy as cross_entropy_loss
from engine import softmax as engine_softmax
from engine.limits import check_limit
from page_models.building_blocks.section import SAMPLE_SIZES, Section, seed_param
from page_models.limits import MAX_BIAS_POPULATION, MAX_LIST_CHARS, MAX_SCORES
from page_models.numerics import sampling, scaling, typed
from page_models.url import Param

# ---- softmax --------------------------------------------------------------------------------


def signed(x: float) -> str:
    """A number for a formula: "2.5", or "(−1)" with a real minus sign if negative."""
    return f"(−{-x:g})" if x < 0 else f"{x:g}"


def likelihood_ratio(top: float, other: float, temperature: float) -> tuple[str, str]:
    """How many times as likely score `top` is as `other`, e^((z₁ − z₂)/T), evaluated, then
    written out: a power of 10 when it is too big for a float (scores like 1000 and −1000)."""
    with np.errstate(over="ignore"):
        exponent = (top - other) / temperature
    if exponent < 700:
        ratio = f"{math.exp(exponent):.3g}"
    elif math.isfinite(exponent):
        ratio = f"about 10^{exponent / math.log(10):.1f}"
    else:
        ratio = "more than 10^308"
    return f"{ratio} times as likely as", f"e^(({signed(top)} − {signed(other)}) / {temperature:g})"


@dataclass(frozen=True)
class SoftmaxView:
    labels: list[str]
    probs: np.ndarray
    counts: np.ndarray  # how often each label was drawn
    comparison: str | None  # "**a** is 2.72 times as likely as **b**: e^(…)", None for one score


def softmax_view(v: Mapping[str, Any]) -> SoftmaxView:
    labels, scores = typed.parse_labelled_scores(v["sm_scores"], MAX_SCORES)
    probs = sampling.tempered_softmax(scores, v["sm_temp"])
    counts = sampling.draw_counts(probs, v["sm_draws"], v["sm_seed"])
    comparison = None
    if len(scores) > 1:
        first, second = np.argsort(-scores, kind="stable")[:2]
        ratio, formula = likelihood_ratio(scores[first], scores[second], v["sm_temp"])
        comparison = f"**{labels[first]}** is {ratio} **{labels[second]}**: {formula}."
    return SoftmaxView(labels, probs, counts, comparison)


SOFTMAX = Section("softmax", "Softmax", {
    "sm_scores": Param("mat 3.0, floor 2.2, sofa 1.9, roof 0.5, moon -1.0", max_len=MAX_LIST_CHARS),
    "sm_temp": Param(1.0, lo=0.05, hi=5.0),
    "sm_draws": Param(100, choices=SAMPLE_SIZES),
    "sm_seed": seed_param(),
}, softmax_view)

# ---- cross-entropy --------------------------------------------------------------------------


@dataclass(frozen=True)
class CrossEntropyView:
    labels: list[str]
    true_index: int  # the chosen class, or 0 if the chosen index no longer exists
    probs: np.ndarray
    loss: float  # never −0: a single class has loss 0
    grad: np.ndarray  # ∂L/∂z from the engine's backward pass


def cross_entropy_view(v: Mapping[str, Any]) -> CrossEntropyView:
    labels, scores = typed.parse_labelled_scores(v["ce_scores"], MAX_SCORES)
    y = v["ce_true"] if 0 <= v["ce_true"] < len(labels) else 0
    z = Tensor(scores[None, :], requires_grad=True, name="z")
    loss = cross_entropy_loss(z, np.array([y]))
    loss.backward()
    probs = engine_softmax(Tensor(scores)).data
    return CrossEntropyView(labels, y, probs, loss.item() + 0.0, z.grad[0])  # + 0.0: −0 → 0


CROSS_ENTROPY = Section("cross-entropy", "Cross-entropy", {
    "ce_scores": Param("cat 2.0, dog 1.0, bird 0.1", max_len=MAX_LIST_CHARS),
    "ce_true": Param(0, lo=0, hi=MAX_SCORES - 1),
}, cross_entropy_view)

# ---- distributions --------------------------------------------------------------------------

DISTRIBUTION_SLIDERS = {  # distribution: its parameters' sliders, (param name, label, step)
    "uniform": (("ds_low", "Low a", 0.5), ("ds_high", "High b", 0.5)),
    "normal": (("ds_mean", "Mean μ", 0.5), ("ds_std", "Standard deviation σ", 0.1)),
    "Bernoulli": (("ds_p", "Probability p of a 1", 0.05),),
}
_MAKERS = {"uniform": sampling.uniform, "normal": sampling.normal, "Bernoulli": sampling.bernoulli}


def chosen_distribution(v: Mapping[str, Any]) -> sampling.Distribution:
    """The distribution built from exactly the sliders DISTRIBUTION_SLIDERS shows for it."""
    kind = v["ds_dist"]
    return _MAKERS[kind](*(v[name] for name, _, _ in DISTRIBUTION_SLIDERS[kind]))


@dataclass(frozen=True)
class DistributionView:
    dist: sampling.Distribution
    samples: np.ndarray
    mean: float
    std: float | None  # None (undefined) for a sample of one


def distribution_view(v: Mapping[str, Any]) -> DistributionView:
    dist = chosen_distribution(v)
    samples = sampling.draw_samples(dist, v["ds_n"], v["ds_seed"])
    return DistributionView(dist, samples, *sampling.sample_mean_std(samples))


DISTRIBUTIONS = Section("distributions", "Distributions", {
    "ds_dist": Param("normal", choices=tuple(DISTRIBUTION_SLIDERS)),
    "ds_n": Param(200, choices=SAMPLE_SIZES),
    "ds_seed": seed_param(),
    "ds_mean": Param(0.0, lo=-10.0, hi=10.0),
    "ds_std": Param(1.0, lo=0.1, hi=10.0),
    "ds_low": Param(0.0, lo=-10.0, hi=10.0),
    "ds_high": Param(1.0, lo=-10.0, hi=10.0),
    "ds_p": Param(0.3, lo=0.0, hi=1.0),
}, distribution_view)

# ---- normalisation --------------------------------------------------------------------------

DATA_SOURCES = {"normal": "normal(50, 10)", "uniform": "uniform(0, 100)", "pasted": "pasted"}


@dataclass(frozen=True)
class NormalisationView:
    x: np.ndarray
    outlier: int | None  # index of the added outlier
    min_max: np.ndarray
    z: np.ndarray
    within: list[tuple[int, float, float]]  # (k, fraction of |z| ≤ k here, for a normal)


def normalisation_data(v: Mapping[str, Any]) -> tuple[np.ndarray, int | None]:
    """The dataset the user chose, and the index of the added outlier (or None)."""
    if v["nm_source"] == "pasted":
        x = typed.parse_numbers(v["nm_numbers"], "the pasted numbers")
    else:
        dist = (sampling.normal(50.0, 10.0) if v["nm_source"] == "normal"
                else sampling.uniform(0.0, 100.0))
        x = sampling.draw_samples(dist, v["nm_n"], v["nm_seed"])
    if not v["nm_outlier"]:
        return x, None
    spread = x.std() if x.std() > 0 else 1.0
    return np.append(x, x.mean() + v["nm_outlier_k"] * spread), len(x)


def normalisation_view(v: Mapping[str, Any]) -> NormalisationView:
    x, outlier = normalisation_data(v)
    z = scaling.z_scores(x)
    within = [(k, scaling.fraction_within(z, k), scaling.normal_fraction_within(k))
              for k in (1, 2, 3)]
    return NormalisationView(x, outlier, scaling.min_max_scale(x), z, within)


NORMALISATION = Section("normalisation", "Normalisation", {
    "nm_source": Param("normal", choices=tuple(DATA_SOURCES)),
    "nm_numbers": Param("52, 61, 47, 58, 66, 49, 55, 71, 44, 59, 63, 50", max_len=MAX_LIST_CHARS),
    "nm_n": Param(1000, choices=SAMPLE_SIZES),
    "nm_seed": seed_param(),
    "nm_outlier": Param(False),
    "nm_outlier_k": Param(20.0, lo=2.0, hi=100.0),
}, normalisation_view)

# ---- sampling bias --------------------------------------------------------------------------

POPULATION_MEAN, POPULATION_STD = 170.0, 10.0  # heights in cm
BIAS_SAMPLE_SIZES = tuple(n for n in SAMPLE_SIZES if n <= MAX_BIAS_POPULATION // 10)


@dataclass(frozen=True)
class SamplingBiasView:
    population: np.ndarray
    random_sample: np.ndarray
    biased_sample: np.ndarray
    random_running_mean: np.ndarray  # mean of the first k draws, k = 1 … n
    biased_running_mean: np.ndarray
    expected_biased_mean: float  # μ + β·σ: where the biased estimate settles


def running_mean(x: np.ndarray) -> np.ndarray:
    return np.cumsum(x) / np.arange(1, x.size + 1)


def sampling_bias_view(v: Mapping[str, Any]) -> SamplingBiasView:
    """A population of heights, a random sample of it (every draw equally likely to be anyone),
    and a biased sample that draws each person with weight e^(β·z) (z = their z-score): taller
    people answer more often. For a normal population that tilt moves the mean by β·σ."""
    n, beta = v["sb_n"], v["sb_bias"]
    check_limit("The sample size", n, MAX_BIAS_POPULATION // 10)
    rng = np.random.default_rng(v["sb_seed"])
    population = rng.normal(POPULATION_MEAN, POPULATION_STD, MAX_BIAS_POPULATION)
    z = (population - population.mean()) / population.std()
    weights = np.exp(beta * z)
    random_sample = population[rng.choice(population.size, n)]
    biased_sample = population[rng.choice(population.size, n, p=weights / weights.sum())]
    return SamplingBiasView(population, random_sample, biased_sample, running_mean(random_sample),
                            running_mean(biased_sample), POPULATION_MEAN + beta * POPULATION_STD)


SAMPLING_BIAS = Section("sampling-bias", "Sampling bias", {
    "sb_n": Param(500, choices=BIAS_SAMPLE_SIZES),
    "sb_bias": Param(0.5, lo=0.0, hi=2.0),
    "sb_seed": seed_param(),
}, sampling_bias_view)
