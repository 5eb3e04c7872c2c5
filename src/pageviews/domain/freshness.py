"""When a period's count is final (the settle rule), and which months can be asked about at all."""

from __future__ import annotations

import datetime as dt

import msgspec

from pageviews.domain.errors import BeforeDataStart, FutureMonth
from pageviews.domain.model import DATA_START, Granularity, Month


class Freshness(msgspec.Struct, frozen=True):
    """Wikimedia loads a day's data hours after it ends, sometimes 24 h or more: a period is only called
    complete (settled) once `settle` has passed after its end. The one settle rule: series, top lists and the
    cache policy all ask it."""

    settle: dt.timedelta = dt.timedelta(hours=48)

    def is_settled(self, period_end: dt.datetime, now: dt.datetime) -> bool:
        """Whether a period that ended at `period_end` has had time to be loaded in full."""
        return now >= period_end + self.settle

    def is_complete(self, month: Month, now: dt.datetime) -> bool:
        return self.is_settled(month.end(), now)

    def last_settled_start(self, granularity: Granularity, now: dt.datetime) -> dt.date:
        """The first day of the latest day or month that has settled at `now`: `is_settled` solved for the
        start, so that a long series asks one comparison of dates per period. A period ends at midnight UTC, so
        it has settled when the day it ends on is no later than the day `settle` before now."""
        day = (now - self.settle).astimezone(dt.UTC).date()
        if granularity is Granularity.DAILY:
            return day - dt.timedelta(days=1)
        return Month.of(day).previous().first_day

    def check_servable(self, month: Month, now: dt.datetime) -> None:
        check_months(month, month, now.astimezone(dt.UTC).date())


def check_months(first: Month, last: Month, today: dt.date) -> None:
    """Months can be asked about from July 2015 (where Wikimedia's data starts) to the current one."""
    current = Month.of(today)
    if last > current:
        raise FutureMonth(f"{last} is in the future; the latest month with data is {current} (partial)")
    if first < DATA_START:
        raise BeforeDataStart(
            f"{first} is before {DATA_START}: Wikimedia's pageview data starts in July 2015"
        )
