"""Views of a whole project (or of every project, `all-projects`) per month, day or hour: the same range,
completeness and zero-fill rules as an article's series (`series.py`), hours included."""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Mapping
from functools import partial

import msgspec

from pageviews.domain.errors import InvalidGranularity, InvalidRange, NoData, UpstreamError
from pageviews.domain.freshness import Freshness
from pageviews.domain.model import ALL_PROJECTS_NAME, Access, Agent, Granularity, Project, checked_count
from pageviews.domain.series import Breakdown, PeriodRange, SeriesItem

ALL_PROJECTS = Project(ALL_PROJECTS_NAME)
"""Every Wikimedia project together, which the aggregate views (and only they) can be asked about."""

HOUR = dt.timedelta(hours=1)
MAX_HOURLY_DAYS = 92
"""An hourly range covers at most a quarter of a year (2208 hours)."""


def end_of_hour(start: dt.datetime) -> dt.datetime:
    """The instant the hour that starts at `start` ends: with `Granularity.end_of` (days and months), the
    domain's one end of a period."""
    return start + HOUR


class SiteGranularity(enum.StrEnum):
    HOURLY = "hourly"
    DAILY = "daily"
    MONTHLY = "monthly"

    @classmethod
    def parse(cls, raw: str) -> SiteGranularity:
        try:
            return cls(raw.strip().lower())
        except ValueError:
            raise InvalidGranularity(f"granularity must be monthly, daily or hourly; got {raw!r}") from None

    @property
    def periods(self) -> Granularity:
        """The granularity of the range's days or months (an hourly range is given in days)."""
        return Granularity.MONTHLY if self is SiteGranularity.MONTHLY else Granularity.DAILY


class SiteQuery(msgspec.Struct, frozen=True):
    """Which views of a project: everything that changes the answer except the period."""

    project: Project
    access: Access = Access.ALL
    agent: Agent = Agent.USER


class HourlyPoint(msgspec.Struct, frozen=True, gc=False):
    """Views in the hour that starts at `period` (UTC)."""

    period: dt.datetime
    views: int


class HourlyFetched(msgspec.Struct, frozen=True):
    """What a source returned for an hourly range: the hours it has (zero hours may be absent)."""

    points: tuple[HourlyPoint, ...]
    stale: bool = False


class HourRange(msgspec.Struct, frozen=True):
    """An inclusive range of hours, `first` and `last` the starts of its first and last hour (UTC)."""

    first: dt.datetime
    last: dt.datetime

    @classmethod
    def of_days(cls, days: PeriodRange, now: dt.datetime) -> HourRange:
        """Every hour of a range of days, up to the current hour."""
        if days.count() > MAX_HOURLY_DAYS:
            raise InvalidRange(f"an hourly range covers at most {MAX_HOURLY_DAYS} days")
        first = dt.datetime.combine(days.first, dt.time(), tzinfo=dt.UTC)
        last = dt.datetime.combine(days.last, dt.time(23), tzinfo=dt.UTC)
        current = now.astimezone(dt.UTC).replace(minute=0, second=0, microsecond=0)
        return cls(first, min(last, current))

    def starts(self) -> list[dt.datetime]:
        return [self.first + HOUR * n for n in range(self.count())]

    def count(self) -> int:
        return int((self.last - self.first) / HOUR) + 1


def hour_label(start: dt.datetime) -> str:
    return f"{start:%Y-%m-%dT%H}:00Z"


def checked_hours(hours: HourRange, points: tuple[HourlyPoint, ...]) -> dict[dt.datetime, int]:
    """The points by hour, refusing any the source was not asked for (outside the range, twice, not on the hour)
    and negative counts: the rule of `series.checked_points`, per hour."""
    found: dict[dt.datetime, int] = {}
    for point in points:
        period = point.period.astimezone(dt.UTC)
        on_the_hour = period.minute == period.second == period.microsecond == 0
        if not (on_the_hour and hours.first <= period <= hours.last) or period in found:
            raise UpstreamError(
                f"asked for {hour_label(hours.first)}..{hour_label(hours.last)}, the upstream answered for "
                f"{hour_label(period)}"
            )
        found[period] = checked_count(point.views, partial(hour_label, period))
    return found


class HourlyItem(msgspec.Struct, frozen=True, gc=False):
    period: dt.datetime
    views: int
    complete: bool
    parts: Mapping[str, int] | None = None


def build_hourly_items(
    hours: HourRange, parts: Mapping[str, Mapping[dt.datetime, int]], now: dt.datetime, freshness: Freshness
) -> tuple[HourlyItem, ...]:
    """The rule of `series.build_items`, per hour: a settled hour Wikimedia did not report is a 0, an unsettled
    one is left out until it has a count."""
    if not any(parts.values()):
        raise NoData()
    items = []
    whole = set(parts) == {""}
    for start in hours.starts():
        values = {name: points.get(start) for name, points in parts.items()}
        complete = freshness.is_settled(end_of_hour(start), now)
        if not complete and all(v is None for v in values.values()):
            continue
        counts = {name: v or 0 for name, v in values.items()}
        items.append(HourlyItem(start, sum(counts.values()), complete, None if whole else counts))
    return tuple(items)


class SiteSeries(msgspec.Struct, frozen=True):
    """A project's views over a range: `items` per month or day, or `hours` per hour (then `items` is empty)."""

    query: SiteQuery
    granularity: SiteGranularity
    periods: PeriodRange
    items: tuple[SeriesItem, ...] = ()
    hours: tuple[HourlyItem, ...] = ()
    breakdown: Breakdown | None = None
    stale: bool = False
    complete: bool = False

    @property
    def total(self) -> int:
        return sum(item.views for item in self.items) + sum(item.views for item in self.hours)
