"""The HTTP API through Litestar's TestClient, wired like production except for a fixed clock and the fake
Wikimedia as upstream: what clients get for every kind of request, and what reaches Wikimedia."""

from __future__ import annotations

import datetime as dt
import inspect
import logging
import re
from collections.abc import Awaitable, Iterator
from html.parser import HTMLParser
from typing import Any

import httpx
import pytest
from dependency_injector import providers
from litestar.testing import AsyncTestClient, TestClient

from pageviews.adapters.outbound.upstream import UpstreamClient
from pageviews.containers import Container, build_app
from pageviews.domain.model import Access, Agent
from tests.support.app import USER_AGENT, container_for, decode_paths_once, serve, settings_from_env
from tests.support.fake_wikimedia import PREFIX, Canned, FakeWikimedia, fixture, ok, raising
from tests.support.fakes import FakePageviewsSource
from tests.support.http import PROBLEM_KEYS, assert_problem

Client = TestClient[Any]


def upstream_path(
    title: str,
    month: str = "20231001/20231031",
    project: str = "en.wikipedia",
    access: str = "all-access",
    agent: str = "user",
) -> str:
    return f"{PREFIX}per-article/{project}/{access}/{agent}/{title}/monthly/{month}"


@pytest.fixture(autouse=True)
def _paths_decoded_once(monkeypatch: pytest.MonkeyPatch) -> None:
    decode_paths_once(monkeypatch)


@pytest.fixture(autouse=True)
def seeded(fake: FakeWikimedia) -> None:
    fake.add_month("Albert_Einstein", dt.date(2023, 10, 1), 631058)


# -- the answer ------------------------------------------------------------------------------------------------


def test_the_answer_has_exactly_the_documented_shape(client: Client) -> None:
    response = client.get("/monthly_view_count/Albert_Einstein/2023/10")
    body = response.json()
    expected = {
        "project": "en.wikipedia",
        "article": "Albert_Einstein",
        "year": 2023,
        "month": 10,
        "access": "all-access",
        "agent": "user",
        "views": 631058,
        "complete": True,
    }
    assert (response.status_code, response.headers["content-type"]) == (200, "application/json")
    assert expected == {key: value for key, value in body.items() if key != "stale"}
    assert body.get("stale", False) is False


def test_views_is_an_integer_and_the_article_the_canonical_title(client: Client) -> None:
    body = client.get("/monthly_view_count/Albert%20Einstein/2023/10").json()
    assert ("Albert_Einstein", int) == (body["article"], type(body["views"]))


def test_one_month_asked_is_one_upstream_request_for_exactly_that_month(
    client: Client, fake: FakeWikimedia
) -> None:
    client.get("/monthly_view_count/Albert_Einstein/2023/10")
    assert [upstream_path("Albert_Einstein")] == fake.raw_paths


def test_the_upstream_is_asked_with_the_configured_user_agent(client: Client, fake: FakeWikimedia) -> None:
    client.get("/monthly_view_count/Albert_Einstein/2023/10")
    assert fake.requests[0].headers["user-agent"] == USER_AGENT


def test_the_current_month_is_answered_but_not_complete(fake: FakeWikimedia) -> None:
    fake.add_month("Albert_Einstein", dt.date(2024, 1, 1), 4000)
    with serve(container_for(fake.transport())) as client:
        body = client.get("/monthly_view_count/Albert_Einstein/2024/1").json()
    assert (body["views"], body["complete"]) == (4000, False)


@pytest.mark.parametrize(("settle_hours", "complete"), [("48", False), ("24", True)])
def test_a_recent_month_is_complete_only_after_the_configured_settle_period(
    settle_hours: str, complete: bool, fake: FakeWikimedia
) -> None:
    thirty_hours_after_october = dt.datetime(2023, 11, 2, 6, 0, tzinfo=dt.UTC)
    settings = settings_from_env(PAGEVIEWS_SETTLE_HOURS=settle_hours)
    with serve(container_for(fake.transport(), now=thirty_hours_after_october, settings=settings)) as client:
        body = client.get("/monthly_view_count/Albert_Einstein/2023/10").json()
    assert complete is body["complete"]


# -- titles ----------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("sent", "article", "encoded"),
    [
        ("AC/DC", "AC/DC", "AC%2FDC"),
        ("AC%2FDC", "AC/DC", "AC%2FDC"),
        ("AC%2fDC", "AC/DC", "AC%2FDC"),
        ("Fahrenheit 9/11", "Fahrenheit_9/11", "Fahrenheit_9%2F11"),
        ("Fahrenheit%209%2F11", "Fahrenheit_9/11", "Fahrenheit_9%2F11"),
        ("Who%3F", "Who?", "Who%3F"),
        ("100%25_pure", "100%_pure", "100%25_pure"),
        ("A&B", "A&B", "A%26B"),
        ("A%26B", "A&B", "A%26B"),
        ("C++", "C++", "C%2B%2B"),
        ("C%2B%2B", "C++", "C%2B%2B"),
        ("Zürich", "Zürich", "Z%C3%BCrich"),
        ("Z%C3%BCrich", "Zürich", "Z%C3%BCrich"),
        ("Albert%20Einstein", "Albert_Einstein", "Albert_Einstein"),
        ("Albert Einstein", "Albert_Einstein", "Albert_Einstein"),
        ("albert_Einstein", "Albert_Einstein", "Albert_Einstein"),
        ("2023", "2023", "2023"),
        (
            "Python_(programming_language)",
            "Python_(programming_language)",
            "Python_%28programming_language%29",
        ),
    ],
)
def test_a_title_is_normalised_and_sent_upstream_encoded_exactly_once(
    sent: str, article: str, encoded: str, fake: FakeWikimedia
) -> None:
    fake.add_month(article, dt.date(2023, 10, 1), 321)
    with serve(container_for(fake.transport())) as client:
        response = client.get(f"/monthly_view_count/{sent}/2023/10")
    expected = (200, article, 321, [upstream_path(encoded)])
    assert expected == (
        response.status_code,
        response.json()["article"],
        response.json()["views"],
        fake.raw_paths,
    )


def test_a_wiktionary_title_keeps_its_lower_case_first_letter(fake: FakeWikimedia) -> None:
    fake.add_month("hoy", dt.date(2023, 10, 1), 12, project="es.wiktionary")
    with serve(container_for(fake.transport())) as client:
        body = client.get("/monthly_view_count/hoy/2023/10?project=es.wiktionary").json()
    expected = ("hoy", [upstream_path("hoy", project="es.wiktionary")])
    assert expected == (body["article"], fake.raw_paths)


def test_on_wikipedia_the_same_title_gets_an_upper_case_first_letter(
    client: Client, fake: FakeWikimedia
) -> None:
    client.get("/monthly_view_count/hoy/2023/10")
    assert [upstream_path("Hoy")] == fake.raw_paths


@pytest.mark.parametrize(
    "sent",
    [
        "%20",
        "_",
        "%C2%A0",
        "%20_%20",
        "%2E",
        "%2E%2E",
        "..%2F",
        "Foo%2F..%2FBar",
        "..%2FFoo",
        "a%23b",
        "%23",
        "%3Cb%3E",
        "%5B%5Bx%5D%5D",
        "a%7Cb",
        "%7B%7D",
        "%00",
        "Foo%0ABar",
        "Foo%09Bar",
        "%7F",
        "%2541",
        "AC%252FDC",
        "A" * 256,
        "%E2%82%AC" * 86,
    ],
)
def test_an_invalid_title_is_refused_before_any_upstream_request(
    sent: str, client: Client, fake: FakeWikimedia
) -> None:
    assert_problem(client.get(f"/monthly_view_count/{sent}/2023/10"), 400, "invalid_title")
    assert not fake.requests


def test_the_longest_valid_title_is_accepted(client: Client, fake: FakeWikimedia) -> None:
    client.get(f"/monthly_view_count/{'A' * 255}/2023/10")
    assert [upstream_path("A" * 255)] == fake.raw_paths


# -- project, access, agent ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("sent", "project"),
    [
        ("EN.WIKIPEDIA.ORG", "en.wikipedia"),
        ("en.wikipedia.org", "en.wikipedia"),
        ("En.Wikipedia", "en.wikipedia"),
        ("www.mediawiki.org", "mediawiki"),
        ("de.wikipedia", "de.wikipedia"),
        ("commons.wikimedia", "commons.wikimedia"),
    ],
)
def test_a_project_is_normalised(sent: str, project: str, fake: FakeWikimedia) -> None:
    fake.add_month("Albert_Einstein", dt.date(2023, 10, 1), 5, project=project)
    with serve(container_for(fake.transport())) as client:
        body = client.get("/monthly_view_count/Albert_Einstein/2023/10", params={"project": sent}).json()
    assert (project, [upstream_path("Albert_Einstein", project=project)]) == (body["project"], fake.raw_paths)


@pytest.mark.parametrize(
    "query",
    [
        "project=..",
        "project=%2E%2E",
        "project=.",
        "project=en..wikipedia",
        "project=/",
        "project=en%2Fwikipedia",
        "project=en.wikipedia%2F..%2F..",
        "project=%25",
        "project=en%25wikipedia",
        "project=%23",
        "project=en.wikipedia%23top",
        "project=%3F",
        "project=en.wikipedia%3Fx%3D1",
        "project=en%20wikipedia",
        "project=en%09wikipedia",
        "project=",
    ],
)
def test_a_project_that_could_alter_the_upstream_url_is_refused_before_any_request(
    query: str, client: Client, fake: FakeWikimedia
) -> None:
    assert_problem(client.get(f"/monthly_view_count/Albert_Einstein/2023/10?{query}"), 400, "invalid_project")
    assert not fake.requests


def test_access_and_agent_default_to_all_access_and_user(client: Client, fake: FakeWikimedia) -> None:
    body = client.get("/monthly_view_count/Albert_Einstein/2023/10").json()
    assert (body["access"], body["agent"]) == ("all-access", "user")
    assert "/all-access/user/" in fake.raw_paths[0]


@pytest.mark.parametrize("access", [a.value for a in Access])
@pytest.mark.parametrize("agent", [a.value for a in Agent])
def test_every_access_and_agent_is_asked_upstream_and_echoed(access: str, agent: str) -> None:
    fake = FakeWikimedia()
    fake.add_month("Albert_Einstein", dt.date(2023, 10, 1), 77, access=access, agent=agent)
    with serve(container_for(fake.transport())) as client:
        response = client.get(
            "/monthly_view_count/Albert_Einstein/2023/10", params={"access": access, "agent": agent}
        )
    body = response.json()
    expected = (access, agent, 77, [upstream_path("Albert_Einstein", access=access, agent=agent)])
    assert expected == (body["access"], body["agent"], body["views"], fake.raw_paths)


def test_access_and_agent_values_are_case_insensitive(client: Client) -> None:
    body = client.get("/monthly_view_count/Albert_Einstein/2023/10?access=ALL-ACCESS&agent=User").json()
    assert (body["access"], body["agent"], body["views"]) == ("all-access", "user", 631058)


@pytest.mark.parametrize("access", ["bot", "mobile", "web", "all", ""])
def test_an_unknown_access_is_refused_before_any_upstream_request(
    access: str, client: Client, fake: FakeWikimedia
) -> None:
    response = client.get("/monthly_view_count/Albert_Einstein/2023/10", params={"access": access})
    assert_problem(response, 400, "invalid_access")
    assert not fake.requests


@pytest.mark.parametrize("agent", ["bot", "bots", "human", "all", ""])
def test_an_unknown_agent_is_refused_before_any_upstream_request(
    agent: str, client: Client, fake: FakeWikimedia
) -> None:
    response = client.get("/monthly_view_count/Albert_Einstein/2023/10", params={"agent": agent})
    assert_problem(response, 400, "invalid_agent")
    assert not fake.requests


# -- year and month --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("month", ["1", "01"])
def test_a_month_is_accepted_with_or_without_its_leading_zero(month: str, fake: FakeWikimedia) -> None:
    fake.add_month("Albert_Einstein", dt.date(2023, 1, 1), 11)
    with serve(container_for(fake.transport())) as client:
        body = client.get(f"/monthly_view_count/Albert_Einstein/2023/{month}").json()
    assert (1, 11, [upstream_path("Albert_Einstein", "20230101/20230131")]) == (
        body["month"],
        body["views"],
        fake.raw_paths,
    )


@pytest.mark.parametrize(
    ("month", "last_day"),
    [("2020/2", "20200201/20200229"), ("2023/02", "20230201/20230228"), ("2023/12", "20231201/20231231")],
)
def test_the_upstream_range_ends_on_the_months_last_day(
    month: str, last_day: str, client: Client, fake: FakeWikimedia
) -> None:
    client.get(f"/monthly_view_count/Albert_Einstein/{month}")
    assert [upstream_path("Albert_Einstein", last_day)] == fake.raw_paths


@pytest.mark.parametrize("month", ["13", "0", "00", "001", "1a", "-1", "%2B5", "%201", "Foobar", "1.0"])
def test_an_invalid_month_is_refused_before_any_upstream_request(
    month: str, client: Client, fake: FakeWikimedia
) -> None:
    assert_problem(client.get(f"/monthly_view_count/Albert_Einstein/2023/{month}"), 400, "invalid_month")
    assert not fake.requests


@pytest.mark.parametrize(
    "year", ["23", "202", "20233", "-2023", "0000", "Foobar", "%EF%BC%92%EF%BC%90%EF%BC%92%EF%BC%93"]
)
def test_an_invalid_year_is_refused_before_any_upstream_request(
    year: str, client: Client, fake: FakeWikimedia
) -> None:
    assert_problem(client.get(f"/monthly_view_count/Albert_Einstein/{year}/10"), 400, "invalid_year")
    assert not fake.requests


@pytest.mark.parametrize("path", ["2024/02", "2024/12", "2025/01", "3000/02"])
def test_a_future_month_is_refused_before_any_upstream_request(
    path: str, client: Client, fake: FakeWikimedia
) -> None:
    assert_problem(client.get(f"/monthly_view_count/Albert_Einstein/{path}"), 400, "future_month")
    assert not fake.requests


@pytest.mark.parametrize("path", ["2015/06", "2015/1", "2001/01", "1985/02"])
def test_a_month_before_july_2015_is_refused_saying_when_data_starts(
    path: str, client: Client, fake: FakeWikimedia
) -> None:
    body = assert_problem(client.get(f"/monthly_view_count/Albert_Einstein/{path}"), 400, "before_data_start")
    assert "July 2015" in body["detail"]
    assert not fake.requests


def test_july_2015_can_be_asked(fake: FakeWikimedia) -> None:
    fake.add_month("Albert_Einstein", dt.date(2015, 7, 1), 100)
    with serve(container_for(fake.transport())) as client:
        assert client.get("/monthly_view_count/Albert_Einstein/2015/07").status_code == 200


# -- what the upstream answered ----------------------------------------------------------------------------------


def test_no_data_upstream_is_a_404_saying_why_it_cannot_tell_zero_from_unknown_from_not_loaded(
    client: Client,
) -> None:
    body = assert_problem(client.get("/monthly_view_count/Nobody_knows_this/2023/10"), 404, "no_data")
    assert all(
        words in body["detail"] for words in ["zero views", "does not exist", "not loaded", "cannot tell"]
    )


@pytest.mark.parametrize("name", ["per-article-404-no-data.json", "legacy-aqs1-404-no-data.json"])
def test_either_shape_of_wikimedias_404_is_no_data(name: str, client: Client, fake: FakeWikimedia) -> None:
    fake.fail_next(Canned(404, fixture(name), {"content-type": "application/problem+json"}))
    assert_problem(client.get("/monthly_view_count/Albert_Einstein/2023/10"), 404, "no_data")


def october_item(timestamp: str, views: int = 1) -> dict[str, object]:
    return {
        "project": "en.wikipedia",
        "article": "Albert_Einstein",
        "granularity": "monthly",
        "timestamp": timestamp,
        "access": "all-access",
        "agent": "user",
        "views": views,
    }


@pytest.mark.parametrize(
    "canned",
    [
        Canned(
            500,
            b'{"title":"Error in Cassandra table storage backend"}',
            {"content-type": "application/problem+json"},
        ),
        Canned(502, b"<html>Bad Gateway</html>", {"content-type": "text/html"}),
        Canned(504, b"Gateway Timeout"),
        Canned(200, b"<html>not json</html>", {"content-type": "text/html"}),
        ok({"unexpected": "shape"}),
        ok({"items": [october_item("2023-10-01")]}),
        ok({"items": [october_item("2023110100", 951)]}),
        ok({"items": [october_item("2023090100", 922)]}),
        ok({"items": [october_item("2023100100"), october_item("2023110100")]}),
        Canned(404, b'{"detail":"Invalid route","status":404}', {"content-type": "application/problem+json"}),
        Canned(404, b"<html>Not Found</html>", {"content-type": "text/html"}),
        Canned(
            400, fixture("per-article-400-no-full-months.json"), {"content-type": "application/problem+json"}
        ),
        Canned(
            400,
            fixture("legacy-aqs1-400-invalid-timestamp.json"),
            {"content-type": "application/problem+json"},
        ),
    ],
    ids=[
        "500",
        "502",
        "504",
        "200 html",
        "200 wrong shape",
        "200 bad timestamp",
        "next month",
        "previous month",
        "two months",
        "404 invalid route",
        "404 html",
        "400",
        "400 legacy",
    ],
)
def test_an_unusable_upstream_answer_is_a_502(canned: Canned, client: Client, fake: FakeWikimedia) -> None:
    fake.fail_next(canned)
    assert_problem(client.get("/monthly_view_count/Albert_Einstein/2023/10"), 502, "upstream_error")


def test_another_months_count_is_never_returned_as_the_months(client: Client, fake: FakeWikimedia) -> None:
    fake.fail_next(ok({"items": [october_item("2023110100", 951)]}))
    response = client.get("/monthly_view_count/Albert_Einstein/2023/10")
    body = assert_problem(response, 502, "upstream_error")
    assert ("views" not in body, "951" in response.text) == (True, False)


@pytest.mark.parametrize(("retry_after", "expected"), [("120", "120"), ("7", "7"), (None, "5")])
def test_throttling_upstream_is_a_503_with_retry_after(
    retry_after: str | None, expected: str, client: Client, fake: FakeWikimedia
) -> None:
    headers = {"content-type": "text/plain; charset=utf-8"}
    if retry_after is not None:
        headers["retry-after"] = retry_after
    fake.fail_next(*[Canned(429, fixture("rate-limited-429.txt"), headers)] * 10)
    response = client.get("/monthly_view_count/Albert_Einstein/2023/10")
    assert_problem(response, 503, "upstream_throttled")
    assert expected == response.headers["retry-after"]


def test_an_unavailable_upstream_is_a_503_with_retry_after(client: Client, fake: FakeWikimedia) -> None:
    fake.fail_next(*[Canned(503, b"Service Unavailable", {"retry-after": "60"})] * 10)
    response = client.get("/monthly_view_count/Albert_Einstein/2023/10")
    assert_problem(response, 503, "upstream_unavailable")
    assert response.headers["retry-after"] == "60"


def test_an_unreachable_upstream_is_a_503_with_retry_after() -> None:
    transport = raising(lambda r: httpx.ConnectError("[Errno 111] Connection refused", request=r))
    with serve(container_for(transport)) as client:
        response = client.get("/monthly_view_count/Albert_Einstein/2023/10")
    assert_problem(response, 503, "upstream_unavailable")
    assert re.fullmatch(r"[1-9][0-9]*", response.headers["retry-after"])


def test_an_upstream_timeout_is_a_504() -> None:
    transport = raising(lambda r: httpx.ReadTimeout("timed out", request=r))
    with serve(container_for(transport)) as client:
        assert_problem(client.get("/monthly_view_count/Albert_Einstein/2023/10"), 504, "upstream_timeout")


def test_upstream_failures_do_not_leak_vendor_details(client: Client, fake: FakeWikimedia) -> None:
    fake.fail_next(Canned(200, b"<html>not json</html>", {"content-type": "text/html"}))
    text = client.get("/monthly_view_count/Albert_Einstein/2023/10").text
    assert not any(leak in text for leak in ["httpx", "msgspec", "Traceback", "wikimedia.test"])


# -- unexpected failures -------------------------------------------------------------------------------------------


SECRET = "secret-token-42 at /srv/app/internal.py"


@pytest.fixture
def broken_client() -> Iterator[Client]:
    source = FakePageviewsSource()
    source.error = RuntimeError(SECRET)
    container = container_for(FakeWikimedia().transport())
    container.source.override(providers.Object(source))
    with serve(container) as client:
        yield client


def test_an_unexpected_error_is_a_500_problem_without_internals(broken_client: Client) -> None:
    response = broken_client.get("/monthly_view_count/Albert_Einstein/2023/10")
    assert_problem(response, 500, "internal_error")
    assert not any(leak in response.text for leak in ["secret-token-42", "RuntimeError", "Traceback", ".py"])


def test_an_unexpected_error_is_logged_with_its_traceback(
    broken_client: Client, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.ERROR):
        broken_client.get("/monthly_view_count/Albert_Einstein/2023/10")
    logged = [r for r in caplog.records if r.exc_info and isinstance(r.exc_info[1], RuntimeError)]
    assert logged
    assert SECRET in caplog.text
    assert "Traceback" in caplog.text


# -- routing ----------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "path",
    [
        "/nope",
        "/index.html",
        "/monthly_view_count",
        "/monthly_view_count/",
        "/monthly_view_count/Foobar",
        "/monthly_view_count/Foobar/2023",
    ],
)
def test_an_unknown_route_is_a_404_problem(path: str, client: Client, fake: FakeWikimedia) -> None:
    assert_problem(client.get(path), 404, "not_found")
    assert not fake.requests


@pytest.mark.parametrize("method", ["POST", "PUT", "DELETE", "PATCH"])
@pytest.mark.parametrize("path", ["/monthly_view_count/Albert_Einstein/2023/10", "/health"])
def test_a_wrong_method_is_a_405_problem_saying_what_is_allowed(
    method: str, path: str, client: Client, fake: FakeWikimedia
) -> None:
    response = client.request(method, path)
    assert_problem(response, 405, "method_not_allowed")
    assert "GET" in response.headers["allow"]
    assert not fake.requests


# -- operations -------------------------------------------------------------------------------------------------------


def test_health_is_200_without_touching_the_upstream(client: Client, fake: FakeWikimedia) -> None:
    response = client.get("/health")
    assert (response.status_code, response.json()) == (200, {"status": "ok"})
    assert not fake.requests


def test_health_is_200_even_when_the_upstream_is_unreachable() -> None:
    unreachable = raising(lambda r: httpx.ConnectError("refused", request=r))
    with serve(container_for(unreachable)) as client:
        assert client.get("/health").status_code == 200


def test_ready_is_200_once_started(client: Client) -> None:
    assert client.get("/ready").status_code == 200


def test_ready_is_a_503_problem_before_the_application_has_started(fake: FakeWikimedia) -> None:
    not_started = TestClient(build_app(container_for(fake.transport())))
    response = not_started.get("/ready")
    assert_problem(response, 503, "not_ready")
    assert "retry-after" in response.headers


async def test_the_shared_upstream_client_is_closed_at_shutdown() -> None:
    container = Container()
    container.settings.override(
        providers.Object(settings_from_env(PAGEVIEWS_WIKIMEDIA_URL="http://127.0.0.1:9"))
    )
    async with AsyncTestClient(build_app(container)) as client:
        assert (await client.get("/ready")).status_code == 200
        # An async Resource hands out an awaitable, although its stubs say otherwise.
        resource: UpstreamClient | Awaitable[UpstreamClient] = container.wikimedia_client()
        upstream = await resource if inspect.isawaitable(resource) else resource
        assert not upstream.is_closed
    assert upstream.is_closed


# -- documentation ------------------------------------------------------------------------------------------------------


def monthly_operation(openapi: dict[str, Any]) -> dict[str, Any]:
    (path,) = [p for p in openapi["paths"] if p.startswith("/monthly_view_count/")]
    operation: dict[str, Any] = openapi["paths"][path]["get"]
    return operation


@pytest.mark.parametrize("status", ["400", "404", "500", "502", "503", "504"])
def test_the_monthly_endpoint_documents_each_error_status_as_a_problem(
    status: str, openapi: dict[str, Any]
) -> None:
    content = monthly_operation(openapi)["responses"][status]["content"]
    assert ["application/problem+json"] == list(content)
    problem = content["application/problem+json"]
    assert {"$ref": "#/components/schemas/Problem"} == problem["schema"]
    (example,) = problem["examples"].values()
    assert int(status) == example["value"]["status"]


def test_the_problem_schema_requires_every_problem_member(openapi: dict[str, Any]) -> None:
    schema = openapi["components"]["schemas"]["Problem"]
    assert set(schema["required"]) >= PROBLEM_KEYS


def test_the_documented_answer_has_every_key_with_views_an_integer(openapi: dict[str, Any]) -> None:
    ref = monthly_operation(openapi)["responses"]["200"]["content"]["application/json"]["schema"]["$ref"]
    schema = openapi["components"]["schemas"][ref.rsplit("/", 1)[1]]
    keys = {"project", "article", "year", "month", "access", "agent", "views", "complete"}
    assert keys <= set(schema["required"])
    assert schema["properties"]["views"]["type"] == "integer"


class _Assets(HTMLParser):
    """The URLs a page loads: script sources, stylesheets and icons."""

    def __init__(self) -> None:
        super().__init__()
        self.urls: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        url = found.get("src") if tag == "script" else found.get("href") if tag == "link" else None
        if url:
            self.urls.append(url)


def assets_of(client: Client, path: str) -> list[str]:
    response = client.get(path)
    assert (response.status_code, response.headers["content-type"].split(";")[0]) == (200, "text/html")
    parser = _Assets()
    parser.feed(response.text)
    return parser.urls


def test_the_docs_page_loads_no_asset_from_another_host(client: Client) -> None:
    urls = assets_of(client, "/schema")
    assert urls
    assert [u for u in urls if re.match(r"(?i)(https?:)?//", u)] == []


def test_every_asset_of_the_docs_page_is_served_by_the_service(client: Client) -> None:
    statuses = {url: client.get(url).status_code for url in assets_of(client, "/schema")}
    assert dict.fromkeys(statuses, 200) == statuses


def test_apidocs_leads_to_the_docs(client: Client) -> None:
    response = client.get("/apidocs", follow_redirects=False)
    assert response.status_code in {301, 302, 307, 308}
    assert response.headers["location"] == "/schema"
    assert client.get("/apidocs").status_code == 200


# -- the original service's test table, with our answers ----------------------------------------------------------


ORIGINAL_VIEWS = {
    ("Foobar", dt.date(2023, 11, 1)): 14510,
    ("Foobar", dt.date(2023, 2, 1)): 17887,
    ("Kubernetes", dt.date(2023, 11, 1)): 54066,
    ("2023", dt.date(2023, 11, 1)): 593627,
}


@pytest.fixture
def original_client() -> Iterator[Client]:
    fake = FakeWikimedia()
    for (title, month), views in ORIGINAL_VIEWS.items():
        fake.add_month(title, month, views)
    with serve(container_for(fake.transport())) as client:
        yield client


@pytest.mark.parametrize(
    ("path", "status", "expected"),
    [
        ("/", 200, "text/html; charset=utf-8"),  # the original's 404; the page for people since issue 13
        ("/health", 200, {"status": "ok"}),
        ("/monthly_view_count/Foobar/2023/11", 200, 14510),
        ("/monthly_view_count/Foobar/2023/02", 200, 17887),
        ("/monthly_view_count/Foobar/2023/2", 200, 17887),
        ("/monthly_view_count/Kubernetes/2023/11", 200, 54066),
        ("/monthly_view_count/Foobar/1985/02", 400, "before_data_start"),
        ("/monthly_view_count/Foobar", 404, "not_found"),
        ("/monthly_view_count/Foobar/2023", 404, "not_found"),
        ("/monthly_view_count/Foobar/3000/02", 400, "future_month"),
        ("/monthly_view_count/Foobar/2023/13", 400, "invalid_month"),
        ("/monthly_view_count/Foobar/2023/0", 400, "invalid_month"),
        ("/monthly_view_count/Foobar/Foobar/Foobar", 400, "invalid_year"),
        ("/monthly_view_count/2023/2023/11", 200, 593627),
        ("/monthly_view_count/Foobar/2023/Foobar", 400, "invalid_month"),
        ("/monthly_view_count/Foobar/Foobar/11", 400, "invalid_year"),
        ("/monthly_view_count/Foobar/2023/11/11", 400, "invalid_year"),
    ],
    ids=[f"#{n}" for n in range(1, 18)],
)
def test_the_original_services_test_table(
    path: str, status: int, expected: object, original_client: Client
) -> None:
    response = original_client.get(path)
    if status == 200 and isinstance(expected, str):
        assert (200, expected) == (response.status_code, response.headers["content-type"])
    elif status == 200 and isinstance(expected, int):
        assert (200, expected) == (response.status_code, response.json()["views"])
    elif status == 200:
        assert (200, expected) == (response.status_code, response.json())
    else:
        assert_problem(response, status, str(expected))
