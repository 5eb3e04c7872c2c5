"""`POST /v1/pageviews/batch`: series for many articles of one project over one range."""

from __future__ import annotations

from typing import Annotated

from litestar import post
from litestar.di import NamedDependency
from litestar.openapi.spec import Example
from litestar.params import Body
from msgspec import UnsetType

from pageviews.adapters.inbound.http.openapi import documented_ok, error_responses
from pageviews.adapters.inbound.http.problems import problem, status_of
from pageviews.adapters.inbound.http.schemas import BatchOut, BatchRequest, BatchResult, SeriesOut
from pageviews.application.use_cases import MAX_BATCH, PageviewsService
from pageviews.domain.errors import PageviewsError
from pageviews.domain.model import Access, Agent, Granularity, Project
from pageviews.domain.series import PeriodRange, Series

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
    request_max_body_size=MAX_BATCH_BODY,
    responses=error_responses(400, 413, 429, 500),
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
    end = None if isinstance(data.to, UnsetType) else data.to
    periods = PeriodRange.parse(Granularity.parse(data.granularity), data.from_, end, service.today())
    results = await service.batch(
        project, data.articles, periods, Access.parse(data.access), Agent.parse(data.agent)
    )
    return BatchOut([_result(title, result) for title, result in zip(data.articles, results, strict=True)])


def _result(title: str, result: Series | PageviewsError) -> BatchResult:
    if isinstance(result, PageviewsError):
        return BatchResult(title, problem=problem(status_of(result), result.code, result.detail))
    return BatchResult(title, series=SeriesOut.of(result))
