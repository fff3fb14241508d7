"""Process-wide setup of the app's server, done once per process: `set_up_process()` imports
the app and warms up the libraries, and sets the allocator and the BLAS threads for processes
that train networks, and the size of the reads that serve Streamlit's frontend files.

Set up before the server starts. `python -m ui.process run app.py [streamlit options]` is
`streamlit run` with the set-up done first, before the server opens its port, so that the first
students of a fresh server do not pay for it (~1 CPU-s of imports; deploy/ starts the app this
way). Plain `streamlit run app.py` (Community Cloud) cannot: Streamlit 1.x runs nothing of an
app before its first session, and its one start-up hook (an `st.App` entrypoint's lifespan,
1.67) would make app.py an ASGI module instead of the home page; there the first session sets
the process up.

One importer. Streamlit runs each session's script in its own thread, and a cold deep link runs
only its page (never app.py), so a class opening one link on a fresh server makes many threads
do every first import at once. Python's import locks are per module, and a thread importing
`engine.data` holds its lock while it imports the package `engine`, whose `__init__` imports
`engine.data`: two threads that start at different modules of one package wait for each other.
Python breaks such a deadlock by handing one of them a half-initialised module, and that page
shows "cannot import name ... from partially initialized module" (benchmarks/classroom.py met
it in 2 of 6 sessions; three threads importing `engine`, `engine.data` and `engine.train_grid`
at once met it almost every time). So app.py and every page call `set_up_process()` before
their own imports: the first thread imports every module of the app (APP_PACKAGES) while the
others wait on a plain lock, holding no import lock.

BLAS threads. OpenBLAS runs a matrix product on as many threads as there are cores; with the
server's own threads and other processes on a small shared machine those threads wait for each
other: a 32×128 @ 128×128 product took 21-53 ms, and 0.03 ms on one thread. The Network
Builder's 6×128 network trained an epoch in 328 ms, and in 19 ms on one thread
(benchmarks/live_playback.py). single_threaded_blas() sets OpenBLAS to one thread.

Warm-up. Libraries that import lazily race too: Streamlit imports pandas only inside
st.dataframe, and plotly peeks at `sys.modules["pandas"]` without the import lock, so a figure
built meanwhile in another thread met a half-imported pandas ("partially initialized module
'pandas' has no attribute 'Series'"; benchmarks/classroom.py measured it in 4 of 20 sessions).
warm_up() does every such first import, and plotly's first figure, once, under a lock: threads
that arrive together wait for the one that warms up.

Then it freezes what exists (gc.freeze): the ~150,000 objects of the imported libraries move to
a permanent generation the garbage collector no longer walks. Streamlit collects after every
script run (runner.postScriptGC); that full collection fell from ~86 ms to ~2 ms of CPU per
run, measured after an Optimizer Lab run. The price: a cycle that was alive at the freeze and
dies later is never collected; at start-up that is a few sessions' objects at most.

Each training step frees a whole graph of ~100 kB arrays at once. By default glibc hands those
pages back to the system and the next step faults them in again (measured: ~260 page faults per
step of a 2→64→64→2 MLP on a batch of 256). reuse_freed_memory() asks glibc's malloc to keep
them: blocks below 4 MB come from the heap, and up to 32 MB of free heap is kept for reuse.
benchmarks/engine_step.py measured the engine's step 1.4-1.5× faster with it (hand-written NumPy
gains too).

Frontend files. Each new browser fetches ~140 of Streamlit's frontend files (~9.5 MB), the
same for every student. Starlette hands each file's look-up, open and reads to worker threads
(~1 ms of the server's CPU per file); larger_file_chunks() reads up to 1 MB at once, and
frontend_files_from_memory() keeps the first complete answer to each hashed bundle (static/...,
served "immutable") and replays it, with Streamlit's own headers, to every later browser.
Measured fetching Streamlit's 357 static files (25 MB) from the server (4 passes, a loaded
machine): 0.4-0.5 CPU-s per pass read from disk, 0.10-0.12 s replayed (the first pass, which
reads them, 0.55 s). It wraps the whole app Streamlit builds when its server starts, so that a
replayed file skips Streamlit's middleware and its router, which tries each of its routes in
turn (a fifth of the server's CPU for a class of 20 went there: `classroom.py --profile`); it
takes effect under `python -m ui.process run` (deploy/), not in a server already running.

It changes malloc for the whole process (every library in it), so the engine never calls it:
the benchmarks and the app's pages do. Both values lie within the range glibc's
own dynamic thresholds reach (it raises them up to 32 MB / 64 MB as large blocks are freed); the
cost is at most a few MB of freed memory kept by the process. Calling it again is harmless.
"""

from __future__ import annotations

import asyncio
import ctypes
import ctypes.util
import gc
import importlib
import pkgutil
import threading
from pathlib import Path

_M_TRIM_THRESHOLD, _M_MMAP_THRESHOLD = -1, -3  # glibc's <malloc.h>
MMAP_THRESHOLD_BYTES = 4 << 20
TRIM_THRESHOLD_BYTES = 32 << 20


def reuse_freed_memory() -> bool:
    """Keep freed blocks for reuse (glibc only); True if applied, False where the C library has
    no mallopt (macOS, Windows, musl)."""
    path = ctypes.util.find_library("c")
    if path is None:
        return False
    try:
        mallopt = ctypes.CDLL(path).mallopt
    except (OSError, AttributeError):
        return False
    mallopt.argtypes, mallopt.restype = [ctypes.c_int, ctypes.c_int], ctypes.c_int
    return bool(mallopt(_M_MMAP_THRESHOLD, MMAP_THRESHOLD_BYTES)) and bool(
        mallopt(_M_TRIM_THRESHOLD, TRIM_THRESHOLD_BYTES))


FILE_CHUNK_BYTES = 1 << 20


def larger_file_chunks() -> None:
    """Starlette's file responses (Streamlit's frontend files) read 1 MB at a time, not 64 kB."""
    from starlette.responses import FileResponse

    FileResponse.chunk_size = max(FileResponse.chunk_size, FILE_CHUNK_BYTES)


class FrontendFilesFromMemory:
    """An ASGI app around Streamlit's that answers a repeated GET of one of its hashed frontend
    bundles (static/..., served "immutable") from memory: the first complete answer is kept
    (status, headers, body) and replayed; requests for a file that arrive while it is being
    fetched (a class opening a link at once) wait for that answer. A request with a Range or a
    conditional header goes to Streamlit as before, and an answer that sets a cookie is never
    kept. Kept: only what Streamlit's frontend directory holds (a path it does not hold is
    answered with index.html, no-cache, never kept), at most its ~26 MB."""

    KEPT_PREFIX = "/static/"
    PASSED_ON = (b"range", b"if-none-match", b"if-modified-since")

    def __init__(self, app):
        self.app = app
        self.kept: dict[str, tuple[dict, bytes]] = {}
        self.fetching: dict[str, asyncio.Event] = {}

    def _key(self, scope) -> str | None:
        if scope["type"] != "http" or scope["method"] != "GET":
            return None
        if any(name in self.PASSED_ON for name, _ in scope["headers"]):
            return None
        path = scope["path"]
        return path if self.KEPT_PREFIX in path else None

    async def __call__(self, scope, receive, send) -> None:
        key = self._key(scope)
        if key is None:
            await self.app(scope, receive, send)
            return
        if key not in self.kept and key in self.fetching:
            await self.fetching[key].wait()
        kept = self.kept.get(key)
        if kept is not None:
            start, body = kept
            await send(start)
            await send({"type": "http.response.body", "body": body, "more_body": False})
            return
        sent: list[dict] = []

        async def keep(message):
            sent.append(message)
            await send(message)

        fetched = self.fetching.setdefault(key, asyncio.Event())
        try:
            await self.app(scope, receive, keep)
        finally:
            fetched.set()
            if self.fetching.get(key) is fetched:
                del self.fetching[key]
        start, *bodies = sent or [{}]
        headers = dict(start.get("headers", ()))
        if (start.get("status") == 200 and b"immutable" in headers.get(b"cache-control", b"")
                and b"set-cookie" not in headers
                and bodies and not bodies[-1].get("more_body", False)):
            self.kept[key] = (start, b"".join(m.get("body", b"") for m in bodies))


def frontend_files_from_memory() -> None:
    """Streamlit's app wrapped in FrontendFilesFromMemory: it takes effect in a server started
    after it (python -m ui.process run)."""
    from streamlit.web.server.starlette import starlette_server as server

    if getattr(server.create_starlette_app, "from_memory", False):
        return
    make_app = server.create_starlette_app

    def create(runtime):
        return FrontendFilesFromMemory(make_app(runtime))

    create.from_memory = True
    server.create_starlette_app = create


# The function that sets OpenBLAS's thread count, by build (NumPy's wheels bundle scipy-openblas).
BLAS_THREAD_SETTERS = ("scipy_openblas_set_num_threads64_", "scipy_openblas_set_num_threads",
                       "openblas_set_num_threads64_", "openblas_set_num_threads")


def single_threaded_blas() -> bool:
    """One thread for the OpenBLAS that NumPy loaded; True if one was found and set, False
    elsewhere (another BLAS, or no /proc: macOS, Windows)."""
    import numpy  # noqa: F401  (loads its BLAS)

    try:
        maps = Path("/proc/self/maps").read_text()
    except OSError:
        return False
    paths = {line.split()[-1] for line in maps.splitlines() if "openblas" in line.lower()}
    for path in sorted(paths):
        library = ctypes.CDLL(path)
        for name in BLAS_THREAD_SETTERS:
            if hasattr(library, name):
                getattr(library, name)(1)
                return True
    return False


# The app's packages, imported whole: the libraries they import at module level come with them.
APP_PACKAGES = ("engine", "page_models", "viz", "ui")
# Modules that libraries import only inside functions, on a session's first use:
LAZY_IMPORTS = (
    "pandas",  # by Streamlit for st.dataframe; plotly checks for it without importing
    "pyarrow",  # by Streamlit to serialise tables
    "pyarrow.pandas_compat",  # by pyarrow, converting a pandas table
    "pyarrow.vendored.version",  # by pyarrow's pandas shim, checking the pandas version
    "narwhals._interchange.dataframe",  # by plotly's validators for array-like values
    "plotly.io",  # by st.plotly_chart
    "plotly.tools",  # by st.plotly_chart
    "streamlit.dataframe.lazy_df_adapters",  # by st.dataframe
    "streamlit.emojis",  # by st.set_page_config (page icon)
    "streamlit.material_icon_names",  # by st.page_link (icons)
    "streamlit.runtime.scriptrunner.magic_funcs",  # by every script run
)

_set_up_lock = threading.Lock()
_set_up = False


def set_up_process() -> None:
    """Everything this module sets up, once per process; threads that call it together wait
    for the first."""
    global _set_up
    with _set_up_lock:
        if not _set_up:
            reuse_freed_memory()
            single_threaded_blas()
            larger_file_chunks()
            frontend_files_from_memory()
            warm_up()
            gc.freeze()
            _set_up = True


def warm_up() -> None:
    """Import every module of the app and every lazily imported module, and serialise one plotly
    figure under plotly's own template: templates load lazily, and that one names every trace
    type, so its first use imports plotly's module for each."""
    for name in APP_PACKAGES:
        package = importlib.import_module(name)
        for module in pkgutil.walk_packages(package.__path__, prefix=f"{name}."):
            importlib.import_module(module.name)
    for name in LAZY_IMPORTS:
        importlib.import_module(name)
    import plotly.graph_objects as go
    import plotly.io

    plotly.io.to_json(go.Figure(go.Scatter(x=[0], y=[0]), layout_template="plotly"), validate=False)


def run_streamlit() -> None:
    """`streamlit run` (the command line after `python -m ui.process`), set up first."""
    from streamlit.web import cli

    set_up_process()
    cli.main(prog_name="streamlit")


if __name__ == "__main__":
    from ui import process  # the module the pages import, not this __main__ copy

    process.run_streamlit()
