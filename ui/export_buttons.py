"""Download what a page built (page_models.export) and load a network file back.

    export_buttons(training, model)       # Network Builder, after training
    loaded = network_uploader()           # (MLP, info) or None
    graph_downloads(built, data)          # Expression Graph: snippet, HTML player, SVG
"""

from __future__ import annotations

import streamlit as st

from engine.errors import PlaygroundError
from engine.expr import ExprGraph
from engine.nn import MLP
from page_models.export import (
    Training,
    network_from_json,
    network_json,
    numpy_script,
    pytorch_script,
    pytorch_snippet,
)
from ui.errors import show_user_error
from viz.graph_export import graph_svg, standalone_html

__all__ = ["export_buttons", "graph_downloads", "network_uploader", "snippet_button"]

_PYTHON = "text/x-python"


def export_buttons(training: Training, model: MLP | None) -> None:
    """Three downloads side by side: the PyTorch and NumPy training scripts (each trains as the
    page did and prints the loss per epoch) and the trained `model` as JSON (disabled without
    one). The files are written only when a button is clicked."""
    scripts, numpy, weights = st.columns(3)
    scripts.download_button("Download PyTorch script", lambda: pytorch_script(training),
                            "backprop_playground_pytorch.py", _PYTHON, on_click="ignore",
                            icon=":material/download:", width="stretch",
                            help="Trains this network exactly as the page did, with PyTorch.")
    numpy.download_button("Download NumPy script", lambda: numpy_script(training),
                          "backprop_playground_numpy.py", _PYTHON, on_click="ignore",
                          icon=":material/download:", width="stretch",
                          help="The same training with NumPy alone, backward pass written out.")
    weights.download_button("Download network JSON",
                            lambda: network_json(model, training) if model else "",
                            "backprop_playground_network.json", "application/json",
                            on_click="ignore", icon=":material/download:", width="stretch",
                            disabled=model is None,
                            help="The trained network (spec, weights) and how it was trained.")


def network_uploader(key: str = "network_file") -> tuple[MLP, dict] | None:
    """A file uploader for a network JSON; the network and the file's other facts, or None
    (with the reason shown if the file is not one)."""
    file = st.file_uploader("Load a network (JSON)", type=["json"], key=key, max_upload_size=5)
    if file is None:
        return None
    try:
        return network_from_json(file.getvalue())
    except PlaygroundError as err:
        show_user_error(err)
        return None


def snippet_button(built: ExprGraph) -> None:
    """Download the program with its input values as a PyTorch snippet (same gradients)."""
    st.download_button("Download PyTorch snippet", lambda: pytorch_snippet(built),
                       "expression_graph.py", _PYTHON, on_click="ignore",
                       icon=":material/download:",
                       help="The program in PyTorch: its backward pass gives these gradients.")


def graph_downloads(built: ExprGraph, data: dict) -> None:
    """Three downloads in a row: the PyTorch snippet, the graph player as a standalone HTML page
    that plays offline, and the graph's last step as SVG (`data`: viz.graph_player.player_data).
    """
    snippet, page, picture = st.columns(3)
    with snippet:
        snippet_button(built)
    page.download_button("Download HTML player", lambda: standalone_html(data),
                         "expression_graph.html", "text/html", on_click="ignore",
                         icon=":material/download:",
                         help="The graph and its steps in one file that plays offline (slides).")
    picture.download_button("Download SVG", lambda: graph_svg(data), "expression_graph.svg",
                            "image/svg+xml", on_click="ignore", icon=":material/download:",
                            help="The graph with every value and gradient, as a picture.")
