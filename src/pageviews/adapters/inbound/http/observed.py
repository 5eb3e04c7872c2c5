"""What every HTTP exchange gets: a request id in and out, security headers, one JSON log line and its metrics.

It wraps the whole application (not a per-route middleware), so 404s and 405s are counted, logged and
given the same headers as everything else.
"""

from __future__ import annotations

import itertools
import re
import secrets
import time
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

from pageviews.adapters.inbound.http.response_cache import Ready
from pageviews.adapters.inbound.http.serving import Serving
from pageviews.observability.logs import current_request_id

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
# The page at `/` runs its own scripts and styles only (no inline script or style, nothing from elsewhere)
# and talks to the service alone.
PAGE_CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; "
    "frame-ancestors 'none'; base-uri 'none'; form-action 'self'"
)
_COMMON_HEADERS = [
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"no-referrer"),
    (b"x-frame-options", b"DENY"),
    (b"cross-origin-resource-policy", b"same-site"),
]


def request_id_of(scope: Scope, new: Callable[[], str]) -> str:
    """The client's `X-Request-ID` when it is a sane token, else a new one."""
    for name, value in scope.get("headers", ()):
        if name == b"x-request-id":
            candidate: str = value.decode("latin-1")
            if _REQUEST_ID.fullmatch(candidate):
                return candidate
    return new()


class Observed:
    """ASGI wrapper: request id in and out, security headers, a log line and metrics per request. What it
    records into (metrics, the access log) belongs to the running service: `serving()` names it, or None
    before start-up, when nothing is recorded. `ready(scope, serving)` may name an answer known before any
    routing (a replay from the response cache): it is sent as it is, without reaching `app`."""

    def __init__(
        self,
        app: ASGIApp,
        serving: Callable[[], Serving | None],
        ready: Callable[[Scope, Serving], Ready | None] = lambda _scope, _serving: None,
    ) -> None:
        self._app = app
        self._serving = serving
        self._ready = ready
        self._ids = itertools.count()
        self._id_prefix = secrets.token_hex(8)
        """Request ids: random per process, then a counter, so unique across replicas and cheap."""

    def new_id(self) -> str:
        return f"{self._id_prefix}{next(self._ids):016x}"

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self._app(scope, receive, send)
            return
        started = time.perf_counter()
        serving = self._serving()
        request_id = request_id_of(scope, self.new_id)
        scope.setdefault("state", {})["request_id"] = request_id
        extra = [(b"x-request-id", request_id.encode()), *_security_headers(scope["path"])]
        ready = None if serving is None else self._ready(scope, serving)
        if ready is not None:
            try:  # nothing between here and the client logs: no request id to set for it
                await send(
                    {"type": "http.response.start", "status": ready.status, "headers": ready.headers + extra}
                )
                await send({"type": "http.response.body", "body": ready.body, "more_body": False})
            finally:
                _record(serving, scope, request_id, ready.status, time.perf_counter() - started)
            return
        status = 500
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
            _record(self._serving(), scope, request_id, status, time.perf_counter() - started)
            current_request_id.reset(token)


def _record(serving: Serving | None, scope: Scope, request_id: str, status: int, seconds: float) -> None:
    if serving is None:
        return  # before start-up, when nothing but a 503 is answered
    route: str = scope.get("path_template") or "unmatched"
    method = scope["method"]
    # Bounded labels: a client cannot make a series per method name it invents.
    serving.metrics.served(route, method if method in _KNOWN_METHODS else "other", status, seconds)
    if serving.access_log is not None:
        serving.access_log.request(request_id, method, route, scope["path"], status, seconds)


_API = (*_COMMON_HEADERS, (b"content-security-policy", API_CSP.encode()))
_DOCS = (*_COMMON_HEADERS, (b"content-security-policy", DOCS_CSP.encode()))
_PAGE = (*_COMMON_HEADERS, (b"content-security-policy", PAGE_CSP.encode()))


def _security_headers(path: str) -> tuple[tuple[bytes, bytes], ...]:
    if path.startswith("/schema"):
        return _DOCS
    if path == "/" or path.startswith("/static/"):
        return _PAGE
    return _API
