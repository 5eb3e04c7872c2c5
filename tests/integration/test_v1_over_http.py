"""The v1 endpoints wired as in production (the container's own httpx client, the real Wikimedia adapter),
asking the fake Wikimedia over real HTTP on a loopback port: what travels on the wire and what comes back."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Mapping
from contextlib import contextmanager

import pytest
from dependency_injector import providers
from litestar import Litestar
from litestar.testing import TestClient

from pageviews.containers import Container
from tests.support.app import USER_AGENT, serve, settings_from_env
from tests.support.fake_wikimedia import Canned, FakeWikimedia, fixture
from tests.support.fakes import FixedClock, month
from tests.support.http import assert_problem, json_of, rows_of

NOW = dt.datetime(2024, 1, 15, 12, tzinfo=dt.UTC)
PER_ARTICLE = "/api/rest_v1/metrics/pageviews/per-article/en.wikipedia"
SERIES = "/v1/pageviews/en.wikipedia"
PROBLEM = "application/problem+json"

Client = TestClient[Litestar]


@pytest.fixture(scope="module")
def served() -> Iterator[tuple[FakeWikimedia, str]]:
    """One fake Wikimedia server for the module: stopping one takes half a second."""
    fake = FakeWikimedia()
    with fake.serve() as url:
        yield fake, url


@pytest.fixture
def fake(served: tuple[FakeWikimedia, str]) -> FakeWikimedia:
    """The served fake, as good as new: every field back to its default (no data, requests or failures)."""
    fake, _ = served
    vars(fake).update(vars(FakeWikimedia()))
    return fake


@pytest.fixture
def base_url(served: tuple[FakeWikimedia, str], fake: FakeWikimedia) -> str:
    return served[1]


def serving(base_url: str, now: dt.datetime = NOW, environment: Mapping[str, str] | None = None) -> Client:
    """The application with only its settings and clock overridden: its httpx client is the container's own,
    pointed at `base_url`. One attempt per upstream request, so a fake failure is not retried away."""
    settings = settings_from_env(PAGEVIEWS_WIKIMEDIA_URL=base_url, **(environment or {}))
    container = Container()
    container.settings.override(providers.Object(settings))
    container.clock.override(providers.Object(FixedClock(now)))
    return serve(container)


@pytest.fixture
def client(base_url: str) -> Iterator[Client]:
    with serving(base_url) as client:
        yield client


def seed_agents(fake: FakeWikimedia) -> None:
    for agent, views in (("user", 400), ("spider", 50), ("automated", 7)):
        fake.add_month("Albert_Einstein", month("2023-01"), views, agent=agent)


def test_a_monthly_series_is_answered_from_one_request_over_http(fake: FakeWikimedia, client: Client) -> None:
    fake.add_month("Albert_Einstein", month("2023-01"), 412345)
    fake.add_month("Albert_Einstein", month("2023-03"), 398765)
    response = client.get(f"{SERIES}/Albert_Einstein", params={"from": "2023-01", "to": "2023-03"})
    expected = {
        "project": "en.wikipedia",
        "article": "Albert_Einstein",
        "access": "all-access",
        "agent": "user",
        "granularity": "monthly",
        "from": "2023-01",
        "to": "2023-03",
        "total": 811110,
        "items": [
            {"period": "2023-01", "views": 412345, "complete": True},
            {"period": "2023-02", "views": 0, "complete": True},
            {"period": "2023-03", "views": 398765, "complete": True},
        ],
        "stale": False,
    }
    assert expected == json_of(response)
    assert [f"{PER_ARTICLE}/all-access/user/Albert_Einstein/monthly/20230101/20230331"] == fake.raw_paths


def test_a_daily_series_with_its_peak_is_answered_over_http(fake: FakeWikimedia, base_url: str) -> None:
    """From Wikimedia's verbatim answer for three days of August 2026, asked a month later."""
    fake.load_daily_fixture()
    with serving(base_url, now=dt.datetime(2026, 9, 1, tzinfo=dt.UTC)) as client:
        response = client.get(
            f"{SERIES}/Black_hole", params={"from": "2026-08-01", "to": "2026-08-03", "granularity": "daily"}
        )
    body = json_of(response)
    expected = (13150, {"period": "2026-08-03", "views": 4784}, [4069, 4297, 4784])
    assert expected == (body["total"], body["peak"], [item["views"] for item in body["items"]])


def test_the_configured_user_agent_reaches_wikimedia(fake: FakeWikimedia, client: Client) -> None:
    fake.add_month("Albert_Einstein", month("2023-01"), 5)
    client.get(f"{SERIES}/Albert_Einstein", params={"from": "2023-01"})
    user_agents = [USER_AGENT]
    assert user_agents == [request.headers["user-agent"] for request in fake.requests]


@pytest.mark.parametrize(
    ("title", "on_the_wire"),
    [("AC/DC", "AC%2FDC"), ("Café", "Caf%C3%A9"), ("Are_You_the_One%3F", "Are_You_the_One%3F")],
)
def test_a_title_is_percent_encoded_exactly_once_on_the_wire(
    title: str, on_the_wire: str, fake: FakeWikimedia, client: Client
) -> None:
    decoded = title.replace("%3F", "?")
    fake.add_month(decoded, month("2023-10"), 77)
    body = json_of(client.get(f"{SERIES}/{title}", params={"from": "2023-10"}))
    expected = (decoded, 77, [f"{PER_ARTICLE}/all-access/user/{on_the_wire}/monthly/20231001/20231031"])
    assert expected == (body["article"], body["total"], fake.raw_paths)


def test_an_agent_breakdown_asks_the_three_agents_over_http(fake: FakeWikimedia, client: Client) -> None:
    seed_agents(fake)
    body = json_of(client.get(f"{SERIES}/Albert_Einstein", params={"from": "2023-01", "breakdown": "agent"}))
    paths = {
        f"{PER_ARTICLE}/all-access/{agent}/Albert_Einstein/monthly/20230101/20230131"
        for agent in ("user", "spider", "automated")
    }
    expected = ({"user": 400, "spider": 50, "automated": 7}, 457, paths)
    assert expected == (body["items"][0]["breakdown"], body["items"][0]["views"], set(fake.raw_paths))


def test_an_access_breakdown_asks_the_three_platforms_over_http(fake: FakeWikimedia, client: Client) -> None:
    for access, views in (("desktop", 100), ("mobile-web", 250), ("mobile-app", 25)):
        fake.add_month("Albert_Einstein", month("2023-01"), views, access=access)
    body = json_of(client.get(f"{SERIES}/Albert_Einstein", params={"from": "2023-01", "breakdown": "access"}))
    paths = {
        f"{PER_ARTICLE}/{access}/user/Albert_Einstein/monthly/20230101/20230131"
        for access in ("desktop", "mobile-web", "mobile-app")
    }
    expected = ({"desktop": 100, "mobile-web": 250, "mobile-app": 25}, 375, paths)
    assert expected == (body["items"][0]["breakdown"], body["items"][0]["views"], set(fake.raw_paths))


def test_a_top_list_is_answered_over_http_with_its_ties(fake: FakeWikimedia, client: Client) -> None:
    fake.top[("en.wikipedia", "all-access", "2023", "12")] = [
        {"article": "Main_Page", "views": 9000, "rank": 1},
        {"article": "Taylor_Swift", "views": 500, "rank": 2},
        {"article": "Travis_Kelce", "views": 500, "rank": 2},
    ]
    expected = {
        "project": "en.wikipedia",
        "month": "2023-12",
        "access": "all-access",
        "items": [
            {"rank": 1, "article": "Main_Page", "views": 9000},
            {"rank": 2, "article": "Taylor_Swift", "views": 500},
        ],
        "stale": False,
    }
    assert expected == json_of(client.get("/v1/top/en.wikipedia/2023-12", params={"limit": 2}))
    paths = ["/api/rest_v1/metrics/pageviews/top/en.wikipedia/all-access/2023/12/all-days"]
    assert paths == fake.raw_paths


def test_a_month_without_a_top_list_is_a_404_over_http(client: Client) -> None:
    assert_problem(client.get("/v1/top/en.wikipedia/2023-12"), 404, "no_data")


def test_a_batch_is_answered_over_http_in_order_with_per_article_problems(
    fake: FakeWikimedia, client: Client
) -> None:
    fake.add_month("A", month("2023-10"), 1)
    fake.add_month("B", month("2023-10"), 2)
    response = client.post(
        "/v1/pageviews/batch", json={"articles": ["B", "Unknown", "Bad|title", "A"], "from": "2023-10"}
    )
    results = json_of(response)["results"]
    expected = [("B", 2), ("Unknown", "no_data"), ("Bad|title", "invalid_title"), ("A", 1)]
    assert expected == [
        (r["article"], r["series"]["total"] if "series" in r else r["problem"]["code"]) for r in results
    ]


def test_a_series_in_csv_over_http(fake: FakeWikimedia, client: Client) -> None:
    seed_agents(fake)
    response = client.get(
        f"{SERIES}/Albert_Einstein",
        params={"from": "2023-01", "breakdown": "agent"},
        headers={"Accept": "text/csv"},
    )
    expected = [["period", "views", "user", "spider", "automated"], ["2023-01", "457", "400", "50", "7"]]
    assert expected == rows_of(response)


def test_a_top_list_in_csv_over_http(fake: FakeWikimedia, client: Client) -> None:
    fake.top[("en.wikipedia", "all-access", "2023", "12")] = [{"article": "A,B", "views": 9, "rank": 1}]
    response = client.get("/v1/top/en.wikipedia/2023-12", headers={"Accept": "text/csv"})
    expected = [["rank", "article", "views"], ["1", "A,B", "9"]]
    assert expected == rows_of(response)


# -- upstream failures over HTTP -----------------------------------------------------------------------------

SERIES_URL = f"{SERIES}/Albert_Einstein?from=2023-01"
URLS = [
    pytest.param(SERIES_URL, id="series"),
    pytest.param(f"{SERIES_URL}&breakdown=agent", id="breakdown"),
    pytest.param("/v1/top/en.wikipedia/2023-12", id="top"),
]
SERVER_ERROR = Canned(500, b'{"title": "Error in Cassandra table storage backend"}')


def throttled() -> Canned:
    """Wikimedia's verbatim 429 (text, not a problem), asking to come back in 7 seconds."""
    return Canned(429, fixture("rate-limited-429.txt"), {"content-type": "text/plain", "retry-after": "7"})


def seed_everything(fake: FakeWikimedia) -> None:
    """Data for every URL above, so that only the injected failure can make an answer fail."""
    seed_agents(fake)
    fake.top[("en.wikipedia", "all-access", "2023", "12")] = [{"article": "A", "views": 9, "rank": 1}]


@contextmanager
def failing_first(answer: Canned, environment: Mapping[str, str] | None = None) -> Iterator[Client]:
    """The application in front of a fake of its own, with data for every URL above, whose first answer is
    `answer`. Of its own because when one part of a breakdown fails the others are abandoned, and their
    requests may still reach the fake after the test: they must not take the next test's injected failure."""
    fake = FakeWikimedia()
    seed_everything(fake)
    fake.fail_next(answer)
    with fake.serve() as base_url, serving(base_url, environment=environment) as client:
        yield client


@pytest.mark.parametrize("url", URLS)
def test_an_upstream_server_error_is_a_502_over_http(url: str) -> None:
    with failing_first(SERVER_ERROR) as client:
        assert_problem(client.get(url), 502, "upstream_error")


@pytest.mark.parametrize("url", URLS)
def test_a_throttled_upstream_is_a_503_with_retry_after_over_http(url: str) -> None:
    with failing_first(throttled()) as client:
        response = client.get(url)
    expected = (503, "upstream_throttled", "7")
    assert expected == (response.status_code, response.json()["code"], response.headers["retry-after"])


@pytest.mark.parametrize("url", URLS)
def test_an_upstream_that_does_not_answer_in_time_is_a_504_over_http(url: str) -> None:
    """The fake holds the first request for a second; the service gives up after a fifth of one."""
    with failing_first(Canned(200, b"", delay=1.0), {"PAGEVIEWS_UPSTREAM_TIMEOUT": "0.2"}) as client:
        assert_problem(client.get(url), 504, "upstream_timeout")


def test_an_html_404_from_a_proxy_is_not_taken_for_no_data(fake: FakeWikimedia, client: Client) -> None:
    seed_everything(fake)
    fake.fail_next(Canned(404, b"<html><body>Not Found</body></html>", {"content-type": "text/html"}))
    assert_problem(client.get(SERIES_URL), 502, "upstream_error")
