"""Giving back to the operating system what a finished piece of work freed.

The in-process executor runs every step of a run in one Python process
(definitions.py), so whatever a step leaves behind counts against the peak of the steps
after it: objects held only by reference cycles (which Python collects when it gets
round to it) and memory that glibc's malloc keeps for re-use after it was freed. A
national PSC ingest left 2.1 GB with malloc that `malloc_trim` returned at once
(measured before psc._owning removed most of it).
"""

from __future__ import annotations

import ctypes
import ctypes.util
import gc

_LIBC_NAME = ctypes.util.find_library("c")
_LIBC = ctypes.CDLL(_LIBC_NAME) if _LIBC_NAME else None
# glibc only; elsewhere (musl, macOS) there is nothing to trim.
_MALLOC_TRIM = getattr(_LIBC, "malloc_trim", None)


def release() -> None:
    """Collect reference cycles, then hand malloc's free memory back to the system."""
    gc.collect()
    if _MALLOC_TRIM is not None:
        _MALLOC_TRIM(0)
