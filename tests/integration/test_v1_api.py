"""The v1 endpoints through Litestar's TestClient, with the real Wikimedia adapter in front of the fake
Wikimedia (in-process): the exact shapes, what is asked upstream, CSV, and every error as a problem."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import httpx
import pytest
from litestar import Litestar
from litestar.testing import TestClient

from pageviews.domain.series import MAX_DAYS, MAX_MONTHS
from tests.support.app import container_for, serve
from tests.support.fake_wikimedia import FakeWikimedia, fixture
from tests.support.fakes import day, month
from tests.support.http import assert_problem, json_of, rows_of

NOW = dt.datetime(2024, 1, 15, 12, tzinfo=dt.UTC)
"""Noon on 2024-01-15: with the default 48 h to settle, days up to 2024-01-12 and months up to 2023-12 are
complete."""
PER_ARTICLE = "/api/rest_v1/metrics/pageviews/per-article"
TOP = "/api/rest_v1/metrics/pageviews/top"
SERIES = "/v1/pageviews/en.wikipedia"
PROBLEM = "application/problem+json"

Client = TestClient[Litestar]


def serving(transport: httpx.AsyncBaseTransport, now: dt.datetime = NOW) -> Client:
    """A fresh container (fixed clock, `transport` as Wikimedia, one attempt per upstream request so a fake
    failure is not retried away) and a client of the application it wires."""
    return serve(container_for(transport, now=now))


def per_article(
    article: str,
    granularity: str,
    first: str,
    last: str,
    access: str = "all-access",
    agent: str = "user",
) -> str:
    """The raw path the fake Wikimedia sees; `article` as it is encoded on the wire."""
    return f"{PER_ARTICLE}/en.wikipedia/{access}/{agent}/{article}/{granularity}/{first}/{last}"


def seed_top(fake: FakeWikimedia, entries: list[tuple[int, str, int]], access: str = "all-access") -> None:
    fake.top[("en.wikipedia", access, "2023", "12")] = [
        {"article": article, "views": views, "rank": rank} for rank, article, views in entries
    ]


# -- GET /v1/pageviews/{project}/{article}: monthly ----------------------------------------------------------


def test_a_monthly_series_answers_each_month_and_the_total(fake: FakeWikimedia, client: Client) -> None:
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


def test_a_monthly_series_is_one_upstream_request_for_the_whole_range(
    fake: FakeWikimedia, client: Client
) -> None:
    fake.add_month("Albert_Einstein", month("2023-05"), 10)
    client.get(f"{SERIES}/Albert_Einstein", params={"from": "2023-01", "to": "2023-12"})
    assert [per_article("Albert_Einstein", "monthly", "20230101", "20231231")] == fake.raw_paths


def test_a_monthly_series_without_to_is_the_month_of_from(fake: FakeWikimedia, client: Client) -> None:
    fake.add_month("Albert_Einstein", month("2023-02"), 10)
    body = client.get(f"{SERIES}/Albert_Einstein", params={"from": "2023-02"}).json()
    expected = ("2023-02", "2023-02", [per_article("Albert_Einstein", "monthly", "20230201", "20230228")])
    assert expected == (body["from"], body["to"], fake.raw_paths)


def test_the_current_month_is_answered_as_incomplete(fake: FakeWikimedia, client: Client) -> None:
    fake.add_month("Albert_Einstein", month("2023-12"), 100)
    fake.add_day("Albert_Einstein", day("2024-01-03"), 7)
    body = client.get(f"{SERIES}/Albert_Einstein", params={"from": "2023-12", "to": "2024-01"}).json()
    expected = [
        {"period": "2023-12", "views": 100, "complete": True},
        {"period": "2024-01", "views": 7, "complete": False},
    ]
    assert expected == body["items"]


def test_a_range_without_any_data_is_a_404_no_data_problem(client: Client) -> None:
    response = client.get(f"{SERIES}/Albert_Einstein", params={"from": "2023-01", "to": "2023-12"})
    expected = (404, PROBLEM, "no_data")
    assert expected == (response.status_code, response.headers["content-type"], response.json()["code"])


def test_the_filters_reach_the_upstream_request(fake: FakeWikimedia, client: Client) -> None:
    fake.add_month("Albert_Einstein", month("2023-01"), 5, access="mobile-web", agent="spider")
    body = client.get(
        f"{SERIES}/Albert_Einstein", params={"from": "2023-01", "access": "mobile-web", "agent": "spider"}
    ).json()
    path = per_article("Albert_Einstein", "monthly", "20230101", "20230131", "mobile-web", "spider")
    assert ("mobile-web", "spider", 5, [path]) == (
        body["access"],
        body["agent"],
        body["total"],
        fake.raw_paths,
    )


# -- daily ---------------------------------------------------------------------------------------------------


def test_a_daily_series_answers_each_day_the_total_and_the_peak(fake: FakeWikimedia, client: Client) -> None:
    fake.add_day("Albert_Einstein", day("2023-10-15"), 1000)
    fake.add_day("Albert_Einstein", day("2023-10-17"), 23979)
    fake.add_day("Albert_Einstein", day("2023-10-18"), 23979)
    response = client.get(
        f"{SERIES}/Albert_Einstein", params={"from": "2023-10-15", "to": "2023-10-18", "granularity": "daily"}
    )
    expected = {
        "project": "en.wikipedia",
        "article": "Albert_Einstein",
        "access": "all-access",
        "agent": "user",
        "granularity": "daily",
        "from": "2023-10-15",
        "to": "2023-10-18",
        "total": 48958,
        "items": [
            {"period": "2023-10-15", "views": 1000, "complete": True},
            {"period": "2023-10-16", "views": 0, "complete": True},
            {"period": "2023-10-17", "views": 23979, "complete": True},
            {"period": "2023-10-18", "views": 23979, "complete": True},
        ],
        "stale": False,
        "peak": {"period": "2023-10-17", "views": 23979},
    }
    assert expected == json_of(response)


def test_a_daily_series_is_one_upstream_request_for_the_whole_months_it_touches(
    fake: FakeWikimedia, client: Client
) -> None:
    """The cache keeps whole months (blocks), so that any later range in them is answered without asking."""
    fake.add_day("Albert_Einstein", day("2023-10-17"), 5)
    client.get(
        f"{SERIES}/Albert_Einstein", params={"from": "2023-09-20", "to": "2023-10-20", "granularity": "daily"}
    )
    assert [per_article("Albert_Einstein", "daily", "20230901", "20231031")] == fake.raw_paths


def test_a_daily_series_of_months_covers_every_day_of_them(fake: FakeWikimedia, client: Client) -> None:
    fake.add_day("Albert_Einstein", day("2023-02-14"), 5)
    body = client.get(
        f"{SERIES}/Albert_Einstein", params={"from": "2023-01", "to": "2023-02", "granularity": "daily"}
    ).json()
    expected = (
        "2023-01-01",
        "2023-02-28",
        59,
        [per_article("Albert_Einstein", "daily", "20230101", "20230228")],
    )
    assert expected == (body["from"], body["to"], len(body["items"]), fake.raw_paths)


def test_days_not_settled_are_incomplete_when_reported_and_absent_when_not(
    fake: FakeWikimedia, client: Client
) -> None:
    fake.add_day("Albert_Einstein", day("2024-01-10"), 10)
    fake.add_day("Albert_Einstein", day("2024-01-13"), 13)
    body = client.get(
        f"{SERIES}/Albert_Einstein", params={"from": "2024-01-10", "to": "2024-01-15", "granularity": "daily"}
    ).json()
    expected = [
        {"period": "2024-01-10", "views": 10, "complete": True},
        {"period": "2024-01-11", "views": 0, "complete": True},
        {"period": "2024-01-12", "views": 0, "complete": True},
        {"period": "2024-01-13", "views": 13, "complete": False},
    ]
    assert expected == body["items"]


def test_a_monthly_series_has_no_peak(fake: FakeWikimedia, client: Client) -> None:
    fake.add_month("Albert_Einstein", month("2023-01"), 5)
    assert "peak" not in client.get(f"{SERIES}/Albert_Einstein", params={"from": "2023-01"}).json()


# -- titles --------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("written", ["AC/DC", "AC%2FDC"])
def test_a_title_with_a_slash_is_the_final_path_segment(
    written: str, fake: FakeWikimedia, client: Client
) -> None:
    fake.add_month("AC/DC", month("2023-10"), 77)
    body = client.get(f"{SERIES}/{written}", params={"from": "2023-10"}).json()
    expected = ("AC/DC", 77, [per_article("AC%2FDC", "monthly", "20231001", "20231031")])
    assert expected == (body["article"], body["total"], fake.raw_paths)


def test_a_title_with_several_slashes_is_kept_whole(fake: FakeWikimedia, client: Client) -> None:
    fake.add_month("Israel/Palestine/Gaza", month("2023-10"), 3)
    body = client.get(f"{SERIES}/Israel/Palestine/Gaza", params={"from": "2023-10"}).json()
    expected = ("Israel/Palestine/Gaza", 3)
    assert expected == (body["article"], body["total"])


def test_a_title_is_answered_in_its_canonical_form(fake: FakeWikimedia, client: Client) -> None:
    fake.add_month("Albert_Einstein", month("2023-10"), 3)
    body = client.get(f"{SERIES}/albert%20Einstein", params={"from": "2023-10"}).json()
    expected = ("Albert_Einstein", 3)
    assert expected == (body["article"], body["total"])


# -- breakdowns ----------------------------------------------------------------------------------------------


def seed_agents(fake: FakeWikimedia) -> None:
    for agent, views in (("user", 400), ("spider", 50), ("automated", 7)):
        fake.add_month("Albert_Einstein", month("2023-01"), views, agent=agent)
    fake.add_month("Albert_Einstein", month("2023-02"), 300, agent="user")


def test_an_agent_breakdown_splits_each_item_into_parts_adding_up_to_its_views(
    fake: FakeWikimedia, client: Client
) -> None:
    seed_agents(fake)
    response = client.get(
        f"{SERIES}/Albert_Einstein", params={"from": "2023-01", "to": "2023-02", "breakdown": "agent"}
    )
    expected = {
        "project": "en.wikipedia",
        "article": "Albert_Einstein",
        "access": "all-access",
        "agent": "all-agents",
        "granularity": "monthly",
        "from": "2023-01",
        "to": "2023-02",
        "total": 757,
        "items": [
            {
                "period": "2023-01",
                "views": 457,
                "complete": True,
                "breakdown": {"user": 400, "spider": 50, "automated": 7},
            },
            {
                "period": "2023-02",
                "views": 300,
                "complete": True,
                "breakdown": {"user": 300, "spider": 0, "automated": 0},
            },
        ],
        "stale": False,
        "breakdown": "agent",
    }
    assert expected == json_of(response)


def test_an_agent_breakdown_asks_user_spider_and_automated_for_the_whole_range(
    fake: FakeWikimedia, client: Client
) -> None:
    seed_agents(fake)
    client.get(f"{SERIES}/Albert_Einstein", params={"from": "2023-01", "to": "2023-02", "breakdown": "agent"})
    expected = {
        per_article("Albert_Einstein", "monthly", "20230101", "20230228", agent=agent)
        for agent in ("user", "spider", "automated")
    }
    assert (expected, 3) == (set(fake.raw_paths), len(fake.raw_paths))


def test_an_access_breakdown_splits_each_item_by_platform(fake: FakeWikimedia, client: Client) -> None:
    for access, views in (("desktop", 100), ("mobile-web", 250), ("mobile-app", 25)):
        fake.add_day("Albert_Einstein", day("2023-10-17"), views, access=access)
    fake.add_day("Albert_Einstein", day("2023-10-18"), 40, access="mobile-web")
    body = client.get(
        f"{SERIES}/Albert_Einstein",
        params={"from": "2023-10-17", "to": "2023-10-18", "granularity": "daily", "breakdown": "access"},
    ).json()
    expected = (
        "all-access",
        "user",
        "access",
        [
            {
                "period": "2023-10-17",
                "views": 375,
                "complete": True,
                "breakdown": {"desktop": 100, "mobile-web": 250, "mobile-app": 25},
            },
            {
                "period": "2023-10-18",
                "views": 40,
                "complete": True,
                "breakdown": {"desktop": 0, "mobile-web": 40, "mobile-app": 0},
            },
        ],
        {"period": "2023-10-17", "views": 375},
    )
    assert expected == (body["access"], body["agent"], body["breakdown"], body["items"], body["peak"])


def test_an_access_breakdown_asks_desktop_mobile_web_and_mobile_app_for_the_whole_range(
    fake: FakeWikimedia, client: Client
) -> None:
    fake.add_month("Albert_Einstein", month("2023-01"), 5, access="desktop")
    client.get(f"{SERIES}/Albert_Einstein", params={"from": "2023-01", "breakdown": "access"})
    expected = {
        per_article("Albert_Einstein", "monthly", "20230101", "20230131", access=access)
        for access in ("desktop", "mobile-web", "mobile-app")
    }
    assert (expected, 3) == (set(fake.raw_paths), len(fake.raw_paths))


def test_a_breakdown_without_data_in_any_part_is_a_404_no_data_problem(client: Client) -> None:
    response = client.get(f"{SERIES}/Albert_Einstein", params={"from": "2023-01", "breakdown": "agent"})
    assert_problem(response, 404, "no_data")


# -- GET /v1/top/{project}/{YYYY-MM} -------------------------------------------------------------------------

TIED = [(1, "Main_Page", 9000), (2, "Taylor_Swift", 500), (2, "Travis_Kelce", 500), (4, "ChatGPT", 100)]


def test_a_top_list_answers_the_ranked_articles_with_ties_preserved(
    fake: FakeWikimedia, client: Client
) -> None:
    seed_top(fake, TIED)
    response = client.get("/v1/top/en.wikipedia/2023-12")
    expected = {
        "project": "en.wikipedia",
        "month": "2023-12",
        "access": "all-access",
        "items": [
            {"rank": 1, "article": "Main_Page", "views": 9000},
            {"rank": 2, "article": "Taylor_Swift", "views": 500},
            {"rank": 2, "article": "Travis_Kelce", "views": 500},
            {"rank": 4, "article": "ChatGPT", "views": 100},
        ],
        "stale": False,
    }
    assert expected == json_of(response)


def test_a_top_list_is_one_upstream_request_for_the_whole_month(fake: FakeWikimedia, client: Client) -> None:
    seed_top(fake, TIED, access="mobile-web")
    body = client.get("/v1/top/en.wikipedia/2023-12", params={"access": "mobile-web"}).json()
    expected = ("mobile-web", [f"{TOP}/en.wikipedia/mobile-web/2023/12/all-days"])
    assert expected == (body["access"], fake.raw_paths)


def many(count: int) -> list[tuple[int, str, int]]:
    return [(rank, f"Article_{rank}", 10_000 - rank) for rank in range(1, count + 1)]


def test_a_top_list_has_at_most_100_items_by_default(fake: FakeWikimedia, client: Client) -> None:
    seed_top(fake, many(150))
    items = client.get("/v1/top/en.wikipedia/2023-12").json()["items"]
    expected = ([1, 100], 100)
    assert expected == ([items[0]["rank"], items[-1]["rank"]], len(items))


@pytest.mark.parametrize(("limit", "expected"), [(1, 1), (2, 2), (1000, 150)])
def test_a_top_list_is_cut_at_the_limit(
    limit: int, expected: int, fake: FakeWikimedia, client: Client
) -> None:
    seed_top(fake, many(150))
    assert expected == len(
        client.get("/v1/top/en.wikipedia/2023-12", params={"limit": limit}).json()["items"]
    )


@pytest.mark.parametrize("limit", ["0", "1001", "-1"])
def test_a_limit_outside_1_to_1000_is_an_invalid_limit_problem(
    limit: str, fake: FakeWikimedia, client: Client
) -> None:
    seed_top(fake, many(150))
    response = client.get("/v1/top/en.wikipedia/2023-12", params={"limit": limit})
    assert_problem(response, 400, "invalid_limit")
    assert not fake.raw_paths


def test_a_limit_that_is_not_a_number_is_an_invalid_request(fake: FakeWikimedia, client: Client) -> None:
    seed_top(fake, many(150))
    response = client.get("/v1/top/en.wikipedia/2023-12", params={"limit": "ten"})
    assert_problem(response, 400, "invalid_request")
    assert not fake.raw_paths


@pytest.mark.parametrize("month_", ["2024-01", "2023-12"])
def test_an_incomplete_month_has_no_top_list_yet(month_: str, fake: FakeWikimedia) -> None:
    """January is the current month; December ended less than the 48 h settle period ago."""
    just_after_december = dt.datetime(2024, 1, 2, 12, tzinfo=dt.UTC)
    with serving(fake.transport(), just_after_december) as client:
        response = client.get(f"/v1/top/en.wikipedia/{month_}")
    assert_problem(response, 400, "month_not_complete")
    assert not fake.raw_paths


def test_a_month_wikimedia_has_no_top_list_for_is_a_404_no_data_problem(client: Client) -> None:
    assert_problem(client.get("/v1/top/en.wikipedia/2023-12"), 404, "no_data")


# -- POST /v1/pageviews/batch --------------------------------------------------------------------------------


def batch(client: Client, articles: list[str], **fields: Any) -> httpx.Response:
    return client.post("/v1/pageviews/batch", json={"articles": articles, "from": "2023-10", **fields})


def test_a_batch_answers_one_result_per_article_in_order(fake: FakeWikimedia, client: Client) -> None:
    for views, title in enumerate(["A", "B", "C"], start=1):
        fake.add_month(title, month("2023-10"), views)
    results = json_of(batch(client, ["C", "A", "B"]))["results"]
    expected = [("C", 3), ("A", 1), ("B", 2)]
    assert expected == [(r["article"], r["series"]["total"]) for r in results]


def test_a_batch_series_has_the_shape_of_a_single_series(fake: FakeWikimedia, client: Client) -> None:
    fake.add_month("AC/DC", month("2023-10"), 77)
    single = client.get(f"{SERIES}/AC/DC", params={"from": "2023-10"}).json()
    (result,) = batch(client, ["AC/DC"]).json()["results"]
    assert {"article": "AC/DC", "series": single} == result


def test_a_bad_title_is_a_400_problem_for_that_article_alone(fake: FakeWikimedia, client: Client) -> None:
    fake.add_month("A", month("2023-10"), 1)
    fake.add_month("B", month("2023-10"), 2)
    results = batch(client, ["A", "Bad#title", "B"]).json()["results"]
    bad = results[1]
    expected = ("Bad#title", 400, "invalid_title", "urn:pageviews:problem:invalid_title", "Bad Request")
    assert expected == (
        bad["article"],
        bad["problem"]["status"],
        bad["problem"]["code"],
        bad["problem"]["type"],
        bad["problem"]["title"],
    )
    expected_totals = [1, 2]
    assert expected_totals == [results[0]["series"]["total"], results[2]["series"]["total"]]


def test_an_unknown_article_is_a_404_problem_for_that_article_alone(
    fake: FakeWikimedia, client: Client
) -> None:
    fake.add_month("A", month("2023-10"), 1)
    results = batch(client, ["Unknown", "A"]).json()["results"]
    expected = ((404, "no_data"), 1)
    assert expected == (
        (results[0]["problem"]["status"], results[0]["problem"]["code"]),
        results[1]["series"]["total"],
    )


def test_a_batch_takes_project_range_granularity_access_and_agent(
    fake: FakeWikimedia, client: Client
) -> None:
    fake.add_day("hoy", day("2023-10-02"), 5, project="es.wiktionary", access="desktop", agent="spider")
    body = batch(
        client,
        ["hoy"],
        project="es.wiktionary",
        to="2023-10-03",
        granularity="daily",
        access="desktop",
        agent="spider",
        **{"from": "2023-10-01"},
    ).json()
    (result,) = body["results"]
    path = f"{PER_ARTICLE}/es.wiktionary/desktop/spider/hoy/daily/20231001/20231031"  # the month: a block
    assert ("hoy", [0, 5, 0], [path]) == (
        result["series"]["article"],
        [i["views"] for i in result["series"]["items"]],
        fake.raw_paths,
    )


def test_a_batch_of_100_articles_is_answered(fake: FakeWikimedia, client: Client) -> None:
    titles = [f"T{i}" for i in range(100)]
    for title in titles:
        fake.add_month(title, month("2023-10"), 1)
    results = batch(client, titles).json()["results"]
    assert titles == [r["article"] for r in results if "series" in r]


@pytest.mark.parametrize("size", [0, 101])
def test_a_batch_that_is_empty_or_over_100_articles_is_a_400_problem(
    size: int, fake: FakeWikimedia, client: Client
) -> None:
    response = batch(client, ["A"] * size)
    assert_problem(response, 400, "invalid_batch")
    assert not fake.raw_paths


@pytest.mark.parametrize(
    "body",
    [
        b"{not json",
        b"[]",
        b'{"from": "2023-10"}',
        b'{"articles": "A", "from": "2023-10"}',
        b'{"articles": [1], "from": "2023-10"}',
        b'{"articles": ["A"]}',
        b'{"articles": ["A"], "from": "2023-10", "colour": "blue"}',
    ],
    ids=[
        "not-json",
        "not-an-object",
        "no-articles",
        "articles-not-a-list",
        "title-not-a-string",
        "no-from",
        "unknown-field",
    ],
)
def test_a_malformed_batch_body_is_a_400_problem(body: bytes, fake: FakeWikimedia, client: Client) -> None:
    response = client.post("/v1/pageviews/batch", content=body, headers={"Content-Type": "application/json"})
    assert_problem(response, 400, "invalid_request")
    assert not fake.raw_paths


def test_a_batch_with_an_invalid_range_is_a_400_problem_for_the_whole_batch(client: Client) -> None:
    response = batch(client, ["A", "B"], to="2022-10")
    assert_problem(response, 400, "invalid_range")


# -- CSV -----------------------------------------------------------------------------------------------------


def test_a_series_in_csv_has_a_period_views_header_and_one_row_per_item(
    fake: FakeWikimedia, client: Client
) -> None:
    fake.add_month("Albert_Einstein", month("2023-01"), 412345)
    fake.add_month("Albert_Einstein", month("2023-03"), 398765)
    response = client.get(
        f"{SERIES}/Albert_Einstein",
        params={"from": "2023-01", "to": "2023-03"},
        headers={"Accept": "text/csv"},
    )
    assert response.headers["content-type"].startswith("text/csv")
    expected = [["period", "views"], ["2023-01", "412345"], ["2023-02", "0"], ["2023-03", "398765"]]
    assert expected == rows_of(response)


def test_a_series_with_a_breakdown_in_csv_has_a_column_per_part(fake: FakeWikimedia, client: Client) -> None:
    seed_agents(fake)
    response = client.get(
        f"{SERIES}/Albert_Einstein",
        params={"from": "2023-01", "to": "2023-02", "breakdown": "agent"},
        headers={"Accept": "text/csv"},
    )
    expected = [
        ["period", "views", "user", "spider", "automated"],
        ["2023-01", "457", "400", "50", "7"],
        ["2023-02", "300", "300", "0", "0"],
    ]
    assert expected == rows_of(response)


def test_a_daily_series_in_csv_has_a_row_per_day(fake: FakeWikimedia, client: Client) -> None:
    fake.add_day("Albert_Einstein", day("2023-10-17"), 23979)
    response = client.get(
        f"{SERIES}/Albert_Einstein",
        params={"from": "2023-10-16", "to": "2023-10-17", "granularity": "daily"},
        headers={"Accept": "text/csv"},
    )
    expected = [["period", "views"], ["2023-10-16", "0"], ["2023-10-17", "23979"]]
    assert expected == rows_of(response)


def test_a_top_list_in_csv_has_a_rank_article_views_header(fake: FakeWikimedia, client: Client) -> None:
    seed_top(fake, [(1, "Main_Page", 9000), (2, 'Hello,_"World"', 500), (2, "Travis_Kelce", 500)])
    response = client.get("/v1/top/en.wikipedia/2023-12", headers={"Accept": "text/csv"})
    assert response.headers["content-type"].startswith("text/csv")
    expected = [
        ["rank", "article", "views"],
        ["1", "Main_Page", "9000"],
        ["2", 'Hello,_"World"', "500"],
        ["2", "Travis_Kelce", "500"],
    ]
    assert expected == rows_of(response)


def test_json_is_the_default_when_the_client_accepts_anything(fake: FakeWikimedia, client: Client) -> None:
    fake.add_month("Albert_Einstein", month("2023-01"), 5)
    response = client.get(f"{SERIES}/Albert_Einstein", params={"from": "2023-01"}, headers={"Accept": "*/*"})
    total = 5
    assert total == json_of(response)["total"]


def test_an_error_asked_as_csv_is_still_a_problem(client: Client) -> None:
    response = client.get(
        f"{SERIES}/Albert_Einstein", params={"from": "2023-01"}, headers={"Accept": "text/csv"}
    )
    assert_problem(response, 404, "no_data")


# -- every error is a problem --------------------------------------------------------------------------------


ERRORS = [
    # (status, code, method, path, params or body)
    (400, "invalid_granularity", "GET", f"{SERIES}/A", {"from": "2023-01", "granularity": "hourly"}),
    (400, "invalid_access", "GET", f"{SERIES}/A", {"from": "2023-01", "access": "tablet"}),
    (400, "invalid_agent", "GET", f"{SERIES}/A", {"from": "2023-01", "agent": "bot"}),
    (400, "invalid_breakdown", "GET", f"{SERIES}/A", {"from": "2023-01", "breakdown": "country"}),
    (
        400,
        "invalid_breakdown",
        "GET",
        f"{SERIES}/A",
        {"from": "2023-01", "breakdown": "agent", "agent": "user"},
    ),
    (
        400,
        "invalid_breakdown",
        "GET",
        f"{SERIES}/A",
        {"from": "2023-01", "breakdown": "access", "access": "desktop"},
    ),
    (400, "invalid_range", "GET", f"{SERIES}/A", {"from": "2023-05", "to": "2023-04"}),
    (
        400,
        "invalid_range",
        "GET",
        f"{SERIES}/A",
        {"from": "2020-01-01", "to": "2023-01-31", "granularity": "daily"},
    ),
    (400, "invalid_range", "GET", f"{SERIES}/A", {"from": "2023-02-30", "granularity": "daily"}),
    (400, "invalid_month", "GET", f"{SERIES}/A", {"from": "2023-13"}),
    (400, "invalid_month", "GET", f"{SERIES}/A", {"from": "23-01"}),
    (400, "invalid_month", "GET", f"{SERIES}/A", {"from": "2023-01-15"}),
    (400, "before_data_start", "GET", f"{SERIES}/A", {"from": "2015-06"}),
    (400, "before_data_start", "GET", f"{SERIES}/A", {"from": "2015-06-30", "granularity": "daily"}),
    (400, "future_month", "GET", f"{SERIES}/A", {"from": "2024-02"}),
    (400, "future_date", "GET", f"{SERIES}/A", {"from": "2024-01-16", "granularity": "daily"}),
    (400, "invalid_title", "GET", f"{SERIES}/A%23B", {"from": "2023-01"}),
    (400, "invalid_title", "GET", f"{SERIES}/A|B", {"from": "2023-01"}),
    (400, "invalid_project", "GET", "/v1/pageviews/en wikipedia!/A", {"from": "2023-01"}),
    (400, "invalid_request", "GET", f"{SERIES}/A", {}),
    (404, "not_found", "GET", SERIES, {"from": "2023-01"}),
    (400, "invalid_month", "GET", "/v1/top/en.wikipedia/2023-1", {}),
    (400, "invalid_access", "GET", "/v1/top/en.wikipedia/2023-12", {"access": "tablet"}),
    (400, "invalid_project", "GET", "/v1/top/-bad-/2023-12", {}),
    (400, "future_month", "GET", "/v1/top/en.wikipedia/2024-02", {}),
    (400, "before_data_start", "GET", "/v1/top/en.wikipedia/2015-06", {}),
    (400, "invalid_limit", "GET", "/v1/top/en.wikipedia/2023-12", {"limit": "1001"}),
    (400, "invalid_batch", "POST", "/v1/pageviews/batch", {"articles": [], "from": "2023-01"}),
    (
        400,
        "invalid_granularity",
        "POST",
        "/v1/pageviews/batch",
        {"articles": ["A"], "from": "2023-01", "granularity": "x"},
    ),
    (
        400,
        "invalid_project",
        "POST",
        "/v1/pageviews/batch",
        {"articles": ["A"], "from": "2023-01", "project": "!"},
    ),
    (400, "invalid_request", "POST", "/v1/pageviews/batch", {"from": "2023-01"}),
    (405, "method_not_allowed", "DELETE", "/v1/top/en.wikipedia/2023-12", {}),
]


@pytest.mark.parametrize(("status", "code", "method", "path", "data"), ERRORS)
def test_every_error_is_a_problem_with_a_stable_code(
    status: int, code: str, method: str, path: str, data: dict[str, Any], fake: FakeWikimedia, client: Client
) -> None:
    if method == "POST":
        assert_problem(client.post(path, json=data), status, code)
    else:
        assert_problem(client.request(method, path, params=data), status, code)
    assert not fake.raw_paths


# -- upstream failures ---------------------------------------------------------------------------------------


def always(answer: Callable[[httpx.Request], httpx.Response]) -> httpx.MockTransport:
    """An upstream that fails every request the same way (so retries, if any, cannot hide the failure)."""
    return httpx.MockTransport(answer)


def server_error(request: httpx.Request) -> httpx.Response:
    return httpx.Response(500, json={"title": "Error in Cassandra table storage backend"})


def throttled(request: httpx.Request) -> httpx.Response:
    return httpx.Response(
        429,
        content=fixture("rate-limited-429.txt"),
        headers={"content-type": "text/plain", "retry-after": "7"},
    )


def timed_out(request: httpx.Request) -> httpx.Response:
    raise httpx.ReadTimeout("the fake upstream did not answer", request=request)


UPSTREAM_FAILURES = [
    pytest.param(server_error, 502, "upstream_error", id="5xx"),
    pytest.param(throttled, 503, "upstream_throttled", id="429"),
    pytest.param(timed_out, 504, "upstream_timeout", id="timeout"),
]
V1_GETS = [
    pytest.param(f"{SERIES}/Albert_Einstein?from=2023-01&to=2023-12", id="monthly"),
    pytest.param(f"{SERIES}/Albert_Einstein?from=2023-10-01&to=2023-10-31&granularity=daily", id="daily"),
    pytest.param(f"{SERIES}/Albert_Einstein?from=2023-01&breakdown=agent", id="agent-breakdown"),
    pytest.param(f"{SERIES}/Albert_Einstein?from=2023-01&breakdown=access", id="access-breakdown"),
    pytest.param("/v1/top/en.wikipedia/2023-12", id="top"),
]


@pytest.mark.parametrize("url", V1_GETS)
@pytest.mark.parametrize(("answer", "status", "code"), UPSTREAM_FAILURES)
def test_an_upstream_failure_on_a_v1_endpoint_is_its_problem(
    url: str, answer: Callable[[httpx.Request], httpx.Response], status: int, code: str
) -> None:
    with serving(always(answer)) as client:
        response = client.get(url)
    expected = (status, PROBLEM, code)
    assert expected == (response.status_code, response.headers["content-type"], response.json()["code"])


@pytest.mark.parametrize("url", V1_GETS)
def test_a_throttled_upstream_is_a_503_with_its_retry_after(url: str) -> None:
    with serving(always(throttled)) as client:
        response = client.get(url)
    expected = (503, "7")
    assert expected == (response.status_code, response.headers.get("retry-after"))


@pytest.mark.parametrize(("answer", "status", "code"), UPSTREAM_FAILURES)
def test_an_upstream_failure_in_a_batch_is_a_problem_for_each_article(
    answer: Callable[[httpx.Request], httpx.Response], status: int, code: str
) -> None:
    with serving(always(answer)) as client:
        response = batch(client, ["Albert_Einstein"])
    (result,) = response.json()["results"]
    expected = (200, "Albert_Einstein", status, code)
    assert expected == (
        response.status_code,
        result["article"],
        result["problem"]["status"],
        result["problem"]["code"],
    )


# -- OpenAPI -------------------------------------------------------------------------------------------------

V1_OPERATIONS = [
    pytest.param("/v1/pageviews/{project}/{article}", "get", [400, 404, 502, 503, 504], id="series"),
    pytest.param("/v1/top/{project}/{month}", "get", [400, 404, 502, 503, 504], id="top"),
    pytest.param("/v1/pageviews/batch", "post", [400], id="batch"),
]


@pytest.mark.parametrize(("path", "method", "errors"), V1_OPERATIONS)
def test_every_v1_endpoint_documents_its_errors_as_problems(
    path: str, method: str, errors: list[int], openapi: dict[str, Any]
) -> None:
    responses = openapi["paths"][path][method]["responses"]
    problem = {"$ref": "#/components/schemas/Problem"}
    assert dict.fromkeys(errors, problem) == {
        status: responses[str(status)]["content"][PROBLEM]["schema"] for status in errors
    }


@pytest.mark.parametrize(("path", "method", "errors"), V1_OPERATIONS)
def test_every_v1_endpoint_is_documented_with_an_example(
    path: str, method: str, errors: list[int], openapi: dict[str, Any]
) -> None:
    operation = openapi["paths"][path][method]
    examples = [p["examples"] for p in operation.get("parameters", []) if "examples" in p]
    body = operation.get("requestBody", {}).get("content", {}).get("application/json", {})
    examples += [body["schema"]["examples"]] if "examples" in body.get("schema", {}) else []
    assert examples, f"{method.upper()} {path} has no example"


def test_the_series_documentation_states_the_range_limits_and_the_zero_filling(
    openapi: dict[str, Any],
) -> None:
    description = openapi["paths"]["/v1/pageviews/{project}/{article}"]["get"]["description"]
    expected = [f"{MAX_MONTHS} months", f"{MAX_DAYS} days", "is a 0", "complete: false", "404", "text/csv"]
    assert expected == [phrase for phrase in expected if phrase in description]


# -- the original endpoint -----------------------------------------------------------------------------------


def test_the_original_monthly_endpoint_answers_as_the_v1_monthly_series_of_the_month(
    fake: FakeWikimedia, client: Client
) -> None:
    fake.add_month("AC/DC", month("2023-10"), 123456)
    original = client.get("/monthly_view_count/AC/DC/2023/10")
    v1 = client.get(f"{SERIES}/AC/DC", params={"from": "2023-10"}).json()
    (item,) = v1["items"]
    assert {
        "project": "en.wikipedia",
        "article": "AC/DC",
        "year": 2023,
        "month": 10,
        "access": "all-access",
        "agent": "user",
        "views": item["views"],
        "complete": item["complete"],
        "stale": v1["stale"],
    } == original.json()
    assert [per_article("AC%2FDC", "monthly", "20231001", "20231031")] == sorted(set(fake.raw_paths))


@pytest.mark.parametrize(
    ("path", "csv_header"),
    [
        ("/v1/pageviews/{project}/{article}", "period,views"),
        ("/v1/top/{project}/{month}", "rank,article,views"),
    ],
)
def test_the_openapi_documents_the_csv_alternative_with_an_example(
    openapi: dict[str, Any], path: str, csv_header: str
) -> None:
    content = openapi["paths"][path]["get"]["responses"]["200"]["content"]
    assert {"application/json", "text/csv"} == set(content)
    assert content["text/csv"]["example"].startswith(csv_header + "\r\n")


@pytest.mark.parametrize(
    ("path", "method"),
    [
        ("/v1/pageviews/{project}/{article}", "get"),
        ("/v1/top/{project}/{month}", "get"),
        ("/v1/pageviews/batch", "post"),
    ],
)
def test_every_v1_answer_is_documented_with_an_example(
    openapi: dict[str, Any], path: str, method: str
) -> None:
    responses = openapi["paths"][path][method]["responses"]
    ok = responses["200"]["content"]["application/json"]
    assert "example" in ok or ok["examples"]  # one example, or one per kind of answer
    for status, response in responses.items():
        if status != "200":
            assert response["content"]["application/problem+json"]["examples"], status
