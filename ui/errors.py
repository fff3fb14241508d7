"""Show errors a user caused (engine.errors.PlaygroundError) as a plain message.

Community Cloud hides exception details from visitors, so the app says what went wrong itself.
Anything that is not a PlaygroundError is a bug: it propagates, so Streamlit shows it (and the
tests, which look for exception elements, catch it).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import streamlit as st

from engine.errors import PlaygroundError


def show_user_error(exc: PlaygroundError) -> None:
    st.error(str(exc), icon=":material/error:")


@contextmanager
def user_errors(stop: bool = True) -> Iterator[None]:
    """Run a block; on a PlaygroundError show its message, then stop the script (or go on).

        with user_errors():
            graph = engine.parse(src)
    """
    try:
        yield
    except PlaygroundError as exc:
        show_user_error(exc)
        if stop:
            st.stop()
