"""A page's state as a table of named, typed params, and its URL form in both directions.

Each page model declares its state as `Param`s (default and allowed values); `ui.state` binds
them to widgets and to the address bar. Anything unreadable or out of range in a URL falls back
to the default, so a hostile link cannot break a widget.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from engine.errors import PlaygroundError


@dataclass(frozen=True)
class Param:
    """One piece of page state: its default, and optionally its range or its choices.

    The default's type is the param's type: str, bool, int, float, or a tuple of ints/floats.
    """

    default: Any
    lo: float | None = None
    hi: float | None = None
    choices: Sequence[Any] | None = None
    max_len: int = 4000  # strings and tuples longer than this fall back to the default
    check: Callable[[Any], object] | None = None  # raises PlaygroundError for a value it rejects

    def parse(self, text: str) -> Any:
        """The value `text` stands for, or the default if it is unreadable or not allowed."""
        try:
            value = _decode(text, self.default)
        except (ValueError, TypeError):
            return self.default
        return value if self.allows(value) else self.default

    def allows(self, value: Any) -> bool:
        """In range, one of the choices, not too long, and passes `check` (e.g. a network's or an
        optimizer list's text that can be read)."""
        if self.refusal(value) is not None:
            return False
        if self.choices is not None:
            return value in self.choices
        if isinstance(value, str | tuple) and len(value) > self.max_len:
            return False
        items = value if isinstance(value, tuple) else (value,)
        for item in items:
            if isinstance(item, bool) or not isinstance(item, int | float):
                continue
            if item != item or (self.lo is not None and item < self.lo):
                return False
            if self.hi is not None and item > self.hi:
                return False
        return True

    def refusal(self, value: Any) -> str | None:
        """Why `check` rejects `value` (its PlaygroundError's message), or None."""
        try:
            if self.check is not None:
                self.check(value)
        except PlaygroundError as err:
            return str(err)
        return None


def _decode(text: str, default: Any) -> Any:
    if isinstance(default, bool):
        if text not in ("0", "1", "true", "false"):
            raise ValueError(text)
        return text in ("1", "true")
    if isinstance(default, int):
        return int(text)
    if isinstance(default, float):
        return float(text)
    if isinstance(default, tuple):
        kind = type(default[0]) if default else int
        return tuple(kind(part) for part in text.split(",") if part.strip()) if text else ()
    return text


def encode(value: Any) -> str:
    """The URL text of a value (the inverse of Param.parse)."""
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, tuple | list):
        return ",".join(encode(v) for v in value)
    if isinstance(value, float):
        return repr(value)
    return str(value)


SHARED_PARAMS = {"present": Param(False)}
"""Params every page carries, bound and published with the page's own: present=1 is presenter
mode (larger type, controls folded away) on any page."""


def parse_query(params: Mapping[str, Param], query: Mapping[str, str]) -> dict[str, Any]:
    """Every param's value from a query (a URL's params): its text parsed, else its default."""
    return {name: param.default if query.get(name) is None else param.parse(query[name])
            for name, param in params.items()}


def to_query(params: Mapping[str, Param], values: Mapping[str, Any]) -> dict[str, str]:
    """The query (as a dict) of `values`, defaults left out."""
    return {name: encode(values[name]) for name, param in params.items()
            if name in values and values[name] != param.default}


def over_cap(params: Mapping[str, Param], query: Mapping[str, str]) -> list[str]:
    """"epochs=5000 (at most 500)" for each query value (or list entry) above its param's cap."""
    over = []
    for name, param in params.items():
        text, cap = query.get(name), _cap(param)
        if cap is None or text is None:
            continue
        try:
            numbers = [float(part) for part in text.split(",") if part.strip()]
        except ValueError:
            continue
        if any(number > cap for number in numbers):
            over.append(f"{name}={text[:12]} (at most {cap:g})")
    return over


def rejected(params: Mapping[str, Param], query: Mapping[str, str]) -> list[str]:
    """Why each query value that its param's `check` rejects fell back to the default, e.g.
    "net: Cannot read the network …"."""
    reasons = []
    for name, param in params.items():
        if param.check is None or (text := query.get(name)) is None:
            continue
        try:
            reason = param.refusal(_decode(text, param.default))
        except (ValueError, TypeError):
            continue  # unreadable as its type: over_cap's or parse's business
        if reason is not None:
            reasons.append(f"{name}: {reason}")
    return reasons


def _cap(param: Param) -> float | None:
    """The largest value a param allows: its `hi`, or its largest choice if they are numbers."""
    if param.hi is not None:
        return param.hi
    numbers = [c for c in param.choices or () if isinstance(c, int | float)
               and not isinstance(c, bool)]
    return max(numbers) if numbers and len(numbers) == len(param.choices) else None
