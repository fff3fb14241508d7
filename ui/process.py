"""Process-wide setup of the app's server, done once per process from `ui.nav` (every page
imports it): an allocator setting for processes that train networks.

Each training step frees a whole graph of ~100 kB arrays at once. By default glibc hands those
pages back to the system and the next step faults them in again (measured: ~260 page faults per
step of a 2→64→64→2 MLP on a batch of 256). reuse_freed_memory() asks glibc's malloc to keep
them: blocks below 4 MB come from the heap, and up to 32 MB of free heap is kept for reuse.
benchmarks/engine_step.py measured the engine's step 1.4-1.5× faster with it (hand-written NumPy
gains too).

It changes malloc for the whole process (every library in it), so the engine never calls it:
the benchmarks and the app's pages do. Both values lie within the range glibc's
own dynamic thresholds reach (it raises them up to 32 MB / 64 MB as large blocks are freed); the
cost is at most a few MB of freed memory kept by the process. Calling it again is harmless.
"""

from __future__ import annotations

import ctypes
import ctypes.util

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
