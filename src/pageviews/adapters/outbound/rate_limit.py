"""The counts behind the inbound per-client rate limit (the `RateLimit` port), with the `limits` library.

Counts live in Redis when it is configured (so all replicas count together) and in process memory otherwise, or
while Redis fails: a broken Redis must never refuse or fail a request."""

from __future__ import annotations

import logging
import math
import time
from typing import Any

from limits import RateLimitItem, parse
from limits.aio.storage import MemoryStorage, RedisStorage, Storage
from limits.aio.strategies import FixedWindowRateLimiter
from limits.errors import StorageError
from redis.asyncio import ConnectionPool
from redis.asyncio.retry import Retry
from redis.backoff import NoBackoff

from pageviews.adapters.outbound.pause import Pause

log = logging.getLogger(__name__)


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
    while the pause lasts."""

    def __init__(self, limit: str, pause: Pause, redis_url: str = "", redis_timeout: float = 0.25) -> None:
        self._item: RateLimitItem = parse(limit)
        self._memory = FixedWindowRateLimiter(MemoryStorage())
        self._shared = FixedWindowRateLimiter(_redis_storage(redis_url, redis_timeout)) if redis_url else None
        self._pause = pause

    @property
    def description(self) -> str:
        return f"{self._item.amount} requests per {self._item.GRANULARITY.name}"

    async def retry_after(self, client: str) -> int | None:
        limiter = self._limiter()
        try:
            if await limiter.hit(self._item, client):
                return None
            reset_at, _ = await limiter.get_window_stats(self._item, client)
        except StorageError as exc:
            log.warning("rate limit store unavailable, counting in memory: %r", exc)
            self._pause.failed()
            return await self.retry_after(client)
        return max(1, math.ceil(reset_at - time.time()))

    def _limiter(self) -> FixedWindowRateLimiter:
        if self._shared is not None and not self._pause.active:
            return self._shared
        return self._memory
