"""`create_app(container)`: the Litestar application, built from a wired container; no import-time effects."""

from __future__ import annotations

import inspect
from collections.abc import AsyncIterator, Awaitable
from contextlib import asynccontextmanager

from litestar import Litestar
from litestar.di import Provide

from pageviews.adapters.http.docs import docs_assets_router, openapi_config
from pageviews.adapters.http.problems import EXCEPTION_HANDLERS
from pageviews.adapters.http.routes import ROUTES
from pageviews.adapters.http.v1 import V1_ROUTES
from pageviews.containers import Container
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

    return Litestar(
        route_handlers=[*ROUTES, *V1_ROUTES, docs_assets_router()],
        dependencies={"service": Provide(provide_service)},
        exception_handlers=EXCEPTION_HANDLERS,  # type: ignore[arg-type]
        lifespan=[lifespan],
        openapi_config=openapi_config(),
    )


async def _maybe_await(result: Awaitable[None] | None) -> None:
    if inspect.isawaitable(result):
        await result
