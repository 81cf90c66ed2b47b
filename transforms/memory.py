"""Handing freed heap memory back to the operating system, where the C library can.

glibc keeps memory that Python and Arrow free in its arenas, fragmented among
blocks still in use, so a process that allocates and frees a little per commit
grows. A streaming watch grew 418 -> 427 MiB over minutes 5 to 7 of
bench/streaming_watch.py while the Python heap stayed flat (tracemalloc);
with `malloc_trim` after each commit, 410 -> 412 MiB. The rest of a long
watch's growth (about 1 MiB a minute) was Beam's local runner holding every
bundle's metrics; see pipeline/runner_fixes.py. Elsewhere (musl, macOS) this
does nothing.
"""

import ctypes
import ctypes.util
import functools


@functools.cache
def _malloc_trim():
    try:
        return ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6").malloc_trim
    except (OSError, AttributeError):
        return None


def release_freed_memory() -> None:
    """Return the heap's free pages to the system (glibc); a no-op elsewhere."""
    trim = _malloc_trim()
    if trim is not None:
        trim(0)
