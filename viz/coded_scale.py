"""A diverging scale and a few fixed colours packed into one plotly colorscale over [0, 1].

A trace whose points change colour in every animation frame can then carry numbers instead of
colour strings: smaller JSON, and plotly validates a numeric array at once instead of string by
string. Numbers 0 to SHARE are the diverging scale; above SHARE + GAP each fixed colour has a band.
"""

from __future__ import annotations

from dataclasses import dataclass

from viz import palette

SHARE = 0.8  # part of [0, 1] taken by the diverging scale
GAP = 0.01  # unused numbers between the scale and the fixed colours (no colour bleeds across)


@dataclass(frozen=True)
class CodedScale:
    scale: list  # a diverging plotly colorscale (negative, zero, positive)
    fixed: tuple[str, ...]  # colours outside the scale; palette.NONFINITE must be one of them

    @property
    def _band(self) -> float:
        return (1.0 - SHARE - GAP) / len(self.fixed)

    def colorscale(self) -> list:
        """The plotly colorscale (use with cmin=0, cmax=1)."""
        stops = [[SHARE * position, colour] for position, colour in self.scale]
        for i, colour in enumerate(self.fixed):
            start = SHARE + GAP + i * self._band
            stops += [[start, colour], [start + self._band, colour]]
        stops[-1][0] = 1.0  # exactly 1 despite rounding
        return stops

    def code(self, x: float, scale_max: float) -> float:
        """The number of x's colour on the diverging scale (the alarm colour if not finite)."""
        t = palette.diverging_position(x, scale_max)
        return self.fixed_code(palette.NONFINITE) if t is None else round(SHARE * t, 4)

    def fixed_code(self, colour: str) -> float:
        """The number of a fixed colour: the middle of its band."""
        return round(SHARE + GAP + (self.fixed.index(colour) + 0.5) * self._band, 4)

    def colour(self, code: float) -> str:
        """The colour a number stands for (the inverse of code and fixed_code)."""
        if code <= SHARE:
            return palette.diverging(2 * code / SHARE - 1, 1.0, self.scale)
        return self.fixed[min(int((code - SHARE - GAP) / self._band), len(self.fixed) - 1)]
