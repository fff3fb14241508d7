"""What lessons know of the pages they show: each page's URL params (its page model's PARAMS
table), its URL path, and how to read the Expression Graph's inputs from a query."""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path

from engine.expr import InputSpec
from page_models import building_blocks, expression_graph, network_builder, optimizer_lab

__all__ = ["PARAM_TABLES", "expression_inputs", "page_params", "page_url_path"]

EXPRESSION_GRAPH = "pages/1_Expression_Graph.py"
NETWORK_BUILDER = "pages/2_Network_Builder.py"
OPTIMIZER_LAB = "pages/3_Optimizer_Lab.py"
BUILDING_BLOCKS = "pages/4_Building_Blocks.py"
PARAM_TABLES: dict[str, Mapping] = {
    EXPRESSION_GRAPH: expression_graph.PARAMS,
    NETWORK_BUILDER: network_builder.PARAMS,
    OPTIMIZER_LAB: optimizer_lab.PARAMS,
    BUILDING_BLOCKS: building_blocks.PARAMS,
}
"""Page path -> its Param table."""


def page_params(path: str) -> frozenset[str]:
    """The names of the URL params page `path` declares (empty for an unknown page)."""
    return frozenset(PARAM_TABLES.get(path, ()))


def page_url_path(path: str) -> str:
    """The page's address below the app's root, as Streamlit names it: "Expression_Graph"."""
    return re.sub(r"^[0-9]+[_ -]*", "", Path(path).stem)


def expression_inputs(query: Mapping[str, str]) -> dict[str, InputSpec]:
    """The Expression Graph's inputs from its `vals` param, read as the page reads them."""
    return expression_graph.decode_values(query.get("vals", "[]")) or {}
