"""HTTP caching on the v1 endpoints: Cache-Control from the domain's policy for the whole range, `Vary:
Accept` for the JSON/CSV negotiation, ETags and 304s, and one upstream request for a repeated question."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from litestar.testing import TestClient

from tests.support.fake_wikimedia import FakeWikimedia

SERIES = "/v1/pageviews/en.wikipedia/Albert_Einstein"
SETTLED = "public, max-age=2592000"
UNSETTLED = "public, max-age=600"


@pytest.fixture(autouse=True)
def seeded(fake: FakeWikimedia) -> None:
    """The tests' clock is 2024-01-15 12:00 UTC: December 2023 has settled, January 2024 has not."""
    for month in (10, 11, 12):
        fake.add_month("Albert_Einstein", dt.date(2023, month, 1), 1000 + month)
    fake.add_month("Albert_Einstein", dt.date(2024, 1, 1), 101)
    fake.top[("en.wikipedia", "all-access", "2023", "10")] = [{"article": "Main_Page", "views": 9, "rank": 1}]


def test_a_range_of_settled_months_may_be_cached_for_the_long_ttl(client: TestClient[Any]) -> None:
    response = client.get(SERIES, params={"from": "2023-10", "to": "2023-12"})
    assert SETTLED == response.headers["cache-control"]


def test_a_range_that_reaches_an_unsettled_month_is_cached_briefly(client: TestClient[Any]) -> None:
    response = client.get(SERIES, params={"from": "2023-10", "to": "2024-01"})
    assert UNSETTLED == response.headers["cache-control"]


def test_a_daily_range_ending_in_an_unsettled_day_is_cached_briefly(
    fake: FakeWikimedia, client: TestClient[Any]
) -> None:
    fake.add_day("Albert_Einstein", dt.date(2024, 1, 2), 5)
    response = client.get(SERIES, params={"from": "2024-01-01", "to": "2024-01-14", "granularity": "daily"})
    assert UNSETTLED == response.headers["cache-control"]


def test_negotiated_answers_say_they_vary_on_accept(client: TestClient[Any]) -> None:
    assert "Accept" == client.get(SERIES, params={"from": "2023-10"}).headers["vary"]


def test_json_and_csv_of_the_same_question_are_kept_apart(client: TestClient[Any]) -> None:
    params = {"from": "2023-10"}
    first_json = client.get(SERIES, params=params)
    csv = client.get(SERIES, params=params, headers={"Accept": "text/csv"})
    second_json = client.get(SERIES, params=params)
    assert ("application/json", "text/csv", "application/json") == tuple(
        r.headers["content-type"].split(";")[0] for r in (first_json, csv, second_json)
    )


def test_a_repeated_series_is_asked_upstream_once(fake: FakeWikimedia, client: TestClient[Any]) -> None:
    for _ in range(3):
        client.get(SERIES, params={"from": "2023-10", "to": "2023-12"})
    assert 1 == len(fake.requests)


def test_a_client_that_has_the_series_gets_a_304(client: TestClient[Any]) -> None:
    etag = client.get(SERIES, params={"from": "2023-10"}).headers["etag"]
    response = client.get(SERIES, params={"from": "2023-10"}, headers={"If-None-Match": etag})
    assert (304, b"") == (response.status_code, response.content)


def test_a_top_list_is_final_and_cached_for_the_long_ttl(client: TestClient[Any]) -> None:
    response = client.get("/v1/top/en.wikipedia/2023-10")
    assert (SETTLED, "Accept") == (response.headers["cache-control"], response.headers["vary"])


def test_a_csv_answer_carries_the_same_cache_policy(client: TestClient[Any]) -> None:
    response = client.get(SERIES, params={"from": "2023-10"}, headers={"Accept": "text/csv"})
    assert SETTLED == response.headers["cache-control"]


def test_errors_are_not_cacheable(client: TestClient[Any]) -> None:
    response = client.get(SERIES, params={"from": "2023-13"})
    assert (400, None) == (response.status_code, response.headers.get("cache-control"))
