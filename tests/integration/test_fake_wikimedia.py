"""The fake Wikimedia answers what the real one answers (shared/upstream/wikimedia-api.md and mediawiki-api.md,
and the verbatim fixtures): the mirror and the adapters are only as right as the fake they are compared with."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import httpx
import pytest

from tests.support.fake_wikimedia import BASE_URL, FakeWikimedia, fixture

ARTICLE = "/metrics/pageviews/per-article/en.wikipedia/all-access/user"
AGGREGATE = "/metrics/pageviews/aggregate/uk.wikipedia/all-access/user"
DEVICES = "/metrics/unique-devices/en.wikipedia/all-sites"
DEVICES_NOT_FOUND = (
    "The date(s) you used are valid, but we either do not have data for those date(s), or the project you "
    "asked for is not loaded yet.  Please check documentation for more information."
)
"""device-analytics' own 404 (mediawiki-api.md section 2.5): two spaces before "Please", a final period."""


@pytest.fixture
def wikimedia(fake: FakeWikimedia) -> Iterator[httpx.Client]:
    """A client of the fake, as the service's own client would call it (with a User-Agent)."""
    with httpx.Client(
        transport=fake.transport(), base_url=BASE_URL, headers={"user-agent": "tests/1.0 (tests@example.org)"}
    ) as client:
        yield client


@pytest.mark.parametrize(
    ("path", "name"),
    [
        (f"{ARTICLE}/AC/DC/monthly/20240101/20240201", "aqs-404-invalid-route.json"),
        (f"{ARTICLE}/ChatGPT/monthly/20260815/20260901", "per-article-400-no-full-months.json"),
    ],
)
def test_an_error_the_fixtures_recorded_is_their_body_byte_for_byte(
    wikimedia: httpx.Client, path: str, name: str
) -> None:
    """Including the `uri`, which AQS 2 names from `/metrics/`, and the lower-case `invalid route`."""
    assert wikimedia.get(f"{BASE_URL}{path}").content == fixture(name).strip()


def test_no_data_is_the_404_of_the_fixture_with_the_path_asked(wikimedia: httpx.Client) -> None:
    path = f"{ARTICLE}/This_Article_Does_Not_Exist_xyz123/monthly/20221101/20260930"
    assert wikimedia.get(f"{BASE_URL}{path}").content == fixture("per-article-404-no-data.json").strip()


@pytest.mark.parametrize(
    ("tail", "detail"),
    [
        (f"{ARTICLE}/A/daily/20231001/20231099", "end timestamp is invalid, must be a valid date in YYYYMMDD format"),
        (f"{ARTICLE}/A/daily/2023100125/20231002", "start timestamp is invalid, must be a valid date in YYYYMMDD format"),
        (f"{AGGREGATE}/hourly/2023100100/2023100125", "end timestamp is invalid, must be a valid date in YYYYMMDDHH format"),
        (f"{DEVICES}/daily/20231001/2023-10-03", "end timestamp is invalid, must be a valid date in YYYYMMDD format"),
    ],
    ids=["end date", "hour 25 of a day", "hour 25 of an hourly range", "unique devices end"],
)  # fmt: skip
def test_an_invalid_timestamp_is_a_400_naming_which_one(
    wikimedia: httpx.Client, tail: str, detail: str
) -> None:
    response = wikimedia.get(f"{BASE_URL}{tail}")
    assert (response.status_code, response.json()["detail"]) == (400, detail)


def test_a_monthly_range_cut_inside_its_edge_months_sums_the_days_inside_it(
    fake: FakeWikimedia, wikimedia: httpx.Client
) -> None:
    """AQS 2 (wikimedia-api.md section 1.4): partial edge months are partial sums, whole months are whole."""
    for day in (dt.date(2023, 9, 10), dt.date(2023, 9, 20), dt.date(2023, 10, 2), dt.date(2023, 10, 9)):
        fake.add_day("Who?", day, day.day)
        fake.site_daily[("uk.wikipedia", "all-access", "user")][day] = 100 * day.day
    fake.add_day("Who?", dt.date(2023, 8, 31), 1000)
    fake.add_month("Who?", dt.date(2023, 8, 1), 5000)
    article = wikimedia.get(f"{BASE_URL}{ARTICLE}/Who%3F/monthly/20230831/20231003").json()["items"]
    site = wikimedia.get(f"{BASE_URL}{AGGREGATE}/monthly/2023091500/2023103100").json()["items"]
    assert [(i["timestamp"], i["views"]) for i in article] == [
        ("2023080100", 1000),
        ("2023090100", 30),
        ("2023100100", 2),
    ]
    assert [(i["timestamp"], i["views"]) for i in site] == [("2023090100", 2000), ("2023100100", 1100)]


@pytest.mark.parametrize(
    ("path", "status", "detail"),
    [
        (f"{DEVICES}/daily/20231001/20231003", 404, DEVICES_NOT_FOUND),
        (f"{DEVICES}/daily/20231001", 404, "Invalid route"),
        (f"{DEVICES}/hourly/20231001/20231003", 400, "Invalid granularity"),
    ],
)
def test_unique_devices_answer_with_the_device_analytics_services_texts(
    wikimedia: httpx.Client, path: str, status: int, detail: str
) -> None:
    response = wikimedia.get(f"{BASE_URL}{path}")
    assert (response.status_code, response.json()["detail"], response.json()["uri"]) == (status, detail, path)
