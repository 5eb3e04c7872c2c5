"""`GET /v1/top/{project}/{YYYY-MM}`: a complete month's most viewed articles."""

from __future__ import annotations

from typing import Annotated, Any

from litestar import Request, Response, get
from litestar.di import NamedDependency
from litestar.openapi.spec import Example
from litestar.params import PathParameter, QueryParameter

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
from pageviews.adapters.inbound.http.parameters import AccessQuery, ExcludeQuery, ProjectPath
from pageviews.adapters.inbound.http.schemas import TopOut
from pageviews.adapters.inbound.http.serving import Serving
from pageviews.adapters.inbound.http.tables import top_table
from pageviews.domain.model import Access, Month, Project
from pageviews.domain.non_articles import Exclude
from pageviews.domain.top import DEFAULT_TOP, MAX_TOP, parse_limit


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
    "may tie); `exclude=non-articles` keeps articles only. `month` is `YYYY-MM`. Send `Accept: text/csv` for CSV (`rank,article,views`).",
    tags=["v1"],
    responses=error_responses(400, 404, 406, 429, 500, 502, 503, 504),
)
async def top(
    request: Request[Any, Any, Any],
    project: ProjectPath,
    month: Annotated[
        str,
        PathParameter(
            description="`YYYY-MM`, a complete month: from July 2015 to the month before last (a month is complete "
            "once its data has settled, `PAGEVIEWS_SETTLE_HOURS` after it ends).",
            examples=[Example(value="2023-10")],
            schema_extra={"pattern": patterns.MONTH},
        ),
    ],
    serving: NamedDependency[Serving],
    access: AccessQuery = Access.ALL.value,
    limit: Annotated[
        str,
        # Read as text and parsed by the domain: only a plain whole number is a limit (not 1e3 or 1.0), and a
        # client gets the `invalid_limit` code for one out of bounds.
        QueryParameter(
            name="limit",
            description=f"At most this many (1 to {MAX_TOP}).",
            schema_extra={"type": "integer", "minimum": 1, "maximum": MAX_TOP, "default": DEFAULT_TOP},
        ),
    ] = str(DEFAULT_TOP),
    format: FormatQuery = None,
    exclude: ExcludeQuery = None,
) -> Response[TopOut]:
    service, cache_policy = serving.services.pageviews, serving.cache_policy
    wanted = representation(request, format)
    parsed = (
        Project.parse_one(project, "top articles"),
        Access.parse(access),
        Month.parse(month),
        parse_limit(limit),
    )
    found = await service.top(*parsed, exclude=None if exclude is None else Exclude.parse(exclude))
    answer = TopOut.of(found)
    # Top lists exist for complete months only.
    headers = negotiated(cache_headers(cache_policy, complete=True, stale=found.stale))
    if wanted is Representation.CSV:
        return csv_response(*top_table(answer), headers)
    return Response(answer, headers=headers)
