"""Process memory in front of a shared cache: a hit in memory costs no network, a miss there asks the shared
cache (filled by every replica), and while the shared cache is down memory alone carries on."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
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

    async def get_many(self, keys: Sequence[str]) -> list[Entry | None]:
        """Memory first; what memory has not fresh is asked of the shared cache in one round trip."""
        near = await self._near.get_many(keys)
        now = self._clock.now()
        wanted = [
            key for key, entry in zip(keys, near, strict=True) if entry is None or not entry.is_fresh(now)
        ]
        if not wanted:
            return near
        try:
            far = dict(zip(wanted, await self._far.get_many(wanted), strict=True))
        except CacheUnavailable:
            return near
        found = {key: entry for key, entry in far.items() if entry is not None}
        await self._near.put_many(found)
        return [found.get(key, entry) for key, entry in zip(keys, near, strict=True)]

    async def put_many(self, entries: Mapping[str, Entry]) -> None:
        await self._near.put_many(entries)
        with suppress(CacheUnavailable):
            await self._far.put_many(entries)

    async def health(self) -> CacheHealth:
        return await self._far.health()
