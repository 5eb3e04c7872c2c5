"""A drop-in mirror of Wikimedia's pageviews REST API under `/api/rest_v1/metrics/`: a client of Wikimedia's
API (python-mwviews, pageviewapi, R's pageviews, plain HTTP) changes only the host.

Same paths and grammar (`mirror_grammar.py`), the same bodies (`mirror_schemas.py`: what Wikimedia reports, no
zero-filling, the title as the client sent it, no redirects followed), Wikimedia's statuses and error bodies for
its own errors; answered from the service's caches, with its coalescing, resilience, rate limit and HTTP caching
headers. Failures of Wikimedia itself keep Wikimedia's error shape with the service's status (502, 503 with
`Retry-After`, 504). Query strings are ignored, as Wikimedia ignores them. Like Wikimedia's, every answer is
`application/json; charset=utf-8` (its errors `application/problem+json`), JSON only, and readable from any
origin (`access-control-allow-origin: *`), so that a browser client too changes only the host.

The paths are not in the OpenAPI document: their contract is Wikimedia's own (https://wikimedia.org/api/rest_v1/),
and a title is split from the raw path before decoding, which an OpenAPI path parameter cannot state."""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Awaitable, Callable, Sequence
from http import HTTPStatus
from typing import Any, NamedTuple

import msgspec
from litestar import Request, Response, get
from litestar.di import NamedDependency
from litestar.types import Message, Scope, Send

from pageviews.adapters.inbound.http import mirror_grammar as grammar
from pageviews.adapters.inbound.http.conditional import cache_headers
from pageviews.adapters.inbound.http.mirror_schemas import (
    AggregateItem,
    ArticleItem,
    ByCountryItem,
    CountryArticleOut,
    CountryOut,
    DevicesItem,
    PerCountryItem,
    TopArticleOut,
    TopItem,
    WikimediaProblem,
)
from pageviews.adapters.inbound.http.problems import PROBLEM_MEDIA_TYPE, status_of
from pageviews.adapters.inbound.http.serving import Serving
from pageviews.domain.cache_policy import CachePolicy
from pageviews.domain.countries import COUNTRY_CODES, Country
from pageviews.domain.devices import AccessSite, DevicesQuery
from pageviews.domain.errors import (
    NoData,
    PageviewsError,
    UpstreamUnavailable,
    WikimediaBadRequest,
    WikimediaInvalidRoute,
)
from pageviews.domain.model import Article, ArticleQuery, DataPoint, Granularity
from pageviews.domain.siteviews import SiteQuery

NOT_FOUND_DETAIL = (
    "The date(s) you used are valid, but we either do not have data for those date(s), or the project you "
    "asked for is not loaded yet. Please check documentation for more information"
)
"""Wikimedia's own 404 text (AQS 2's pageviews service), word for word: clients match it."""
DEVICES_NOT_FOUND_DETAIL = NOT_FOUND_DETAIL.replace("not loaded yet. ", "not loaded yet.  ") + "."
"""The device-analytics service's (unique devices), which differs: two spaces before "Please" and a final
period (its `logic/unique-devices_logic.go`)."""


class _Service(NamedTuple):
    """How one of Wikimedia's services words its 404s: the mirror answers for two of them."""

    not_found: str
    invalid_route: str


PAGEVIEWS = _Service(NOT_FOUND_DETAIL, "invalid route")
DEVICE_ANALYTICS = _Service(DEVICES_NOT_FOUND_DETAIL, "Invalid route")  # its `not-found-handler.go`

JSON_MEDIA_TYPE = "application/json; charset=utf-8"
"""Wikimedia's `content-type` for data (shared/upstream/wikimedia-api.md section 4.3)."""
_ANY_ORIGIN = (b"access-control-allow-origin", b"*")
MIRROR_PATHS = ("/api/rest_v1/",)

_encoder = msgspec.json.Encoder()
Answer = Callable[[], Awaitable[tuple[list[Any], bool, bool]]]
"""Produces the items, whether they are final (`complete`) and whether they are `stale`."""

_IGNORES_QUERY = {"ignores_query": True}


async def _answered(
    request: Request[Any, Any, Any], cache_policy: CachePolicy, answer: Answer, service: _Service = PAGEVIEWS
) -> Response[bytes]:
    try:
        items, complete, stale = await answer()
    except PageviewsError as error:
        return _problem(error, grammar.uri(_raw(request)), service, cache_policy)
    body = _encoder.encode({"items": items})
    return Response(body, media_type=JSON_MEDIA_TYPE, headers=cache_headers(cache_policy, complete, stale))


def _problem(
    error: PageviewsError, uri: str, service: _Service = PAGEVIEWS, cache_policy: CachePolicy | None = None
) -> Response[bytes]:
    headers: dict[str, str] = {}
    if isinstance(error, NoData):
        status, detail = 404, service.not_found
        if cache_policy is not None:
            # As short as the service keeps "no data" itself (it may only mean "not loaded yet"); Wikimedia was
            # seen sending `s-maxage=600` with its 404s.
            headers["Cache-Control"] = f"public, max-age={int(cache_policy.no_data_ttl.total_seconds())}"
    elif isinstance(error, WikimediaInvalidRoute):
        status, detail = 404, service.invalid_route
    else:
        status, detail = status_of(error), error.detail
    if isinstance(error, UpstreamUnavailable):
        headers["Retry-After"] = str(math.ceil(error.retry_after))
    body = WikimediaProblem(detail, "get", status, HTTPStatus(status).phrase, "about:blank", uri)
    return Response(_encoder.encode(body), status_code=status, media_type=PROBLEM_MEDIA_TYPE, headers=headers)


def open_to_any_origin(scope: Scope, send: Send) -> Send:
    """`send` for every answer under the mirror (errors of any layer, 304s and replays from the response cache
    included) with `access-control-allow-origin: *`, as Wikimedia answers, unless CORS has already named the
    client's origin. The service's own CORS setting (`PAGEVIEWS_CORS_ORIGINS`) governs every other path."""
    if not scope["path"].startswith(MIRROR_PATHS):
        return send

    async def sending(message: Message) -> None:
        if message["type"] == "http.response.start":
            headers = list(message.get("headers", ()))
            if all(name.lower() != _ANY_ORIGIN[0] for name, _ in headers):
                message = {**message, "headers": [*headers, _ANY_ORIGIN]}
        await send(message)

    return sending


def _raw(request: Request[Any, Any, Any]) -> bytes:
    """The path as the client sent it, still percent-encoded (without a query, which some servers leave on)."""
    raw: bytes = request.scope.get("raw_path") or request.scope["path"].encode()
    return raw.partition(b"?")[0]


def _stamp(day: dt.date) -> str:
    return f"{day:%Y%m%d}00"


def _sorted(points: Sequence[DataPoint]) -> list[DataPoint]:
    return sorted(points, key=lambda point: point.period)


@get("/api/rest_v1/metrics/pageviews/per-article/{rest:path}", include_in_schema=False, opt=_IGNORES_QUERY)
async def per_article(
    request: Request[Any, Any, Any],
    serving: NamedDependency[Serving],
) -> Response[bytes]:
    mirror, cache_policy = serving.services.mirror, serving.cache_policy

    async def answer() -> tuple[list[Any], bool, bool]:
        parts = grammar.segments(_raw(request), b"/metrics/pageviews/per-article/")
        project, access, agent, title, granularity, start, end = grammar.exactly(parts, 7)
        parsed_project, parsed_access, parsed_agent = (
            grammar.project(project),
            grammar.access(access),
            grammar.agent(agent),
        )
        periods = Granularity(grammar.granularity(granularity, ["daily", "monthly"]))
        first, last = grammar.days(start, end)
        article = title.replace(" ", "_")
        if "\ufffd" in article:
            raise NoData()
        query = ArticleQuery(parsed_project, Article(article), parsed_access, parsed_agent)
        answer = await mirror.per_article(query, periods, first, last)
        items = [
            ArticleItem(parsed_project.name, article, periods.value, _stamp(p.period), access, agent, p.views)
            for p in _sorted(answer.found.points)
        ]
        return items, answer.complete, answer.found.stale

    return await _answered(request, cache_policy, answer)


@get("/api/rest_v1/metrics/pageviews/aggregate/{rest:path}", include_in_schema=False, opt=_IGNORES_QUERY)
async def aggregate(
    request: Request[Any, Any, Any],
    serving: NamedDependency[Serving],
) -> Response[bytes]:
    mirror, cache_policy = serving.services.mirror, serving.cache_policy

    async def answer() -> tuple[list[Any], bool, bool]:
        parts = grammar.segments(_raw(request), b"/metrics/pageviews/aggregate/")
        project, access, agent, granularity, start, end = grammar.exactly(parts, 6)
        query = SiteQuery(grammar.project(project), grammar.access(access), grammar.agent(agent))
        grammar.granularity(granularity, ["daily", "hourly", "monthly"])
        name = query.project.name
        if granularity == "hourly":
            first_hour, last_hour = grammar.hours(start, end)
            hourly = await mirror.aggregate_hourly(query, first_hour, last_hour)
            items = [
                AggregateItem(name, access, agent, granularity, f"{p.period:%Y%m%d%H}", p.views)
                for p in sorted(hourly.found.points, key=lambda p: p.period)
            ]
            return items, hourly.complete, hourly.found.stale
        first, last = grammar.days(start, end)
        answer = await mirror.aggregate(query, Granularity(granularity), first, last)
        items = [
            AggregateItem(name, access, agent, granularity, _stamp(p.period), p.views)
            for p in _sorted(answer.found.points)
        ]
        return items, answer.complete, answer.found.stale

    return await _answered(request, cache_policy, answer)


@get("/api/rest_v1/metrics/unique-devices/{rest:path}", include_in_schema=False, opt=_IGNORES_QUERY)
async def unique_devices(
    request: Request[Any, Any, Any],
    serving: NamedDependency[Serving],
) -> Response[bytes]:
    mirror, cache_policy = serving.services.mirror, serving.cache_policy

    async def answer() -> tuple[list[Any], bool, bool]:
        parts = grammar.segments(_raw(request), b"/metrics/unique-devices/")
        project, site, granularity, start, end = grammar.exactly(parts, 5)
        parsed_project = grammar.project(project)
        if site not in {s.value for s in AccessSite}:
            # A guess: no source shows device-analytics' answer to a bad access-site (README, the mirror).
            raise WikimediaBadRequest("Invalid access-site")
        if granularity not in ("daily", "monthly"):
            raise WikimediaBadRequest("Invalid granularity")
        periods = Granularity(granularity)
        first, last = grammar.days(start, end)
        query = DevicesQuery(parsed_project, AccessSite(site))
        counts = await mirror.unique_devices(query, periods, first, last)
        items = [
            DevicesItem(
                parsed_project.name,
                site,
                granularity,
                f"{c.period:%Y%m%d}",
                c.devices,
                c.offset,
                c.underestimate,
            )
            for c in sorted(counts.found.points, key=lambda c: c.period)
        ]
        return items, counts.complete, counts.found.stale

    return await _answered(request, cache_policy, answer, DEVICE_ANALYTICS)


def _day_text(day: int | None) -> str:
    return "all-days" if day is None else f"{day:02d}"


@get("/api/rest_v1/metrics/pageviews/top/{rest:path}", include_in_schema=False, opt=_IGNORES_QUERY)
async def top(
    request: Request[Any, Any, Any],
    serving: NamedDependency[Serving],
) -> Response[bytes]:
    mirror, cache_policy = serving.services.mirror, serving.cache_policy

    async def answer() -> tuple[list[Any], bool, bool]:
        parts = grammar.segments(_raw(request), b"/metrics/pageviews/top/")
        project, access, year, month, day = grammar.exactly(parts, 5)
        parsed_project, parsed_access = grammar.project(project), grammar.access(access)
        parsed_month, parsed_day = grammar.month_and_day(year, month, day, all_days=True)
        answer = await mirror.top(parsed_project, parsed_access, parsed_month, parsed_day)
        articles = [TopArticleOut(e.article, e.views, e.rank) for e in answer.found.entries]
        item = TopItem(
            parsed_project.name,
            access,
            f"{parsed_month.year:04d}",
            f"{parsed_month.month:02d}",
            _day_text(parsed_day),
            articles,
        )
        return [item], answer.complete, answer.found.stale

    return await _answered(request, cache_policy, answer)


@get("/api/rest_v1/metrics/pageviews/top-by-country/{rest:path}", include_in_schema=False, opt=_IGNORES_QUERY)
async def top_by_country(
    request: Request[Any, Any, Any],
    serving: NamedDependency[Serving],
) -> Response[bytes]:
    mirror, cache_policy = serving.services.mirror, serving.cache_policy

    async def answer() -> tuple[list[Any], bool, bool]:
        parts = grammar.segments(_raw(request), b"/metrics/pageviews/top-by-country/")
        project, access, year, month = grammar.exactly(parts, 4)
        parsed_project, parsed_access = grammar.project(project), grammar.access(access)
        parsed_month, _ = grammar.month_and_day(year, month, None, all_days=False)
        answer = await mirror.top_by_country(parsed_project, parsed_access, parsed_month)
        countries = [
            CountryOut(country=c.country, views=c.views, views_ceil=c.views_ceil, rank=c.rank)
            for c in answer.found.entries
        ]
        item = ByCountryItem(
            parsed_project.name, access, f"{parsed_month.year:04d}", f"{parsed_month.month:02d}", countries
        )
        return [item], answer.complete, answer.found.stale

    return await _answered(request, cache_policy, answer)


@get(
    "/api/rest_v1/metrics/pageviews/top-per-country/{rest:path}", include_in_schema=False, opt=_IGNORES_QUERY
)
async def top_per_country(
    request: Request[Any, Any, Any],
    serving: NamedDependency[Serving],
) -> Response[bytes]:
    mirror, cache_policy = serving.services.mirror, serving.cache_policy

    async def answer() -> tuple[list[Any], bool, bool]:
        parts = grammar.segments(_raw(request), b"/metrics/pageviews/top-per-country/")
        country, access, year, month, day = grammar.exactly(parts, 5)
        parsed_access = grammar.access(access)
        parsed_month, parsed_day = grammar.month_and_day(year, month, day, all_days=True)
        if country.upper() not in COUNTRY_CODES:
            raise NoData()  # Wikimedia has lists only for the countries geolocation names
        answer = await mirror.top_per_country(Country(country), parsed_access, parsed_month, parsed_day)
        articles = [
            CountryArticleOut(a.article, a.project, a.views_ceil, a.rank) for a in answer.found.entries
        ]
        item = PerCountryItem(
            country,
            access,
            f"{parsed_month.year:04d}",
            f"{parsed_month.month:02d}",
            _day_text(parsed_day),
            articles,
        )
        return [item], answer.complete, answer.found.stale

    return await _answered(request, cache_policy, answer)


@get(
    [
        "/api/rest_v1/{rest:path}",
        "/api/rest_v1/metrics/{rest:path}",
        "/api/rest_v1/metrics/pageviews/{rest:path}",
    ],
    include_in_schema=False,
    opt=_IGNORES_QUERY,
)
async def invalid_route(request: Request[Any, Any, Any]) -> Response[bytes]:
    """Every other path under the mirror: Wikimedia's 404 `invalid route`."""
    return _problem(WikimediaInvalidRoute(), grammar.uri(_raw(request)))


MIRROR_ROUTES = [per_article, aggregate, unique_devices, top, top_by_country, top_per_country, invalid_route]
