"""What clients see of caching and limits: Cache-Control from the domain's policy, ETags and 304s, a per-client
rate limit answered with a 429 problem, and readiness that reports the cache."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from litestar.testing import TestClient

from pageviews.adapters.inbound.http.conditional import etag_of, matches
from tests.support.app import container_for, serve, settings_from_env
from tests.support.fake_wikimedia import FakeWikimedia

OCTOBER = "/monthly_view_count/Albert_Einstein/2023/10"
CURRENT = "/monthly_view_count/Albert_Einstein/2024/01"


@pytest.fixture(autouse=True)
def seeded(fake: FakeWikimedia) -> None:
    for month in (8, 9, 10, 11):
        fake.add_month("Albert_Einstein", dt.date(2023, month, 1), 1000 + month)
    fake.add_month("Albert_Einstein", dt.date(2024, 1, 1), 101)


def client_for(fake: FakeWikimedia, **environment: str) -> TestClient[Any]:
    return serve(container_for(fake.transport(), settings=settings_from_env(**environment)))


def test_a_complete_month_may_be_cached_by_clients_for_the_long_ttl(client: TestClient[Any]) -> None:
    assert client.get(OCTOBER).headers["cache-control"] == "public, max-age=2592000"


def test_the_current_month_may_be_cached_by_clients_briefly(client: TestClient[Any]) -> None:
    assert client.get(CURRENT).headers["cache-control"] == "public, max-age=600"


def test_the_client_ttls_follow_the_settings(fake: FakeWikimedia) -> None:
    with client_for(fake, PAGEVIEWS_CACHE_UNSETTLED_TTL_SECONDS="60") as client:
        assert client.get(CURRENT).headers["cache-control"] == "public, max-age=60"


def test_an_answer_carries_the_etag_of_its_body(client: TestClient[Any]) -> None:
    response = client.get(OCTOBER)
    assert etag_of(response.content) == response.headers["etag"]


def test_a_client_that_has_the_answer_gets_a_304_without_a_body(client: TestClient[Any]) -> None:
    etag = client.get(OCTOBER).headers["etag"]
    response = client.get(OCTOBER, headers={"if-none-match": etag})
    assert (304, b"", etag, "public, max-age=2592000") == (
        response.status_code,
        response.content,
        response.headers["etag"],
        response.headers["cache-control"],
    )


def test_a_client_with_another_version_gets_the_answer(client: TestClient[Any]) -> None:
    response = client.get(OCTOBER, headers={"if-none-match": '"something-else"'})
    assert (response.status_code, response.json()["views"]) == (200, 1010)


def test_errors_carry_no_etag(client: TestClient[Any]) -> None:
    assert "etag" not in client.get("/monthly_view_count/Nobody/2023/10").headers


def test_a_repeated_question_is_not_asked_upstream_again(
    client: TestClient[Any], fake: FakeWikimedia
) -> None:
    for _ in range(3):
        client.get(OCTOBER)
    assert len(fake.requests) == 1


@given(tag=st.from_regex(r"[!#-~]{1,20}", fullmatch=True))
def test_if_none_match_compares_weakly(tag: str) -> None:
    etag = f'"{tag}"'
    assert [matches(header, etag) for header in (etag, f"W/{etag}", f'"x", {etag}')] == [True, True, True]


def test_if_none_match_star_matches_anything() -> None:
    assert matches("*", '"abc"')


def test_a_client_over_the_rate_limit_gets_a_429_problem_with_retry_after(fake: FakeWikimedia) -> None:
    with client_for(fake, PAGEVIEWS_RATE_LIMIT="2/minute") as client:
        statuses = [
            client.get(f"/monthly_view_count/Albert_Einstein/2023/{m}").status_code for m in (8, 9, 10)
        ]
        response = client.get("/monthly_view_count/Albert_Einstein/2023/11")
    assert (
        statuses,
        response.status_code,
        response.json()["code"],
        response.headers["content-type"],
    ) == ([200, 200, 429], 429, "rate_limited", "application/problem+json")
    assert 1 <= int(response.headers["retry-after"]) <= 60


def test_operational_endpoints_are_never_rate_limited(fake: FakeWikimedia) -> None:
    with client_for(fake, PAGEVIEWS_RATE_LIMIT="1/minute") as client:
        statuses = {client.get(path).status_code for path in ["/health", "/ready", "/health", "/ready"]}
    assert {200} == statuses


def test_behind_a_proxy_clients_are_told_apart_by_the_configured_header(fake: FakeWikimedia) -> None:
    environment = {
        "PAGEVIEWS_RATE_LIMIT": "1/minute",
        "PAGEVIEWS_RATE_LIMIT_CLIENT_HEADER": "X-Forwarded-For",
    }
    with client_for(fake, **environment) as client:
        statuses = [  # three different months: none is a replay, every request reaches the limiter
            client.get(
                f"/monthly_view_count/Albert_Einstein/2023/{month}",
                headers={"x-forwarded-for": f"203.0.113.{n}, 10.0.0.1"},
            ).status_code
            for n, month in ((1, 8), (2, 9), (1, 10))
        ]
    assert statuses == [200, 200, 429]


def test_answers_replayed_from_the_response_cache_are_not_counted(fake: FakeWikimedia) -> None:
    """A replay costs what /health costs; the limit protects the work behind it."""
    with client_for(fake, PAGEVIEWS_RATE_LIMIT="1/minute") as client:
        statuses = {client.get(OCTOBER).status_code for _ in range(5)}
    assert {200} == statuses


def test_the_default_rate_limit_does_not_throttle_a_busy_client(fake: FakeWikimedia) -> None:
    """Without the response cache in front, every one of these requests reaches the limiter."""
    with client_for(fake, PAGEVIEWS_RESPONSE_CACHE_MEMORY_MIB="0") as client:
        assert {200} == {client.get(OCTOBER).status_code for _ in range(300)}


def test_an_empty_rate_limit_switches_it_off() -> None:
    container = container_for(
        FakeWikimedia().transport(), settings=settings_from_env(PAGEVIEWS_RATE_LIMIT="")
    )
    assert container.rate_limiting() is None


def test_a_rate_limit_is_in_force_when_set() -> None:
    """The twin of the test above, so that it cannot pass because no limit is ever built."""
    environment = settings_from_env(PAGEVIEWS_RATE_LIMIT="5/second")
    container = container_for(FakeWikimedia().transport(), settings=environment)
    assert container.rate_limiting() is not None


def test_readiness_reports_an_in_process_cache(client: TestClient[Any]) -> None:
    assert client.get("/ready").json() == {"status": "ready", "cache": "memory"}


@pytest.mark.parametrize(
    ("path", "method"),
    [
        ("/monthly_view_count/{path}", "get"),
        ("/v1/pageviews/{project}/{article}", "get"),
        ("/v1/top/{project}/{month}", "get"),
        ("/v1/pageviews/batch", "post"),
    ],
)
def test_every_rate_limited_endpoint_documents_the_429_problem(
    openapi: dict[str, Any], path: str, method: str
) -> None:
    responses = openapi["paths"][path][method]["responses"]
    assert "application/problem+json" in responses["429"]["content"]
