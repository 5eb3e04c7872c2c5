"""Series of views over a range of days or months: the range rules, zero-filling, splits and the peak.

Wikimedia omits periods with zero views and loads each day hours (sometimes more than a day) after it ends.
So, inside a range: a *settled* period that Wikimedia did not report is a 0; an unsettled period is reported
as Wikimedia has it, marked `complete: false`, and is absent when Wikimedia has nothing for it yet. Nothing is
invented for days that may not be loaded.
"""

from __future__ import annotations

import datetime as dt
import enum
import re
from collections.abc import Mapping, Sequence
from functools import partial
from typing import TypeVar

import msgspec

from pageviews.domain.errors import (
    BeforeDataStart,
    FutureDate,
    InvalidBreakdown,
    InvalidRange,
    NoData,
    UpstreamError,
)
from pageviews.domain.freshness import Freshness, check_months
from pageviews.domain.model import (
    DATA_START,
    Access,
    Agent,
    ArticleQuery,
    DataPoint,
    Granularity,
    Month,
    checked_count,
)
from pageviews.domain.pages import CountedPage, Notice

MAX_MONTHS = 240
MAX_DAYS = 1096
"""Range limits: 20 years of months (all the data there is), three years of days."""


Q = TypeVar("Q", bound=msgspec.Struct)
"""A query with an `access` and an `agent` (an article's, a project's)."""

_DAY = re.compile(r"([0-9]{4})-([0-9]{2})-([0-9]{2})")


class Breakdown(enum.StrEnum):
    AGENT = "agent"
    ACCESS = "access"

    @classmethod
    def parse(cls, raw: str, access: Access, agent: Agent | None) -> Breakdown:
        """A split, which must not contradict the filter on the same dimension (its parts add up to all)."""
        try:
            breakdown = cls(raw.strip().lower())
        except ValueError:
            raise InvalidBreakdown(f"breakdown must be agent or access; got {raw!r}") from None
        if breakdown is Breakdown.AGENT and agent not in (None, Agent.ALL):
            raise InvalidBreakdown("breakdown=agent splits all agents; do not also filter by agent")
        if breakdown is Breakdown.ACCESS and access is not Access.ALL:
            raise InvalidBreakdown("breakdown=access splits all-access; do not also filter by access")
        return breakdown

    def parts(self, query: Q) -> dict[str, Q]:
        """The queries whose views add up to the whole, by the name of each part."""
        if self is Breakdown.AGENT:
            agents = (Agent.USER, Agent.SPIDER, Agent.AUTOMATED)
            return {a.value: msgspec.structs.replace(query, agent=a) for a in agents}
        accesses = (Access.DESKTOP, Access.MOBILE_WEB, Access.MOBILE_APP)
        return {a.value: msgspec.structs.replace(query, access=a) for a in accesses}

    def whole(self, query: Q) -> Q:
        if self is Breakdown.AGENT:
            return msgspec.structs.replace(query, agent=Agent.ALL)
        return msgspec.structs.replace(query, access=Access.ALL)


class PeriodRange(msgspec.Struct, frozen=True):
    """An inclusive range of whole days or whole months, within the data Wikimedia has and its limits."""

    granularity: Granularity
    first: dt.date
    last: dt.date

    @classmethod
    def parse(cls, granularity: Granularity, start: str, end: str | None, today: dt.date) -> PeriodRange:
        end = start if end is None else end
        if granularity is Granularity.MONTHLY:
            first, last = Month.parse(start).first_day, Month.parse(end).last_day
        else:
            first = _day_or_month(start, first_of_month=True, today=today)
            last = _day_or_month(end, first_of_month=False, today=today)
        return cls.checked(granularity, first, last, today)

    @classmethod
    def for_month(cls, month: Month, today: dt.date) -> PeriodRange:
        return cls.checked(Granularity.MONTHLY, month.first_day, month.last_day, today)

    @classmethod
    def checked(cls, granularity: Granularity, first: dt.date, last: dt.date, today: dt.date) -> PeriodRange:
        if first > last:
            raise InvalidRange(f"the range starts ({first}) after it ends ({last})")
        if granularity is Granularity.MONTHLY:
            check_months(Month.of(first), Month.of(last), today)
        elif first < DATA_START.first_day:
            raise BeforeDataStart(f"{first} is before {DATA_START.first_day}: Wikimedia's data starts there")
        elif last > today:
            raise FutureDate(f"{last} is in the future; the latest day is {today} (partial)")
        periods = cls(granularity, first, last)
        limit = MAX_MONTHS if granularity is Granularity.MONTHLY else MAX_DAYS
        if periods.count() > limit:
            raise InvalidRange(f"a {granularity.value} range covers at most {limit} periods")
        return periods

    def starts(self) -> list[dt.date]:
        """The first day of every period in the range."""
        if self.granularity is Granularity.DAILY:
            first, day = self.first, dt.timedelta(days=1)
            return [first + day * offset for offset in range((self.last - first).days + 1)]
        starts, month, last = [], Month.of(self.first), Month.of(self.last)
        while month <= last:
            starts.append(month.first_day)
            month = month.next()
        return starts

    def starts_a_period(self, day: dt.date) -> bool:
        """Whether `day` is the first day of one of the range's periods."""
        if self.granularity is Granularity.DAILY:
            return self.first <= day <= self.last
        return day.day == 1 and Month.of(self.first).first_day <= day <= self.last

    def count(self) -> int:
        if self.granularity is Granularity.DAILY:
            return (self.last - self.first).days + 1
        first, last = Month.of(self.first), Month.of(self.last)
        return (last.year - first.year) * 12 + last.month - first.month + 1

    @property
    def last_start(self) -> dt.date:
        """The first day of the range's last period."""
        return Month.of(self.last).first_day if self.granularity is Granularity.MONTHLY else self.last

    def period_end(self, start: dt.date) -> dt.datetime:
        """When the period starting on `start` ends (UTC)."""
        return self.granularity.end_of(start)

    def label(self, start: dt.date) -> str:
        return _label(self.granularity, start)


def _label(granularity: Granularity, start: dt.date) -> str:
    return f"{start:%Y-%m}" if granularity is Granularity.MONTHLY else start.isoformat()


def _day_or_month(text: str, *, first_of_month: bool, today: dt.date) -> dt.date:
    """A day, or a whole month's first or last day; the current month, asked as a month, ends today."""
    match = _DAY.fullmatch(text)
    if match is None:
        month = Month.parse(text)  # raises InvalidMonth with the expected forms
        if first_of_month:
            return month.first_day
        return today if month == Month.of(today) else month.last_day
    try:
        return dt.date(int(match[1]), int(match[2]), int(match[3]))
    except ValueError:
        raise InvalidRange(f"{text!r} is not a date") from None


class SeriesItem(msgspec.Struct, frozen=True, gc=False):
    period: dt.date
    views: int
    complete: bool
    parts: Mapping[str, int] | None = None


class Series(msgspec.Struct, frozen=True):
    query: ArticleQuery
    periods: PeriodRange
    items: tuple[SeriesItem, ...]
    breakdown: Breakdown | None = None
    stale: bool = False
    complete: bool = False
    """Whether every period of the range has settled, so the whole answer is final."""
    page: CountedPage | None = None
    """Which page was counted, when redirects were followed or included."""
    notices: tuple[Notice, ...] = ()

    @property
    def total(self) -> int:
        return sum(item.views for item in self.items)

    @property
    def peak(self) -> SeriesItem | None:
        """The period with the most views (the earliest among equals)."""
        return max(self.items, key=lambda item: item.views, default=None)


def checked_points(periods: PeriodRange, points: Sequence[DataPoint]) -> dict[dt.date, int]:
    """The points by period start, refusing anything the source was not asked for: a point outside the
    range, on a day that does not start a period, or twice for one period, or a negative count, is an upstream
    error, never data."""
    found: dict[dt.date, int] = {}
    for point in points:
        if not periods.starts_a_period(point.period) or point.period in found:
            raise UpstreamError(
                f"asked for {periods.label(periods.first)}..{periods.label(periods.last)}, the upstream "
                f"answered for {periods.label(point.period)}"
            )
        found[point.period] = checked_count(point.views, partial(periods.label, point.period))
    return found


def build_items(
    periods: PeriodRange,
    parts: Mapping[str, Mapping[dt.date, int]],
    now: dt.datetime,
    freshness: Freshness,
    *,
    known_page: bool = False,
) -> tuple[SeriesItem, ...]:
    """Zero-filled items from the points of each part (one part named "" when there is no breakdown); with
    no points at all, `NoData` unless `known_page` (a page the wiki has, whose settled periods are zeros)."""
    if not known_page and not any(parts.values()):
        raise NoData()
    settled = freshness.last_settled_start(periods.granularity, now)
    if set(parts) == {""}:
        return _whole_items(periods.starts(), parts[""], settled)
    items = []
    for start in periods.starts():
        values = {name: points.get(start) for name, points in parts.items()}
        complete = start <= settled
        if not complete and all(v is None for v in values.values()):
            continue
        counts = {name: v or 0 for name, v in values.items()}
        items.append(SeriesItem(start, sum(counts.values()), complete, counts))
    return tuple(items)


def _whole_items(
    starts: list[dt.date], points: Mapping[dt.date, int], settled: dt.date
) -> tuple[SeriesItem, ...]:
    """The items of a series with no breakdown: the same rule as above, in the loop a long series runs."""
    items = []
    for start in starts:
        views = points.get(start)
        if views is None:
            if start > settled:
                continue
            views = 0
        items.append(SeriesItem(start, views, start <= settled))
    return tuple(items)


def summed(series: Sequence[Series], whole: ArticleQuery) -> Series:
    """The series of `whole` that is the sum of `series` (all over the same range and breakdown): per period,
    the views and each part added up. A period is complete in every series or in none (the settle rule), and
    present where any series has it."""
    first = series[0]
    totals: dict[dt.date, tuple[int, bool, dict[str, int]]] = {}
    for one in series:
        for item in one.items:
            views, complete, parts = totals.get(item.period, (0, item.complete, {}))
            for name, count in (item.parts or {}).items():
                parts[name] = parts.get(name, 0) + count
            totals[item.period] = (views + item.views, complete, parts)
    items = tuple(
        SeriesItem(period, views, complete, parts if first.breakdown is not None else None)
        for period, (views, complete, parts) in sorted(totals.items())
    )
    return Series(
        whole,
        first.periods,
        items,
        first.breakdown,
        stale=any(one.stale for one in series),
        complete=first.complete,
    )


class MonthlyViews(msgspec.Struct, frozen=True):
    """The answer to "how many times was this article viewed in this month?"."""

    query: ArticleQuery
    month: Month
    views: int
    complete: bool
    stale: bool = False
    page: CountedPage | None = None
    notices: tuple[Notice, ...] = ()
