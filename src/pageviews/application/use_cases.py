"""The use cases: what the service does, in terms of the domain and its ports only."""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass

from pageviews.application.mirror import MirrorService
from pageviews.application.siteviews import SitesService
from pageviews.domain.cache_policy import CacheHealth
from pageviews.domain.errors import InvalidBatch, MonthNotComplete, NoData, PageviewsError
from pageviews.domain.freshness import Freshness
from pageviews.domain.model import Access, Agent, Article, ArticleQuery, Fetched, Month, MonthlyViews, Project
from pageviews.domain.non_articles import Exclude, is_article
from pageviews.domain.ports import Clock, PageviewsSource, TopArticlesSource
from pageviews.domain.series import Breakdown, PeriodRange, Series, build_items, checked_points
from pageviews.domain.top import TopArticles, check_limit

MAX_BATCH = 100


def check_batch(titles: Sequence[str]) -> None:
    if not 1 <= len(titles) <= MAX_BATCH:
        raise InvalidBatch(f"a batch has 1 to {MAX_BATCH} articles; got {len(titles)}")


class PageviewsService:
    def __init__(
        self,
        source: PageviewsSource,
        clock: Clock,
        freshness: Freshness,
        top_source: TopArticlesSource,
        batch_concurrency: int = 4,
    ) -> None:
        self._source = source
        self._top_source = top_source
        self._clock = clock
        self._freshness = freshness
        self._batch_concurrency = batch_concurrency

    def today(self) -> dt.date:
        return self._clock.now().astimezone(dt.UTC).date()

    async def monthly_views(self, query: ArticleQuery, month: Month) -> MonthlyViews:
        """Views of one article in one month: a one-month series, so one upstream request for exactly it."""
        series = await self.series(query, PeriodRange.for_month(month, self.today()))
        (item,) = series.items
        return MonthlyViews(query, month, item.views, complete=item.complete, stale=series.stale)

    async def series(
        self, query: ArticleQuery, periods: PeriodRange, breakdown: Breakdown | None = None
    ) -> Series:
        """Views per day or month over a range: one upstream request for the range (one per part, made
        concurrently, when split by agent or access), zero-filled where Wikimedia omits settled periods."""
        now = self._clock.now()
        if breakdown is None:
            fetched = await self._fetch(query, periods)
            parts = {"": checked_points(periods, fetched.points)}
            stale = fetched.stale
        else:
            queries = breakdown.parts(query)
            try:
                async with asyncio.TaskGroup() as group:
                    tasks = {
                        name: group.create_task(self._fetch_or_nothing(q, periods))
                        for name, q in queries.items()
                    }
            except ExceptionGroup as failed:
                # The caller gets the domain error (mapped to its status), not an ExceptionGroup (a 500). Not
                # `except*`: before Python 3.11.4 (Debian 12 has 3.11.2) what is raised inside `except*` comes
                # out wrapped in another ExceptionGroup (CPython gh-103590).
                errors = [error for error in failed.exceptions if isinstance(error, PageviewsError)]
                if len(errors) < len(failed.exceptions):
                    raise
                raise errors[0] from None
            parts = {name: checked_points(periods, task.result().points) for name, task in tasks.items()}
            stale = any(task.result().stale for task in tasks.values())
            query = breakdown.whole(query)
        items = build_items(periods, parts, now, self._freshness)
        complete = self._freshness.is_settled(periods.period_end(periods.last_start), now)
        return Series(query, periods, items, breakdown, stale, complete)

    async def top(
        self, project: Project, access: Access, month: Month, limit: int, exclude: Exclude | None = None
    ) -> TopArticles:
        """A complete month's most viewed articles, at most `limit` of them (articles only, with
        `exclude=non-articles`: Wikimedia's ranks are kept)."""
        check_limit(limit)
        now = self._clock.now()
        self._freshness.check_servable(month, now)
        if not self._freshness.is_complete(month, now):
            raise MonthNotComplete(f"{month} is not complete yet; top lists exist only for complete months")
        top = await self._top_source.top_articles(project, access, month)
        entries = top.entries
        if exclude is Exclude.NON_ARTICLES:
            entries = tuple(entry for entry in entries if is_article(entry.article, project.name))
        return TopArticles(top.project, top.access, top.month, entries[:limit], top.stale)

    async def batch(
        self,
        project: Project,
        titles: Sequence[str],
        periods: PeriodRange,
        access: Access,
        agent: Agent,
    ) -> list[Series | PageviewsError]:
        """One result per title, in order: its series, or the error for that title alone; at most
        `batch_concurrency` of them are asked upstream at a time."""
        check_batch(titles)
        limit = asyncio.Semaphore(self._batch_concurrency)

        async def one(title: str) -> Series | PageviewsError:
            # Each title in a step of its own: a batch answered from the cache never holds the event loop
            # for more than one series (a few milliseconds), however many titles it has.
            await asyncio.sleep(0)
            try:
                query = ArticleQuery(project, Article.parse(title, project), access, agent)
                async with limit:
                    return await self.series(query, periods)
            except PageviewsError as error:
                return error

        return list(await asyncio.gather(*(one(title) for title in titles)))

    async def _fetch(self, query: ArticleQuery, periods: PeriodRange) -> Fetched:
        return await self._source.per_article(query, periods.granularity, periods.first, periods.last)

    async def _fetch_or_nothing(self, query: ArticleQuery, periods: PeriodRange) -> Fetched:
        try:
            return await self._fetch(query, periods)
        except NoData:
            return Fetched(())


@dataclass(frozen=True)
class Services:
    """The use cases of a started service (their adapters open): what an inbound adapter is given to serve."""

    pageviews: PageviewsService
    cache_health: Callable[[], Awaitable[CacheHealth]]
    sites: SitesService
    mirror: MirrorService
