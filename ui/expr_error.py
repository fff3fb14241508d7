"""Show an expression error with a caret under the column where it happened."""

from __future__ import annotations

import streamlit as st

from engine import ExprError


def caret_lines(source: str, line: int, column: int) -> str:
    """The offending line of `source` with a ^ under `column` (both 1-based)."""
    lines = source.splitlines() or [""]
    text = lines[min(max(line, 1), len(lines)) - 1]
    return f"{text}\n{' ' * max(column - 1, 0)}^"


def show_expr_error(err: ExprError, source: str, where: str = "") -> None:
    """The message, then the offending line of `source` in monospace with a caret under it."""
    place = f"{where}, line" if where else "Line"
    message = err.message
    if where and message.lower().startswith(f"{where.lower()}: "):
        message = message[len(where) + 2 :]  # said once is enough
    st.error(f"{place} {err.line}, column {err.column}: {message}", icon=":material/error:")
    st.code(caret_lines(source, err.line, err.column), language=None)
