"""The live player: a browser component (custom component v2, canvas drawing) on the player core
(viz.player_core) that plays recorded training frames at a steady rate, with Play, Pause, Step,
first step, speed and the page keys (Space, ← →, Home; ? shows them) acting in the browser at
once. Its step, the epoch, goes to the address bar as `url_param` and to "Add this view to my
lesson" (ui.lesson_draft).

The server answers requests: the browser asks for frames {from, to} (a trigger) while its buffer
plays, and reports the epoch it paused at (a state, None while playing). A page reads both before
drawing the player (`shared_frames`, `paused_at`) and passes the frames asked for.

Shared runs: a run is a pure function of its settings (network_builder.run_key), so every
session with the same settings reads one run from RUNS (page_models.shared_runs): trained once,
by whichever viewer is ahead, its frames kept as JSON text (viz.live_charts.PlayerFeed) for the
others. A class of 30 on the teacher's link costs the server one training run.

The graph of one point: with `point` (a data point's index) each response also holds that
point's values and gradients for the epochs asked for (`points`, viz.network_graph.live_frames),
and the player's JS hands the one of the epoch it shows to the graph player mounted as
`graph_key` (its "bp-graph-live" event): no request of its own. The frames stay shared by run;
each run keeps the point feeds its viewers watch (a few: MAX_POINTS, the least recently asked
for go first), so a class watching point 7 replays the run for point 7 once.

Data (viz.live_charts builds `setup` and `frames`):
    run    an id; a new id resets the player (new settings, new run)
    start  the epoch to open paused at (a link's epoch=N)
    setup  what stays the same during the run; frames: the frames sent this time, each as JSON
           text
    end    {"epoch": last epoch, "reason": text} once the run has ended, else None
    points the point's live frames sent this time (JSON text each), [] without a point
    graph  {"key": the graph player's key, "point": its id} of the point graph shown, or None
    present presenter mode: the charts' text, lines and margins and the controls drawn larger
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Hashable
from dataclasses import dataclass, field
from pathlib import Path

import streamlit as st
from streamlit.runtime.scriptrunner import get_script_run_ctx

from page_models.live import Playback
from page_models.network_builder import Setup
from page_models.point_graph import PointPlayback
from page_models.shared_runs import SharedRuns
from viz.live_charts import PlayerFeed, player_setup
from viz.network_graph import live_frames
from viz.player_core import player_code

__all__ = ["RUNS", "Served", "live_player", "paused_at", "requested", "requested_point",
           "shared_frames"]

_STATIC = Path(__file__).parent / "static"
_SENT = "_live_player_sent"
_JS, _CSS = player_code(_STATIC / "live_player.js", _STATIC / "live_player.css")
_player = st.components.v2.component("live_player", css=_CSS, js=_JS)
MAX_POINTS = 8  # point feeds kept per run


@dataclass(frozen=True)
class LiveRun:
    """One shared run: its frames, made on demand, the player's setup (the same for the
    whole run) and the feeds of the points its viewers watch."""

    feed: PlayerFeed
    setup: dict
    source: Setup
    points: OrderedDict[int, PlayerFeed] = field(default_factory=OrderedDict)

    @classmethod
    def of(cls, setup: Setup) -> LiveRun:
        run = cls(PlayerFeed(Playback(setup)), player_setup(setup), setup)
        run.feed.playback.watchers.append(run._follow)
        return run

    def _follow(self, model, epoch: int) -> None:
        """The run made `epoch`'s network: the point feeds in step with it take their frame."""
        for feed in self.points.values():
            if (frame := feed.playback.follow(model, epoch)) is not None:
                feed.add([frame])

    def point_feed(self, index: int) -> PlayerFeed:
        """The feed of point `index` (made if new; the least recently used beyond MAX_POINTS
        go). A new feed replays the run up to the frames the run has made, then follows the
        run (PointPlayback.follow): it is asked for no frame the run has not made."""
        if index not in self.points:
            self.points[index] = PlayerFeed(PointPlayback(self.source, index), live_frames)
        self.points.move_to_end(index)
        while len(self.points) > MAX_POINTS:
            self.points.popitem(last=False)
        return self.points[index]

    @property
    def nbytes(self) -> int:  # the frames' JSON text (ASCII)
        return sum(sum(map(len, feed.made)) for feed in [self.feed, *self.points.values()])


# A frame is ~2.8 kB of JSON for the default network, ~9.4 kB for 6×128 (measured), so a whole
# run of 500 epochs holds 1.4-4.7 MB. A class on one link holds one run; every student on other
# settings one more.
RUNS: SharedRuns[LiveRun] = SharedRuns(max_runs=64, max_bytes=256 << 20,
                                       size=lambda run: run.nbytes)


@dataclass(frozen=True)
class Served:
    """What one run of the page sends the player: the run's setup, the frames asked for, the
    run's end (or None) and the point's live frames asked for."""

    setup: dict
    frames: list[str]
    end: dict | None
    points: list[str]


def shared_frames(key: str, config: Hashable, setup: Setup, budget_s: float,
                  point: int | None = None) -> Served:
    """For the player `key` of the run `config` (a plain-values key naming `setup`'s run): the
    player's setup, the frames the browser asked for (PlayerFeed.frames, with its `budget_s`),
    the run's end and, with a `point`, that point's live frames asked for, from the run every
    session with these settings shares."""
    asked = requested(key)
    context = get_script_run_ctx()
    session = context.session_id if context else ""
    with RUNS.use(config, lambda: LiveRun.of(setup), session) as run:
        follower = None if point is None else run.point_feed(point)  # before the run trains
        frames = run.feed.frames(*asked, budget_s=budget_s) if asked else []
        points = []
        if follower is not None and (first := requested_point(key)) is not None and asked:
            made = len(run.feed.made)  # a point feed stays within the run's frames
            points = follower.frames(first, min(asked[1], made - 1), budget_s=budget_s)
        return Served(run.setup, frames, run.feed.end, points)


def _values(key: str) -> dict:
    value = st.session_state.get(key)
    return dict(value) if value else {}


def requested(key: str) -> tuple[int, int] | None:
    """The epochs (first, last) whose frames the browser asked for in this run, if it did
    (first = last + 1: none, it asks only for a point's, `requested_point`)."""
    need = _values(key).get("need")
    if not isinstance(need, dict):
        return None
    try:
        first, last = int(need["from"]), int(need["to"])
    except (KeyError, TypeError, ValueError):
        return None
    return (first, last) if 0 <= first <= last + 1 else None


def requested_point(key: str) -> int | None:
    """The first epoch whose point frame the browser asked for in this run, if it did."""
    need = _values(key).get("need")
    first = need.get("pointFrom") if isinstance(need, dict) else None
    return first if isinstance(first, int) and first >= 0 else None


def paused_at(key: str) -> int | None:
    """The epoch the browser paused at (None while it plays, or before it said)."""
    epoch = _values(key).get("paused_at")
    return epoch if isinstance(epoch, int) and epoch >= 0 else None


def _ignore() -> None:
    """Requests and pauses are read with `requested` and `paused_at` before the next draw."""


def live_player(key: str, *, run: str, start: int, served: Served, graph: dict | None = None,
                present: bool = False, url_param: str = "epoch") -> None:
    """Draw the player (see the module doc for the data).

    Every draw is numbered ("sent"), so no two messages are the same: Streamlit sends a repeated
    large message (this one holds the player's code) as a reference to the browser's cache, and
    after fragment runs the two caches disagree ("Cached ForwardMsg MISS", which ends the
    session; seen when a pause reran the page).
    """
    sent = st.session_state.get(_SENT, 0) + 1
    st.session_state[_SENT] = sent
    _player(key=key, data={"run": run, "start": start, "setup": served.setup,
                           "frames": served.frames, "end": served.end, "points": served.points,
                           "graph": graph, "present": present, "sent": sent,
                           "url_param": url_param},
            on_need_change=_ignore, on_paused_at_change=_ignore)
