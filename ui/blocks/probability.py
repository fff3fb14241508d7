"""Recipes of the probability sections: softmax, cross-entropy, distributions, normalisation,
sampling bias."""

from __future__ import annotations

import streamlit as st

from page_models.building_blocks.probability import (
    BIAS_SAMPLE_SIZES,
    DATA_SOURCES,
    DISTRIBUTION_SLIDERS,
)
from page_models.building_blocks.section import SAMPLE_SIZES, Section
from page_models.limits import MAX_BIAS_POPULATION, MAX_LIST_CHARS
from ui.blocks.common import (
    answer_hidden,
    chart,
    compute,
    explain,
    keep_index_below,
    main_visual,
    metrics,
    seed_input,
    state,
)
from ui.errors import user_errors
from viz.blocks import cross_entropy_loss_figure, gradient_figure, softmax_figure
from viz.blocks_stats import distribution_figure, sampling_bias_figure, scaling_figure


def softmax(section: Section) -> None:
    words, temp, draws, seed = st.columns([5, 3, 3, 2])
    words.text_input("Candidate next words and their scores", key="sm_scores",
                     max_chars=MAX_LIST_CHARS, help="“word score” pairs separated by commas, "
                     "or just scores: “1 2 3”")
    temp.slider("Temperature T", 0.05, 5.0, step=0.05, key="sm_temp")
    draws.select_slider("Number of draws N", options=SAMPLE_SIZES, key="sm_draws")
    seed_input(seed, "sm_seed", "Random seed")
    with user_errors(stop=False):
        view = compute(section)
        hidden = answer_hidden()
        with main_visual():
            chart(softmax_figure(view.labels, view.probs, view.counts, numbers=not hidden))
        if view.comparison and not hidden:
            st.markdown(view.comparison)
    explain(
        [r"p_i = \frac{e^{z_i / T}}{\sum_j e^{z_j / T}}"],
        "Softmax turns any scores into probabilities: exponentiate, then divide by the total. "
        "Because of the exponential, a score higher by 1 is e^(1/T) times as likely (e ≈ 2.7 at "
        "T = 1), so the top scores dominate; a low temperature sharpens that, a high one "
        "flattens it. Subtracting "
        "the largest score first changes nothing but keeps scores like 1000 from overflowing.",
    )


def cross_entropy(section: Section) -> None:
    scores_col, true_col = st.columns([3, 1])
    scores_col.text_input("Classes and their scores z", key="ce_scores",
                          max_chars=MAX_LIST_CHARS, help="“class score” pairs separated by commas")
    with user_errors(stop=False):
        view = compute(section)
        keep_index_below("ce_true", len(view.labels))
        true_col.selectbox("True class y", range(len(view.labels)),
                           format_func=view.labels.__getitem__, key="ce_true")
        hidden = answer_hidden()
        with main_visual():
            loss_col, grad_col = st.columns(2)
            y = view.true_index
            chart(cross_entropy_loss_figure(view.probs[y], view.labels[y], view.loss,
                                            numbers=not hidden), loss_col)
            if hidden:
                grad_col.info("The gradient ∂L/∂z appears here once you reveal the answer.")
            else:
                chart(gradient_figure(view.labels, view.grad, y), grad_col)
        if len(view.labels) == 1:
            st.info("With one class softmax gives it probability 1 whatever its score, so the "
                    "loss is 0 and so is its gradient: add a second class.")
    explain(
        [r"L = -\ln p_y,\qquad p = \operatorname{softmax}(z)",
         r"\frac{\partial L}{\partial z} = p - \operatorname{onehot}(y)",
         r"\text{batch of } N,\ L = \tfrac1N \textstyle\sum_n L_n:\ "
         r"\frac{\partial L}{\partial z_n} = \tfrac1N\,(p_n - \operatorname{onehot}(y_n))"],
        "The loss is small when the model gives the true class a high probability and grows "
        "without bound as that probability goes to 0. For this one example its gradient is simply "
        "the predicted probabilities minus the one-hot target: negative for the true class "
        "(raise its score), positive for the others (lower theirs). A batch's loss is the mean "
        "over its N examples, so each example's row of the gradient carries a factor 1/N.",
    )


def distributions(section: Section) -> None:
    kind_col, first, second, size, seed = st.columns([6, 3, 3, 3, 2])  # all three pills fit
    kind_col.pills("Distribution", tuple(DISTRIBUTION_SLIDERS), key="ds_dist", required=True)
    for where, (name, label, step) in zip((first, second), DISTRIBUTION_SLIDERS[state("ds_dist")]):
        param = section.params[name]
        where.slider(label, param.lo, param.hi, step=step, key=name)
    size.select_slider("Sample size n", options=SAMPLE_SIZES, key="ds_n")
    seed_input(seed, "ds_seed")
    formulas = [r"\bar x = \frac{1}{n}\sum_i x_i",
                r"s = \sqrt{\frac{1}{n-1}\sum_i (x_i - \bar x)^2}"]
    with user_errors(stop=False):
        view = compute(section)
        formulas.insert(0, view.dist.latex)
        with main_visual():
            chart(distribution_figure(view.dist, view.samples))
        std = ("undefined", "One value has no spread to estimate: s divides by n − 1 = 0.")
        if not answer_hidden():
            metrics([("sample mean x̄", f"{view.mean:.3f}"),
                     ("population mean μ", f"{view.dist.mean:.3f}"),
                     ("sample std s", *(std if view.std is None else (f"{view.std:.3f}",))),
                     ("population std σ", f"{view.dist.std:.3f}")])
    explain(
        formulas,
        "A sample is a handful of draws from the population. Its histogram, mean x̄ and standard "
        "deviation s wander around the population's density, μ and σ, and settle on them as n "
        "grows: the error of x̄ shrinks like σ/√n.",
    )


def normalisation(section: Section) -> None:
    source_col, data_col, outlier_col = st.columns([11, 8, 6])  # all three pills fit
    source_col.pills("Data", tuple(DATA_SOURCES), format_func=DATA_SOURCES.get, key="nm_source",
                     required=True)
    if state("nm_source") == "pasted":
        data_col.text_input("Numbers (separated by commas or spaces)", key="nm_numbers",
                            max_chars=MAX_LIST_CHARS)
    else:
        size, seed = data_col.columns([2, 1])
        size.select_slider("How many", options=SAMPLE_SIZES, key="nm_n")
        seed_input(seed, "nm_seed")
    with outlier_col:
        st.toggle("Add one outlier", key="nm_outlier")
        if state("nm_outlier"):
            st.slider("at mean + k · std, k =", 2.0, 100.0, step=1.0, key="nm_outlier_k")
    with user_errors(stop=False):
        view = compute(section)
        with main_visual():
            chart(scaling_figure(view.x, view.min_max, view.z, view.outlier))
        rows = "\n".join(f"| {k} | {100 * here:.1f}% | {100 * normal:.1f}% |"
                         for k, here, normal in view.within)
        summary = (f"{view.x.size:,} numbers, mean x̄ = {view.x.mean():.3g}, standard "
                   f"deviation σ = {view.x.std():.3g} (over n).")
        if not answer_hidden():
            summary += ("\n\n| z within ±k | here | normal distribution |\n|---|---|---|\n"
                        + rows)
        st.markdown(summary)
    explain(
        [r"x' = \frac{x - \min x}{\max x - \min x}", r"z = \frac{x - \bar x}{\sigma},\quad "
         r"\sigma = \sqrt{\tfrac1n \textstyle\sum_i (x_i - \bar x)^2}"],
        "Min–max scaling squeezes the data into [0, 1]; z-scoring centres it at 0 with standard "
        "deviation 1, keeping the shape of the histogram. For normal data about 68%, 95% and "
        "99.7% of the z-scores lie within 1, 2 and 3 of 0. One outlier sets the maximum, so "
        "min–max scaling crushes every other point towards 0; it also inflates σ, so z-scores "
        "crush them almost as much. Scalings that resist outliers use the median and quantiles.",
    )


def sampling_bias(section: Section) -> None:
    size, bias, seed = st.columns([3, 3, 1])
    size.select_slider("Sample size n", options=BIAS_SAMPLE_SIZES, key="sb_n")
    bias.slider("Bias β (0 = a fair random sample)", 0.0, 2.0, step=0.1, key="sb_bias")
    seed_input(seed, "sb_seed")
    with user_errors(stop=False):
        view = compute(section)
        with main_visual():
            chart(sampling_bias_figure(view))
        if not answer_hidden():
            metrics([("population mean μ", f"{view.population.mean():.2f} cm"),
                     ("random sample x̄", f"{view.random_sample.mean():.2f} cm"),
                     ("biased sample x̄", f"{view.biased_sample.mean():.2f} cm"),
                     ("where biased x̄ settles", f"{view.expected_biased_mean:.2f} cm",
                      "μ + β·σ: the mean of the population tilted by the weights e^(βz).")])
    explain(
        [r"P(\text{person } i \text{ answers}) \propto e^{\beta z_i},\quad "
         r"z_i = \frac{x_i - \mu}{\sigma}",
         r"\mathbb{E}[\bar x_{\text{biased}}] = \mu + \beta\sigma"],
        f"The population is {MAX_BIAS_POPULATION:,} heights. A random sample gives everyone "
        "the same chance, and its mean x̄ wanders around μ and closes in as n grows. In the "
        "biased one taller people are more likely to answer (think of a survey posted at a "
        "basketball club): its mean settles, just as confidently, on the wrong value. More data "
        "shrinks the noise, never the bias; a model trained on a biased sample learns the bias.",
    )
