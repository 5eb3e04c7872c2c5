"""The in-process cache: bounded by a byte budget counted from what is stored (least recently used entries go
first), each entry dropped once its `keep_until` has passed. The default cache, and the near tier in front of
Redis."""

from __future__ import annotations

import sys
from collections.abc import Mapping, Sequence

from cachetools import TLRUCache

from pageviews.domain.cache_policy import CacheHealth, Entry
from pageviews.domain.ports import Clock

OBJECTS_OVERHEAD = 560
"""Bytes an entry's objects cost beyond its key, payload and detail: the Entry and its datetimes, the payload's
bytes object, and the cache's own bookkeeping (measured with tracemalloc; see tests/unit/test_memory_cache.py)."""

ALLOCATOR_OVERHEAD = 240
"""What the allocator holds beyond those objects while a full cache drops and takes entries all the time (freed
small objects' memory is not all given back; measured as resident memory, bench/run.py figure d), so that the
budget bounds the process's memory, not only its objects'."""

ENTRY_OVERHEAD = OBJECTS_OVERHEAD + ALLOCATOR_OVERHEAD


def size_of(key: str, entry: Entry) -> int:
    """What an entry counts for against the budget. Strings count as the objects they are, not by their length:
    a character of a Japanese title takes two bytes, an emoji four."""
    detail = 0 if entry.no_data is None else sys.getsizeof(entry.no_data)
    return ENTRY_OVERHEAD + sys.getsizeof(key) + len(entry.payload) + detail


def _keep_until(_key: str, stored: tuple[Entry, int], _now: float) -> float:
    return stored[0].keep_until.timestamp()


def _size(stored: tuple[Entry, int]) -> int:
    return stored[1]


class MemoryCache:
    def __init__(self, budget_bytes: int, clock: Clock) -> None:
        self._entries: TLRUCache[str, tuple[Entry, int]] = TLRUCache(
            maxsize=budget_bytes, ttu=_keep_until, timer=clock.timestamp, getsizeof=_size
        )

    @property
    def stored_bytes(self) -> int:
        """What the stored entries count for against the budget."""
        return int(self._entries.currsize)

    async def get(self, key: str) -> Entry | None:
        stored = self._entries.get(key)
        return None if stored is None else stored[0]

    async def put(self, key: str, entry: Entry) -> None:
        size = size_of(key, entry)
        if size <= self._entries.maxsize:
            self._entries[key] = (entry, size)

    async def get_many(self, keys: Sequence[str]) -> list[Entry | None]:
        entries = self._entries
        return [None if (stored := entries.get(key)) is None else stored[0] for key in keys]

    async def put_many(self, entries: Mapping[str, Entry]) -> None:
        for key, entry in entries.items():
            await self.put(key, entry)

    async def health(self) -> CacheHealth:
        return CacheHealth.MEMORY
