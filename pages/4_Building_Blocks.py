"""Building Blocks: short interactive explorations of the pieces the rest is made of.

One section runs at a time, chosen at the top (?section=matmul deep-links to it); each has its
controls, a plot, the formula and a few sentences, and every control lives in the URL.
"""

import numpy as np
import streamlit as st

from engine import PlaygroundError, ShapeError, Tensor, cross_entropy, format_shape, softmax
from page_models import stats
from page_models.limits import (
    MAX_DRAWS,
    MAX_LIST_CHARS,
    MAX_MATRIX_DIM,
    MAX_QUADRATIC_STEPS,
    MAX_SCORES,
)
from ui.errors import show_user_error, user_errors
from ui.nav import page_header
from ui.state import Param, bind, explain_over_cap, publish, share_link
from viz.blocks import cross_entropy_loss_figure, gradient_figure, softmax_figure
from viz.blocks_calculus import difference_error_figure
from viz.blocks_linalg import (
    descent_figure,
    dot_product_latex,
    low_rank_figure,
    matmul_figure,
    matrix_latex,
)
from viz.blocks_stats import distribution_figure, scaling_figure

SECTIONS = {
    "softmax": "Softmax",
    "cross-entropy": "Cross-entropy",
    "distributions": "Distributions",
    "normalisation": "Normalisation",
    "matmul": "Matrix product",
    "derivatives": "Derivatives",
    "conditioning": "Conditioning",
}
SAMPLE_SIZES = (1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000, 10_000, 20_000, 50_000,
                MAX_DRAWS)
SEED_MAX = 9999
DISTRIBUTIONS = ("uniform", "normal", "Bernoulli")
DATA_SOURCES = {"normal": "normal(50, 10)", "uniform": "uniform(0, 100)", "pasted": "pasted"}
FUNCTIONS = {  # name: (LaTeX, f built from engine ops, smallest allowed x)
    "sin": (r"\sin x", lambda t: t.sin(), None),
    "exp": (r"e^x", lambda t: t.exp(), None),
    "tanh": (r"\tanh x", lambda t: t.tanh(), None),
    "sigmoid": (r"\sigma(x)", lambda t: t.sigmoid(), None),
    "cube": (r"x^3", lambda t: t**3, None),
    "log": (r"\ln x", lambda t: t.log(), 0.0),
}
STEP_SIZES = np.logspace(-16, 0, 161)

PARAMS = {
    "section": Param("softmax", choices=tuple(SECTIONS)),
    "sm_scores": Param("mat 3.0, floor 2.2, sofa 1.9, roof 0.5, moon -1.0", max_len=MAX_LIST_CHARS),
    "sm_temp": Param(1.0, lo=0.05, hi=5.0),
    "sm_draws": Param(100, choices=SAMPLE_SIZES),
    "sm_seed": Param(0, lo=0, hi=SEED_MAX),
    "ce_scores": Param("cat 2.0, dog 1.0, bird 0.1", max_len=MAX_LIST_CHARS),
    "ce_true": Param(0, lo=0, hi=MAX_SCORES - 1),
    "ds_dist": Param("normal", choices=DISTRIBUTIONS),
    "ds_n": Param(200, choices=SAMPLE_SIZES),
    "ds_seed": Param(0, lo=0, hi=SEED_MAX),
    "ds_mean": Param(0.0, lo=-10.0, hi=10.0),
    "ds_std": Param(1.0, lo=0.1, hi=10.0),
    "ds_low": Param(0.0, lo=-10.0, hi=10.0),
    "ds_high": Param(1.0, lo=-10.0, hi=10.0),
    "ds_p": Param(0.3, lo=0.0, hi=1.0),
    "nm_source": Param("normal", choices=tuple(DATA_SOURCES)),
    "nm_numbers": Param("52, 61, 47, 58, 66, 49, 55, 71, 44, 59, 63, 50", max_len=MAX_LIST_CHARS),
    "nm_n": Param(1000, choices=SAMPLE_SIZES),
    "nm_seed": Param(0, lo=0, hi=SEED_MAX),
    "nm_outlier": Param(False),
    "nm_outlier_k": Param(20.0, lo=2.0, hi=100.0),
    "mm_m": Param(2, lo=1, hi=MAX_MATRIX_DIM),
    "mm_n": Param(3, lo=1, hi=MAX_MATRIX_DIM),
    "mm_nb": Param(3, lo=1, hi=MAX_MATRIX_DIM),
    "mm_p": Param(4, lo=1, hi=MAX_MATRIX_DIM),
    "mm_row": Param(0, lo=0, hi=MAX_MATRIX_DIM - 1),
    "mm_col": Param(0, lo=0, hi=MAX_MATRIX_DIM - 1),
    "nd_f": Param("sin", choices=tuple(FUNCTIONS)),
    "nd_x": Param(1.0, lo=-3.0, hi=3.0),
    "cd_own": Param(False),
    "cd_matrix": Param("4 1; 1 3", max_len=MAX_LIST_CHARS),
    "cd_n": Param(3, lo=2, hi=6),
    "cd_log_kappa": Param(2.0, lo=0.0, hi=16.0),
    "cd_noise": Param(-6, lo=-12, hi=-1),
    "cd_steps": Param(100, lo=10, hi=MAX_QUADRATIC_STEPS),
    "cd_seed": Param(0, lo=0, hi=SEED_MAX),
}


def state(name: str):
    return st.session_state[name]


def keep_index_below(name: str, size: int) -> None:
    """Reset an index param that no longer fits (e.g. a class removed from the scores)."""
    if not 0 <= state(name) < size:
        st.session_state[name] = 0


def explain(formulas: list[str], text: str) -> None:
    """The formulas on the left, the plain sentences on the right."""
    left, right = st.columns([1, 1], gap="large")
    with left:
        for formula in formulas:
            st.latex(formula)
    right.markdown(text)


def chart(fig, where=st) -> None:
    where.plotly_chart(fig, width="stretch", config={"displaylogo": False})


# ---- sections -------------------------------------------------------------------------------


def signed(x: float) -> str:
    """A number for a formula: "2.5", or "(−1)" with a real minus sign if negative."""
    return f"(−{-x:g})" if x < 0 else f"{x:g}"


def likelihood_ratio(top: float, other: float) -> tuple[str, str]:
    """How many times as likely score `top` is as `other`, e^((z₁ − z₂)/T), evaluated, then
    written out: a power of 10 when it is too big for a float (scores like 1000 and −1000)."""
    temp = state("sm_temp")
    with np.errstate(over="ignore"):
        exponent = (top - other) / temp
    if exponent < 700:
        ratio = f"{np.exp(exponent):.3g}"
    elif np.isfinite(exponent):
        ratio = f"about 10^{exponent / np.log(10):.1f}"
    else:
        ratio = "more than 10^308"
    return f"{ratio} times as likely as", f"e^(({signed(top)} − {signed(other)}) / {temp:g})"


def softmax_section() -> None:
    words, temp, draws, seed = st.columns([5, 3, 3, 2])
    words.text_input("Candidate next words and their scores", key="sm_scores",
                     max_chars=MAX_LIST_CHARS, help="“word score” pairs separated by commas")
    temp.slider("Temperature T", 0.05, 5.0, step=0.05, key="sm_temp")
    draws.select_slider("Number of draws N", options=SAMPLE_SIZES, key="sm_draws")
    seed.number_input("Random seed", 0, SEED_MAX, step=1, key="sm_seed")
    with user_errors(stop=False):
        labels, scores = stats.parse_labelled_scores(state("sm_scores"), MAX_SCORES)
        probs = stats.tempered_softmax(scores, state("sm_temp"))
        counts = stats.draw_counts(probs, state("sm_draws"), state("sm_seed"))
        chart(softmax_figure(labels, probs, counts))
        if len(scores) > 1:
            first, second = np.argsort(-scores, kind="stable")[:2]
            ratio, formula = likelihood_ratio(scores[first], scores[second])
            st.markdown(f"**{labels[first]}** is {ratio} **{labels[second]}**: {formula}.")
    explain(
        [r"p_i = \frac{e^{z_i / T}}{\sum_j e^{z_j / T}}"],
        "Softmax turns any scores into probabilities: exponentiate, then divide by the total. "
        "Because of the exponential, a score higher by 1 is e ≈ 2.7 times as likely, so the top "
        "scores dominate; a low temperature sharpens that, a high one flattens it. Subtracting "
        "the largest score first changes nothing but keeps scores like 1000 from overflowing.",
    )


def cross_entropy_section() -> None:
    scores_col, true_col = st.columns([3, 1])
    scores_col.text_input("Classes and their scores z", key="ce_scores",
                          max_chars=MAX_LIST_CHARS, help="“class score” pairs separated by commas")
    with user_errors(stop=False):
        labels, scores = stats.parse_labelled_scores(state("ce_scores"), MAX_SCORES)
        keep_index_below("ce_true", len(labels))
        true_col.selectbox("True class y", range(len(labels)), format_func=labels.__getitem__,
                           key="ce_true")
        y = state("ce_true")
        z = Tensor(scores[None, :], requires_grad=True, name="z")
        loss = cross_entropy(z, np.array([y]))
        loss.backward()
        probs = softmax(Tensor(scores)).data
        loss_col, grad_col = st.columns(2)
        chart(cross_entropy_loss_figure(probs[y], labels[y], loss.item()), loss_col)
        chart(gradient_figure(labels, z.grad[0], y), grad_col)
    explain(
        [r"L = -\ln p_y,\qquad p = \operatorname{softmax}(z)",
         r"\frac{\partial L}{\partial z} = p - \operatorname{onehot}(y)"],
        "The loss is small when the model gives the true class a high probability and grows "
        "without bound as that probability goes to 0. Its gradient is simply the predicted "
        "probabilities minus the one-hot target: negative for the true class (raise its score), "
        "positive for the others (lower theirs).",
    )


def chosen_distribution() -> stats.Distribution:
    kind = state("ds_dist")
    if kind == "uniform":
        return stats.uniform(state("ds_low"), state("ds_high"))
    if kind == "normal":
        return stats.normal(state("ds_mean"), state("ds_std"))
    return stats.bernoulli(state("ds_p"))


def distributions_section() -> None:
    kind_col, first, second, size, seed = st.columns([6, 3, 3, 3, 2])  # all three pills fit
    kind_col.pills("Distribution", DISTRIBUTIONS, key="ds_dist", required=True)
    if state("ds_dist") == "uniform":
        first.slider("Low a", -10.0, 10.0, step=0.5, key="ds_low")
        second.slider("High b", -10.0, 10.0, step=0.5, key="ds_high")
    elif state("ds_dist") == "normal":
        first.slider("Mean μ", -10.0, 10.0, step=0.5, key="ds_mean")
        second.slider("Standard deviation σ", 0.1, 10.0, step=0.1, key="ds_std")
    else:
        first.slider("Probability p of a 1", 0.0, 1.0, step=0.05, key="ds_p")
    size.select_slider("Sample size n", options=SAMPLE_SIZES, key="ds_n")
    seed.number_input("Seed", 0, SEED_MAX, step=1, key="ds_seed")
    formulas = [r"\bar x = \frac{1}{n}\sum_i x_i",
                r"s = \sqrt{\frac{1}{n-1}\sum_i (x_i - \bar x)^2}"]
    with user_errors(stop=False):
        dist = chosen_distribution()
        formulas.insert(0, dist.latex)
        samples = stats.draw_samples(dist, state("ds_n"), state("ds_seed"))
        chart(distribution_figure(dist, samples))
        mean, std = stats.sample_mean_std(samples)
        cols = st.columns(4)
        cols[0].metric("sample mean x̄", f"{mean:.3f}")
        cols[1].metric("population mean μ", f"{dist.mean:.3f}")
        cols[2].metric("sample std s", f"{std:.3f}")
        cols[3].metric("population std σ", f"{dist.std:.3f}")
    explain(
        formulas,
        "A sample is a handful of draws from the population. Its histogram, mean x̄ and standard "
        "deviation s wander around the population's density, μ and σ, and settle on them as n "
        "grows: the error of x̄ shrinks like σ/√n.",
    )


def normalisation_data() -> tuple[np.ndarray, int | None]:
    """The dataset the user chose, and the index of the added outlier (or None)."""
    source = state("nm_source")
    if source == "pasted":
        x = stats.parse_numbers(state("nm_numbers"), "the pasted numbers")
    else:
        dist = stats.normal(50.0, 10.0) if source == "normal" else stats.uniform(0.0, 100.0)
        x = stats.draw_samples(dist, state("nm_n"), state("nm_seed"))
    if not state("nm_outlier"):
        return x, None
    spread = x.std() if x.std() > 0 else 1.0
    return np.append(x, x.mean() + state("nm_outlier_k") * spread), len(x)


def normalisation_section() -> None:
    source_col, data_col, outlier_col = st.columns([11, 8, 6])  # all three pills fit
    source_col.pills("Data", tuple(DATA_SOURCES), format_func=DATA_SOURCES.get, key="nm_source",
                     required=True)
    if state("nm_source") == "pasted":
        data_col.text_input("Numbers (separated by commas or spaces)", key="nm_numbers",
                            max_chars=MAX_LIST_CHARS)
    else:
        size, seed = data_col.columns([2, 1])
        size.select_slider("How many", options=SAMPLE_SIZES, key="nm_n")
        seed.number_input("Seed", 0, SEED_MAX, step=1, key="nm_seed")
    with outlier_col:
        st.toggle("Add one outlier", key="nm_outlier")
        if state("nm_outlier"):
            st.slider("at mean + k · std, k =", 2.0, 100.0, step=1.0, key="nm_outlier_k")
    with user_errors(stop=False):
        x, outlier = normalisation_data()
        z = stats.z_scores(x)
        chart(scaling_figure(x, stats.min_max_scale(x), z, outlier))
        rows = "\n".join(
            f"| {k} | {100 * stats.fraction_within(z, k):.1f}% | "
            f"{100 * stats.normal_fraction_within(k):.1f}% |"
            for k in (1, 2, 3)
        )
        st.markdown(
            f"{x.size:,} numbers, mean {x.mean():.3g}, standard deviation {x.std():.3g}.\n\n"
            "| z within ±k | here | normal distribution |\n|---|---|---|\n" + rows
        )
    explain(
        [r"x' = \frac{x - \min x}{\max x - \min x}", r"z = \frac{x - \bar x}{s}"],
        "Min–max scaling squeezes the data into [0, 1]; z-scoring centres it at 0 with standard "
        "deviation 1, keeping the shape of the histogram. For normal data about 68%, 95% and "
        "99.7% of the z-scores lie within 1, 2 and 3 of 0. One outlier sets the maximum, so "
        "min–max scaling crushes every other point towards 0, while z-scores move much less.",
    )


def matmul_section() -> None:
    cols = st.columns(6)
    cols[0].number_input("A: rows m", 1, MAX_MATRIX_DIM, step=1, key="mm_m")
    cols[1].number_input("A: columns n", 1, MAX_MATRIX_DIM, step=1, key="mm_n")
    cols[2].number_input("B: rows", 1, MAX_MATRIX_DIM, step=1, key="mm_nb")
    cols[3].number_input("B: columns p", 1, MAX_MATRIX_DIM, step=1, key="mm_p")
    m, p = state("mm_m"), state("mm_p")
    keep_index_below("mm_row", m)
    keep_index_below("mm_col", p)
    cols[4].selectbox("Row i of C", range(m), format_func=lambda i: str(i + 1), key="mm_row")
    cols[5].selectbox("Column j of C", range(p), format_func=lambda j: str(j + 1), key="mm_col")
    a = stats.integer_matrix(m, state("mm_n"), seed=1)
    b = stats.integer_matrix(state("mm_nb"), p, seed=2)
    i, j = state("mm_row"), state("mm_col")
    try:
        c = (Tensor(a) @ Tensor(b)).data
    except ShapeError as exc:
        show_user_error(exc)
        c = None
    chart(matmul_figure(a, b, c, i, j))
    if c is not None:
        st.latex(dot_product_latex(a, b, i, j, c[i, j]))
    layer_shapes(a, state("mm_nb"))
    explain(
        [r"C_{ij} = \sum_{k=1}^{n} A_{ik} B_{kj}",
         r"(m \times n)\,(n \times p) \to (m \times p)"],
        "Each entry of C = A @ B is the dot product of one row of A with one column of B, so a "
        "row of A (n numbers) must be as long as a column of B. A layer W @ x + b follows the "
        "same rule: W is m×n, x has n entries and b has m, giving m outputs.",
    )


def layer_shapes(w: np.ndarray, n_inputs: int) -> None:
    """W @ x + b with W the shape of A and x as long as B has rows: the engine checks it."""
    x, bias = Tensor(np.ones(n_inputs)), Tensor(np.zeros(w.shape[0]))
    shapes = f"W {format_shape(w.shape)} @ x {format_shape(x.shape)} + b {format_shape(bias.shape)}"
    try:
        out = Tensor(w) @ x + bias
    except ShapeError as exc:
        st.markdown(f"**A layer** {shapes}:")
        show_user_error(exc)
        return
    st.markdown(f"**A layer** {shapes} → output {format_shape(out.shape)}")


def derivatives_section() -> None:
    f_col, x_col = st.columns(2)
    f_col.selectbox("Function f", tuple(FUNCTIONS), key="nd_f",
                    format_func=lambda name: f"f(x) = {FUNCTIONS[name][0]}".replace("\\", ""))
    x_col.slider("Point x", -3.0, 3.0, step=0.1, key="nd_x")
    latex, f, lowest = FUNCTIONS[state("nd_f")]
    with user_errors(stop=False):
        x = state("nd_x")
        if lowest is not None and x <= lowest:
            raise PlaygroundError(f"{state('nd_f')} is only defined for x > {lowest:g}; "
                                  "move the point x to the right.")
        err = stats.difference_errors(f, x, STEP_SIZES)
        chart(difference_error_figure(err))
        cols = st.columns([2, 1, 1])
        cols[0].metric("exact f′(x) from backward", f"{err.exact:.12g}")
        cols[1].metric("best forward error", f"{np.nanmin(err.forward):.1e}")
        cols[2].metric("best central error", f"{np.nanmin(err.central):.1e}")
    explain(
        [rf"f(x) = {latex}",
         r"\text{forward: } \frac{f(x+h) - f(x)}{h}",
         r"\text{central: } \frac{f(x+h) - f(x-h)}{2h}"],
        "For large h the difference quotients miss because the function curves (truncation "
        "error, ∝ h forward and ∝ h² central). For tiny h, f(x+h) and f(x) agree in almost all "
        "their digits and the subtraction keeps only rounding noise (round-off, ∝ ε/h with "
        "ε ≈ 2.2·10⁻¹⁶). The best h sits in between; the exact value comes from the engine's "
        "backward pass.",
    )


def chosen_matrix() -> np.ndarray:
    """The typed matrix (square), or a random symmetric one with the chosen condition number."""
    if not state("cd_own"):
        return stats.matrix_with_condition(state("cd_n"), 10.0 ** state("cd_log_kappa"),
                                           state("cd_seed"))
    a = stats.parse_matrix(state("cd_matrix"), max_dim=6)
    if a.shape[0] != a.shape[1]:
        raise PlaygroundError(f"A is {format_shape(a.shape)}; this section needs a square "
                              "matrix (n×n) to solve Ax = b.")
    return a


def conditioning_section() -> None:
    own = st.session_state.cd_own
    cols = st.columns([2, 5, 3, 3, 2] if own else [2, 3, 3, 3, 3, 2])
    cols[0].toggle("Type A", key="cd_own")
    if own:
        cols[1].text_input("A, rows separated by ‘;’", key="cd_matrix", max_chars=MAX_LIST_CHARS)
    else:
        cols[1].slider("Size n of A (n×n)", 2, 6, key="cd_n")
        cols[2].slider("log₁₀ of κ", 0.0, 16.0, step=0.5, key="cd_log_kappa")
    cols[-3].slider("log₁₀ of the error in b", -12, -1, key="cd_noise")
    cols[-2].slider("Descent steps", 10, MAX_QUADRATIC_STEPS, step=10, key="cd_steps")
    cols[-1].number_input("Seed", 0, SEED_MAX, step=1, key="cd_seed")
    with user_errors(stop=False):
        a = chosen_matrix()
        n = a.shape[0]
        summary = stats.svd_summary(a)
        cols = st.columns(4)
        cols[0].metric("rank", f"{summary.rank} of {n}")
        cols[1].metric("condition number κ", f"{summary.condition_number:.3g}")
        try:
            solve = stats.solve_sensitivity(a, 10.0 ** state("cd_noise"), state("cd_seed"))
        except np.linalg.LinAlgError:  # exactly singular
            cols[2].metric("relative error in b", "—")
            cols[3].metric("relative error in x", "—", help="A is singular: Ax = b has no "
                           "unique solution.")
        else:
            cols[2].metric("relative error in b", f"{solve.b_change:.1e}")
            cols[3].metric("relative error in x", f"{solve.x_change:.1e}",
                           help=f"At most κ × the error in b = {solve.bound:.1e}.")
        sv_col, gd_col = st.columns(2)
        chart(low_rank_figure(summary.singular_values, *stats.low_rank_errors(a)), sv_col)
        if np.allclose(a, a.T) and np.linalg.eigvalsh(a)[0] > 0:
            chart(descent_figure(stats.quadratic_descent(a, state("cd_steps")),
                                 summary.condition_number), gd_col)
        else:
            gd_col.info("Gradient descent on ½xᵀAx − bᵀx needs a symmetric positive definite A "
                        "(symmetric, all eigenvalues > 0), and this A is not.")
        st.latex("A = " + matrix_latex(a))
    explain(
        [r"A = U \Sigma V^\top,\qquad \kappa = \frac{\sigma_{\max}}{\sigma_{\min}}",
         r"\frac{\|\delta x\|}{\|x\|} \le \kappa\, \frac{\|\delta b\|}{\|b\|}"],
        "The singular values say how much A stretches space in each direction; the rank counts "
        "those that are not (numerically) zero, and keeping the k largest gives the best "
        "rank-k approximation, off by the next one. A large condition number κ lets a tiny "
        "error in b move the solution of Ax = b up to κ times as much, and gradient descent on "
        "½xᵀAx − bᵀx shrinks its error only by about 1 − 1/κ per step.",
    )


RUN = {
    "softmax": softmax_section,
    "cross-entropy": cross_entropy_section,
    "distributions": distributions_section,
    "normalisation": normalisation_section,
    "matmul": matmul_section,
    "derivatives": derivatives_section,
    "conditioning": conditioning_section,
}

page_header("pages/4_Building_Blocks.py",
            intro="The pieces the rest is made of, one at a time. The address bar keeps the "
            "section and its settings.")
bind(PARAMS)
explain_over_cap(PARAMS)
with st.sidebar:
    share_link(PARAMS)
st.pills("Section", tuple(SECTIONS), format_func=SECTIONS.get, key="section", required=True,
         label_visibility="collapsed")
RUN[state("section")]()
publish(PARAMS)
