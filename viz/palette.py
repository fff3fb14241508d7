"""One palette for the whole app: a colour means the same thing on every page.

Values and gradients use diverging scales, because the sign matters: blue is negative, red is
positive, white-ish is zero. Non-finite numbers are drawn in an alarm colour. Each optimizer has
one style everywhere (`optimizer_style`: a colour and a marker, by its place in the registry
page_models.optimizers); runs with dropout use the same style with a dashed line, and every
curve and path is also labelled at its end, so nothing is told by colour alone. The optimizers'
colours stay apart under protanopia, deuteranopia and tritanopia, and the graphics and text
here keep WCAG's contrast with the background (tests/viz/test_palette.py).
"""

from __future__ import annotations

import math
from typing import NamedTuple

from page_models.optimizers import OPTIMIZERS

# Diverging scales (plotly colorscale form): negative -> zero -> positive.
VALUE_SCALE = [[0.0, "#2166ac"], [0.5, "#f7f7f7"], [1.0, "#b2182b"]]
GRADIENT_SCALE = [[0.0, "#1b7837"], [0.5, "#f7f7f7"], [1.0, "#762a83"]]  # green − / purple +
# The graph's node outlines code the gradient too, but an outline must show on white (3:1):
# grey, not white, for zero.
RING_SCALE = [[0.0, "#1b7837"], [0.5, "#808080"], [1.0, "#762a83"]]

NONFINITE = "#ff8c00"  # inf or nan: alarm orange
NEUTRAL = "#d9d9d9"  # not yet computed
INK = "#222222"  # text and outlines
FORWARD = "#2166ac"  # highlight of an edge carrying a value forward
BACKWARD = "#c51b7d"  # highlight of an edge carrying a gradient backward
EDGE = "#808080"  # the graph's edges: 3.9:1 on white (graphics need 3:1)

NODE_KIND = {  # fill of a node before any value is shown
    "parameter": "#fde0a6",
    "input": "#fde0a6",
    "constant": "#e0e0e0",
    "op": "#dbe9f6",
}

DROPOUT_DASH = "dash"  # line dash of a run with dropout; runs without are solid


class SeriesStyle(NamedTuple):
    colour: str
    marker: str  # a plotly marker symbol; the surface player draws the same shapes


# One style per optimizer, in registry order. The colours are Okabe–Ito's and Paul Tol's, picked
# so that every pair differs by ΔE76 ≥ 20 in normal vision and under the three dichromacies.
SERIES = (
    SeriesStyle("#332288", "circle"),  # indigo
    SeriesStyle("#33bbee", "square"),  # cyan
    SeriesStyle("#117733", "diamond"),  # green
    SeriesStyle("#999933", "triangle-up"),  # olive
    SeriesStyle("#785ef0", "triangle-down"),  # violet
    SeriesStyle("#ee6677", "pentagon"),  # rose
    SeriesStyle("#882255", "hexagon"),  # wine
    SeriesStyle("#cc79a7", "triangle-right"),  # pink
)
_OPTIMIZER_STYLES = dict(zip(OPTIMIZERS, SERIES, strict=False))


def optimizer_style(key: str) -> SeriesStyle:
    """The colour and marker of the registry optimizer `key`."""
    return _OPTIMIZER_STYLES[key]

CLASS_COLORS = ["#2166ac", "#b2182b", "#1b7837", "#762a83", "#e08214", "#35978f"]

FONT_FAMILY = "Inter, Segoe UI, Helvetica, Arial, sans-serif"


def _hex_to_rgb(color: str) -> tuple[int, int, int]:
    color = color.lstrip("#")
    return int(color[0:2], 16), int(color[2:4], 16), int(color[4:6], 16)


def diverging_position(x: float, scale_max: float) -> float | None:
    """Where x sits on a diverging scale with ends at ±scale_max: 0 to 1, 0.5 for zero; None if
    x is not finite."""
    if not math.isfinite(x):
        return None
    return 0.5 if scale_max <= 0 else 0.5 + 0.5 * max(-1.0, min(1.0, x / scale_max))


def diverging(x: float, scale_max: float, scale=VALUE_SCALE) -> str:
    """Colour of x on a diverging scale symmetric around 0 with ends at ±scale_max."""
    t = diverging_position(x, scale_max)
    if t is None:
        return NONFINITE
    (t0, c0), (t1, c1) = (scale[0], scale[1]) if t <= 0.5 else (scale[1], scale[2])
    w = (t - t0) / (t1 - t0)
    rgb = [round(a + (b - a) * w) for a, b in zip(_hex_to_rgb(c0), _hex_to_rgb(c1))]
    return "#{:02x}{:02x}{:02x}".format(*rgb)


# Building Blocks: what theory predicts against what a sample or a finite step gives, and the
# picked item (a true class, a row and column of a product).
THEORY = "#2166ac"
OBSERVED = "#e08214"  # also forward differences
CENTRAL = "#1b7837"  # central differences
PICKED = "#c51b7d"
SELECTED = "#f2b701"  # ring round the node chosen for the inspector
TANGENT_X = "#6a3d9a"  # tangent along x on z = f(x, y), east-west; not orange (orange = inf/nan)
TANGENT_Y = "#1b7837"  # the tangent line along y (walking north-south)

# The players' controls and canvases (viz.player_core hands them to the browser's JS and CSS).
PAPER = "#ffffff"  # backgrounds, and the text on the Play button
FOCUS = "#1a56db"  # the focus ring round a control or a graph node: 6:1 on white, 5:1 on PANEL
PANEL = "#f0f2f6"  # the list of keys, a pressed toggle
BORDER = "#c8c8c8"  # the controls' outlines
ACCENT = "#c62828"  # the Play button: a red white text reads on (5.6:1; #ff4b4b was 3.3:1)
MUTED = "#555555"  # tick labels and notes
GRID = "#e6e6e6"  # grid lines
FRAME = "#999999"  # a chart's box
LEVEL = "#b0b0b0"  # level lines of a loss surface: light, so the paths stand out
MINIMUM = "#ffd700"  # the star on a minimum
HIDDEN_NODE = "#eeeeee"  # fill of a hidden neuron
CAUTION = "#7a4b00"  # a note that something stopped or left the chart
CAUTION_BG = "#fff4e0"
