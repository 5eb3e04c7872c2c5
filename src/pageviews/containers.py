"""The composition root: the one module that knows every concrete adapter and how they are wired."""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator

import httpx
from dependency_injector import containers, providers

from pageviews.adapters.clock import SystemClock
from pageviews.adapters.http.observability import Metrics
from pageviews.adapters.http.ratelimit import RateLimiter
from pageviews.adapters.memory_cache import MemoryCache
from pageviews.adapters.redis_cache import RedisCache, make_redis
from pageviews.adapters.resilience import CircuitBreaker, Resilience
from pageviews.adapters.tiered_cache import TieredCache
from pageviews.adapters.upstream_metrics import MeteredTransport
from pageviews.adapters.wikimedia import WikimediaPageviewsSource, make_client
from pageviews.caching import CachingSource
from pageviews.domain.caching import Cache, CachePolicy
from pageviews.domain.freshness import Freshness
from pageviews.domain.ports import Clock
from pageviews.service import PageviewsService
from pageviews.settings import Settings


async def _wikimedia_client(settings: Settings, metrics: Metrics) -> AsyncIterator[httpx.AsyncClient]:
    limits = httpx.Limits(
        max_connections=settings.upstream_connections, max_keepalive_connections=settings.upstream_connections
    )
    transport = MeteredTransport(httpx.AsyncHTTPTransport(limits=limits), metrics.upstream)
    client = make_client(
        settings.wikimedia_url, settings.user_agent, settings.upstream_timeout, transport=transport
    )
    try:
        yield client
    finally:
        await client.aclose()


def _freshness(settings: Settings) -> Freshness:
    return Freshness(settle=settings.settle)


def _cache_policy(settings: Settings) -> CachePolicy:
    return CachePolicy(
        settle=settings.settle,
        settled_ttl=dt.timedelta(hours=settings.cache_settled_ttl_hours),
        unsettled_ttl=dt.timedelta(seconds=settings.cache_unsettled_ttl_seconds),
        no_data_ttl=dt.timedelta(seconds=settings.cache_no_data_ttl_seconds),
        keep_stale=dt.timedelta(hours=settings.cache_keep_stale_hours),
    )


async def _cache(settings: Settings, clock: Clock) -> AsyncIterator[Cache]:
    """Process memory; in front of Redis when `PAGEVIEWS_REDIS_URL` is set (connected lazily: a Redis that is
    down at start-up degrades the cache, it does not stop the service)."""
    memory = MemoryCache(settings.cache_size, clock)
    if not settings.redis_url:
        yield memory
        return
    client = make_redis(settings.redis_url, settings.redis_timeout)
    try:
        yield TieredCache(memory, RedisCache(client, clock), clock)
    finally:
        await client.aclose()


def _resilience(settings: Settings, metrics: Metrics) -> Resilience:
    breaker = CircuitBreaker(settings.breaker_threshold, settings.breaker_cool_down)
    metrics.watch_breaker(lambda: breaker.is_open)
    return Resilience(
        attempts=settings.upstream_attempts,
        deadline=settings.upstream_deadline,
        retry_after_cap=settings.upstream_retry_after_cap,
        breaker=breaker,
        concurrency=settings.upstream_concurrency,
    )


def _rate_limiter(settings: Settings) -> RateLimiter | None:
    if not settings.rate_limit:
        return None
    return RateLimiter(settings.rate_limit, settings.redis_url, settings.redis_timeout)


class Container(containers.DeclarativeContainer):
    settings = providers.Singleton(Settings.from_env)
    clock = providers.Singleton(SystemClock)
    metrics = providers.Singleton(Metrics)
    wikimedia_client = providers.Resource(_wikimedia_client, settings=settings, metrics=metrics)
    resilience = providers.Singleton(_resilience, settings=settings, metrics=metrics)
    source = providers.Singleton(WikimediaPageviewsSource, client=wikimedia_client, resilience=resilience)
    cache_policy = providers.Singleton(_cache_policy, settings=settings)
    cache = providers.Resource(_cache, settings=settings, clock=clock)
    cached_source = providers.Singleton(
        CachingSource,
        source=source,
        top_source=source,
        cache=cache,
        policy=cache_policy,
        clock=clock,
        observe=metrics.provided.cache_lookup,
    )
    rate_limiter = providers.Singleton(_rate_limiter, settings=settings)
    freshness = providers.Singleton(_freshness, settings=settings)
    service = providers.Singleton(
        PageviewsService,
        source=cached_source,
        top_source=cached_source,
        clock=clock,
        freshness=freshness,
        batch_concurrency=settings.provided.batch_concurrency,
    )
