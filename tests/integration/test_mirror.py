"""The mirror of Wikimedia's API over Litestar's TestClient: Wikimedia's grammar, bodies and errors, refused
input never asked upstream, and answers from the service's caches with its HTTP caching headers."""

from __future__ import annotations

import datetime as dt
import json
from urllib.parse import quote

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from litestar import Litestar
from litestar.testing import TestClient

from tests.support.fake_wikimedia import FIXTURES, FakeWikimedia

BASE = "/api/rest_v1/metrics/pageviews"
ARTICLE = f"{BASE}/per-article/en.wikipedia/all-access/user"
NOT_FOUND = json.loads((FIXTURES / "per-article-404-no-data.json").read_bytes())["detail"]


@pytest.fixture(autouse=True)
def seeded(fake: FakeWikimedia) -> None:
    for day in (2, 5):
        fake.add_day("AC/DC", dt.date(2023, 10, day), day * 10)
    fake.add_day("Albert_Einstein", dt.date(2023, 10, 3), 0)  # an explicit zero is kept as Wikimedia has it
    for month in (10, 11, 12):
        fake.add_month("AC/DC", dt.date(2023, month, 1), month * 100)
    fake.site_daily[("uk.wikipedia", "all-access", "user")][dt.date(2023, 10, 2)] = 7


def wikimedia_problem(response: object, status: int, detail: str, uri: str) -> None:
    assert (status, "application/problem+json") == (
        response.status_code,  # type: ignore[attr-defined]
        response.headers["content-type"],  # type: ignore[attr-defined]
    )
    expected = {"detail": detail, "method": "get", "status": status, "type": "about:blank", "uri": uri}
    body = response.json()  # type: ignore[attr-defined]
    assert (expected, list(body)) == (
        {k: body[k] for k in expected},
        ["detail", "method", "status", "title", "type", "uri"],
    )


def test_a_daily_range_is_what_wikimedia_reports_without_zero_filling(client: TestClient[Litestar]) -> None:
    response = client.get(f"{ARTICLE}/AC%2FDC/daily/2023100100/2023103100")
    assert response.status_code == 200
    assert response.json() == {
        "items": [
            {
                "project": "en.wikipedia",
                "article": "AC/DC",
                "granularity": "daily",
                "timestamp": f"202310{day:02d}00",
                "access": "all-access",
                "agent": "user",
                "views": day * 10,
            }
            for day in (2, 5)
        ]
    }
    assert response.headers["cache-control"] == "public, max-age=2592000"
    assert "etag" in response.headers


def test_the_title_is_echoed_as_sent_not_normalised(
    client: TestClient[Litestar], fake: FakeWikimedia
) -> None:
    fake.add_day("ac/dc", dt.date(2023, 10, 2), 1)
    response = client.get(f"{ARTICLE}/ac%2Fdc/daily/20231001/20231010")
    assert [i["article"] for i in response.json()["items"]] == ["ac/dc"]
    assert fake.raw_paths[-1].endswith("/ac%2Fdc/daily/20231001/20231031")


def test_an_explicit_zero_is_kept(client: TestClient[Litestar]) -> None:
    response = client.get(f"{ARTICLE}/Albert_Einstein/daily/20231001/20231010")
    assert [i["views"] for i in response.json()["items"]] == [0]


def test_months_asked_once_are_answered_from_the_cache(
    client: TestClient[Litestar], fake: FakeWikimedia
) -> None:
    first = client.get(f"{ARTICLE}/AC%2FDC/monthly/20231001/20231231")
    second = client.get(f"{ARTICLE}/AC%2FDC/monthly/20231101/20231130")
    assert [i["views"] for i in first.json()["items"]] == [1000, 1100, 1200]
    assert [i["views"] for i in second.json()["items"]] == [1100]
    assert len(fake.requests) == 1


def test_a_monthly_range_inside_a_month_is_wikimedias_400(
    client: TestClient[Litestar], fake: FakeWikimedia
) -> None:
    path = f"{ARTICLE}/AC%2FDC/monthly/20231015/20231110"
    wikimedia_problem(
        client.get(path), 400, "no full months between dates", path.removeprefix("/api/rest_v1")
    )
    assert fake.requests == []


@pytest.mark.parametrize(
    ("tail", "detail"),
    [
        ("daily/20231301/20231310", "start timestamp is invalid, must be a valid date in YYYYMMDD format"),
        ("daily/20231001/2023-10-31", "end timestamp is invalid, must be a valid date in YYYYMMDD format"),
        ("daily/20231010/20231001", "start timestamp should be before the end timestamp"),
        (
            "hourly/20231001/20231010",
            "granularity should be equal to one of the allowed values: [daily, monthly]",
        ),
    ],
)
def test_input_wikimedia_refuses_is_its_400_and_never_asked(
    client: TestClient[Litestar], fake: FakeWikimedia, tail: str, detail: str
) -> None:
    path = f"{ARTICLE}/AC%2FDC/{tail}"
    wikimedia_problem(client.get(path), 400, detail, path.removeprefix("/api/rest_v1"))
    assert fake.requests == []


def test_a_raw_slash_in_a_title_is_wikimedias_invalid_route(
    client: TestClient[Litestar], fake: FakeWikimedia
) -> None:
    path = f"{ARTICLE}/AC/DC/monthly/20240101/20240201"
    expected = json.loads((FIXTURES / "aqs-404-invalid-route.json").read_bytes())
    assert client.get(path).json() == expected
    assert fake.requests == []


def test_a_missing_article_is_wikimedias_404(client: TestClient[Litestar]) -> None:
    path = f"{ARTICLE}/No_such_article/daily/20231001/20231010"
    wikimedia_problem(client.get(path), 404, NOT_FOUND, path.removeprefix("/api/rest_v1"))


def test_a_range_before_any_data_is_a_404_without_asking(
    client: TestClient[Litestar], fake: FakeWikimedia
) -> None:
    path = f"{ARTICLE}/AC%2FDC/daily/20100101/20101231"
    wikimedia_problem(client.get(path), 404, NOT_FOUND, path.removeprefix("/api/rest_v1"))
    assert fake.requests == []


def test_query_strings_are_ignored_as_wikimedia_ignores_them(client: TestClient[Litestar]) -> None:
    assert client.get(f"{ARTICLE}/AC%2FDC/daily/20231001/20231010?cachebust=1").status_code == 200


def test_an_unknown_path_under_the_mirror_is_wikimedias_invalid_route(client: TestClient[Litestar]) -> None:
    wikimedia_problem(
        client.get(f"{BASE}/per-editor/x"), 404, "invalid route", "/metrics/pageviews/per-editor/x"
    )


def test_the_aggregate_matches_the_verbatim_fixture_shape(client: TestClient[Litestar]) -> None:
    response = client.get(f"{BASE}/aggregate/uk.wikipedia.org/all-access/user/daily/2023100100/2023100300")
    fixture_item = json.loads((FIXTURES / "aqs-aggregate-monthly.json").read_bytes())["items"][0]
    (item,) = response.json()["items"]
    assert (list(fixture_item), item["project"], item["timestamp"]) == (
        list(item),
        "uk.wikipedia",
        "2023100200",
    )


def test_an_upstream_failure_keeps_wikimedias_shape_with_the_services_status(
    client: TestClient[Litestar], fake: FakeWikimedia
) -> None:
    from tests.support.fake_wikimedia import Canned

    fake.fail_next(Canned(503, b"down", {"retry-after": "7"}))
    response = client.get(f"{ARTICLE}/AC%2FDC/daily/20231001/20231010")
    assert (response.status_code, response.headers["retry-after"], response.json()["type"]) == (
        503,
        "7",
        "about:blank",
    )


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    st.text(st.characters(exclude_categories=["Cs"], exclude_characters="\ufffd"), min_size=1, max_size=40)
)
def test_any_title_is_asked_upstream_encoded_exactly_once(
    client: TestClient[Litestar], fake: FakeWikimedia, title: str
) -> None:
    """Whatever a client's title, percent-encoded once with nothing safe (what mwviews and pageviewapi send):
    Wikimedia is asked for that title, its spaces as underscores, encoded once; nothing is normalised."""
    if title.strip(" ") == "" or title in {".", ".."}:
        return  # an empty segment: Wikimedia's invalid route; a dot segment: HTTP clients remove it (RFC 3986)
    response = client.get(f"{ARTICLE}/{quote(title, safe='')}/daily/20231001/20231010")
    expected = f"/{quote(title.replace(' ', '_'), safe='')}/daily/20231001/20231031"
    assert response.status_code == 404
    assert any(path.endswith(expected) for path in fake.raw_paths)
