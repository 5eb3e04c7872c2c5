"""The in-process cache forgets each entry once its keep time has passed."""

from __future__ import annotations

import datetime as dt

from pageviews.adapters.outbound.cache.memory import MemoryCache
from pageviews.domain.cache_policy import Entry
from tests.support.fakes import FixedClock

NOW = dt.datetime(2024, 1, 1, tzinfo=dt.UTC)


def entry(keep: dt.timedelta = dt.timedelta(days=1), payload: bytes = b"x") -> Entry:
    return Entry(NOW + keep / 2, NOW + keep, payload)


async def test_an_entry_is_there_until_its_keep_time() -> None:
    clock = FixedClock(NOW)
    cache = MemoryCache(10, clock)
    await cache.put("k", entry(dt.timedelta(hours=1)))
    clock.current += dt.timedelta(minutes=59)
    kept = await cache.get("k")
    clock.current += dt.timedelta(minutes=1)
    assert (entry(dt.timedelta(hours=1)), None) == (kept, await cache.get("k"))
