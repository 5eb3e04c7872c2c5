"""The sources behind the cache. Series are kept as immutable blocks (one month of one series each) and any
range is assembled from them: only the months the cache does not hold fresh are asked upstream, each run of
consecutive missing months in one request; concurrent requests share the months in flight; when the upstream
fails, kept months are served, marked stale. Top lists are kept whole. Everything speaks only the domain's
ports; the policy (what is fresh for how long) is the domain's."""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
from collections.abc import Awaitable, Callable, Sequence
from contextlib import suppress
from typing import Generic, TypeVar

import msgspec

from pageviews.domain.cache_policy import Block, CachePolicy, Entry, article_series, block_key, top_key
from pageviews.domain.errors import NoData, UpstreamError, UpstreamTimeout, UpstreamUnavailable
from pageviews.domain.model import Access, ArticleQuery, DataPoint, Fetched, Granularity, Month, Project
from pageviews.domain.ports import Cache, CacheUnavailable, Clock, PageviewsSource, TopArticlesSource
from pageviews.domain.series import PeriodRange, checked_points
from pageviews.domain.top import TopArticles

log = logging.getLogger(__name__)

UPSTREAM_FAILURES = (UpstreamError, UpstreamUnavailable, UpstreamTimeout)
"""What a stale answer may stand in for. Not `NoData` (an answer) nor a bug (which must surface)."""

_encoder = msgspec.msgpack.Encoder()
_block_decoder = msgspec.msgpack.Decoder(Block)

T = TypeVar("T")
Observe = Callable[[str], None]
"""Told the result of every lookup: `hit`, `miss`, `coalesced` or `stale` (for metrics)."""
Fetch = Callable[[Granularity, dt.date, dt.date], Awaitable[Fetched]]
"""Asks the upstream for one series between two days (inclusive)."""


def _ignore(result: str) -> None:
    pass


class _Kept(msgspec.Struct, gc=False):
    """A month's block as the cache or the upstream gave it; `no_data` when the upstream had nothing for it."""

    block: Block
    stale: bool = False
    no_data: str | None = None


class Flights(Generic[T]):
    """The questions in flight, by key: each key's future is registered before anything is awaited, so
    concurrent callers share it, and it is settled (a result, the work's error, or cancelled when the work
    ended without one) and forgotten when the work ends."""

    def __init__(self) -> None:
        self._flying: dict[str, asyncio.Future[T]] = {}

    def get(self, key: str) -> asyncio.Future[T] | None:
        return self._flying.get(key)

    def launch(
        self, keys: Sequence[str], work: Callable[[list[asyncio.Future[T]]], Awaitable[None]]
    ) -> list[asyncio.Future[T]]:
        """One future per key, answered by `work` (which sets their results), run as a task of its own."""
        loop = asyncio.get_running_loop()
        flights: list[asyncio.Future[T]] = [loop.create_future() for _ in keys]
        for key, flight in zip(keys, flights, strict=True):
            self._flying[key] = flight
        task = asyncio.ensure_future(work(flights))
        task.add_done_callback(lambda done: self._land(keys, flights, done))
        return flights

    def _land(
        self, keys: Sequence[str], flights: list[asyncio.Future[T]], task: asyncio.Future[None]
    ) -> None:
        error = None if task.cancelled() else task.exception()
        for key, flight in zip(keys, flights, strict=True):
            if self._flying.get(key) is flight:
                del self._flying[key]
            if not flight.done():
                if error is None:
                    flight.cancel()
                else:
                    flight.set_exception(error)
            if not flight.cancelled():
                flight.exception()  # retrieved here, so a flight whose callers all left is not reported as lost


class SeriesBlocks:
    """Ranges of one kind of series (per-article today) assembled from monthly blocks."""

    def __init__(self, cache: Cache, policy: CachePolicy, clock: Clock, observe: Observe = _ignore) -> None:
        self._cache = cache
        self._policy = policy
        self._clock = clock
        self._observe = observe
        self._flights: Flights[_Kept] = Flights()

    async def points(
        self, series: str, granularity: Granularity, first: dt.date, last: dt.date, fetch: Fetch
    ) -> Fetched:
        """The points of `series` between `first` and `last`, from the blocks of their months."""
        months = _months(first, last)
        keys = [block_key(series, granularity, month) for month in months]
        # A flight that lands while the cache is being read (Redis is a round trip away) has stored its
        # months after the read looked: seen before the read, it is joined after, not asked for again.
        flying = [self._flights.get(key) for key in keys]
        entries = await self._read(keys)
        now = self._clock.now()
        found: dict[Month, asyncio.Future[_Kept] | _Kept] = {}
        missing: list[tuple[Month, str, Entry | None]] = []
        for month, key, entry, before in zip(months, keys, entries, flying, strict=True):
            if entry is not None and entry.is_fresh(now):
                self._observe("hit")
                found[month] = _kept(entry)
            elif (flight := self._flights.get(key) or before) is not None:
                self._observe("coalesced")
                found[month] = flight
            else:
                self._observe("miss")
                missing.append((month, key, entry))
        for span in _spans(missing):
            flights = self._fly(granularity, span, fetch)
            found.update(zip((month for month, _, _ in span), flights, strict=True))
        kept = [
            # Shielded: a caller that goes away does not cancel the request others are waiting for.
            await asyncio.shield(value) if isinstance(value, asyncio.Future) else value
            for value in (found[month] for month in months)
        ]
        return _assembled(months, kept, first, last)

    def _fly(
        self, granularity: Granularity, span: list[tuple[Month, str, Entry | None]], fetch: Fetch
    ) -> list[asyncio.Future[_Kept]]:
        """One upstream request for a run of consecutive missing months, its months shared while in flight."""
        keys = [key for _, key, _ in span]
        return self._flights.launch(keys, lambda flights: self._refresh(granularity, span, fetch, flights))

    async def _refresh(
        self,
        granularity: Granularity,
        span: list[tuple[Month, str, Entry | None]],
        fetch: Fetch,
        flights: list[asyncio.Future[_Kept]],
    ) -> None:
        months = [month for month, _, _ in span]
        first = months[0].first_day
        last = months[-1].last_day
        if granularity is Granularity.DAILY:
            last = min(last, self._clock.now().astimezone(dt.UTC).date())
        now = self._clock.now()
        try:
            fetched = await fetch(granularity, first, last)
            # Checked before it is stored: an answer for periods not asked is an upstream error, never data.
            points = checked_points(PeriodRange(granularity, first, last), fetched.points)
        except NoData as exc:
            results = [_Kept(Block(), no_data=exc.detail) for _ in span]
            await self._write({key: self._policy.no_data(exc.detail, now) for _, key, _ in span})
        except UPSTREAM_FAILURES as exc:
            kept = [entry for _, _, entry in span]
            if any(entry is None or entry.no_data is not None for entry in kept):
                raise
            log.warning("serving %d kept months stale for %s: %s", len(kept), span[0][1], exc.detail)
            self._observe("stale")
            results = [
                msgspec.structs.replace(_kept(entry), stale=True) for entry in kept if entry is not None
            ]
        else:
            blocks = _blocks(months, points)
            results = [_Kept(block, stale=fetched.stale) for block in blocks]
            await self._write(
                {
                    key: self._policy.answer(_encoder.encode(block), month.end(), now)
                    for (month, key, _), block in zip(span, blocks, strict=True)
                }
            )
        for flight, result in zip(flights, results, strict=True):
            flight.set_result(result)

    async def _read(self, keys: Sequence[str]) -> list[Entry | None]:
        try:
            return await self._cache.get_many(keys)
        except CacheUnavailable:
            return [None] * len(keys)

    async def _write(self, entries: dict[str, Entry]) -> None:
        with suppress(CacheUnavailable):
            await self._cache.put_many(entries)


def _months(first: dt.date, last: dt.date) -> list[Month]:
    months, month, end = [], Month.of(first), Month.of(last)
    while month <= end:
        months.append(month)
        month = month.next()
    return months


def _spans(missing: list[tuple[Month, str, Entry | None]]) -> list[list[tuple[Month, str, Entry | None]]]:
    """Runs of consecutive months."""
    spans: list[list[tuple[Month, str, Entry | None]]] = []
    for item in missing:
        if spans and spans[-1][-1][0].next() == item[0]:
            spans[-1].append(item)
        else:
            spans.append([item])
    return spans


def _kept(entry: Entry) -> _Kept:
    if entry.no_data is not None:
        return _Kept(Block(), no_data=entry.no_data)
    return _Kept(_block_decoder.decode(entry.payload))


def _blocks(months: list[Month], points: dict[dt.date, int]) -> list[Block]:
    by_month: dict[Month, list[tuple[int, int]]] = {month: [] for month in months}
    for day, views in sorted(points.items()):
        by_month[Month.of(day)].append((day.day, views))
    return [Block(tuple(by_month[month])) for month in months]


def _assembled(months: list[Month], kept: list[_Kept], first: dt.date, last: dt.date) -> Fetched:
    points = tuple(
        DataPoint(day, views)
        for month, one in zip(months, kept, strict=True)
        for day_of_month, views in one.block.points
        if first <= (day := dt.date(month.year, month.month, day_of_month)) <= last
    )
    if not points:
        raise NoData(next((one.no_data for one in kept if one.no_data), ""))
    return Fetched(points, stale=any(one.stale for one in kept))


class Memo(Generic[T]):
    """The cache-aside core for whole values of one type: `get(key, period_end, fetch)` answers
    `(value, stale)`."""

    def __init__(
        self, kind: type[T], cache: Cache, policy: CachePolicy, clock: Clock, observe: Observe = _ignore
    ) -> None:
        self._decoder = msgspec.msgpack.Decoder(kind)
        self._cache = cache
        self._policy = policy
        self._clock = clock
        self._observe = observe
        self._flights: dict[str, asyncio.Task[tuple[T, bool]]] = {}

    async def get(
        self, key: str, period_end: dt.datetime, fetch: Callable[[], Awaitable[T]]
    ) -> tuple[T, bool]:
        before = self._flights.get(key)  # joined if it lands while the cache is read (as SeriesBlocks does)
        entry = await self._read(key)
        if entry is not None and entry.is_fresh(self._clock.now()):
            self._observe("hit")
            return self._value(entry), False
        flight = self._flights.get(key) or before
        self._observe("miss" if flight is None else "coalesced")
        if flight is None:
            flight = asyncio.ensure_future(self._refresh(key, period_end, fetch, entry))
            self._flights[key] = flight
            flight.add_done_callback(lambda done: self._land(key, done))
        # Shielded: a caller that goes away does not cancel the request the others are waiting for.
        return await asyncio.shield(flight)

    async def _refresh(
        self, key: str, period_end: dt.datetime, fetch: Callable[[], Awaitable[T]], kept: Entry | None
    ) -> tuple[T, bool]:
        try:
            value = await fetch()
        except NoData as exc:
            await self._write(key, self._policy.no_data(exc.detail, self._clock.now()))
            raise
        except UPSTREAM_FAILURES as exc:
            if kept is None or kept.no_data is not None:
                raise
            log.warning("serving a stale answer for %s: %s", key, exc.detail)
            self._observe("stale")
            return self._value(kept), True
        await self._write(key, self._policy.answer(_encoder.encode(value), period_end, self._clock.now()))
        return value, False

    def _value(self, entry: Entry) -> T:
        if entry.no_data is not None:
            raise NoData(entry.no_data)
        return self._decoder.decode(entry.payload)

    def _land(self, key: str, flight: asyncio.Task[tuple[T, bool]]) -> None:
        if self._flights.get(key) is flight:
            del self._flights[key]
        if not flight.cancelled():
            flight.exception()  # retrieved here, so a flight whose callers all left is not reported as lost

    async def _read(self, key: str) -> Entry | None:
        try:
            return await self._cache.get(key)
        except CacheUnavailable:
            return None

    async def _write(self, key: str, entry: Entry) -> None:
        with suppress(CacheUnavailable):
            await self._cache.put(key, entry)


class CachingSource:
    """Decorates both sources with the cache: per-article series by blocks, top lists whole."""

    def __init__(
        self,
        source: PageviewsSource,
        top_source: TopArticlesSource,
        cache: Cache,
        policy: CachePolicy,
        clock: Clock,
        observe: Observe = _ignore,
    ) -> None:
        self._source = source
        self._top_source = top_source
        self._blocks = SeriesBlocks(cache, policy, clock, observe)
        self._top = Memo(TopArticles, cache, policy, clock, observe)

    async def per_article(
        self, query: ArticleQuery, granularity: Granularity, first: dt.date, last: dt.date
    ) -> Fetched:
        async def fetch(granularity: Granularity, first: dt.date, last: dt.date) -> Fetched:
            return await self._source.per_article(query, granularity, first, last)

        return await self._blocks.points(article_series(query), granularity, first, last, fetch)

    async def top_articles(self, project: Project, access: Access, month: Month) -> TopArticles:
        async def fetch() -> TopArticles:
            return await self._top_source.top_articles(project, access, month)

        top, stale = await self._top.get(top_key(project, access, month), month.end(), fetch)
        return msgspec.structs.replace(top, stale=True) if stale else top
