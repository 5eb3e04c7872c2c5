"""The use cases: what the service does, in terms of the domain and its ports only."""

from __future__ import annotations

from collections.abc import Sequence

from pageviews.domain.errors import UpstreamError
from pageviews.domain.freshness import Freshness
from pageviews.domain.model import ArticleQuery, DataPoint, Granularity, Month, MonthlyViews
from pageviews.domain.ports import Clock, PageviewsSource


class PageviewsService:
    def __init__(self, source: PageviewsSource, clock: Clock, freshness: Freshness) -> None:
        self._source = source
        self._clock = clock
        self._freshness = freshness

    async def monthly_views(self, query: ArticleQuery, month: Month) -> MonthlyViews:
        """Views of one article in one month: one upstream request covering exactly that month."""
        now = self._clock.now()
        self._freshness.check_servable(month, now)
        fetched = await self._source.per_article(query, Granularity.MONTHLY, month.first_day, month.last_day)
        views = _only_point_of(month, fetched.points)
        complete = self._freshness.is_complete(month, now)
        return MonthlyViews(query, month, views, complete=complete, stale=fetched.stale)


def _only_point_of(month: Month, points: Sequence[DataPoint]) -> int:
    """The month's count, refusing anything but exactly one point for exactly that month: another month's
    number (what the original service returned) is the one unforgivable answer."""
    if len(points) != 1 or points[0].period != month.first_day:
        periods = ", ".join(str(p.period) for p in points) or "nothing"
        raise UpstreamError(f"asked for {month}, the upstream answered for {periods}")
    return points[0].views
