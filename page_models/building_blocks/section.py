"""One Building Blocks section: its URL key, title, state table and what it computes."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from page_models.limits import MAX_DRAWS
from page_models.url import Param

SEED_MAX = 9999
SAMPLE_SIZES = (1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000, 10_000, 20_000, 50_000,
                MAX_DRAWS)


def seed_param() -> Param:
    return Param(0, lo=0, hi=SEED_MAX)


@dataclass(frozen=True)
class Section:
    """`compute(values)` takes the current values of `params` (by name) and returns what the
    section shows; a bad value raises a PlaygroundError with a message for the page."""

    key: str  # ?section=<key>
    title: str
    params: Mapping[str, Param]
    compute: Callable[[Mapping[str, Any]], Any]
    shared: bool = False  # worth computing once for every visitor with the same settings
    # (slow, or timed live): the page caches its result, bounded in size and age
