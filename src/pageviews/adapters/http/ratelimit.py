"""The inbound per-client rate limit, answered with a 429 `rate_limited` problem and `Retry-After`.

Counts live in Redis when it is configured (so all replicas count together) and in process memory otherwise, or
while Redis fails: a broken Redis must never refuse or fail a request. Operational endpoints are not limited."""

from __future__ import annotations

import logging
import math
import time
from collections.abc import Callable
from typing import Any

import msgspec
from limits import RateLimitItem, parse
from limits.aio.storage import MemoryStorage, RedisStorage, Storage
from limits.aio.strategies import FixedWindowRateLimiter
from limits.errors import StorageError
from litestar.enums import ScopeType
from litestar.middleware import ASGIMiddleware
from litestar.types import ASGIApp, Receive, Scope, Send
from redis.asyncio import ConnectionPool
from redis.asyncio.retry import Retry
from redis.backoff import NoBackoff

from pageviews.adapters.http.problems import PROBLEM_MEDIA_TYPE, problem

log = logging.getLogger(__name__)

UNLIMITED_PATHS = ("/health", "/ready", "/metrics", "/schema")


def _redis_storage(url: str, timeout: float) -> Storage:
    # A pool of our own: limits' default Redis client retries with backoff, which would stall requests.
    pool = ConnectionPool.from_url(
        url, socket_timeout=timeout, socket_connect_timeout=timeout, retry=Retry(NoBackoff(), 0)
    )
    options: dict[str, Any] = {"connection_pool": pool}
    return RedisStorage(
        "async+" + url, implementation="redispy", wrap_exceptions=True, key_prefix="pageviews-rl", **options
    )


class RateLimiter:
    """A fixed window per client (the cheapest check: one increment); after a Redis failure, memory alone counts
    for `pause` seconds, so a dead Redis costs one timeout, not one per request."""

    def __init__(
        self,
        limit: str,
        redis_url: str = "",
        redis_timeout: float = 0.25,
        pause: float = 5.0,
        timer: Callable[[], float] = time.monotonic,
    ) -> None:
        self.item: RateLimitItem = parse(limit)
        self._memory = FixedWindowRateLimiter(MemoryStorage())
        self._shared = FixedWindowRateLimiter(_redis_storage(redis_url, redis_timeout)) if redis_url else None
        self._pause = pause
        self._timer = timer
        self._shared_down_until = 0.0

    async def retry_after(self, client: str) -> int | None:
        """None if `client` may go on; otherwise the seconds until its window resets."""
        limiter = self._limiter()
        try:
            if await limiter.hit(self.item, client):
                return None
            reset_at, _ = await limiter.get_window_stats(self.item, client)
        except StorageError as exc:
            log.warning("rate limit store unavailable, counting in memory: %r", exc)
            self._shared_down_until = self._timer() + self._pause
            return await self.retry_after(client)
        return max(1, math.ceil(reset_at - time.time()))

    def _limiter(self) -> FixedWindowRateLimiter:
        if self._shared is not None and self._timer() >= self._shared_down_until:
            return self._shared
        return self._memory


class RateLimitMiddleware(ASGIMiddleware):
    scopes = (ScopeType.HTTP,)
    should_bypass_for_scope = staticmethod(lambda scope: scope["path"].startswith(UNLIMITED_PATHS))

    def __init__(self, limiter: RateLimiter, client_header: str = "") -> None:
        self._limiter = limiter
        self._client_header = client_header.lower().encode("latin-1")

    async def handle(self, scope: Scope, receive: Receive, send: Send, next_app: ASGIApp) -> None:
        retry_after = await self._limiter.retry_after(self._client(scope))
        if retry_after is None:
            await next_app(scope, receive, send)
            return
        item = self._limiter.item
        detail = (
            f"more than {item.amount} requests per {item.GRANULARITY.name} from this client; "
            f"retry after {retry_after} s"
        )
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
