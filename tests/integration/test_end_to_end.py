"""The real server process (`pageviews serve`, granian) in front of a fake Wikimedia and a fake MediaWiki on
loopback: the whole path a request travels in production, over real sockets, and a clean exit on SIGTERM."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.support.fake_mediawiki import FakeMediaWiki
from tests.support.fake_wikimedia import PREFIX, FakeWikimedia
from tests.support.server_process import USER_AGENT, ServerProcess, running_server

pytestmark = pytest.mark.slow
OCTOBER = dt.date(2023, 10, 1)


@pytest.fixture
def wiki() -> FakeMediaWiki:
    wiki = FakeMediaWiki()
    wiki.add_page("AC/DC")
    wiki.add_page("Albert Einstein")
    wiki.add_redirect("Einstein", "Albert Einstein")
    wiki.add_redirect("Albert einstein", "Albert Einstein")
    wiki.add_language_link(
        "Albert Einstein", "de", "https://de.wikipedia.org/wiki/Albert_Einstein", "Albert Einstein"
    )
    return wiki


@pytest.fixture
def server(fake: FakeWikimedia, wiki: FakeMediaWiki, tmp_path: Path) -> Iterator[ServerProcess]:
    fake.add_month("AC/DC", OCTOBER, 123456)
    fake.add_month("Albert_Einstein", OCTOBER, 412345)
    fake.add_month("Einstein", OCTOBER, 8102)
    fake.add_month("Albert_Einstein", OCTOBER, 90210, project="de.wikipedia")
    with fake.serve() as wikimedia_url, wiki.serve() as mediawiki_url:
        settings = {
            "PAGEVIEWS_WIKIMEDIA_URL": wikimedia_url,
            "PAGEVIEWS_MEDIAWIKI_URL": mediawiki_url,
            "PAGEVIEWS_LOG_LEVEL": "warning",
        }
        with running_server(tmp_path / "server.log", settings) as server:
            yield server


def get(server: ServerProcess, path: str, **params: str) -> httpx.Response:
    return httpx.get(f"{server.base_url}{path}", params=params, timeout=10.0)


def test_the_real_server_answers_over_http_asks_wikimedia_once_and_stops_cleanly(
    server: ServerProcess, fake: FakeWikimedia, wiki: FakeMediaWiki
) -> None:
    response = get(server, "/monthly_view_count/AC%2FDC/2023/10")
    body = response.json()
    assert (response.status_code, body["article"], body["views"], body["complete"]) == (
        200,
        "AC/DC",
        123456,
        True,
    )
    expected_path = f"{PREFIX}per-article/en.wikipedia/all-access/user/AC%2FDC/monthly/20231001/20231031"
    assert ([expected_path], USER_AGENT) == (fake.raw_paths, fake.requests[0].headers["user-agent"])
    assert [] == wiki.requests  # exact, with data: the wiki is not asked

    code, _ = server.terminate()
    assert 0 == code
    assert "Traceback" not in server.output()


def test_the_real_server_decodes_a_title_exactly_once(server: ServerProcess, fake: FakeWikimedia) -> None:
    raw = get(server, "/monthly_view_count/AC/DC/2023/10")
    twice_encoded = get(server, "/monthly_view_count/%2541/2023/10")
    assert (raw.status_code, raw.json()["views"]) == (200, 123456)
    assert (twice_encoded.status_code, twice_encoded.json()["code"]) == (400, "invalid_title")
    assert len(fake.requests) == 1


def test_the_real_server_follows_and_includes_redirects_asking_mediawiki_over_http(
    server: ServerProcess, wiki: FakeMediaWiki
) -> None:
    followed = get(
        server, "/v1/pageviews/en.wikipedia/Einstein", **{"from": "2023-10", "redirects": "follow"}
    ).json()
    included = get(
        server, "/v1/pageviews/en.wikipedia/Einstein", **{"from": "2023-10", "redirects": "include"}
    ).json()
    assert (412345, {"title": "Albert_Einstein", "redirected_from": "Einstein"}) == (
        followed["total"],
        followed["page"],
    )
    assert (412345 + 8102, 3) == (included["total"], len(included["page"]["titles"]))
    assert {"/en.wikipedia.org/w/api.php"} == {request.url.path for request in wiki.requests}
    assert all(request.headers["user-agent"] == USER_AGENT for request in wiki.requests)


def test_the_real_server_tells_a_missing_page_from_zero_views(server: ServerProcess) -> None:
    missing = get(server, "/monthly_view_count/Albert_EINSTEIN/2023/10")
    assert (404, "no_such_page", "Albert_Einstein") == (
        missing.status_code,
        missing.json()["code"],
        missing.json()["suggestion"],
    )
    assert 0 == get(server, "/monthly_view_count/Albert_einstein/2023/10").json()["views"]


def test_the_real_server_counts_a_page_in_every_language(server: ServerProcess) -> None:
    body = get(server, "/v1/langviews/en.wikipedia/Einstein", **{"from": "2023-10"}).json()
    assert [("en", 412345), ("de", 90210)] == [(row["lang"], row["views"]) for row in body["languages"]]


def test_the_real_server_answers_without_mediawiki_and_says_so(
    server: ServerProcess, wiki: FakeMediaWiki
) -> None:
    wiki.down = True
    body = get(
        server, "/v1/pageviews/en.wikipedia/Einstein", **{"from": "2023-10", "redirects": "follow"}
    ).json()
    assert (8102, "page_facts_unavailable") == (body["total"], body["notices"][0]["code"])
    assert 0 == server.terminate()[0]


def test_the_real_server_mirrors_wikimedia_with_an_encoded_slash_and_refuses_a_raw_one(
    server: ServerProcess, fake: FakeWikimedia
) -> None:
    mirror = "/api/rest_v1/metrics/pageviews/per-article/en.wikipedia/all-access/user"
    encoded = get(server, f"{mirror}/AC%2FDC/monthly/20231001/20231031")
    raw = get(server, f"{mirror}/AC/DC/monthly/20231001/20231031")
    (item,) = encoded.json()["items"]
    assert (encoded.status_code, item["article"], item["views"], item["timestamp"]) == (
        200,
        "AC/DC",
        123456,
        "2023100100",
    )
    assert (raw.status_code, raw.json()["detail"]) == (404, "invalid route")
    assert len(fake.requests) == 1
