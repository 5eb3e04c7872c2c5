"""The in-process cache: bounded by a number of entries (least recently used go first), each dropped once its
`keep_until` has passed. The default cache, and the near tier in front of Redis."""

from __future__ import annotations

from cachetools import TLRUCache

from pageviews.domain.cache_policy import CacheHealth, Entry
from pageviews.domain.ports import Clock


def _keep_until(_key: str, entry: Entry, _now: float) -> float:
    return entry.keep_until.timestamp()


class MemoryCache:
    def __init__(self, max_entries: int, clock: Clock) -> None:
        self._entries: TLRUCache[str, Entry] = TLRUCache(
            maxsize=max_entries, ttu=_keep_until, timer=lambda: clock.now().timestamp()
        )

    async def get(self, key: str) -> Entry | None:
        return self._entries.get(key)

    async def put(self, key: str, entry: Entry) -> None:
        self._entries[key] = entry

    async def health(self) -> CacheHealth:
        return CacheHealth.MEMORY
