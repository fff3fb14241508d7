"""Recipes of the factorisation sections: SVD against NMF, tensor operations."""

from __future__ import annotations

import streamlit as st

from page_models.building_blocks.factorisation import FACTORISATION_DATA, IMAGE_SIZE, TENSOR_OPS
from page_models.building_blocks.section import Section
from page_models.limits import MAX_LIST_CHARS
from ui.blocks.common import (
    answer_hidden,
    chart,
    compute,
    explain,
    main_visual,
    seed_input,
    state,
)
from ui.errors import user_errors
from viz.blocks_factorisation import factorisation_figure, parts_figure, tensor_figure


def factorisation(section: Section) -> None:
    data_col, matrix_col, rank_col, seed_col = st.columns([4, 5, 3, 2])
    data_col.pills("Data", tuple(FACTORISATION_DATA), format_func=FACTORISATION_DATA.get,
                   key="fa_data", required=True)
    if state("fa_data") == "typed":
        matrix_col.text_input("Matrix ≥ 0, rows separated by ‘;’", key="fa_matrix",
                              max_chars=MAX_LIST_CHARS)
    rank_col.slider("Rank k", 1, IMAGE_SIZE, key="fa_rank")
    seed_input(seed_col, "fa_seed")
    with user_errors(stop=False):
        view = compute(section)
        hidden = answer_hidden()  # which error is smaller is what a lesson asks for
        with main_visual():
            chart(factorisation_figure(view, errors=not hidden))
        chart(parts_figure(view))
    explain(
        [r"V \approx U_k \Sigma_k V_k^\top = \sum_{i \le k} \sigma_i u_i v_i^\top",
         r"V \approx W H,\quad W, H \ge 0",
         r"H \leftarrow H \odot \frac{W^\top V}{W^\top W H},\quad "
         r"W \leftarrow W \odot \frac{V H^\top}{W H H^\top}"],
        "Both write the matrix as a sum of k rank-1 parts. The truncated SVD is the best "
        "possible for every k (Eckart–Young), but its parts mix positive and negative entries "
        "that cancel. NMF keeps every part non-negative, so parts can only add: on an image "
        "made of rectangles its parts often look like the rectangles. Nothing guarantees it: "
        "NMF runs Lee and Seung's multiplicative updates from a seeded start and can stop in a "
        "worse local optimum (seed 8, k = 3: relative error 0.064 where the SVD's is 0).",
    )


def tensors(section: Section) -> None:
    op_col, spec_col, shapes_col, seed_col = st.columns([5, 3, 3, 1])
    op_col.pills("Operation", tuple(TENSOR_OPS), format_func=TENSOR_OPS.get, key="te_op",
                 required=True)
    if state("te_op") == "einsum":
        spec_col.text_input("einsum spec", key="te_spec", max_chars=40,
                            help="Index letters per operand, then -> and the result's: "
                            "ij,jk->ik (matrix product), ij->ji (transpose), ii-> (trace), "
                            "bij,bjk->bik (a batch of products)")
    shapes_col.text_input("Shapes", key="te_shapes", max_chars=40, help="e.g. “2x3, 3x4”")
    seed_input(seed_col, "te_seed")
    with user_errors(stop=False):
        view = compute(section)
        hidden = answer_hidden()  # the result's shape is what a lesson asks for
        with main_visual():
            chart(tensor_figure(view, result=not hidden))
        st.latex(view.formula)
        if view.summed:
            st.markdown(f"Summed over the index {', '.join(view.summed)}: it appears in the "
                        "operands but not in the result.")
    explain(
        [r"\text{broadcast: } (3, 1) + (1, 4) \to (3, 4)",
         r"\text{einsum: } R_{ik} = \sum_j A_{ij} B_{jk} \;\Leftrightarrow\; "
         r"\texttt{ij,jk->ik}"],
        "Elementwise ops pair entries with the same position. Broadcasting lines the shapes up "
        "from the right and stretches every axis of length 1 to match the other (a column plus "
        "a row gives a table). einsum names every axis with a letter: letters in the result are "
        "kept, letters missing from it are summed over. Matrix products, batch products, "
        "traces, transposes and outer products are all one einsum.",
    )
