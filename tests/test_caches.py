"""Every cache in the app is bounded, so a public server's memory stays bounded under any traffic.

A cache decorated with st.cache_data / st.cache_resource is shared by every session of the
server; a teacher's link opened by 40 students computes once. Each needs `max_entries` (or
`max_size`, in bytes): `ttl` alone is no bound, since within the ttl every distinct argument
adds an entry, and expired entries leave only when the function is next called. functools'
lru_cache(maxsize=None) and cache are unbounded too.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[1]
STREAMLIT_CACHES = {"cache_data", "cache_resource"}
BOUNDS = {"max_entries", "max_size"}


def python_files(root: Path = REPO_ROOT) -> list[Path]:
    """The repo's own Python files (hidden folders such as .venv left out)."""
    return sorted(p for p in root.rglob("*.py")
                  if not any(part.startswith(".") for part in p.relative_to(root).parts))


def _name(node: ast.expr) -> str:
    """'cache_data' for st.cache_data, cache_data, streamlit.cache_data; '' otherwise."""
    if isinstance(node, ast.Attribute):
        return node.attr
    return node.id if isinstance(node, ast.Name) else ""


def unbounded_caches(source: str, filename: str = "<source>") -> list[str]:
    """'file:line function (decorator)' for each cache decorator without a bound."""
    found = []
    for node in ast.walk(ast.parse(source, filename)):
        if not isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            continue
        for decorator in node.decorator_list:
            call = decorator if isinstance(decorator, ast.Call) else None
            name = _name(call.func if call else decorator)
            keywords = {k.arg: k.value for k in call.keywords} if call else {}
            if name in STREAMLIT_CACHES:
                bounded = any(k in keywords and not _is_none(keywords[k]) for k in BOUNDS)
            elif name == "lru_cache":  # maxsize=128 unless given
                given = call.args[:1] + [keywords.get("maxsize")] if call else []
                bounded = not any(_is_none(size) for size in given if size is not None)
            elif name == "cache":
                bounded = False
            else:
                continue
            if not bounded:
                where = f"{filename}:{decorator.lineno}"
                found.append(f"{where} {node.name} (@{ast.unparse(decorator)})")
    return found


def _is_none(node: ast.expr | None) -> bool:
    return isinstance(node, ast.Constant) and node.value is None


@pytest.mark.parametrize(
    "decorator, bounded",
    [
        ("@st.cache_data", False),
        ("@st.cache_data(show_spinner=False)", False),
        ("@st.cache_data(ttl=3600)", False),
        ("@st.cache_data(max_entries=None)", False),
        ("@st.cache_resource", False),
        ("@cache_data(persist=True)", False),
        ("@functools.cache", False),
        ("@lru_cache(maxsize=None)", False),
        ("@lru_cache(None)", False),
        ("@st.cache_data(max_entries=32, show_spinner=False)", True),
        ("@st.cache_data(ttl=600, max_entries=8)", True),
        ("@st.cache_resource(max_size='50MB')", True),
        ("@functools.lru_cache", True),
        ("@lru_cache(maxsize=64)", True),
        ("@lru_cache(16)", True),
        ("@staticmethod", True),
    ],
)
def test_the_check_tells_bounded_caches_from_unbounded(decorator, bounded):
    source = f"{decorator}\ndef f(x):\n    return x\n"
    assert (unbounded_caches(source) == []) is bounded


def test_the_scan_covers_the_pages_and_skips_hidden_folders():
    files = {p.relative_to(REPO_ROOT).as_posix() for p in python_files()}
    assert "app.py" in files and "ui/process.py" in files
    assert any(f.startswith("pages/") for f in files)
    assert not any(part.startswith(".") for f in files for part in f.split("/"))


def test_every_cache_in_the_repo_is_bounded():
    found = [hit for path in python_files()
             for hit in unbounded_caches(path.read_text(), path.relative_to(REPO_ROOT).as_posix())]
    assert not found, "caches without max_entries (or max_size):\n" + "\n".join(found)
