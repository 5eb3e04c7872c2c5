"""The real application wired for tests: a fresh container whose clock is fixed and whose upstream is the fake
Wikimedia (or any transport), overridden before the application is built so nothing reaches the internet."""

from __future__ import annotations

import atexit
import datetime as dt
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from typing import Any

import httpx
import msgspec
import pytest
from anyio.from_thread import BlockingPortal, start_blocking_portal
from asgi_lifespan import LifespanManager
from dependency_injector import providers
from litestar import Litestar
from litestar.testing import TestClient
from litestar.testing.transport import TestClientTransport

from pageviews.adapters.inbound.http.app import create_app
from pageviews.adapters.inbound.http.serving import Serving
from pageviews.adapters.inbound.http.timeouts import DEFAULT_CLIENT_TIMEOUT
from pageviews.adapters.outbound.resilience import Resilience
from pageviews.adapters.outbound.upstream import UpstreamClient
from pageviews.containers import Container, http_middleware, started
from pageviews.settings import Settings
from tests.support.fake_mediawiki import TEMPLATE as MEDIAWIKI_TEMPLATE
from tests.support.fake_wikimedia import BASE_URL
from tests.support.fakes import FixedClock

NOW = dt.datetime(2024, 1, 15, 12, 0, tzinfo=dt.UTC)
USER_AGENT = "pageviews-tests/1.0 (https://example.org/pageviews; tests@example.org)"

# One attempt per upstream request: these tests are about what each answer becomes, not about retries.
TEST_ENVIRONMENT = {
    "PAGEVIEWS_WIKIMEDIA_URL": BASE_URL,
    "PAGEVIEWS_USER_AGENT": USER_AGENT,
    "PAGEVIEWS_UPSTREAM_ATTEMPTS": "1",
    "PAGEVIEWS_MEDIAWIKI_URL": "",
}


def one_attempt() -> Resilience:
    """No retry, no breaker, no limit, no deadline: each call is exactly one attempt (it holds no state)."""
    return Resilience(attempts=1, deadline=None)


def settings_from_env(**environment: str) -> Settings:
    """Settings as read from the environment (`PAGEVIEWS_*` names), on top of the test defaults."""
    return Settings.from_env({**TEST_ENVIRONMENT, **environment})


def container_for(
    transport: httpx.AsyncBaseTransport,
    *,
    now: dt.datetime = NOW,
    settings: Settings | None = None,
    mediawiki: httpx.AsyncBaseTransport | None = None,
) -> Container:
    """`transport` as Wikimedia; `mediawiki` as every wiki's api.php (without it, MediaWiki is off, as with
    an empty `PAGEVIEWS_MEDIAWIKI_URL`: the service counts titles as asked)."""
    container = Container()
    settings = settings or settings_from_env()
    if mediawiki is not None and not settings.mediawiki_url:
        settings = msgspec.structs.replace(settings, mediawiki_url=MEDIAWIKI_TEMPLATE)
    container.settings.override(providers.Object(settings))
    container.clock.override(providers.Object(FixedClock(now)))
    client = UpstreamClient(settings.wikimedia_url, settings.user_agent, settings.upstream_timeout, transport)
    container.wikimedia_client.override(providers.Object(client))
    if mediawiki is not None:
        wikis = UpstreamClient("", settings.user_agent, settings.upstream_timeout, mediawiki)
        container.mediawiki_client.override(providers.Object(wikis))
    return container


def decode_paths_once(monkeypatch: pytest.MonkeyPatch) -> None:
    """Make Litestar's TestClient decode the request path once, as ASGI servers do.

    Its transport builds `scope["path"]` as `unquote(request.url.path)`, but httpx's `URL.path` is already
    decoded, so `%2541` reaches the application as `A` instead of `%41`, which hides exactly the
    percent-encoding bugs these tests look for (granian, uvicorn and httpx's own ASGITransport decode once)."""
    parse_request = TestClientTransport.parse_request

    def once(self: TestClientTransport[Any], request: httpx.Request) -> dict[str, Any]:
        scope = parse_request(self, request)
        scope["path"] = request.url.path
        return scope

    monkeypatch.setattr(TestClientTransport, "parse_request", once)


class _SharedApp:
    """One Litestar application for many tests, since building one costs tens of milliseconds and it holds
    nothing of a test: everything it serves with comes from the container of the client being started."""

    def __init__(self, cors_origins: tuple[str, ...]) -> None:
        self.next: Container | None = None
        self.app = create_app(
            start=self._start, middleware=http_middleware(DEFAULT_CLIENT_TIMEOUT), cors_origins=cors_origins
        )

    @asynccontextmanager
    async def _start(self) -> AsyncIterator[Serving]:
        container, self.next = self.next, None
        assert container is not None, "two clients of the shared application at once: use build_app"
        async with started(container) as serving:
            yield serving


_SHARED: dict[tuple[str, ...], _SharedApp] = {}


_PORTAL: list[BlockingPortal] = []


def _portal() -> BlockingPortal:
    """One event loop, in a thread of its own, for every client `serve` makes in this process: starting one
    per client (as TestClient does) costs a thread and a loop, a third of a short test's time."""
    if not _PORTAL:
        started = start_blocking_portal(backend="asyncio")
        _PORTAL.append(started.__enter__())
        atexit.register(started.__exit__, None, None, None)
    return _PORTAL[0]


class _Client(TestClient[Litestar]):
    @contextmanager
    def portal(self) -> Iterator[BlockingPortal]:
        yield _portal()


def serve(container: Container) -> TestClient[Litestar]:
    """A client of the application as `container` wires it (one such client at a time; for two at once, or
    for one that is never started, use `TestClient(build_app(container))`)."""
    origins = tuple(container.settings().cors_origin_list)
    shared = _SHARED.get(origins) or _SHARED.setdefault(origins, _SharedApp(origins))
    shared.next = container
    return _Client(shared.app)


@asynccontextmanager
async def concurrent_client(app: Litestar) -> AsyncIterator[httpx.AsyncClient]:
    """A client whose requests really run at the same time on the test's event loop (Litestar's
    AsyncTestClient hands each request to a portal thread and waits for it, one at a time)."""
    asgi: Any = app  # the two libraries type the same ASGI callable differently

    async def each_request_its_own_state(scope: Any, receive: Any, send: Any) -> None:
        """LifespanManager hands every request the lifespan's own `state` dict, where ASGI servers give each a
        copy: Litestar keeps a request's parsed query there, which the next request would then read."""
        if scope["type"] != "lifespan":
            scope = {**scope, "state": dict(scope.get("state", {}))}
        await asgi(scope, receive, send)

    async with LifespanManager(each_request_its_own_state) as manager:
        transport = httpx.ASGITransport(app=manager.app)
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
            yield client
