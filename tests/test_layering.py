"""Keep the layers honest (docs/ARCHITECTURE.md): each layer imports only the layers below it.

    app.py, pages/  ->  ui/  ->  viz/  ->  page_models/  ->  engine/  (NumPy and the stdlib only)

and pages stay recipes: at most 200 lines, no NumPy; viz never runs the backward pass.
"""

import ast
import sys
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[1]
STDLIB = set(sys.stdlib_module_names)


def python_files(folder: str) -> list[Path]:
    return sorted((REPO_ROOT / folder).rglob("*.py"))


def imported_modules(path: Path, root: Path = REPO_ROOT) -> set[str]:
    """Top-level names of every module `path` imports (relative imports count as its own
    top-level package), including imports inside functions."""
    own_package = path.relative_to(root).parts[0]
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                names.add(own_package)
            elif node.module:
                names.add(node.module.split(".")[0])
    return names


def violations(folder: str, allowed=None, forbidden=frozenset()) -> list[str]:
    found = []
    for path in python_files(folder):
        for name in sorted(imported_modules(path)):
            bad = name in forbidden or (allowed is not None and name not in allowed)
            if bad:
                found.append(f"{path.relative_to(REPO_ROOT)} imports {name}")
    return found


def test_the_engine_exists():
    # So the checks below are never vacuous for the engine.
    assert python_files("engine"), "engine/ has no Python files"


def test_engine_imports_only_numpy_and_the_standard_library():
    allowed = STDLIB | {"numpy", "engine"}
    assert violations("engine", allowed=allowed) == []


def test_page_models_import_no_streamlit_figures_ui_or_pages():
    forbidden = {"streamlit", "plotly", "networkx", "viz", "ui", "pages", "app"}
    assert python_files("page_models")
    assert violations("page_models", forbidden=forbidden) == []


def page_model_imports(path: Path) -> set[str]:
    """The full names of the page_models modules `path` imports ("page_models.course.lesson";
    `from page_models import limits` gives "page_models.limits")."""
    names = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("page_models"):
            names.update([node.module, *(f"{node.module}.{a.name}" for a in node.names)])
        elif isinstance(node, ast.Import):
            names.update(a.name for a in node.names if a.name.startswith("page_models"))
    return names


def test_the_course_sits_on_top_of_the_other_page_models():
    """page_models/course/ reads the pages' models; no other page model reads the course."""
    assert python_files("page_models/course")
    found = [f"{path.relative_to(REPO_ROOT)} imports {name}"
             for path in python_files("page_models") if "course" not in path.parts
             for name in sorted(page_model_imports(path))
             if name == "page_models.course" or name.startswith("page_models.course.")]
    assert found == []


def test_viz_imports_no_streamlit_ui_or_pages():
    assert violations("viz", forbidden={"streamlit", "ui", "pages", "app"}) == []


def test_viz_never_runs_the_backward_pass():
    assert [p.name for p in python_files("viz") if ".backward(" in p.read_text("utf-8")] == []


PAGE_FILES = [REPO_ROOT / "app.py", *python_files("pages")]


@pytest.mark.parametrize("path", PAGE_FILES, ids=lambda p: p.name)
def test_a_page_is_a_recipe_of_at_most_200_lines(path):
    lines = path.read_text("utf-8").count("\n")
    assert lines <= 200, f"{path.name} has {lines} lines"


@pytest.mark.parametrize("path", PAGE_FILES, ids=lambda p: p.name)
def test_a_page_does_no_numpy_arithmetic(path):
    assert "numpy" not in imported_modules(path)


@pytest.mark.parametrize("path", [*PAGE_FILES, *python_files("ui/blocks")], ids=lambda p: p.name)
def test_a_page_draws_plotly_charts_through_ui_charts(path):
    """ui.charts.chart scales a chart for presenter mode; st.plotly_chart would not."""
    assert ".plotly_chart(" not in path.read_text("utf-8")


def test_ui_imports_no_pages():
    assert violations("ui", forbidden={"pages", "app"}) == []


@pytest.mark.parametrize(
    "source, expected",
    [
        ("import numpy as np\nimport os.path", {"numpy", "os"}),
        ("from engine.tensor import Tensor", {"engine"}),
        ("from . import ops", {"engine"}),
        ("def f():\n    import streamlit as st", {"streamlit"}),
    ],
)
def test_the_import_scanner(tmp_path, source, expected):
    path = tmp_path / "engine" / "x.py"
    path.parent.mkdir()
    path.write_text(source)
    assert imported_modules(path, root=tmp_path) == expected
