"""The bodies the HTTP API answers with, built from the domain's answers; handlers live apart, per resource."""

from __future__ import annotations

from typing import Annotated, Any

import msgspec
from msgspec import UNSET, UnsetType

from pageviews.adapters.inbound.http import patterns
from pageviews.adapters.inbound.http.problems import Problem, problem_of
from pageviews.application.use_cases import MAX_BATCH
from pageviews.domain.cache_policy import CacheHealth
from pageviews.domain.model import Access, Agent, Granularity
from pageviews.domain.page_series import LanguageViews, RedirectViews
from pageviews.domain.pages import CountedPage, Notice, RedirectsChoice
from pageviews.domain.series import Breakdown, MonthlyViews, Series
from pageviews.domain.top import TopArticles


class CountedTitleOut(msgspec.Struct, omit_defaults=True):
    title: str
    views: int | None
    """Null when Wikimedia has no data for this title and none of the range has settled (its data may not be
    loaded yet): not known, rather than 0."""
    redirect: bool
    fragment: str | None = None
    """The section a redirect leads to."""


class PageOut(msgspec.Struct, omit_defaults=True):
    """The page counted, when redirects are followed or included."""

    title: str
    redirected_from: str | None
    """The title asked, when it redirects to `title` (null when it is the page itself)."""
    fragment: str | None = None
    titles: list[CountedTitleOut] | None = None
    """With `redirects=include`: every title counted, the page first, with its views over the range."""
    truncated: bool = False
    """With `redirects=include`: the page has more redirects than `PAGEVIEWS_REDIRECTS_LIMIT`; the first
    ones (as the wiki lists them) are counted."""

    @classmethod
    def of(cls, page: CountedPage) -> PageOut:
        titles = None
        if page.titles is not None:
            titles = [CountedTitleOut(t.title, t.views, t.redirect, t.fragment) for t in page.titles]
        return cls(page.title, page.redirected_from, page.fragment, titles, page.truncated)


class NoticeOut(msgspec.Struct):
    """Something the answer could not take into account (`page_facts_unavailable`: MediaWiki could not be
    asked, so the title was counted as asked)."""

    code: str
    detail: str


def _page(page: CountedPage | None) -> PageOut | UnsetType:
    return UNSET if page is None else PageOut.of(page)


def _notices(notices: tuple[Notice, ...]) -> list[NoticeOut] | UnsetType:
    return [NoticeOut(n.code, n.detail) for n in notices] if notices else UNSET


class MonthlyViewCount(msgspec.Struct):
    project: str
    article: str
    year: int
    month: int
    access: Access
    agent: Agent
    views: int
    complete: bool
    stale: bool = False
    """True when Wikimedia could not be asked and this is the last answer it gave (see `X-Cache: stale`)."""
    page: PageOut | UnsetType = UNSET
    """With `redirects=follow` or `include`: the page counted."""
    notices: list[NoticeOut] | UnsetType = UNSET

    @classmethod
    def of(cls, answer: MonthlyViews) -> MonthlyViewCount:
        query = answer.query
        return cls(
            project=query.project.name,
            article=query.article.title,
            year=answer.month.year,
            month=answer.month.month,
            access=query.access,
            agent=query.agent,
            views=answer.views,
            complete=answer.complete,
            stale=answer.stale,
            page=_page(answer.page),
            notices=_notices(answer.notices),
        )


class Peak(msgspec.Struct):
    period: str
    views: int


class SeriesItemOut(msgspec.Struct, omit_defaults=True, gc=False):
    period: str
    views: int
    complete: bool
    breakdown: dict[str, int] | None = None


class SeriesOut(msgspec.Struct, kw_only=True, omit_defaults=True):
    project: str
    article: str
    access: Access
    agent: Agent
    granularity: Granularity
    from_: str = msgspec.field(name="from")
    to: str
    total: int
    items: list[SeriesItemOut]
    stale: bool
    peak: Peak | None = None
    breakdown: Breakdown | None = None
    page: PageOut | UnsetType = UNSET
    """With `redirects=follow` or `include`: the page counted (`article` is its title)."""
    notices: list[NoticeOut] | UnsetType = UNSET

    @classmethod
    def of(cls, series: Series) -> SeriesOut:
        periods, query = series.periods, series.query
        peak = series.peak if periods.granularity is Granularity.DAILY else None
        return cls(
            project=query.project.name,
            article=query.article.title,
            access=query.access,
            agent=query.agent,
            granularity=periods.granularity,
            from_=periods.label(periods.first),
            to=periods.label(periods.last),
            total=series.total,
            items=[
                SeriesItemOut(
                    periods.label(i.period), i.views, i.complete, dict(i.parts) if i.parts else None
                )
                for i in series.items
            ],
            stale=series.stale,
            peak=Peak(periods.label(peak.period), peak.views) if peak else None,
            breakdown=series.breakdown,
            page=_page(series.page),
            notices=_notices(series.notices),
        )


class RedirectViewsOut(msgspec.Struct, kw_only=True):
    project: str
    article: str
    """The page (the redirect's target when the title asked is a redirect)."""
    redirected_from: str | None
    access: Access
    agent: Agent
    granularity: Granularity
    from_: str = msgspec.field(name="from")
    to: str
    total: int
    """The page's views and its redirects' together."""
    titles: list[CountedTitleOut]
    """The page first, then its redirects by views (most first)."""
    truncated: bool
    """The page has more redirects than `PAGEVIEWS_REDIRECTS_LIMIT`; the first ones are counted."""
    complete: bool
    stale: bool

    @classmethod
    def of(cls, answer: RedirectViews) -> RedirectViewsOut:
        periods = answer.periods
        return cls(
            project=answer.project.name,
            article=answer.page,
            redirected_from=answer.redirected_from,
            access=answer.access,
            agent=answer.agent,
            granularity=periods.granularity,
            from_=periods.label(periods.first),
            to=periods.label(periods.last),
            total=answer.total,
            titles=[CountedTitleOut(t.title, t.views, t.redirect, t.fragment) for t in answer.titles],
            truncated=answer.truncated,
            complete=answer.complete,
            stale=answer.stale,
        )


class LanguageOut(msgspec.Struct, omit_defaults=True):
    lang: str
    """The language code as the wiki lists it (`gsw` is on `als.wikipedia`)."""
    project: str
    title: str
    views: int | None
    """Null when this language could not be counted (`problem` says why)."""
    problem: Problem | None = None


class LanguageViewsOut(msgspec.Struct, kw_only=True):
    project: str
    article: str
    redirected_from: str | None
    access: Access
    agent: Agent
    granularity: Granularity
    from_: str = msgspec.field(name="from")
    to: str
    total: int
    """Of the languages counted."""
    languages: list[LanguageOut]
    """This project's page first among equals, every language by views (most first), failed ones last."""
    complete: bool
    stale: bool

    @classmethod
    def of(cls, answer: LanguageViews) -> LanguageViewsOut:
        periods = answer.periods
        return cls(
            project=answer.project.name,
            article=answer.page,
            redirected_from=answer.redirected_from,
            access=answer.access,
            agent=answer.agent,
            granularity=periods.granularity,
            from_=periods.label(periods.first),
            to=periods.label(periods.last),
            total=answer.total,
            languages=[
                LanguageOut(
                    row.lang,
                    row.project.name,
                    row.title,
                    row.views,
                    None if row.error is None else problem_of(row.error),
                )
                for row in answer.rows
            ],
            complete=answer.complete,
            stale=answer.stale,
        )


class TopItemOut(msgspec.Struct, gc=False):
    rank: int
    article: str
    views: int


class TopOut(msgspec.Struct):
    project: str
    month: str
    access: Access
    items: list[TopItemOut]
    stale: bool = False

    @classmethod
    def of(cls, top: TopArticles) -> TopOut:
        items = [TopItemOut(e.rank, e.article, e.views) for e in top.entries]
        return cls(top.project.name, str(top.month), top.access, items, top.stale)


def _documented(description: str, **schema: Any) -> Any:
    """JSON Schema for the document only: the domain checks these, so that a client gets its stable code."""
    return msgspec.Meta(extra_json_schema={"description": description, "extra": schema})


class BatchRequest(msgspec.Struct, forbid_unknown_fields=True):
    articles: Annotated[
        list[str],
        _documented(
            f"1 to {MAX_BATCH} titles of the project; a title that is not valid is a problem in its own result",
            minItems=1,
            maxItems=MAX_BATCH,
        ),
    ]
    from_: Annotated[
        str, _documented("First period, as in the series endpoint.", pattern=patterns.PERIOD)
    ] = msgspec.field(name="from")
    project: Annotated[
        str, _documented("Wikimedia project, like en.wikipedia.", pattern=patterns.PROJECT)
    ] = "en.wikipedia"
    to: Annotated[str, _documented("Last period (default: `from`).", pattern=patterns.PERIOD)] | UnsetType = (
        UNSET
    )
    """A string when it is there (not null)."""
    granularity: Annotated[str, _documented("`monthly` or `daily`.", enum=[g.value for g in Granularity])] = (
        Granularity.MONTHLY.value
    )
    access: Annotated[str, _documented("Which platform's views.", enum=[a.value for a in Access])] = (
        Access.ALL.value
    )
    agent: Annotated[str, _documented("Whose views.", enum=[a.value for a in Agent])] = Agent.USER.value
    redirects: Annotated[
        str,
        _documented(
            "`exact`, `follow` or `include`, as in the series endpoint.",
            enum=[c.value for c in RedirectsChoice],
        ),
    ] = RedirectsChoice.EXACT.value


class BatchResult(msgspec.Struct, omit_defaults=True):
    article: str
    series: SeriesOut | None = None
    problem: Problem | None = None


class BatchOut(msgspec.Struct):
    results: list[BatchResult]


class Status(msgspec.Struct):
    status: str


class Readiness(msgspec.Struct):
    status: str
    cache: CacheHealth
    """`memory` (in-process cache only), `shared` (Redis answers) or `degraded` (Redis does not: answers come
    from memory and Wikimedia). A degraded cache keeps the service ready: it still answers every request."""
