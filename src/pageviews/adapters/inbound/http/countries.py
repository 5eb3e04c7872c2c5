"""`GET /v1/top-by-country/{project}/{YYYY-MM}` (a month's views of a project by country) and
`GET /v1/top-per-country/{country}/{YYYY-MM-DD | YYYY-MM}` (a country's most viewed articles, every project)."""

from __future__ import annotations

import re
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
from pageviews.adapters.inbound.http.parameters import AccessQuery, ExcludeQuery, LimitQuery, ProjectPath
from pageviews.adapters.inbound.http.serving import Serving
from pageviews.adapters.inbound.http.site_schemas import TopByCountryOut, TopPerCountryOut
from pageviews.domain.countries import Country
from pageviews.domain.errors import InvalidRange
from pageviews.domain.model import Access, Month, Project
from pageviews.domain.non_articles import Exclude
from pageviews.domain.top import DEFAULT_TOP, parse_limit

_DAY = re.compile(r"([0-9]{4}-[0-9]{2})-([0-9]{2})")


@get(
    "/v1/top-by-country/{project:str}/{month:str}",
    operation_id="topByCountry",
    operation_class=documented_ok(
        {
            "project": "en.wikipedia",
            "month": "2023-10",
            "access": "all-access",
            "items": [
                {"rank": 1, "country": "US", "views": "1000000000-9999999999", "views_ceil": 2660000000},
                {"rank": 2, "country": "GB", "views": "100000000-999999999", "views_ceil": 690000000},
            ],
            "stale": False,
        },
        "rank,country,views,views_ceil\r\n1,US,1000000000-9999999999,2660000000\r\n",
    ),
    summary="A month's views of a project by country",
    description="Views of a project (not `all-projects`) in a complete month by country of origin (ISO "
    "3166-1 alpha-2). For privacy Wikimedia gives `views` as a bucket (`1000-9999`) and `views_ceil`, the count rounded up (absent "
    "from its oldest lists), and leaves out countries with fewer than 100 views. Send `Accept: text/csv` for CSV.",
    tags=["v1"],
    responses=error_responses(400, 404, 406, 429, 500, 502, 503, 504),
)
async def top_by_country(
    request: Request[Any, Any, Any],
    project: ProjectPath,
    month: Annotated[
        str,
        PathParameter(
            description="`YYYY-MM`, a complete month from July 2015.",
            examples=[Example(value="2023-10")],
            schema_extra={"pattern": patterns.MONTH},
        ),
    ],
    serving: NamedDependency[Serving],
    access: AccessQuery = Access.ALL.value,
    limit: LimitQuery = str(DEFAULT_TOP),
    format: FormatQuery = None,
) -> Response[TopByCountryOut]:
    sites, cache_policy = serving.services.sites, serving.cache_policy
    wanted = representation(request, format)
    parsed = (
        Project.parse_one(project, "views by country"),
        Access.parse(access),
        Month.parse(month),
        parse_limit(limit),
    )
    found = await sites.top_by_country(*parsed)
    answer = TopByCountryOut.of(found)
    headers = negotiated(cache_headers(cache_policy, complete=True, stale=found.stale))
    if wanted is Representation.CSV:
        rows = [
            [i.rank, i.country, i.views, "" if i.views_ceil is None else i.views_ceil] for i in answer.items
        ]
        return csv_response(["rank", "country", "views", "views_ceil"], rows, headers)
    return Response(answer, headers=headers)


@get(
    "/v1/top-per-country/{country:str}/{period:str}",
    operation_id="topPerCountry",
    operation_class=documented_ok(
        {
            "country": "FR",
            "period": "2023-10-05",
            "access": "all-access",
            "items": [{"rank": 1, "project": "fr.wikipedia", "article": "Paris", "views_ceil": 261500}],
            "stale": False,
        },
        "rank,project,article,views_ceil\r\n1,fr.wikipedia,Paris,261500\r\n",
    ),
    summary="A country's most viewed articles of a day or a month",
    description="The most viewed articles in one country (ISO 3166-1 alpha-2, like FR or IN) across every "
    "project, for a settled day (`YYYY-MM-DD`) or a complete month (`YYYY-MM`), from January 1st, 2021. "
    "`views_ceil` is Wikimedia's rounded upper bound, not a count; bot traffic is left out; some countries are "
    "never reported, for privacy (a 404). `exclude=non-articles` keeps articles only. Send `Accept: text/csv`.",
    tags=["v1"],
    responses=error_responses(400, 404, 406, 429, 500, 502, 503, 504),
)
async def top_per_country(
    request: Request[Any, Any, Any],
    country: Annotated[
        str,
        PathParameter(
            description="An ISO 3166-1 alpha-2 code (upper or lower case), like FR, IN or US; XK for Kosovo.",
            examples=[Example(value="FR")],
            schema_extra={"pattern": patterns.COUNTRY},
        ),
    ],
    period: Annotated[
        str,
        PathParameter(
            description="A settled day `YYYY-MM-DD` or a complete month `YYYY-MM`, from 2021-01-01 (2021-01), "
            "where Wikimedia's lists per country start.",
            examples=[Example(value="2023-10-05")],
            schema_extra={"pattern": patterns.COUNTRY_LIST_PERIOD},
        ),
    ],
    serving: NamedDependency[Serving],
    access: AccessQuery = Access.ALL.value,
    limit: LimitQuery = str(DEFAULT_TOP),
    exclude: ExcludeQuery = None,
    format: FormatQuery = None,
) -> Response[TopPerCountryOut]:
    sites, cache_policy = serving.services.sites, serving.cache_policy
    wanted = representation(request, format)
    month, day = _month_and_day(period)
    found = await sites.top_per_country(
        Country.parse(country),
        Access.parse(access),
        month,
        day,
        parse_limit(limit),
        None if exclude is None else Exclude.parse(exclude),
    )
    answer = TopPerCountryOut.of(found)
    headers = negotiated(cache_headers(cache_policy, complete=True, stale=found.stale))
    if wanted is Representation.CSV:
        rows = [[i.rank, i.project, i.article, i.views_ceil] for i in answer.items]
        return csv_response(["rank", "project", "article", "views_ceil"], rows, headers)
    return Response(answer, headers=headers)


def _month_and_day(period: str) -> tuple[Month, int | None]:
    match = _DAY.fullmatch(period)
    if match is None:
        return Month.parse(period), None
    month = Month.parse(match[1])
    day = int(match[2])
    if not 1 <= day <= month.last_day.day:
        raise InvalidRange(f"{period!r} is not a date")
    return month, day
