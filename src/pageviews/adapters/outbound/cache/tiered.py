"""Process memory in front of a shared cache: a hit in memory costs no network, a miss there asks the shared
cache (filled by every replica), and while the shared cache is down memory alone carries on."""

from __future__ import annotations

from contextlib import suppress

from pageviews.domain.cache_policy import CacheHealth, Entry
from pageviews.domain.ports import Cache, CacheUnavailable, Clock


class TieredCache:
    def __init__(self, near: Cache, far: Cache, clock: Clock) -> None:
        self._near = near
        self._far = far
        self._clock = clock

    async def get(self, key: str) -> Entry | None:
        near = await self._near.get(key)
        if near is not None and near.is_fresh(self._clock.now()):
            return near
        try:
            far = await self._far.get(key)
        except CacheUnavailable:
            return near
        if far is None:
            return near
        await self._near.put(key, far)
        return far

    async def put(self, key: str, entry: Entry) -> None:
        await self._near.put(key, entry)
        with suppress(CacheUnavailable):
            await self._far.put(key, entry)

    async def health(self) -> CacheHealth:
        return await self._far.health()
