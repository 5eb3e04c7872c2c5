"""Zero-filling of a project's hours and of unique devices: the rule of article series."""

from __future__ import annotations

import datetime as dt

import pytest

from pageviews.domain.devices import DeviceCount, build_device_items
from pageviews.domain.errors import NoData, UpstreamError
from pageviews.domain.freshness import Freshness
from pageviews.domain.model import Granularity
from pageviews.domain.series import PeriodRange
from pageviews.domain.siteviews import HourlyPoint, HourRange, build_hourly_items, checked_hours

NOW = dt.datetime(2024, 1, 15, 12, tzinfo=dt.UTC)
FRESHNESS = Freshness(dt.timedelta(hours=48))


def hour(day: int, h: int) -> dt.datetime:
    return dt.datetime(2024, 1, day, h, tzinfo=dt.UTC)


def test_settled_hours_wikimedia_left_out_are_zero_and_unsettled_ones_are_left_out() -> None:
    hours = HourRange(hour(13, 10), hour(13, 13))  # 12:00 on the 13th settles at 13:00 on the 15th
    items = build_hourly_items(hours, {"": {hour(13, 12): 5}}, NOW, FRESHNESS)
    assert [(i.period.hour, i.views, i.complete) for i in items] == [
        (10, 0, True),
        (11, 0, True),
        (12, 5, False),
    ]


def test_no_hour_at_all_is_no_data() -> None:
    with pytest.raises(NoData):
        build_hourly_items(HourRange(hour(1, 0), hour(1, 3)), {"": {}}, NOW, FRESHNESS)


def test_an_hour_not_asked_is_an_upstream_error() -> None:
    with pytest.raises(UpstreamError):
        checked_hours(HourRange(hour(1, 0), hour(1, 3)), (HourlyPoint(hour(1, 5), 1),))


def test_an_hourly_range_of_days_stops_at_the_current_hour() -> None:
    days = PeriodRange(Granularity.DAILY, dt.date(2024, 1, 14), dt.date(2024, 1, 15))
    assert HourRange.of_days(days, NOW).count() == 24 + 13


def test_settled_days_without_devices_are_zero() -> None:
    days = PeriodRange(Granularity.DAILY, dt.date(2024, 1, 11), dt.date(2024, 1, 14))
    items = build_device_items(days, [DeviceCount(dt.date(2024, 1, 11), 12, 2, 10)], NOW, FRESHNESS)
    assert [(i.period.day, i.devices, i.complete) for i in items] == [(11, 12, True), (12, 0, True)]
