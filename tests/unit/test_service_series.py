"""The series, breakdown, batch and monthly use cases against fakes: what they ask the source, how often, how
concurrently, and what they make of its answers."""

from __future__ import annotations

import asyncio
import datetime as dt
from collections import Counter

import pytest

from pageviews.application.use_cases import MAX_BATCH, PageviewsService
from pageviews.domain.errors import InvalidBatch, InvalidInput, NoData, PageviewsError, UpstreamError
from pageviews.domain.freshness import Freshness
from pageviews.domain.model import (
    Access,
    Agent,
    Article,
    ArticleQuery,
    DataPoint,
    Fetched,
    Granularity,
    Month,
    Project,
)
from pageviews.domain.series import Breakdown, MonthlyViews, PeriodRange, Series, SeriesItem
from tests.support.fakes import FakePageviewsSource, FakeTopArticlesSource, FixedClock

DAILY, MONTHLY = Granularity.DAILY, Granularity.MONTHLY
NOW = dt.datetime(2024, 1, 15, 12, tzinfo=dt.UTC)
TODAY = NOW.date()
WIKIPEDIA = Project("en.wikipedia")
EINSTEIN = ArticleQuery(WIKIPEDIA, Article("Albert_Einstein"))
YEAR_2023 = PeriodRange(MONTHLY, dt.date(2023, 1, 1), dt.date(2023, 12, 31))
OCTOBER_DAYS = PeriodRange(DAILY, dt.date(2023, 10, 1), dt.date(2023, 10, 31))
OCTOBER = dt.date(2023, 10, 1)


def service_for(source: FakePageviewsSource, batch_concurrency: int = 4) -> PageviewsService:
    return PageviewsService(
        source=source,
        clock=FixedClock(NOW),
        freshness=Freshness(),
        top_source=FakeTopArticlesSource(),
        batch_concurrency=batch_concurrency,
    )


def with_agent(agent: Agent, query: ArticleQuery = EINSTEIN) -> ArticleQuery:
    return ArticleQuery(query.project, query.article, query.access, agent)


def with_access(access: Access, query: ArticleQuery = EINSTEIN) -> ArticleQuery:
    return ArticleQuery(query.project, query.article, access, query.agent)


def titled(title: str) -> ArticleQuery:
    return ArticleQuery(WIKIPEDIA, Article(title))


class NotConcurrent(Exception):
    """The calls a test expected to overlap were made one after another."""


class GatedSource(FakePageviewsSource):
    """Holds every call until `parties` calls are in flight at once. Calls made one after another would wait
    forever; instead a call fails with `NotConcurrent` after `turns` turns of the event loop (no clock)."""

    def __init__(self, parties: int, turns: int = 1000) -> None:
        super().__init__()
        self.parties = parties
        self.turns = turns
        self.in_flight = 0
        self.gate = asyncio.Event()

    async def per_article(
        self, query: ArticleQuery, granularity: Granularity, first: dt.date, last: dt.date
    ) -> Fetched:
        self.in_flight += 1
        try:
            if self.in_flight == self.parties:
                self.gate.set()
            for _ in range(self.turns):
                if self.gate.is_set():
                    break
                await asyncio.sleep(0)
            else:
                raise NotConcurrent(f"only {self.in_flight} of {self.parties} calls were in flight together")
            return await super().per_article(query, granularity, first, last)
        finally:
            self.in_flight -= 1


class CountingSource(FakePageviewsSource):
    """Records the most calls it ever had in flight at once; each call yields to the event loop a few times
    before answering, so calls allowed to overlap do."""

    def __init__(self) -> None:
        super().__init__()
        self.in_flight = 0
        self.max_in_flight = 0

    async def per_article(
        self, query: ArticleQuery, granularity: Granularity, first: dt.date, last: dt.date
    ) -> Fetched:
        self.in_flight += 1
        self.max_in_flight = max(self.max_in_flight, self.in_flight)
        try:
            for _ in range(10):
                await asyncio.sleep(0)
            return await super().per_article(query, granularity, first, last)
        finally:
            self.in_flight -= 1


def split_by_agent(
    source: FakePageviewsSource, period: dt.date, user: int, spider: int, automated: int
) -> None:
    for agent, views in ((Agent.USER, user), (Agent.SPIDER, spider), (Agent.AUTOMATED, automated)):
        source.add(with_agent(agent), MONTHLY, period, views)


# -- series --------------------------------------------------------------------------------------------------


async def test_a_monthly_series_is_one_request_from_the_first_to_the_last_day_of_the_range() -> None:
    source = FakePageviewsSource()
    source.add(EINSTEIN, MONTHLY, dt.date(2023, 3, 1), 10)
    await service_for(source).series(EINSTEIN, YEAR_2023)
    assert [(EINSTEIN, MONTHLY, dt.date(2023, 1, 1), dt.date(2023, 12, 31))] == source.asked


async def test_a_daily_series_is_one_request_from_the_first_to_the_last_day_of_the_range() -> None:
    source = FakePageviewsSource()
    source.add(EINSTEIN, DAILY, dt.date(2023, 10, 17), 10)
    await service_for(source).series(EINSTEIN, OCTOBER_DAYS)
    assert [(EINSTEIN, DAILY, dt.date(2023, 10, 1), dt.date(2023, 10, 31))] == source.asked


async def test_a_series_zero_fills_the_periods_wikimedia_omitted() -> None:
    source = FakePageviewsSource()
    source.add(EINSTEIN, MONTHLY, dt.date(2023, 2, 1), 7)
    series = await service_for(source).series(EINSTEIN, YEAR_2023)
    assert [0, 7, *[0] * 10] == [item.views for item in series.items]


async def test_a_series_without_any_data_is_no_data() -> None:
    with pytest.raises(NoData):
        await service_for(FakePageviewsSource()).series(EINSTEIN, YEAR_2023)


async def test_a_point_the_source_was_not_asked_for_is_an_upstream_error() -> None:
    source = FakePageviewsSource()
    source.answer_override = [DataPoint(dt.date(2024, 1, 1), 5)]
    with pytest.raises(UpstreamError):
        await service_for(source).series(EINSTEIN, YEAR_2023)


async def test_a_stale_answer_makes_a_stale_series() -> None:
    source = FakePageviewsSource()
    source.add(EINSTEIN, MONTHLY, dt.date(2023, 2, 1), 7)
    source.stale = True
    assert (await service_for(source).series(EINSTEIN, YEAR_2023)).stale


# -- breakdown -----------------------------------------------------------------------------------------------


async def test_an_agent_breakdown_is_one_request_per_agent_for_the_whole_range() -> None:
    source = FakePageviewsSource()
    split_by_agent(source, OCTOBER, 10, 2, 1)
    await service_for(source).series(EINSTEIN, YEAR_2023, Breakdown.AGENT)
    agents = (Agent.USER, Agent.SPIDER, Agent.AUTOMATED)
    assert Counter((with_agent(a), MONTHLY, YEAR_2023.first, YEAR_2023.last) for a in agents) == Counter(
        source.asked
    )


async def test_an_access_breakdown_is_one_request_per_access_method_for_the_whole_range() -> None:
    source = FakePageviewsSource()
    source.add(with_access(Access.DESKTOP), MONTHLY, OCTOBER, 3)
    await service_for(source).series(EINSTEIN, YEAR_2023, Breakdown.ACCESS)
    accesses = (Access.DESKTOP, Access.MOBILE_WEB, Access.MOBILE_APP)
    assert Counter((with_access(a), MONTHLY, YEAR_2023.first, YEAR_2023.last) for a in accesses) == Counter(
        source.asked
    )


async def test_the_requests_of_a_breakdown_are_in_flight_together() -> None:
    source = GatedSource(parties=3)
    split_by_agent(source, OCTOBER, 10, 2, 1)
    series = await service_for(source).series(EINSTEIN, YEAR_2023, Breakdown.AGENT)
    expected = (3, 13)
    assert expected == (len(source.asked), series.total)


async def test_an_agent_breakdown_splits_each_period_into_parts_adding_up_to_its_views() -> None:
    source = FakePageviewsSource()
    split_by_agent(source, OCTOBER, 10, 2, 1)
    periods = PeriodRange(MONTHLY, OCTOBER, dt.date(2023, 10, 31))
    series = await service_for(source).series(EINSTEIN, periods, Breakdown.AGENT)
    assert (SeriesItem(OCTOBER, 13, True, {"user": 10, "spider": 2, "automated": 1}),) == series.items


async def test_an_agent_breakdown_answers_for_all_agents() -> None:
    source = FakePageviewsSource()
    split_by_agent(source, OCTOBER, 10, 2, 1)
    series = await service_for(source).series(EINSTEIN, YEAR_2023, Breakdown.AGENT)
    assert (with_agent(Agent.ALL), Breakdown.AGENT) == (series.query, series.breakdown)


async def test_a_part_without_data_counts_as_zeros() -> None:
    source = FakePageviewsSource()
    source.add(with_agent(Agent.USER), MONTHLY, OCTOBER, 10)
    series = await service_for(source).series(EINSTEIN, YEAR_2023, Breakdown.AGENT)
    october = series.items[9]
    expected = (10, {"user": 10, "spider": 0, "automated": 0})
    assert expected == (october.views, october.parts)


async def test_a_breakdown_whose_parts_all_lack_data_is_no_data() -> None:
    with pytest.raises(NoData):
        await service_for(FakePageviewsSource()).series(EINSTEIN, YEAR_2023, Breakdown.AGENT)


async def test_an_upstream_error_in_one_part_fails_the_breakdown_with_that_error() -> None:
    """Not an `ExceptionGroup`: the caller sees the domain error, so the HTTP layer can map it (502)."""
    source = FakePageviewsSource()
    source.error = UpstreamError("Wikimedia answered 500")
    with pytest.raises(UpstreamError):
        await service_for(source).series(EINSTEIN, YEAR_2023, Breakdown.AGENT)


# -- monthly views -------------------------------------------------------------------------------------------


async def test_monthly_views_are_one_request_for_exactly_the_month() -> None:
    source = FakePageviewsSource()
    source.add(EINSTEIN, MONTHLY, dt.date(2023, 2, 1), 5)
    await service_for(source).monthly_views(EINSTEIN, Month(2023, 2))
    assert [(EINSTEIN, MONTHLY, dt.date(2023, 2, 1), dt.date(2023, 2, 28))] == source.asked


async def test_monthly_views_are_the_one_month_series() -> None:
    source = FakePageviewsSource()
    source.add(EINSTEIN, MONTHLY, dt.date(2023, 2, 1), 5)
    service = service_for(source)
    (item,) = (await service.series(EINSTEIN, PeriodRange.for_month(Month(2023, 2), TODAY))).items
    assert MonthlyViews(EINSTEIN, Month(2023, 2), item.views, item.complete) == await service.monthly_views(
        EINSTEIN, Month(2023, 2)
    )


# -- batch ---------------------------------------------------------------------------------------------------


def source_knowing(*titles: str) -> FakePageviewsSource:
    source = FakePageviewsSource()
    for views, title in enumerate(titles, start=1):
        source.add(titled(title), MONTHLY, OCTOBER, views)
    return source


OCTOBER_RANGE = PeriodRange(MONTHLY, OCTOBER, dt.date(2023, 10, 31))


async def batch(
    service: PageviewsService, titles: list[str], periods: PeriodRange = OCTOBER_RANGE
) -> list[Series | PageviewsError]:
    return await service.batch(WIKIPEDIA, titles, periods, Access.ALL, Agent.USER)


async def test_a_batch_answers_one_series_per_title_in_order() -> None:
    titles = ["C", "A", "B"]
    results = await batch(service_for(source_knowing("A", "B", "C")), titles)
    expected = [("C", 3), ("A", 1), ("B", 2)]
    assert expected == [(r.query.article.title, r.total) for r in results if isinstance(r, Series)]


async def test_a_bad_title_is_an_error_for_that_title_alone() -> None:
    results = await batch(service_for(source_knowing("A", "B")), ["A", "Bad#title", "B"])
    assert [Series, InvalidInput, Series] == [
        InvalidInput if isinstance(r, InvalidInput) else type(r) for r in results
    ]


async def test_a_bad_title_is_not_asked_upstream() -> None:
    source = source_knowing("A")
    await batch(service_for(source), ["A", "Bad#title"])
    assert [titled("A")] == [query for query, *_ in source.asked]


async def test_an_unknown_title_is_no_data_for_that_title_alone() -> None:
    results = await batch(service_for(source_knowing("A")), ["Unknown", "A"])
    assert (NoData, Series) == (type(results[0]), type(results[1]))


async def test_a_batch_titles_are_normalised_for_the_project() -> None:
    source = source_knowing("Albert_Einstein")
    (result,) = await batch(service_for(source), ["albert Einstein"])
    assert isinstance(result, Series)
    assert Article("Albert_Einstein") == result.query.article


async def test_every_title_of_a_batch_is_asked_for_the_same_range() -> None:
    source = source_knowing("A", "B")
    await batch(service_for(source), ["A", "B"], YEAR_2023)
    assert {(YEAR_2023.first, YEAR_2023.last)} == {(first, last) for _, _, first, last in source.asked}


async def test_a_batch_of_the_maximum_size_is_answered() -> None:
    titles = [f"T{i}" for i in range(MAX_BATCH)]
    results = await batch(service_for(source_knowing(*titles)), titles)
    assert len(titles) == len([r for r in results if isinstance(r, Series)])


@pytest.mark.parametrize("size", [0, MAX_BATCH + 1])
async def test_a_batch_that_is_empty_or_too_big_is_invalid(size: int) -> None:
    source = source_knowing("A")
    with pytest.raises(InvalidBatch):
        await batch(service_for(source), ["A"] * size)
    assert not source.asked


async def test_a_batch_asks_at_most_batch_concurrency_titles_at_a_time() -> None:
    titles = [f"T{i}" for i in range(10)]
    source = CountingSource()
    for views, title in enumerate(titles, start=1):
        source.add(titled(title), MONTHLY, OCTOBER, views)
    await batch(service_for(source, batch_concurrency=2), titles)
    expected = (2, 10)
    assert expected == (source.max_in_flight, len(source.asked))


async def test_a_series_of_settled_periods_is_complete() -> None:
    source = FakePageviewsSource()
    source.add(EINSTEIN, DAILY, OCTOBER, 5)
    assert (await service_for(source).series(EINSTEIN, OCTOBER_DAYS)).complete


async def test_a_series_whose_last_period_has_not_settled_is_not_complete() -> None:
    source = FakePageviewsSource()
    source.add(EINSTEIN, DAILY, dt.date(2024, 1, 1), 5)
    recent = PeriodRange(DAILY, dt.date(2024, 1, 1), dt.date(2024, 1, 14))
    assert not (await service_for(source).series(EINSTEIN, recent)).complete
