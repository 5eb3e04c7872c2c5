"""The in-process cache: bounded by a byte budget counted from what it stores, and each entry forgotten once its
keep time has passed."""

from __future__ import annotations

import datetime as dt
import gc
import tracemalloc

import pytest

from pageviews.adapters.outbound.cache.memory import ALLOCATOR_OVERHEAD, MemoryCache
from pageviews.domain.cache_policy import Entry
from tests.support.fakes import FixedClock

NOW = dt.datetime(2024, 1, 1, tzinfo=dt.UTC)


def entry(keep: dt.timedelta = dt.timedelta(days=1), payload: bytes = b"x") -> Entry:
    return Entry(NOW + keep / 2, NOW + keep, payload)


async def test_an_entry_is_there_until_its_keep_time() -> None:
    clock = FixedClock(NOW)
    cache = MemoryCache(1 << 20, clock)
    await cache.put("k", entry(dt.timedelta(hours=1)))
    clock.current += dt.timedelta(minutes=59)
    kept = await cache.get("k")
    clock.current += dt.timedelta(minutes=1)
    assert (entry(dt.timedelta(hours=1)), None) == (kept, await cache.get("k"))


async def test_what_is_stored_never_counts_for_more_than_the_budget() -> None:
    cache = MemoryCache(100_000, FixedClock(NOW))
    for n in range(1000):
        await cache.put(f"k{n}", entry(payload=bytes(1000)))
    assert 90_000 < cache.stored_bytes <= 100_000


async def test_an_entry_larger_than_the_whole_budget_is_not_stored() -> None:
    cache = MemoryCache(10_000, FixedClock(NOW))
    await cache.put("big", entry(payload=bytes(20_000)))
    assert (await cache.get("big"), cache.stored_bytes) == (None, 0)


TITLES = pytest.mark.parametrize(
    "title", ["Title", "東京都" * 20, "🎉" * 60, "Ærø" * 30], ids=["ascii", "cjk", "emoji", "latin-1"]
)
"""Python keeps a string in one, two or four bytes a character, whichever its widest character needs."""

ENTRIES = 500
"""Enough that the per-entry cost, not the allocator's granularity, decides the comparison."""


@TITLES
async def test_the_counted_size_is_at_least_what_an_entry_really_takes(title: str) -> None:
    """The budget is counted, not measured: the count must not be below what the entries use in memory."""
    clock = FixedClock(NOW)
    cache = MemoryCache(1 << 30, clock)
    gc.collect()
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        for n in range(ENTRIES):
            key = f"pv1|per-article|en.wikipedia|all-access|user|daily|20231001|20231031|{title}_{n:06d}"
            await cache.put(
                key, Entry(NOW + dt.timedelta(hours=n), NOW + dt.timedelta(days=7), bytes(500) + b"%d" % n)
            )
        gc.collect()
        used = tracemalloc.get_traced_memory()[0] - before
    finally:
        tracemalloc.stop()
    assert used <= cache.stored_bytes - ENTRIES * ALLOCATOR_OVERHEAD  # the objects alone


@TITLES
async def test_the_counted_size_of_no_data_is_at_least_what_it_really_takes(title: str) -> None:
    """A "no data" entry keeps its detail, a string that names the title."""
    cache = MemoryCache(1 << 30, FixedClock(NOW))
    gc.collect()
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        for n in range(ENTRIES):
            detail = f"Wikimedia has no data for {title}_{n:06d} from 2023-10-01 to 2023-10-31"
            await cache.put(
                f"pv2|monthly|2023-10|per-article|en.wikipedia|all-access|user|{title}_{n:06d}",
                Entry(NOW + dt.timedelta(hours=n), NOW + dt.timedelta(days=7), no_data=detail),
            )
        gc.collect()
        used = tracemalloc.get_traced_memory()[0] - before
    finally:
        tracemalloc.stop()
    assert used <= cache.stored_bytes - ENTRIES * ALLOCATOR_OVERHEAD  # the objects alone
