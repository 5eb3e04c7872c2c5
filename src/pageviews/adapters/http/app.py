"""`create_app(container)`: the Litestar application, built from a wired container; no import-time effects."""

from __future__ import annotations

import inspect
from collections.abc import AsyncIterator, Awaitable
from contextlib import asynccontextmanager
from typing import Any

from litestar import Litestar, Response, get
from litestar.config.cors import CORSConfig
from litestar.di import Provide

from pageviews.adapters.http.caching import ETagMiddleware
from pageviews.adapters.http.docs import docs_assets_router, openapi_config
from pageviews.adapters.http.observability import Metrics, Observed
from pageviews.adapters.http.problems import EXCEPTION_HANDLERS
from pageviews.adapters.http.ratelimit import RateLimitMiddleware
from pageviews.adapters.http.response_cache import ResponseCacheMiddleware
from pageviews.adapters.http.routes import ROUTES
from pageviews.adapters.http.v1 import V1_ROUTES
from pageviews.containers import Container
from pageviews.domain.caching import Cache, CacheHealth, CachePolicy
from pageviews.service import PageviewsService


def create_app(container: Container) -> Litestar:
    @asynccontextmanager
    async def lifespan(app: Litestar) -> AsyncIterator[None]:
        await _maybe_await(container.init_resources())
        app.state.ready = True
        try:
            yield
        finally:
            app.state.ready = False
            await _maybe_await(container.shutdown_resources())

    async def provide_service() -> PageviewsService:
        # A provider that depends on an async Resource hands out an awaitable (its stubs do not say so).
        service: PageviewsService | Awaitable[PageviewsService] = container.service()
        return await service if inspect.isawaitable(service) else service

    async def provide_cache_policy() -> CachePolicy:
        return container.cache_policy()

    async def provide_cache_health() -> CacheHealth:
        cache: Cache | Awaitable[Cache] = container.cache()
        return await (await cache if inspect.isawaitable(cache) else cache).health()

    settings = container.settings()
    limiter = container.rate_limiter()
    rate_limit = [] if limiter is None else [RateLimitMiddleware(limiter, settings.rate_limit_client_header)]
    size = settings.response_cache_size
    response_cache = [ResponseCacheMiddleware(size, container.clock())] if size else []
    metrics: Metrics = container.metrics()

    @get("/metrics", include_in_schema=False, cache=False)
    async def metrics_endpoint() -> Response[bytes]:
        # The text exposition format generate_latest writes; Litestar appends the charset itself.
        return Response(metrics.render(), media_type="text/plain; version=0.0.4")

    return PageviewsApp(
        metrics,
        route_handlers=[*ROUTES, *V1_ROUTES, metrics_endpoint, docs_assets_router()],
        dependencies={
            "service": Provide(provide_service),
            "cache_policy": Provide(provide_cache_policy),
            "cache_health": Provide(provide_cache_health),
        },
        # Outermost first: replays from the response cache get their ETag and are not rate-limited (they cost
        # what /health costs); everything that reaches a handler is counted.
        middleware=[ETagMiddleware(), *response_cache, *rate_limit],
        exception_handlers=EXCEPTION_HANDLERS,
        lifespan=[lifespan],
        openapi_config=openapi_config(),
        cors_config=_cors(settings.cors_origins),
        logging_config=None,
    )


class PageviewsApp(Litestar):
    """Litestar, observed as a whole: per-route middleware would miss the 404s and 405s of routing."""

    def __init__(self, metrics: Metrics, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._observed = Observed(super().__call__, metrics)

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await super().__call__(scope, receive, send)
        elif scope["method"] == "HEAD":
            await self._observed({**scope, "method": "GET"}, receive, _without_body(send))
        else:
            await self._observed(scope, receive, send)


def _without_body(send: Any) -> Any:
    """HEAD is GET without the body (RFC 9110 9.3.2): same status and headers, Content-Length included."""

    async def send_headers_only(message: Any) -> None:
        if message["type"] == "http.response.body":
            if not message.get("more_body", False):
                await send({"type": "http.response.body", "body": b"", "more_body": False})
            return
        await send(message)

    return send_headers_only


def _cors(origins: str) -> CORSConfig | None:
    """CORS stays off unless origins are configured (comma-separated, or `*`)."""
    allowed = [o.strip() for o in origins.split(",") if o.strip()]
    if not allowed:
        return None
    return CORSConfig(allow_origins=allowed, allow_methods=["GET", "POST", "OPTIONS"], max_age=600)


async def _maybe_await(result: Awaitable[None] | None) -> None:
    if inspect.isawaitable(result):
        await result
