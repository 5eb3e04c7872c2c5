"""The v1 API: series over ranges (monthly or daily), splits by agent or access, top lists, batches, CSV."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from typing import Annotated, Any

import msgspec
from litestar import Request, Response, get, post
from litestar.di import NamedDependency
from litestar.openapi.spec import Example
from litestar.params import Body, PathParameter, QueryParameter

from pageviews.adapters.http.caching import cache_headers
from pageviews.adapters.http.problems import Problem, problem, status_of
from pageviews.adapters.http.responses import documented_ok, error_responses
from pageviews.adapters.http.routes import AccessParam
from pageviews.domain.caching import CachePolicy
from pageviews.domain.errors import PageviewsError
from pageviews.domain.model import Access, Agent, Article, ArticleQuery, Granularity, Month, Project
from pageviews.domain.series import MAX_DAYS, MAX_MONTHS, Breakdown, PeriodRange, Series
from pageviews.domain.top import DEFAULT_TOP, MAX_TOP, TopArticles
from pageviews.service import MAX_BATCH, PageviewsService

CSV = "text/csv"


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


GranularityParam = Annotated[
    str,
    QueryParameter(
        name="granularity",
        description="`monthly` (the default) or `daily`.",
        schema_extra={"enum": [g.value for g in Granularity]},
    ),
]
FromParam = Annotated[
    str,
    QueryParameter(
        name="from",
        description="First period: `YYYY-MM` (monthly or daily) or `YYYY-MM-DD` (daily).",
        examples=[Example(value="2023-01")],
    ),
]
ToParam = Annotated[
    str | None,
    QueryParameter(
        name="to", description="Last period, same forms as `from` (default: `from`).", required=False
    ),
]
AgentFilter = Annotated[
    str | None,
    QueryParameter(
        name="agent",
        description="`user` (default), `spider`, `automated` or `all-agents`.",
        schema_extra={"enum": [a.value for a in Agent]},
        required=False,
    ),
]
BreakdownParam = Annotated[
    str | None,
    QueryParameter(
        name="breakdown",
        description="Split each period by `agent` (user/spider/automated) or `access` "
        "(desktop/mobile-web/mobile-app); the parts add up to `views`.",
        schema_extra={"enum": [b.value for b in Breakdown]},
        required=False,
    ),
]

SERIES_DESCRIPTION = f"""\
Views of one article per month or per day over a range, with the total (and the peak day for daily series).

The article is everything after the project and may contain `/`. Wikimedia omits periods with zero views: a
period that has settled (ended more than `PAGEVIEWS_SETTLE_HOURS` ago) and was not reported is a 0; an
unsettled period is shown as Wikimedia has it with `complete: false`, and left out while Wikimedia has nothing
for it. A range with no data at all is a 404. Ranges cover at most {MAX_MONTHS} months or {MAX_DAYS} days.
Send `Accept: text/csv` for CSV (`period,views` plus one column per part of a breakdown)."""


@get(
    "/v1/pageviews/{project:str}/{article:path}",
    operation_id="series",
    operation_class=documented_ok(
        {
            "project": "en.wikipedia",
            "article": "Albert_Einstein",
            "access": "all-access",
            "agent": "user",
            "granularity": "monthly",
            "from": "2023-01",
            "to": "2023-02",
            "total": 812345,
            "items": [
                {"period": "2023-01", "views": 412345, "complete": True},
                {"period": "2023-02", "views": 400000, "complete": True},
            ],
            "stale": False,
        },
        "period,views\r\n2023-01,412345\r\n2023-02,400000\r\n",
    ),
    summary="Views of an article over a range",
    description=SERIES_DESCRIPTION,
    tags=["v1"],
    responses=error_responses(400, 404, 429, 500, 502, 503, 504),
)
async def series(
    request: Request[Any, Any, Any],
    project: Annotated[str, PathParameter(description="Wikimedia project, like en.wikipedia.")],
    article: Annotated[str, PathParameter(description="The title; may contain `/`.")],
    service: NamedDependency[PageviewsService],
    cache_policy: NamedDependency[CachePolicy],
    start: FromParam,
    end: ToParam = None,
    granularity: GranularityParam = Granularity.MONTHLY.value,
    access: AccessParam = Access.ALL.value,
    agent: AgentFilter = None,
    breakdown: BreakdownParam = None,
) -> Response[SeriesOut]:
    parsed_project = Project.parse(project)
    parsed_access, parsed_agent = Access.parse(access), None if agent is None else Agent.parse(agent)
    split = None if breakdown is None else Breakdown.parse(breakdown, parsed_access, parsed_agent)
    query = ArticleQuery(
        parsed_project,
        Article.parse(article.removeprefix("/"), parsed_project),
        parsed_access,
        parsed_agent or Agent.USER,
    )
    periods = PeriodRange.parse(Granularity.parse(granularity), start, end, service.today())
    found = await service.series(query, periods, split)
    answer, headers = (
        SeriesOut.of(found),
        _negotiated(cache_headers(cache_policy, found.complete, found.stale)),
    )
    if _wants_csv(request):
        parts = list(answer.items[0].breakdown or {}) if answer.items else []
        rows = [[i.period, i.views, *((i.breakdown or {}).get(p, 0) for p in parts)] for i in answer.items]
        return _csv(["period", "views", *parts], rows, headers)
    return Response(answer, headers=headers)


@get(
    "/v1/top/{project:str}/{month:str}",
    operation_id="topArticles",
    operation_class=documented_ok(
        {
            "project": "en.wikipedia",
            "month": "2023-10",
            "access": "all-access",
            "items": [
                {"rank": 1, "article": "Main_Page", "views": 216848380},
                {"rank": 2, "article": "Special:Search", "views": 25909984},
            ],
            "stale": False,
        },
        "rank,article,views\r\n1,Main_Page,216848380\r\n2,Special:Search,25909984\r\n",
    ),
    summary="A month's most viewed articles",
    description="The most viewed articles of a complete month (human traffic, as Wikimedia ranks them; ranks "
    "may tie). `month` is `YYYY-MM`. Send `Accept: text/csv` for CSV (`rank,article,views`).",
    tags=["v1"],
    responses=error_responses(400, 404, 429, 500, 502, 503, 504),
)
async def top(
    request: Request[Any, Any, Any],
    project: Annotated[str, PathParameter(description="Wikimedia project, like en.wikipedia.")],
    month: Annotated[str, PathParameter(description="`YYYY-MM`", examples=[Example(value="2023-10")])],
    service: NamedDependency[PageviewsService],
    cache_policy: NamedDependency[CachePolicy],
    access: AccessParam = Access.ALL.value,
    limit: Annotated[
        int,
        # The bounds are documented but checked by the domain, so a client gets the `invalid_limit` code.
        QueryParameter(
            name="limit",
            description=f"At most this many (1 to {MAX_TOP}).",
            schema_extra={"minimum": 1, "maximum": MAX_TOP},
        ),
    ] = DEFAULT_TOP,
) -> Response[TopOut]:
    found = await service.top(Project.parse(project), Access.parse(access), Month.parse(month), limit)
    answer = TopOut.of(found)
    headers = _negotiated(
        cache_headers(cache_policy, complete=True, stale=found.stale)
    )  # complete months only
    if _wants_csv(request):
        rows = [[i.rank, i.article, i.views] for i in answer.items]
        return _csv(["rank", "article", "views"], rows, headers)
    return Response(answer, headers=headers)


@post(
    "/v1/pageviews/batch",
    operation_id="batch",
    operation_class=documented_ok(
        {
            "results": [
                {
                    "article": "Albert_Einstein",
                    "series": {
                        "project": "en.wikipedia",
                        "article": "Albert_Einstein",
                        "access": "all-access",
                        "agent": "user",
                        "granularity": "monthly",
                        "from": "2023-01",
                        "to": "2023-01",
                        "total": 412345,
                        "items": [{"period": "2023-01", "views": 412345, "complete": True}],
                        "stale": False,
                    },
                },
                {
                    "article": "Bad|Title",
                    "problem": {
                        "type": "urn:pageviews:problem:invalid_title",
                        "title": "Bad Request",
                        "status": 400,
                        "detail": "'Bad|Title' is not a valid title",
                        "code": "invalid_title",
                    },
                },
            ]
        }
    ),
    summary="Series for many articles at once",
    description=f"Up to {MAX_BATCH} articles of one project over one range. One result per article, in "
    "order: its series, or a problem for that article alone (one bad title does not fail the batch).",
    tags=["v1"],
    status_code=200,
    responses=error_responses(400, 429, 500),
)
async def batch(
    data: Annotated[
        BatchRequest,
        Body(
            examples=[
                Example(
                    value={
                        "project": "en.wikipedia",
                        "articles": ["Albert_Einstein", "AC/DC"],
                        "from": "2023-01",
                    }
                )
            ]
        ),
    ],
    service: NamedDependency[PageviewsService],
) -> BatchOut:
    project = Project.parse(data.project)
    periods = PeriodRange.parse(Granularity.parse(data.granularity), data.from_, data.to, service.today())
    results = await service.batch(
        project, data.articles, periods, Access.parse(data.access), Agent.parse(data.agent)
    )
    return BatchOut([_result(title, result) for title, result in zip(data.articles, results, strict=True)])


def _result(title: str, result: Series | PageviewsError) -> BatchResult:
    if isinstance(result, PageviewsError):
        return BatchResult(title, problem=problem(status_of(result), result.code, result.detail))
    return BatchResult(title, series=SeriesOut.of(result))


def _wants_csv(request: Request[Any, Any, Any]) -> bool:
    return request.accept.best_match(["application/json", CSV], default="application/json") == CSV


def _negotiated(headers: dict[str, str]) -> dict[str, str]:
    """JSON or CSV depending on `Accept`: shared caches must keep them apart."""
    return {**headers, "Vary": "Accept"}


def _csv(header: Sequence[str], rows: Sequence[Sequence[object]], headers: dict[str, str]) -> Response[Any]:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows(rows)
    return Response(buffer.getvalue(), media_type=CSV, headers=headers)


V1_ROUTES = [series, top, batch]
