"""The inbound per-client rate limit, answered with a 429 `rate_limited` problem and `Retry-After`. The counts
are behind the `RateLimit` port; operational endpoints are not limited."""

from __future__ import annotations

import msgspec
from litestar.enums import ScopeType
from litestar.middleware import ASGIMiddleware
from litestar.types import ASGIApp, Receive, Scope, Send

from pageviews.adapters.inbound.http.problems import PROBLEM_MEDIA_TYPE, problem
from pageviews.domain.ports import RateLimit

UNLIMITED_PATHS = ("/health", "/ready", "/metrics", "/schema")


class RateLimitMiddleware(ASGIMiddleware):
    scopes = (ScopeType.HTTP,)
    should_bypass_for_scope = staticmethod(lambda scope: scope["path"].startswith(UNLIMITED_PATHS))

    def __init__(self, limit: RateLimit, client_header: str = "") -> None:
        self._limit = limit
        self._client_header = client_header.lower().encode("latin-1")

    async def handle(self, scope: Scope, receive: Receive, send: Send, next_app: ASGIApp) -> None:
        retry_after = await self._limit.retry_after(self._client(scope))
        if retry_after is None:
            await next_app(scope, receive, send)
            return
        detail = f"more than {self._limit.description} from this client; retry after {retry_after} s"
        body = msgspec.json.encode(problem(429, "rate_limited", detail, scope["path"]))
        headers = [
            (b"content-type", PROBLEM_MEDIA_TYPE.encode()),
            (b"content-length", str(len(body)).encode()),
            (b"retry-after", str(retry_after).encode()),
        ]
        await send({"type": "http.response.start", "status": 429, "headers": headers})
        await send({"type": "http.response.body", "body": body, "more_body": False})

    def _client(self, scope: Scope) -> str:
        """The client's address, or the first address of the configured header (set by a trusted proxy)."""
        if self._client_header:
            for name, value in scope["headers"]:
                if name == self._client_header:
                    return value.decode("latin-1").split(",")[0].strip()
        client = scope.get("client")
        return client[0] if client else "unknown"
