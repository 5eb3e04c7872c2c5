"""The use cases: what the service does, in terms of the domain and its ports only."""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import TypeVar

import msgspec

from pageviews.application.mirror import MirrorService
from pageviews.application.page_facts import site_infos
from pageviews.application.siteviews import SitesService
from pageviews.domain.cache_policy import CacheHealth
from pageviews.domain.errors import (
    InvalidBatch,
    InvalidTitle,
    MonthNotComplete,
    NoData,
    NoSuchPage,
    PageviewsError,
    UpstreamError,
    UpstreamTimeout,
    UpstreamUnavailable,
    no_data_about,
)
from pageviews.domain.freshness import Freshness
from pageviews.domain.model import Access, Agent, Article, ArticleQuery, Fetched, Month, Project
from pageviews.domain.non_articles import Exclude, is_article
from pageviews.domain.page_series import LanguageRow, LanguageViews, RedirectViews
from pageviews.domain.pages import (
    PAGE_FACTS_UNAVAILABLE,
    CountedPage,
    CountedTitle,
    Notice,
    PageStatus,
    RedirectsChoice,
    Resolved,
    case_variants,
    host_of,
)
from pageviews.domain.ports import Clock, PageFacts, PageviewsSource, TopArticlesSource
from pageviews.domain.series import (
    Breakdown,
    MonthlyViews,
    PeriodRange,
    Series,
    build_items,
    checked_points,
    summed,
)
from pageviews.domain.top import TopArticles, check_limit

T = TypeVar("T")

MAX_BATCH = 100
DEFAULT_REDIRECTS_LIMIT = 200
"""Redirects counted for one page at most (each is one more series to ask Wikimedia for)."""
PAGE_FACTS_FAILURES = (UpstreamError, UpstreamUnavailable, UpstreamTimeout)
"""What keeps the wiki from answering; a page view answer then goes on without the page facts."""


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
        page_facts: PageFacts | None = None,
        redirects_limit: int = DEFAULT_REDIRECTS_LIMIT,
        page_facts_budget: float | None = None,
    ) -> None:
        self._source = source
        self._top_source = top_source
        self._clock = clock
        self._freshness = freshness
        self._batch_concurrency = batch_concurrency
        self._page_facts = page_facts
        """None when the service is configured without a wiki to ask (`PAGEVIEWS_MEDIAWIKI_URL` empty)."""
        self._redirects_limit = redirects_limit
        self._page_facts_budget = page_facts_budget
        """Seconds an answer that can do without the page facts waits for each question to the wiki (None: as
        long as the wiki's own deadline)."""

    def today(self) -> dt.date:
        return self._clock.now().astimezone(dt.UTC).date()

    async def monthly_views(
        self, query: ArticleQuery, month: Month, redirects: RedirectsChoice = RedirectsChoice.EXACT
    ) -> MonthlyViews:
        """Views of one article in one month: a one-month series, so one upstream request for exactly it."""
        series = await self.series(query, PeriodRange.for_month(month, self.today()), redirects=redirects)
        (item,) = series.items
        return MonthlyViews(
            series.query,
            month,
            item.views,
            complete=item.complete,
            stale=series.stale,
            page=series.page,
            notices=series.notices,
        )

    async def series(
        self,
        query: ArticleQuery,
        periods: PeriodRange,
        breakdown: Breakdown | None = None,
        redirects: RedirectsChoice = RedirectsChoice.EXACT,
        resolved: Resolved | PageviewsError | None = None,
        *,
        facts_required: bool = False,
    ) -> Series:
        """Views per day or month over a range, of the title (`exact`), of the page it redirects to
        (`follow`), or of the page and every redirect to it (`include`). With `exact`, the wiki is asked
        about the title only when Wikimedia has no data for it (zero views, or no such page?); `resolved` is
        what the wiki already said about the title, or the failure that kept it from saying (then it is not
        asked again), if anything. The answer can do without the page facts (it says so), so each question
        to the wiki is waited for at most the page facts' budget, unless `facts_required`."""
        if redirects is RedirectsChoice.EXACT or self._page_facts is None:
            try:
                series = await self._series(query, periods, breakdown)
            except NoData as no_data:
                series = await self._zero_or_missing(query, periods, breakdown, no_data, resolved)
            if redirects is not RedirectsChoice.EXACT:
                series = _with_notice(series, _facts_off())
            return series
        facts = resolved or await self._facts_of(query.project, query.article)
        if isinstance(facts, PageviewsError):
            return _with_notice(
                await self._series_without_facts(query, periods, breakdown, facts), _down(facts)
            )
        _check_valid(query.project, facts)
        page = msgspec.structs.replace(query, article=Article(facts.page))
        counted = CountedPage(
            title=facts.page,
            redirected_from=facts.title if facts.redirect is not None else None,
            fragment=facts.redirect.fragment if facts.redirect is not None else None,
        )
        if redirects is RedirectsChoice.FOLLOW:
            try:
                series = await self._series(page, periods, breakdown)
            except NoData as no_data:
                target = facts if facts.redirect is None else None
                series = await self._zero_or_missing(page, periods, breakdown, no_data, target, asked=query)
            # An answer is stale when anything it rests on is: the views, or what the wiki said.
            return msgspec.structs.replace(series, page=counted, stale=series.stale or facts.stale)
        return await self._included(query, page, counted, facts, periods, breakdown, facts_required)

    async def _included(
        self,
        asked: ArticleQuery,
        page: ArticleQuery,
        counted: CountedPage,
        facts: Resolved,
        periods: PeriodRange,
        breakdown: Breakdown | None,
        facts_required: bool,
    ) -> Series:
        """The page's views plus those of every redirect to it, summed per period."""
        assert self._page_facts is not None
        notices: tuple[Notice, ...] = ()
        titles: list[tuple[str, bool, str | None]] = [(page.article.title, False, None)]
        truncated = False
        stale = facts.stale
        if facts.status is PageStatus.EXISTS:
            try:
                found = await self._asked(
                    page.project,
                    self._page_facts.redirects_to(page.project, page.article, self._redirects_limit),
                    required=facts_required,
                )
            except PAGE_FACTS_FAILURES as failure:
                if facts_required:
                    raise
                notices = (_redirects_unknown(failure),)
            else:
                titles += [
                    (r.title, True, r.fragment) for r in found.redirects if r.title != page.article.title
                ]
                truncated = found.truncated
                stale = stale or found.stale
        parts = await self._counted(page, [title for title, _, _ in titles], periods, breakdown)
        if all(part is None for part in parts):
            no_data = NoData()
            series = await self._zero_or_missing(
                page, periods, breakdown, no_data, facts if facts.redirect is None else None, asked=asked
            )
            parts = [series] + [None] * (len(titles) - 1)
        whole = summed([part for part in parts if part is not None], page)
        # A title Wikimedia has no data for had no views in the settled periods; while none has settled, that
        # may only mean its data is not loaded yet: its views are not known (None), never a 0.
        nothing = 0 if self._some_settled(periods) else None
        counted = msgspec.structs.replace(
            counted,
            titles=tuple(
                CountedTitle(title, part.total if part is not None else nothing, redirect, fragment)
                for (title, redirect, fragment), part in zip(titles, parts, strict=True)
            ),
            truncated=truncated,
        )
        return msgspec.structs.replace(whole, page=counted, notices=notices, stale=whole.stale or stale)

    async def _counted(
        self,
        page: ArticleQuery,
        titles: Sequence[str],
        periods: PeriodRange,
        breakdown: Breakdown | None,
    ) -> list[Series | None]:
        """The series of each title of `page`'s project (None for a title Wikimedia has no data for), at most
        `batch_concurrency` asked at a time."""
        limit = asyncio.Semaphore(self._batch_concurrency)

        async def one(title: str) -> Series | None:
            await asyncio.sleep(0)
            try:
                query = msgspec.structs.replace(page, article=Article.parse(title, page.project))
                async with limit:
                    return await self._series(query, periods, breakdown)
            except NoData:
                return None
            except InvalidTitle:
                return None  # a title the wiki has but the pageviews API cannot name has no views there

        return list(await asyncio.gather(*(one(title) for title in titles)))

    def _some_settled(self, periods: PeriodRange) -> bool:
        """Whether some of the range has settled: only then does "no data" mean zero views (for a page that
        exists); before, it may mean the data is not loaded yet."""
        return self._freshness.is_settled(periods.period_end(periods.first), self._clock.now())

    async def _facts_of(
        self, project: Project, article: Article, *, required: bool = False
    ) -> Resolved | PageviewsError:
        """What the wiki says of one title, or the failure that kept it from saying."""
        assert self._page_facts is not None
        try:
            (facts,) = await self._asked(
                project, self._page_facts.resolve(project, [article]), required=required
            )
        except PAGE_FACTS_FAILURES as failure:
            return failure
        return facts

    async def _asked(self, project: Project, question: Awaitable[T], *, required: bool = False) -> T:
        """The wiki's answer to `question`. One that an answer can do without is waited for at most the page
        facts' budget; past it, `UpstreamTimeout` (the question itself goes on, shared and kept in the cache,
        for the answers after this one)."""
        if required or self._page_facts_budget is None:
            return await question
        try:
            async with asyncio.timeout(self._page_facts_budget):
                return await question
        except TimeoutError:
            raise UpstreamTimeout(
                f"MediaWiki ({host_of(project)}) did not answer within {self._page_facts_budget:g} s"
            ) from None

    async def _series_without_facts(
        self, query: ArticleQuery, periods: PeriodRange, breakdown: Breakdown | None, failure: PageviewsError
    ) -> Series:
        try:
            return await self._series(query, periods, breakdown)
        except NoData as no_data:
            raise _not_known(no_data, failure) from None

    async def _zero_or_missing(
        self,
        query: ArticleQuery,
        periods: PeriodRange,
        breakdown: Breakdown | None,
        no_data: NoData,
        resolved: Resolved | PageviewsError | None,
        asked: ArticleQuery | None = None,
    ) -> Series:
        """Wikimedia has no data for the title over the range. When some of the range has settled, the wiki
        says whether that means zero views (the page exists: its settled periods are zeros) or no page (a 404
        naming what it probably meant) or a title it cannot have (a 400). Otherwise the data may just not be
        loaded yet, and "no data" stands."""
        now = self._clock.now()
        if not self._some_settled(periods):
            raise _not_loaded_yet(query.article.title) from None
        if self._page_facts is None:
            raise no_data
        facts = resolved or await self._facts_of(query.project, query.article)
        if isinstance(facts, PageviewsError):
            raise _not_known(no_data, facts) from None
        return await self._from_facts(query, periods, breakdown, facts, asked or query, now)

    async def _from_facts(
        self,
        query: ArticleQuery,
        periods: PeriodRange,
        breakdown: Breakdown | None,
        facts: Resolved,
        asked: ArticleQuery,
        now: dt.datetime,
    ) -> Series:
        _check_valid(query.project, facts)
        if facts.status is PageStatus.MISSING:
            suggestion = (await self._suggestions(query.project, [facts]))[0]
            if asked.article == query.article:
                raise _no_such_page(query.project, asked.article.title, suggestion)
            # A broken redirect: the page missing is the one it leads to.
            raise _no_such_page(query.project, query.article.title, suggestion, asked.article.title)
        if breakdown is None:
            parts: dict[str, dict[dt.date, int]] = {"": {}}
        else:
            parts = {name: {} for name in breakdown.parts(query)}
            query = breakdown.whole(query)
        items = build_items(periods, parts, now, self._freshness, known_page=True)
        complete = self._freshness.is_settled(periods.period_end(periods.last_start), now)
        return Series(query, periods, items, breakdown, facts.stale, complete)

    async def _suggestions(self, project: Project, missing: Sequence[Resolved]) -> list[str | None]:
        """For each missing title, the existing page a person probably meant: the first capitalisation of it
        the wiki has (where that one redirects, when it is a redirect); None when there is none, or the wiki
        cannot be asked now (a suggestion is a courtesy, never a reason to fail)."""
        assert self._page_facts is not None
        variants = [
            [Article(variant) for variant in case_variants(facts.title) if _parses(variant, project)]
            for facts in missing
        ]
        flat = [variant for some in variants for variant in some]
        if not flat:
            return [None] * len(missing)
        try:
            answers = await self._asked(project, self._page_facts.resolve(project, flat))
        except PAGE_FACTS_FAILURES:
            return [None] * len(missing)
        existing = {
            variant: answer.page
            for variant, answer in zip(flat, answers, strict=True)
            if isinstance(answer, Resolved) and answer.status is PageStatus.EXISTS
        }
        return [next((existing[v] for v in some if v in existing), None) for some in variants]

    async def _series(
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
        with no_data_about(f"the top list of {project} in {month}"):
            top = await self._top_source.top_articles(project, access, month)
        entries = top.entries
        if exclude is Exclude.NON_ARTICLES:
            (site,) = await site_infos(self._page_facts, [project.name], self._page_facts_budget)
            entries = tuple(entry for entry in entries if is_article(entry.article, project.name, site))
        return TopArticles(top.project, top.access, top.month, entries[:limit], top.stale)

    async def batch(
        self,
        project: Project,
        titles: Sequence[str],
        periods: PeriodRange,
        access: Access,
        agent: Agent,
        redirects: RedirectsChoice = RedirectsChoice.EXACT,
        done: Callable[[], None] | None = None,
    ) -> list[Series | PageviewsError]:
        """One result per title, in order: its series, or the error for that title alone; at most
        `batch_concurrency` of them are asked upstream at a time (`done` is told as each title is answered,
        for a progress display). The wiki is asked about all the titles that
        need it in one go (up front when following or including redirects; after, for the titles Wikimedia
        has no data for)."""
        check_batch(titles)
        limit = asyncio.Semaphore(self._batch_concurrency)
        queries: list[ArticleQuery | PageviewsError] = []
        for title in titles:
            try:
                queries.append(ArticleQuery(project, Article.parse(title, project), access, agent))
            except PageviewsError as error:
                queries.append(error)
        valid = [query for query in queries if isinstance(query, ArticleQuery)]
        known: dict[Article, Resolved | PageviewsError] = {}
        if redirects is not RedirectsChoice.EXACT and self._page_facts is not None and valid:
            articles = [query.article for query in valid]
            try:
                answers = await self._asked(project, self._page_facts.resolve(project, articles))
            except PAGE_FACTS_FAILURES as failure:
                # Each title then says so itself, and the wiki is not asked again title by title.
                answers = [failure] * len(articles)
            known = dict(zip(articles, answers, strict=True))

        async def one(query: ArticleQuery | PageviewsError) -> Series | PageviewsError:
            # Each title in a step of its own: a batch answered from the cache never holds the event loop
            # for more than one series (a few milliseconds), however many titles it has.
            await asyncio.sleep(0)
            if isinstance(query, PageviewsError):
                return query
            try:
                async with limit:
                    if redirects is RedirectsChoice.EXACT:
                        return await self._series(query, periods)
                    return await self.series(query, periods, None, redirects, known.get(query.article))
            except PageviewsError as error:
                return error

        async def told(query: ArticleQuery | PageviewsError) -> Series | PageviewsError:
            result = await one(query)
            if done is not None:
                done()
            return result

        results = list(await asyncio.gather(*(told(query) for query in queries)))
        return (
            await self._settle_no_data(queries, results, periods)
            if redirects is RedirectsChoice.EXACT
            else results
        )

    async def _settle_no_data(
        self,
        queries: list[ArticleQuery | PageviewsError],
        results: list[Series | PageviewsError],
        periods: PeriodRange,
    ) -> list[Series | PageviewsError]:
        """The titles of a batch Wikimedia has no data for, asked about together: zeros, no such page, an
        invalid title (or "no data" as it was, when the wiki cannot tell)."""
        empty = [
            (index, query)
            for index, (query, result) in enumerate(zip(queries, results, strict=True))
            if isinstance(result, NoData) and isinstance(query, ArticleQuery)
        ]
        if not empty:
            return results
        first = empty[0][1]
        now = self._clock.now()
        if self._page_facts is None or not self._some_settled(periods):
            for index, query in empty:
                results[index] = await _no_data_of(
                    self._zero_or_missing(query, periods, None, NoData(), None)
                )
            return results
        facts: Sequence[Resolved | PageviewsError]
        try:
            facts = await self._asked(
                first.project, self._page_facts.resolve(first.project, [query.article for _, query in empty])
            )
        except PAGE_FACTS_FAILURES as failure:
            facts = [failure] * len(empty)
        missing = [one for one in facts if isinstance(one, Resolved) and one.status is PageStatus.MISSING]
        suggestions = dict(
            zip((one.asked for one in missing), await self._suggestions(first.project, missing), strict=True)
        )
        for (index, query), one in zip(empty, facts, strict=True):
            if isinstance(one, PageviewsError):
                results[index] = _not_known(NoData(), one)
                continue
            if one.status is PageStatus.MISSING:
                results[index] = _no_such_page(query.project, query.article.title, suggestions[one.asked])
                continue
            try:
                results[index] = await self._from_facts(query, periods, None, one, query, now)
            except PageviewsError as error:
                results[index] = error
        return results

    async def redirect_views(self, query: ArticleQuery, periods: PeriodRange) -> RedirectViews:
        """The page `query` names (or redirects to) and every redirect to it, each with its views."""
        if self._page_facts is None:
            raise UpstreamUnavailable(_facts_off().detail, retry_after=3600)
        facts = await self._facts_of(query.project, query.article, required=True)
        if isinstance(facts, PageviewsError):
            raise facts
        series = await self.series(
            query, periods, redirects=RedirectsChoice.INCLUDE, resolved=facts, facts_required=True
        )
        page = series.page
        assert page is not None
        assert page.titles is not None
        first, *others = page.titles
        return RedirectViews(
            project=query.project,
            page=page.title,
            redirected_from=page.redirected_from,
            access=query.access,
            agent=query.agent,
            periods=periods,
            titles=(first, *sorted(others, key=lambda title: (title.views is None, -(title.views or 0)))),
            truncated=page.truncated,
            complete=series.complete,
            stale=series.stale,
        )

    async def language_views(self, query: ArticleQuery, periods: PeriodRange) -> LanguageViews:
        """The page `query` names (or redirects to) in every language of its family, each with its views
        over the range; a language that fails is a row with its error."""
        if self._page_facts is None:
            raise UpstreamUnavailable(_facts_off().detail, retry_after=3600)
        facts = await self._facts_of(query.project, query.article, required=True)
        if isinstance(facts, PageviewsError):
            raise facts
        _check_valid(query.project, facts)
        if facts.status is PageStatus.MISSING:
            suggestion = (await self._suggestions(query.project, [facts]))[0]
            raise _no_such_page(query.project, query.article.title, suggestion)
        page = Article(facts.page)
        links = await self._page_facts.language_links(query.project, page)
        languages = [(_language_of(query.project), query.project, page.title)]
        languages += [(link.lang, link.project, link.title) for link in links.links]
        limit = asyncio.Semaphore(self._batch_concurrency)
        now = self._clock.now()
        some_settled = self._some_settled(periods)

        async def one(lang: str, project: Project, title: str) -> tuple[LanguageRow, bool]:
            await asyncio.sleep(0)
            try:
                other = ArticleQuery(project, Article.parse(title, project), query.access, query.agent)
                async with limit:
                    series = await self._series(other, periods)
            except NoData:
                if not some_settled:
                    return LanguageRow(
                        lang=lang, project=project, title=title, error=_not_loaded_yet(title)
                    ), False
                # A linked page exists: over settled periods, no data is no views.
                return LanguageRow(lang=lang, project=project, title=title, views=0), False
            except PageviewsError as error:
                return LanguageRow(lang=lang, project=project, title=title, error=error), False
            return LanguageRow(lang=lang, project=project, title=title, views=series.total), series.stale

        rows = await asyncio.gather(*(one(*language) for language in languages))
        ordered = sorted(rows, key=lambda row: (row[0].views is None, -(row[0].views or 0), row[0].lang))
        return LanguageViews(
            project=query.project,
            page=page.title,
            redirected_from=facts.title if facts.redirect is not None else None,
            access=query.access,
            agent=query.agent,
            periods=periods,
            rows=tuple(row for row, _ in ordered),
            complete=self._freshness.is_settled(periods.period_end(periods.last_start), now),
            stale=facts.stale or links.stale or any(stale for _, stale in ordered),
        )

    async def _fetch(self, query: ArticleQuery, periods: PeriodRange) -> Fetched:
        return await self._source.per_article(query, periods.granularity, periods.first, periods.last)

    async def _fetch_or_nothing(self, query: ArticleQuery, periods: PeriodRange) -> Fetched:
        try:
            return await self._fetch(query, periods)
        except NoData:
            return Fetched(())


def _check_valid(project: Project, facts: Resolved) -> None:
    if facts.status is PageStatus.INVALID:
        reason = f": {facts.reason}" if facts.reason else ""
        raise InvalidTitle(f"{project} cannot have a page titled {facts.asked!r}{reason}")


def _no_such_page(
    project: Project, title: str, suggestion: str | None, redirected_from: str | None = None
) -> NoSuchPage:
    """`title` is no page of `project`; `redirected_from` is the title asked when it redirects there."""
    via = f" ({redirected_from} redirects to it, a page that does not exist)" if redirected_from else ""
    hint = (
        f"; did you mean {suggestion}?"
        if suggestion
        else " (titles are case-sensitive after the first letter)"
    )
    return NoSuchPage(f"{project} has no page titled {title}{via}{hint}", title=title, suggestion=suggestion)


def _parses(title: str, project: Project) -> bool:
    try:
        Article.parse(title, project)
    except InvalidTitle:
        return False
    return True


def _language_of(project: Project) -> str:
    """The language part of a project's name (`en.wikipedia`: `en`); the project itself when it has none."""
    language, _, _ = project.name.partition(".")
    return language


def _facts_off() -> Notice:
    return Notice(
        PAGE_FACTS_UNAVAILABLE,
        "this service is configured without MediaWiki (PAGEVIEWS_MEDIAWIKI_URL is empty): titles are counted "
        "as they are asked",
    )


def _down(failure: PageviewsError) -> Notice:
    return Notice(
        PAGE_FACTS_UNAVAILABLE,
        f"{failure.detail}: the title is counted as asked, without following redirects",
    )


def _not_loaded_yet(title: str) -> NoData:
    """No data for a range none of which has settled: it may only not be loaded yet."""
    return NoData(
        f"Wikimedia has no data yet for {title} in this range: none of it has settled "
        "(data is loaded hours after each day ends), so this may change"
    )


def _not_known(no_data: NoData, failure: PageviewsError) -> NoData:
    """No data, and the wiki could not say whether that means zero views or no such page."""
    return NoData(f"{no_data.detail}; and {failure.detail}, so whether the page exists is not known")


def _redirects_unknown(failure: PageviewsError) -> Notice:
    return Notice(
        PAGE_FACTS_UNAVAILABLE, f"{failure.detail}: the page is counted without the redirects to it"
    )


def _with_notice(series: Series, notice: Notice) -> Series:
    return msgspec.structs.replace(series, notices=(*series.notices, notice))


async def _no_data_of(answer: Awaitable[Series]) -> Series | PageviewsError:
    try:
        return await answer
    except PageviewsError as error:
        return error


@dataclass(frozen=True)
class Services:
    """The use cases of a started service (their adapters open): what an inbound adapter is given to serve."""

    pageviews: PageviewsService
    cache_health: Callable[[], Awaitable[CacheHealth]]
    sites: SitesService
    mirror: MirrorService
