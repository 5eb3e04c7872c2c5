"""`GET /monthly_view_count/{article}/{year}/{month}`: the original service's endpoint, one article in one month."""

from __future__ import annotations

from typing import Annotated, Any

from litestar import Request, Response, get
from litestar.di import NamedDependency
from litestar.exceptions import NotFoundException
from litestar.openapi.spec import Example
from litestar.params import PathParameter

from pageviews.adapters.inbound.http import patterns
from pageviews.adapters.inbound.http.conditional import cache_headers
from pageviews.adapters.inbound.http.negotiation import (
    FormatQuery,
    Representation,
    csv_response,
    negotiated,
    representation,
)
from pageviews.adapters.inbound.http.openapi import INCLUDED_PAGE, documented_ok, error_responses
from pageviews.adapters.inbound.http.parameters import AccessQuery, AgentQuery, ProjectQuery, RedirectsQuery
from pageviews.adapters.inbound.http.schemas import MonthlyViewCount
from pageviews.adapters.inbound.http.series import page_headers
from pageviews.adapters.inbound.http.serving import Serving
from pageviews.domain.model import Access, Agent, Article, ArticleQuery, Granularity, Month, Project
from pageviews.domain.pages import RedirectsChoice

MONTHLY_DESCRIPTION = """\
How many times one article was viewed in one calendar month, from Wikimedia's pageviews API.

The path is `/monthly_view_count/{article}/{year}/{month}`: the article is everything between
`/monthly_view_count/` and the last two segments, so titles with `/` (`AC/DC`) work raw or as `%2F`;
encode `?` as `%3F`, `%` as `%25` and `#` as `%23` (and `#` is not allowed in titles). `year` is four digits,
`month` is `1`..`12` or `01`..`12`. Titles are normalised the way MediaWiki does (spaces to underscores, first
letter upper-cased except on wiktionaries); the answer carries the canonical title.

`complete` is false for the current month (the count so far) and for a month that ended less than the settle
period ago (`PAGEVIEWS_SETTLE_HOURS`, default 48 h), while Wikimedia may still be loading its last days.
Send `Accept: text/csv` (or `?format=csv`) for CSV: `period,views`, as the series endpoint gives it (with its
`Pageviews-*` headers when redirects are followed or included).

`redirects=follow` counts the page the title redirects to, `redirects=include` the page and every redirect to
it (both ask the wiki; `page` says which page was counted). A complete month with no data is 0 views when the
wiki has the page and a 404 `no_such_page` (with a `suggestion`) when it has not."""


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
            "agent": "all-agents",
            "views": 631058,
            "complete": True,
            "stale": False,
        },
        "period,views\r\n2023-10,631058\r\n",
        more={
            "follow": (
                "?redirects=follow: Einstein redirects to Albert_Einstein",
                {
                    "project": "en.wikipedia",
                    "article": "Albert_Einstein",
                    "year": 2023,
                    "month": 10,
                    "access": "all-access",
                    "agent": "user",
                    "views": 412345,
                    "complete": True,
                    "stale": False,
                    "page": {"title": "Albert_Einstein", "redirected_from": "Einstein"},
                },
            ),
            "include": (
                "?redirects=include: the page and every redirect to it, summed",
                {
                    "project": "en.wikipedia",
                    "article": "Albert_Einstein",
                    "year": 2023,
                    "month": 10,
                    "access": "all-access",
                    "agent": "user",
                    "views": 421178,
                    "complete": True,
                    "stale": False,
                    "page": INCLUDED_PAGE,
                },
            ),
        },
    ),
    summary="Views of an article in a month",
    description=MONTHLY_DESCRIPTION,
    tags=["pageviews"],
    responses=error_responses(400, 404, 406, 429, 500, 502, 503, 504),
)
async def monthly_view_count(
    request: Request[Any, Any, Any],
    path: Annotated[
        str,
        PathParameter(
            description="`{article}/{year}/{month}`, e.g. `Albert_Einstein/2023/10` or `AC/DC/2023/10`: a month "
            "from July 2015 to the current one. The pattern's title is a common subset of titles; any title "
            "MediaWiki allows is taken.",
            examples=[Example(value="Albert_Einstein/2023/10")],
            schema_extra={"pattern": patterns.MONTHLY_PATH},
        ),
    ],
    serving: NamedDependency[Serving],
    project: ProjectQuery = "en.wikipedia",
    access: AccessQuery = Access.ALL.value,
    agent: AgentQuery = Agent.USER.value,
    redirects: RedirectsQuery = RedirectsChoice.EXACT.value,
    format: FormatQuery = None,
) -> Response[MonthlyViewCount]:
    service, cache_policy = serving.services.pageviews, serving.cache_policy
    wanted = representation(request, format)
    raw_article, year, month = _split_article_path(path)
    parsed_project = Project.parse_one(project, "articles' views")
    query = ArticleQuery(
        project=parsed_project,
        article=Article.parse(raw_article, parsed_project),
        access=Access.parse(access),
        agent=Agent.parse(agent),
    )
    choice = RedirectsChoice.parse(redirects)
    answer = await service.monthly_views(query, Month.from_parts(year, month), choice)
    headers = negotiated(
        cache_headers(
            cache_policy,
            complete=answer.complete,
            stale=answer.stale,
            page_facts=choice is not RedirectsChoice.EXACT,
            degraded=bool(answer.notices),
        )
    )
    if wanted is Representation.CSV:
        month = str(answer.month)
        described = page_headers(answer.query, answer.page, answer.notices, Granularity.MONTHLY, month, month)
        return csv_response(["period", "views"], [[month, answer.views]], {**headers, **described})
    return Response(MonthlyViewCount.of(answer), headers=headers)


def _split_article_path(path: str) -> tuple[str, str, str]:
    """`{article}/{year}/{month}`, where the article may itself contain `/`."""
    head, _, month = path.removeprefix("/").rpartition("/")
    article, separator, year = head.rpartition("/")
    if not separator:
        raise NotFoundException("expected /monthly_view_count/{article}/{year}/{month}")
    return article, year, month
