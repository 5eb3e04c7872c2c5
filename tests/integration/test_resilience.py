"""Faults injected into a fake Wikimedia served over real HTTP: what the service makes of throttling, flaky 5xx,
timeouts, an open circuit and a failing upstream when it has a kept answer."""

from __future__ import annotations

import asyncio
import datetime as dt
import json
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from dependency_injector import providers
from litestar.testing import TestClient

from pageviews.adapters.outbound.resilience import CircuitBreaker, Resilience
from pageviews.adapters.outbound.wikimedia.client import WikimediaPageviewsSource
from pageviews.containers import Container, build_app
from pageviews.domain.errors import UpstreamUnavailable
from pageviews.domain.model import Article, ArticleQuery, Granularity, Project
from tests.support.app import NOW, concurrent_client, container_for, one_attempt, serve, settings_from_env
from tests.support.fake_wikimedia import Canned, FakeWikimedia
from tests.support.fakes import FakeSleep, FakeTimer, FixedClock

OCTOBER = "/monthly_view_count/Albert_Einstein/2023/10"
SEPTEMBER = "/monthly_view_count/Albert_Einstein/2023/09"
CURRENT = "/monthly_view_count/Albert_Einstein/2024/01"
CURIE = "/monthly_view_count/Marie_Curie/2023/10"
EINSTEIN = ArticleQuery(Project("en.wikipedia"), Article("Albert_Einstein"))
OCTOBER_DAYS = (dt.date(2023, 10, 1), dt.date(2023, 10, 31))


@pytest.fixture(autouse=True)
def seeded(fake: FakeWikimedia) -> None:
    for month in (dt.date(2023, 9, 1), dt.date(2023, 10, 1), dt.date(2024, 1, 1)):
        fake.add_month("Albert_Einstein", month, 1000 + month.month)


@pytest.fixture
def base_url(fake: FakeWikimedia) -> Iterator[str]:
    with fake.serve() as url:
        yield url


def over_http(base_url: str, **environment: str) -> Container:
    settings = settings_from_env(
        **{"PAGEVIEWS_WIKIMEDIA_URL": base_url, "PAGEVIEWS_UPSTREAM_ATTEMPTS": "3", **environment}
    )
    container = container_for(httpx.AsyncHTTPTransport(), settings=settings)
    container.sleep.override(providers.Object(FakeSleep()))
    return container


def client_for(container: Container) -> TestClient[Any]:
    return serve(container)


def test_a_throttled_request_is_retried_after_retry_after(fake: FakeWikimedia, base_url: str) -> None:
    fake.fail_next(Canned(429, b"Too many requests", {"retry-after": "0"}))
    with client_for(over_http(base_url)) as client:
        response = client.get(OCTOBER)
    assert (response.status_code, response.json()["views"], len(fake.requests)) == (200, 1010, 2)


def test_throttling_with_a_long_retry_after_is_passed_on_at_once(fake: FakeWikimedia, base_url: str) -> None:
    """Waiting 60 s would outlast the client's patience: it gets the 503 and the wait to honour instead."""
    fake.fail_next(Canned(429, b"Too many requests", {"retry-after": "60"}))
    with client_for(over_http(base_url)) as client:
        response = client.get(OCTOBER)
    assert (
        response.status_code,
        response.json()["code"],
        response.headers["retry-after"],
        len(fake.requests),
    ) == (503, "upstream_throttled", "60", 1)


def test_flaky_5xx_answers_are_retried(fake: FakeWikimedia, base_url: str) -> None:
    fake.fail_next(Canned(500, b"oops"), Canned(502, b"<html>Bad Gateway</html>"))
    with client_for(over_http(base_url)) as client:
        response = client.get(OCTOBER)
    assert (response.status_code, len(fake.requests)) == (200, 3)


def test_retries_are_bounded(fake: FakeWikimedia, base_url: str) -> None:
    fake.fail_next(*[Canned(500, b"oops")] * 5)
    with client_for(over_http(base_url)) as client:
        response = client.get(OCTOBER)
    assert (response.status_code, len(fake.requests)) == (502, 3)


def test_an_upstream_that_never_answers_in_time_is_a_504_within_the_deadline(
    fake: FakeWikimedia, base_url: str
) -> None:
    fake.fail_next(Canned(200, b"{}", delay=2.0))
    container = over_http(
        base_url,
        PAGEVIEWS_UPSTREAM_TIMEOUT="0.1",
        PAGEVIEWS_UPSTREAM_DEADLINE="0.3",
        PAGEVIEWS_UPSTREAM_QUEUE_TIMEOUT="0.3",
    )
    with client_for(container) as client:
        response = client.get(OCTOBER)
    assert (response.status_code, response.json()["code"]) == (504, "upstream_timeout")


def with_breaker(container: Container, timer: FakeTimer, threshold: int = 2) -> Container:
    """A breaker that opens once `threshold` requests, all of the recent ones, failed."""
    breaker = CircuitBreaker(
        window=threshold, minimum_calls=threshold, failure_rate=1, cool_down=30, timer=timer
    )
    container.resilience.override(providers.Object(Resilience(attempts=1, breaker=breaker)))
    return container


def test_after_repeated_failures_the_circuit_opens_and_fails_fast_with_retry_after(
    fake: FakeWikimedia, base_url: str
) -> None:
    fake.fail_next(Canned(500, b"oops"), Canned(500, b"oops"))
    with client_for(with_breaker(over_http(base_url), FakeTimer())) as client:
        failures = [client.get(path).status_code for path in (OCTOBER, CURIE)]
        response = client.get(CURRENT)
    assert (
        failures,
        response.status_code,
        response.json()["code"],
        response.headers["retry-after"],
        len(fake.requests),
    ) == ([502, 502], 503, "circuit_open", "30", 2)


def test_after_the_cool_down_one_success_closes_the_circuit(fake: FakeWikimedia, base_url: str) -> None:
    fake.fail_next(Canned(500, b"oops"), Canned(500, b"oops"))
    timer = FakeTimer()
    with client_for(with_breaker(over_http(base_url), timer)) as client:
        client.get(OCTOBER)
        client.get(CURIE)
        opened = client.get(SEPTEMBER).status_code
        timer.now += 30
        statuses = [client.get(path).status_code for path in (OCTOBER, SEPTEMBER, CURRENT)]
    assert (opened, statuses) == (503, [200, 200, 200])


def test_a_failing_upstream_is_answered_with_the_kept_answer_marked_stale(
    fake: FakeWikimedia, base_url: str
) -> None:
    container = over_http(base_url)
    clock = FixedClock(NOW)
    container.clock.override(providers.Object(clock))
    with client_for(container) as client:
        fresh = client.get(CURRENT)
        clock.current += dt.timedelta(hours=1)
        fake.fail_next(*[Canned(503, b"down", {"retry-after": "60"})] * 3)
        stale = client.get(CURRENT)
    assert (fresh.status_code, fresh.json()["stale"], fresh.headers.get("x-cache")) == (200, False, None)
    assert (
        stale.status_code,
        stale.json()["views"],
        stale.json()["stale"],
        stale.headers["x-cache"],
    ) == (200, 1001, True, "stale")
    assert "max-age=0" in stale.headers["cache-control"]


def test_an_open_circuit_is_answered_with_the_kept_answer_when_there_is_one(
    fake: FakeWikimedia, base_url: str
) -> None:
    container = with_breaker(over_http(base_url), FakeTimer(), threshold=1)
    clock = FixedClock(NOW)
    container.clock.override(providers.Object(clock))
    with client_for(container) as client:
        client.get(CURRENT)
        clock.current += dt.timedelta(hours=1)
        fake.fail_next(Canned(500, b"oops"))
        client.get(OCTOBER)  # opens the circuit
        response = client.get(CURRENT)
    assert (response.status_code, response.json()["stale"], len(fake.requests)) == (200, True, 2)


async def test_a_hundred_concurrent_identical_requests_make_one_upstream_request(
    fake: FakeWikimedia, base_url: str
) -> None:
    body = {
        "items": [
            {
                "project": "en.wikipedia",
                "article": "Albert_Einstein",
                "granularity": "monthly",
                "timestamp": "2023100100",
                "access": "all-access",
                "agent": "user",
                "views": 4242,
            }
        ]
    }
    fake.fail_next(Canned(200, json.dumps(body).encode(), {"content-type": "application/json"}, delay=0.5))
    async with concurrent_client(build_app(over_http(base_url))) as client:
        responses = await asyncio.gather(*(client.get(OCTOBER) for _ in range(100)))
    assert ({200}, {4242}, 1) == (
        {r.status_code for r in responses},
        {r.json()["views"] for r in responses},
        len(fake.requests),
    )


async def test_a_request_still_queued_when_the_service_shuts_down_is_a_503_not_a_500() -> None:
    client = httpx.AsyncClient(base_url="http://127.0.0.1:9/")
    await client.aclose()
    with pytest.raises(UpstreamUnavailable):
        await WikimediaPageviewsSource(client, one_attempt()).per_article(
            EINSTEIN, Granularity.MONTHLY, *OCTOBER_DAYS
        )


def title_path(title: str) -> str:
    return f"/monthly_view_count/{title}/2023/10"


def test_titles_that_wikimedia_always_fails_do_not_open_the_circuit_for_others(
    fake: FakeWikimedia, base_url: str
) -> None:
    """Two poison titles, each asked again and again, are two failures among the recent requests."""
    fake.poisoned = {"Poison_A": Canned(500, b"oops"), "Poison_B": Canned(500, b"oops")}
    with client_for(over_http(base_url)) as client:
        poisoned = {client.get(title_path(t)).status_code for _ in range(5) for t in ("Poison_A", "Poison_B")}
        healthy = client.get(OCTOBER)
    assert (poisoned, healthy.status_code, healthy.json()["views"]) == ({502}, 200, 1010)


def test_one_title_that_wikimedia_always_fails_asked_for_many_periods_does_not_open_the_circuit(
    fake: FakeWikimedia, base_url: str
) -> None:
    """On a fresh server: twelve months and three ranges of one poison title are one failure, not fifteen."""
    fake.poisoned = {"Poison": Canned(500, b"oops")}
    months = [f"/monthly_view_count/Poison/2023/{month}" for month in range(1, 13)]
    ranges = [f"/v1/pageviews/en.wikipedia/Poison?from=2022-0{n}&to=2022-0{n + 2}" for n in range(1, 4)]
    with client_for(over_http(base_url)) as client:
        poisoned = {client.get(path).status_code for path in months + ranges}
        healthy = client.get(OCTOBER)
    assert (poisoned, healthy.status_code, healthy.json()["views"]) == ({502}, 200, 1010)


def test_sustained_failure_opens_the_circuit(fake: FakeWikimedia, base_url: str) -> None:
    titles = [f"Broken_{n}" for n in range(10)]
    fake.poisoned = {title: Canned(500, b"oops") for title in titles}
    with client_for(over_http(base_url)) as client:
        failures = [client.get(title_path(title)).status_code for title in titles]
        response = client.get(OCTOBER)
    assert (set(failures), response.status_code, response.json()["code"]) == ({502}, 503, "circuit_open")


def test_a_slow_upstream_opens_the_circuit(fake: FakeWikimedia, base_url: str) -> None:
    """A request that runs out of time is a failure, so a Wikimedia that stopped answering is found out."""
    titles = [f"Slow_{n}" for n in range(10)]
    fake.poisoned = {title: Canned(200, b"{}", delay=1.0) for title in titles}
    environment = {
        "PAGEVIEWS_UPSTREAM_TIMEOUT": "0.05",
        "PAGEVIEWS_UPSTREAM_DEADLINE": "0.1",
        "PAGEVIEWS_UPSTREAM_QUEUE_TIMEOUT": "0.1",
    }
    with client_for(over_http(base_url, **environment)) as client:
        timeouts = {client.get(title_path(title)).status_code for title in titles}
        response = client.get(OCTOBER)
    assert (timeouts, response.status_code, response.json()["code"]) == ({504}, 503, "circuit_open")


async def test_requests_waiting_for_a_slot_held_by_slow_ones_get_a_503_in_bounded_time(
    fake: FakeWikimedia, base_url: str
) -> None:
    fake.poisoned = {f"Slow_{n}": Canned(200, b"{}", delay=2.0) for n in range(3)}
    environment = {"PAGEVIEWS_UPSTREAM_QUEUE_TIMEOUT": "0.2", "PAGEVIEWS_UPSTREAM_ATTEMPTS": "1"}
    async with concurrent_client(build_app(over_http(base_url, **environment))) as client:
        slow = [asyncio.create_task(client.get(title_path(f"Slow_{n}"))) for n in range(3)]
        await asyncio.sleep(0.2)
        waiting = await client.get(OCTOBER)
        for task in slow:
            task.cancel()
    assert (waiting.status_code, waiting.json()["code"], waiting.headers["retry-after"]) == (
        503,
        "upstream_busy",
        "1",
    )
