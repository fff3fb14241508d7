"""Runs shared by every session of a server: a live run is a pure function of its settings, so
sessions with the same settings (a class on the teacher's link) use one run, trained once; its
frames are made for whichever viewer is ahead and read by the others.

    RUNS = SharedRuns(max_runs=64, max_bytes=256 << 20, size=lambda feed: feed.nbytes)
    with RUNS.use(key, make_feed, session_id) as feed:   # the run's own lock is held
        frames = feed.frames(first, last)

Bounded: at most `max_runs` runs and `max_bytes` of their `size` together. Each session watches
one run, the last it used (a page plays one run at a time); a run nobody watches any more goes
first, then the least recently used. So one session trying settings after settings holds one
run, and cannot push out the run a class is watching. Nothing trains in the background: a run
trains only when a viewer asks for frames it does not have yet, so a run nobody plays stops.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Generic, TypeVar

__all__ = ["SharedRuns"]

T = TypeVar("T")
MAX_SESSIONS = 4096  # sessions remembered as watchers (the oldest are forgotten first)


@dataclass
class _Run(Generic[T]):
    lock: threading.Lock = field(default_factory=threading.Lock)
    value: T | None = None
    nbytes: int = 0


class SharedRuns(Generic[T]):
    """A bounded, thread-safe table of runs by key (see the module doc)."""

    def __init__(self, max_runs: int, max_bytes: int, size: Callable[[T], int]):
        self.max_runs, self.max_bytes, self._size = max_runs, max_bytes, size
        self._lock = threading.Lock()  # guards the table; a run's own lock guards the run
        self._runs: OrderedDict[Hashable, _Run[T]] = OrderedDict()  # least recently used first
        self._watching: dict[Hashable, Hashable] = {}  # session -> the key of its run

    @contextmanager
    def use(self, key: Hashable, make: Callable[[], T], session: Hashable) -> Iterator[T]:
        """The run `key` (made by `make()` if the table has none), locked while the block runs:
        sessions that ask together wait for the one that trains."""
        with self._lock:
            run = self._runs.get(key)
            if run is None:
                run = self._runs[key] = _Run()
            self._runs.move_to_end(key)
            self._watching.pop(session, None)  # the most recent at the end
            self._watching[session] = key
            while len(self._watching) > MAX_SESSIONS:
                del self._watching[next(iter(self._watching))]
        with run.lock:
            if run.value is None:
                run.value = make()
            yield run.value
            nbytes = self._size(run.value)
        with self._lock:
            run.nbytes = nbytes
            self._evict(keep=key)

    def __len__(self) -> int:
        return len(self._runs)

    def __contains__(self, key: Hashable) -> bool:
        return key in self._runs

    @property
    def nbytes(self) -> int:
        return sum(run.nbytes for run in self._runs.values())

    def _evict(self, keep: Hashable) -> None:
        """Drop runs until both bounds hold: unwatched runs first, then the least recently used;
        never `keep` (the run just used)."""
        while len(self._runs) > self.max_runs or self.nbytes > self.max_bytes:
            watched = set(self._watching.values())
            others = [key for key in self._runs if key != keep]
            if not others:
                return
            victim = next((key for key in others if key not in watched), others[0])
            del self._runs[victim]
        live = set(self._runs)
        self._watching = {s: k for s, k in self._watching.items() if k in live}
