"""Redis as the shared cache, so every replica answers from the same entries. Redis failing must never fail a
request: each error leaves as `CacheUnavailable`, and after one the adapter pauses (does not ask Redis again
for a while). Outages are logged when they start and when they end, not once per request."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Mapping, Sequence
from contextlib import asynccontextmanager

import msgspec
from redis.asyncio import Redis
from redis.asyncio.retry import Retry
from redis.backoff import NoBackoff
from redis.exceptions import RedisError

from pageviews.adapters.outbound.pause import Pause
from pageviews.domain.cache_policy import CacheHealth, Entry
from pageviews.domain.ports import CacheUnavailable, Clock

log = logging.getLogger(__name__)

PREFIX = "pageviews:"
_encoder = msgspec.msgpack.Encoder()
_decoder = msgspec.msgpack.Decoder(Entry)
_FAILURES = (RedisError, OSError, TimeoutError)


def make_redis(url: str, timeout: float) -> Redis:
    """A client that gives up after `timeout` and never retries by itself: the cache is an optimisation."""
    return Redis.from_url(
        url, socket_timeout=timeout, socket_connect_timeout=timeout, retry=Retry(NoBackoff(), 0)
    )


class RedisCache:
    def __init__(self, client: Redis, clock: Clock, pause: Pause) -> None:
        self._client = client
        self._clock = clock
        self._pause = pause

    async def get(self, key: str) -> Entry | None:
        async with self._guard():
            raw = await self._client.get(PREFIX + key)
        return self._decoded(key, raw)

    async def put(self, key: str, entry: Entry) -> None:
        keep_ms = int((entry.keep_until - self._clock.now()).total_seconds() * 1000)
        if keep_ms > 0:
            async with self._guard():
                await self._client.set(PREFIX + key, _encoder.encode(entry), px=keep_ms)

    async def get_many(self, keys: Sequence[str]) -> list[Entry | None]:
        if not keys:
            return []
        async with self._guard():
            raws = await self._client.mget([PREFIX + key for key in keys])
        return [self._decoded(key, raw) for key, raw in zip(keys, raws, strict=True)]

    async def put_many(self, entries: Mapping[str, Entry]) -> None:
        now = self._clock.now()
        kept = {key: entry for key, entry in entries.items() if entry.keep_until > now}
        if not kept:
            return
        async with self._guard(), self._client.pipeline(transaction=False) as pipe:
            for key, entry in kept.items():
                keep_ms = max(1, int((entry.keep_until - now).total_seconds() * 1000))
                pipe.set(PREFIX + key, _encoder.encode(entry), px=keep_ms)
            await pipe.execute()

    def _decoded(self, key: str, raw: object) -> Entry | None:
        if not isinstance(raw, bytes):  # None: a miss (the client never decodes to str)
            return None
        try:
            return _decoder.decode(raw)
        except msgspec.DecodeError:
            log.warning("ignoring an undecodable cache entry for %s", key)
            return None

    async def health(self) -> CacheHealth:
        try:
            async with self._guard(probe=True):
                await self._client.ping()
        except CacheUnavailable:
            return CacheHealth.DEGRADED
        return CacheHealth.SHARED

    @asynccontextmanager
    async def _guard(self, probe: bool = False) -> AsyncIterator[None]:
        if not probe and self._pause.active:
            raise CacheUnavailable("Redis was unreachable moments ago")
        try:
            yield
        except _FAILURES as exc:
            if self._pause.failed():
                log.warning("Redis cache unavailable, answering from memory and upstream: %r", exc)
            raise CacheUnavailable(f"Redis: {exc!r}") from exc
        if self._pause.succeeded():
            log.warning("Redis cache reachable again")
