"""The inbound per-client rate limit, answered with a 429 `rate_limited` problem and `Retry-After`. The counts
are behind the `RateLimit` port; operational endpoints are not limited."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import msgspec
from litestar.enums import ScopeType
from litestar.middleware import ASGIMiddleware
from litestar.types import ASGIApp, Receive, Scope, Send

from pageviews.adapters.inbound.http.problems import PROBLEM_MEDIA_TYPE, problem_of
from pageviews.domain.errors import RateLimited
from pageviews.domain.ports import RateLimit

UNLIMITED_PATHS = ("/health", "/ready", "/metrics", "/schema")


@dataclass(frozen=True)
class RateLimiting:
    """The limit in force, and how a client is told apart: by its address, or by the first address in
    `client_header` (set by a trusted proxy)."""

    limit: RateLimit
    client_header: str = ""

    def client(self, scope: Scope) -> str:
        if self.client_header:
            wanted = self.client_header.lower().encode("latin-1")
            for name, value in scope["headers"]:
                if name == wanted:
                    return value.decode("latin-1").split(",")[0].strip()
        client = scope.get("client")
        return client[0] if client else "unknown"


class RateLimitMiddleware(ASGIMiddleware):
    """Limits clients by what `limiting_of(scope)` names (none: no limit)."""

    scopes = (ScopeType.HTTP,)
    should_bypass_for_scope = staticmethod(lambda scope: scope["path"].startswith(UNLIMITED_PATHS))

    def __init__(self, limiting_of: Callable[[Scope], RateLimiting | None]) -> None:
        self._limiting_of = limiting_of

    async def handle(self, scope: Scope, receive: Receive, send: Send, next_app: ASGIApp) -> None:
        limiting = self._limiting_of(scope)
        retry_after = None if limiting is None else await limiting.limit.retry_after(limiting.client(scope))
        if limiting is None or retry_after is None:
            await next_app(scope, receive, send)
            return
        detail = f"more than {limiting.limit.description} from this client; retry after {retry_after} s"
        answer = problem_of(RateLimited(detail), scope["path"])
        body = msgspec.json.encode(answer)
        headers = [
            (b"content-type", PROBLEM_MEDIA_TYPE.encode()),
            (b"content-length", str(len(body)).encode()),
            (b"retry-after", str(retry_after).encode()),
        ]
        await send({"type": "http.response.start", "status": answer.status, "headers": headers})
        await send({"type": "http.response.body", "body": body, "more_body": False})
