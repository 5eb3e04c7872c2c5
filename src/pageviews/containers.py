"""The composition root: the one module that knows every concrete adapter (middleware included) and wires them
to the use cases. `build_app(container)` is what an ASGI server runs; tests override providers before it."""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import sys
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager

import httpx
from dependency_injector import containers, providers
from litestar import Litestar
from litestar.types import Middleware

from pageviews.adapters.inbound.http.app import create_app
from pageviews.adapters.inbound.http.conditional import ETagMiddleware, RememberVary
from pageviews.adapters.inbound.http.rate_limit import RateLimiting, RateLimitMiddleware
from pageviews.adapters.inbound.http.response_cache import ResponseCache, ResponseCacheMiddleware
from pageviews.adapters.inbound.http.serving import Serving, rate_limiting_of, response_cache_of
from pageviews.adapters.inbound.http.timeouts import BoundedBody
from pageviews.adapters.outbound.cache.memory import MemoryCache
from pageviews.adapters.outbound.cache.redis import RedisCache, make_redis
from pageviews.adapters.outbound.cache.sqlite import SqliteCache
from pageviews.adapters.outbound.cache.tiered import TieredCache
from pageviews.adapters.outbound.clock import SystemClock
from pageviews.adapters.outbound.mediawiki.client import LONGEST_WAIT, MediaWikiPageFacts
from pageviews.adapters.outbound.pause import Pause
from pageviews.adapters.outbound.rate_limit import RateLimiter
from pageviews.adapters.outbound.resilience import CircuitBreaker, Resilience
from pageviews.adapters.outbound.transport import AiohttpTransport
from pageviews.adapters.outbound.upstream import MeteredTransport, UpstreamClient
from pageviews.adapters.outbound.wikimedia.client import WikimediaPageviewsSource
from pageviews.adapters.outbound.wikimedia.metrics import WikimediaMetricsSource
from pageviews.application.cached_metrics import CachingMetricsSource
from pageviews.application.cached_sources import CachingSource, Memo
from pageviews.application.mirror import MirrorService
from pageviews.application.page_facts import CachedPageFacts
from pageviews.application.siteviews import SitesService
from pageviews.application.use_cases import PageviewsService, Services
from pageviews.domain.cache_policy import CachePolicy
from pageviews.domain.freshness import Freshness
from pageviews.domain.model import Fetched
from pageviews.domain.ports import Cache, Clock, PageFacts
from pageviews.observability.access_log import AccessLog
from pageviews.observability.metrics import Metrics
from pageviews.settings import Settings

MIB = 1024 * 1024
COMMAND_CACHE_ROWS = 1_000_000
"""Rows of the command line's cache file at most (one month of one series each, mostly)."""
OWN_PAGES_FROM = 32 * 1024
"""Allocations from this size up get pages of their own, given back when freed (`pageviews.asgi` asks glibc
for it in each worker); the response cache counts its bodies that large as the pages they take."""
STORE_PAUSE = 5.0
"""Seconds a failed store (Redis) is not asked again, by the cache and by the rate limit."""


async def _wikimedia_client(settings: Settings, metrics: Metrics) -> AsyncIterator[UpstreamClient]:
    limits = httpx.Limits(
        max_connections=settings.upstream_connections, max_keepalive_connections=settings.upstream_connections
    )
    transport = MeteredTransport(AiohttpTransport(limits), metrics.upstream)
    client = UpstreamClient(settings.wikimedia_url, settings.user_agent, settings.upstream_timeout, transport)
    try:
        yield client
    finally:
        await client.aclose()


async def _mediawiki_client(settings: Settings, metrics: Metrics) -> AsyncIterator[UpstreamClient | None]:
    """One client for every wiki's api.php (requests name their whole URL); a connection per slot. None when
    `PAGEVIEWS_MEDIAWIKI_URL` is empty: nothing is opened that would never be used."""
    if not settings.mediawiki_url:
        yield None
        return
    connections = settings.mediawiki_concurrency
    limits = httpx.Limits(max_connections=connections, max_keepalive_connections=connections)
    transport = MeteredTransport(AiohttpTransport(limits), metrics.upstream_of("mediawiki"))
    client = UpstreamClient("", settings.user_agent, settings.upstream_timeout, transport)
    try:
        yield client
    finally:
        await client.aclose()


def _mediawiki_resilience(
    settings: Settings, metrics: Metrics, sleep: Callable[[float], Awaitable[None]]
) -> Resilience:
    """MediaWiki's own breaker and slots (its etiquette: one request at a time), the same retry rules."""
    upstream = "MediaWiki"
    breaker = CircuitBreaker(
        upstream=upstream,
        window=settings.breaker_window,
        minimum_calls=settings.breaker_minimum_calls,
        failure_rate=settings.breaker_failure_rate,
        cool_down=settings.breaker_cool_down,
    )
    metrics.watch_breaker(lambda: breaker.is_open, "mediawiki")
    return Resilience(
        upstream=upstream,
        attempts=settings.upstream_attempts,
        deadline=settings.upstream_deadline,
        retry_after_cap=max(settings.upstream_retry_after_cap, LONGEST_WAIT),
        breaker=breaker,
        concurrency=settings.mediawiki_concurrency,
        queue_timeout=settings.mediawiki_queue_timeout,
        sleep=sleep,
    )


def _page_facts(
    settings: Settings,
    client: UpstreamClient | None,
    resilience: Resilience,
    cache: Cache,
    policy: CachePolicy,
    clock: Clock,
    metrics: Metrics,
) -> PageFacts | None:
    """What the wikis know about their pages, cached; None when `PAGEVIEWS_MEDIAWIKI_URL` is empty."""
    if client is None or not settings.mediawiki_url:
        return None
    source = MediaWikiPageFacts(client, settings.mediawiki_url, resilience)
    return CachedPageFacts(source, cache, policy, clock, metrics.cache_lookup)


def _cache_policy(settings: Settings, freshness: Freshness) -> CachePolicy:
    return CachePolicy(
        freshness=freshness,
        settled_ttl=dt.timedelta(hours=settings.cache_settled_ttl_hours),
        unsettled_ttl=dt.timedelta(seconds=settings.cache_unsettled_ttl_seconds),
        no_data_ttl=dt.timedelta(seconds=settings.cache_no_data_ttl_seconds),
        keep_stale=dt.timedelta(hours=settings.cache_keep_stale_hours),
        page_facts_ttl=dt.timedelta(seconds=settings.page_facts_ttl_seconds),
    )


async def _cache(settings: Settings, clock: Clock, metrics: Metrics | None = None) -> AsyncIterator[Cache]:
    """Process memory (its bytes a gauge of `metrics`); in front of Redis when `PAGEVIEWS_REDIS_URL` is set
    (connected lazily: a Redis that is down at start-up degrades the cache, it does not stop the service)."""
    memory = MemoryCache(settings.cache_memory_mib * MIB, clock)
    if metrics is not None:
        metrics.watch_cache(lambda: memory.stored_bytes, "answers")
    if not settings.redis_url:
        yield memory
        return
    client = make_redis(settings.redis_url, settings.redis_timeout)
    try:
        yield TieredCache(memory, RedisCache(client, clock, Pause(STORE_PAUSE)), clock)
    finally:
        await client.aclose()


async def _command_cache(settings: Settings, clock: Clock) -> AsyncIterator[Cache]:
    """The command line's: process memory in front of a SQLite file that outlives the process (in front of
    Redis too when `PAGEVIEWS_REDIS_URL` is set), so a repeated command does not ask Wikimedia again."""
    memory = MemoryCache(settings.cache_memory_mib * MIB, clock)
    path = settings.cli_cache_file()
    if path is None:
        async with asynccontextmanager(_cache)(settings, clock) as cache:
            yield cache
        return
    local = SqliteCache(path, clock, settings.cli_cache_mib * MIB, max_rows=COMMAND_CACHE_ROWS)
    try:
        if not settings.redis_url:
            yield TieredCache(memory, local, clock)
            return
        client = make_redis(settings.redis_url, settings.redis_timeout)
        try:
            shared = RedisCache(client, clock, Pause(STORE_PAUSE))
            yield TieredCache(memory, TieredCache(local, shared, clock), clock)
        finally:
            await client.aclose()
    finally:
        local.close()


def _resilience(
    settings: Settings, metrics: Metrics, sleep: Callable[[float], Awaitable[None]]
) -> Resilience:
    upstream = f"Wikimedia ({httpx.URL(settings.wikimedia_url).host})"
    breaker = CircuitBreaker(
        upstream=upstream,
        window=settings.breaker_window,
        minimum_calls=settings.breaker_minimum_calls,
        failure_rate=settings.breaker_failure_rate,
        cool_down=settings.breaker_cool_down,
    )
    metrics.watch_breaker(lambda: breaker.is_open)
    return Resilience(
        upstream=upstream,
        attempts=settings.upstream_attempts,
        deadline=settings.upstream_deadline,
        retry_after_cap=settings.upstream_retry_after_cap,
        breaker=breaker,
        concurrency=settings.upstream_concurrency,
        queue_timeout=settings.upstream_queue_timeout,
        sleep=sleep,
    )


def _access_log(settings: Settings) -> AccessLog | None:
    """Requests are logged at INFO: a higher level turns the access log off."""
    if logging.getLevelName(settings.log_level.upper()) > logging.INFO:
        return None
    return AccessLog(sys.stdout.buffer)


def _response_cache(settings: Settings, clock: Clock, metrics: Metrics) -> ResponseCache | None:
    budget = settings.response_cache_memory_mib * MIB
    if not budget:
        return None
    cache = ResponseCache(budget, clock, own_pages_from=OWN_PAGES_FROM)
    metrics.watch_cache(lambda: cache.stored_bytes, "responses")
    return cache


def _rate_limiting(settings: Settings) -> RateLimiting | None:
    if not settings.rate_limit:
        return None
    limiter = RateLimiter(settings.rate_limit, Pause(STORE_PAUSE), settings.redis_url, settings.redis_timeout)
    return RateLimiting(limiter, settings.rate_limit_client_header)


class Container(containers.DeclarativeContainer):
    settings = providers.Singleton(Settings.from_env)
    clock = providers.Singleton(SystemClock)
    sleep = providers.Object(asyncio.sleep)
    """How the upstream adapters wait between attempts (tests wait in no time)."""
    metrics = providers.Singleton(Metrics)
    freshness = providers.Singleton(Freshness, settle=settings.provided.settle)
    cache_policy = providers.Singleton(_cache_policy, settings=settings, freshness=freshness)
    wikimedia_client = providers.Resource(_wikimedia_client, settings=settings, metrics=metrics)
    resilience = providers.Singleton(_resilience, settings=settings, metrics=metrics, sleep=sleep)
    source = providers.Singleton(WikimediaPageviewsSource, client=wikimedia_client, resilience=resilience)
    cache = providers.Resource(_cache, settings=settings, clock=clock, metrics=metrics)
    cached_source = providers.Singleton(
        CachingSource,
        source=source,
        top_source=source,
        cache=cache,
        policy=cache_policy,
        clock=clock,
        observe=metrics.provided.cache_lookup,
    )
    mediawiki_client = providers.Resource(_mediawiki_client, settings=settings, metrics=metrics)
    mediawiki_resilience = providers.Singleton(
        _mediawiki_resilience, settings=settings, metrics=metrics, sleep=sleep
    )
    page_facts = providers.Singleton(
        _page_facts,
        settings=settings,
        client=mediawiki_client,
        resilience=mediawiki_resilience,
        cache=cache,
        policy=cache_policy,
        clock=clock,
        metrics=metrics,
    )
    service = providers.Singleton(
        PageviewsService,
        source=cached_source,
        top_source=cached_source,
        clock=clock,
        freshness=freshness,
        batch_concurrency=settings.provided.batch_concurrency,
        page_facts=page_facts,
        redirects_limit=settings.provided.redirects_limit,
        page_facts_budget=settings.provided.mediawiki_deadline_seconds,
    )
    metrics_source = providers.Singleton(
        WikimediaMetricsSource, client=wikimedia_client, resilience=resilience
    )
    cached_metrics = providers.Singleton(
        CachingMetricsSource,
        source=metrics_source,
        cache=cache,
        policy=cache_policy,
        clock=clock,
        observe=metrics.provided.cache_lookup,
    )
    sites = providers.Singleton(
        SitesService,
        metrics=cached_metrics,
        clock=clock,
        freshness=freshness,
        page_facts=page_facts,
        page_facts_budget=settings.provided.mediawiki_deadline_seconds,
    )
    mirror_ranges = providers.Singleton(
        Memo[Fetched],
        Fetched,
        cache=cache,
        policy=cache_policy,
        clock=clock,
        observe=metrics.provided.cache_lookup,
    )
    mirror = providers.Singleton(
        MirrorService,
        pageviews=cached_source,
        top=cached_source,
        metrics=cached_metrics,
        ranges=mirror_ranges,
        clock=clock,
        freshness=freshness,
        upstream_pageviews=source,
        upstream_metrics=metrics_source,
    )
    response_cache = providers.Singleton(_response_cache, settings=settings, clock=clock, metrics=metrics)
    rate_limiting = providers.Singleton(_rate_limiting, settings=settings)
    access_log = providers.Singleton(_access_log, settings=settings)


@asynccontextmanager
async def _services(container: Container) -> AsyncIterator[Services]:
    """The use cases with their resources open (the httpx clients, the cache), closed again on the way out."""
    init = container.init_resources()
    if init is not None:
        await init
    try:
        # A provider that depends on an async Resource hands out an awaitable (its stubs do not say so).
        service: PageviewsService = await container.service.async_()
        cache: Cache = await container.cache.async_()
        sites: SitesService = await container.sites.async_()
        mirror: MirrorService = await container.mirror.async_()
        yield Services(pageviews=service, cache_health=cache.health, sites=sites, mirror=mirror)
    finally:
        shutdown = container.shutdown_resources()
        if shutdown is not None:
            await shutdown


@asynccontextmanager
async def started(container: Container) -> AsyncIterator[Serving]:
    """What the application serves with, its resources open, closed again on the way out (the access log
    flushed first)."""
    async with _services(container) as services:
        try:
            yield Serving(
                services=services,
                cache_policy=container.cache_policy(),
                metrics=container.metrics(),
                response_cache=container.response_cache(),
                rate_limiting=container.rate_limiting(),
                access_log=container.access_log(),
            )
        finally:
            access_log = container.access_log()
            if access_log is not None:
                access_log.flush()


@asynccontextmanager
async def command_services(container: Container) -> AsyncIterator[Services]:
    """The use cases for the command line: the same wiring as the server's, the cache kept in a file."""
    container.cache.override(
        providers.Resource(_command_cache, settings=container.settings, clock=container.clock)
    )
    async with _services(container) as services:
        yield services


def http_middleware(client_timeout: float) -> list[Middleware]:
    """The HTTP adapter's middleware, outermost first: the body's time bound around everything; replays from
    the response cache get their ETag and are not rate-limited (they cost what /health costs); everything that
    reaches a handler is counted."""
    return [
        BoundedBody(client_timeout),
        RememberVary(),
        ETagMiddleware(),
        ResponseCacheMiddleware(response_cache_of),
        RateLimitMiddleware(rate_limiting_of),
    ]


def build_app(container: Container) -> Litestar:
    settings: Settings = container.settings()
    return create_app(
        start=lambda: started(container),
        middleware=http_middleware(settings.client_timeout),
        cors_origins=settings.cors_origin_list,
    )
