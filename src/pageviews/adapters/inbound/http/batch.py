"""`POST /v1/pageviews/batch`: series for many articles of one project over one range."""

from __future__ import annotations

import asyncio
from typing import Annotated, Any

import msgspec
from litestar import Request, Response, post
from litestar.di import NamedDependency
from litestar.enums import MediaType
from litestar.openapi.spec import Example
from litestar.params import Body
from msgspec import UnsetType

from pageviews.adapters.inbound.http.negotiation import (
    FormatQuery,
    Representation,
    csv_lines,
    negotiated,
    representation,
)
from pageviews.adapters.inbound.http.openapi import ONE_MONTH, documented_ok, error_responses
from pageviews.adapters.inbound.http.problems import problem_of
from pageviews.adapters.inbound.http.schemas import BatchOut, BatchRequest, BatchResult, SeriesOut
from pageviews.adapters.inbound.http.serving import Serving
from pageviews.adapters.inbound.http.tables import BATCH_HEADER, batch_rows
from pageviews.application.use_cases import MAX_BATCH, check_batch
from pageviews.domain.errors import PageviewsError
from pageviews.domain.model import Access, Agent, Granularity, Project
from pageviews.domain.pages import RedirectsChoice
from pageviews.domain.series import PeriodRange, Series

_encoder = msgspec.json.Encoder()
_result_of = msgspec.json.Decoder(BatchResult)

MAX_BATCH_BODY = 64 * 1024
"""Bytes a batch body may have: 100 titles of 255 bytes each, escaped, fit several times over."""


@post(
    "/v1/pageviews/batch",
    operation_id="batch",
    operation_class=documented_ok(
        {
            "results": [
                {
                    "article": "Albert_Einstein",
                    "series": ONE_MONTH,
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
        },
        "article,period,views,problem\r\nAlbert_Einstein,2023-01,412345,\r\nBad|Title,,,invalid_title\r\n",
        more={
            "follow": (
                "redirects=follow: each title counts the page it redirects to, and says so in `page`",
                {
                    "results": [
                        {
                            "article": "Einstein",
                            "series": {
                                **ONE_MONTH,
                                "page": {"title": "Albert_Einstein", "redirected_from": "Einstein"},
                            },
                        },
                        {
                            "article": "Albert_Einstein",
                            "series": {
                                **ONE_MONTH,
                                "page": {"title": "Albert_Einstein", "redirected_from": None},
                            },
                        },
                    ]
                },
            ),
            "include": (
                "redirects=include: each title counts its page and every redirect to it, listed in `page.titles`",
                {
                    "results": [
                        {
                            "article": "Einstein",
                            "series": {
                                **ONE_MONTH,
                                "total": 420447,
                                "items": [{"period": "2023-01", "views": 420447, "complete": True}],
                                "page": {
                                    "title": "Albert_Einstein",
                                    "redirected_from": "Einstein",
                                    "titles": [
                                        {"title": "Albert_Einstein", "views": 412345, "redirect": False},
                                        {"title": "Einstein", "views": 8102, "redirect": True},
                                    ],
                                },
                            },
                        }
                    ]
                },
            ),
        },
    ),
    summary="Series for many articles at once",
    description=f"Up to {MAX_BATCH} articles of one project over one range. One result per article, in "
    "order: its series, or a problem for that article alone (one bad title does not fail the batch). "
    "`Accept: text/csv` (or `?format=csv`) gives one CSV row per article and period, "
    "`article,period,views,problem`: the article as asked, and for an article that failed one row with "
    "its problem's code and no period.",
    tags=["v1"],
    status_code=200,
    request_max_body_size=MAX_BATCH_BODY,
    responses=error_responses(400, 406, 413, 429, 500),
)
async def batch(
    request: Request[Any, Any, Any],
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
                ),
                Example(
                    summary="redirects followed",
                    value={
                        "project": "en.wikipedia",
                        "articles": ["Einstein", "Albert_Einstein"],
                        "from": "2023-01",
                        "redirects": "follow",
                    },
                ),
                Example(
                    summary="redirects included",
                    value={
                        "project": "en.wikipedia",
                        "articles": ["Einstein"],
                        "from": "2023-01",
                        "redirects": "include",
                    },
                ),
            ]
        ),
    ],
    serving: NamedDependency[Serving],
    format: FormatQuery = None,
) -> Response[BatchOut]:
    service, cache_policy, replay = serving.services.pageviews, serving.cache_policy, serving.response_cache
    wanted = representation(request, format)
    project, access, agent = (
        Project.parse_one(data.project, "articles' views"),
        Access.parse(data.access),
        Agent.parse(data.agent),
    )
    end = None if isinstance(data.to, UnsetType) else data.to
    periods = PeriodRange.parse(Granularity.parse(data.granularity), data.from_, end, service.today())
    redirects = RedirectsChoice.parse(data.redirects)
    check_batch(data.articles)
    keys = [_key(project, access, agent, periods, redirects, title) for title in data.articles]
    kept = [None if replay is None else replay.fragment(key) for key in keys]
    missing = [title for title, fragment in zip(data.articles, kept, strict=True) if fragment is None]
    results = iter(
        await service.batch(project, missing, periods, access, agent, redirects) if missing else ()
    )
    # What a wiki says about its pages changes: a result that depends on it is kept only as long.
    keep = cache_policy.settled_ttl if redirects is RedirectsChoice.EXACT else cache_policy.page_facts_ttl
    keep_for = int(keep.total_seconds())
    encoded = []
    for title, key, fragment in zip(data.articles, keys, kept, strict=True):
        if fragment is None:
            result = next(results)
            fragment = _encoder.encode(_result(title, result))
            final = isinstance(result, Series) and result.complete and not result.stale and not result.notices
            if replay is not None and final:
                replay.keep_fragment(key, fragment, keep_for)  # final: encoded once, replayed as bytes
            await asyncio.sleep(0)  # one result a step: a large batch never holds the event loop
        encoded.append(fragment)
    if wanted is Representation.CSV:
        return await _csv(encoded)
    # One join, so a long batch's body (megabytes) is made and copied once, not three times.
    parts = [b'{"results":[']
    for n, fragment in enumerate(encoded):
        parts += (b",", fragment) if n else (fragment,)
    parts.append(b"]}")
    body = b"".join(parts)
    # BatchOut, encoded in parts
    return Response(body, media_type=MediaType.JSON, headers=negotiated({}))  # type: ignore[arg-type]


async def _csv(encoded: list[bytes]) -> Response[Any]:
    """The batch as CSV, from the same encoded results (kept ones included), a result a step."""
    parts = [csv_lines([BATCH_HEADER])]
    for fragment in encoded:
        parts.append(csv_lines(batch_rows(_result_of.decode(fragment))))
        await asyncio.sleep(0)
    return Response("".join(parts), media_type=Representation.CSV.value, headers=negotiated({}))


def _key(
    project: Project,
    access: Access,
    agent: Agent,
    periods: PeriodRange,
    redirects: RedirectsChoice,
    title: str,
) -> tuple[bytes, ...]:
    """Everything that changes one title's result; the title as the client sent it, since the result says so."""
    granularity = periods.granularity.value
    return (
        b"batch",
        f"{project}|{access.value}|{agent.value}|{granularity}|{periods.first}|{periods.last}|{redirects}".encode(),
        title.encode("utf-8", "surrogatepass"),
    )


def _result(title: str, result: Series | PageviewsError) -> BatchResult:
    if isinstance(result, PageviewsError):
        return BatchResult(title, problem=problem_of(result))
    return BatchResult(title, series=SeriesOut.of(result))
