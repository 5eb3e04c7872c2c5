"""The use cases of a project's totals and of the country lists, in the service's own style: validated ranges,
zero-filled settled periods, `complete` flags, top lists only for periods that have settled."""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import Awaitable, Callable, Mapping
from typing import TypeVar

from pageviews.application.cached_metrics import MetricsSource
from pageviews.application.page_facts import site_infos
from pageviews.domain.countries import (
    TOP_BY_COUNTRY_START,
    TOP_PER_COUNTRY_START,
    Country,
    TopCountries,
    TopOfCountry,
)
from pageviews.domain.devices import DevicesQuery, UniqueDevices, build_device_items, check_devices_range
from pageviews.domain.errors import (
    BeforeDataStart,
    DayNotComplete,
    FutureDate,
    MonthNotComplete,
    NoData,
    PageviewsError,
    no_data_about,
)
from pageviews.domain.freshness import Freshness
from pageviews.domain.model import Access, Fetched, Granularity, Month, Project
from pageviews.domain.non_articles import Exclude, is_article
from pageviews.domain.ports import Clock, PageFacts
from pageviews.domain.series import Breakdown, PeriodRange, build_items, checked_points
from pageviews.domain.siteviews import (
    HourlyFetched,
    HourRange,
    SiteGranularity,
    SiteQuery,
    SiteSeries,
    build_hourly_items,
    checked_hours,
    end_of_hour,
)
from pageviews.domain.top import check_limit

R = TypeVar("R")


async def _parts(
    queries: Mapping[str, SiteQuery], fetch: Callable[[SiteQuery], Awaitable[R]], empty: R
) -> dict[str, R]:
    """Every part fetched at once; a part with no data is `empty`; the first domain error of a failed part is
    raised as itself (not as an ExceptionGroup: a 500)."""

    async def one(query: SiteQuery) -> R:
        try:
            return await fetch(query)
        except NoData:
            return empty

    try:
        async with asyncio.TaskGroup() as group:
            tasks = {name: group.create_task(one(query)) for name, query in queries.items()}
    except ExceptionGroup as failed:
        errors = [error for error in failed.exceptions if isinstance(error, PageviewsError)]
        if len(errors) < len(failed.exceptions):
            raise
        raise errors[0] from None
    return {name: task.result() for name, task in tasks.items()}


class SitesService:
    def __init__(
        self,
        metrics: MetricsSource,
        clock: Clock,
        freshness: Freshness,
        page_facts: PageFacts | None = None,
        page_facts_budget: float | None = None,
    ) -> None:
        self._metrics = metrics
        self._clock = clock
        self._freshness = freshness
        self._page_facts = page_facts
        self._page_facts_budget = page_facts_budget
        """Seconds a top list waits for what a wiki says of itself before telling articles apart by the tables
        (None: as long as the wiki's own deadline)."""

    def now(self) -> dt.datetime:
        return self._clock.now().astimezone(dt.UTC)

    def today(self) -> dt.date:
        return self.now().date()

    async def siteviews(
        self,
        query: SiteQuery,
        granularity: SiteGranularity,
        periods: PeriodRange,
        breakdown: Breakdown | None = None,
    ) -> SiteSeries:
        """A project's views per month, day or hour over a range (one upstream request per part)."""
        with no_data_about(f"the views of {query.project} in this range"):
            return await self._siteviews(query, granularity, periods, breakdown)

    async def _siteviews(
        self,
        query: SiteQuery,
        granularity: SiteGranularity,
        periods: PeriodRange,
        breakdown: Breakdown | None,
    ) -> SiteSeries:
        now = self.now()
        queries = {"": query} if breakdown is None else breakdown.parts(query)
        whole = query if breakdown is None else breakdown.whole(query)
        if granularity is SiteGranularity.HOURLY:
            hours = HourRange.of_days(periods, now)

            async def hourly(part: SiteQuery) -> HourlyFetched:
                return await self._metrics.aggregate_hourly(part, hours.first, hours.last)

            fetched_hours = await _parts(queries, hourly, HourlyFetched(()))
            by_hour = {name: checked_hours(hours, f.points) for name, f in fetched_hours.items()}
            return SiteSeries(
                whole,
                granularity,
                periods,
                hours=build_hourly_items(hours, by_hour, now, self._freshness),
                breakdown=breakdown,
                stale=any(f.stale for f in fetched_hours.values()),
                complete=self._freshness.is_settled(end_of_hour(hours.last), now)
                and hours.last.date() == periods.last,
            )

        async def points(part: SiteQuery) -> Fetched:
            return await self._metrics.aggregate(part, periods.granularity, periods.first, periods.last)

        fetched = await _parts(queries, points, Fetched(()))
        parts = {name: checked_points(periods, f.points) for name, f in fetched.items()}
        return SiteSeries(
            whole,
            granularity,
            periods,
            items=build_items(periods, parts, now, self._freshness),
            breakdown=breakdown,
            stale=any(f.stale for f in fetched.values()),
            complete=self._freshness.is_settled(periods.period_end(periods.last_start), now),
        )

    async def unique_devices(self, query: DevicesQuery, periods: PeriodRange) -> UniqueDevices:
        check_devices_range(periods)
        now = self.now()
        with no_data_about(f"the unique devices of {query.project} in this range"):
            counts = await self._metrics.unique_devices(
                query, periods.granularity, periods.first, periods.last
            )
            items = build_device_items(periods, counts.points, now, self._freshness)
        complete = self._freshness.is_settled(periods.period_end(periods.last_start), now)
        return UniqueDevices(query, periods, items, counts.stale, complete)

    async def top_by_country(
        self, project: Project, access: Access, month: Month, limit: int
    ) -> TopCountries:
        """A complete month's views of a project by country, at most `limit` countries."""
        check_limit(limit)
        self._check_complete_month(month, TOP_BY_COUNTRY_START)
        with no_data_about(f"the views of {project} by country in {month}"):
            found = await self._metrics.top_by_country(project, access, month)
        return TopCountries(found.project, found.access, found.month, found.entries[:limit], found.stale)

    async def top_per_country(
        self,
        country: Country,
        access: Access,
        month: Month,
        day: int | None,
        limit: int,
        exclude: Exclude | None = None,
    ) -> TopOfCountry:
        """A country's most viewed articles of a settled day, or of a complete month (`day` None)."""
        check_limit(limit)
        if day is None:
            self._check_complete_month(month, Month.of(TOP_PER_COUNTRY_START))
        else:
            self._check_settled_day(dt.date(month.year, month.month, day))
        period = month if day is None else dt.date(month.year, month.month, day)
        with no_data_about(f"the top list of {country} in {period}"):
            found = await self._metrics.top_per_country(country, access, month, day)
        entries = found.entries
        if exclude is Exclude.NON_ARTICLES:
            projects = sorted({e.project for e in entries})
            infos = await site_infos(self._page_facts, projects, self._page_facts_budget)
            sites = dict(zip(projects, infos, strict=True))
            entries = tuple(e for e in entries if is_article(e.article, e.project, sites[e.project]))
        return TopOfCountry(found.country, found.access, found.month, found.day, entries[:limit], found.stale)

    def _check_complete_month(self, month: Month, start: Month) -> None:
        now = self.now()
        if month < start:
            raise BeforeDataStart(f"{month} is before {start}, where this list starts")
        self._freshness.check_servable(month, now)
        if not self._freshness.is_complete(month, now):
            raise MonthNotComplete(f"{month} is not complete yet; these lists exist only for complete months")

    def _check_settled_day(self, day: dt.date) -> None:
        now = self.now()
        if day < TOP_PER_COUNTRY_START:
            raise BeforeDataStart(
                f"{day} is before {TOP_PER_COUNTRY_START}, where the lists per country start"
            )
        if day > now.date():
            raise FutureDate(f"{day} is in the future")
        if not self._freshness.is_settled(Granularity.DAILY.end_of(day), now):
            raise DayNotComplete(f"{day} has not settled yet; the lists exist only for settled days")
