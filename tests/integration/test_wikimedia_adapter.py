"""The real Wikimedia adapter against the fake Wikimedia (verbatim fixtures, real URL shapes): every answer
the upstream can give becomes data or a domain error, and what goes on the wire is exactly what it expects."""

from __future__ import annotations

import base64
import datetime as dt
import email.utils
import gzip
import json
import logging
from collections.abc import Callable
from urllib.parse import unquote

import httpx
import pytest
from hypothesis import given
from hypothesis import strategies as st

from pageviews.adapters.outbound.transport import AiohttpTransport
from pageviews.adapters.outbound.upstream import (
    DEFAULT_RETRY_AFTER,
    MAX_RETRY_AFTER,
    UpstreamClient,
)
from pageviews.adapters.outbound.wikimedia.client import WikimediaPageviewsSource, article_path, subject_of
from pageviews.domain.errors import (
    NoData,
    PageviewsError,
    UpstreamError,
    UpstreamThrottled,
    UpstreamTimeout,
    UpstreamUnavailable,
)
from pageviews.domain.model import (
    Access,
    Agent,
    Article,
    ArticleQuery,
    DataPoint,
    Fetched,
    Granularity,
    Project,
)
from pageviews.domain.ports import PageviewsSource
from tests.support.app import USER_AGENT as CONFIGURED_USER_AGENT
from tests.support.app import one_attempt
from tests.support.fake_wikimedia import BASE_URL, JSON, PREFIX, Canned, FakeWikimedia, fixture, ok, raising

USER_AGENT = "pageviews-tests/1.0 (https://example.org/pageviews; tests@example.org) python-httpx"
EINSTEIN = ArticleQuery(Project("en.wikipedia"), Article("Albert_Einstein"))
OCTOBER = (dt.date(2023, 10, 1), dt.date(2023, 10, 31))
PROBLEM = {"content-type": "application/problem+json"}
HTML = {"content-type": "text/html; charset=utf-8"}
HTML_404 = b"<!DOCTYPE html><html><head><title>Not Found</title></head><body><h1>404</h1></body></html>"


async def october(source: PageviewsSource, query: ArticleQuery = EINSTEIN) -> Fetched:
    return await source.per_article(query, Granularity.MONTHLY, *OCTOBER)


def query_for(title: str) -> ArticleQuery:
    return ArticleQuery(Project("en.wikipedia"), Article(title))


def item(timestamp: object, views: object = 1, article: str = "Albert_Einstein") -> dict[str, object]:
    return {
        "project": "en.wikipedia",
        "article": article,
        "granularity": "monthly",
        "timestamp": timestamp,
        "access": "all-access",
        "agent": "user",
        "views": views,
    }


async def source_over(transport: httpx.AsyncBaseTransport) -> WikimediaPageviewsSource:
    return WikimediaPageviewsSource(UpstreamClient(BASE_URL, USER_AGENT, 5.0, transport), one_attempt())


# -- 200: data ----------------------------------------------------------------------------------------------


async def test_the_verbatim_monthly_body_is_read_as_one_point_per_month(
    fake: FakeWikimedia, source: PageviewsSource
) -> None:
    fake.fail_next(Canned(200, fixture("per-article-monthly-200.json"), JSON))
    fetched = await source.per_article(
        query_for("Google_Bard"), Granularity.MONTHLY, dt.date(2023, 2, 1), dt.date(2026, 9, 30)
    )
    expected_ends = (DataPoint(dt.date(2023, 2, 1), 3131), DataPoint(dt.date(2026, 9, 1), 186))
    assert (44, expected_ends, False) == (
        len(fetched.points),
        (fetched.points[0], fetched.points[-1]),
        fetched.stale,
    )


async def test_one_month_of_the_fixture_data_is_one_point(
    fake: FakeWikimedia, source: PageviewsSource
) -> None:
    fake.load_monthly_fixture()
    fetched = await october(source, query_for("Google_Bard"))
    assert (DataPoint(dt.date(2023, 10, 1), 857),) == fetched.points


@pytest.mark.parametrize("name", ["per-article-daily-200.json", "per-article-daily-200-pretty.json"])
async def test_the_verbatim_daily_bodies_are_read_as_one_point_per_day(
    name: str, fake: FakeWikimedia, source: PageviewsSource
) -> None:
    fake.fail_next(Canned(200, fixture(name), JSON))
    fetched = await source.per_article(EINSTEIN, Granularity.DAILY, dt.date(2021, 1, 1), dt.date(2021, 1, 3))
    expected_days = [1, 2, 3]
    assert expected_days == [p.period.day for p in fetched.points]
    assert all(p.views > 4000 for p in fetched.points)


async def test_days_of_the_daily_fixture_data_are_asked_with_daily_granularity(
    fake: FakeWikimedia, source: PageviewsSource
) -> None:
    fake.load_daily_fixture()
    fetched = await source.per_article(
        query_for("Black_hole"), Granularity.DAILY, dt.date(2026, 8, 1), dt.date(2026, 8, 3)
    )
    expected_points = (
        DataPoint(dt.date(2026, 8, 1), 4069),
        DataPoint(dt.date(2026, 8, 2), 4297),
        DataPoint(dt.date(2026, 8, 3), 4784),
    )
    expected_path = f"{PREFIX}per-article/en.wikipedia/all-access/user/Black_hole/daily/20260801/20260803"
    assert (expected_points, [expected_path]) == (fetched.points, fake.raw_paths)


async def test_an_explicit_zero_is_a_point_of_zero_views(
    fake: FakeWikimedia, source: PageviewsSource
) -> None:
    fake.fail_next(ok({"items": [item("2023100100", 0)]}))
    assert (DataPoint(dt.date(2023, 10, 1), 0),) == (await october(source)).points


# -- what goes on the wire -------------------------------------------------------------------------------------


async def test_a_month_is_one_request_for_its_first_to_last_day(
    fake: FakeWikimedia, source: PageviewsSource
) -> None:
    fake.add_month("Albert_Einstein", dt.date(2023, 10, 1), 631058)
    await october(source)
    expected = [f"{PREFIX}per-article/en.wikipedia/all-access/user/Albert_Einstein/monthly/20231001/20231031"]
    assert expected == fake.raw_paths


async def test_project_access_and_agent_are_path_segments(
    fake: FakeWikimedia, source: PageviewsSource
) -> None:
    query = ArticleQuery(Project("es.wiktionary"), Article("hoy"), Access.MOBILE_WEB, Agent.SPIDER)
    fake.add_month(
        "hoy", dt.date(2024, 2, 1), 12, project="es.wiktionary", access="mobile-web", agent="spider"
    )
    fetched = await source.per_article(query, Granularity.MONTHLY, dt.date(2024, 2, 1), dt.date(2024, 2, 29))
    expected_path = f"{PREFIX}per-article/es.wiktionary/mobile-web/spider/hoy/monthly/20240201/20240229"
    assert ([expected_path], 12) == (fake.raw_paths, fetched.points[0].views)


@pytest.mark.parametrize(
    ("title", "encoded"),
    [
        ("AC/DC", "AC%2FDC"),
        ("Fahrenheit_9/11", "Fahrenheit_9%2F11"),
        ("Are_You_the_One?", "Are_You_the_One%3F"),
        ("100%_pure", "100%25_pure"),
        ("A&B", "A%26B"),
        ("C++", "C%2B%2B"),
        ("Zürich", "Z%C3%BCrich"),
        ("東京", "%E6%9D%B1%E4%BA%AC"),
        ("Python_(programming_language)", "Python_%28programming_language%29"),
    ],
)
async def test_the_title_is_percent_encoded_exactly_once(
    title: str, encoded: str, fake: FakeWikimedia, source: PageviewsSource
) -> None:
    fake.add_month(title, dt.date(2023, 10, 1), 42)
    fetched = await october(source, query_for(title))
    expected_path = f"{PREFIX}per-article/en.wikipedia/all-access/user/{encoded}/monthly/20231001/20231031"
    assert ([expected_path], 42) == (fake.raw_paths, fetched.points[0].views)


@given(st.text(st.characters(blacklist_categories=["Cs"]), min_size=1, max_size=30))
def test_any_title_is_one_path_segment_that_decodes_once_to_itself(title: str) -> None:
    path = article_path(query_for(title), Granularity.MONTHLY, *OCTOBER)
    segments = path.split("/")
    plain = article_path(query_for("Plain"), Granularity.MONTHLY, *OCTOBER).split("/")
    assert len(plain) == len(segments)
    encoded = segments[plain.index("Plain")]
    assert title == unquote(encoded)
    assert all(c.isascii() and c not in "?#/ " for c in encoded)


TITLES = st.text(st.characters(blacklist_categories=["Cs"]), min_size=1, max_size=30)


@given(
    title=TITLES,
    access=st.sampled_from(Access),
    agent=st.sampled_from(Agent),
    granularity=st.sampled_from([Granularity.MONTHLY, Granularity.DAILY]),
    first=st.dates(dt.date(2015, 7, 1), dt.date(2024, 1, 1)),
    days=st.integers(0, 1000),
)
def test_the_breaker_counts_a_title_as_one_subject_whatever_its_range_access_and_agent(
    title: str, access: Access, agent: Agent, granularity: Granularity, first: dt.date, days: int
) -> None:
    """One title that Wikimedia fails is one failure among the recent requests, however it is asked."""
    query = ArticleQuery(Project("en.wikipedia"), Article(title), access, agent)
    path = article_path(query, granularity, first, first + dt.timedelta(days=days))
    assert subject_of(article_path(query_for(title), Granularity.MONTHLY, *OCTOBER)) == subject_of(path)


@given(titles=st.lists(TITLES, min_size=2, max_size=2, unique=True))
def test_the_breaker_counts_two_titles_as_two_subjects(titles: list[str]) -> None:
    first, second = (subject_of(article_path(query_for(t), Granularity.MONTHLY, *OCTOBER)) for t in titles)
    assert first != second


async def test_the_descriptive_user_agent_is_sent(fake: FakeWikimedia, source: PageviewsSource) -> None:
    fake.add_month("Albert_Einstein", dt.date(2023, 10, 1), 1)
    await october(source)
    expected = (CONFIGURED_USER_AGENT, "application/json")  # the `source` fixture's
    assert expected == (fake.requests[0].headers["user-agent"], fake.requests[0].headers["accept"])


@pytest.mark.parametrize("base_url", [BASE_URL, BASE_URL + "/"])
async def test_the_base_url_works_with_or_without_a_trailing_slash(
    base_url: str, fake: FakeWikimedia
) -> None:
    fake.add_month("Albert_Einstein", dt.date(2023, 10, 1), 1)
    async with UpstreamClient(base_url, USER_AGENT, 5.0, fake.transport()) as client:
        await october(WikimediaPageviewsSource(client, one_attempt()))
    assert fake.raw_paths[0].startswith(PREFIX + "per-article/")


async def test_any_async_client_with_a_base_url_can_carry_the_adapter(fake: FakeWikimedia) -> None:
    fake.add_month("Albert_Einstein", dt.date(2023, 10, 1), 7)
    headers = {"User-Agent": USER_AGENT}
    async with httpx.AsyncClient(base_url=BASE_URL, transport=fake.transport(), headers=headers) as client:
        fetched = await october(WikimediaPageviewsSource(client, one_attempt()))
    assert (DataPoint(dt.date(2023, 10, 1), 7),) == fetched.points


async def test_over_real_http_the_request_names_the_service_asks_for_json_and_takes_gzip(
    fake: FakeWikimedia,
) -> None:
    fake.add_month("Albert_Einstein", dt.date(2023, 10, 1), 1)
    with fake.serve() as base_url:
        async with UpstreamClient(
            base_url, USER_AGENT, 5.0, AiohttpTransport(httpx.Limits(max_connections=2))
        ) as client:
            await october(WikimediaPageviewsSource(client, one_attempt()))
    headers = fake.requests[0].headers
    expected = (USER_AGENT, "application/json", "gzip, deflate", None)
    assert expected == tuple(
        headers.get(name) for name in ("user-agent", "accept", "accept-encoding", "cookie")
    )


async def test_a_password_in_the_base_url_is_sent_as_basic_auth_and_not_in_the_url(
    fake: FakeWikimedia,
) -> None:
    fake.add_month("Albert_Einstein", dt.date(2023, 10, 1), 1)
    with fake.serve() as base_url:
        with_password = base_url.replace(
            "http://", "http://reader:s3cr%40t@"
        )  # percent-encoded, as URLs carry it
        async with UpstreamClient(
            with_password, USER_AGENT, 5.0, AiohttpTransport(httpx.Limits(max_connections=2))
        ) as client:
            await october(WikimediaPageviewsSource(client, one_attempt()))
    request = fake.requests[0]
    expected = ("Basic " + base64.b64encode(b"reader:s3cr@t").decode(), b"")
    assert expected == (request.headers.get("authorization"), request.url.userinfo)


async def test_over_real_http_the_request_and_its_user_agent_arrive_intact(fake: FakeWikimedia) -> None:
    fake.add_month("AC/DC", dt.date(2023, 10, 1), 99)
    with fake.serve() as base_url:
        async with UpstreamClient(
            base_url, USER_AGENT, 5.0, AiohttpTransport(httpx.Limits(max_connections=2))
        ) as client:
            fetched = await october(WikimediaPageviewsSource(client, one_attempt()), query_for("AC/DC"))
    expected_path = f"{PREFIX}per-article/en.wikipedia/all-access/user/AC%2FDC/monthly/20231001/20231031"
    expected = (99, [expected_path], USER_AGENT)
    assert expected == (fetched.points[0].views, fake.raw_paths, fake.requests[0].headers["user-agent"])


async def test_the_proxy_the_environment_names_carries_the_requests(
    fake: FakeWikimedia, monkeypatch: pytest.MonkeyPatch
) -> None:
    fake.add_month("Albert_Einstein", dt.date(2023, 10, 1), 5)
    with fake.serve() as proxy_url:
        monkeypatch.setenv("HTTP_PROXY", proxy_url.removesuffix("/api/rest_v1"))
        transport = AiohttpTransport(httpx.Limits(max_connections=1))
        async with UpstreamClient(
            "http://wikimedia.invalid/api/rest_v1", USER_AGENT, 5.0, transport
        ) as client:
            fetched = await october(WikimediaPageviewsSource(client, one_attempt()))
    assert (5, "wikimedia.invalid") == (fetched.points[0].views, fake.requests[0].url.host)


async def test_a_host_no_proxy_names_is_asked_directly(
    fake: FakeWikimedia, monkeypatch: pytest.MonkeyPatch
) -> None:
    fake.add_month("Albert_Einstein", dt.date(2023, 10, 1), 6)
    monkeypatch.setenv("HTTP_PROXY", "http://127.0.0.1:9")  # the discard port: nothing listens
    monkeypatch.setenv("NO_PROXY", "127.0.0.1")
    with fake.serve() as base_url:
        transport = AiohttpTransport(httpx.Limits(max_connections=1))
        async with UpstreamClient(base_url, USER_AGENT, 5.0, transport) as client:
            fetched = await october(WikimediaPageviewsSource(client, one_attempt()))
    assert 6 == fetched.points[0].views


async def test_over_real_http_an_answer_slower_than_the_timeout_is_an_upstream_timeout(
    fake: FakeWikimedia,
) -> None:
    fake.fail_next(Canned(200, json.dumps({"items": [item("2023100100")]}).encode(), JSON, delay=2.0))
    with fake.serve() as base_url:
        async with UpstreamClient(
            base_url, USER_AGENT, 0.1, AiohttpTransport(httpx.Limits(max_connections=2))
        ) as client:
            with pytest.raises(UpstreamTimeout):
                await october(WikimediaPageviewsSource(client, one_attempt()))


# -- 404: no data, or not Wikimedia's answer -----------------------------------------------------------------


@pytest.mark.parametrize("name", ["per-article-404-no-data.json", "legacy-aqs1-404-no-data.json"])
async def test_wikimedias_404_of_either_shape_is_no_data(
    name: str, fake: FakeWikimedia, source: PageviewsSource
) -> None:
    fake.fail_next(Canned(404, fixture(name), PROBLEM))
    with pytest.raises(NoData):
        await october(source)


async def test_an_unknown_title_is_no_data(source: PageviewsSource) -> None:
    with pytest.raises(NoData):
        await october(source, query_for("This_Article_Does_Not_Exist_xyz123"))


async def test_no_data_says_wikimedia_cannot_tell_zero_views_unknown_title_and_not_loaded_apart(
    source: PageviewsSource,
) -> None:
    with pytest.raises(NoData) as raised:
        await october(source)
    detail = raised.value.detail
    assert all(words in detail for words in ["zero views", "does not exist", "not loaded", "cannot tell"])


async def test_an_empty_list_of_items_is_no_data(fake: FakeWikimedia, source: PageviewsSource) -> None:
    fake.fail_next(ok({"items": []}))
    with pytest.raises(NoData):
        await october(source)


@pytest.mark.parametrize(
    "canned",
    [
        Canned(
            404,
            json.dumps({"detail": "Invalid route", "status": 404, "type": "about:blank"}).encode(),
            PROBLEM,
        ),
        Canned(404, json.dumps({"detail": "invalid route", "title": "Not Found"}).encode(), PROBLEM),
        Canned(404, HTML_404, HTML),
        Canned(404, b""),
        Canned(404, b"Not Found", {"content-type": "text/plain"}),
    ],
    ids=["invalid route", "invalid route lower case", "html", "empty", "plain text"],
)
async def test_a_404_that_is_not_wikimedias_no_data_answer_is_an_upstream_error(
    canned: Canned, fake: FakeWikimedia, source: PageviewsSource
) -> None:
    fake.fail_next(canned)
    with pytest.raises(UpstreamError):
        await october(source)


async def test_a_route_the_fake_does_not_know_is_an_upstream_error(fake: FakeWikimedia) -> None:
    async with UpstreamClient(BASE_URL + "/wrong", USER_AGENT, 5.0, fake.transport()) as client:
        with pytest.raises(UpstreamError):
            await october(WikimediaPageviewsSource(client, one_attempt()))


# -- other statuses --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "detail"),
    [
        ("per-article-400-no-full-months.json", "no full months between dates"),
        ("legacy-aqs1-400-invalid-timestamp.json", "end timestamp is invalid"),
    ],
)
async def test_a_400_of_either_shape_is_an_upstream_error_carrying_its_detail(
    name: str, detail: str, fake: FakeWikimedia, source: PageviewsSource
) -> None:
    fake.fail_next(Canned(400, fixture(name), PROBLEM))
    with pytest.raises(UpstreamError, match=detail):
        await october(source)


async def test_a_403_points_at_the_user_agent_setting(fake: FakeWikimedia, source: PageviewsSource) -> None:
    fake.fail_next(
        Canned(403, b"Please set a user-agent and respect our robot policy.", {"content-type": "text/plain"})
    )
    with pytest.raises(UpstreamError, match="PAGEVIEWS_USER_AGENT"):
        await october(source)


async def test_the_warning_about_a_failed_answer_does_not_show_the_urls_password(
    fake: FakeWikimedia, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING)  # as in production: httpx's own INFO lines are off (logs.py)
    fake.fail_next(Canned(500, b"oops"))
    base = BASE_URL.replace("https://", "https://bot:s3cret@")
    async with UpstreamClient(base, USER_AGENT, 5.0, fake.transport()) as client:
        with pytest.raises(UpstreamError):
            await october(WikimediaPageviewsSource(client, one_attempt()))
    warnings = [message for message in caplog.messages if message.startswith("wikimedia answered 500 for ")]
    assert (True, False) == (
        len(warnings) == 1
        and warnings[0].startswith("wikimedia answered 500 for https://wikimedia.test/api/"),
        "s3cret" in caplog.text,
    )


async def test_a_redirect_is_not_followed_and_is_an_upstream_error(
    fake: FakeWikimedia, source: PageviewsSource
) -> None:
    fake.fail_next(Canned(301, b"", {"location": "https://elsewhere.test/"}))
    with pytest.raises(UpstreamError):
        await october(source)
    assert len(fake.requests) == 1  # not followed


@pytest.mark.parametrize(
    "canned",
    [
        Canned(500, json.dumps({"title": "Error in Cassandra table storage backend"}).encode(), PROBLEM),
        Canned(500, b""),
        Canned(502, b"<html><body>Bad Gateway</body></html>", HTML),
        Canned(504, b"Gateway Timeout", {"content-type": "text/plain"}),
    ],
    ids=["500 cassandra", "500 empty", "502 html", "504"],
)
async def test_a_server_error_is_an_upstream_error_not_unavailability(
    canned: Canned, fake: FakeWikimedia, source: PageviewsSource
) -> None:
    fake.fail_next(canned)
    with pytest.raises(UpstreamError):
        await october(source)


async def test_a_503_is_unavailability_with_its_retry_after(
    fake: FakeWikimedia, source: PageviewsSource
) -> None:
    fake.fail_next(Canned(503, b"Service Unavailable", {"retry-after": "30", "content-type": "text/plain"}))
    with pytest.raises(UpstreamUnavailable) as raised:
        await october(source)
    assert (UpstreamUnavailable, 30.0) == (type(raised.value), raised.value.retry_after)


def rate_limited(retry_after: str | None) -> Canned:
    headers = {"content-type": "text/plain; charset=utf-8"}
    if retry_after is not None:
        headers["retry-after"] = retry_after
    return Canned(429, fixture("rate-limited-429.txt"), headers)


def http_date(moment: dt.datetime) -> str:
    return email.utils.format_datetime(moment, usegmt=True)


@pytest.mark.parametrize(
    ("retry_after", "seconds"),
    [
        ("120", 120.0),
        ("1", 1.0),
        ("0", 1.0),
        ("86400", MAX_RETRY_AFTER),
        (None, DEFAULT_RETRY_AFTER),
        ("soon", DEFAULT_RETRY_AFTER),
        ("-5", DEFAULT_RETRY_AFTER),
        (http_date(dt.datetime(2099, 10, 21, 7, 28, tzinfo=dt.UTC)), MAX_RETRY_AFTER),
        (http_date(dt.datetime(2015, 10, 21, 7, 28, tzinfo=dt.UTC)), 1.0),
    ],
    ids=["seconds", "one", "zero", "a day", "absent", "garbage", "negative", "date far ahead", "date past"],
)
async def test_a_429_is_throttling_with_a_bounded_retry_after(
    retry_after: str | None, seconds: float, fake: FakeWikimedia, source: PageviewsSource
) -> None:
    fake.fail_next(rate_limited(retry_after))
    with pytest.raises(UpstreamThrottled) as raised:
        await october(source)
    assert seconds == raised.value.retry_after


async def test_a_429_retry_after_as_an_http_date_counts_the_seconds_until_then(
    fake: FakeWikimedia, source: PageviewsSource
) -> None:
    fake.fail_next(rate_limited(http_date(dt.datetime.now(dt.UTC) + dt.timedelta(seconds=120))))
    with pytest.raises(UpstreamThrottled) as raised:
        await october(source)
    assert 60 <= raised.value.retry_after <= 120


# -- unusable 200s -----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "canned",
    [
        Canned(200, b"<html><body>Wikimedia</body></html>", HTML),
        Canned(200, b"", JSON),
        Canned(200, b'{"items": [', JSON),
        Canned(200, fixture("rate-limited-429.txt"), {"content-type": "text/plain"}),
    ],
    ids=["html", "empty", "truncated json", "plain text"],
)
async def test_a_200_that_is_not_json_is_an_upstream_error(
    canned: Canned, fake: FakeWikimedia, source: PageviewsSource
) -> None:
    fake.fail_next(canned)
    with pytest.raises(UpstreamError):
        await october(source)


@pytest.mark.parametrize(
    "body",
    [
        None,
        [],
        "items",
        {},
        {"items": None},
        {"items": {}},
        {"data": [item("2023100100")]},
        {"items": [{"timestamp": "2023100100"}]},
        {"items": [{"views": 5}]},
        {"items": [item("2023100100", "5")]},
        {"items": [item("2023100100", 5.5)]},
        {"items": [item("2023100100", None)]},
        {"items": [item("2023100100", True)]},
        {"items": [item(2023100100)]},
    ],
    ids=[
        "null",
        "list",
        "string",
        "empty object",
        "null items",
        "object items",
        "no items key",
        "no views",
        "no timestamp",
        "views as text",
        "fractional views",
        "null views",
        "boolean views",
        "numeric timestamp",
    ],
)
async def test_a_200_of_the_wrong_shape_is_an_upstream_error(
    body: object, fake: FakeWikimedia, source: PageviewsSource
) -> None:
    fake.fail_next(ok(body))
    with pytest.raises(UpstreamError):
        await october(source)


@pytest.mark.parametrize(
    "timestamp",
    [
        "20231001",
        "2023-10-01",
        "2023100100Z",
        "2023130100",
        "2023023000",
        "2023100000",
        "abcdefghij",
        "",
        "\uff12\uff10\uff12\uff13\uff11\uff10\uff10\uff11\uff10\uff10",
    ],
)
async def test_a_200_with_a_malformed_timestamp_is_an_upstream_error(
    timestamp: str, fake: FakeWikimedia, source: PageviewsSource
) -> None:
    fake.fail_next(ok({"items": [item(timestamp)]}))
    with pytest.raises(UpstreamError):
        await october(source)


def streaming(body: bytes, headers: dict[str, str]) -> httpx.MockTransport:
    """A transport whose body is decoded by the client as it reads it, like a real connection's."""

    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, headers=headers, stream=httpx.ByteStream(body))

    return httpx.MockTransport(handler)


async def test_a_body_that_fails_to_decompress_is_an_upstream_error() -> None:
    transport = streaming(b"this is not gzip", {**JSON, "content-encoding": "gzip"})
    with pytest.raises(UpstreamError):
        await october(await source_over(transport))


async def test_a_compressed_body_is_read() -> None:
    body = gzip.compress(json.dumps({"items": [item("2023100100", 631058)]}).encode())
    fetched = await october(await source_over(streaming(body, {**JSON, "content-encoding": "gzip"})))
    assert (DataPoint(dt.date(2023, 10, 1), 631058),) == fetched.points


# -- no answer at all ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "error",
    [
        lambda r: httpx.ConnectTimeout("connect timed out", request=r),
        lambda r: httpx.ReadTimeout("read timed out", request=r),
        lambda r: httpx.PoolTimeout("no connection free", request=r),
    ],
    ids=["connect", "read", "pool"],
)
async def test_a_timeout_is_an_upstream_timeout(error: Callable[[httpx.Request], Exception]) -> None:
    with pytest.raises(UpstreamTimeout):
        await october(await source_over(raising(error)))


@pytest.mark.parametrize(
    "error",
    [
        lambda r: httpx.ConnectError("[Errno 111] Connection refused", request=r),
        lambda r: httpx.ConnectError("[Errno -2] Name or service not known", request=r),
        lambda r: httpx.RemoteProtocolError("Server disconnected without sending a response.", request=r),
        lambda r: httpx.ReadError("connection reset by peer", request=r),
    ],
    ids=["refused", "dns", "disconnected", "reset"],
)
async def test_a_connection_failure_is_unavailability_worth_retrying_later(
    error: Callable[[httpx.Request], Exception],
) -> None:
    with pytest.raises(UpstreamUnavailable) as raised:
        await october(await source_over(raising(error)))
    assert (UpstreamUnavailable, DEFAULT_RETRY_AFTER) == (type(raised.value), raised.value.retry_after)


async def test_no_vendor_exception_escapes_for_any_status(
    fake: FakeWikimedia, source: PageviewsSource
) -> None:
    statuses = [*range(300, 309), *range(400, 419), *range(421, 430), 431, 451, *range(500, 512)]
    escaped: list[tuple[int, Exception | None]] = []
    for status in statuses:
        fake.fail_next(Canned(status, b"?"))
        try:
            await october(source)
        except PageviewsError:
            continue
        except Exception as exc:  # the assertion below reports it
            escaped.append((status, exc))
        else:
            escaped.append((status, None))
    assert not escaped


async def test_a_wikimedia_that_cannot_be_reached_is_named_by_its_host() -> None:
    """An operator reading the problem sees which upstream the service tried, and why it failed."""
    base_url = "http://127.0.0.1:9/api/rest_v1"  # the discard port: nothing listens
    async with UpstreamClient(
        base_url, USER_AGENT, 5.0, AiohttpTransport(httpx.Limits(max_connections=2))
    ) as client:
        with pytest.raises(UpstreamUnavailable) as raised:
            await october(WikimediaPageviewsSource(client, one_attempt()))
    assert "Wikimedia (127.0.0.1) could not be reached (the connection failed)" == raised.value.detail


async def test_a_wikimedia_that_does_not_answer_in_time_is_named_by_its_host(fake: FakeWikimedia) -> None:
    fake.fail_next(Canned(200, b"{}", JSON, delay=2.0))
    with fake.serve() as base_url:
        async with UpstreamClient(
            base_url, USER_AGENT, 0.05, AiohttpTransport(httpx.Limits(max_connections=2))
        ) as client:
            with pytest.raises(UpstreamTimeout) as raised:
                await october(WikimediaPageviewsSource(client, one_attempt()))
    assert "Wikimedia (127.0.0.1) did not answer in time" == raised.value.detail
