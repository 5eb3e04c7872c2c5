"""The Redis adapter against a real redis-server started by the tests on a free port: entries are shared by
replicas and expire with their keep time, and Redis failing never fails a request."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from litestar.testing import TestClient
from redis.asyncio import Redis

from pageviews.adapters.outbound.cache.memory import MemoryCache
from pageviews.adapters.outbound.cache.redis import PREFIX, RedisCache, make_redis
from pageviews.adapters.outbound.cache.tiered import TieredCache
from pageviews.adapters.outbound.pause import Pause
from pageviews.adapters.outbound.rate_limit import RateLimiter
from pageviews.domain.cache_policy import CacheHealth, Entry
from pageviews.domain.ports import CacheUnavailable
from tests.support.app import container_for, serve, settings_from_env
from tests.support.fake_wikimedia import Canned, FakeWikimedia
from tests.support.fakes import FakeTimer, FixedClock
from tests.support.redis_server import RedisServer

NOW = dt.datetime(2024, 1, 15, tzinfo=dt.UTC)
ENTRY = Entry(NOW + dt.timedelta(minutes=10), NOW + dt.timedelta(hours=1), b"\x91\x01")
OCTOBER = "/monthly_view_count/Albert_Einstein/2023/10"
SEPTEMBER = "/monthly_view_count/Albert_Einstein/2023/09"


@pytest.fixture
async def redis(redis_server: RedisServer) -> AsyncIterator[Redis]:
    client = make_redis(redis_server.url, timeout=1.0)
    yield client
    await client.aclose()


def limiter_of(redis_server: RedisServer, redis_timeout: float = 0.25) -> RateLimiter:
    return RateLimiter("2/minute", Pause(5.0), redis_server.url, redis_timeout)


def adapter(redis: Redis, timer: FakeTimer | None = None) -> RedisCache:
    return RedisCache(redis, FixedClock(NOW), Pause(5.0, timer or FakeTimer()))


async def test_an_entry_comes_back_as_it_was_put(redis: Redis) -> None:
    cache = adapter(redis)
    await cache.put("k", ENTRY)
    assert await cache.get("k") == ENTRY


async def test_a_missing_entry_is_none(redis: Redis) -> None:
    assert await adapter(redis).get("nothing") is None


async def test_replicas_share_entries(redis_server: RedisServer, redis: Redis) -> None:
    other = make_redis(redis_server.url, timeout=1.0)
    try:
        await adapter(redis).put("k", ENTRY)
        assert await adapter(other).get("k") == ENTRY
    finally:
        await other.aclose()


async def test_redis_drops_an_entry_when_its_keep_time_ends(redis: Redis) -> None:
    await adapter(redis).put("k", ENTRY)
    assert 3_590_000 < await redis.pttl(PREFIX + "k") <= 3_600_000


async def test_an_entry_past_its_keep_time_is_not_written(redis: Redis) -> None:
    await adapter(redis).put("k", Entry(NOW - dt.timedelta(hours=2), NOW - dt.timedelta(hours=1)))
    assert await redis.exists(PREFIX + "k") == 0


async def test_an_undecodable_entry_is_a_miss(redis: Redis) -> None:
    await redis.set(PREFIX + "k", b"not msgpack of an entry")
    assert await adapter(redis).get("k") is None


async def test_a_reachable_redis_is_shared_health(redis: Redis) -> None:
    assert await adapter(redis).health() == CacheHealth.SHARED


async def test_a_stopped_redis_is_unavailable_not_a_vendor_error(
    redis_server: RedisServer, redis: Redis
) -> None:
    cache = adapter(redis)
    redis_server.stop()
    with pytest.raises(CacheUnavailable):
        await cache.get("k")
    with pytest.raises(CacheUnavailable):
        await cache.put("k", ENTRY)
    assert await cache.health() == CacheHealth.DEGRADED


async def test_after_a_failure_redis_is_left_alone_for_a_pause_then_used_again(
    redis_server: RedisServer, redis: Redis
) -> None:
    timer = FakeTimer()
    cache = adapter(redis, timer)
    redis_server.stop()
    with pytest.raises(CacheUnavailable):
        await cache.get("k")
    redis_server.start()
    with pytest.raises(CacheUnavailable, match="moments ago"):
        await cache.get("k")
    timer.now += 5
    assert await cache.get("k") is None


async def test_memory_carries_on_while_redis_is_down(redis_server: RedisServer, redis: Redis) -> None:
    clock = FixedClock(NOW)
    tiered = TieredCache(MemoryCache(1 << 20, clock), adapter(redis), clock)
    await tiered.put("k", ENTRY)
    redis_server.stop()
    await tiered.put("other", ENTRY)
    assert (
        await tiered.get("k"),
        await tiered.get("other"),
        await tiered.health(),
    ) == (ENTRY, ENTRY, CacheHealth.DEGRADED)


async def test_a_replicas_entry_is_found_through_the_tiers(redis: Redis) -> None:
    clock = FixedClock(NOW)
    await adapter(redis).put("k", ENTRY)
    assert await TieredCache(MemoryCache(1 << 20, clock), adapter(redis), clock).get("k") == ENTRY


async def test_rate_limit_counts_are_shared_by_replicas(redis_server: RedisServer) -> None:
    first, second = limiter_of(redis_server), limiter_of(redis_server)
    results = [await limiter.retry_after("client") for limiter in (first, second, first)]
    assert [*results[:2], results[2] is not None] == [None, None, True]


async def test_rate_limiting_falls_back_to_memory_when_redis_stops(redis_server: RedisServer) -> None:
    limiter = limiter_of(redis_server, redis_timeout=0.5)
    redis_server.stop()
    assert [await limiter.retry_after("client") for _ in range(2)] == [None, None]
    assert await limiter.retry_after("client") is not None


@pytest.fixture(autouse=True)
def seeded(fake: FakeWikimedia) -> None:
    fake.add_month("Albert_Einstein", dt.date(2023, 9, 1), 909)
    fake.add_month("Albert_Einstein", dt.date(2023, 10, 1), 1010)


def service_with_redis(fake: FakeWikimedia, redis_server: RedisServer) -> TestClient[Any]:
    settings = settings_from_env(PAGEVIEWS_REDIS_URL=redis_server.url, PAGEVIEWS_RATE_LIMIT="100/second")
    return serve(container_for(fake.transport(), settings=settings))


def test_a_second_replica_answers_from_redis_without_asking_upstream(
    fake: FakeWikimedia, redis_server: RedisServer
) -> None:
    with service_with_redis(fake, redis_server) as first:
        first.get(OCTOBER)
    with service_with_redis(fake, redis_server) as second:
        response = second.get(OCTOBER)
    assert (response.status_code, response.json()["views"], len(fake.requests)) == (200, 1010, 1)


def test_the_service_keeps_answering_when_redis_stops_in_the_middle(
    fake: FakeWikimedia, redis_server: RedisServer
) -> None:
    with service_with_redis(fake, redis_server) as client:
        before = client.get(OCTOBER)
        ready_before = client.get("/ready").json()
        redis_server.stop()
        remembered = client.get(OCTOBER)
        new = client.get(SEPTEMBER)
        ready_after = client.get("/ready")
    assert [r.status_code for r in (before, remembered, new)] == [200, 200, 200]
    assert (remembered.json()["views"], new.json()["views"], len(fake.requests)) == (1010, 909, 2)
    assert ready_before == {"status": "ready", "cache": "shared"}
    assert (ready_after.status_code, ready_after.json()) == (200, {"status": "ready", "cache": "degraded"})


def test_the_service_starts_and_answers_with_redis_unreachable(fake: FakeWikimedia) -> None:
    server = RedisServer()  # a free port where nothing listens
    settings = settings_from_env(PAGEVIEWS_REDIS_URL=server.url)
    transport: httpx.AsyncBaseTransport = fake.transport()
    with serve(container_for(transport, settings=settings)) as client:
        statuses = [client.get(path).status_code for path in (OCTOBER, OCTOBER, "/ready")]
    assert statuses == [200, 200, 200]


async def test_an_answer_for_another_period_is_never_stored_in_redis(
    fake: FakeWikimedia, redis_server: RedisServer, redis: Redis
) -> None:
    """Checked before it is stored: otherwise every replica would serve the same 502 for weeks."""
    november = {"project": "en.wikipedia", "article": "Albert_Einstein", "granularity": "monthly",
                "timestamp": "2023110100", "access": "all-access", "agent": "user", "views": 951}  # fmt: skip
    fake.fail_next(
        Canned(200, json.dumps({"items": [november]}).encode(), {"content-type": "application/json"})
    )
    with service_with_redis(fake, redis_server) as client:
        wrong = client.get(OCTOBER)
        right = client.get(OCTOBER)
    stored = [key async for key in redis.scan_iter(match=PREFIX + "*")]
    assert (wrong.status_code, right.status_code, right.json()["views"]) == (502, 200, 1010)
    assert [key.decode() for key in stored] == [
        PREFIX + "pv2|monthly|2023-10|per-article|en.wikipedia|all-access|user|Albert_Einstein"
    ]


def test_a_replica_answers_a_range_inside_another_replicas_range_from_redis_blocks(
    fake: FakeWikimedia, redis_server: RedisServer
) -> None:
    """Redis holds months, not answers to ranges: any range in them is answered by every replica."""
    for month in range(1, 13):
        fake.add_month("AC/DC", dt.date(2022, month, 1), 100 + month)
    series = "/v1/pageviews/en.wikipedia/AC/DC"
    with service_with_redis(fake, redis_server) as first:
        first.get(series, params={"from": "2022-01", "to": "2022-12"})
    with service_with_redis(fake, redis_server) as second:
        response = second.get(series, params={"from": "2022-03", "to": "2022-05"})
    assert ([103, 104, 105], len(fake.requests)) == ([i["views"] for i in response.json()["items"]], 1)
