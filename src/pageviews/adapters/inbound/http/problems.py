"""Every error as an RFC 9457 problem (`application/problem+json`) with a stable `code`: one table maps the
domain's errors to HTTP statuses, and nothing internal ever reaches a client."""

from __future__ import annotations

import logging
import math
from http import HTTPStatus
from typing import Any

import msgspec
from litestar import Request, Response
from litestar.exceptions import HTTPException, NotFoundException, ValidationException
from litestar.status_codes import HTTP_500_INTERNAL_SERVER_ERROR

from pageviews.domain.errors import (
    BodyTooLarge,
    InvalidInput,
    InvalidRequest,
    MethodNotAllowed,
    NoData,
    NoSuchPage,
    NoSuchRoute,
    NotAcceptable,
    NotReady,
    PageviewsError,
    RateLimited,
    RequestTimeout,
    UpstreamError,
    UpstreamTimeout,
    UpstreamUnavailable,
)

log = logging.getLogger(__name__)

PROBLEM_MEDIA_TYPE = "application/problem+json"
TYPE_PREFIX = "urn:pageviews:problem:"


class Problem(msgspec.Struct, omit_defaults=True):
    """An RFC 9457 problem; `code` names the problem for machines, `detail` explains it for people."""

    type: str
    title: str
    status: int
    detail: str
    code: str
    instance: str | None = None
    article: str | None = None
    """`no_such_page`: the title tried."""
    suggestion: str | None = None
    """`no_such_page`: the existing page the title probably meant, when the wiki has one."""


STATUS_OF: dict[type[PageviewsError], int] = {
    InvalidInput: 400,
    NoData: 404,
    NoSuchPage: 404,
    NotAcceptable: 406,
    RateLimited: 429,
    UpstreamError: 502,
    UpstreamUnavailable: 503,
    UpstreamTimeout: 504,
}

_HTTP_CODES = {
    400: InvalidRequest.code,
    404: NoSuchRoute.code,
    405: MethodNotAllowed.code,
    408: RequestTimeout.code,
    413: BodyTooLarge.code,
    503: NotReady.code,
}
"""The codes of the errors that Litestar raises itself (routing, parameter parsing, the not-started 503)."""


def status_of(error: PageviewsError) -> int:
    for kind in type(error).__mro__:
        if kind in STATUS_OF:
            return STATUS_OF[kind]
    return HTTP_500_INTERNAL_SERVER_ERROR


def problem(status: int, code: str, detail: str, instance: str | None = None) -> Problem:
    return Problem(
        type=f"{TYPE_PREFIX}{code}",
        title=HTTPStatus(status).phrase,
        status=status,
        detail=detail,
        code=code,
        instance=instance,
    )


def problem_response(body: Problem, headers: dict[str, str] | None = None) -> Response[Problem]:
    return Response(body, status_code=body.status, media_type=PROBLEM_MEDIA_TYPE, headers=headers)


def domain_error_handler(request: Request[Any, Any, Any], exc: PageviewsError) -> Response[Problem]:
    headers = None
    if isinstance(exc, UpstreamUnavailable):
        headers = {"Retry-After": str(math.ceil(exc.retry_after))}
    return problem_response(problem_of(exc, request.url.path), headers)


def problem_of(error: PageviewsError, instance: str | None = None) -> Problem:
    """A domain error as a problem, with the extension members of its kind."""
    body = problem(status_of(error), error.code, error.detail, instance)
    if isinstance(error, NoSuchPage):
        return msgspec.structs.replace(body, article=error.title, suggestion=error.suggestion)
    return body


def http_error_handler(request: Request[Any, Any, Any], exc: HTTPException) -> Response[Problem]:
    status = exc.status_code
    if status == HTTP_500_INTERNAL_SERVER_ERROR:
        return internal_error_handler(request, exc)
    code = _HTTP_CODES.get(status, HTTPStatus(status).phrase.lower().replace(" ", "_"))
    detail = exc.detail
    if isinstance(exc, NotFoundException) and detail == HTTPStatus.NOT_FOUND.phrase:
        detail = f"there is no resource at {request.url.path}; see /schema for the API"
    elif status == 413:
        detail = "the body is larger than this endpoint takes"
    elif isinstance(exc, ValidationException) and exc.extra:
        detail = f"{detail}: {_describe(exc.extra)}"
    return problem_response(problem(status, code, detail, request.url.path), _passed_headers(exc))


def internal_error_handler(request: Request[Any, Any, Any], exc: Exception) -> Response[Problem]:
    log.error("unexpected error on %s %s", request.method, request.url.path, exc_info=exc)
    body = problem(
        500, PageviewsError.code, "an unexpected error occurred; it has been logged", request.url.path
    )
    return problem_response(body)


def _describe(extra: object) -> str:
    if isinstance(extra, list):
        return "; ".join(_describe_one(item) if isinstance(item, dict) else str(item) for item in extra)
    return str(extra)


def _describe_one(item: dict[str, Any]) -> str:
    """`data` is Litestar's name for the body; a message that is only the key quoted means it is missing."""
    key = str(item.get("key", "?"))
    message = str(item.get("message", ""))
    name = "the body" if key == "data" else key
    if message.strip("'\"") == key:
        return f"{name} is missing"
    return f"{name}: {message}"


def _passed_headers(exc: HTTPException) -> dict[str, str] | None:
    """The headers an HTTP error must keep: `Allow` on a 405, `Retry-After` on a 503."""
    kept = {k: v for k, v in (exc.headers or {}).items() if k.lower() in {"allow", "retry-after"}}
    return kept or None


EXCEPTION_HANDLERS = {
    PageviewsError: domain_error_handler,
    HTTPException: http_error_handler,
    Exception: internal_error_handler,
}
