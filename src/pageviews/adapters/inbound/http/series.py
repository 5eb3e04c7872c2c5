"""`GET /v1/pageviews/{project}/{article}`: one article's views per month or per day over a range."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Annotated, Any
from urllib.parse import quote, urlencode

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
from pageviews.adapters.inbound.http.openapi import INCLUDED_PAGE, ONE_MONTH, documented_ok, error_responses
from pageviews.adapters.inbound.http.parameters import (
    AccessQuery,
    BreakdownQuery,
    FromQuery,
    GranularityQuery,
    OptionalAgentQuery,
    ProjectPath,
    RedirectsQuery,
    ToQuery,
)
from pageviews.adapters.inbound.http.schemas import SeriesOut
from pageviews.adapters.inbound.http.serving import Serving
from pageviews.adapters.inbound.http.tables import series_table
from pageviews.domain.cache_policy import CachePolicy
from pageviews.domain.model import Access, Agent, Article, ArticleQuery, Granularity, Project
from pageviews.domain.pages import CountedPage, Notice, RedirectsChoice
from pageviews.domain.series import MAX_DAYS, MAX_MONTHS, Breakdown, PeriodRange, Series

SERIES_DESCRIPTION = f"""\
Views of one article per month or per day over a range, with the total (and the peak day for daily series).

The article is everything after the project and may contain `/`. Wikimedia omits periods with zero views: a
period that has settled (ended more than `PAGEVIEWS_SETTLE_HOURS` ago) and was not reported is a 0; an
unsettled period is shown as Wikimedia has it with `complete: false`, and left out while Wikimedia has nothing
for it. A range with no data at all is, once some of it has settled, a 200 with zeros when the wiki has the
page, a 404 `no_such_page` (naming the page it probably meant) when it has not, a 400 when the title is not one
it can have; while none of it has settled, a 404 `no_data`. Ranges cover at most {MAX_MONTHS} months or {MAX_DAYS} days.
Send `Accept: text/csv` for CSV (`period,views` plus one column per part of a breakdown); with
`redirects=follow|include` its headers say what the JSON says beside the numbers: `Pageviews-Page`,
`Pageviews-Redirected-From`, `Pageviews-Fragment` (titles percent-encoded as in a URL's path),
`Pageviews-Truncated: true`, `Pageviews-Notice` (the notices' codes) and, with `include`, a `Link` to each
title's count (`/v1/redirects/...?format=csv`)."""


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
        more={
            "follow": (
                "redirects=follow: Einstein redirects to Albert_Einstein",
                {**ONE_MONTH, "page": {"title": "Albert_Einstein", "redirected_from": "Einstein"}},
            ),
            "include": (
                "redirects=include: the page and every redirect to it, summed",
                {
                    **ONE_MONTH,
                    "total": 421178,
                    "items": [{"period": "2023-01", "views": 421178, "complete": True}],
                    "page": INCLUDED_PAGE,
                },
            ),
            "without_mediawiki": (
                "redirects=follow while MediaWiki cannot be asked: the title as asked, and a notice",
                {
                    **ONE_MONTH,
                    "article": "Einstein",
                    "total": 8102,
                    "items": [{"period": "2023-01", "views": 8102, "complete": True}],
                    "notices": [
                        {
                            "code": "page_facts_unavailable",
                            "detail": "MediaWiki (en.wikipedia.org) did not answer in time: the title is counted "
                            "as asked, without following redirects",
                        }
                    ],
                },
            ),
        },
    ),
    summary="Views of an article over a range",
    description=SERIES_DESCRIPTION,
    tags=["v1"],
    responses=error_responses(400, 404, 406, 429, 500, 502, 503, 504),
)
async def series(
    request: Request[Any, Any, Any],
    project: ProjectPath,
    article: Annotated[
        str,
        PathParameter(
            description="The title, as on the wiki (spaces or underscores; it may contain `/`). The pattern is a "
            "common subset of titles; any title MediaWiki allows is taken.",
            examples=[Example(value="Albert_Einstein")],
            schema_extra={"pattern": patterns.TITLE},
        ),
    ],
    serving: NamedDependency[Serving],
    start: FromQuery,
    end: ToQuery = None,
    granularity: GranularityQuery = Granularity.MONTHLY.value,
    access: AccessQuery = Access.ALL.value,
    agent: OptionalAgentQuery = None,
    breakdown: BreakdownQuery = None,
    redirects: RedirectsQuery = RedirectsChoice.EXACT.value,
    format: FormatQuery = None,
) -> Response[SeriesOut]:
    service, cache_policy = serving.services.pageviews, serving.cache_policy
    wanted = representation(request, format)
    parsed_project = Project.parse_one(project, "articles' views")
    parsed_access, parsed_agent = Access.parse(access), None if agent is None else Agent.parse(agent)
    split = None if breakdown is None else Breakdown.parse(breakdown, parsed_access, parsed_agent)
    query = ArticleQuery(
        parsed_project,
        Article.parse(article.removeprefix("/"), parsed_project),
        parsed_access,
        parsed_agent or Agent.USER,
    )
    periods = PeriodRange.parse(Granularity.parse(granularity), start, end, service.today())
    choice = RedirectsChoice.parse(redirects)
    found = await service.series(query, periods, split, choice)
    answer = SeriesOut.of(found)
    headers = negotiated(series_cache_headers(cache_policy, found, choice))
    if wanted is Representation.CSV:
        described = page_headers(
            found.query, found.page, found.notices, periods.granularity, answer.from_, answer.to
        )
        return csv_response(*series_table(answer), {**headers, **described})
    return Response(answer, headers=headers)


PAGE_HEADERS = (
    "Pageviews-Page",
    "Pageviews-Redirected-From",
    "Pageviews-Fragment",
    "Pageviews-Truncated",
    "Pageviews-Notice",
    "Link",
)
"""What a CSV answer with `redirects=follow|include` says in headers, its rows staying `period,views`: the
page counted, the title asked when it redirects there, the section, whether `include` was cut at the limit,
the codes of its notices, and (with `include`) a link to each title's count (`/v1/redirects` as CSV)."""

_TITLE_SAFE = "/()!$&'*+,;=:@"
"""A title in a header is percent-encoded UTF-8, as in a URL's path (headers are ASCII)."""


def page_headers(
    query: ArticleQuery,
    page: CountedPage | None,
    notices: Sequence[Notice],
    granularity: Granularity,
    start: str,
    end: str,
) -> dict[str, str]:
    """The headers of a CSV answer that say what its JSON says beside the numbers (none by default)."""
    headers: dict[str, str] = {}
    if page is not None:
        headers["Pageviews-Page"] = quote(page.title, safe=_TITLE_SAFE)
        if page.redirected_from is not None:
            headers["Pageviews-Redirected-From"] = quote(page.redirected_from, safe=_TITLE_SAFE)
        if page.fragment is not None:
            headers["Pageviews-Fragment"] = quote(page.fragment, safe=_TITLE_SAFE)
        if page.titles is not None:
            if page.truncated:
                headers["Pageviews-Truncated"] = "true"
            counts = urlencode(
                {
                    "from": start,
                    "to": end,
                    "granularity": granularity.value,
                    "access": query.access.value,
                    "agent": query.agent.value,
                    "format": "csv",
                }
            )
            title = quote(page.title, safe=_TITLE_SAFE)
            headers["Link"] = f'</v1/redirects/{query.project}/{title}?{counts}>; rel="related"'
    if notices:
        headers["Pageviews-Notice"] = ", ".join(dict.fromkeys(notice.code for notice in notices))
    return headers


def series_cache_headers(policy: CachePolicy, found: Series, choice: RedirectsChoice) -> dict[str, str]:
    """An answer that followed or included redirects is as fresh as the page facts it rests on; one made
    without them (the wiki could not be asked) is for this response only."""
    return cache_headers(
        policy,
        found.complete,
        found.stale,
        page_facts=choice is not RedirectsChoice.EXACT,
        degraded=bool(found.notices),
    )
