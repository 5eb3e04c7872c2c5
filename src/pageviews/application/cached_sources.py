"""A `PageviewsSource` that remembers: fresh answers come from the cache, concurrent misses of one key make one
upstream request, and when the upstream fails a kept answer is served, marked stale. It speaks only the domain's
ports, so any new source method gets the same treatment by going through a `Memo`."""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
from collections.abc import Awaitable, Callable
from contextlib import suppress
from typing import Generic, TypeVar

import msgspec

from pageviews.domain.cache_policy import CachePolicy, Entry, per_article_key, top_key
from pageviews.domain.errors import NoData, UpstreamError, UpstreamTimeout, UpstreamUnavailable
from pageviews.domain.model import Access, ArticleQuery, DataPoint, Fetched, Granularity, Month, Project
from pageviews.domain.ports import Cache, CacheUnavailable, Clock, PageviewsSource, TopArticlesSource
from pageviews.domain.series import PeriodRange, checked_points
from pageviews.domain.top import TopArticles

log = logging.getLogger(__name__)

UPSTREAM_FAILURES = (UpstreamError, UpstreamUnavailable, UpstreamTimeout)
"""What a stale answer may stand in for. Not `NoData` (an answer) nor a bug (which must surface)."""

_encoder = msgspec.msgpack.Encoder()

T = TypeVar("T")
Observe = Callable[[str], None]
"""Told the result of every lookup: `hit`, `miss`, `coalesced` or `stale` (for metrics)."""


def _ignore(result: str) -> None:
    pass


class Memo(Generic[T]):
    """The cache-aside core for values of one type: `get(key, period_end, fetch)` answers `(value, stale)`."""

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
        entry = await self._read(key)
        if entry is not None and entry.is_fresh(self._clock.now()):
            self._observe("hit")
            return self._value(entry), False
        flight = self._flights.get(key)
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
    """Decorates both sources with the cache; each answer is keyed by everything that changes it."""

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
        self._per_article = Memo(tuple[DataPoint, ...], cache, policy, clock, observe)
        self._top = Memo(TopArticles, cache, policy, clock, observe)

    async def per_article(
        self, query: ArticleQuery, granularity: Granularity, first: dt.date, last: dt.date
    ) -> Fetched:
        async def fetch() -> tuple[DataPoint, ...]:
            points = (await self._source.per_article(query, granularity, first, last)).points
            # Checked before it is stored: an answer for periods not asked is an upstream error, never data.
            checked_points(PeriodRange(granularity, first, last), points)
            return points

        key = per_article_key(query, granularity, first, last)
        points, stale = await self._per_article.get(key, Granularity.DAILY.end_of(last), fetch)
        return Fetched(points, stale=stale)

    async def top_articles(self, project: Project, access: Access, month: Month) -> TopArticles:
        async def fetch() -> TopArticles:
            return await self._top_source.top_articles(project, access, month)

        top, stale = await self._top.get(top_key(project, access, month), month.end(), fetch)
        return msgspec.structs.replace(top, stale=True) if stale else top
