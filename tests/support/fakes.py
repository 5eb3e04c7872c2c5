"""Fakes of the domain's ports, for tests that exercise the use cases without any I/O."""

from __future__ import annotations

import datetime as dt

from pageviews.domain.errors import NoData, PageviewsError
from pageviews.domain.model import ArticleQuery, DataPoint, Fetched, Granularity


class FixedClock:
    def __init__(self, now: dt.datetime) -> None:
        self.current = now

    def now(self) -> dt.datetime:
        return self.current


class FakePageviewsSource:
    """Answers from a dict of points, and records every request it was asked."""

    def __init__(self) -> None:
        self.points: dict[tuple[ArticleQuery, Granularity], list[DataPoint]] = {}
        self.asked: list[tuple[ArticleQuery, Granularity, dt.date, dt.date]] = []
        self.error: PageviewsError | None = None
        self.answer_override: list[DataPoint] | None = None

    def add(self, query: ArticleQuery, granularity: Granularity, period: dt.date, views: int) -> None:
        self.points.setdefault((query, granularity), []).append(DataPoint(period, views))

    async def per_article(
        self, query: ArticleQuery, granularity: Granularity, first: dt.date, last: dt.date
    ) -> Fetched:
        self.asked.append((query, granularity, first, last))
        if self.error is not None:
            raise self.error
        if self.answer_override is not None:
            return Fetched(tuple(self.answer_override))
        found = tuple(p for p in self.points.get((query, granularity), []) if first <= p.period <= last)
        if not found:
            raise NoData("no data")
        return Fetched(found)
