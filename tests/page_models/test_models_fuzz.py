"""Crash-freedom of the page models: any link's params (junk, edge values, allowed values) give
what the page shows or a PlaygroundError with a message for the page, never another exception.

The Expression Graph's whole pipeline has its own fuzz test (test_expression_graph_fuzz.py); the
engine's programs theirs (tests/engine/test_fuzz_programs.py)."""

from __future__ import annotations

from collections.abc import Mapping

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from engine.errors import PlaygroundError
from page_models import network_builder, optimizer_lab
from page_models.building_blocks import SECTIONS
from page_models.live import Playback
from page_models.url import Param, encode, parse_query

JUNK = st.sampled_from(["", "nan", "inf", "-inf", "-0", "0", "1e308", "-1e308", "5e-324",
                        "1,2,,x", "9" * 400, "\x00", "a b", "[1, 2]", "2-8-8-2:relu:0.5"])


def param_text(param: Param) -> st.SearchStrategy[str]:
    """Text a link may carry for `param`: junk, any text, or an allowed value, encoded."""
    allowed = [st.just(encode(param.default))]
    if param.choices:
        allowed.append(st.sampled_from([encode(c) for c in param.choices]))
    elif isinstance(param.default, bool):
        allowed.append(st.sampled_from(["0", "1"]))
    elif isinstance(param.default, int):
        lo, hi = int(param.lo if param.lo is not None else -10), int(param.hi or 10_000)
        allowed.append(st.integers(lo, hi).map(str))
    elif isinstance(param.default, float):
        lo, hi = param.lo if param.lo is not None else -1e6, param.hi or 1e6
        allowed.append(st.floats(lo, hi).map(repr))
    return st.one_of(JUNK, st.text(max_size=20), *allowed)


def links(params: Mapping[str, Param]) -> st.SearchStrategy[dict]:
    return st.fixed_dictionaries({name: param_text(p) for name, p in params.items()})


@settings(max_examples=40)
@given(links(network_builder.PARAMS))
def test_network_builder_builds_and_trains_or_says_why(query):
    values = parse_query(network_builder.PARAMS, query)
    try:
        setup = network_builder.build(values)
        frames = Playback(setup).frames(3)
    except PlaygroundError as err:
        assert str(err)
        return
    assert frames and frames[0].epoch == 0


@settings(max_examples=60)
@given(links(optimizer_lab.PARAMS))
def test_optimizer_lab_sets_up_both_views_or_says_why(query):
    values = parse_query(optimizer_lab.PARAMS, query)
    for view in (optimizer_lab.train_setup, optimizer_lab.surface_setup):
        try:
            setup = view(values)
        except PlaygroundError as err:
            assert str(err)
            continue
        if view is optimizer_lab.surface_setup:
            assert len(optimizer_lab.descend_all(setup)) == len(setup.optimizers)


@pytest.mark.parametrize("key", list(SECTIONS))
def test_every_building_blocks_section_computes_or_says_why(key):
    section = SECTIONS[key]

    @settings(max_examples=15 if section.shared else 40)
    @given(links(section.params))
    def run(query):
        try:
            section.compute(parse_query(section.params, query))
        except PlaygroundError as err:
            assert str(err)

    run()
