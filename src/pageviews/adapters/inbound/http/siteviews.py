"""`GET /v1/siteviews/{project}` (a project's views, or every project's, per month, day or hour) and
`GET /v1/unique-devices/{project}` (distinct devices per day or month)."""

from __future__ import annotations

from typing import Annotated, Any

from litestar import Request, Response, get
from litestar.di import NamedDependency
from litestar.openapi.spec import Example
from litestar.params import QueryParameter

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
    ONE_STRING,
    AccessQuery,
    BreakdownQuery,
    FromQuery,
    OptionalAgentQuery,
    ProjectPath,
    ToQuery,
)
from pageviews.adapters.inbound.http.serving import Serving
from pageviews.adapters.inbound.http.site_schemas import SiteSeriesOut, UniqueDevicesOut
from pageviews.domain.devices import AccessSite, DevicesQuery
from pageviews.domain.model import Access, Agent, Granularity, Project
from pageviews.domain.series import Breakdown, PeriodRange
from pageviews.domain.siteviews import MAX_HOURLY_DAYS, SiteGranularity, SiteQuery

SiteGranularityQuery = Annotated[
    str,
    QueryParameter(
        name="granularity",
        description=f"`monthly` (the default), `daily` or `hourly` (`from`/`to` are then days, at most "
        f"{MAX_HOURLY_DAYS} of them; hours are UTC).",
        schema_extra={"enum": [g.value for g in SiteGranularity], "default": SiteGranularity.MONTHLY.value},
    ),
]
DevicesGranularityQuery = Annotated[
    str,
    QueryParameter(
        name="granularity",
        description="`monthly` (the default) or `daily`.",
        schema_extra={"enum": [g.value for g in Granularity], "default": Granularity.MONTHLY.value},
    ),
]
DevicesFromQuery = Annotated[
    str,
    QueryParameter(
        name="from",
        description="First period: `YYYY-MM` (monthly or daily) or `YYYY-MM-DD` (daily only), from January 2016 "
        "(2016-01, 2016-01-01), where Wikimedia's unique devices data starts, to today, not later.",
        examples=[Example(value="2023-01")],
        schema_extra={"pattern": patterns.DEVICES_PERIOD},
    ),
]
DevicesToQuery = Annotated[
    str | None,
    QueryParameter(
        name="to",
        description="Last period, same forms as `from` and not before it (default: `from`); at most 240 months or "
        "1096 days after it.",
        required=False,
        examples=[Example(value="2023-12")],
        schema_extra={**ONE_STRING, "pattern": patterns.DEVICES_PERIOD},
    ),
]
SiteQueryParameter = Annotated[
    str | None,
    QueryParameter(
        name="site",
        description="Which site's devices: `all-sites` (the default), `desktop-site` or `mobile-site`.",
        schema_extra={**ONE_STRING, "enum": [s.value for s in AccessSite], "default": AccessSite.ALL.value},
        required=False,
    ),
]


@get(
    "/v1/siteviews/{project:str}",
    operation_id="siteviews",
    operation_class=documented_ok(
        {
            "project": "en.wikipedia",
            "access": "all-access",
            "agent": "user",
            "granularity": "monthly",
            "from": "2023-01",
            "to": "2023-02",
            "total": 14567890123,
            "items": [
                {"period": "2023-01", "views": 7567890123, "complete": True},
                {"period": "2023-02", "views": 7000000000, "complete": True},
            ],
            "stale": False,
        },
        "period,views\r\n2023-01,7567890123\r\n2023-02,7000000000\r\n",
    ),
    summary="Views of a whole project over a range",
    description="The views of every page of a project (`all-projects`: of every Wikimedia project) per month, "
    "day or hour, with the same rules as an article's series: settled periods Wikimedia did not report are 0, "
    "unsettled ones are `complete: false` or left out, a range with no data is a 404; `breakdown` splits each "
    "period by agent or access. From July 2015. Send `Accept: text/csv` for CSV.",
    tags=["v1"],
    responses=error_responses(400, 404, 406, 429, 500, 502, 503, 504),
)
async def siteviews(
    request: Request[Any, Any, Any],
    project: ProjectPath,
    serving: NamedDependency[Serving],
    start: FromQuery,
    end: ToQuery = None,
    granularity: SiteGranularityQuery = SiteGranularity.MONTHLY.value,
    access: AccessQuery = Access.ALL.value,
    agent: OptionalAgentQuery = None,
    breakdown: BreakdownQuery = None,
    format: FormatQuery = None,
) -> Response[SiteSeriesOut]:
    sites, cache_policy = serving.services.sites, serving.cache_policy
    wanted = representation(request, format)
    parsed_access, parsed_agent = Access.parse(access), None if agent is None else Agent.parse(agent)
    split = None if breakdown is None else Breakdown.parse(breakdown, parsed_access, parsed_agent)
    query = SiteQuery(Project.parse(project), parsed_access, parsed_agent or Agent.USER)
    parsed_granularity = SiteGranularity.parse(granularity)
    periods = PeriodRange.parse(parsed_granularity.periods, start, end, sites.today())
    found = await sites.siteviews(query, parsed_granularity, periods, split)
    answer = SiteSeriesOut.of(found)
    headers = negotiated(cache_headers(cache_policy, found.complete, found.stale))
    if wanted is Representation.CSV:
        parts = list(answer.items[0].breakdown or {}) if answer.items else []
        rows = [[i.period, i.views, *((i.breakdown or {}).get(p, 0) for p in parts)] for i in answer.items]
        return csv_response(["period", "views", *parts], rows, headers)
    return Response(answer, headers=headers)


@get(
    "/v1/unique-devices/{project:str}",
    operation_id="uniqueDevices",
    operation_class=documented_ok(
        {
            "project": "en.wikipedia",
            "site": "all-sites",
            "granularity": "monthly",
            "from": "2023-01",
            "to": "2023-01",
            "items": [
                {
                    "period": "2023-01",
                    "devices": 812345678,
                    "offset": 112345678,
                    "underestimate": 700000000,
                    "complete": True,
                }
            ],
            "stale": False,
        },
        "period,devices,offset,underestimate\r\n2023-01,812345678,112345678,700000000\r\n",
    ),
    summary="Unique devices of a project over a range",
    description="How many distinct devices visited a project per day or month (Wikimedia's estimate: "
    "`underestimate` from a cookie plus an `offset` for devices seen once without it; `devices` is their sum; "
    "counts of different periods do not add up). From January 2016; settled periods Wikimedia did not report "
    "are 0. Send `Accept: text/csv` for CSV.",
    tags=["v1"],
    responses=error_responses(400, 404, 406, 429, 500, 502, 503, 504),
)
async def unique_devices(
    request: Request[Any, Any, Any],
    project: ProjectPath,
    serving: NamedDependency[Serving],
    start: DevicesFromQuery,
    end: DevicesToQuery = None,
    granularity: DevicesGranularityQuery = Granularity.MONTHLY.value,
    site: SiteQueryParameter = None,
    format: FormatQuery = None,
) -> Response[UniqueDevicesOut]:
    sites, cache_policy = serving.services.sites, serving.cache_policy
    wanted = representation(request, format)
    parsed_project = Project.parse_one(project, "unique devices")
    query = DevicesQuery(parsed_project, AccessSite.ALL if site is None else AccessSite.parse(site))
    periods = PeriodRange.parse(Granularity.parse(granularity), start, end, sites.today())
    found = await sites.unique_devices(query, periods)
    answer = UniqueDevicesOut.of(found)
    headers = negotiated(cache_headers(cache_policy, found.complete, found.stale))
    if wanted is Representation.CSV:
        rows = [[i.period, i.devices, i.offset, i.underestimate] for i in answer.items]
        return csv_response(["period", "devices", "offset", "underestimate"], rows, headers)
    return Response(answer, headers=headers)
