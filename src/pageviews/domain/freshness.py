"""When a month's count is final, and which months can be asked about at all."""

from __future__ import annotations

import datetime as dt

import msgspec

from pageviews.domain.errors import BeforeDataStart, FutureMonth
from pageviews.domain.model import DATA_START, Month


class Freshness(msgspec.Struct, frozen=True):
    """Wikimedia loads a day's data hours after it ends, sometimes 24 h or more: a month is only called
    complete once `settle` has passed after its end."""

    settle: dt.timedelta = dt.timedelta(hours=48)

    def is_complete(self, month: Month, now: dt.datetime) -> bool:
        return now >= month.end() + self.settle

    def check_servable(self, month: Month, now: dt.datetime) -> None:
        current = Month.of(now.astimezone(dt.UTC).date())
        if month > current:
            raise FutureMonth(f"{month} is in the future; the latest month with data is {current} (partial)")
        if month < DATA_START:
            raise BeforeDataStart(
                f"{month} is before {DATA_START}: Wikimedia's per-article pageview data starts in July 2015"
            )
