"""Ranges assembled from monthly blocks: the same points as asking the source for the range at once; a settled
month asked upstream at most once whatever ranges include it; one upstream request per run of consecutive
missing months, never one per month; overlapping concurrent ranges share the months in flight."""

from __future__ import annotations

import asyncio
import datetime as dt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pageviews.application.cached_sources import CachingSource
from pageviews.domain.cache_policy import CachePolicy
from pageviews.domain.errors import NoData, UpstreamUnavailable
from pageviews.domain.model import Article, ArticleQuery, DataPoint, Granularity, Month, Project
from tests.support.fakes import (
    FakeCache,
    FakePageviewsSource,
    FakeTopArticlesSource,
    FixedClock,
    GatedSource,
    SlowReadingCache,
)

EINSTEIN = ArticleQuery(Project("en.wikipedia"), Article("Albert_Einstein"))
NOW = dt.datetime(2024, 1, 15, 12, tzinfo=dt.UTC)
FIRST, LAST = dt.date(2021, 1, 1), dt.date(2024, 1, 14)
DAILY, MONTHLY = Granularity.DAILY, Granularity.MONTHLY


def source_with_data() -> FakePageviewsSource:
    """A view on most days (some are left out, as Wikimedia leaves zero days out), and monthly sums."""
    source = FakePageviewsSource()
    day = FIRST
    while day <= LAST:
        if day.toordinal() % 7:
            source.add(EINSTEIN, DAILY, day, day.toordinal() % 1000)
        if day.day == 1:
            source.add(EINSTEIN, MONTHLY, day, day.toordinal())
        day += dt.timedelta(days=1)
    return source


def caching(source: FakePageviewsSource, clock: FixedClock | None = None) -> CachingSource:
    clock = clock or FixedClock(NOW)
    return CachingSource(source, FakeTopArticlesSource(), FakeCache(clock), CachePolicy(), clock)


def months_of(first: dt.date, last: dt.date) -> list[Month]:
    months, month = [], Month.of(first)
    while month <= Month.of(last):
        months.append(month)
        month = month.next()
    return months


def period(point: DataPoint) -> dt.date:
    return point.period


def settled(month: Month) -> bool:
    return NOW >= month.end() + dt.timedelta(hours=48)


@st.composite
def ranges(draw: st.DrawFn) -> tuple[Granularity, dt.date, dt.date]:
    granularity = draw(st.sampled_from([DAILY, MONTHLY]))
    first = draw(st.dates(FIRST, LAST))
    last = draw(st.dates(first, min(LAST, first + dt.timedelta(days=400))))
    if granularity is MONTHLY:
        first, last = Month.of(first).first_day, Month.of(last).last_day
    return granularity, first, last


async def direct(
    source: FakePageviewsSource, granularity: Granularity, first: dt.date, last: dt.date
) -> list[DataPoint] | str:
    """The range asked of the source at once, as a reference, without counting it."""
    try:
        return sorted((await source.per_article(EINSTEIN, granularity, first, last)).points, key=period)
    except NoData:
        return "no data"
    finally:
        source.asked.pop()


async def assembled(
    cached: CachingSource, granularity: Granularity, first: dt.date, last: dt.date
) -> list[DataPoint] | str:
    try:
        return sorted((await cached.per_article(EINSTEIN, granularity, first, last)).points, key=period)
    except NoData:
        return "no data"


@given(asked=st.lists(ranges(), min_size=1, max_size=8))
@settings(max_examples=60, deadline=None)
async def test_blocks_answer_every_range_as_the_source_would_and_ask_each_settled_month_once(
    asked: list[tuple[Granularity, dt.date, dt.date]],
) -> None:
    source = source_with_data()
    cached = caching(source)
    known: set[tuple[Granularity, Month]] = set()
    for granularity, first, last in asked:
        before = len(source.asked)
        missing = [
            m for m in months_of(first, last) if (granularity, m) not in known
        ]  # the clock stands still
        spans = sum(1 for i, m in enumerate(missing) if i == 0 or missing[i - 1].next() != m)
        assert await direct(source, granularity, first, last) == await assembled(
            cached, granularity, first, last
        )
        assert spans == len(source.asked) - before
        known.update((granularity, m) for m in months_of(first, last))
    fetched_settled = [
        (granularity, month)
        for _, granularity, first, last in source.asked
        for month in months_of(first, last)
        if settled(month)
    ]
    assert len(fetched_settled) == len(set(fetched_settled))


async def test_a_range_inside_months_already_known_asks_nothing() -> None:
    source = source_with_data()
    cached = caching(source)
    await cached.per_article(EINSTEIN, DAILY, dt.date(2023, 1, 1), dt.date(2023, 12, 31))
    await cached.per_article(EINSTEIN, DAILY, dt.date(2023, 3, 15), dt.date(2023, 5, 10))
    await cached.per_article(EINSTEIN, DAILY, dt.date(2023, 4, 1), dt.date(2023, 4, 30))
    assert [(DAILY, dt.date(2023, 1, 1), dt.date(2023, 12, 31))] == [asked[1:] for asked in source.asked]


async def test_a_run_of_missing_months_is_one_request_and_known_months_split_runs() -> None:
    source = source_with_data()
    cached = caching(source)
    await cached.per_article(EINSTEIN, MONTHLY, dt.date(2022, 4, 1), dt.date(2022, 4, 30))
    await cached.per_article(EINSTEIN, MONTHLY, dt.date(2022, 1, 1), dt.date(2022, 8, 31))
    assert [
        (dt.date(2022, 4, 1), dt.date(2022, 4, 30)),
        (dt.date(2022, 1, 1), dt.date(2022, 3, 31)),
        (dt.date(2022, 5, 1), dt.date(2022, 8, 31)),
    ] == [asked[2:] for asked in source.asked]


async def test_the_current_month_is_asked_again_once_its_short_freshness_has_passed() -> None:
    source, clock = source_with_data(), FixedClock(NOW)
    cached = caching(source, clock)
    await cached.per_article(EINSTEIN, DAILY, dt.date(2023, 12, 1), dt.date(2024, 1, 14))
    clock.current += dt.timedelta(minutes=11)
    await cached.per_article(EINSTEIN, DAILY, dt.date(2023, 12, 1), dt.date(2024, 1, 14))
    assert [(dt.date(2023, 12, 1), dt.date(2024, 1, 15)), (dt.date(2024, 1, 1), dt.date(2024, 1, 15))] == [
        asked[2:] for asked in source.asked
    ]


async def test_overlapping_concurrent_ranges_share_the_months_in_flight() -> None:
    source = GatedSource()
    source.points = source_with_data().points
    cached = caching(source)
    wide = asyncio.create_task(
        cached.per_article(EINSTEIN, MONTHLY, dt.date(2022, 1, 1), dt.date(2022, 12, 31))
    )
    await asyncio.sleep(0)
    inner = asyncio.create_task(
        cached.per_article(EINSTEIN, MONTHLY, dt.date(2022, 3, 1), dt.date(2023, 2, 28))
    )
    await asyncio.sleep(0)
    source.gate.set()
    await asyncio.gather(wide, inner)
    assert {(dt.date(2022, 1, 1), dt.date(2022, 12, 31)), (dt.date(2023, 1, 1), dt.date(2023, 2, 28))} == {
        asked[2:] for asked in source.asked
    }


async def test_a_range_whose_cache_read_outlasts_a_flight_of_its_months_does_not_ask_for_them_again() -> None:
    """Redis answers after a network round trip: a flight of the same months may take off before the read and
    land (and be stored) after the read missed. The range takes that flight's months, not another request."""

    clock = FixedClock(NOW)
    source, cache = GatedSource(), SlowReadingCache(clock)
    source.points = source_with_data().points
    cached = CachingSource(source, FakeTopArticlesSource(), cache, CachePolicy(), clock)
    year = (EINSTEIN, MONTHLY, dt.date(2022, 1, 1), dt.date(2022, 12, 31))
    first = asyncio.create_task(cached.per_article(*year))
    await asyncio.sleep(0)  # the first range's months are in flight
    cache.reads_wait = True
    second = asyncio.create_task(cached.per_article(*year))
    await asyncio.sleep(0)  # the second range is reading the cache
    source.gate.set()
    await first  # the flight lands and its months are stored, while the second read is still out
    cache.read_gate.set()
    assert ((await second).points, len(source.asked)) == ((await first).points, 1)


async def test_kept_months_are_served_stale_when_the_upstream_fails() -> None:
    source, clock = source_with_data(), FixedClock(NOW)
    cached = caching(source, clock)
    fresh = await cached.per_article(EINSTEIN, DAILY, dt.date(2023, 12, 1), dt.date(2024, 1, 14))
    clock.current += dt.timedelta(hours=1)
    source.error = UpstreamUnavailable("down", retry_after=5)
    stale = await cached.per_article(EINSTEIN, DAILY, dt.date(2023, 12, 1), dt.date(2024, 1, 14))
    assert (fresh.points, fresh.stale, stale.stale) == (stale.points, False, True)


async def test_a_month_with_no_data_upstream_is_no_data_and_remembered_briefly() -> None:
    source, clock = FakePageviewsSource(), FixedClock(NOW)
    cached = caching(source, clock)
    for minutes in (0, 4, 2):
        clock.current += dt.timedelta(minutes=minutes)
        with pytest.raises(NoData):
            await cached.per_article(EINSTEIN, MONTHLY, dt.date(2023, 10, 1), dt.date(2023, 10, 31))
    assert len(source.asked) == 2


async def test_a_settled_month_without_views_inside_a_range_with_data_is_final() -> None:
    """Wikimedia leaves zero months out: one it left out of a range that had data had no views, for good."""
    source, clock = FakePageviewsSource(), FixedClock(NOW)
    source.add(EINSTEIN, MONTHLY, dt.date(2023, 9, 1), 5)
    cached = caching(source, clock)
    await cached.per_article(EINSTEIN, MONTHLY, dt.date(2023, 9, 1), dt.date(2023, 10, 31))
    clock.current += dt.timedelta(days=7)
    points = await cached.per_article(EINSTEIN, MONTHLY, dt.date(2023, 9, 1), dt.date(2023, 10, 31))
    assert (points.points, len(source.asked)) == ((DataPoint(dt.date(2023, 9, 1), 5),), 1)
