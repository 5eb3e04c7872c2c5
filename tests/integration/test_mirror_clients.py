"""Real client libraries of Wikimedia's API, installed from PyPI, pointed at the service's mirror (itself in
front of the fake Wikimedia over HTTP) answer exactly what they answer pointed at the fake directly.

Each client is pointed with the knob it has: python-mwviews reads its base URLs from the module-level dict
`mwviews.api.pageviews.endpoints`; pageviewapi binds its base URL as the default argument `api_url` of
`pageviewapi.client._api` at import time, so its `__defaults__` are replaced (nothing else of either is touched).
pageviewapi has no top-by-country function; mwviews has no unique devices."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from typing import Any

import pageviewapi
import pageviewapi.client
import pytest
from mwviews.api import pageviews as mwviews

from tests.support.fake_wikimedia import FakeWikimedia
from tests.support.live_service import live_service

TITLES = ["Café", "AC/DC", "Who?", "100%", "Rock_&_roll", "1+1=2", "Zürich/Altstadt"]
ESCAPE_LIKE_TITLES = ["100%25", "%41", "50%2F50"]
"""Titles that read differently when decoded twice (`100%`, `A`, `50/50`): only they tell a path decoded once
from one decoded twice. Wikimedia's title rules do not forbid them in the API (it counts what it is sent).
pageviewapi cannot send them: it unquotes a title before quoting it (`quote(unquote(page), safe="")`), so
`%41` leaves it as `A`; python-mwviews quotes them as they are (`%2541`)."""
USER_AGENT = "pageviews-client-tests/1.0 (https://example.org/pageviews; tests@example.org)"


def _seeded() -> FakeWikimedia:
    fake = FakeWikimedia()
    for n, title in enumerate(TITLES + ESCAPE_LIKE_TITLES):
        for day in (1, 2, 5, 9):
            fake.add_day(title, dt.date(2023, 10, day), 100 * n + day, agent="all-agents")
        fake.add_month(title, dt.date(2023, 9, 1), 5000 + n, agent="all-agents")
    for n, decoded_twice in enumerate(["100%", "A", "50/50"]):  # what a double decoding would ask for
        fake.add_day(decoded_twice, dt.date(2023, 10, 5), 7 + n, agent="all-agents")
    site = ("en.wikipedia", "all-access", "all-agents")
    for day in range(1, 11):
        if day != 4:  # a day Wikimedia did not report stays absent, not zero
            fake.site_daily[site][dt.date(2023, 10, day)] = 1_000_000 + day
    fake.site_monthly[site][dt.date(2023, 9, 1)] = 30_000_000  # September's total; its days are not all here
    fake.site_daily[site][dt.date(2023, 9, 20)] = 500
    fake.site_daily[("all-projects", "all-access", "all-agents")][dt.date(2023, 10, 2)] = 9_000_000
    articles = [
        {"article": "Main_Page", "views": 9000, "rank": 1},
        {"article": "AC/DC", "views": 500, "rank": 2},
    ]
    fake.top_days[("en.wikipedia", "all-access", "2023", "10", "05")] = articles
    fake.top[("en.wikipedia", "all-access", "2023", "10")] = [
        {**a, "views": 30 * int(str(a["views"]))} for a in articles
    ]
    fake.by_country[("en.wikipedia", "all-access", "2023", "10")] = [
        {"country": "US", "views": "1000000-9999999", "views_ceil": 2_660_000, "rank": 1},
        {"country": "GB", "views": "100000-999999", "rank": 2},
    ]
    return fake


@pytest.fixture(scope="module")
def urls() -> Iterator[tuple[str, str]]:
    """The fake Wikimedia's base URL and the service's, for the whole module (the fake's data never changes)."""
    with live_service(_seeded()) as both:
        yield both


Point = Callable[[str], None]


@pytest.fixture
def point_mwviews(monkeypatch: pytest.MonkeyPatch) -> Point:
    def point(base: str) -> None:
        for name, path in {
            "article": "per-article",
            "project": "aggregate",
            "top": "top",
            "top-by-country": "top-by-country",
            "top-per-country": "top-per-country",
        }.items():
            monkeypatch.setitem(mwviews.endpoints, name, f"{base}/metrics/pageviews/{path}")

    return point


@pytest.fixture
def point_pageviewapi(monkeypatch: pytest.MonkeyPatch) -> Point:
    def point(base: str) -> None:
        monkeypatch.setattr(pageviewapi.client._api, "__defaults__", (f"{base}/metrics",))

    return point


def both(urls: tuple[str, str], point: Point, call: Callable[[], Any]) -> tuple[Any, Any]:
    """What `call` returns pointed at the fake Wikimedia, then at the service."""
    direct, mirrored = urls
    point(direct)
    expected = call()
    point(mirrored)
    return expected, call()


def test_mwviews_article_views_are_the_same_through_the_mirror(
    urls: tuple[str, str], point_mwviews: Point
) -> None:
    client = mwviews.PageviewsClient(USER_AGENT, parallelism=2)
    expected, mirrored = both(
        urls,
        point_mwviews,
        lambda: client.article_views("en.wikipedia", TITLES, start="20231001", end="20231010"),
    )
    assert expected == mirrored
    assert expected[dt.datetime(2023, 10, 5)]["AC/DC"] == 105


def test_mwviews_monthly_article_views_are_the_same_through_the_mirror(
    urls: tuple[str, str], point_mwviews: Point
) -> None:
    client = mwviews.PageviewsClient(USER_AGENT, parallelism=2)
    call = lambda: client.article_views(  # noqa: E731
        "en.wikipedia", ["Café", "100%"], granularity="monthly", start="20230901", end="20230930"
    )
    expected, mirrored = both(urls, point_mwviews, call)
    assert expected == mirrored
    assert expected[dt.datetime(2023, 9, 1)] == {"Café": 5000, "100%": 5003}


def test_mwviews_titles_that_decode_differently_twice_are_the_same_through_the_mirror(
    urls: tuple[str, str], point_mwviews: Point
) -> None:
    """A mirror that decoded each segment twice would count `100%`, `A` and `50/50` instead (the fake has views
    for those too, so the difference shows in the numbers, not only as a missing answer)."""
    client = mwviews.PageviewsClient(USER_AGENT, parallelism=2)
    call = lambda: client.article_views(  # noqa: E731
        "en.wikipedia", ESCAPE_LIKE_TITLES, start="20231001", end="20231010"
    )
    expected, mirrored = both(urls, point_mwviews, call)
    assert expected == mirrored
    assert expected[dt.datetime(2023, 10, 5)] == {"100%25": 705, "%41": 805, "50%2F50": 905}


def test_mwviews_a_monthly_range_ending_inside_a_month_is_the_same_through_the_mirror(
    urls: tuple[str, str], point_mwviews: Point
) -> None:
    """Wikimedia answers the month the range cuts with the sum of its days inside the range (AQS 2)."""
    client = mwviews.PageviewsClient(USER_AGENT, parallelism=2)
    call = lambda: client.article_views(  # noqa: E731
        "en.wikipedia", ["Café", "Who?"], granularity="monthly", start="20230901", end="20231003"
    )
    expected, mirrored = both(urls, point_mwviews, call)
    assert expected == mirrored
    assert expected[dt.datetime(2023, 10, 1)] == {"Café": 1 + 2, "Who?": 201 + 202}


def test_pageviewapi_a_monthly_aggregate_starting_inside_a_month_is_the_same_through_the_mirror(
    urls: tuple[str, str], point_pageviewapi: Point
) -> None:
    call = lambda: pageviewapi.aggregate(  # noqa: E731
        "en.wikipedia", "2023091500", "2023103100", granularity="monthly"
    )
    expected, mirrored = both(urls, point_pageviewapi, call)
    assert expected == mirrored
    october = sum(1_000_000 + d for d in range(1, 11) if d != 4)
    assert [item["views"] for item in expected["items"]] == [500, october]


def test_mwviews_project_views_are_the_same_through_the_mirror(
    urls: tuple[str, str], point_mwviews: Point
) -> None:
    client = mwviews.PageviewsClient(USER_AGENT, parallelism=2)
    call = lambda: client.project_views(  # noqa: E731
        ["en.wikipedia", "all-projects"], start="2023100100", end="2023101000"
    )
    expected, mirrored = both(urls, point_mwviews, call)
    assert expected == mirrored
    assert expected[dt.datetime(2023, 10, 4)]["en.wikipedia"] is None


def test_mwviews_top_lists_are_the_same_through_the_mirror(
    urls: tuple[str, str], point_mwviews: Point
) -> None:
    client = mwviews.PageviewsClient(USER_AGENT)
    expected, mirrored = both(
        urls,
        point_mwviews,
        lambda: (
            client.top_articles("en.wikipedia", year=2023, month=10, day=5),
            client.top_by_country("en.wikipedia", year=2023, month=10),
        ),
    )
    assert expected == mirrored
    assert expected[1][1] == {"country": "GB", "views": "100000-999999", "rank": 2}


def test_mwviews_raises_the_same_exception_for_a_missing_article(
    urls: tuple[str, str], point_mwviews: Point
) -> None:
    client = mwviews.PageviewsClient(USER_AGENT)
    messages = []
    for base in urls:
        point_mwviews(base)
        with pytest.raises(Exception, match="returned nothing useful") as raised:
            client.article_views("en.wikipedia", ["No_such_article"], start="20231001", end="20231010")
        messages.append((type(raised.value), str(raised.value).replace(base, "BASE")))
    assert messages[0] == messages[1]


@pytest.mark.parametrize("title", TITLES)
def test_pageviewapi_per_article_is_the_same_through_the_mirror(
    urls: tuple[str, str], point_pageviewapi: Point, title: str
) -> None:
    expected, mirrored = both(
        urls,
        point_pageviewapi,
        lambda: pageviewapi.per_article("en.wikipedia", title, "20231001", "20231010"),
    )
    assert expected == mirrored
    assert [item["article"] for item in expected["items"]] == [title] * 4


def test_pageviewapi_aggregate_and_top_are_the_same_through_the_mirror(
    urls: tuple[str, str], point_pageviewapi: Point
) -> None:
    expected, mirrored = both(
        urls,
        point_pageviewapi,
        lambda: (
            pageviewapi.aggregate("en.wikipedia", "2023100100", "2023101000"),
            pageviewapi.aggregate("all-projects", "2023100100", "2023101000"),
            pageviewapi.top("en.wikipedia", 2023, 10, "05"),
            pageviewapi.top("en.wikipedia", 2023, 10, "all-days"),
        ),
    )
    assert expected == mirrored
    assert len(expected[0]["items"]) == 9


def test_pageviewapi_raises_the_same_exception_for_a_missing_article(
    urls: tuple[str, str], point_pageviewapi: Point
) -> None:
    for base in urls:
        point_pageviewapi(base)
        with pytest.raises(pageviewapi.client.ZeroOrDataNotLoadedException):
            pageviewapi.per_article("en.wikipedia", "No_such_article", "20231001", "20231010")
