"""The bodies the HTTP API answers with, built from the domain's answers; handlers live apart, per resource."""

from __future__ import annotations

import msgspec

from pageviews.adapters.inbound.http.problems import Problem
from pageviews.domain.cache_policy import CacheHealth
from pageviews.domain.model import Access, Agent, Granularity, MonthlyViews
from pageviews.domain.series import Breakdown, Series
from pageviews.domain.top import TopArticles


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
        )


class Peak(msgspec.Struct):
    period: str
    views: int


class SeriesItemOut(msgspec.Struct, omit_defaults=True):
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
        )


class TopItemOut(msgspec.Struct):
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


class BatchRequest(msgspec.Struct, forbid_unknown_fields=True):
    articles: list[str]
    from_: str = msgspec.field(name="from")
    project: str = "en.wikipedia"
    to: str | None = None
    granularity: str = Granularity.MONTHLY.value
    access: str = Access.ALL.value
    agent: str = Agent.USER.value


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
