"""What lessons know of the pages they show: each page's URL params, its URL path, and how to read
the Expression Graph's inputs from a query.

`page_params(path)` is the one accessor lessons read a page's params through. Today every page
declares its state as a literal `PARAMS = {"name": Param(...), ...}` in its own file, so the
names are read from that dict's keys (parsed with ast, never run). When a page's Param table moves
to page_models/<page>.py, map its path to that table in PARAM_TABLES instead.
"""

from __future__ import annotations

import ast
import json
import re
from collections.abc import Mapping
from functools import cache
from pathlib import Path

from engine.expr import InputSpec
from page_models import optimizer_lab

__all__ = ["PARAM_TABLES", "expression_inputs", "page_params", "page_url_path"]

REPO_ROOT = Path(__file__).resolve().parent.parent
EXPRESSION_GRAPH = "pages/1_Expression_Graph.py"
NETWORK_BUILDER = "pages/2_Network_Builder.py"
OPTIMIZER_LAB = "pages/3_Optimizer_Lab.py"
BUILDING_BLOCKS = "pages/4_Building_Blocks.py"
PARAM_TABLES: dict[str, Mapping] = {OPTIMIZER_LAB: optimizer_lab.PARAMS}
"""Page path -> its Param table, for pages whose table lives in page_models."""


@cache
def _declared_in_file(path: str) -> frozenset[str]:
    """The keys of the page file's top-level `PARAMS = {...}` literal (empty if it has none)."""
    file = REPO_ROOT / path
    if not file.is_file():
        return frozenset()
    for node in ast.parse(file.read_text(encoding="utf-8")).body:
        if (isinstance(node, ast.Assign) and isinstance(node.value, ast.Dict)
                and any(isinstance(t, ast.Name) and t.id == "PARAMS" for t in node.targets)):
            return frozenset(k.value for k in node.value.keys
                             if isinstance(k, ast.Constant) and isinstance(k.value, str))
    return frozenset()


def page_params(path: str) -> frozenset[str]:
    """The names of the URL params page `path` declares (empty for an unknown page)."""
    if path in PARAM_TABLES:
        return frozenset(PARAM_TABLES[path])
    return _declared_in_file(path)


def page_url_path(path: str) -> str:
    """The page's address below the app's root, as Streamlit names it: "Expression_Graph"."""
    return re.sub(r"^[0-9]+[_ -]*", "", Path(path).stem)


def expression_inputs(query: Mapping[str, str]) -> dict[str, InputSpec]:
    """The Expression Graph's inputs from its `vals` param: JSON [[name, value, is parameter],
    ...]; rows that are not of that form are left out (as the page does)."""
    try:
        rows = json.loads(query.get("vals", "[]"))
    except ValueError:
        return {}
    if not isinstance(rows, list):
        return {}
    return {row[0]: InputSpec(row[1], row[2]) for row in rows
            if isinstance(row, list) and len(row) == 3 and isinstance(row[0], str)
            and isinstance(row[1], str) and isinstance(row[2], bool)}
