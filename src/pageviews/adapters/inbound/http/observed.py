"""What every HTTP exchange gets: a request id in and out, security headers, one JSON log line and its metrics.

It wraps the whole application (not a per-route middleware), so 404s and 405s are counted, logged and
given the same headers as everything else.
"""

from __future__ import annotations

import logging
import re
import time
import uuid
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

from pageviews.observability.logs import current_request_id
from pageviews.observability.metrics import Metrics

log = logging.getLogger("pageviews.access")

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Any]]
Send = Callable[[Any], Awaitable[None]]
ASGIApp = Callable[..., Awaitable[None]]


_KNOWN_METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "TRACE", "CONNECT"})
_REQUEST_ID = re.compile(r"[A-Za-z0-9._:@/+=-]{1,128}")

API_CSP = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'"
# The docs page runs Swagger UI from the service itself; its bootstrap script is inline.
DOCS_CSP = (
    "default-src 'self'; script-src 'self' 'unsafe-inline'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; frame-ancestors 'none'; base-uri 'none'; form-action 'none'"
)
_COMMON_HEADERS = [
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"no-referrer"),
    (b"x-frame-options", b"DENY"),
    (b"cross-origin-resource-policy", b"same-site"),
]


def request_id_of(scope: Scope) -> str:
    """The client's `X-Request-ID` when it is a sane token, else a new one."""
    for name, value in scope.get("headers", ()):
        if name == b"x-request-id":
            candidate: str = value.decode("latin-1")
            if _REQUEST_ID.fullmatch(candidate):
                return candidate
    return uuid.uuid4().hex


class Observed:
    """ASGI wrapper: request id in and out, security headers, a log line and metrics per request."""

    def __init__(self, app: ASGIApp, metrics_of: Callable[[], Metrics | None]) -> None:
        self._app = app
        self._metrics_of = metrics_of

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self._app(scope, receive, send)
            return
        request_id = request_id_of(scope)
        scope.setdefault("state", {})["request_id"] = request_id
        extra = [(b"x-request-id", request_id.encode()), *_COMMON_HEADERS, _csp(scope["path"])]
        status = 500
        started = time.perf_counter()
        token = current_request_id.set(request_id)

        async def send_with_headers(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                message["headers"] = [*message.get("headers", ()), *extra]
            await send(message)

        try:
            await self._app(scope, receive, send_with_headers)
        finally:
            self._record(scope, request_id, status, time.perf_counter() - started)
            current_request_id.reset(token)

    def _record(self, scope: Scope, request_id: str, status: int, seconds: float) -> None:
        route: str = scope.get("path_template") or "unmatched"
        method = scope["method"]
        metrics = self._metrics_of()
        if metrics is not None:  # None only before start-up, when nothing but a 503 is answered
            # Bounded labels: a client cannot make a series per method name it invents.
            label = method if method in _KNOWN_METHODS else "other"
            metrics.requests.labels(route, label, str(status)).inc()
            metrics.latency.labels(route).observe(seconds)
        log.info(
            "request",
            extra={
                "request_id": request_id,
                "method": method,
                "route": route,
                "path": scope["path"],
                "status": status,
                "duration_ms": round(seconds * 1000, 3),
            },
        )


def _csp(path: str) -> tuple[bytes, bytes]:
    policy = DOCS_CSP if path.startswith("/schema") else API_CSP
    return (b"content-security-policy", policy.encode())
