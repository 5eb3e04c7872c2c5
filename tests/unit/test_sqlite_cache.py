"""The command line's cache in a SQLite file: what one process stored, the next one finds; bounded by bytes and
rows (least recently used first out); each entry gone once its keep time has passed; a file it cannot use is
`CacheUnavailable`, never a crash."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from pageviews.adapters.outbound.cache.sqlite import SqliteCache
from pageviews.domain.cache_policy import Entry
from pageviews.domain.ports import Cache, CacheUnavailable
from tests.support.fakes import FixedClock

NOW = dt.datetime(2024, 1, 1, tzinfo=dt.UTC)
MIB = 1 << 20


def entry(keep: dt.timedelta = dt.timedelta(days=1), payload: bytes = b"x") -> Entry:
    return Entry(NOW + keep / 2, NOW + keep, payload)


def cache_at(path: Path, clock: FixedClock, max_bytes: int = MIB, max_rows: int = 1000) -> SqliteCache:
    return SqliteCache(path, clock, max_bytes, max_rows)


def test_it_is_a_cache() -> None:
    cache: Cache = cache_at(Path("unused"), FixedClock(NOW))
    assert cache is not None


async def test_what_one_process_stored_the_next_one_finds(tmp_path: Path) -> None:
    path = tmp_path / "deeper" / "cache.sqlite3"
    first = cache_at(path, FixedClock(NOW))
    await first.put_many({"a": entry(payload=b"A"), "b": entry(payload=b"B")})
    first.close()
    second = cache_at(path, FixedClock(NOW))
    assert [entry(payload=b"A"), None, entry(payload=b"B")] == await second.get_many(["a", "missing", "b"])


async def test_an_entry_is_there_until_its_keep_time(tmp_path: Path) -> None:
    clock = FixedClock(NOW)
    cache = cache_at(tmp_path / "c.sqlite3", clock)
    await cache.put("k", entry(dt.timedelta(hours=1)))
    clock.current += dt.timedelta(minutes=59)
    kept = await cache.get("k")
    clock.current += dt.timedelta(minutes=1)
    assert (entry(dt.timedelta(hours=1)), None) == (kept, await cache.get("k"))


async def test_expired_entries_leave_the_file(tmp_path: Path) -> None:
    clock = FixedClock(NOW)
    cache = cache_at(tmp_path / "c.sqlite3", clock)
    await cache.put("old", entry(dt.timedelta(hours=1)))
    clock.current += dt.timedelta(hours=2)
    await cache.put("new", entry())
    assert 1 == cache.stored()[0]


async def test_an_entry_already_expired_is_not_stored(tmp_path: Path) -> None:
    cache = cache_at(tmp_path / "c.sqlite3", FixedClock(NOW))
    await cache.put("k", entry(dt.timedelta(seconds=-1)))
    assert (0, 0) == cache.stored()


async def test_what_is_stored_never_counts_for_more_than_the_byte_budget(tmp_path: Path) -> None:
    cache = cache_at(tmp_path / "c.sqlite3", FixedClock(NOW), max_bytes=100_000)
    for n in range(200):
        await cache.put(f"k{n}", entry(payload=bytes(1000)))
    _, size = cache.stored()
    assert 90_000 < size <= 100_000


async def test_no_more_rows_than_the_bound_are_kept_and_the_least_recently_used_go(tmp_path: Path) -> None:
    clock = FixedClock(NOW)
    cache = cache_at(tmp_path / "c.sqlite3", clock, max_rows=3)
    for key in ("a", "b", "c"):
        clock.current += dt.timedelta(seconds=1)
        await cache.put(key, entry())
    clock.current += dt.timedelta(seconds=1)
    await cache.get("a")  # used again: "b" is now the least recently used
    clock.current += dt.timedelta(seconds=1)
    await cache.put("d", entry())
    found = await cache.get_many(["a", "b", "c", "d"])
    assert [True, False, True, True] == [e is not None for e in found]


async def test_an_entry_larger_than_the_whole_budget_is_not_stored(tmp_path: Path) -> None:
    cache = cache_at(tmp_path / "c.sqlite3", FixedClock(NOW), max_bytes=10_000)
    await cache.put("big", entry(payload=bytes(20_000)))
    assert (None, (0, 0)) == (await cache.get("big"), cache.stored())


async def test_many_keys_at_once_are_answered_in_order(tmp_path: Path) -> None:
    cache = cache_at(tmp_path / "c.sqlite3", FixedClock(NOW), max_rows=5000)
    await cache.put_many({f"k{n}": entry(payload=b"%d" % n) for n in range(0, 1200, 2)})
    found = await cache.get_many([f"k{n}" for n in range(1200)])
    assert [entry(payload=b"%d" % n) if n % 2 == 0 else None for n in range(1200)] == found


async def test_a_file_that_is_not_a_database_is_unavailable_not_a_crash(tmp_path: Path) -> None:
    path = tmp_path / "c.sqlite3"
    path.write_bytes(b"this is not SQLite" * 100)
    cache = cache_at(path, FixedClock(NOW))
    with pytest.raises(CacheUnavailable):
        await cache.get("k")
    with pytest.raises(CacheUnavailable):
        await cache.put("k", entry())


async def test_a_place_no_file_can_be_made_is_unavailable(tmp_path: Path) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    cache = cache_at(blocker / "cache.sqlite3", FixedClock(NOW))
    with pytest.raises(CacheUnavailable):
        await cache.get_many(["k"])
