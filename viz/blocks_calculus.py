"""Building Blocks figures on derivatives: the error of finite differences against the step
size h, activation functions and their slopes, and timings (a gradient, a loop)."""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from page_models.building_blocks.calculus import ActivationsView, GradientCost, LoopTiming
from page_models.numerics.differences import EPS, DifferenceErrors
from viz.blocks import projector_style
from viz.palette import CENTRAL, CLASS_COLORS, EDGE, INK, OBSERVED, THEORY


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
    low = max(finite.min() / 1e3, 1e-18) if finite.size else 1e-18  # room for "best h" below
    high = max(finite.max() * 10, 1.0) if finite.size else 1.0
    fig.update_xaxes(title_text="step h", type="log", exponentformat="power", dtick=2)
    fig.update_yaxes(title_text="|numerical − exact|", type="log", exponentformat="power",
                     range=[np.log10(low), np.log10(high)])
    return projector_style(fig, "Error of finite differences against the step h")


def activations_figure(view: ActivationsView) -> go.Figure:
    """Each activation (left) and its slope (right) on the same x range, one colour per
    function, the chosen x marked on both."""
    fig = make_subplots(rows=1, cols=2, subplot_titles=["f(x)", "slope f′(x)"],
                        horizontal_spacing=0.08)
    for (name, curve), color in zip(view.curves.items(), CLASS_COLORS):
        for col, (y, at) in enumerate([(curve.values, curve.at_x[0]),
                                       (curve.slopes, curve.at_x[1])], start=1):
            fig.add_trace(go.Scatter(x=view.grid, y=y, mode="lines", name=name, legendgroup=name,
                                     showlegend=col == 1, line={"color": color, "width": 3}),
                          row=1, col=col)
            fig.add_trace(go.Scatter(x=[view.x], y=[at], mode="markers", legendgroup=name,
                                     showlegend=False, marker={"color": color, "size": 10},
                                     hovertemplate=f"{name}: %{{y:.3f}}<extra></extra>"),
                          row=1, col=col)
    fig.update_xaxes(title_text="x", zeroline=True, zerolinecolor=EDGE)
    fig.update_yaxes(range=[-1.5, 3.2], row=1, col=1)
    fig.update_yaxes(range=[-0.15, 1.2], row=1, col=2)
    fig = projector_style(fig, "Activations", legend="beside title")
    fig.update_annotations(yshift=-6)
    return fig


def _log_time_axes(fig: go.Figure, x_title: str) -> None:
    fig.update_xaxes(title_text=x_title, type="log", exponentformat="power", dtick=1)
    fig.update_yaxes(title_text="seconds (log scale)", type="log", exponentformat="power",
                     dtick=1)


def gradient_cost_figure(cost: GradientCost) -> go.Figure:
    """Time of a gradient by finite differences and by backward against the parameter count."""
    fig = go.Figure([
        go.Scatter(x=cost.sizes, y=cost.finite_difference_s, mode="lines+markers",
                   name="finite differences (2P forward passes)",
                   line={"color": OBSERVED, "width": 3}, marker={"size": 9}),
        go.Scatter(x=cost.sizes, y=cost.backward_s, mode="lines+markers",
                   name="backward (1 forward + 1 backward)",
                   line={"color": THEORY, "width": 3}, marker={"size": 9}),
    ])
    _log_time_axes(fig, "number of parameters P (log scale)")
    return projector_style(fig, "Time for one gradient")


def loop_timing_figure(timing: LoopTiming) -> go.Figure:
    """Loop and vectorised times against n (left), and the speed-up (right)."""
    fig = make_subplots(rows=1, cols=2, column_widths=[0.6, 0.4], horizontal_spacing=0.12,
                        subplot_titles=["time", "speed-up = loop / vectorised"])
    fig.add_trace(go.Scatter(x=timing.sizes, y=timing.loop_s, mode="lines+markers",
                             name="Python loop", line={"color": OBSERVED, "width": 3}),
                  row=1, col=1)
    fig.add_trace(go.Scatter(x=timing.sizes, y=timing.vectorised_s, mode="lines+markers",
                             name="one NumPy call", line={"color": THEORY, "width": 3}),
                  row=1, col=1)
    fig.add_trace(go.Scatter(x=timing.sizes, y=timing.speedup, mode="lines+markers",
                             name="speed-up", showlegend=False,
                             line={"color": INK, "width": 3}), row=1, col=2)
    _log_time_axes(fig, "n (log scale)")
    fig.update_yaxes(title_text="times faster", row=1, col=2)
    fig = projector_style(fig, "A loop against one vectorised call", legend="beside title")
    fig.update_annotations(yshift=-6)
    return fig
