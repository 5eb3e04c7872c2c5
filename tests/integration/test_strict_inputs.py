"""Whatever a client sends, it gets an answer or an RFC 9457 problem that says what was wrong, and nothing it
got wrong reaches Wikimedia: unknown parameters, numbers that are not plain integers, unacceptable media types,
bodies that are not JSON, too deep, too large or not UTF-8. Metric labels stay bounded and `Vary` is merged."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from typing import Any

import pytest
from litestar import Litestar
from litestar.testing import TestClient

from tests.support.app import container_for, serve, settings_from_env
from tests.support.fake_mediawiki import FakeMediaWiki
from tests.support.fake_wikimedia import FakeWikimedia
from tests.support.http import assert_problem, json_of

Client = TestClient[Litestar]
SERIES = "/v1/pageviews/en.wikipedia/Albert_Einstein"
TOP = "/v1/top/en.wikipedia/2023-12"
MONTHLY = "/monthly_view_count/Albert_Einstein/2023/10"
BATCH = "/v1/pageviews/batch"


@pytest.fixture(autouse=True)
def seeded(fake: FakeWikimedia) -> None:
    fake.add_month("Albert_Einstein", dt.date(2023, 10, 1), 5)
    fake.top[("en.wikipedia", "all-access", "2023", "12")] = [{"article": "Main_Page", "views": 9, "rank": 1}]
    fake.site_daily[("en.wikipedia", "all-access", "user")][dt.date(2023, 10, 3)] = 7
    fake.devices[("en.wikipedia", "all-sites", "monthly")][dt.date(2023, 10, 1)] = (10, 2)
    fake.by_country[("en.wikipedia", "all-access", "2023", "10")] = [
        {"country": "US", "views": "1000-9999", "views_ceil": 5000, "rank": 1}
    ]
    fake.per_country[("FR", "all-access", "2023", "10", "05")] = [
        {"article": "Paris", "project": "fr.wikipedia", "views_ceil": 5000, "rank": 1}
    ]


# -- query parameters ------------------------------------------------------------------------------------------


def test_a_misspelt_parameter_is_named_with_the_one_it_resembles(client: Client, fake: FakeWikimedia) -> None:
    body = assert_problem(
        client.get(SERIES, params={"from": "2023-10", "agnet": "spider"}), 400, "invalid_parameter"
    )
    assert ("`agnet`" in body["detail"], "did you mean `agent`?" in body["detail"], fake.requests) == (
        True,
        True,
        [],
    )


def test_a_parameter_the_endpoint_does_not_take_is_refused(client: Client) -> None:
    """Top lists count human traffic only: an `agent` there would be silently ignored."""
    body = assert_problem(client.get(TOP, params={"agent": "spider"}), 400, "invalid_parameter")
    assert "`agent`" in body["detail"]


def test_the_original_endpoint_refuses_unknown_parameters_too(client: Client) -> None:
    response = client.get("/monthly_view_count/Albert_Einstein/2023/10", params={"projekt": "de.wikipedia"})
    assert "did you mean `project`?" in assert_problem(response, 400, "invalid_parameter")["detail"]


def test_a_parameter_given_twice_is_refused(client: Client) -> None:
    response = client.get(f"{SERIES}?from=2023-10&from=2023-11")
    assert "`from`" in assert_problem(response, 400, "invalid_parameter")["detail"]


def test_operational_endpoints_take_no_parameters(client: Client) -> None:
    assert_problem(client.get("/health", params={"verbose": "1"}), 400, "invalid_parameter")


@pytest.mark.parametrize("limit", ["1e3", "1.0", "+5", "010", " 10", "0x10", "\u0661\u0660", "-0"])
def test_a_limit_is_a_plain_integer(limit: str, client: Client, fake: FakeWikimedia) -> None:
    assert_problem(client.get(TOP, params={"limit": limit}), 400, "invalid_request")
    assert fake.requests == []


def test_a_plain_integer_limit_is_taken(client: Client) -> None:
    assert len(json_of(client.get(TOP, params={"limit": "1000"}))["items"]) == 1


# -- representations -------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("accept", "expected"),
    [
        ("text/csv", "text/csv; charset=utf-8"),
        ("application/json", "application/json"),
        ("*/*", "application/json"),
        ("text/csv;q=0.9, application/json;q=0.5", "text/csv; charset=utf-8"),
        ("application/json;q=0, text/*", "text/csv; charset=utf-8"),
        ("text/csv;q=0, */*", "application/json"),
    ],
)
def test_accept_chooses_by_its_q_values(accept: str, expected: str, client: Client) -> None:
    response = client.get(SERIES, params={"from": "2023-10"}, headers={"accept": accept})
    assert (response.status_code, response.headers["content-type"]) == (200, expected)


@pytest.mark.parametrize("accept", ["text/csv;q=0", "application/xml", "text/csv;q=0, application/json;q=0"])
def test_nothing_acceptable_is_a_406_problem_before_anything_is_asked(
    accept: str, client: Client, fake: FakeWikimedia
) -> None:
    response = client.get(SERIES, params={"from": "2023-10"}, headers={"accept": accept})
    assert_problem(response, 406, "not_acceptable")
    assert fake.requests == []


@pytest.mark.parametrize(
    "accept",
    [
        "text/csv;q=abc",
        "text/csv;q=",
        "text/csv;q=-1",
        "text/csv;q=1.5",
        "application/json;q=0.9, text/csv;Q=2",
    ],
)
def test_a_q_value_that_is_not_a_weight_is_a_400_problem_before_anything_is_asked(
    accept: str, client: Client, fake: FakeWikimedia
) -> None:
    """Read as "most wanted", it could choose what the client ranked lowest."""
    response = client.get(SERIES, params={"from": "2023-10"}, headers={"accept": accept})
    assert "q-value" in assert_problem(response, 400, "invalid_request")["detail"]
    assert fake.requests == []


@pytest.mark.parametrize(
    ("accept", "expected"),
    [
        ("text/csv;q=1.000, application/json;q=0.999", "text/csv; charset=utf-8"),
        ("application/json;Q=0.001, text/csv; q=0.002", "text/csv; charset=utf-8"),
        ("text/csv;q=0., application/json;q=1.", "application/json"),
    ],
)
def test_every_q_value_of_the_grammar_is_read(accept: str, expected: str, client: Client) -> None:
    response = client.get(SERIES, params={"from": "2023-10"}, headers={"accept": accept})
    assert (response.status_code, response.headers["content-type"]) == (200, expected)


def test_a_malformed_accept_header_is_a_400_problem(client: Client) -> None:
    response = client.get(SERIES, params={"from": "2023-10"}, headers={"accept": "not a media range"})
    assert_problem(response, 400, "invalid_request")


@pytest.mark.parametrize(
    ("format", "expected"), [("csv", "text/csv; charset=utf-8"), ("json", "application/json")]
)
def test_format_wins_over_accept(format: str, expected: str, client: Client) -> None:
    """A link or a spreadsheet's "import from URL" cannot send a header."""
    response = client.get(
        SERIES, params={"from": "2023-10", "format": format}, headers={"accept": "text/html"}
    )
    assert (response.status_code, response.headers["content-type"]) == (200, expected)


DATA_ENDPOINTS = [
    f"{SERIES}?from=2023-10",
    TOP,
    MONTHLY,
    "/v1/siteviews/en.wikipedia?from=2023-10-02&to=2023-10-04&granularity=daily",
    "/v1/unique-devices/en.wikipedia?from=2023-10",
    "/v1/top-by-country/en.wikipedia/2023-10",
    "/v1/top-per-country/FR/2023-10-05",
]
"""Every GET that answers data and needs only Wikimedia: each takes `?format=` as well as `Accept`."""


PAGE_ENDPOINTS = [
    "/v1/langviews/en.wikipedia/Albert_Einstein?from=2023-10",
    "/v1/redirects/en.wikipedia/Albert_Einstein?from=2023-10",
]
"""The data endpoints that ask the wiki too."""


@pytest.fixture
def wiki_client(fake: FakeWikimedia) -> Iterator[Client]:
    wiki = FakeMediaWiki()
    wiki.add_page("Albert_Einstein")
    with serve(container_for(fake.transport(), mediawiki=wiki.transport())) as client:
        yield client


def assert_format_is_accept(client: Client, url: str, format: str, accept: str) -> None:
    by_format = client.get(f"{url}{'&' if '?' in url else '?'}format={format}")
    by_accept = client.get(url, headers={"accept": accept})
    assert (200, by_accept.headers["content-type"], by_accept.content) == (
        by_format.status_code,
        by_format.headers["content-type"],
        by_format.content,
    )
    assert by_format.headers["content-type"].startswith(accept)


FORMATS = pytest.mark.parametrize(("format", "accept"), [("csv", "text/csv"), ("json", "application/json")])


@pytest.mark.parametrize("url", DATA_ENDPOINTS)
@FORMATS
def test_the_answer_asked_by_format_is_the_answer_asked_by_accept(
    url: str, format: str, accept: str, client: Client
) -> None:
    assert_format_is_accept(client, url, format, accept)


@pytest.mark.parametrize("url", PAGE_ENDPOINTS)
@FORMATS
def test_the_page_endpoints_take_format_as_well_as_accept(
    url: str, format: str, accept: str, wiki_client: Client
) -> None:
    assert_format_is_accept(wiki_client, url, format, accept)


def test_every_data_endpoint_of_the_api_is_held_to_format_equals_accept(openapi: dict[str, Any]) -> None:
    """A new endpoint cannot be left out of the lists above: every operation of the service's own API that
    offers CSV is one of them (the mirror answers JSON only, as Wikimedia does)."""
    offering_csv = {
        path
        for path, operations in openapi["paths"].items()
        for operation in operations.values()
        if "text/csv" in operation["responses"]["200"].get("content", {})
    }
    urls = [*DATA_ENDPOINTS, *PAGE_ENDPOINTS, BATCH]
    untested = {
        path
        for path in offering_csv
        if not any(
            re.fullmatch(re.sub(r"\\{[^}]+\\}", "[^?]+", re.escape(path)), url.split("?")[0]) for url in urls
        )
    }
    assert (untested, "/v1/pageviews/batch" in offering_csv) == (set(), True)


BATCH_BODY = {"articles": ["Albert_Einstein", "Bad|Title"], "from": "2023-10"}


@FORMATS
def test_the_batch_takes_format_as_well_as_accept(format: str, accept: str, client: Client) -> None:
    by_format = client.post(BATCH, params={"format": format}, json=BATCH_BODY)
    by_accept = client.post(BATCH, json=BATCH_BODY, headers={"accept": accept})
    assert (200, by_accept.headers["content-type"], by_accept.content) == (
        by_format.status_code,
        by_format.headers["content-type"],
        by_format.content,
    )
    assert by_format.headers["content-type"].startswith(accept)


def test_the_batch_as_csv_is_a_row_per_article_and_period_and_a_row_per_failed_article(
    client: Client,
) -> None:
    """Asked twice: the second answer is made from the kept, encoded results, and must read the same."""
    answers = [client.post(BATCH, params={"format": "csv"}, json=BATCH_BODY).text for _ in range(2)]
    assert (
        answers
        == ["article,period,views,problem\r\nAlbert_Einstein,2023-10,5,\r\nBad|Title,,,invalid_title\r\n"] * 2
    )


def test_a_batch_nothing_acceptable_can_answer_is_a_406_before_anything_is_asked(
    client: Client, fake: FakeWikimedia
) -> None:
    response = client.post(BATCH, json=BATCH_BODY, headers={"accept": "application/json;q=0"})
    assert_problem(response, 406, "not_acceptable")
    assert fake.requests == []


def test_the_original_endpoints_csv_is_the_series_csv_of_that_month(client: Client) -> None:
    assert (
        client.get(f"{SERIES}?from=2023-10&format=csv").content == client.get(f"{MONTHLY}?format=csv").content
    )


def test_an_unknown_format_is_an_invalid_parameter(client: Client) -> None:
    assert_problem(client.get(SERIES, params={"from": "2023-10", "format": "xml"}), 400, "invalid_parameter")


# -- bodies ----------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "body",
    [
        b"[" * 20_000 + b"]" * 20_000,
        b'{"articles": ["\xff\xfe"], "from": "2023-10"}',
        b"",
        b"not json",
        b'{"articles": "Albert_Einstein", "from": "2023-10"}',
        b'{"articles": ["Albert_Einstein"], "from": 202310}',
        b"null",
    ],
    ids=[
        "nested-20000-deep",
        "not-utf-8",
        "empty",
        "not-json",
        "articles-not-a-list",
        "from-not-a-string",
        "null",
    ],
)
def test_a_body_that_is_not_a_batch_is_a_400_problem(
    body: bytes, client: Client, fake: FakeWikimedia
) -> None:
    response = client.post(BATCH, content=body, headers={"content-type": "application/json"})
    assert_problem(response, 400, "invalid_request")
    assert fake.requests == []


@pytest.mark.parametrize(
    "body",
    [
        b'{"articles": ["Albert_Einstein"], "from": "2023-10", "from": "2015-07"}',
        b'{"articles": ["Albert_Einstein"], "from": "2023-10", "options": {"a": 1, "a": 2}}',
    ],
    ids=["top-level", "nested"],
)
def test_a_body_that_names_a_member_twice_is_a_400_problem(
    body: bytes, client: Client, fake: FakeWikimedia
) -> None:
    """Parsers disagree on which of the two wins: the service does not guess."""
    response = client.post(BATCH, content=body, headers={"content-type": "application/json"})
    assert "twice" in assert_problem(response, 400, "invalid_request")["detail"]
    assert fake.requests == []


def test_a_body_larger_than_a_batch_takes_is_a_413_problem(client: Client) -> None:
    body = b'{"articles": ["' + b"A" * 70_000 + b'"], "from": "2023-10"}'
    response = client.post(BATCH, content=body, headers={"content-type": "application/json"})
    assert_problem(response, 413, "body_too_large")


# -- metrics and headers ---------------------------------------------------------------------------------------


def test_invented_methods_share_one_metric_label(client: Client) -> None:
    for n in range(20):
        client.request(f"BREW{n}", "/health")
    metrics = client.get("/metrics").text
    methods = set(re.findall(r'pageviews_http_requests_total\{method="([^"]+)"', metrics))
    assert methods == {"other"}


def test_unmatched_routes_share_one_metric_label(client: Client) -> None:
    for n in range(20):
        client.get(f"/nothing-{n}")
    routes = set(re.findall(r'route="([^"]+)"', client.get("/metrics").text))
    assert routes == {"unmatched"}


def test_vary_is_merged_with_cors_not_replaced(fake: FakeWikimedia) -> None:
    settings = settings_from_env(PAGEVIEWS_CORS_ORIGINS="https://app.example")
    with serve(container_for(fake.transport(), settings=settings)) as client:
        responses = [
            client.get(SERIES, params={"from": "2023-10"}, headers={"origin": "https://app.example"})
            for _ in range(2)  # the second is a replay from the response cache
        ]
    assert [r.headers.get_list("vary") for r in responses] == [["Accept, Origin"]] * 2


@pytest.mark.parametrize(
    "origin", [None, "https://elsewhere.example"], ids=["without-origin", "origin-not-allowed"]
)
def test_with_cors_on_every_cacheable_answer_varies_on_origin(
    origin: str | None, fake: FakeWikimedia
) -> None:
    """Made without CORS's headers, it must not be handed by a shared cache to an allowed origin's request."""
    settings = settings_from_env(PAGEVIEWS_CORS_ORIGINS="https://app.example")
    headers = {} if origin is None else {"origin": origin}
    with serve(container_for(fake.transport(), settings=settings)) as client:
        responses = [
            client.get(SERIES, params={"from": "2023-10"}, headers=headers)
            for _ in range(2)  # the second is a replay from the response cache
        ]
    assert [
        (r.headers["cache-control"], r.headers.get_list("vary"), "age" in r.headers) for r in responses
    ] == [
        ("public, max-age=2592000", ["Accept, Origin"], False),
        ("public, max-age=2592000", ["Accept, Origin"], True),
    ]
