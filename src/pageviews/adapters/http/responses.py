"""OpenAPI descriptions of the error responses, so every status a route can answer is documented."""

from __future__ import annotations

from litestar.openapi import ResponseSpec

from pageviews.adapters.http.problems import PROBLEM_MEDIA_TYPE, Problem

_DESCRIPTIONS = {
    400: "Invalid input (title, year, month, future month, month before July 2015, project, access, agent, "
    "range); nothing was asked upstream.",
    404: "Wikimedia has no data: zero views, an unknown title, or not loaded yet; it cannot tell which.",
    429: "Too many requests from this client; retry after `Retry-After` seconds.",
    500: "An unexpected error; it was logged with its traceback, and no internals are in the response.",
    502: "Wikimedia answered something unusable (5xx, not JSON, wrong shape, wrong period).",
    503: "Wikimedia throttled us or could not be reached (or the service is not ready); see `Retry-After`.",
    504: "Wikimedia did not answer within the timeout.",
}


def error_responses(*statuses: int) -> dict[int, ResponseSpec]:
    return {
        status: ResponseSpec(
            data_container=Problem,
            description=_DESCRIPTIONS[status],
            media_type=PROBLEM_MEDIA_TYPE,
            generate_examples=False,
        )
        for status in statuses
    }
