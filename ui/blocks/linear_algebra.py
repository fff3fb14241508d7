"""Recipes of the linear-algebra sections: matrix product, rank, least squares, quadratic
forms, conditioning."""

from __future__ import annotations

import streamlit as st

from engine import PlaygroundError
from page_models.building_blocks.linear_algebra import move_point, parse_points
from page_models.building_blocks.section import Section
from page_models.limits import MAX_LIST_CHARS, MAX_MATRIX_DIM, MAX_QUADRATIC_STEPS
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
from ui.errors import show_user_error, user_errors
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


def matmul(section: Section) -> None:
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
    view = compute(section)
    hidden = answer_hidden()  # the product (or that there is none) is what a lesson asks for
    if view.error is not None and not hidden:
        show_user_error(view.error)
    with main_visual():
        chart(matmul_figure(view.a, view.b, None if hidden else view.c, view.row, view.col))
    if not hidden:
        show_product(view)
    explain(
        [r"C_{ij} = \sum_{k=1}^{n} A_{ik} B_{kj}",
         r"(m \times n)\,(n \times p) \to (m \times p)"],
        "Each entry of C = A @ B is the dot product of one row of A with one column of B, so a "
        "row of A (n numbers) must be as long as a column of B. A layer W @ x + b follows the "
        "same rule: W is m×n, x has n entries and b has m, giving m outputs.",
    )


def show_product(view) -> None:
    """The picked entry's dot product written out, and the shapes of a layer W @ x + b."""
    if view.c is not None:
        st.latex(dot_product_latex(view.a, view.b, view.row, view.col, view.c[view.row, view.col]))
    if view.layer_error is None:
        st.markdown(f"**A layer** {view.layer} → output {view.layer_output}")
    else:
        st.markdown(f"**A layer** {view.layer}:")
        show_user_error(view.layer_error)


def rank(section: Section) -> None:
    st.text_input("Vectors, one per ‘;’ (2 or 3 numbers each)", key="rk_vectors",
                  max_chars=MAX_LIST_CHARS, help="e.g. “1 0 0; 0 1 0; 1 1 0”")
    with user_errors(stop=False):
        view = compute(section)
        hidden = answer_hidden()  # the rank is what a lesson asks for
        with main_visual():
            chart(rank_figure(view, named=not hidden))
        lines = []
        for k, combination in enumerate(view.combinations):
            if combination is not None:
                terms = " + ".join(f"{c:.3g}·v{j + 1}" for j, c in enumerate(combination)
                                   if abs(c) > 1e-12) or "0"
                lines.append(f"- v{k + 1} = {terms}: it adds no new direction.")
        if not hidden:
            st.markdown(f"**rank {view.rank}** of {len(view.vectors)} vectors in "
                        f"{view.vectors.shape[1]}-D.\n" + "\n".join(lines))
    explain(
        [r"\operatorname{span}(v_1,\dots,v_k) = \{c_1 v_1 + \dots + c_k v_k\}",
         r"\operatorname{rank} V = \dim \operatorname{span} = \#\{\sigma_i > \text{tol}\}"],
        "Vectors are linearly independent when none is a combination of the others. Each "
        "independent vector adds a direction to the span (a line, then a plane, then space); a "
        "dependent one lies in the span already and adds nothing. The rank of the matrix whose "
        "rows are the vectors counts the directions: its non-zero singular values.",
    )


def _move_picked_point(index: int) -> None:
    st.session_state.rg_points = move_point(state("rg_points"), index, state("rg_move_x"),
                                            state("rg_move_y"))


def regression(section: Section) -> None:
    points_col, pick_col, x_col, y_col = st.columns([5, 2, 2, 2])
    points_col.text_input("Points “x y”, separated by ‘;’", key="rg_points",
                          max_chars=MAX_LIST_CHARS)
    try:
        points = parse_points(state("rg_points"))
    except PlaygroundError:
        points = None  # the message comes with the figure below
    if points is not None:
        keep_index_below("rg_pick", len(points))
        pick_col.selectbox("Move point", range(len(points)), format_func=lambda k: str(k + 1),
                           key="rg_pick")
        picked = state("rg_pick")
        st.session_state.rg_move_x, st.session_state.rg_move_y = map(float, points[picked])
        for where, label, key in [(x_col, "its x", "rg_move_x"), (y_col, "its y", "rg_move_y")]:
            where.number_input(label, step=0.1, format="%.2f", key=key,
                               on_change=_move_picked_point, args=(picked,))
    with user_errors(stop=False):
        view = compute(section)
        with main_visual():
            chart(regression_figure(view, state("rg_pick")))
        orthogonal = ", ".join(f"{v:.1e}" for v in view.column_dot_residual)
        if not answer_hidden():
            st.markdown(f"{view.equation}. The residual r is orthogonal to both columns: "
                        f"Xᵀr = ({orthogonal.replace('-', '−')}), zero up to rounding.")
    explain(
        [r"X = \begin{bmatrix} 1 & x_1 \\ \vdots & \vdots \\ 1 & x_n \end{bmatrix},\quad "
         r"\hat y = X w",
         r"X^\top (y - Xw) = 0 \iff X^\top X\, w = X^\top y"],
        "A data matrix X times a coefficient vector w gives every prediction at once. Least "
        "squares picks the w whose predictions ŷ = Xw lie closest to y: the projection of y "
        "onto the column space of X. The residual r = y − ŷ then meets every column at a right "
        "angle (Xᵀr = 0), which is the normal equations. Move a point and watch r stay "
        "orthogonal; the right panel draws y, ŷ and r to scale in the plane that holds them.",
    )


def quadratic_forms(section: Section) -> None:
    cols = st.columns(3)
    for where, (key, label) in zip(cols, [("qf_a", "a (A₁₁)"), ("qf_b", "b (A₁₂ = A₂₁)"),
                                          ("qf_c", "c (A₂₂)")]):
        where.slider(label, -3.0, 3.0, step=0.1, key=key)
    view = compute(section)
    hidden = answer_hidden()  # the shape and κ are what a lesson asks for
    with main_visual():
        chart(quadratic_figure(view, named=not hidden))
    if not hidden:
        kappa = "∞" if view.condition_number == float("inf") else f"{view.condition_number:.3g}"
        metrics([("λ₁", f"{view.eigenvalues[0]:.3g}"), ("λ₂", f"{view.eigenvalues[1]:.3g}"),
                 ("shape", view.shape), ("κ = |λ|max / |λ|min", kappa)])
        st.markdown(view.meaning)
    explain(
        [r"f(x) = x^\top A x = a x_1^2 + 2b\, x_1 x_2 + c\, x_2^2",
         "A = " + matrix_latex(view.a) + r",\quad A = Q \Lambda Q^\top"],
        "In the eigenvector directions f is λ₁u² + λ₂v²: both λ > 0 make a bowl (positive "
        "definite, a unique minimum), both < 0 a dome, mixed signs a saddle, a zero λ a flat "
        "trough. The path is gradient descent with (nearly) the best fixed step, "
        "1/(λmax + λmin): when κ = λmax/λmin is large it zig-zags across the steep direction "
        "and crawls along the shallow one; try a = 3, b = 0, c = 0.1.",
    )


def show_solve_metrics(view) -> None:
    """Rank, κ, and how much the error in b grew in the solution of Ax = b."""
    solve = view.solve
    singular = "A is singular: Ax = b has no unique solution."
    metrics([("rank", f"{view.summary.rank} of {view.a.shape[0]}"),
             ("condition number κ", f"{view.summary.condition_number:.3g}"),
             ("relative error in b", "—" if solve is None else f"{solve.b_change:.1e}"),
             ("relative error in x", *(("—", singular) if solve is None else
              (f"{solve.x_change:.1e}", f"At most κ × the error in b = {solve.bound:.1e}.")))])


def conditioning(section: Section) -> None:
    own = state("cd_own")
    cols = st.columns([2, 5, 3, 3, 2] if own else [2, 3, 3, 3, 3, 2])
    cols[0].toggle("Type A", key="cd_own")
    if own:
        cols[1].text_input("A, rows separated by ‘;’", key="cd_matrix", max_chars=MAX_LIST_CHARS)
    else:
        cols[1].slider("Size n of A (n×n)", 2, 6, key="cd_n")
        cols[2].slider("log₁₀ of κ", 0.0, 16.0, step=0.5, key="cd_log_kappa")
    cols[-3].slider("log₁₀ of the error in b", -12, -1, key="cd_noise")
    cols[-2].slider("Descent steps", 10, MAX_QUADRATIC_STEPS, step=10, key="cd_steps")
    seed_input(cols[-1], "cd_seed")
    with user_errors(stop=False):
        view = compute(section)
        with main_visual():
            sv_col, gd_col = st.columns(2)
            chart(low_rank_figure(view.summary.singular_values, *view.low_rank), sv_col)
            if view.descent is not None:
                chart(descent_figure(view.descent, view.summary.condition_number), gd_col)
            else:
                gd_col.info("Gradient descent on ½xᵀAx − bᵀx needs a symmetric positive "
                            "definite A (symmetric, all eigenvalues > 0), and this A is not.")
        if not answer_hidden():
            show_solve_metrics(view)
        st.latex("A = " + matrix_latex(view.a))
    explain(
        [r"A = U \Sigma V^\top,\qquad \kappa = \frac{\sigma_{\max}}{\sigma_{\min}}",
         r"\frac{\|\delta x\|}{\|x\|} \le \kappa\, \frac{\|\delta b\|}{\|b\|}"],
        "The singular values say how much A stretches space in each direction; the rank counts "
        "those that are not (numerically) zero, and keeping the k largest gives the best "
        "rank-k approximation: its error is exactly the next singular value σₖ₊₁ in the "
        "spectral norm, and √(σₖ₊₁² + σₖ₊₂² + …) in the Frobenius norm. A large condition "
        "number κ lets a tiny error in b move the solution of Ax = b up to κ times as much, and "
        "gradient descent on ½xᵀAx − bᵀx shrinks its error only by about 1 − 1/κ per step.",
    )
