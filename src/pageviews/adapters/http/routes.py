"""The HTTP endpoints: parse the request into domain values, call a use case, shape the answer."""

from __future__ import annotations

from typing import Annotated, Any

import msgspec
from litestar import Request, Response, get
from litestar.di import NamedDependency
from litestar.exceptions import NotFoundException, ServiceUnavailableException
from litestar.openapi.spec import Example
from litestar.params import PathParameter, QueryParameter
from litestar.response import Redirect

from pageviews.adapters.http.caching import cache_headers
from pageviews.adapters.http.responses import documented_ok, error_responses
from pageviews.domain.caching import CacheHealth, CachePolicy
from pageviews.domain.model import Access, Agent, Article, ArticleQuery, Month, MonthlyViews, Project
from pageviews.service import PageviewsService


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


class Status(msgspec.Struct):
    status: str


ProjectParam = Annotated[
    str,
    QueryParameter(
        name="project",
        description="Wikimedia project, like en.wikipedia, de.wikipedia, es.wiktionary, commons.wikimedia "
        "(en.wikipedia.org and upper case are accepted).",
        examples=[Example(value="en.wikipedia")],
    ),
]
AccessParam = Annotated[
    str,
    QueryParameter(
        name="access",
        description="Which platform's views to count.",
        schema_extra={"enum": [a.value for a in Access]},
    ),
]
AgentParam = Annotated[
    str,
    QueryParameter(
        name="agent",
        description="Whose views to count: `user` (humans, the default), `spider`, `automated` or `all-agents`.",
        schema_extra={"enum": [a.value for a in Agent]},
    ),
]

MONTHLY_DESCRIPTION = """\
How many times one article was viewed in one calendar month, from Wikimedia's pageviews API.

The path is `/monthly_view_count/{article}/{year}/{month}`: the article is everything between
`/monthly_view_count/` and the last two segments, so titles with `/` (`AC/DC`) work raw or as `%2F`;
encode `?` as `%3F`, `%` as `%25` and `#` as `%23` (and `#` is not allowed in titles). `year` is four digits,
`month` is `1`..`12` or `01`..`12`. Titles are normalised the way MediaWiki does (spaces to underscores, first
letter upper-cased except on wiktionaries); the answer carries the canonical title.

`complete` is false for the current month (the count so far) and for a month that ended less than the settle
period ago (`PAGEVIEWS_SETTLE_HOURS`, default 48 h), while Wikimedia may still be loading its last days."""


@get(
    "/monthly_view_count/{path:path}",
    operation_id="monthlyViewCount",
    operation_class=documented_ok(
        {
            "project": "en.wikipedia",
            "article": "Albert_Einstein",
            "year": 2023,
            "month": 10,
            "access": "all-access",
            "agent": "user",
            "views": 631058,
            "complete": True,
            "stale": False,
        }
    ),
    summary="Views of an article in a month",
    description=MONTHLY_DESCRIPTION,
    tags=["pageviews"],
    responses=error_responses(400, 404, 429, 500, 502, 503, 504),
)
async def monthly_view_count(
    path: Annotated[
        str,
        PathParameter(
            description="`{article}/{year}/{month}`, e.g. `Albert_Einstein/2023/10` or `AC/DC/2023/10`.",
            examples=[Example(value="Albert_Einstein/2023/10")],
        ),
    ],
    service: NamedDependency[PageviewsService],
    cache_policy: NamedDependency[CachePolicy],
    project: ProjectParam = "en.wikipedia",
    access: AccessParam = Access.ALL.value,
    agent: AgentParam = Agent.USER.value,
) -> Response[MonthlyViewCount]:
    raw_article, year, month = _split_article_path(path)
    parsed_project = Project.parse(project)
    query = ArticleQuery(
        project=parsed_project,
        article=Article.parse(raw_article, parsed_project),
        access=Access.parse(access),
        agent=Agent.parse(agent),
    )
    answer = await service.monthly_views(query, Month.from_parts(year, month))
    headers = cache_headers(cache_policy, complete=answer.complete, stale=answer.stale)
    return Response(MonthlyViewCount.of(answer), headers=headers)


def _split_article_path(path: str) -> tuple[str, str, str]:
    """`{article}/{year}/{month}`, where the article may itself contain `/`."""
    head, _, month = path.removeprefix("/").rpartition("/")
    article, separator, year = head.rpartition("/")
    if not separator:
        raise NotFoundException("expected /monthly_view_count/{article}/{year}/{month}")
    return article, year, month


@get("/health", operation_id="health", summary="Liveness", tags=["operations"], cache=False)
async def health() -> Status:
    """200 while the process runs; never touches the upstream."""
    return Status("ok")


class Readiness(msgspec.Struct):
    status: str
    cache: CacheHealth
    """`memory` (in-process cache only), `shared` (Redis answers) or `degraded` (Redis does not: answers come
    from memory and Wikimedia). A degraded cache keeps the service ready: it still answers every request."""


@get(
    "/ready",
    operation_id="ready",
    summary="Readiness",
    tags=["operations"],
    responses=error_responses(503, examples={503: ("not_ready", "the service is starting or shutting down")}),
)
async def ready(request: Request[Any, Any, Any], cache_health: NamedDependency[CacheHealth]) -> Readiness:
    """200 once the service has started and until it begins shutting down, whatever the cache's state."""
    if not getattr(request.app.state, "ready", False):
        raise ServiceUnavailableException(
            "the service is starting or shutting down", headers={"Retry-After": "1"}
        )
    return Readiness("ready", cache_health)


@get("/apidocs", include_in_schema=False)
async def apidocs() -> Redirect:
    """The original service's docs address."""
    return Redirect("/schema", status_code=301)


ROUTES = [monthly_view_count, health, ready, apidocs]
