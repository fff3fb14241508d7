"""The inspector of one node of an expression graph: statement, value, gradient, local derivative,
the contributions it received, the chain rule with numbers for each operand ("upstream × local =
contribution") and, for elementwise ops on small vectors and matrix products, the Jacobian.
Everything is read from the recorded graph (viz.graph); nothing here runs a pass."""

from __future__ import annotations

import networkx as nx
import numpy as np
import streamlit as st

from engine import format_shape
from engine.expr import ExprGraph
from viz.graph import local_derivative, operands_of, shape_rule, text_name
from viz.graph_arithmetic import backward_line, gradient_label
from viz.graph_tables import node_labels
from viz.numbers import MAX_LATEX_SIDE, entries_text, latex_array


def tex(name: str) -> str:
    """A display name (c′, W1, (x × y)) inside LaTeX."""
    return rf"\text{{{name}}}"


def inspector_panel(graph: nx.MultiDiGraph, built: ExprGraph, key: str) -> None:
    """The node picker (st.session_state[key]: a node, or -1) and the picked node's inspector."""
    labels = node_labels(graph)
    st.selectbox("Inspect a node", [-1, *labels], key=key,
                 format_func=lambda n: labels.get(n, "Choose a node (or click one)"))
    if st.session_state[key] >= 0:
        show_inspector(graph, st.session_state[key], built)
    else:
        st.caption("Its value, gradient and chain rule show here.")


def show_inspector(graph: nx.MultiDiGraph, node: int, built: ExprGraph) -> None:
    attrs = graph.nodes[node]
    name, op, output = text_name(graph, node), attrs["op"], graph.graph["output"]
    statement = built.statement_of(attrs["tensor"])
    if statement is not None:
        st.markdown(f"**{name}** is computed in line {statement.line}:")
        st.code(statement.text, language=None)
    else:
        role = "a parameter (it gets a gradient)" if attrs["kind"] == "parameter" else "a constant"
        st.markdown(f"**{name}** is an input, {role}, of shape `{format_shape(attrs['shape'])}`.")
    st.latex(f"{tex(name)} = {latex_array(attrs['value'])}")
    if attrs["gradient"] is None:
        st.caption("No gradient flows to this node: nothing it depends on is a parameter.")
    else:
        upstream = gradient_label(graph, node)
        st.markdown(f"Upstream gradient {upstream}, the same shape as {name}:")
        st.latex(rf"\frac{{\partial {tex(text_name(graph, output))}}}{{\partial {tex(name)}}}"
                 f" = {latex_array(attrs['gradient'])}")
        _contributions(graph, node)
    if op is not None:
        st.markdown(f"Local derivative of {op.title} ({op.symbol}):")
        st.latex(op.latex)
        _shape_rule(graph, node)
        _chain_rule(graph, node)
        _jacobians(graph, node)
        _matmul_jacobian(graph, node)


def _shape_rule(graph: nx.MultiDiGraph, node: int) -> None:
    """The op's shapes forward, and the rule for the gradients' shapes backward."""
    gradients = [f"{gradient_label(graph, p)} is {format_shape(graph.nodes[p]['shape'])}"
                 for p, _ in operands_of(graph, node) if graph.nodes[p]["gradient"] is not None]
    backward = (f" Backward, each gradient has the shape of its operand: {', '.join(gradients)}."
                if gradients else "")
    st.markdown(f"Shapes: `{shape_rule(graph, node)}`.{backward}")


def _chain_rule(graph: nx.MultiDiGraph, node: int) -> None:
    """Upstream × local = contribution, with numbers, for each operand that gets a gradient."""
    lines = []
    for parent, key in operands_of(graph, node):
        if graph.edges[parent, node, key]["contribution"] is not None:
            consumers = sum(d["contribution"] is not None
                            for _, _, d in graph.out_edges(parent, data=True))
            lines.append(backward_line(graph, (parent, node, key), consumers))
    if lines:
        st.markdown("The chain rule for each operand (upstream × local = contribution):")
        st.code("\n".join(lines), language=None, wrap_lines=True)


def _matmul_jacobian(graph: nx.MultiDiGraph, node: int) -> None:
    """For A @ v with a vector v (or a row vector u @ B): the Jacobian is the matrix itself,
    ∂(A @ v)/∂v = A and ∂(u @ B)/∂u = Bᵀ."""
    if graph.nodes[node]["op"].kind != "matmul":
        return
    (a, _), (b, _) = operands_of(graph, node)
    A, B = graph.nodes[a]["value"], graph.nodes[b]["value"]
    name = text_name(graph, node)
    if A.ndim == 2 and (B.ndim == 1 or B.shape[-1] == 1) and max(A.shape) <= MAX_LATEX_SIDE:
        wrt, matrix, what = b, A, text_name(graph, a)
    elif B.ndim == 2 and (A.ndim == 1 or A.shape[0] == 1) and max(B.shape) <= MAX_LATEX_SIDE:
        wrt, matrix, what = a, B.T, f"{text_name(graph, b)}ᵀ"
    else:
        return
    st.markdown(f"Jacobian ∂{name}/∂{text_name(graph, wrt)}: a matrix product is linear in "
                f"{text_name(graph, wrt)}, so its Jacobian is the matrix {what}.")
    st.latex(rf"\frac{{\partial\,{tex(name)}}}{{\partial\,{tex(text_name(graph, wrt))}}} = "
             f"{latex_array(matrix)}")


def _contributions(graph: nx.MultiDiGraph, node: int) -> None:
    """What each consumer sent back to `node`; their sum is its gradient."""
    received = [(v, d["contribution"]) for _, v, d in graph.out_edges(node, data=True)
                if d["contribution"] is not None]
    if not received:
        return  # the output: its gradient is the seed 1
    rows = {"from": [text_name(graph, v) for v, _ in received],
            "contribution (3 significant digits)": [entries_text(c) for _, c in received]}
    if len(received) > 1:
        st.markdown(f"It feeds {len(received)} consumers; the gradient is the sum of what each "
                    "sent back:")
    else:
        st.markdown("What its consumer sent back:")
    st.dataframe(rows, hide_index=True, width="content")


def _jacobians(graph: nx.MultiDiGraph, node: int) -> None:
    """For an elementwise op on a small vector (a column or row too): each operand's Jacobian, a
    diagonal matrix."""
    attrs = graph.nodes[node]
    name, shape = text_name(graph, node), attrs["shape"]
    out = tex(text_name(graph, graph.graph["output"]))
    n = int(np.prod(shape))
    if attrs["op"].kind != "elementwise" or not 1 < n <= MAX_LATEX_SIDE or max(shape) != n:
        return
    flat = "" if len(shape) == 1 else f" ({format_shape(shape)} read as a vector of {n})"
    for parent, key in operands_of(graph, node):
        d = local_derivative(graph, node, key)
        if d is None:
            continue
        p = text_name(graph, parent)
        st.markdown(f"Jacobian ∂{name}/∂{p}{flat}: elementwise, so only the diagonal is "
                    "non-zero.")
        st.latex(rf"\frac{{\partial {tex(name)}}}{{\partial {tex(p)}}} = "
                 f"{latex_array(np.diag(d.reshape(-1)))}"
                 rf"\qquad \frac{{\partial {out}}}{{\partial {tex(p)}}} = J^\top "
                 rf"\frac{{\partial {out}}}{{\partial {tex(name)}}}:\ "
                 f"({n},) = ({n},{n})^\\top ({n},)")
