"""Fixtures of the tests that cross a boundary: the application over Litestar's TestClient, a real Redis."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import AsyncIterator, Generator, Iterator
from pathlib import Path
from typing import Any

import pytest
from litestar import Litestar
from litestar.testing import TestClient
from playwright.sync_api import Browser, BrowserContext, Page, sync_playwright

from pageviews.adapters.outbound.upstream import UpstreamClient
from pageviews.adapters.outbound.wikimedia.client import WikimediaPageviewsSource
from tests.support.app import USER_AGENT, container_for, one_attempt, serve
from tests.support.browser import chromium_path, launch, seed_demo, seed_demo_wikis
from tests.support.fake_mediawiki import FakeMediaWiki
from tests.support.fake_wikimedia import BASE_URL, FakeWikimedia
from tests.support.redis_server import RedisServer, running_redis
from tests.support.server_process import running_server


@pytest.fixture
def client(fake: FakeWikimedia) -> Iterator[TestClient[Litestar]]:
    """The application wired like production (fixed clock, one attempt per upstream request), `fake` as
    Wikimedia, started and stopped around the test."""
    with serve(container_for(fake.transport())) as client:
        yield client


@pytest.fixture
async def wikimedia_client(fake: FakeWikimedia) -> AsyncIterator[UpstreamClient]:
    """The Wikimedia adapters' httpx client, as the container makes it, with `fake` as Wikimedia."""
    async with UpstreamClient(BASE_URL, USER_AGENT, 5.0, fake.transport()) as client:
        yield client


@pytest.fixture
def source(wikimedia_client: UpstreamClient) -> WikimediaPageviewsSource:
    """The Wikimedia adapter of per-article series and top lists, one attempt per request."""
    return WikimediaPageviewsSource(wikimedia_client, one_attempt())


@pytest.fixture(scope="session")
def openapi() -> dict[str, Any]:
    """The OpenAPI document the application serves (the same for every test: it does not depend on data)."""
    with serve(container_for(FakeWikimedia().transport())) as client:
        response = client.get("/schema/openapi.json")
    assert response.status_code == 200
    document: dict[str, Any] = response.json()
    return document


@pytest.fixture
def redis_server() -> Iterator[RedisServer]:
    with running_redis() as server:
        yield server


# -- the page in a real browser (tests/integration/test_page_in_browser.py) ----------------------------------

SCREENSHOTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "screenshots"
"""Where a failing browser test leaves a picture of the page (ignored by git, uploaded by CI)."""


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Generator[None, Any, Any]:
    report = yield
    page = getattr(item, "funcargs", {}).get("page")
    if report.failed and report.when == "call" and isinstance(page, Page):
        report.sections.append(("screenshot", str(_screenshot(page, item.nodeid))))
    return report


def _screenshot(page: Page, nodeid: str) -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / (re.sub(r"[^\w.-]+", "_", nodeid) + ".png")
    page.screenshot(path=path, full_page=True)
    return path


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    """One chromium for the browser tests of a module (Debian's, never Playwright's download). Not for the whole
    session: Playwright's synchronous API keeps an event loop running in this thread while it is open, and every
    asynchronous test run after it in the same process would then fail to start its own."""
    executable = chromium_path()
    if executable is None:
        pytest.fail(
            "no chromium: `apt-get install chromium` (scripts/test does), or set PAGEVIEWS_TEST_CHROMIUM"
        )
    with sync_playwright() as playwright:
        browser = launch(playwright, executable)
        yield browser
        browser.close()


@pytest.fixture(scope="session")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The real server process in front of a fake Wikimedia and a fake MediaWiki over HTTP, with the demo
    articles' numbers up to yesterday, their redirects and languages; its base URL."""
    fake, wikis = FakeWikimedia(), FakeMediaWiki()
    seed_demo(fake, dt.datetime.now(dt.UTC).date())
    seed_demo_wikis(wikis)
    log = tmp_path_factory.mktemp("site") / "server.log"
    with fake.serve() as upstream, wikis.serve() as mediawiki:
        settings = {"PAGEVIEWS_WIKIMEDIA_URL": upstream, "PAGEVIEWS_MEDIAWIKI_URL": mediawiki}
        with running_server(log, settings) as server:
            yield server.base_url


@pytest.fixture(scope="module")
def browsing(browser: Browser, site: str) -> Iterator[BrowserContext]:
    """One browser context for the tests' tabs (a context costs half a second; the page keeps nothing in
    it but the HTTP cache: its state is the URL)."""
    context = browser.new_context(
        base_url=site, viewport={"width": 1280, "height": 900}, reduced_motion="reduce"
    )
    yield context
    context.close()


@pytest.fixture
def page(browsing: BrowserContext, request: pytest.FixtureRequest) -> Iterator[Page]:
    """A fresh tab at a desktop's size; the test fails if the page breaks its Content-Security-Policy, throws,
    or misses one of its own files."""
    tab = browsing.new_page()
    broken: list[str] = []
    tab.on("pageerror", lambda error: broken.append(f"uncaught: {error}"))
    tab.on(
        "console",
        lambda message: (
            broken.append(message.text)
            if message.type == "error" and "Failed to load resource" not in message.text
            else None
        ),
    )
    tab.on(
        "response",
        lambda response: (
            broken.append(f"{response.status} for {response.url}")
            if "/static/" in response.url and response.status >= 400
            else None
        ),
    )
    yield tab
    try:
        if broken:
            _screenshot(tab, request.node.nodeid)  # the page as it was when it broke, before it is closed
        assert [] == broken
    finally:
        tab.close()
