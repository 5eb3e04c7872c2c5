"""Unique devices: how many distinct devices visited a project in a day or a month. Wikimedia estimates them
from a cookie (`underestimate`) plus an `offset` for the devices seen once without it; `devices` is their sum.
Counts are per site (desktop or mobile), never summed over periods."""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Sequence

import msgspec

from pageviews.domain.errors import BeforeDataStart, InvalidSite, NoData, UpstreamError
from pageviews.domain.freshness import Freshness
from pageviews.domain.model import Project
from pageviews.domain.series import PeriodRange

DEVICES_START = dt.date(2016, 1, 1)
"""Wikimedia's unique devices data starts in January 2016."""


class AccessSite(enum.StrEnum):
    ALL = "all-sites"
    DESKTOP = "desktop-site"
    MOBILE = "mobile-site"

    @classmethod
    def parse(cls, raw: str) -> AccessSite:
        try:
            return cls(raw.strip().lower())
        except ValueError:
            allowed = ", ".join(s.value for s in cls)
            raise InvalidSite(f"site must be one of {allowed}; got {raw!r}") from None


class DevicesQuery(msgspec.Struct, frozen=True):
    project: Project
    site: AccessSite = AccessSite.ALL


class DeviceCount(msgspec.Struct, frozen=True, gc=False):
    """The devices of the day or month that starts on `period`."""

    period: dt.date
    devices: int
    offset: int = 0
    underestimate: int = 0


class DeviceCounts(msgspec.Struct, frozen=True):
    """What a source returned for a range: the periods it has."""

    points: tuple[DeviceCount, ...]
    stale: bool = False


class DeviceItem(msgspec.Struct, frozen=True, gc=False):
    period: dt.date
    devices: int
    offset: int
    underestimate: int
    complete: bool


class UniqueDevices(msgspec.Struct, frozen=True):
    query: DevicesQuery
    periods: PeriodRange
    items: tuple[DeviceItem, ...]
    stale: bool = False
    complete: bool = False


def check_devices_range(periods: PeriodRange) -> None:
    if periods.first < DEVICES_START:
        raise BeforeDataStart(
            f"{periods.label(periods.first)} is before {periods.label(DEVICES_START)}: Wikimedia's unique "
            "devices data starts in January 2016"
        )


def build_device_items(
    periods: PeriodRange, points: Sequence[DeviceCount], now: dt.datetime, freshness: Freshness
) -> tuple[DeviceItem, ...]:
    """The zero-fill rule of series, for devices: a settled period Wikimedia did not report had none, an
    unsettled one is left out until it is reported; a point for a period not asked is an upstream error."""
    found: dict[dt.date, DeviceCount] = {}
    for point in points:
        if not periods.starts_a_period(point.period) or point.period in found:
            raise UpstreamError(
                f"asked for {periods.label(periods.first)}..{periods.label(periods.last)}, the upstream "
                f"answered for {periods.label(point.period)}"
            )
        found[point.period] = point
    if not found:
        raise NoData()
    settled = freshness.last_settled_start(periods.granularity, now)
    items = []
    for start in periods.starts():
        reported = found.get(start)
        if reported is None and start > settled:
            continue
        count = reported if reported is not None else DeviceCount(start, 0)
        items.append(DeviceItem(start, count.devices, count.offset, count.underestimate, start <= settled))
    return tuple(items)
