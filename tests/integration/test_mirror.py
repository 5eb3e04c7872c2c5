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

from tests.support.app import container_for, serve, settings_from_env
from tests.support.fake_wikimedia import FIXTURES, Canned, FakeWikimedia

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


def _seed_cut_months(fake: FakeWikimedia) -> None:
    """Days of September and October 2023 with whole-month totals that differ from any partial sum."""
    site = ("en.wikipedia", "all-access", "user")
    for day in (dt.date(2023, 9, 10), dt.date(2023, 9, 20), dt.date(2023, 10, 2), dt.date(2023, 10, 9)):
        fake.add_day("Who?", day, day.day)
        fake.site_daily[site][day] = 100 * day.day
    for month, total in ((9, 3000), (10, 4000)):
        fake.add_month("Who?", dt.date(2023, month, 1), total)
        fake.site_monthly[site][dt.date(2023, month, 1)] = 100 * total


@pytest.mark.parametrize(
    ("path", "views"),
    [
        (f"{ARTICLE}/Who%3F/monthly/20230901/20231003", [3000, 2]),
        (f"{ARTICLE}/Who%3F/monthly/20230915/20231031", [20, 4000]),
        (f"{BASE}/aggregate/en.wikipedia/all-access/user/monthly/2023090100/2023100300", [300000, 200]),
        (f"{BASE}/aggregate/en.wikipedia/all-access/user/monthly/2023091500/2023103100", [2000, 400000]),
    ],
    ids=["per-article ends inside a month", "per-article starts inside a month", "aggregate ends", "aggregate starts"],
)  # fmt: skip
def test_a_monthly_range_cut_inside_a_month_sums_only_its_days_there_as_wikimedia_does(
    client: TestClient[Litestar], fake: FakeWikimedia, path: str, views: list[int]
) -> None:
    """AQS 2 answers a cut edge month with the sum of the days inside the range (wikimedia-api.md section 1.4),
    not the whole month's total nor nothing; the mirror asks Wikimedia for that range as it is."""
    _seed_cut_months(fake)
    response = client.get(path)
    assert [(i["timestamp"], i["views"]) for i in response.json()["items"]] == [
        ("2023090100", views[0]),
        ("2023100100", views[1]),
    ]


def test_a_monthly_range_cut_inside_a_month_is_asked_as_it_is_once_and_then_kept(
    client: TestClient[Litestar], fake: FakeWikimedia
) -> None:
    _seed_cut_months(fake)
    path = f"{ARTICLE}/Who%3F/monthly/20230901/20231003"
    answers = [client.get(path).json() for _ in range(2)]
    assert (answers[0], fake.raw_paths) == (answers[1], [path])


@pytest.mark.parametrize(
    ("tail", "cache_control"),
    [
        ("AC%2FDC/monthly/20231201/20240110", "public, max-age=2592000"),
        ("AC%2FDC/monthly/20231201/20240113", "public, max-age=600"),
        ("AC%2FDC/daily/20231001/99991231", "public, max-age=600"),
    ],
    ids=["ends on a settled day", "ends on a day not settled", "ends in year 9999"],
)
def test_a_range_is_final_once_its_last_day_has_settled(
    client: TestClient[Litestar], fake: FakeWikimedia, tail: str, cache_control: str
) -> None:
    """A month the range cuts is the sum of its days in the range: final once the last of them has settled
    (the clock is 2024-01-15 12:00 UTC, and a day settles 48 hours after it ends)."""
    fake.add_day("AC/DC", dt.date(2024, 1, 9), 9)
    response = client.get(f"{ARTICLE}/{tail}")
    assert (response.status_code, response.headers["cache-control"]) == (200, cache_control)


@pytest.mark.parametrize(
    ("last", "cache_control"),
    [("2024011311", "public, max-age=2592000"), ("2024011312", "public, max-age=600")],
)
def test_an_hourly_range_is_final_once_its_last_hour_has_settled(
    client: TestClient[Litestar], fake: FakeWikimedia, last: str, cache_control: str
) -> None:
    """The hour from 11:00 ends at 12:00 and settles 48 hours later, at the clock's 2024-01-15 12:00."""
    fake.site_hourly[("en.wikipedia", "all-access", "user")][dt.datetime(2024, 1, 13, 5, tzinfo=dt.UTC)] = 9
    response = client.get(f"{BASE}/aggregate/en.wikipedia/all-access/user/hourly/2024011300/{last}")
    assert (response.status_code, response.headers["cache-control"]) == (200, cache_control)


def test_an_answer_for_a_month_not_asked_is_a_502_and_is_never_kept(
    client: TestClient[Litestar], fake: FakeWikimedia
) -> None:
    item = {"project": "en.wikipedia", "article": "Who?", "granularity": "monthly", "access": "all-access"}
    wrong = {"items": [{**item, "agent": "user", "timestamp": "2023110100", "views": 5}]}
    fake.fail_next(Canned(200, json.dumps(wrong).encode(), {"content-type": "application/json"}))
    _seed_cut_months(fake)
    path = f"{ARTICLE}/Who%3F/monthly/20230901/20231003"
    first, second = client.get(path), client.get(path)
    assert (first.status_code, second.status_code, len(fake.requests)) == (502, 200, 2)


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


DEVICES = "/api/rest_v1/metrics/unique-devices/en.wikipedia/all-sites"


@pytest.mark.parametrize(
    ("path", "status", "detail"),
    [
        (
            f"{DEVICES}/daily/20231001/20231003",
            404,
            "The date(s) you used are valid, but we either do not have data for those date(s), or the project "
            "you asked for is not loaded yet.  Please check documentation for more information.",
        ),
        (f"{DEVICES}/daily/20231001", 404, "Invalid route"),
        (f"{DEVICES}/hourly/20231001/20231003", 400, "Invalid granularity"),
        (f"{DEVICES}/daily/20231001/2023-10-03", 400, "end timestamp is invalid, must be a valid date in YYYYMMDD format"),
    ],
    ids=["no data", "a segment missing", "granularity", "end timestamp"],
)  # fmt: skip
def test_unique_devices_errors_are_in_the_device_analytics_services_own_words(
    client: TestClient[Litestar], path: str, status: int, detail: str
) -> None:
    """Unique devices are another Wikimedia service (device-analytics), whose texts differ from pageviews'
    (mediawiki-api.md section 2.5): two spaces before "Please" and a final period, a capital `Invalid route`."""
    wikimedia_problem(client.get(path), status, detail, path.removeprefix("/api/rest_v1"))


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


@pytest.mark.parametrize(
    ("tail", "status", "content_type"),
    [
        ("AC%2FDC/daily/20231001/20231010", 200, "application/json; charset=utf-8"),
        ("AC%2FDC/daily/20231301/20231310", 400, "application/problem+json"),
        ("AC/DC/daily/20231001/20231010", 404, "application/problem+json"),
        ("No_such_article/daily/20231001/20231010", 404, "application/problem+json"),
    ],
    ids=["data", "bad input", "invalid route", "no data"],
)
def test_every_answer_is_wikimedias_content_type_and_readable_from_any_origin(
    client: TestClient[Litestar], tail: str, status: int, content_type: str
) -> None:
    """As Wikimedia answers (wikimedia-api.md section 4.3): a page in a browser uses the mirror as it uses
    Wikimedia, by changing only the host."""
    response = client.get(f"{ARTICLE}/{tail}", headers={"Origin": "https://tool.example"})
    assert (response.status_code, response.headers["content-type"]) == (status, content_type)
    assert response.headers["access-control-allow-origin"] == "*"


def test_answers_replayed_or_not_modified_are_readable_from_any_origin_too(
    client: TestClient[Litestar],
) -> None:
    path = f"{ARTICLE}/AC%2FDC/daily/20231001/20231010"
    first = client.get(path)
    replayed = client.get(path)
    not_modified = client.get(path, headers={"If-None-Match": first.headers["etag"]})
    assert [r.headers["access-control-allow-origin"] for r in (replayed, not_modified)] == ["*", "*"]
    assert (replayed.headers["age"], not_modified.status_code) == ("0", 304)


def test_an_answer_of_another_layer_is_readable_from_any_origin_too(client: TestClient[Litestar]) -> None:
    """A wrong method is refused by routing, before any mirror handler runs."""
    response = client.post(f"{ARTICLE}/AC%2FDC/daily/20231001/20231010")
    assert (response.status_code, response.headers["access-control-allow-origin"]) == (405, "*")


def test_the_services_own_cors_setting_still_governs_everything_but_the_mirror(fake: FakeWikimedia) -> None:
    settings = settings_from_env(PAGEVIEWS_CORS_ORIGINS="https://app.example")
    elsewhere = {"Origin": "https://elsewhere.example"}
    with serve(container_for(fake.transport(), settings=settings)) as client:
        v1 = client.get(
            "/v1/pageviews/en.wikipedia/AC%2FDC?from=2023-10&granularity=daily", headers=elsewhere
        )
        mirrored = client.get(f"{ARTICLE}/AC%2FDC/daily/20231001/20231010", headers=elsewhere)
        app = client.get(
            f"{ARTICLE}/AC%2FDC/daily/20231001/20231010", headers={"Origin": "https://app.example"}
        )
    assert (v1.status_code, v1.headers.get("access-control-allow-origin")) == (200, None)
    assert [mirrored.headers["access-control-allow-origin"], app.headers["access-control-allow-origin"]] == [
        "*",
        "https://app.example",
    ]


def test_no_data_may_be_kept_as_briefly_as_the_service_keeps_it(client: TestClient[Litestar]) -> None:
    """The service keeps "no data" 5 minutes (PAGEVIEWS_CACHE_NO_DATA_TTL_SECONDS): it may mean "not loaded
    yet". Wikimedia was seen sending `s-maxage=600` with its 404s."""
    response = client.get(f"{ARTICLE}/No_such_article/daily/20231001/20231010")
    assert (response.status_code, response.headers["cache-control"]) == (404, "public, max-age=300")


@pytest.mark.parametrize(
    ("path", "item_keys", "entry_keys"),
    [
        (
            f"{ARTICLE}/AC%2FDC/daily/20231001/20231010",
            ["project", "article", "granularity", "timestamp", "access", "agent", "views"],
            None,
        ),
        (
            f"{BASE}/top/en.wikipedia/all-access/2023/10/all-days",
            ["project", "access", "year", "month", "day", "articles"],
            ["article", "views", "rank"],
        ),
        (
            f"{BASE}/top-by-country/en.wikipedia/all-access/2023/10",
            ["project", "access", "year", "month", "countries"],
            ["country", "views", "views_ceil", "rank"],
        ),
        (
            f"{BASE}/top-per-country/FR/all-access/2023/10/05",
            ["country", "access", "year", "month", "day", "articles"],
            ["article", "project", "views_ceil", "rank"],
        ),
        (
            "/api/rest_v1/metrics/unique-devices/en.wikipedia/all-sites/daily/20231001/20231003",
            ["project", "access-site", "granularity", "timestamp", "devices", "offset", "underestimate"],
            None,
        ),
    ],
    ids=["per-article", "top", "top-by-country", "top-per-country", "unique-devices"],
)
def test_every_body_has_wikimedias_keys_in_wikimedias_order(
    client: TestClient[Litestar],
    fake: FakeWikimedia,
    path: str,
    item_keys: list[str],
    entry_keys: list[str] | None,
) -> None:
    """The orders of the verbatim fixtures and of the reference (wikimedia-api.md 3.1 and 3.7, mediawiki-api.md
    2.2 to 2.4); a client that reads a body as text, or compares bodies, sees Wikimedia's."""
    fake.top[("en.wikipedia", "all-access", "2023", "10")] = [{"article": "A", "views": 1, "rank": 1}]
    country = {"country": "US", "views": "100-999", "views_ceil": 500, "rank": 1}
    fake.by_country[("en.wikipedia", "all-access", "2023", "10")] = [country]
    paris = {"article": "Paris", "project": "fr.wikipedia", "views_ceil": 500, "rank": 1}
    fake.per_country[("FR", "all-access", "2023", "10", "05")] = [paris]
    fake.devices[("en.wikipedia", "all-sites", "daily")][dt.date(2023, 10, 2)] = (6, 1)
    (item,) = client.get(path).json()["items"][:1]
    entries: list[dict[str, object]] = next(
        (item[key] for key in ("articles", "countries") if key in item), []
    )
    assert (list(item), [list(entry) for entry in entries]) == (item_keys, [entry_keys] if entry_keys else [])


def test_a_country_without_a_ceiling_has_no_views_ceil_key(
    client: TestClient[Litestar], fake: FakeWikimedia
) -> None:
    """Wikimedia's oldest lists by country have no `views_ceil` (its AQS 1 code passes them through)."""
    country = {"country": "GB", "views": "100-999", "rank": 2}
    fake.by_country[("en.wikipedia", "all-access", "2023", "10")] = [country]
    body = client.get(f"{BASE}/top-by-country/en.wikipedia/all-access/2023/10").json()
    assert body["items"][0]["countries"] == [country]


def test_an_upstream_failure_keeps_wikimedias_shape_with_the_services_status(
    client: TestClient[Litestar], fake: FakeWikimedia
) -> None:
    fake.fail_next(Canned(503, b"down", {"retry-after": "7"}))
    response = client.get(f"{ARTICLE}/AC%2FDC/daily/20231001/20231010")
    assert (response.status_code, response.headers["retry-after"], response.json()["type"]) == (
        503,
        "7",
        "about:blank",
    )


HOURLY = f"{BASE}/aggregate/en.wikipedia/all-access/user/hourly/2023100300/2023100323"
_SITE = {"project": "en.wikipedia", "access": "all-access", "agent": "user"}
_DAY = {"project": "en.wikipedia", "article": "AC/DC", "access": "all-access", "agent": "user"}
_MONTH = {"year": "2023", "month": "10"}
WRONG_ANSWERS = {
    "an hour not asked": (
        HOURLY,
        [{**_SITE, "granularity": "hourly", "timestamp": "2023100400", "views": 1}],
    ),
    "a negative hour": (HOURLY, [{**_SITE, "granularity": "hourly", "timestamp": "2023100305", "views": -1}]),
    "a negative day": (
        f"{ARTICLE}/AC%2FDC/daily/20231001/20231010",
        [{**_DAY, "granularity": "daily", "timestamp": "2023100200", "views": -1}],
    ),
    "a negative month of a cut range": (
        f"{ARTICLE}/Who%3F/monthly/20230901/20231003",
        [{**_DAY, "article": "Who?", "granularity": "monthly", "timestamp": "2023090100", "views": -1}],
    ),
    "a negative top list count": (
        f"{BASE}/top/en.wikipedia/all-access/2023/10/all-days",
        [{**_SITE, **_MONTH, "day": "all-days", "articles": [{"article": "A", "views": -1, "rank": 1}]}],
    ),
    "a negative device offset": (
        "/api/rest_v1/metrics/unique-devices/en.wikipedia/all-sites/daily/20231001/20231003",
        [
            {
                "project": "en.wikipedia",
                "access-site": "all-sites",
                "granularity": "daily",
                "timestamp": "20231002",
                "devices": 5,
                "offset": -1,
                "underestimate": 6,
            }
        ],
    ),
    "a negative ceiling by country": (
        f"{BASE}/top-by-country/en.wikipedia/all-access/2023/10",
        [
            {
                **_SITE,
                **_MONTH,
                "countries": [{"country": "US", "views": "100-999", "views_ceil": -5, "rank": 1}],
            }
        ],
    ),
    "a negative ceiling per country": (
        f"{BASE}/top-per-country/FR/all-access/2023/10/05",
        [
            {
                "country": "FR",
                "access": "all-access",
                **_MONTH,
                "day": "05",
                "articles": [{"article": "Paris", "project": "fr.wikipedia", "views_ceil": -5, "rank": 1}],
            }
        ],
    ),
}


@pytest.mark.parametrize(("path", "items"), WRONG_ANSWERS.values(), ids=WRONG_ANSWERS.keys())
def test_a_wrong_answer_is_a_502_and_never_kept_so_the_next_request_asks_again(
    client: TestClient[Litestar], fake: FakeWikimedia, path: str, items: list[dict[str, object]]
) -> None:
    """Every answer is checked before it is kept (hours as the blocks are): one for a period not asked, or with
    a negative count, is an upstream error, and is never served from the cache afterwards."""
    _seed_cut_months(fake)
    fake.site_hourly[("en.wikipedia", "all-access", "user")][dt.datetime(2023, 10, 3, 5, tzinfo=dt.UTC)] = 9
    fake.top[("en.wikipedia", "all-access", "2023", "10")] = [{"article": "A", "views": 1, "rank": 1}]
    fake.devices[("en.wikipedia", "all-sites", "daily")][dt.date(2023, 10, 2)] = (6, 1)
    country = {"country": "US", "views": "100-999", "views_ceil": 500, "rank": 1}
    fake.by_country[("en.wikipedia", "all-access", "2023", "10")] = [country]
    paris = {"article": "Paris", "project": "fr.wikipedia", "views_ceil": 500, "rank": 1}
    fake.per_country[("FR", "all-access", "2023", "10", "05")] = [paris]
    fake.fail_next(Canned(200, json.dumps({"items": items}).encode(), {"content-type": "application/json"}))
    first, second = client.get(path), client.get(path)
    assert (first.status_code, first.json()["type"], second.status_code, len(fake.requests)) == (
        502,
        "about:blank",
        200,
        2,
    )


_HEX = st.sampled_from("0123456789ABCDEFabcdef")
TITLES = st.lists(
    st.one_of(
        st.text(
            st.characters(exclude_categories=["Cs"], exclude_characters="\ufffd"), min_size=1, max_size=8
        ),
        st.tuples(_HEX, _HEX).map(lambda digits: "%" + "".join(digits)),
    ),
    min_size=1,
    max_size=6,
).map("".join)
"""Any text, often with `%XX` in it (`%41`, `100%25`, `50%2F50`), which reads differently decoded twice."""


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(TITLES)
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
