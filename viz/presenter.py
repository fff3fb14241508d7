"""A figure for presenter mode: the same figure with larger type and thicker lines, at the same
height (so it still fits the first 1280×720 screen)."""

from __future__ import annotations

import base64
from typing import Any

import numpy as np
import plotly.graph_objects as go

TYPE_SCALE = 1.2  # every font size: 17 px becomes 20
LINE_SCALE = 1.5  # every line width: a 2 px curve becomes 3


def presenter_figure(fig: go.Figure, type_scale: float = TYPE_SCALE,
                     line_scale: float = LINE_SCALE) -> dict:
    """The figure as plotly JSON (a copy; `fig` is not changed) with each font size (the
    layout's, the axes', titles', legend's, annotations', traces') times `type_scale` and each
    line width (traces', frames', shapes') times `line_scale`. A trace without its own font
    inherits the layout's, so the layout gets one if it has none; a legend under the plot moves
    down by `type_scale`² too, clear of the larger tick labels and axis title."""
    figure = fig.to_plotly_json()
    layout = figure["layout"]
    layout.setdefault("font", {}).setdefault("size", 12)  # plotly's default
    _scale(figure, type_scale, line_scale)
    legend = layout.get("legend", {})
    if legend.get("y", 0) < 0:  # a legend under the plot moves down clear of the larger tick
        legend["y"] *= type_scale**2  # labels and axis title (the plot itself gets shorter)
    return figure


def _scale(node: Any, type_scale: float, line_scale: float) -> None:
    if isinstance(node, list | tuple):
        for item in node:
            _scale(item, type_scale, line_scale)
        return
    if not isinstance(node, dict):
        return
    for key, value in node.items():
        if isinstance(value, dict):
            if key.endswith("font"):
                _times(value, "size", type_scale)
            elif key == "line":
                _times(value, "width", line_scale)
        _scale(value, type_scale, line_scale)


def _times(props: dict, name: str, factor: float) -> None:
    """props[name] × factor, for a number, a list of numbers or a numpy array (plotly's JSON
    has it as base64 "bdata"); left alone if absent."""
    value = props.get(name)
    if isinstance(value, int | float) and not isinstance(value, bool):
        props[name] = value * factor
    elif isinstance(value, list | tuple) and all(isinstance(v, int | float) for v in value):
        props[name] = [v * factor for v in value]
    elif isinstance(value, dict) and "bdata" in value:  # a numpy array, as plotly encodes it
        numbers = np.frombuffer(base64.b64decode(value["bdata"]), dtype=value["dtype"])
        props[name] = (numbers * factor).tolist()
