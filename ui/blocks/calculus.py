"""Recipes of the calculus sections: numerical derivatives, activations, the cost of a
gradient, loops against vectorised calls."""

from __future__ import annotations

import streamlit as st

from page_models.building_blocks.calculus import (
    ACTIVATIONS,
    AUTODIFF_ROWS,
    AUTODIFF_SIZES,
    COMPUTATIONS,
    FUNCTIONS,
    LOOP_SIZES,
    SATURATED,
    TIMING_REPEATS,
)
from page_models.building_blocks.section import Section
from ui.blocks.common import chart, compute, explain, main_visual, metrics, seed_input, state
from ui.errors import user_errors
from viz.blocks_calculus import (
    activations_figure,
    difference_error_figure,
    gradient_cost_figure,
    loop_timing_figure,
)


def derivatives(section: Section) -> None:
    f_col, x_col = st.columns(2)
    f_col.selectbox("Function f", tuple(FUNCTIONS), key="nd_f",
                    format_func=lambda name: f"f(x) = {FUNCTIONS[name][0]}".replace("\\", ""))
    x_col.slider("Point x", -3.0, 3.0, step=0.1, key="nd_x")
    with user_errors(stop=False):
        err = compute(section)
        with main_visual():
            chart(difference_error_figure(err))
        metrics([("exact f′(x) from backward", f"{err.exact:.12g}"),
                 ("best forward error", f"{err.best_forward:.1e}"),
                 ("best central error", f"{err.best_central:.1e}")])
    explain(
        [rf"f(x) = {FUNCTIONS[state('nd_f')][0]}",
         r"\text{forward: } \frac{f(x+h) - f(x)}{h}",
         r"\text{central: } \frac{f(x+h) - f(x-h)}{2h}"],
        "For large h the difference quotients miss because the function curves (truncation "
        "error, ∝ h forward and ∝ h² central). For tiny h, f(x+h) and f(x) agree in almost all "
        "their digits and the subtraction keeps only rounding noise (round-off, ∝ ε/h with "
        "ε ≈ 2.2·10⁻¹⁶). The best h sits in between; the exact value comes from the engine's "
        "backward pass.",
    )


def activations(section: Section) -> None:
    x_col, alpha_col = st.columns(2)
    x_col.slider("Point x", -6.0, 6.0, step=0.1, key="ac_x")
    alpha_col.slider("Leaky ReLU slope α for x < 0", 0.0, 0.5, step=0.01, key="ac_alpha")
    view = compute(section)
    with main_visual():
        chart(activations_figure(view))
    rows = "\n".join(f"| {name} | ${ACTIVATIONS[name].latex}$ | {c.at_x[0]:.3f} | "
                     f"{c.at_x[1]:.3f} | {c.flat} |" for name, c in view.curves.items())
    st.markdown(f"| activation | f(x) | f({view.x:g}) | f′({view.x:g}) | flat (slope < "
                f"{SATURATED:.0%} of its peak) |\n|---|---|---|---|---|\n{rows}")
    explain(
        [r"\sigma'(x) = \sigma(x)(1 - \sigma(x)) \le \tfrac14",
         r"\tanh'(x) = 1 - \tanh^2 x \le 1",
         r"\operatorname{ReLU}'(x) = \begin{cases} 1 & x > 0 \\ 0 & x < 0 \end{cases}"],
        "Backpropagation multiplies by these slopes once per layer. Sigmoid's slope is at most "
        "¼ and tanh's fades outside about ±3: in deep stacks the gradient shrinks layer by "
        "layer once units saturate. ReLU passes gradient 1 wherever it is active but 0 where it "
        "is not (a unit stuck below 0 stops learning); leaky ReLU keeps a slope α there, and "
        "softplus and GELU (x·Φ(x), Φ the normal distribution's CDF: torch's default, exact "
        "form) are smooth versions. Without a non-linearity, stacked layers "
        "collapse into one linear map, so the choice decides what a network can represent.",
    )


def autodiff_cost(section: Section) -> None:
    size, seed = st.columns([4, 1])
    size.select_slider("Largest number of parameters P", options=AUTODIFF_SIZES, key="ad_max")
    seed_input(seed, "ad_seed")
    cost = compute(section)
    with main_visual():
        chart(gradient_cost_figure(cost))
    ratio = cost.finite_difference_s[-1] / cost.backward_s[-1]
    metrics([("parameters P", f"{cost.sizes[-1]:,}"),
             ("finite differences", f"{cost.finite_difference_s[-1] * 1e3:.3g} ms"),
             ("backward", f"{cost.backward_s[-1] * 1e3:.3g} ms"),
             ("backward is faster by", f"{ratio:.3g}×"),
             ("largest |difference|", f"{cost.max_difference:.1e}",
              "Between the two gradients at the largest P: they agree to rounding.")])
    st.caption(f"Timed live on this server, best of {TIMING_REPEATS}; results are "
               "shared by everyone with the same settings for a few minutes.")
    explain(
        [rf"f(w) = \sum_{{i=1}}^{{{AUTODIFF_ROWS}}} \tanh\big((Xw)_i\big),\quad w \in "
         r"\mathbb{R}^P",
         r"\frac{\partial f}{\partial w_k} \approx \frac{f(w + h e_k) - f(w - h e_k)}{2h}"],
        "Finite differences nudge one parameter at a time: 2P evaluations of f, each costing "
        "about P, so the time grows like P². Reverse mode (backward) gets every ∂f/∂wₖ from one "
        "forward and one backward pass, a small constant times one evaluation, however many "
        "parameters there are. That is why networks with millions of weights train by "
        "backpropagation, and finite differences are kept for checking it.",
    )


def vectorisation(section: Section) -> None:
    op_col, size, seed = st.columns([4, 4, 1])
    op_col.pills("Computation", tuple(COMPUTATIONS), key="vc_op", required=True)
    size.select_slider("Largest n", options=LOOP_SIZES, key="vc_max")
    seed_input(seed, "vc_seed")
    timing = compute(section)
    with main_visual():
        chart(loop_timing_figure(timing))
    metrics([("n", f"{timing.sizes[-1]:,}"),
             ("Python loop", f"{timing.loop_s[-1] * 1e3:.3g} ms"),
             ("vectorised", f"{timing.vectorised_s[-1] * 1e3:.3g} ms"),
             ("speed-up", f"{timing.speedup[-1]:.3g}×"),
             ("same result", "yes" if timing.same_result else "no")])
    st.caption(f"Timed live on this server, best of {TIMING_REPEATS}; results are shared by "
               "everyone with the same settings for a few minutes.")
    explain(
        [COMPUTATIONS[state("vc_op")].latex + r"\quad \text{for } i = 1,\dots,n"],
        "The loop handles one Python number at a time: each step looks up types, allocates a "
        "result and dispatches an operation. The vectorised call runs the same arithmetic in "
        "compiled code over a contiguous array. For small n the fixed cost of the call "
        "dominates; as n grows the speed-up levels off at tens to hundreds of times. The "
        "engine's tensors are built on this: one op is one NumPy call over a whole array.",
    )
