"""The use cases of the Wikimedia-compatible mirror: Wikimedia's answers, as Wikimedia gives them (the points
it reports, no zero-filling, no title normalisation, no redirects), from the same caches as everything else.

Only what can have data is asked upstream: a range is clipped to the days between `MIRROR_FLOOR` (no pageview
data exists before) and today, which also bounds what any request can cost; a range with nothing left is
Wikimedia's "no data" without asking it.

A monthly range that starts or ends inside a month is the exception: Wikimedia (AQS 2) answers its cut edge
months with the sum of the days inside the range, which no whole-month block holds. It is asked upstream as it
is (through the same resilience and limits, not through the blocks) and kept as an entry of its own, under its
exact range."""

from __future__ import annotations

import calendar
import datetime as dt
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Generic, TypeVar

from pageviews.application.cached_metrics import MetricsSource
from pageviews.application.cached_sources import Memo
from pageviews.domain.cache_policy import article_series, range_key, site_series
from pageviews.domain.countries import Country, TopCountries, TopOfCountry
from pageviews.domain.devices import DeviceCounts, DevicesQuery
from pageviews.domain.errors import NoData, WikimediaBadRequest
from pageviews.domain.freshness import Freshness
from pageviews.domain.model import Access, ArticleQuery, Fetched, Granularity, Month, Project
from pageviews.domain.ports import Clock, PageviewsSource, SiteviewsSource, TopArticlesSource
from pageviews.domain.series import PeriodRange, checked_points
from pageviews.domain.siteviews import HOUR, HourlyFetched, SiteQuery, end_of_hour
from pageviews.domain.top import TopArticles

MIRROR_FLOOR = dt.date(2015, 5, 1)
"""The first day any pageview data exists (Wikimedia's hourly pageview table starts on May 1st, 2015)."""

_Fetch = Callable[[dt.date, dt.date], Awaitable[Fetched]]
T = TypeVar("T")

MAX_MIRROR_HOURS = 366 * 24
"""The mirror's own bound on an hourly range, after clipping: a year of hours."""


def has_full_month(first: dt.date, last: dt.date) -> bool:
    """Whether `first..last` contains a whole calendar month (Wikimedia's monthly ranges must)."""
    month = Month.of(first) if first.day == 1 else Month.of(first).next()
    return month.last_day <= last


@dataclass(frozen=True)
class Mirrored(Generic[T]):
    """A mirror answer: what the source gave (`stale` when it is a kept copy) and whether it is final, every
    period it covers having settled (what decides how long clients may keep it)."""

    found: T
    complete: bool


class MirrorService:
    """`pageviews`, `top` and `metrics` are the cached sources (monthly blocks, whole lists); `upstream_pageviews`
    and `upstream_metrics` the same sources without the blocks, for the ranges no block holds (kept in
    `ranges`)."""

    def __init__(
        self,
        pageviews: PageviewsSource,
        top: TopArticlesSource,
        metrics: MetricsSource,
        ranges: Memo[Fetched],
        clock: Clock,
        freshness: Freshness,
        *,
        upstream_pageviews: PageviewsSource,
        upstream_metrics: SiteviewsSource,
    ) -> None:
        self._pageviews = pageviews
        self._top = top
        self._metrics = metrics
        self._ranges = ranges
        self._clock = clock
        self._freshness = freshness
        self._upstream_pageviews = upstream_pageviews
        self._upstream_metrics = upstream_metrics

    def now(self) -> dt.datetime:
        return self._clock.now().astimezone(dt.UTC)

    def today(self) -> dt.date:
        return self.now().date()

    async def per_article(
        self, query: ArticleQuery, granularity: Granularity, first: dt.date, last: dt.date
    ) -> Mirrored[Fetched]:
        async def blocks(first: dt.date, last: dt.date) -> Fetched:
            return await self._pageviews.per_article(query, granularity, first, last)

        async def upstream(first: dt.date, last: dt.date) -> Fetched:
            return await self._upstream_pageviews.per_article(query, granularity, first, last)

        found = await self._series(article_series(query), granularity, first, last, blocks, upstream)
        return Mirrored(found, self._days_settled(Granularity.DAILY, last))

    async def aggregate(
        self, query: SiteQuery, granularity: Granularity, first: dt.date, last: dt.date
    ) -> Mirrored[Fetched]:
        async def blocks(first: dt.date, last: dt.date) -> Fetched:
            return await self._metrics.aggregate(query, granularity, first, last)

        async def upstream(first: dt.date, last: dt.date) -> Fetched:
            return await self._upstream_metrics.aggregate(query, granularity, first, last)

        found = await self._series(site_series(query), granularity, first, last, blocks, upstream)
        return Mirrored(found, self._days_settled(Granularity.DAILY, last))

    async def aggregate_hourly(
        self, query: SiteQuery, first: dt.datetime, last: dt.datetime
    ) -> Mirrored[HourlyFetched]:
        floor = dt.datetime.combine(MIRROR_FLOOR, dt.time(), tzinfo=dt.UTC)
        current = self.now().replace(minute=0, second=0, microsecond=0)
        first, last = max(first, floor), min(last, current)
        if first > last:
            raise NoData()
        if (last - first) / HOUR >= MAX_MIRROR_HOURS:
            raise WikimediaBadRequest(
                f"an hourly range covers at most {MAX_MIRROR_HOURS} hours on this mirror"
            )
        found = await self._metrics.aggregate_hourly(query, first, last)
        # `last` is now at most the current hour: a range that runs on is not final before it is over.
        return Mirrored(found, self._freshness.is_settled(end_of_hour(last), self.now()))

    async def unique_devices(
        self, query: DevicesQuery, granularity: Granularity, first: dt.date, last: dt.date
    ) -> Mirrored[DeviceCounts]:
        clipped = self._clipped(first, last)
        found = await self._metrics.unique_devices(query, granularity, *clipped)
        # A month's devices are counted over the whole month, however little of it the range covers.
        return Mirrored(found, self._days_settled(granularity, last))

    async def top(
        self, project: Project, access: Access, month: Month, day: int | None
    ) -> Mirrored[TopArticles]:
        self._check_has_data(month, day)
        if day is None:
            found = await self._top.top_articles(project, access, month)
        else:
            found = await self._metrics.top_of_day(project, access, dt.date(month.year, month.month, day))
        return Mirrored(found, self._list_settled(month, day))

    async def top_by_country(self, project: Project, access: Access, month: Month) -> Mirrored[TopCountries]:
        self._check_has_data(month, None)
        found = await self._metrics.top_by_country(project, access, month)
        return Mirrored(found, self._list_settled(month, None))

    async def top_per_country(
        self, country: Country, access: Access, month: Month, day: int | None
    ) -> Mirrored[TopOfCountry]:
        self._check_has_data(month, day)
        found = await self._metrics.top_per_country(country, access, month, day)
        return Mirrored(found, self._list_settled(month, day))

    def _days_settled(self, granularity: Granularity, last: dt.date) -> bool:
        """Whether the period of `granularity` that holds `last` has settled (one after today never has)."""
        return self._freshness.is_settled(granularity.end_of(min(last, self.today())), self.now())

    def _list_settled(self, month: Month, day: int | None) -> bool:
        """Whether the month's list (`day` None) or the day's has settled."""
        if day is None:
            return self._freshness.is_complete(month, self.now())
        return self._days_settled(Granularity.DAILY, dt.date(month.year, month.month, day))

    def _check_has_data(self, month: Month, day: int | None) -> None:
        first = month.first_day if day is None else dt.date(month.year, month.month, day)
        if first < Month.of(MIRROR_FLOOR).first_day or first > self.today():
            raise NoData()

    def _clipped(self, first: dt.date, last: dt.date) -> tuple[dt.date, dt.date]:
        first, last = max(first, MIRROR_FLOOR), min(last, self.today())
        if first > last:
            raise NoData()
        return first, last

    async def _series(
        self,
        series: str,
        granularity: Granularity,
        first: dt.date,
        last: dt.date,
        blocks: _Fetch,
        upstream: _Fetch,
    ) -> Fetched:
        """Daily ranges and whole-month monthly ranges from the blocks behind `blocks`; a monthly range that
        starts or ends inside a month from `upstream`, as it is, kept as a range of its own."""
        if granularity is Granularity.MONTHLY and not has_full_month(first, last):
            raise WikimediaBadRequest("no full months between dates")
        whole_months = first.day == 1 and (
            last.day == calendar.monthrange(last.year, last.month)[1] or last >= self.today()
        )
        if granularity is Granularity.DAILY or whole_months:
            clipped = self._clipped(
                Month.of(first).first_day if granularity is Granularity.MONTHLY else first, last
            )
            return await blocks(*clipped)
        self._clipped(first, last)  # nothing to ask when no day of it can have data
        periods = PeriodRange(granularity, first, last)

        async def partial() -> Fetched:
            fetched = await upstream(first, last)
            # Checked before it is kept: points for months not asked are an upstream error, never cached.
            checked_points(periods, fetched.points)
            return fetched

        key = range_key(series, granularity.value, first, last)
        # Final once its last day with data has settled (days after today have none yet).
        period_end = Granularity.DAILY.end_of(min(last, self.today()))
        found, stale = await self._ranges.get(key, period_end, partial)
        return Fetched(found.points, stale=stale or found.stale)
