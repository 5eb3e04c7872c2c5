"""Which months can be asked about, and when a month's count is final."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pageviews.domain.errors import BeforeDataStart, FutureMonth
from pageviews.domain.freshness import Freshness
from pageviews.domain.model import DATA_START, Granularity, Month

OCTOBER = Month(2023, 10)
OCTOBER_ENDS = dt.datetime(2023, 11, 1, tzinfo=dt.UTC)
NOW = dt.datetime(2024, 1, 15, 12, 0, tzinfo=dt.UTC)

instants = st.datetimes(
    min_value=dt.datetime(2015, 1, 1), max_value=dt.datetime(2040, 12, 31), timezones=st.just(dt.UTC)
)
months = st.builds(Month, year=st.integers(2000, 2045), month=st.integers(1, 12))
settles = st.timedeltas(min_value=dt.timedelta(0), max_value=dt.timedelta(days=31))


def test_a_month_is_not_complete_while_it_runs() -> None:
    assert not Freshness().is_complete(OCTOBER, dt.datetime(2023, 10, 31, 23, 59, 59, tzinfo=dt.UTC))


def test_a_month_is_not_complete_within_the_default_48_hours_after_it_ends() -> None:
    assert not Freshness().is_complete(OCTOBER, OCTOBER_ENDS + dt.timedelta(hours=47, minutes=59))


def test_a_month_is_complete_once_48_hours_have_passed_after_it_ends() -> None:
    assert Freshness().is_complete(OCTOBER, OCTOBER_ENDS + dt.timedelta(hours=48))


def test_the_settle_period_is_configurable() -> None:
    freshness = Freshness(settle=dt.timedelta(hours=6))
    assert not freshness.is_complete(OCTOBER, OCTOBER_ENDS + dt.timedelta(hours=5))
    assert freshness.is_complete(OCTOBER, OCTOBER_ENDS + dt.timedelta(hours=6))


def test_with_no_settle_period_a_month_is_complete_the_instant_it_ends() -> None:
    assert Freshness(settle=dt.timedelta(0)).is_complete(OCTOBER, OCTOBER_ENDS)


@given(months, instants, settles)
def test_no_month_is_complete_before_it_ends(month: Month, now: dt.datetime, settle: dt.timedelta) -> None:
    if now < month.end():
        assert not Freshness(settle=settle).is_complete(month, now)


@given(months, instants, st.timedeltas(min_value=dt.timedelta(0), max_value=dt.timedelta(days=3650)), settles)
def test_a_complete_month_stays_complete(
    month: Month, now: dt.datetime, later: dt.timedelta, settle: dt.timedelta
) -> None:
    freshness = Freshness(settle=settle)
    if freshness.is_complete(month, now):
        assert freshness.is_complete(month, now + later)


def test_the_current_month_can_be_asked_about() -> None:
    Freshness().check_servable(Month(2024, 1), NOW)


@pytest.mark.parametrize("month", [Month(2024, 2), Month(2025, 1), Month(3000, 2)])
def test_a_future_month_is_refused(month: Month) -> None:
    with pytest.raises(FutureMonth, match="future"):
        Freshness().check_servable(month, NOW)


def test_july_2015_the_first_month_with_data_can_be_asked_about() -> None:
    Freshness().check_servable(DATA_START, NOW)


@pytest.mark.parametrize("month", [Month(2015, 6), Month(2015, 1), Month(1985, 2), Month(1, 1)])
def test_a_month_before_july_2015_is_refused_and_the_error_says_when_data_starts(month: Month) -> None:
    with pytest.raises(BeforeDataStart, match="July 2015"):
        Freshness().check_servable(month, NOW)


def test_the_current_month_is_the_one_in_utc_whatever_the_clock_zone() -> None:
    new_year_in_berlin = dt.datetime(2024, 1, 1, 0, 30, tzinfo=dt.timezone(dt.timedelta(hours=1)))
    with pytest.raises(FutureMonth):
        Freshness().check_servable(Month(2024, 1), new_year_in_berlin)


@given(st.builds(Month, year=st.integers(1, 9999), month=st.integers(1, 12)), instants)
def test_exactly_the_months_from_july_2015_to_the_current_one_can_be_asked_about(
    month: Month, now: dt.datetime
) -> None:
    servable = DATA_START <= month <= Month.of(now.date())
    try:
        Freshness().check_servable(month, now)
    except (FutureMonth, BeforeDataStart):
        assert not servable
    else:
        assert servable


@given(
    granularity=st.sampled_from(list(Granularity)),
    start=st.dates(dt.date(2015, 7, 1), dt.date(2030, 12, 31)),
    now=st.datetimes(dt.datetime(2015, 7, 1), dt.datetime(2031, 1, 31), timezones=st.just(dt.UTC)),
    settle_hours=st.integers(0, 24 * 31),
)
def test_the_last_settled_start_is_the_settle_rule_solved_for_the_start(
    granularity: Granularity, start: dt.date, now: dt.datetime, settle_hours: int
) -> None:
    freshness = Freshness(settle=dt.timedelta(hours=settle_hours))
    start = start if granularity is Granularity.DAILY else start.replace(day=1)
    settled = freshness.is_settled(granularity.end_of(start), now)
    assert settled == (start <= freshness.last_settled_start(granularity, now))
