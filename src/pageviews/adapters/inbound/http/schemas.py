"""The bodies the HTTP API answers with, built from the domain's answers; handlers live apart, per resource."""

from __future__ import annotations

from typing import Annotated, Any

import msgspec
from msgspec import UNSET, UnsetType

from pageviews.adapters.inbound.http import patterns
from pageviews.adapters.inbound.http.problems import Problem
from pageviews.application.use_cases import MAX_BATCH
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
