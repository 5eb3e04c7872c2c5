"""What an ASGI server points at: `pageviews.asgi:app_factory` (a factory, so nothing happens at import)."""

from __future__ import annotations

import ctypes
import ctypes.util
import os

from litestar import Litestar

from pageviews.containers import OWN_PAGES_FROM, Container, build_app

M_MMAP_THRESHOLD = -3
"""glibc's `mallopt` parameter (malloc.h)."""


def app_factory() -> Litestar:
    _return_large_blocks()
    return build_app(Container())


def _return_large_blocks() -> None:
    """glibc serves allocations below its mmap threshold from a heap that a full cache's churn leaves full of
    holes it does not return to the system, and a long series' body is tens of KiB: from 32 KiB up, allocations
    get pages of their own, given back when freed, so the resident memory follows the caches' byte budgets
    (bench/run.py, figure d). Done in each worker as it starts (a forked worker would not read the environment
    variable); `MALLOC_MMAP_THRESHOLD_` set by an operator wins, and elsewhere than glibc nothing is done."""
    if "MALLOC_MMAP_THRESHOLD_" in os.environ:
        return
    name = ctypes.util.find_library("c")
    if name is None:
        return
    try:
        mallopt = ctypes.CDLL(name).mallopt
    except (OSError, AttributeError):
        return
    mallopt(M_MMAP_THRESHOLD, OWN_PAGES_FROM)
