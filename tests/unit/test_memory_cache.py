"""The in-process cache is bounded: by a number of entries, and by each entry's keep time."""

from __future__ import annotations

import datetime as dt

from hypothesis import given
from hypothesis import strategies as st

from pageviews.adapters.memory_cache import MemoryCache
from pageviews.domain.caching import Entry
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


@given(size=st.integers(1, 50), puts=st.integers(0, 200))
async def test_it_never_holds_more_than_its_size(size: int, puts: int) -> None:
    cache = MemoryCache(size, FixedClock(NOW))
    for n in range(puts):
        await cache.put(str(n), entry())
    assert min(size, puts) == len(cache)


async def test_the_least_recently_used_entry_goes_first() -> None:
    cache = MemoryCache(2, FixedClock(NOW))
    await cache.put("a", entry(payload=b"a"))
    await cache.put("b", entry(payload=b"b"))
    await cache.get("a")
    await cache.put("c", entry(payload=b"c"))
    assert (
        getattr(await cache.get("a"), "payload", None),
        await cache.get("b"),
        getattr(await cache.get("c"), "payload", None),
    ) == (b"a", None, b"c")
