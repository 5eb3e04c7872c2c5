"""`create_app(...)`: the Litestar application. It is built once, from its routes and static configuration;
what it serves with (the use cases, the cache policy, metrics, the response cache, the rate limit) is opened by
`start()` for each run of its lifespan. It knows no concrete outbound adapter and no container, and nothing
happens at import time."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from typing import Any

from litestar import Litestar
from litestar.config.cors import CORSConfig
from litestar.datastructures import State
from litestar.di import Provide
from litestar.types import Middleware

from pageviews.adapters.inbound.http.batch import batch
from pageviews.adapters.inbound.http.conditional import merge_vary
from pageviews.adapters.inbound.http.countries import top_by_country, top_per_country
from pageviews.adapters.inbound.http.docs import docs_assets_router, openapi_config
from pageviews.adapters.inbound.http.mirror import MIRROR_ROUTES, open_to_any_origin
from pageviews.adapters.inbound.http.monthly import monthly_view_count
from pageviews.adapters.inbound.http.observed import Observed
from pageviews.adapters.inbound.http.openapi import ClosedStructSchemaPlugin
from pageviews.adapters.inbound.http.operations import apidocs, health, metrics_endpoint, ready
from pageviews.adapters.inbound.http.page import page, static_file
from pageviews.adapters.inbound.http.pages import language_views, redirect_views
from pageviews.adapters.inbound.http.parameters import refuse_unknown_parameters
from pageviews.adapters.inbound.http.problems import EXCEPTION_HANDLERS
from pageviews.adapters.inbound.http.requests import StrictRequest
from pageviews.adapters.inbound.http.response_cache import Ready, replay_of
from pageviews.adapters.inbound.http.series import PAGE_HEADERS, series
from pageviews.adapters.inbound.http.serving import Serving, current, serving_of
from pageviews.adapters.inbound.http.siteviews import siteviews, unique_devices
from pageviews.adapters.inbound.http.top import top

ROUTES = [
    monthly_view_count,
    health,
    ready,
    apidocs,
    series,
    top,
    batch,
    redirect_views,
    language_views,
    metrics_endpoint,
    page,
    static_file,
]
ROUTES += [siteviews, unique_devices, top_by_country, top_per_country, *MIRROR_ROUTES]


def create_app(
    *,
    start: Callable[[], AbstractAsyncContextManager[Serving]],
    middleware: Sequence[Middleware],
    cors_origins: Sequence[str] = (),
) -> Litestar:
    """The application; `middleware` (outermost first) is chosen by the composition root."""

    @asynccontextmanager
    async def lifespan(app: Litestar) -> AsyncIterator[None]:
        try:
            async with start() as serving:
                app.state.serving = serving
                app.state.ready = True
                try:
                    yield
                finally:
                    app.state.ready = False
        finally:
            app.state.pop("serving", None)

    def provide_serving(state: State) -> Serving:
        return serving_of(state)

    return PageviewsApp(
        route_handlers=[*ROUTES, docs_assets_router()],
        # One dependency, resolved in line: Litestar resolves two or more side by side in a task group of their
        # own, which cost a cold request a quarter of a millisecond.
        dependencies={"serving": Provide(provide_serving, sync_to_thread=False)},
        middleware=list(middleware),
        exception_handlers=EXCEPTION_HANDLERS,
        request_class=StrictRequest,
        before_request=refuse_unknown_parameters,
        plugins=[ClosedStructSchemaPlugin()],
        lifespan=[lifespan],
        openapi_config=openapi_config(),
        cors_config=_cors(cors_origins),
        logging_config=None,
    )


class PageviewsApp(Litestar):
    """Litestar, observed as a whole: per-route middleware would miss the 404s and 405s of routing."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._observed = Observed(self._litestar, lambda: current(self.state), self._replay)
        self._replays_with_origin = self.cors_config is None
        """With CORS on, an answer to a request with an `Origin` needs CORS's headers: Litestar adds them."""

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await super().__call__(scope, receive, send)
            return
        send = open_to_any_origin(scope, send)  # outside CORS and the response cache: every mirror answer
        if scope["method"] == "HEAD":
            head: Any = {**scope, "method": "GET"}
            await self._observed(head, receive, self._merging_vary(head, _without_body(send)))
        else:
            await self._observed(scope, receive, self._merging_vary(scope, send))

    def _merging_vary(self, scope: Any, send: Any) -> Any:
        """Only CORS, outside our middleware, can replace a `Vary`: without it there is nothing to merge. With it,
        every answer varies on `Origin`, so that a shared cache never hands one made without CORS's headers (a
        request without an `Origin`, or from an origin not allowed) to a cross-origin request."""
        return send if self._replays_with_origin else merge_vary(scope, send, always=b"Origin")

    def _replay(self, scope: Any, serving: Serving) -> Ready | None:
        """A repeated GET from the response cache, before routing (the fast path); None: Litestar answers."""
        if (
            serving.response_cache is None
            or scope["method"] != "GET"
            or not (self._replays_with_origin or all(name != b"origin" for name, _ in scope["headers"]))
        ):
            return None
        return replay_of(serving.response_cache, scope)

    async def _litestar(self, scope: Any, receive: Any, send: Any) -> None:
        await Litestar.__call__(self, scope, receive, send)


def _without_body(send: Any) -> Any:
    """HEAD is GET without the body (RFC 9110 9.3.2): same status and headers, Content-Length included."""

    async def send_headers_only(message: Any) -> None:
        if message["type"] == "http.response.body":
            if not message.get("more_body", False):
                await send({"type": "http.response.body", "body": b"", "more_body": False})
            return
        await send(message)

    return send_headers_only


def _cors(origins: Sequence[str]) -> CORSConfig | None:
    """CORS stays off unless origins are configured (or `*`)."""
    if not origins:
        return None
    return CORSConfig(
        allow_origins=list(origins),
        allow_methods=["GET", "POST", "OPTIONS"],
        expose_headers=list(PAGE_HEADERS),
        max_age=600,
    )
