"""The monthly views use case, against a fake source and a fixed clock: what it asks, what it accepts."""

from __future__ import annotations

import asyncio
import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pageviews.application.use_cases import PageviewsService
from pageviews.domain.errors import (
    BeforeDataStart,
    FutureMonth,
    NoData,
    PageviewsError,
    UpstreamError,
    UpstreamThrottled,
    UpstreamTimeout,
    UpstreamUnavailable,
)
from pageviews.domain.freshness import Freshness
from pageviews.domain.model import (
    DATA_START,
    Access,
    Agent,
    Article,
    ArticleQuery,
    DataPoint,
    Granularity,
    Month,
    Project,
)
from pageviews.domain.series import MonthlyViews
from tests.support.fakes import FakePageviewsSource, FakeTopArticlesSource, FixedClock

NOW = dt.datetime(2024, 3, 15, 12, 0, tzinfo=dt.UTC)
EINSTEIN = ArticleQuery(Project("en.wikipedia"), Article("Albert_Einstein"))
OCTOBER = Month(2023, 10)


def service_for(
    source: FakePageviewsSource, now: dt.datetime = NOW, settle: dt.timedelta = dt.timedelta(hours=48)
) -> PageviewsService:
    return PageviewsService(
        source=source,
        clock=FixedClock(now),
        freshness=Freshness(settle=settle),
        top_source=FakeTopArticlesSource(),
    )


def source_with(month: Month, views: int, query: ArticleQuery = EINSTEIN) -> FakePageviewsSource:
    source = FakePageviewsSource()
    source.add(query, Granularity.MONTHLY, month.first_day, views)
    return source


def answering(*points: tuple[dt.date, int]) -> FakePageviewsSource:
    source = FakePageviewsSource()
    source.answer_override = [DataPoint(period, views) for period, views in points]
    return source


async def test_the_answer_is_the_sources_count_for_the_month() -> None:
    answer = await service_for(source_with(OCTOBER, 631058)).monthly_views(EINSTEIN, OCTOBER)
    assert MonthlyViews(EINSTEIN, OCTOBER, 631058, complete=True, stale=False) == answer


@pytest.mark.parametrize(
    ("month", "first", "last"),
    [
        (Month(2023, 10), dt.date(2023, 10, 1), dt.date(2023, 10, 31)),
        (Month(2023, 4), dt.date(2023, 4, 1), dt.date(2023, 4, 30)),
        (Month(2024, 2), dt.date(2024, 2, 1), dt.date(2024, 2, 29)),
        (Month(2023, 2), dt.date(2023, 2, 1), dt.date(2023, 2, 28)),
        (Month(2023, 12), dt.date(2023, 12, 1), dt.date(2023, 12, 31)),
        (Month(2015, 7), dt.date(2015, 7, 1), dt.date(2015, 7, 31)),
        (Month(2024, 3), dt.date(2024, 3, 1), dt.date(2024, 3, 31)),
    ],
)
async def test_one_monthly_request_covers_exactly_the_month(
    month: Month, first: dt.date, last: dt.date
) -> None:
    source = source_with(month, 1)
    await service_for(source).monthly_views(EINSTEIN, month)
    assert [(EINSTEIN, Granularity.MONTHLY, first, last)] == source.asked


@given(
    st.builds(Month, year=st.integers(2015, 2023), month=st.integers(1, 12)).filter(lambda m: m >= DATA_START)
)
def test_for_every_servable_month_one_request_covers_its_first_to_last_day(month: Month) -> None:
    source = source_with(month, 1)
    asyncio.run(service_for(source).monthly_views(EINSTEIN, month))
    ((_, granularity, first, last),) = source.asked
    assert (Granularity.MONTHLY, month.first_day, month.last_day) == (granularity, first, last)
    assert (Month.of(first), Month.of(last), Month.of(last + dt.timedelta(days=1))) == (
        month,
        month,
        month.next(),
    )


async def test_the_query_reaches_the_source_unchanged() -> None:
    query = ArticleQuery(Project("es.wiktionary"), Article("hoy"), Access.MOBILE_WEB, Agent.SPIDER)
    source = source_with(OCTOBER, 12, query)
    answer = await service_for(source).monthly_views(query, OCTOBER)
    assert (query, query) == (source.asked[0][0], answer.query)


async def test_an_explicit_zero_is_an_answer_of_zero_views() -> None:
    answer = await service_for(source_with(OCTOBER, 0)).monthly_views(EINSTEIN, OCTOBER)
    expected = 0
    assert expected == answer.views


@pytest.mark.parametrize(
    "points",
    [
        [(dt.date(2023, 11, 1), 951)],
        [(dt.date(2023, 9, 1), 922)],
        [(dt.date(2022, 10, 1), 5)],
        [(dt.date(2023, 10, 15), 857)],
        [(dt.date(2023, 10, 1), 857), (dt.date(2023, 11, 1), 951)],
        [(dt.date(2023, 9, 1), 922), (dt.date(2023, 10, 1), 857)],
        [(dt.date(2023, 10, 1), 857), (dt.date(2023, 10, 1), 857)],
    ],
    ids=[
        "next month",
        "previous month",
        "same month a year before",
        "mid-month day",
        "month and the next",
        "previous and the month",
        "the month twice",
    ],
)
async def test_an_answer_that_is_not_exactly_one_count_for_exactly_the_month_is_an_upstream_error(
    points: list[tuple[dt.date, int]],
) -> None:
    with pytest.raises(UpstreamError):
        await service_for(answering(*points)).monthly_views(EINSTEIN, OCTOBER)


async def test_the_upstream_error_for_a_wrong_month_names_the_month_it_answered_for() -> None:
    with pytest.raises(UpstreamError, match="2023-11"):
        await service_for(answering((dt.date(2023, 11, 1), 951))).monthly_views(EINSTEIN, OCTOBER)


@pytest.mark.parametrize(
    "error",
    [
        NoData(),
        UpstreamError("Wikimedia answered 500"),
        UpstreamThrottled("throttled", 30.0),
        UpstreamUnavailable("unreachable", 5.0),
        UpstreamTimeout("too slow"),
    ],
    ids=lambda e: type(e).__name__,
)
async def test_a_source_error_reaches_the_caller_unchanged(error: PageviewsError) -> None:
    source = FakePageviewsSource()
    source.error = error
    with pytest.raises(type(error)) as raised:
        await service_for(source).monthly_views(EINSTEIN, OCTOBER)
    assert error is raised.value


async def test_the_current_month_is_not_complete() -> None:
    current = Month.of(NOW.date())
    answer = await service_for(source_with(current, 300)).monthly_views(EINSTEIN, current)
    expected = (300, False)
    assert expected == (answer.views, answer.complete)


async def test_a_month_within_the_settle_period_after_it_ends_is_not_complete() -> None:
    now = dt.datetime(2023, 11, 2, 23, 59, tzinfo=dt.UTC)
    answer = await service_for(source_with(OCTOBER, 857), now).monthly_views(EINSTEIN, OCTOBER)
    assert not answer.complete


async def test_a_month_is_complete_once_the_settle_period_has_passed() -> None:
    now = dt.datetime(2023, 11, 3, 0, 0, tzinfo=dt.UTC)
    answer = await service_for(source_with(OCTOBER, 857), now).monthly_views(EINSTEIN, OCTOBER)
    assert answer.complete


async def test_the_settle_period_of_the_freshness_policy_is_used() -> None:
    now = dt.datetime(2023, 11, 1, 7, 0, tzinfo=dt.UTC)
    service = service_for(source_with(OCTOBER, 857), now, settle=dt.timedelta(hours=6))
    assert (await service.monthly_views(EINSTEIN, OCTOBER)).complete


async def test_a_stale_answer_from_the_source_is_marked_stale() -> None:
    source = source_with(OCTOBER, 857)
    source.stale = True
    assert (await service_for(source).monthly_views(EINSTEIN, OCTOBER)).stale


@pytest.mark.parametrize("month", [Month(2024, 4), Month(2025, 1), Month(3000, 2)])
async def test_a_future_month_is_refused_before_asking_the_source(month: Month) -> None:
    source = source_with(month, 1)
    with pytest.raises(FutureMonth):
        await service_for(source).monthly_views(EINSTEIN, month)
    assert not source.asked


@pytest.mark.parametrize("month", [Month(2015, 6), Month(2001, 1), Month(1985, 2)])
async def test_a_month_before_july_2015_is_refused_before_asking_the_source(month: Month) -> None:
    source = source_with(month, 1)
    with pytest.raises(BeforeDataStart, match="July 2015"):
        await service_for(source).monthly_views(EINSTEIN, month)
    assert not source.asked


@given(st.builds(Month, year=st.integers(1, 9999), month=st.integers(1, 12)))
def test_every_month_outside_july_2015_to_now_is_refused_without_asking_the_source(month: Month) -> None:
    source = source_with(month, 1)
    servable = DATA_START <= month <= Month.of(NOW.date())
    try:
        asyncio.run(service_for(source).monthly_views(EINSTEIN, month))
    except (FutureMonth, BeforeDataStart):
        assert not servable
        assert not source.asked
    else:
        assert servable
