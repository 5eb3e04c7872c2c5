"""The project totals and country lists in the service's own style, over Litestar's TestClient."""

from __future__ import annotations

import datetime as dt
import json
from concurrent.futures import ThreadPoolExecutor

import pytest
from litestar import Litestar
from litestar.testing import TestClient

from tests.support.app import container_for, serve, settings_from_env
from tests.support.fake_mediawiki import hung_mediawiki
from tests.support.fake_wikimedia import Canned, FakeWikimedia
from tests.support.http import assert_problem, json_of, rows_of


@pytest.fixture(autouse=True)
def seeded(fake: FakeWikimedia) -> None:
    for agent, views in (("user", 7), ("spider", 2), ("automated", 1)):
        fake.site_daily[("en.wikipedia", "all-access", agent)][dt.date(2023, 10, 3)] = views
    fake.site_hourly[("all-projects", "all-access", "user")][dt.datetime(2023, 10, 3, 5, tzinfo=dt.UTC)] = 9
    fake.devices[("en.wikipedia", "mobile-site", "monthly")][dt.date(2023, 10, 1)] = (10, 2)
    fake.top[("en.wikipedia", "all-access", "2023", "10")] = [
        {"article": "Main_Page", "views": 30, "rank": 1},
        {"article": "Special:Search", "views": 20, "rank": 2},
        {"article": "Paris", "views": 10, "rank": 3},
    ]
    fake.by_country[("en.wikipedia", "all-access", "2023", "10")] = [
        {"country": "US", "views": "1000-9999", "views_ceil": 5000, "rank": 1},
        {"country": "GB", "views": "100-999", "rank": 2},
    ]
    fake.per_country[("FR", "all-access", "2023", "10", "05")] = [
        {"article": "Wikipédia:Accueil_principal", "project": "fr.wikipedia", "views_ceil": 9000, "rank": 1},
        {"article": "Paris", "project": "fr.wikipedia", "views_ceil": 5000, "rank": 2},
    ]


def test_siteviews_zero_fill_settled_days(client: TestClient[Litestar]) -> None:
    body = json_of(client.get("/v1/siteviews/en.wikipedia?from=2023-10-02&to=2023-10-04&granularity=daily"))
    assert [(i["period"], i["views"]) for i in body["items"]] == [
        ("2023-10-02", 0),
        ("2023-10-03", 7),
        ("2023-10-04", 0),
    ]
    assert (body["total"], body["peak"]) == (7, {"period": "2023-10-03", "views": 7})


def test_siteviews_split_by_agent_add_up(client: TestClient[Litestar]) -> None:
    body = json_of(client.get("/v1/siteviews/en.wikipedia?from=2023-10-03&granularity=daily&breakdown=agent"))
    (item,) = [i for i in body["items"] if i["period"] == "2023-10-03"]
    assert (item["views"], item["breakdown"], body["agent"]) == (
        10,
        {"user": 7, "spider": 2, "automated": 1},
        "all-agents",
    )


def test_siteviews_of_every_project_by_hour(client: TestClient[Litestar]) -> None:
    body = json_of(client.get("/v1/siteviews/all-projects?from=2023-10-03&granularity=hourly"))
    assert (len(body["items"]), body["items"][5]) == (
        24,
        {"period": "2023-10-03T05:00Z", "views": 9, "complete": True},
    )


def test_an_answer_for_an_hour_not_asked_is_a_502_never_kept(
    client: TestClient[Litestar], fake: FakeWikimedia
) -> None:
    """Hours are kept whole, and checked before they are kept, as blocks are: the next request asks again."""
    item = {"project": "all-projects", "access": "all-access", "agent": "user", "granularity": "hourly"}
    wrong = {"items": [{**item, "timestamp": "2023100405", "views": 9}]}
    fake.fail_next(Canned(200, json.dumps(wrong).encode(), {"content-type": "application/json"}))
    path = "/v1/siteviews/all-projects?from=2023-10-03&granularity=hourly"
    assert_problem(client.get(path), 502, "upstream_error")
    assert (client.get(path).status_code, len(fake.requests)) == (200, 2)


def test_siteviews_before_july_2015_are_refused(client: TestClient[Litestar], fake: FakeWikimedia) -> None:
    assert_problem(client.get("/v1/siteviews/en.wikipedia?from=2015-06"), 400, "before_data_start")
    assert fake.requests == []


def test_siteviews_before_july_2015_are_refused_for_pageview_data_not_for_articles(
    client: TestClient[Litestar],
) -> None:
    body = assert_problem(client.get("/v1/siteviews/all-projects?from=2015-06"), 400, "before_data_start")
    assert body["detail"] == "2015-06 is before 2015-07: Wikimedia's pageview data starts in July 2015"


def test_unique_devices_as_csv(client: TestClient[Litestar]) -> None:
    response = client.get("/v1/unique-devices/en.wikipedia?from=2023-10&site=mobile-site&format=csv")
    assert rows_of(response) == [
        ["period", "devices", "offset", "underestimate"],
        ["2023-10", "12", "2", "10"],
    ]


def test_unique_devices_start_in_2016(client: TestClient[Litestar]) -> None:
    assert_problem(client.get("/v1/unique-devices/en.wikipedia?from=2015-12"), 400, "before_data_start")


def test_top_without_non_articles_keeps_wikimedias_ranks(client: TestClient[Litestar]) -> None:
    body = json_of(client.get("/v1/top/en.wikipedia/2023-10?exclude=non-articles"))
    assert body["items"] == [{"rank": 3, "article": "Paris", "views": 10}]


@pytest.mark.parametrize(
    "path",
    [
        "/v1/top/en.wikipedia/2023-10?exclude=non-articles",
        "/v1/top-per-country/fr/2023-10-05?exclude=non-articles",
    ],
)
def test_a_wiki_that_never_answers_leaves_non_articles_to_the_tables_once_the_page_facts_deadline_has_passed(
    fake: FakeWikimedia, path: str
) -> None:
    """Not after the upstream deadline (30 s here): the list can do without what the wiki says of itself. The
    10 s bound only keeps a failure from waiting out the deadline."""
    with hung_mediawiki() as template:
        settings = settings_from_env(
            PAGEVIEWS_MEDIAWIKI_URL=template,
            PAGEVIEWS_MEDIAWIKI_DEADLINE_SECONDS="0.2",
            PAGEVIEWS_UPSTREAM_DEADLINE="30",
        )
        with (
            serve(container_for(fake.transport(), settings=settings)) as client,
            ThreadPoolExecutor(1) as pool,
        ):
            answered = pool.submit(client.get, path).result(timeout=10)
    assert [item["article"] for item in json_of(answered)["items"]] == ["Paris"]


def test_top_by_country_gives_buckets_and_ceilings_where_known(client: TestClient[Litestar]) -> None:
    body = json_of(client.get("/v1/top-by-country/en.wikipedia/2023-10"))
    assert body["items"] == [
        {"rank": 1, "country": "US", "views": "1000-9999", "views_ceil": 5000},
        {"rank": 2, "country": "GB", "views": "100-999", "views_ceil": None},
    ]


def test_top_per_country_of_a_day_without_non_articles(client: TestClient[Litestar]) -> None:
    body = json_of(client.get("/v1/top-per-country/fr/2023-10-05?exclude=non-articles"))
    assert (body["country"], body["period"], body["items"]) == (
        "FR",
        "2023-10-05",
        [{"rank": 2, "project": "fr.wikipedia", "article": "Paris", "views_ceil": 5000}],
    )


@pytest.mark.parametrize(
    ("path", "code"),
    [
        ("/v1/top-per-country/ZZ/2023-10-05", "invalid_country"),
        ("/v1/top-per-country/FR/2020-12-31", "before_data_start"),
        ("/v1/top-per-country/FR/2024-01-14", "day_not_complete"),
        ("/v1/top-per-country/FR/2023-10-05?exclude=pages", "invalid_exclude"),
        ("/v1/top-by-country/en.wikipedia/2024-01", "month_not_complete"),
        ("/v1/top-by-country/all-projects/2023-10", "invalid_project"),
    ],
)
def test_country_lists_refuse_what_cannot_be_answered(
    client: TestClient[Litestar], fake: FakeWikimedia, path: str, code: str
) -> None:
    assert_problem(client.get(path), 400, code)
    assert fake.requests == []


def test_unique_devices_are_kept_in_monthly_blocks_so_overlapping_ranges_ask_only_what_is_missing(
    client: TestClient[Litestar], fake: FakeWikimedia
) -> None:
    for month in range(1, 10):
        fake.devices[("en.wikipedia", "all-sites", "monthly")][dt.date(2023, month, 1)] = (100 * month, month)
    first = json_of(client.get("/v1/unique-devices/en.wikipedia?from=2023-01&to=2023-06"))
    second = json_of(client.get("/v1/unique-devices/en.wikipedia?from=2023-03&to=2023-09"))
    assert [101 * 3, 101 * 9] == [first["items"][2]["devices"], second["items"][-1]["devices"]]
    assert [("20230101", "20230630"), ("20230701", "20230930")] == [
        tuple(path.split("/")[-2:]) for path in fake.raw_paths
    ]


@pytest.mark.parametrize(
    ("path", "subject"),
    [
        ("/v1/top/en.wikipedia/2023-09", "the top list of en.wikipedia in 2023-09"),
        ("/v1/siteviews/de.wikipedia?from=2023-09", "the views of de.wikipedia in this range"),
        ("/v1/unique-devices/de.wikipedia?from=2023-09", "the unique devices of de.wikipedia in this range"),
        ("/v1/top-by-country/de.wikipedia/2023-09", "the views of de.wikipedia by country in 2023-09"),
        ("/v1/top-per-country/DE/2023-09-05", "the top list of DE in 2023-09-05"),
    ],
)
def test_no_data_for_a_list_or_a_project_says_what_was_missing_not_an_article(
    client: TestClient[Litestar], path: str, subject: str
) -> None:
    detail = assert_problem(client.get(path), 404, "no_data")["detail"]
    assert (subject in detail, "article" in detail) == (True, False)


@pytest.mark.parametrize(
    "path",
    [
        "/v1/top/all-projects/2023-10",
        "/v1/pageviews/all-projects/Albert_Einstein?from=2023-10",
        "/monthly_view_count/Albert_Einstein/2023/10?project=all-projects",
        "/v1/redirects/all-projects/Albert_Einstein?from=2023-10",
        "/v1/unique-devices/all-projects?from=2023-10",
    ],
)
def test_all_projects_has_only_totals_and_anything_else_asked_of_it_is_refused_without_asking_upstream(
    client: TestClient[Litestar], fake: FakeWikimedia, path: str
) -> None:
    assert (
        "all-projects has only the project totals"
        in assert_problem(client.get(path), 400, "invalid_project")["detail"]
    )
    assert fake.requests == []


def test_a_batch_of_all_projects_is_refused_without_asking_upstream(
    client: TestClient[Litestar], fake: FakeWikimedia
) -> None:
    body = {"project": "all-projects", "articles": ["Albert_Einstein"], "from": "2023-10"}
    assert_problem(client.post("/v1/pageviews/batch", json=body), 400, "invalid_project")
    assert fake.requests == []
