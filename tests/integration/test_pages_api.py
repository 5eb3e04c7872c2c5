"""Pages, not just titles, over HTTP: the `redirects` choice on every per-article endpoint, zero or missing,
and the redirect and language views, with the real adapters in front of a fake Wikimedia and a fake
MediaWiki (in-process): the shapes, what each upstream is asked, CSV, caching headers, and every failure."""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from dependency_injector import providers
from litestar import Litestar
from litestar.testing import TestClient

from pageviews.containers import build_app
from tests.support.app import NOW, concurrent_client, container_for, serve, settings_from_env
from tests.support.fake_mediawiki import FakeMediaWiki, hung_mediawiki
from tests.support.fake_wikimedia import FakeWikimedia
from tests.support.fakes import FakeSleep, FixedClock
from tests.support.http import assert_problem, json_of, rows_of

Client = TestClient[Litestar]
OCTOBER = dt.date(2023, 10, 1)
SERIES = "/v1/pageviews/en.wikipedia"
MONTHLY = "/monthly_view_count"


@pytest.fixture
def wiki() -> FakeMediaWiki:
    """en.wikipedia: Albert Einstein, with the redirects Einstein and Albert einstein, and Relativity theory
    to its section; Python (programming language) with its language links (from the recorded answer);
    Quiet page, a page nobody viewed."""
    wiki = FakeMediaWiki()
    wiki.load_fixtures()
    wiki.add_page("Albert Einstein")
    wiki.add_page("Quiet page")
    wiki.add_redirect("Einstein", "Albert Einstein")
    wiki.add_redirect("Albert einstein", "Albert Einstein")
    wiki.add_redirect("Relativity theory", "Albert Einstein", fragment="Relativity")
    return wiki


@pytest.fixture
def seeded(fake: FakeWikimedia) -> FakeWikimedia:
    fake.add_month("Albert_Einstein", OCTOBER, 412345)
    fake.add_month("Einstein", OCTOBER, 8102)
    fake.add_month("Relativity_theory", OCTOBER, 132)
    fake.add_month("Python_(programming_language)", OCTOBER, 812345)
    fake.add_month("Python_(Programmiersprache)", OCTOBER, 251020, project="de.wikipedia")
    fake.add_month("Python_(Programmiersprache)", OCTOBER, 111, project="als.wikipedia")
    return fake


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(NOW)


@pytest.fixture
def client(seeded: FakeWikimedia, wiki: FakeMediaWiki, clock: FixedClock) -> Iterator[Client]:
    container = container_for(seeded.transport(), mediawiki=wiki.transport())
    container.clock.override(providers.Object(clock))
    with serve(container) as client:
        yield client


# -- exact, the default --------------------------------------------------------------------------------------


def test_by_default_a_title_is_counted_as_asked_without_asking_the_wiki(
    client: Client, wiki: FakeMediaWiki
) -> None:
    body = json_of(client.get(f"{SERIES}/Einstein", params={"from": "2023-10"}))
    assert (8102, "Einstein") == (body["total"], body["article"])
    assert "page" not in body
    assert [] == wiki.requests


def test_the_original_endpoints_answer_is_unchanged_by_default(client: Client) -> None:
    body = json_of(client.get(f"{MONTHLY}/Einstein/2023/10"))
    assert {
        "project",
        "article",
        "year",
        "month",
        "access",
        "agent",
        "views",
        "complete",
        "stale",
    } == body.keys()


def test_a_page_with_no_views_is_zero_views(client: Client) -> None:
    body = json_of(client.get(f"{MONTHLY}/Quiet_page/2023/10"))
    assert (0, True) == (body["views"], body["complete"])


def test_a_title_that_is_no_page_is_a_404_naming_the_page_it_probably_meant(client: Client) -> None:
    problem = assert_problem(
        client.get(f"{SERIES}/Albert_EINSTEIN", params={"from": "2023-10"}), 404, "no_such_page"
    )
    assert ("Albert_EINSTEIN", "Albert_Einstein") == (problem["article"], problem["suggestion"])
    assert "did you mean Albert_Einstein?" in problem["detail"]


def test_a_title_the_wiki_cannot_have_is_a_400(client: Client) -> None:
    problem = assert_problem(client.get(f"{MONTHLY}/Talk:/2023/10"), 400, "invalid_title")
    assert "only the name of a namespace" in problem["detail"]


def test_no_data_for_a_range_not_settled_is_still_no_data_and_the_wiki_is_not_asked(
    client: Client, wiki: FakeMediaWiki
) -> None:
    response = client.get(f"{SERIES}/Qwxz", params={"from": "2024-01-14", "granularity": "daily"})
    assert_problem(response, 404, "no_data")
    assert [] == wiki.requests


def test_an_unknown_redirects_choice_is_a_400_naming_the_choices(client: Client) -> None:
    problem = assert_problem(
        client.get(f"{SERIES}/Einstein", params={"from": "2023-10", "redirects": "all"}),
        400,
        "invalid_parameter",
    )
    assert "exact, follow, include" in problem["detail"]


# -- follow and include ----------------------------------------------------------------------------------------


def test_follow_answers_for_the_page_the_title_redirects_to_and_says_so(client: Client) -> None:
    body = json_of(client.get(f"{SERIES}/Einstein", params={"from": "2023-10", "redirects": "follow"}))
    assert (412345, "Albert_Einstein") == (body["total"], body["article"])
    assert {"title": "Albert_Einstein", "redirected_from": "Einstein"} == body["page"]


def test_follow_on_the_original_endpoint_says_which_page_was_counted(client: Client) -> None:
    body = json_of(client.get(f"{MONTHLY}/Einstein/2023/10", params={"redirects": "follow"}))
    assert (412345, {"title": "Albert_Einstein", "redirected_from": "Einstein"}) == (
        body["views"],
        body["page"],
    )


def test_include_sums_the_page_and_every_redirect_and_lists_them(client: Client) -> None:
    body = json_of(client.get(f"{SERIES}/Einstein", params={"from": "2023-10", "redirects": "include"}))
    assert 412345 + 8102 + 132 == body["total"] == body["items"][0]["views"]
    assert [
        {"title": "Albert_Einstein", "views": 412345, "redirect": False},
        {"title": "Einstein", "views": 8102, "redirect": True},
        {"title": "Albert_einstein", "views": 0, "redirect": True},
        {"title": "Relativity_theory", "views": 132, "redirect": True, "fragment": "Relativity"},
    ] == body["page"]["titles"]


@pytest.mark.parametrize("choice", ["follow", "include"])
def test_a_redirect_to_a_page_that_does_not_exist_is_no_such_page_naming_that_page(
    client: Client, wiki: FakeMediaWiki, choice: str
) -> None:
    wiki.add_redirect("Broken redirect", "Nowhere page")
    problem = assert_problem(
        client.get(f"{SERIES}/Broken_redirect", params={"from": "2023-10", "redirects": choice}),
        404,
        "no_such_page",
    )
    assert "Nowhere_page" == problem["article"]
    assert problem["detail"].startswith(
        "en.wikipedia has no page titled Nowhere_page (Broken_redirect redirects to it"
    )


def test_an_answer_resting_on_page_facts_is_fresh_no_longer_than_they_are(client: Client) -> None:
    response = client.get(f"{SERIES}/Einstein", params={"from": "2023-10", "redirects": "follow"})
    assert "public, max-age=3600" == response.headers["cache-control"]


def test_the_batch_takes_the_redirects_choice(client: Client) -> None:
    body = json_of(
        client.post(
            "/v1/pageviews/batch",
            json={
                "articles": ["Einstein", "Albert_einstein", "Qwxz"],
                "from": "2023-10",
                "redirects": "follow",
            },
        )
    )
    first, second, third = body["results"]
    assert (412345, 412345) == (first["series"]["total"], second["series"]["total"])
    assert "no_such_page" == third["problem"]["code"]


def test_a_batch_tells_each_title_without_data_apart(client: Client) -> None:
    body = json_of(
        client.post("/v1/pageviews/batch", json={"articles": ["Quiet_page", "Qwxz"], "from": "2023-10"})
    )
    quiet, unknown = body["results"]
    assert 0 == quiet["series"]["total"]
    assert ("no_such_page", "Qwxz") == (unknown["problem"]["code"], unknown["problem"]["article"])


# -- CSV: the rows stay period,views, the headers say which page ------------------------------------------------


def csv_of(client: Client, url: str, **params: str) -> httpx.Response:
    response = client.get(url, params={**params, "format": "csv"})
    assert (200, "text/csv; charset=utf-8") == (response.status_code, response.headers["content-type"])
    return response


def test_follow_as_csv_says_in_headers_which_page_was_counted(client: Client) -> None:
    response = csv_of(client, f"{SERIES}/Einstein", **{"from": "2023-10", "redirects": "follow"})
    assert [["period", "views"], ["2023-10", "412345"]] == rows_of(response)
    assert ("Albert_Einstein", "Einstein") == (
        response.headers["pageviews-page"],
        response.headers["pageviews-redirected-from"],
    )


def test_titles_in_csv_headers_are_percent_encoded(client: Client, wiki: FakeMediaWiki) -> None:
    wiki.add_redirect("Éinstein/Relativity", "Albert Einstein", fragment="Relativité")
    response = csv_of(client, f"{SERIES}/Éinstein/Relativity", **{"from": "2023-10", "redirects": "follow"})
    assert ("%C3%89instein/Relativity", "Relativit%C3%A9") == (
        response.headers["pageviews-redirected-from"],
        response.headers["pageviews-fragment"],
    )


def test_include_as_csv_links_each_titles_count(client: Client) -> None:
    response = csv_of(client, f"{MONTHLY}/Einstein/2023/10", redirects="include")
    assert [["period", "views"], ["2023-10", str(412345 + 8102 + 132)]] == rows_of(response)
    link = response.links["related"]["url"]
    counts = rows_of(client.get(link))
    assert ["title", "redirect", "fragment", "views"] == counts[0]
    assert 412345 + 8102 + 132 == sum(int(row[3]) for row in counts[1:])


def test_a_csv_answer_without_the_page_facts_says_so_in_a_header(client: Client, down: FakeMediaWiki) -> None:
    response = csv_of(client, f"{SERIES}/Einstein", **{"from": "2023-10", "redirects": "follow"})
    assert ("page_facts_unavailable", None) == (
        response.headers["pageviews-notice"],
        response.headers.get("pageviews-page"),
    )


def test_the_default_csv_has_no_page_headers(client: Client) -> None:
    response = csv_of(client, f"{SERIES}/Einstein", **{"from": "2023-10"})
    assert not [name for name in response.headers if name.startswith("pageviews-") or name == "link"]


def test_with_cors_on_scripts_may_read_the_page_headers(seeded: FakeWikimedia, wiki: FakeMediaWiki) -> None:
    settings = settings_from_env(PAGEVIEWS_CORS_ORIGINS="https://app.example")
    with serve(container_for(seeded.transport(), settings=settings, mediawiki=wiki.transport())) as client:
        response = client.get(
            f"{SERIES}/Einstein",
            params={"from": "2023-10", "redirects": "follow", "format": "csv"},
            headers={"origin": "https://app.example"},
        )
    exposed = {name.strip().lower() for name in response.headers["access-control-expose-headers"].split(",")}
    assert {"pageviews-page", "pageviews-redirected-from", "pageviews-notice", "link"} <= exposed


# -- redirect and language views -------------------------------------------------------------------------------


def test_redirect_views_list_the_page_then_its_redirects_by_views(client: Client) -> None:
    body = json_of(client.get("/v1/redirects/en.wikipedia/Einstein", params={"from": "2023-10"}))
    assert ("Albert_Einstein", "Einstein", 420579) == (
        body["article"],
        body["redirected_from"],
        body["total"],
    )
    assert ["Albert_Einstein", "Einstein", "Relativity_theory", "Albert_einstein"] == [
        t["title"] for t in body["titles"]
    ]


def test_redirect_views_as_csv(client: Client) -> None:
    rows = rows_of(
        client.get("/v1/redirects/en.wikipedia/Albert_Einstein", params={"from": "2023-10", "format": "csv"})
    )
    assert ["title", "redirect", "fragment", "views"] == rows[0]
    assert ["Relativity_theory", "true", "Relativity", "132"] == rows[3]


def test_language_views_count_the_page_in_every_language_by_views(client: Client) -> None:
    body = json_of(
        client.get("/v1/langviews/en.wikipedia/Python_(programming_language)", params={"from": "2023-10"})
    )
    top = [(row["lang"], row["project"], row["views"]) for row in body["languages"][:3]]
    assert [
        ("en", "en.wikipedia", 812345),
        ("de", "de.wikipedia", 251020),
        ("gsw", "als.wikipedia", 111),
    ] == top
    assert all(row["views"] == 0 for row in body["languages"][3:])
    assert 812345 + 251020 + 111 == body["total"]


def test_language_views_of_a_month_not_settled_leave_the_languages_without_data_unknown(
    client: Client, seeded: FakeWikimedia
) -> None:
    seeded.add_month("Python_(programming_language)", dt.date(2024, 1, 1), 5000)
    response = client.get(
        "/v1/langviews/en.wikipedia/Python_(programming_language)", params={"from": "2024-01"}
    )
    body = json_of(response)
    first, *others = body["languages"]
    assert (("en", 5000), 5000) == ((first["lang"], first["views"]), body["total"])
    assert {(None, "no_data")} == {(row["views"], row["problem"]["code"]) for row in others}
    assert "public, max-age=600" == response.headers["cache-control"]


def test_language_views_as_csv(client: Client) -> None:
    response = client.get(
        "/v1/langviews/en.wikipedia/Python_(programming_language)",
        headers={"accept": "text/csv"},
        params={"from": "2023-10"},
    )
    rows = rows_of(response)
    assert [
        ["lang", "project", "title", "views", "problem"],
        ["en", "en.wikipedia", "Python_(programming_language)", "812345", ""],
    ] == rows[:2]


def test_language_views_as_csv_give_a_language_without_views_its_problems_code(
    client: Client, seeded: FakeWikimedia
) -> None:
    seeded.add_month("Python_(programming_language)", dt.date(2024, 1, 1), 5000)
    rows = rows_of(
        client.get(
            "/v1/langviews/en.wikipedia/Python_(programming_language)",
            params={"from": "2024-01", "format": "csv"},
        )
    )
    assert ["en", "en.wikipedia", "Python_(programming_language)", "5000", ""] == rows[1]
    assert {("", "no_data")} == {(row[3], row[4]) for row in rows[2:]}


def test_language_views_of_a_missing_page_is_no_such_page(client: Client) -> None:
    assert_problem(
        client.get("/v1/langviews/en.wikipedia/Qwxz", params={"from": "2023-10"}), 404, "no_such_page"
    )


# -- when MediaWiki cannot be asked ------------------------------------------------------------------------------


@pytest.fixture
def down(wiki: FakeMediaWiki) -> FakeMediaWiki:
    wiki.down = True
    return wiki


def test_with_the_wiki_down_follow_counts_the_title_as_asked_and_says_so(
    client: Client, down: FakeMediaWiki
) -> None:
    response = client.get(f"{SERIES}/Einstein", params={"from": "2023-10", "redirects": "follow"})
    body = json_of(response)
    assert (8102, ["page_facts_unavailable"]) == (body["total"], [n["code"] for n in body["notices"]])
    assert "MediaWiki (en.wikipedia.org)" in body["notices"][0]["detail"]
    assert "public, max-age=0, must-revalidate" == response.headers["cache-control"]


def test_with_the_wiki_down_no_data_says_the_page_could_not_be_checked(
    client: Client, down: FakeMediaWiki
) -> None:
    problem = assert_problem(client.get(f"{MONTHLY}/Qwxz/2023/10"), 404, "no_data")
    assert "whether the page exists is not known" in problem["detail"]


@pytest.mark.parametrize("choice", ["follow", "include"])
def test_with_the_wiki_down_a_batch_asks_it_once_not_again_for_each_title(
    client: Client, down: FakeMediaWiki, choice: str
) -> None:
    titles = ["Einstein", "Relativity_theory", "Albert_Einstein", *(f"Quiet_{n}" for n in range(10))]
    body = json_of(
        client.post("/v1/pageviews/batch", json={"articles": titles, "from": "2023-10", "redirects": choice})
    )
    assert 13 == len(body["results"])
    assert 1 == len(down.requests)


def test_with_the_wiki_down_language_views_are_unavailable(client: Client, down: FakeMediaWiki) -> None:
    problem = assert_problem(
        client.get("/v1/langviews/en.wikipedia/Einstein", params={"from": "2023-10"}),
        503,
        "upstream_unavailable",
    )
    assert "MediaWiki" in problem["detail"]


ANSWERS_ON_PAGE_FACTS = {
    "series_follow": ("GET", f"{SERIES}/Einstein?from=2023-10&redirects=follow"),
    "monthly_include": ("GET", f"{MONTHLY}/Einstein/2023/10?redirects=include"),
    "batch_follow": ("POST", "/v1/pageviews/batch"),
    "redirects": ("GET", "/v1/redirects/en.wikipedia/Einstein?from=2023-10"),
    "langviews": ("GET", "/v1/langviews/en.wikipedia/Python_(programming_language)?from=2023-10"),
}


def ask(client: Client, method: str, url: str) -> tuple[httpx.Response, bool]:
    """The answer, and whether its body says it is stale (a batch says so in its one result)."""
    if method == "POST":
        body = {"articles": ["Einstein"], "from": "2023-10", "redirects": "follow"}
        response = client.post(url, json=body)
        return response, json_of(response)["results"][0]["series"]["stale"]
    response = client.get(url)
    return response, json_of(response)["stale"]


@pytest.mark.parametrize("answer", ANSWERS_ON_PAGE_FACTS)
def test_an_answer_resting_on_page_facts_kept_past_their_freshness_says_it_is_stale(
    client: Client, wiki: FakeMediaWiki, clock: FixedClock, answer: str
) -> None:
    method, url = ANSWERS_ON_PAGE_FACTS[answer]
    _, stale = ask(client, method, url)
    assert not stale
    clock.current = NOW + dt.timedelta(hours=2)  # past the page facts' hour, within their kept week
    wiki.down = True
    response, stale = ask(client, method, url)
    assert stale
    if method == "GET":
        assert ("public, max-age=0, must-revalidate", "stale") == (
            response.headers["cache-control"],
            response.headers["x-cache"],
        )


def test_with_the_wiki_down_a_batch_follows_the_titles_whose_facts_are_kept_and_counts_the_others_as_asked(
    client: Client, wiki: FakeMediaWiki, clock: FixedClock
) -> None:
    json_of(client.get(f"{SERIES}/Einstein", params={"from": "2023-10", "redirects": "follow"}))
    clock.current = NOW + dt.timedelta(hours=2)
    wiki.down = True
    asked_before = len(wiki.requests)
    body = json_of(
        client.post(
            "/v1/pageviews/batch",
            json={"articles": ["Einstein", "Relativity_theory"], "from": "2023-10", "redirects": "follow"},
        )
    )
    kept, unknown = (result["series"] for result in body["results"])
    assert (412345, "Albert_Einstein", True) == (kept["total"], kept["page"]["title"], kept["stale"])
    assert (132, "Relativity_theory", ["page_facts_unavailable"]) == (
        unknown["total"],
        unknown["article"],
        [notice["code"] for notice in unknown["notices"]],
    )
    assert 1 == len(wiki.requests) - asked_before


@pytest.fixture
def hung(seeded: FakeWikimedia) -> Iterator[Client]:
    """The service in front of a MediaWiki that never answers, waiting 0.2 s for page facts it can do without
    and 0.5 s (the upstream deadline) for those it cannot."""
    with hung_mediawiki() as template:
        settings = settings_from_env(
            PAGEVIEWS_MEDIAWIKI_URL=template,
            PAGEVIEWS_MEDIAWIKI_DEADLINE_SECONDS="0.2",
            PAGEVIEWS_UPSTREAM_DEADLINE="0.5",
            PAGEVIEWS_MEDIAWIKI_QUEUE_TIMEOUT="0.5",
            PAGEVIEWS_UPSTREAM_QUEUE_TIMEOUT="0.5",
        )
        with serve(container_for(seeded.transport(), settings=settings)) as client:
            yield client


@pytest.mark.parametrize("choice", ["follow", "include"])
def test_a_wiki_that_never_answers_is_done_without_once_the_page_facts_deadline_has_passed(
    hung: Client, choice: str
) -> None:
    body = json_of(hung.get(f"{SERIES}/Einstein", params={"from": "2023-10", "redirects": choice}))
    assert (8102, ["page_facts_unavailable"]) == (body["total"], [n["code"] for n in body["notices"]])
    assert body["notices"][0]["detail"].startswith(
        "MediaWiki (en.wikipedia.org) did not answer within 0.2 s:"
    )


@pytest.mark.parametrize("endpoint", ["redirects", "langviews"])
def test_a_wiki_that_never_answers_is_waited_for_up_to_the_upstream_deadline_where_it_is_needed(
    hung: Client, endpoint: str
) -> None:
    problem = assert_problem(
        hung.get(f"/v1/{endpoint}/en.wikipedia/Einstein", params={"from": "2023-10"}), 504, "upstream_timeout"
    )
    assert "MediaWiki did not answer within 0.5 s" == problem["detail"]


def test_a_lagged_wiki_asking_for_more_than_five_seconds_is_waited_for_and_asked_again(
    seeded: FakeWikimedia, wiki: FakeMediaWiki
) -> None:
    wiki.lagged, wiki.lag_retry_after = 1, 6
    sleep = FakeSleep()
    settings = settings_from_env(PAGEVIEWS_UPSTREAM_ATTEMPTS="3")
    container = container_for(seeded.transport(), settings=settings, mediawiki=wiki.transport())
    container.sleep.override(providers.Object(sleep))
    with serve(container) as client:
        body = json_of(client.get(f"{SERIES}/Einstein", params={"from": "2023-10", "redirects": "follow"}))
    assert ("Albert_Einstein", [6.0], 2) == (body["article"], sleep.waits, len(wiki.requests))


async def test_questions_to_mediawiki_are_asked_one_at_a_time(
    seeded: FakeWikimedia, wiki: FakeMediaWiki
) -> None:
    """Its etiquette: requests in series, never in parallel (PAGEVIEWS_MEDIAWIKI_CONCURRENCY, 1 by default).
    Two answers that need the wiki at once, to a wiki that takes a while: it never answers two at once."""
    wiki.latency = 0.1
    with wiki.serve() as template:
        settings = settings_from_env(PAGEVIEWS_MEDIAWIKI_URL=template)
        async with concurrent_client(
            build_app(container_for(seeded.transport(), settings=settings))
        ) as client:
            answers = await asyncio.gather(
                *(
                    client.get(f"{SERIES}/{title}", params={"from": "2023-10", "redirects": "follow"})
                    for title in ("Einstein", "Relativity_theory")
                )
            )
    assert [("Albert_Einstein", None), ("Albert_Einstein", None)] == [
        (answer.json()["article"], answer.json().get("notices")) for answer in answers
    ]
    assert (2, 1) == (len(wiki.requests), wiki.most_at_once)


def test_without_mediawiki_configured_follow_says_so(seeded: FakeWikimedia) -> None:
    with serve(container_for(seeded.transport(), settings=settings_from_env())) as client:
        body = json_of(client.get(f"{SERIES}/Einstein", params={"from": "2023-10", "redirects": "follow"}))
    assert "PAGEVIEWS_MEDIAWIKI_URL" in body["notices"][0]["detail"]


def test_mediawikis_breaker_is_a_gauge_of_its_own(client: Client) -> None:
    metrics = client.get("/metrics").text
    assert 'pageviews_upstream_circuit_open{upstream="mediawiki"} 0.0' in metrics
    assert 'pageviews_upstream_circuit_open{upstream="wikimedia"} 0.0' in metrics


# -- the document ------------------------------------------------------------------------------------------------


def test_every_operation_shows_an_example_answer(openapi: dict[str, Any]) -> None:
    for path, operations in openapi["paths"].items():
        for method, operation in operations.items():
            ok = operation["responses"].get("200", {}).get("content", {}).get("application/json")
            if ok is not None and path not in ("/health", "/ready", "/metrics", "/schema", "/apidocs"):
                assert "example" in ok or "examples" in ok, f"{method.upper()} {path}"


@pytest.mark.parametrize("path", ["/v1/pageviews/{project}/{article}", "/monthly_view_count/{path}"])
def test_the_redirects_choice_is_documented_with_an_example_of_each_answer(
    openapi: dict[str, Any], path: str
) -> None:
    operation = openapi["paths"][path]["get"]
    (redirects,) = [p for p in operation["parameters"] if p["name"] == "redirects"]
    assert ["exact", "follow", "include"] == redirects["schema"]["enum"]
    examples = operation["responses"]["200"]["content"]["application/json"]["examples"]
    assert "follow" in examples


def example_values(node: Any) -> Iterator[Any]:
    """Every example value in (a part of) the OpenAPI document: `example`, and each of `examples`."""
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "example":
                yield value
            elif key == "examples" and isinstance(value, dict):
                yield from (named["value"] for named in value.values() if "value" in named)
            elif key == "examples" and isinstance(value, list):
                yield from value
            else:
                yield from example_values(value)
    elif isinstance(node, list):
        for item in node:
            yield from example_values(item)


def objects_in(value: Any) -> Iterator[dict[str, Any]]:
    if isinstance(value, dict):
        yield value
        for inner in value.values():
            yield from objects_in(inner)
    elif isinstance(value, list):
        for inner in value:
            yield from objects_in(inner)


def known_views(rows: list[dict[str, Any]]) -> int | None:
    """The sum of the rows' views that are known (a null is left out of an example); None when the rows are
    not counts of views."""
    views = [row.get("views") for row in rows]
    if not any("views" in row for row in rows) or not all(isinstance(v, int | None) for v in views):
        return None
    return sum(v for v in views if isinstance(v, int))


def test_every_example_answer_adds_up(openapi: dict[str, Any]) -> None:
    """A total is the sum of what it totals: the items of a series, the languages of language views, the
    titles of redirect views and of an `include` answer's page (its total, or the month's views)."""
    checked: set[str] = set()
    wrong = []
    for example in example_values(openapi["paths"]):
        for answer in objects_in(example):
            for part in ("items", "languages", "titles"):
                rows = answer.get(part)
                if "total" in answer and isinstance(rows, list) and (summed := known_views(rows)) is not None:
                    checked.add(part)
                    if answer["total"] != summed:
                        wrong.append((part, answer))
            page = answer.get("page")
            if isinstance(page, dict) and "titles" in page:
                checked.add("page.titles")
                if answer.get("total", answer.get("views")) != known_views(page["titles"]):
                    wrong.append(("page.titles", answer))
    assert {"items", "languages", "titles", "page.titles"} <= checked
    assert [] == wrong


def test_the_original_endpoint_documents_an_include_answer(openapi: dict[str, Any]) -> None:
    operation = openapi["paths"]["/monthly_view_count/{path}"]["get"]
    include = operation["responses"]["200"]["content"]["application/json"]["examples"]["include"]["value"]
    assert "titles" in include["page"]


def test_the_batch_documents_following_and_including_redirects(openapi: dict[str, Any]) -> None:
    operation = openapi["paths"]["/v1/pageviews/batch"]["post"]
    asked = operation["requestBody"]["content"]["application/json"]["schema"]["examples"]
    assert {"follow", "include"} <= {example.get("redirects") for example in asked}
    answers = operation["responses"]["200"]["content"]["application/json"]["examples"]
    pages = {
        name: [result["series"]["page"] for result in answers[name]["value"]["results"]]
        for name in ("follow", "include")
    }
    assert "Einstein" == pages["follow"][0]["redirected_from"]
    assert all("titles" in page for page in pages["include"])


@pytest.mark.parametrize("path", ["/v1/redirects/{project}/{article}", "/v1/langviews/{project}/{article}"])
def test_the_new_endpoints_document_an_invalid_title_and_an_invalid_project(
    openapi: dict[str, Any], path: str
) -> None:
    examples = openapi["paths"][path]["get"]["responses"]["400"]["content"]["application/problem+json"]
    assert {"invalid_title", "invalid_project"} <= {e["value"]["code"] for e in examples["examples"].values()}


def test_the_new_answers_and_their_problems_are_documented(openapi: dict[str, Any]) -> None:
    for path in ("/v1/redirects/{project}/{article}", "/v1/langviews/{project}/{article}"):
        responses = openapi["paths"][path]["get"]["responses"]
        assert {"200", "400", "404", "502", "503", "504"} <= responses.keys()
        assert "text/csv" in responses["200"]["content"]


# -- what a wiki says of itself: its main page and namespaces -------------------------------------------------------


@pytest.fixture
def esperanto(seeded: FakeWikimedia, wiki: FakeMediaWiki) -> FakeMediaWiki:
    """eo.wikipedia, which the service's tables do not know: its main page and local namespace names come
    from its siteinfo only."""
    site = wiki.wiki("eo.wikipedia.org")
    site.main_page = "Vikipedio:Ĉefpaĝo"
    site.local_namespaces = {2: "Uzanto", 4: "Vikipedio", -1: "Speciala"}
    seeded.top[("eo.wikipedia", "all-access", "2023", "10")] = [
        {"article": title, "views": 1000 - rank, "rank": rank}
        for rank, title in enumerate(
            ["Vikipedio:Ĉefpaĝo", "Speciala:Serĉi", "Uzanto:Iu", "Esperanto"], start=1
        )
    ]
    return wiki


def test_non_articles_are_told_by_what_the_wiki_says_of_itself(
    client: Client, esperanto: FakeMediaWiki
) -> None:
    body = json_of(client.get("/v1/top/eo.wikipedia/2023-10", params={"exclude": "non-articles"}))
    assert [(4, "Esperanto")] == [(item["rank"], item["article"]) for item in body["items"]]
    assert [{"meta": "siteinfo"}] == [
        {"meta": params["meta"]} for params in esperanto.asked() if params.get("meta") == "siteinfo"
    ]


def test_with_the_wiki_down_non_articles_are_told_by_the_tables(
    client: Client, esperanto: FakeMediaWiki
) -> None:
    esperanto.down = True
    body = json_of(client.get("/v1/top/eo.wikipedia/2023-10", params={"exclude": "non-articles"}))
    assert ["Vikipedio:Ĉefpaĝo", "Speciala:Serĉi", "Uzanto:Iu", "Esperanto"] == [
        i["article"] for i in body["items"]
    ]
