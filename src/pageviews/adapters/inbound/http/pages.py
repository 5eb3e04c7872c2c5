"""`GET /v1/redirects/{project}/{article}` and `GET /v1/langviews/{project}/{article}`: one page across the
titles it has, the redirects to it (Pageviews Analysis's Redirect Views) and its other languages (Langviews),
each with its views over a range. Both ask the wiki (MediaWiki) what the page is."""

from __future__ import annotations

from typing import Annotated, Any

from litestar import Request, Response, get
from litestar.di import NamedDependency
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
from pageviews.adapters.inbound.http.openapi import documented_ok, error_responses
from pageviews.adapters.inbound.http.parameters import (
    AccessQuery,
    AgentQuery,
    FromQuery,
    GranularityQuery,
    ProjectPath,
    ToQuery,
)
from pageviews.adapters.inbound.http.schemas import LanguageViewsOut, RedirectViewsOut
from pageviews.adapters.inbound.http.serving import Serving
from pageviews.adapters.inbound.http.tables import languages_table
from pageviews.domain.errors import NoData
from pageviews.domain.model import Access, Agent, Article, ArticleQuery, Granularity, Project
from pageviews.domain.series import PeriodRange

ArticlePath = Annotated[
    str,
    PathParameter(
        description="The page's title, or a redirect to it (followed), as on the wiki; it may contain `/`.",
        examples=[Example(value="Albert_Einstein")],
        schema_extra={"pattern": patterns.TITLE},
    ),
]
ERRORS = error_responses(
    400,
    404,
    406,
    429,
    500,
    502,
    503,
    504,
    examples={
        400: [
            (
                "invalid_title",
                "en.wikipedia cannot have a page titled 'Talk:': The requested page title is empty "
                "or contains only the name of a namespace.",
            ),
            ("invalid_project", "all-projects is not one wiki: it has no pages to ask about"),
        ]
    },
)


@get(
    "/v1/redirects/{project:str}/{article:path}",
    operation_id="redirectViews",
    operation_class=documented_ok(
        {
            "project": "en.wikipedia",
            "article": "Albert_Einstein",
            "redirected_from": "Einstein",
            "access": "all-access",
            "agent": "user",
            "granularity": "monthly",
            "from": "2023-01",
            "to": "2023-01",
            "total": 421310,
            "titles": [
                {"title": "Albert_Einstein", "views": 412345, "redirect": False},
                {"title": "Einstein", "views": 8102, "redirect": True},
                {"title": "Albert_einstein", "views": 731, "redirect": True},
                {"title": "Einstein's_brain_(section)", "views": 132, "redirect": True, "fragment": "Brain"},
            ],
            "truncated": False,
            "complete": True,
            "stale": False,
        },
        "title,redirect,fragment,views\r\nAlbert_Einstein,false,,412345\r\nEinstein,true,,8102\r\n",
    ),
    summary="Views of a page and of each redirect to it",
    description="The page (the target, when the title asked is a redirect) and every redirect to it, each with "
    "its views over the range, the page first, then the redirects by views; `total` is their sum (what "
    "`redirects=include` counts). A title Wikimedia has no data for has 0 views once some of the range has "
    "settled; while none has, `views: null` (not loaded yet, maybe). A redirect to a section carries its `fragment`. At most "
    "`PAGEVIEWS_REDIRECTS_LIMIT` redirects are counted (`truncated` says when there are more). "
    "CSV: `title,redirect,fragment,views`.",
    tags=["v1"],
    responses=ERRORS,
)
async def redirect_views(
    request: Request[Any, Any, Any],
    project: ProjectPath,
    article: ArticlePath,
    serving: NamedDependency[Serving],
    start: FromQuery,
    end: ToQuery = None,
    granularity: GranularityQuery = Granularity.MONTHLY.value,
    access: AccessQuery = Access.ALL.value,
    agent: AgentQuery = Agent.USER.value,
    format: FormatQuery = None,
) -> Response[RedirectViewsOut]:
    service, cache_policy = serving.services.pageviews, serving.cache_policy
    wanted = representation(request, format)
    query = _query(project, article, access, agent)
    periods = PeriodRange.parse(Granularity.parse(granularity), start, end, service.today())
    answer = RedirectViewsOut.of(await service.redirect_views(query, periods))
    headers = negotiated(cache_headers(cache_policy, answer.complete, answer.stale, page_facts=True))
    if wanted is Representation.CSV:
        rows = [[t.title, str(t.redirect).lower(), t.fragment or "", t.views] for t in answer.titles]
        return csv_response(["title", "redirect", "fragment", "views"], rows, headers)
    return Response(answer, headers=headers)


@get(
    "/v1/langviews/{project:str}/{article:path}",
    operation_id="languageViews",
    operation_class=documented_ok(
        {
            "project": "en.wikipedia",
            "article": "Python_(programming_language)",
            "redirected_from": None,
            "access": "all-access",
            "agent": "user",
            "granularity": "monthly",
            "from": "2023-01",
            "to": "2023-01",
            "total": 1063476,
            "languages": [
                {
                    "lang": "en",
                    "project": "en.wikipedia",
                    "title": "Python_(programming_language)",
                    "views": 812345,
                },
                {
                    "lang": "de",
                    "project": "de.wikipedia",
                    "title": "Python_(Programmiersprache)",
                    "views": 251020,
                },
                {
                    "lang": "gsw",
                    "project": "als.wikipedia",
                    "title": "Python_(Programmiersprache)",
                    "views": 111,
                },
                {
                    "lang": "zh",
                    "project": "zh.wikipedia",
                    "title": "Python",
                    "views": None,
                    "problem": {
                        "type": "urn:pageviews:problem:upstream_timeout",
                        "title": "Gateway Timeout",
                        "status": 504,
                        "detail": "Wikimedia (wikimedia.org) did not answer in time",
                        "code": "upstream_timeout",
                    },
                },
            ],
            "complete": True,
            "stale": False,
        },
        "lang,project,title,views,problem\r\nen,en.wikipedia,Python_(programming_language),812345,\r\n"
        "de,de.wikipedia,Python_(Programmiersprache),251020,\r\n"
        "gsw,als.wikipedia,Python_(Programmiersprache),111,\r\nzh,zh.wikipedia,Python,,upstream_timeout\r\n",
    ),
    summary="Views of a page in every language",
    description="The page (the target, when the title asked is a redirect) and the same page in every other "
    "language of its family, from its language links: each language's title and views over the range, by "
    "views (most first), with the total. A language is named by the wiki's code and its project by the link's "
    "URL (`gsw` is `als.wikipedia`). A language whose views could not be counted is a row with `views: null` "
    "and its `problem`, not a failure of the whole answer. A language Wikimedia has no data for has 0 views "
    "once some of the range has settled; while none has, its data may not be loaded yet, so its row is "
    "`views: null` with the problem `no_data` (the series endpoint's rule). Each language's views are asked through the same "
    "cache and limits as every series. CSV: `lang,project,title,views,problem` (`problem`: the code of the "
    "problem of a language without views).",
    tags=["v1"],
    responses=ERRORS,
)
async def language_views(
    request: Request[Any, Any, Any],
    project: ProjectPath,
    article: ArticlePath,
    serving: NamedDependency[Serving],
    start: FromQuery,
    end: ToQuery = None,
    granularity: GranularityQuery = Granularity.MONTHLY.value,
    access: AccessQuery = Access.ALL.value,
    agent: AgentQuery = Agent.USER.value,
    format: FormatQuery = None,
) -> Response[LanguageViewsOut]:
    service, cache_policy = serving.services.pageviews, serving.cache_policy
    wanted = representation(request, format)
    query = _query(project, article, access, agent)
    periods = PeriodRange.parse(Granularity.parse(granularity), start, end, service.today())
    answer = LanguageViewsOut.of(await service.language_views(query, periods))
    # A language not loaded yet (no_data, in a range none of which has settled) is an answer for now; one
    # that could not be counted makes the whole answer one for this response only.
    failed = any(row.problem is not None and row.problem.code != NoData.code for row in answer.languages)
    headers = negotiated(
        cache_headers(cache_policy, answer.complete, answer.stale, page_facts=True, degraded=failed)
    )
    if wanted is Representation.CSV:
        return csv_response(*languages_table(answer), headers)
    return Response(answer, headers=headers)


def _query(project: str, article: str, access: str, agent: str) -> ArticleQuery:
    parsed = Project.parse_one(project, "articles' views")
    return ArticleQuery(
        parsed, Article.parse(article.removeprefix("/"), parsed), Access.parse(access), Agent.parse(agent)
    )
