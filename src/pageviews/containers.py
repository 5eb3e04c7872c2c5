"""The composition root: the one module that knows every concrete adapter and how they are wired."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
from dependency_injector import containers, providers

from pageviews.adapters.clock import SystemClock
from pageviews.adapters.http.observability import Metrics
from pageviews.adapters.upstream_metrics import MeteredTransport
from pageviews.adapters.wikimedia import WikimediaPageviewsSource, make_client
from pageviews.domain.freshness import Freshness
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


class Container(containers.DeclarativeContainer):
    settings = providers.Singleton(Settings.from_env)
    clock = providers.Singleton(SystemClock)
    metrics = providers.Singleton(Metrics)
    wikimedia_client = providers.Resource(_wikimedia_client, settings=settings, metrics=metrics)
    source = providers.Singleton(WikimediaPageviewsSource, client=wikimedia_client)
    freshness = providers.Singleton(_freshness, settings=settings)
    service = providers.Singleton(
        PageviewsService,
        source=source,
        top_source=source,
        clock=clock,
        freshness=freshness,
        batch_concurrency=settings.provided.batch_concurrency,
    )
