"""The palette for colour-blind eyes and for contrast.

Colour vision deficiency is simulated with Machado, Oliveira & Fernandes (2009)'s matrices at
severity 1 (dichromacy), applied to linear sRGB; colours are compared by CIE ΔE 1976 (Euclidean
distance in CIELAB, D65). Contrast is WCAG 2's ratio of relative luminances.
"""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from page_models.optimizers import OPTIMIZERS
from viz import palette
from viz.player_core import PALETTE

MACHADO_2009 = {
    "normal vision": np.eye(3),
    "protanopia": np.array([[0.152286, 1.052583, -0.204868],
                            [0.114503, 0.786281, 0.099216],
                            [-0.003882, -0.048116, 1.051998]]),
    "deuteranopia": np.array([[0.367322, 0.860646, -0.227968],
                              [0.280085, 0.672501, 0.047413],
                              [-0.011820, 0.042940, 0.968881]]),
    "tritanopia": np.array([[1.255528, -0.076749, -0.178779],
                            [-0.078411, 0.930809, 0.147602],
                            [0.004733, 0.691367, 0.303900]]),
}
SRGB_TO_XYZ = np.array([[0.4124, 0.3576, 0.1805], [0.2126, 0.7152, 0.0722],
                        [0.0193, 0.1192, 0.9505]])
D65 = np.array([0.95047, 1.0, 1.08883])
MIN_DELTA_E = 20.0


def linear_rgb(colour: str) -> np.ndarray:
    srgb = np.array([int(colour[i:i + 2], 16) for i in (1, 3, 5)]) / 255
    return np.where(srgb <= 0.04045, srgb / 12.92, ((srgb + 0.055) / 1.055) ** 2.4)


def cielab(rgb: np.ndarray) -> np.ndarray:
    t = SRGB_TO_XYZ @ np.clip(rgb, 0, 1) / D65
    f = np.where(t > (6 / 29) ** 3, np.cbrt(t), t / (3 * (6 / 29) ** 2) + 4 / 29)
    return np.array([116 * f[1] - 16, 500 * (f[0] - f[1]), 200 * (f[1] - f[2])])


def delta_e76(a: str, b: str, vision: np.ndarray) -> float:
    return float(np.linalg.norm(cielab(vision @ linear_rgb(a)) - cielab(vision @ linear_rgb(b))))


def contrast(a: str, b: str) -> float:
    """WCAG 2's contrast ratio, 1 to 21."""
    low, high = sorted(float(SRGB_TO_XYZ[1] @ linear_rgb(c)) for c in (a, b))
    return (high + 0.05) / (low + 0.05)


def test_the_simulation_and_delta_e_are_the_published_ones():
    assert contrast("#000000", "#ffffff") == pytest.approx(21.0)
    assert contrast("#777777", "#ffffff") == pytest.approx(4.48, abs=0.01)  # WebAIM's figure
    assert cielab(linear_rgb("#ffffff")) == pytest.approx([100, 0, 0], abs=0.02)
    # Every Machado matrix keeps white white (its rows sum to 1): greys look the same to all.
    for vision in MACHADO_2009.values():
        assert vision.sum(axis=1) == pytest.approx(np.ones(3), abs=1e-3)
    # The registry's old colours, which the issue measured (momentum vs Adam under protanopia):
    assert delta_e76("#ff7f0e", "#2ca02c", MACHADO_2009["protanopia"]) < 6


def test_every_optimizer_has_a_style_of_its_own():
    assert len(palette.SERIES) >= len(OPTIMIZERS), "add a SeriesStyle for the new optimizer"
    styles = [palette.optimizer_style(key) for key in OPTIMIZERS]
    assert len({s.colour for s in styles}) == len({s.marker for s in styles}) == len(OPTIMIZERS)


@pytest.mark.parametrize("vision", MACHADO_2009)
def test_optimizer_colours_stay_apart_under_colour_blindness(vision):
    colours = [palette.optimizer_style(key).colour for key in OPTIMIZERS]
    close = [(a, b, round(d, 1)) for a, b in itertools.combinations(colours, 2)
             if (d := delta_e76(a, b, MACHADO_2009[vision])) < MIN_DELTA_E]
    assert not close, f"{vision}: ΔE76 < {MIN_DELTA_E} for {close}"


def scale_samples(scale) -> list[str]:
    return [palette.diverging(x, 1.0, scale) for x in np.linspace(-1, 1, 41)]


@pytest.mark.parametrize(("what", "colours", "minimum"), [
    ("graph edges", [palette.EDGE], 3.0),
    ("gradient rings", scale_samples(palette.RING_SCALE), 3.0),
    ("focus ring", [palette.FOCUS], 3.0),
    ("text", [palette.INK, palette.MUTED, palette.CAUTION, palette.ACCENT, palette.FOCUS], 4.5),
])
def test_graphics_and_text_keep_their_contrast_on_the_background(what, colours, minimum):
    for background in (palette.PAPER, palette.PANEL):
        low = [c for c in colours if contrast(c, background) < minimum]
        assert not low, f"{what} under {minimum}:1 on {background}: {low}"


def test_the_players_get_the_focus_colour():
    assert PALETTE["focus"] == palette.FOCUS
