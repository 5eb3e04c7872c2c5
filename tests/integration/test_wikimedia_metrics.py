"""The Wikimedia adapter of project totals and the other top lists: the shapes Wikimedia sends (unique devices'
8-character timestamps, a country's `views` as a bucket string, with or without `views_ceil`), and every other
answer turned into a domain error."""

from __future__ import annotations

import asyncio
import datetime as dt
import json

import pytest

from pageviews.adapters.outbound.upstream import UpstreamClient
from pageviews.adapters.outbound.wikimedia.metrics import WikimediaMetricsSource
from pageviews.containers import build_app
from pageviews.domain.countries import Country, CountryViews
from pageviews.domain.devices import AccessSite, DeviceCount, DevicesQuery
from pageviews.domain.errors import NoData, UpstreamError
from pageviews.domain.model import Access, Granularity, Month, Project
from pageviews.domain.siteviews import ALL_PROJECTS, SiteQuery
from tests.support.app import concurrent_client, container_for, one_attempt
from tests.support.fake_wikimedia import Canned, FakeWikimedia

WIKIPEDIA = Project("en.wikipedia")
OCTOBER = Month(2023, 10)


@pytest.fixture
def source(wikimedia_client: UpstreamClient) -> WikimediaMetricsSource:
    """The Wikimedia adapter of project totals, devices and country lists (the shared client, one attempt)."""
    return WikimediaMetricsSource(wikimedia_client, one_attempt())


async def test_unique_devices_have_eight_character_timestamps(
    source: WikimediaMetricsSource, fake: FakeWikimedia
) -> None:
    fake.devices[("en.wikipedia", "all-sites", "daily")][dt.date(2023, 10, 2)] = (60, 15)
    found = await source.unique_devices(
        DevicesQuery(WIKIPEDIA, AccessSite.ALL), Granularity.DAILY, dt.date(2023, 10, 1), dt.date(2023, 10, 3)
    )
    assert found.points == (DeviceCount(dt.date(2023, 10, 2), 75, 15, 60),)
    assert fake.raw_paths == [
        "/api/rest_v1/metrics/unique-devices/en.wikipedia/all-sites/daily/20231001/20231003"
    ]


async def test_a_pageviews_timestamp_in_a_devices_answer_is_an_upstream_error(
    source: WikimediaMetricsSource, fake: FakeWikimedia
) -> None:
    item = {
        "project": "en.wikipedia",
        "timestamp": "2023100200",
        "devices": 1,
        "offset": 0,
        "underestimate": 1,
    }
    fake.fail_next(Canned(200, json.dumps({"items": [item]}).encode()))
    with pytest.raises(UpstreamError):
        await source.unique_devices(
            DevicesQuery(WIKIPEDIA), Granularity.DAILY, dt.date(2023, 10, 1), dt.date(2023, 10, 3)
        )


async def test_the_aggregate_of_every_project_by_hour(
    source: WikimediaMetricsSource, fake: FakeWikimedia
) -> None:
    five = dt.datetime(2023, 10, 3, 5, tzinfo=dt.UTC)
    fake.site_hourly[("all-projects", "all-access", "user")][five] = 9
    found = await source.aggregate_hourly(
        SiteQuery(ALL_PROJECTS), five.replace(hour=0), five.replace(hour=23)
    )
    assert [(p.period, p.views) for p in found.points] == [(five, 9)]
    assert fake.raw_paths[0].endswith("/aggregate/all-projects/all-access/user/hourly/2023100300/2023100323")


async def test_countries_come_as_buckets_with_a_ceiling_only_where_given(
    source: WikimediaMetricsSource, fake: FakeWikimedia
) -> None:
    fake.by_country[("en.wikipedia", "all-access", "2023", "10")] = [
        {"country": "GB", "views": "100000-999999", "rank": 2},
        {"country": "US", "views": "1000000-9999999", "views_ceil": 2660000, "rank": 1},
    ]
    found = await source.top_by_country(WIKIPEDIA, Access.ALL, OCTOBER)
    assert found.entries == (
        CountryViews(1, "US", "1000000-9999999", 2660000),
        CountryViews(2, "GB", "100000-999999", None),
    )


async def test_a_list_of_another_day_is_an_upstream_error(
    source: WikimediaMetricsSource, fake: FakeWikimedia
) -> None:
    item = {
        "country": "FR",
        "access": "all-access",
        "year": "2023",
        "month": "10",
        "day": "06",
        "articles": [],
    }
    fake.fail_next(Canned(200, json.dumps({"items": [item]}).encode()))
    with pytest.raises(UpstreamError):
        await source.top_per_country(Country("FR"), Access.ALL, OCTOBER, 5)


async def test_no_list_is_no_data(source: WikimediaMetricsSource) -> None:
    with pytest.raises(NoData):
        await source.top_of_day(WIKIPEDIA, Access.ALL, dt.date(2023, 10, 5))


async def test_concurrent_identical_mirror_requests_ask_wikimedia_once(fake: FakeWikimedia) -> None:
    fake.add_day("AC/DC", dt.date(2023, 10, 2), 5)
    path = "/api/rest_v1/metrics/pageviews/per-article/en.wikipedia/all-access/user/AC%2FDC/daily/20231001/20231010"
    async with concurrent_client(build_app(container_for(fake.transport()))) as client:
        answers = await asyncio.gather(*(client.get(path) for _ in range(20)))
    assert ({200}, 1) == ({a.status_code for a in answers}, len(fake.requests))
