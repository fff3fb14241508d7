"""The Building Blocks page's model: one registry of sections, each with its URL key, title,
state (a table of url.Param) and the function that computes what it shows.

Adding a section: one `Section` in a module here, listed in SECTIONS; its figure in
viz/blocks_*.py; its recipe in ui/blocks/, registered in ui.blocks.RECIPES
(docs/ARCHITECTURE.md, "Adding a Building Blocks section").
"""

from page_models.building_blocks.calculus import (
    ACTIVATIONS_SECTION,
    AUTODIFF_COST,
    DERIVATIVES,
    VECTORISATION,
)
from page_models.building_blocks.factorisation import FACTORISATION, TENSORS
from page_models.building_blocks.linear_algebra import (
    CONDITIONING,
    MATMUL,
    QUADRATIC_FORMS,
    RANK,
    REGRESSION,
)
from page_models.building_blocks.probability import (
    CROSS_ENTROPY,
    DISTRIBUTIONS,
    NORMALISATION,
    SAMPLING_BIAS,
    SOFTMAX,
)
from page_models.building_blocks.section import Section
from page_models.url import Param

SECTIONS: dict[str, Section] = {section.key: section for section in (
    SOFTMAX, CROSS_ENTROPY, DISTRIBUTIONS, NORMALISATION, SAMPLING_BIAS,
    ACTIVATIONS_SECTION, DERIVATIVES, AUTODIFF_COST, VECTORISATION,
    MATMUL, TENSORS, RANK, REGRESSION, QUADRATIC_FORMS, FACTORISATION, CONDITIONING,
)}

PARAMS: dict[str, Param] = {
    "section": Param("softmax", choices=tuple(SECTIONS)),
    "hide": Param(False),  # a lesson's question is open: the numbers it asks for are not shown
}
for _section in SECTIONS.values():
    PARAMS.update(_section.params)
