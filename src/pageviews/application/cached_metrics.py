"""The caching decorator of the `SiteviewsSource` and `TopListsSource` ports, made of the same parts as
`CachingSource`: daily and monthly aggregate views and unique devices in monthly blocks (`SeriesBlocks`), hours and
top lists as whole entries (`Memo`), each under its key of the domain's cache policy. Like the blocks, every whole
entry is checked by the domain's rule before it is kept (`checked_hours`, `checked_top`, ...): a wrong answer is
an upstream error, never cached."""

from __future__ import annotations

import asyncio
import datetime as dt
from typing import Protocol

import msgspec

from pageviews.application.cached_sources import Fetch, Memo, Observe, SeriesBlocks, _ignore
from pageviews.domain.cache_policy import (
    CachePolicy,
    devices_series,
    range_key,
    site_series,
    top_by_country_key,
    top_day_key,
    top_per_country_key,
)
from pageviews.domain.countries import (
    Country,
    TopCountries,
    TopOfCountry,
    checked_countries,
    checked_country_articles,
)
from pageviews.domain.devices import DeviceCount, DeviceCounts, DevicesQuery
from pageviews.domain.model import Access, DataPoint, Fetched, Granularity, Month, Project
from pageviews.domain.ports import Cache, Clock, SiteviewsSource, TopListsSource
from pageviews.domain.siteviews import HourlyFetched, HourRange, SiteQuery, checked_hours, end_of_hour
from pageviews.domain.top import TopArticles, checked_top

_COUNTS = ("devices", "offset", "underestimate")


class MetricsSource(SiteviewsSource, TopListsSource, Protocol):
    """Both ports, as one adapter implements them."""


class CachingMetricsSource:
    def __init__(
        self,
        source: MetricsSource,
        cache: Cache,
        policy: CachePolicy,
        clock: Clock,
        observe: Observe = _ignore,
    ) -> None:
        self._source = source
        self._blocks = SeriesBlocks(cache, policy, clock, observe)
        self._hours = Memo(HourlyFetched, cache, policy, clock, observe)
        self._top_days = Memo(TopArticles, cache, policy, clock, observe)
        self._by_country = Memo(TopCountries, cache, policy, clock, observe)
        self._per_country = Memo(TopOfCountry, cache, policy, clock, observe)

    async def aggregate(
        self, query: SiteQuery, granularity: Granularity, first: dt.date, last: dt.date
    ) -> Fetched:
        async def fetch(granularity: Granularity, first: dt.date, last: dt.date) -> Fetched:
            return await self._source.aggregate(query, granularity, first, last)

        return await self._blocks.points(site_series(query), granularity, first, last, fetch)

    async def aggregate_hourly(
        self, query: SiteQuery, first: dt.datetime, last: dt.datetime
    ) -> HourlyFetched:
        async def fetch() -> HourlyFetched:
            found = await self._source.aggregate_hourly(query, first, last)
            checked_hours(HourRange(first, last), found.points)
            return found

        key = range_key(site_series(query), "hourly", first, last)
        found, stale = await self._hours.get(key, end_of_hour(last), fetch)
        return msgspec.structs.replace(found, stale=True) if stale else found

    async def unique_devices(
        self, query: DevicesQuery, granularity: Granularity, first: dt.date, last: dt.date
    ) -> DeviceCounts:
        """Kept in monthly blocks like every series: one series of blocks per count (devices, offset,
        underestimate). The three ask for the same spans when the cache holds the same months of each (it
        writes them together), and then share one upstream request."""
        asked: dict[tuple[Granularity, dt.date, dt.date], asyncio.Future[DeviceCounts]] = {}

        def counted(name: str) -> Fetch:
            async def fetch(granularity: Granularity, first: dt.date, last: dt.date) -> Fetched:
                span = (granularity, first, last)
                if span not in asked:
                    asked[span] = asyncio.ensure_future(self._source.unique_devices(query, *span))
                counts = await asyncio.shield(asked[span])
                return Fetched(
                    tuple(DataPoint(c.period, getattr(c, name)) for c in counts.points), stale=counts.stale
                )

            return fetch

        series = devices_series(query)
        parts = await asyncio.gather(
            *(
                self._blocks.points(f"{series}|{name}", granularity, first, last, counted(name))
                for name in _COUNTS
            ),
            return_exceptions=True,
        )
        for part in parts:
            if isinstance(part, BaseException):
                raise part
        devices, offsets, underestimates = (
            {point.period: point.views for point in part.points}
            for part in parts
            if isinstance(part, Fetched)
        )
        return DeviceCounts(
            tuple(
                DeviceCount(period, count, offsets.get(period, 0), underestimates.get(period, 0))
                for period, count in sorted(devices.items())
            ),
            stale=any(isinstance(part, Fetched) and part.stale for part in parts),
        )

    async def top_of_day(self, project: Project, access: Access, day: dt.date) -> TopArticles:
        async def fetch() -> TopArticles:
            return checked_top(await self._source.top_of_day(project, access, day))

        found, stale = await self._top_days.get(
            top_day_key(project, access, day), Granularity.DAILY.end_of(day), fetch
        )
        return msgspec.structs.replace(found, stale=True) if stale else found

    async def top_by_country(self, project: Project, access: Access, month: Month) -> TopCountries:
        async def fetch() -> TopCountries:
            return checked_countries(await self._source.top_by_country(project, access, month))

        found, stale = await self._by_country.get(
            top_by_country_key(project, access, month), month.end(), fetch
        )
        return msgspec.structs.replace(found, stale=True) if stale else found

    async def top_per_country(
        self, country: Country, access: Access, month: Month, day: int | None
    ) -> TopOfCountry:
        async def fetch() -> TopOfCountry:
            return checked_country_articles(await self._source.top_per_country(country, access, month, day))

        end = month.end() if day is None else Granularity.DAILY.end_of(dt.date(month.year, month.month, day))
        key = top_per_country_key(country, access, month, day)
        found, stale = await self._per_country.get(key, end, fetch)
        return msgspec.structs.replace(found, stale=True) if stale else found
