"""The Optimizer Lab's training view as figures: its loss panels and each run's boundary."""

from __future__ import annotations

from collections.abc import Sequence

import plotly.graph_objects as go

from engine.data import Dataset
from engine.train_grid import Run
from viz.boundary import BoundaryGrid, blank_grid, boundary_grid, boundary_small_multiples
from viz.curves import curves_figure, group_title, series

BOUNDARY_RESOLUTION = 60  # grid points a side, for each run's final boundary


def final_boundaries(runs: Sequence[Run], data: Dataset) -> list[tuple[str, BoundaryGrid]]:
    """The final model of seed 0 of each setting over the data, titled by its setting (a
    diverged run's grid blank)."""
    grids = []
    for run in (r for r in runs if r.seed == 0):
        grid = boundary_grid(run.history.model, data, resolution=BOUNDARY_RESOLUTION)
        grids.append((group_title(run), blank_grid(grid) if run.history.diverged else grid))
    return grids


def comparison_figures(runs: Sequence[Run], grids: Sequence[BoundaryGrid], data: Dataset,
                       dropout_variants: int, x_axis: str, log_y: bool
                       ) -> tuple[list[go.Figure], go.Figure]:
    """The Optimizer Lab's training view: loss (and, for classification, accuracy) panels,
    training beside validation, the first with the legend; and each run's boundary or fit."""
    classification = data.task == "classification"
    charts = [("train_loss", "val_loss", "loss (cross-entropy)" if classification
               else "loss (mean squared error)")]
    if classification:
        charts.append(("train_acc", "val_acc", "accuracy"))
    curves = []
    for i, (train_metric, val_metric, y_title) in enumerate(charts):
        panels = [(f"{title} {y_title.split()[0]}", series(runs, metric, x_axis))
                  for title, metric in (("Training", train_metric), ("Validation", val_metric))]
        curves.append(curves_figure(panels, y_title=y_title,
                                    x_title="epoch" if x_axis == "epochs" else "step",
                                    log_y=log_y and i == 0, from_zero=i == 0,
                                    show_legend=i == 0))
    cols = len(grids) // dropout_variants
    return curves, boundary_small_multiples(grids, data, cols=min(cols, 3),
                                            empty_note="diverged: no model")
