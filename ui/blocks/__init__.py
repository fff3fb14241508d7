"""The Building Blocks page's recipes: one function per section (its widgets, chart, formula
and sentences), registered by the section's URL key. Each recipe reads its widgets, calls its
page model (page_models.building_blocks) and its figure builder (viz/blocks_*.py)."""

from collections.abc import Callable

from page_models.building_blocks import Section
from ui.blocks import calculus, factorisation, linear_algebra, probability

RECIPES: dict[str, Callable[[Section], None]] = {
    "softmax": probability.softmax,
    "cross-entropy": probability.cross_entropy,
    "distributions": probability.distributions,
    "normalisation": probability.normalisation,
    "sampling-bias": probability.sampling_bias,
    "activations": calculus.activations,
    "derivatives": calculus.derivatives,
    "autodiff-cost": calculus.autodiff_cost,
    "vectorisation": calculus.vectorisation,
    "matmul": linear_algebra.matmul,
    "tensors": factorisation.tensors,
    "rank": linear_algebra.rank,
    "regression": linear_algebra.regression,
    "quadratic-forms": linear_algebra.quadratic_forms,
    "factorisation": factorisation.factorisation,
    "conditioning": linear_algebra.conditioning,
}
