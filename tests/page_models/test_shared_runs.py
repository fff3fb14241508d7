"""page_models.shared_runs: sessions with the same settings share one run, trained once; the
table stays within its bounds, and what a class watches outlives one session's experiments."""

import threading
import time

from page_models.shared_runs import SharedRuns


class Feed:
    """A stand-in for a live run: counts the epochs it trained; each frame is 10 bytes."""

    trained = 0

    def __init__(self):
        self.made: list[str] = []

    def frames(self, last: int) -> list[str]:
        while len(self.made) <= last:
            time.sleep(0.001)
            Feed.trained += 1
            self.made.append(f"{len(self.made):010d}")
        return self.made[:last + 1]


def table(max_runs=8, max_bytes=10_000):
    return SharedRuns(max_runs, max_bytes, size=lambda feed: 10 * len(feed.made))


def test_sessions_with_the_same_settings_share_one_run_trained_once():
    runs, made = table(), []

    def make():
        made.append(1)
        return Feed()

    Feed.trained = 0
    with runs.use("moons", make, "ann") as feed:
        first = feed.frames(20)
    with runs.use("moons", make, "bob") as feed:
        second = feed.frames(30)
    assert len(made) == 1 and Feed.trained == 31
    assert second[:21] == first


def test_a_class_asking_at_once_waits_for_one_training():
    runs, made = table(), []
    Feed.trained = 0
    seen = []

    def make():
        made.append(1)
        return Feed()

    def student(name):
        with runs.use("moons", make, name) as feed:
            seen.append(feed.frames(50))

    threads = [threading.Thread(target=student, args=(f"s{i}",)) for i in range(12)]
    [t.start() for t in threads]
    [t.join() for t in threads]
    assert len(made) == 1 and Feed.trained == 51
    assert all(frames == seen[0] for frames in seen)


def test_the_table_keeps_at_most_max_runs_dropping_the_least_recently_used():
    runs = table(max_runs=2)
    for i, key in enumerate(["a", "b", "c"]):
        with runs.use(key, Feed, f"session {i}"):
            pass
    assert len(runs) == 2 and "a" not in runs and "b" in runs and "c" in runs


def test_the_table_keeps_at_most_max_bytes_but_never_drops_the_run_in_use():
    runs = table(max_bytes=500)
    with runs.use("a", Feed, "ann") as feed:
        feed.frames(29)  # 300 bytes
    with runs.use("b", Feed, "bob") as feed:
        feed.frames(29)  # 600 together: "a" goes
    assert "a" not in runs and "b" in runs and runs.nbytes == 300
    with runs.use("b", Feed, "bob") as feed:
        feed.frames(99)  # 1000 bytes alone: it stays, being used
    assert "b" in runs and runs.nbytes == 1000


def test_one_session_trying_settings_cannot_push_out_the_run_a_class_watches():
    runs = table(max_runs=3)
    for student in range(5):
        with runs.use("teacher's link", Feed, f"student {student}"):
            pass
    for attempt in range(10):  # one curious student, setting after setting
        with runs.use(f"try {attempt}", Feed, "curious"):
            pass
    assert "teacher's link" in runs and "try 9" in runs and len(runs) == 3


def test_a_run_nobody_watches_any_more_goes_before_older_watched_ones():
    runs = table(max_runs=2)
    with runs.use("old", Feed, "ann"):
        pass
    with runs.use("left", Feed, "bob"):
        pass
    with runs.use("new", Feed, "bob"):  # bob moved on: nobody watches "left"
        pass
    assert "old" in runs and "new" in runs and "left" not in runs
