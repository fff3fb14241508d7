"""Building Blocks figures: samples against their distribution, three scalings of a dataset,
and a random sample against a biased one."""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from page_models.building_blocks.probability import SamplingBiasView
from page_models.numerics.sampling import Distribution
from viz.blocks import projector_style
from viz.palette import EDGE, INK, OBSERVED, PICKED, THEORY


def histogram_bars(x: np.ndarray, name: str, color: str, bins: int | None = None) -> go.Bar:
    """A density histogram as bars (area 1), so its heights can be checked in tests."""
    bins = bins or int(np.clip(np.sqrt(x.size), 10, 60))
    density, edges = np.histogram(x, bins=bins, density=True)
    return go.Bar(x=(edges[:-1] + edges[1:]) / 2, y=density, width=np.diff(edges), name=name,
                  marker={"color": color, "line": {"width": 0}}, opacity=0.75)


def distribution_figure(dist: Distribution, samples: np.ndarray) -> go.Figure:
    """The sample's histogram (or frequencies) against the population's density (or pmf)."""
    n = samples.size
    if dist.discrete:
        values = np.array([0.0, 1.0])
        freq = [float(np.mean(samples == v)) for v in values]
        traces = [
            go.Bar(x=values, y=dist.density(values), name="population P(X = x)",
                   marker_color=THEORY, width=0.35, offset=-0.36),
            go.Bar(x=values, y=freq, name=f"fraction of {n:,} samples", marker_color=OBSERVED,
                   width=0.35, offset=0.01),
        ]
        y_title = "probability"
    else:
        lo = min(samples.min(), dist.mean - 4 * dist.std)
        hi = max(samples.max(), dist.mean + 4 * dist.std)
        grid = np.linspace(lo, hi, 400)
        traces = [
            histogram_bars(samples, f"histogram of {n:,} samples", OBSERVED),
            go.Scatter(x=grid, y=dist.density(grid), mode="lines", name="population density",
                       line={"color": THEORY, "width": 3}),
        ]
        y_title = "density"
    fig = go.Figure(traces)
    fig.update_layout(barmode="overlay", bargap=0)
    fig.update_xaxes(title_text="x")
    fig.update_yaxes(title_text=y_title)
    return projector_style(fig, f"{n:,} samples from a {dist.name} distribution",
                           legend="beside title")


def scaling_figure(raw: np.ndarray, min_max: np.ndarray, z: np.ndarray,
                   outlier: int | None = None) -> go.Figure:
    """Raw data, min–max scaled and z-scored, side by side; the outlier (an index) marked."""
    panels = [("raw", raw), ("min–max scaled to [0, 1]", min_max), ("z-scores", z)]
    fig = make_subplots(rows=1, cols=3, subplot_titles=[title for title, _ in panels],
                        horizontal_spacing=0.07)
    for col, (title, x) in enumerate(panels, start=1):
        fig.add_trace(histogram_bars(x, title, THEORY), row=1, col=col)
        if outlier is not None:
            fig.add_trace(
                go.Scatter(x=[x[outlier]], y=[0], mode="markers", name="the outlier",
                           marker={"color": PICKED, "size": 18, "symbol": "x"},
                           showlegend=False, cliponaxis=False),
                row=1, col=col)
    for k in (-3, -2, -1, 1, 2, 3):
        fig.add_vline(x=k, line={"color": EDGE, "dash": "dot", "width": 1.5}, row=1, col=3)
    fig.update_layout(bargap=0, showlegend=False)
    fig.update_xaxes(title_text="value")
    fig.update_yaxes(title_text="density", row=1, col=1)
    title = "One dataset, three scalings" + ("" if outlier is None else " (✖ the outlier)")
    return projector_style(fig, title)  # the legend row holds the panel titles


def sampling_bias_figure(view: SamplingBiasView) -> go.Figure:
    """Left: the population against a random and a biased sample. Right: each sample's mean
    as it grows, against the population mean and where the biased one settles."""
    fig = make_subplots(rows=1, cols=2, horizontal_spacing=0.1,
                        subplot_titles=["who is in the sample", "the estimate as n grows"])
    fig.add_trace(histogram_bars(view.population, "population", EDGE, bins=40), row=1, col=1)
    for sample, name, color in [(view.random_sample, "random sample", THEORY),
                                (view.biased_sample, "biased sample", OBSERVED)]:
        density, edges = np.histogram(sample, bins=30, density=True)
        fig.add_trace(go.Scatter(x=(edges[:-1] + edges[1:]) / 2, y=density, mode="lines",
                                 name=name, line={"color": color, "width": 3, "shape": "hvh"}),
                      row=1, col=1)
    n = np.arange(1, view.random_running_mean.size + 1)
    for running, color in [(view.random_running_mean, THEORY),
                           (view.biased_running_mean, OBSERVED)]:
        fig.add_trace(go.Scatter(x=n, y=running, mode="lines", showlegend=False,
                                 line={"color": color, "width": 3}), row=1, col=2)
    fig.add_hline(y=float(view.population.mean()), line={"color": INK, "dash": "dot"},
                  row=1, col=2)
    fig.update_layout(barmode="overlay", bargap=0)
    fig.update_xaxes(title_text="height (cm)", row=1, col=1)
    fig.update_xaxes(title_text="sample size n (log scale)", type="log", dtick=1, row=1, col=2)
    fig.update_yaxes(title_text="mean of the first n", row=1, col=2)
    fig = projector_style(fig, "A random sample against a biased one", legend="beside title")
    fig.update_annotations(yshift=-6)
    return fig
