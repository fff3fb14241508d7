"""Crash-freedom of the expression pipeline: generated programs and inputs (tests/strategies.py)
go through parse -> build -> backward -> gradcheck, and the only exceptions allowed are the
project's own user errors (PlaygroundError). Warnings are errors here: none may escape."""

import warnings

import numpy as np
from hypothesis import event, given, settings

from engine import PlaygroundError, gradcheck, topological_order
from engine.expr import build, parse
from tests.strategies import inputs, programs

GRADCHECK_WORK = 20_000  # parameter elements × graph elements: keeps one example fast


def run_pipeline(source, values) -> str:
    """What the Expression Graph page does with a program; returns how far it got."""
    built = build(parse(source), values)
    out = built.output
    assert out.data.dtype == np.float64
    if out.size == 1:
        assert isinstance(out.item(), float)
    if not out.requires_grad:
        return "built, no parameter reached"
    out.backward(np.ones(out.shape))
    for t in built.inputs.values():
        assert t.grad is None or t.grad.shape == t.shape
    parameters = built.parameters
    elements = sum(t.size for t in topological_order(out))
    if sum(p.size for p in parameters) * elements > GRADCHECK_WORK:
        return "backward"
    report = gradcheck(built.evaluate, parameters)
    assert [c.analytic.shape for c in report.inputs] == [p.shape for p in parameters]
    return "gradcheck"


@settings(max_examples=250)
@given(source=programs(), values=inputs())
def test_programs_raise_only_playground_errors(source, values):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        try:
            event(run_pipeline(source, values))
        except PlaygroundError as err:
            event(f"{type(err).__name__}")
