"""Building Blocks figure: the error of finite differences against the step size h."""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go

from page_models.stats import EPS, DifferenceErrors
from viz.blocks import projector_style
from viz.palette import CENTRAL, EDGE, OBSERVED


def _drawable(err: np.ndarray) -> np.ndarray:
    """Errors on a log axis: exact zeros and non-finite values become gaps."""
    err = np.asarray(err, dtype=float).copy()
    err[~np.isfinite(err) | (err <= 0)] = np.nan
    return err


def difference_error_figure(err: DifferenceErrors) -> go.Figure:
    """|numerical − exact| for forward and central differences on log–log axes, with guides of
    slope 1 (∝ h), slope 2 (∝ h²) and round-off (∝ ε/h), and each method's best h marked."""
    h = err.h
    forward, central = _drawable(err.forward), _drawable(err.central)
    traces = [
        go.Scatter(x=h, y=forward, mode="lines+markers", name="forward",
                   line={"color": OBSERVED, "width": 3}, marker={"size": 5}),
        go.Scatter(x=h, y=central, mode="lines+markers", name="central",
                   line={"color": CENTRAL, "width": 3}, marker={"size": 5}),
    ]
    for guide, name, dash in [(h, "∝ h", "dot"), (h**2, "∝ h²", "dash"),
                              (EPS / h, "round-off ∝ ε/h", "dashdot")]:
        traces.append(go.Scatter(x=h, y=guide, mode="lines", name=name,
                                 line={"color": EDGE, "width": 2, "dash": dash}))
    for values, color in [(forward, OBSERVED), (central, CENTRAL)]:
        if np.isfinite(values).any():
            best = int(np.nanargmin(values))
            traces.append(go.Scatter(
                x=[h[best]], y=[values[best]], mode="markers+text", showlegend=False,
                marker={"color": color, "size": 16, "symbol": "star"},
                text=[f"best h ≈ {h[best]:.0e}"], textposition="bottom center",
                textfont={"color": color}))
    fig = go.Figure(traces)
    finite = np.concatenate([forward[np.isfinite(forward)], central[np.isfinite(central)]])
    low = max(finite.min() / 10, 1e-18) if finite.size else 1e-18
    high = max(finite.max() * 10, 1.0) if finite.size else 1.0
    fig.update_xaxes(title_text="step h", type="log", exponentformat="power", dtick=2)
    fig.update_yaxes(title_text="|numerical − exact|", type="log", exponentformat="power",
                     range=[np.log10(low), np.log10(high)])
    return projector_style(fig, "Error of finite differences against the step h", height=480)
