"""Series over ranges: which ranges can be asked, how Wikimedia's omitted periods are filled, what is refused
from the source, the peak, and splits that add up."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Mapping, Sequence

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pageviews.domain.errors import InvalidBreakdown, InvalidGranularity, InvalidInput, NoData, UpstreamError
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
from pageviews.domain.series import (
    MAX_DAYS,
    MAX_MONTHS,
    Breakdown,
    PeriodRange,
    Series,
    SeriesItem,
    build_items,
    checked_points,
)

DAILY, MONTHLY = Granularity.DAILY, Granularity.MONTHLY
TODAY = dt.date(2024, 1, 15)
NOW = dt.datetime(2024, 1, 15, 12, tzinfo=dt.UTC)
LONG_AFTER = dt.datetime(2100, 1, 1, tzinfo=dt.UTC)
"""A time at which every period of every generated range has settled."""
FRESHNESS = Freshness()
QUERY = ArticleQuery(Project("en.wikipedia"), Article("Albert_Einstein"))


def d(text: str) -> dt.date:
    return dt.date.fromisoformat(text)


def parse(
    granularity: Granularity, start: str, end: str | None = None, today: dt.date = TODAY
) -> PeriodRange:
    return PeriodRange.parse(granularity, start, end, today)


def assert_refused(
    code: str, granularity: Granularity, start: str, end: str | None = None, today: dt.date = TODAY
) -> None:
    with pytest.raises(InvalidInput) as caught:
        parse(granularity, start, end, today)
    assert code == caught.value.code


def items_of(periods: PeriodRange, points: Sequence[DataPoint], now: dt.datetime) -> tuple[SeriesItem, ...]:
    return build_items(periods, {"": checked_points(periods, points)}, now, FRESHNESS)


# -- PeriodRange.parse ---------------------------------------------------------------------------------------


def test_a_monthly_range_runs_from_the_first_day_of_from_to_the_last_day_of_to() -> None:
    assert PeriodRange(MONTHLY, d("2023-01-01"), d("2023-12-31")) == parse(MONTHLY, "2023-01", "2023-12")


def test_a_monthly_range_without_to_is_the_month_of_from() -> None:
    assert PeriodRange(MONTHLY, d("2023-02-01"), d("2023-02-28")) == parse(MONTHLY, "2023-02")


def test_a_daily_range_runs_between_the_days_given() -> None:
    assert PeriodRange(DAILY, d("2023-10-17"), d("2023-10-20")) == parse(DAILY, "2023-10-17", "2023-10-20")


def test_a_daily_range_without_to_is_the_day_of_from() -> None:
    assert PeriodRange(DAILY, d("2023-10-17"), d("2023-10-17")) == parse(DAILY, "2023-10-17")


def test_a_daily_range_of_a_month_covers_every_day_of_that_month() -> None:
    assert PeriodRange(DAILY, d("2020-02-01"), d("2020-02-29")) == parse(DAILY, "2020-02")


def test_a_month_as_the_daily_to_means_its_last_day() -> None:
    assert PeriodRange(DAILY, d("2023-01-15"), d("2023-02-28")) == parse(DAILY, "2023-01-15", "2023-02")


def test_a_month_as_the_daily_from_means_its_first_day() -> None:
    assert PeriodRange(DAILY, d("2023-01-01"), d("2023-01-03")) == parse(DAILY, "2023-01", "2023-01-03")


@pytest.mark.parametrize(
    ("granularity", "start", "end"),
    [(MONTHLY, "2023-05", "2023-04"), (DAILY, "2023-05-02", "2023-05-01"), (DAILY, "2023-05-02", "2023-04")],
)
def test_a_range_that_starts_after_it_ends_is_invalid(granularity: Granularity, start: str, end: str) -> None:
    assert_refused("invalid_range", granularity, start, end)


@pytest.mark.parametrize(("granularity", "start"), [(MONTHLY, "2015-06"), (DAILY, "2015-06-30")])
def test_a_range_starting_before_july_2015_is_before_the_data_start(
    granularity: Granularity, start: str
) -> None:
    assert_refused("before_data_start", granularity, start, "2015-07")


@pytest.mark.parametrize(("granularity", "start"), [(MONTHLY, "2015-07"), (DAILY, "2015-07-01")])
def test_a_range_starting_in_july_2015_is_accepted(granularity: Granularity, start: str) -> None:
    assert DATA_START.first_day == parse(granularity, start).first


def test_a_monthly_range_ending_after_the_current_month_is_a_future_month() -> None:
    assert_refused("future_month", MONTHLY, "2023-12", "2024-02")


def test_a_monthly_range_may_end_in_the_current_month() -> None:
    assert d("2024-01-31") == parse(MONTHLY, "2023-12", "2024-01").last


def test_the_current_month_asked_as_a_daily_month_runs_up_to_today() -> None:
    assert (d("2024-01-01"), TODAY) == (parse(DAILY, "2024-01").first, parse(DAILY, "2024-01").last)


def test_a_daily_range_to_the_current_month_ends_today() -> None:
    assert parse(DAILY, "2023-12-01", "2024-01").last == TODAY


def test_a_daily_range_ending_after_today_is_a_future_date() -> None:
    assert_refused("future_date", DAILY, "2024-01-10", "2024-01-16")


def test_a_daily_range_may_end_today() -> None:
    today = TODAY
    assert today == parse(DAILY, "2024-01-10", "2024-01-15").last


def test_a_daily_range_may_cover_max_days() -> None:
    first = d("2020-01-01")
    last = first + dt.timedelta(days=MAX_DAYS - 1)
    longest = MAX_DAYS
    assert longest == parse(DAILY, first.isoformat(), last.isoformat()).count()


def test_a_daily_range_longer_than_max_days_is_invalid() -> None:
    first = d("2020-01-01")
    last = first + dt.timedelta(days=MAX_DAYS)
    assert_refused("invalid_range", DAILY, first.isoformat(), last.isoformat())


def test_a_monthly_range_may_cover_max_months() -> None:
    last = Month(2015 + (6 + MAX_MONTHS - 1) // 12, (6 + MAX_MONTHS - 1) % 12 + 1)
    longest = MAX_MONTHS
    assert longest == parse(MONTHLY, "2015-07", str(last), today=last.last_day).count()


def test_a_monthly_range_longer_than_max_months_is_invalid() -> None:
    last = Month(2015 + (6 + MAX_MONTHS) // 12, (6 + MAX_MONTHS) % 12 + 1)
    assert_refused("invalid_range", MONTHLY, "2015-07", str(last), today=last.last_day)


@pytest.mark.parametrize(
    ("code", "granularity", "start"),
    [
        ("invalid_range", DAILY, "2023-02-30"),
        ("invalid_range", DAILY, "2023-13-01"),
        ("invalid_month", DAILY, "2023-13"),
        ("invalid_month", DAILY, "23-01"),
        ("invalid_month", DAILY, "23-01-01"),
        ("invalid_month", DAILY, "2023-1-5"),
        ("invalid_month", DAILY, ""),
        ("invalid_month", MONTHLY, "2023-13"),
        ("invalid_month", MONTHLY, "2023-00"),
        ("invalid_month", MONTHLY, "23-01"),
        ("invalid_month", MONTHLY, "2023-1"),
        ("invalid_month", MONTHLY, "2023-01-15"),
    ],
)
def test_a_malformed_date_is_rejected(code: str, granularity: Granularity, start: str) -> None:
    assert_refused(code, granularity, start)


def test_a_malformed_to_is_rejected_like_a_malformed_from() -> None:
    assert_refused("invalid_range", DAILY, "2023-02-01", "2023-02-30")


# -- Granularity and Breakdown parsing -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"), [("daily", DAILY), ("MONTHLY", MONTHLY), (" monthly ", MONTHLY)]
)
def test_granularity_parses_its_names_in_any_case(raw: str, expected: Granularity) -> None:
    assert expected is Granularity.parse(raw)


@pytest.mark.parametrize("raw", ["hourly", "", "day"])
def test_granularity_refuses_anything_but_daily_or_monthly(raw: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        Granularity.parse(raw)
    assert InvalidGranularity is type(caught.value)


@pytest.mark.parametrize(
    ("raw", "access", "agent", "expected"),
    [
        ("agent", Access.ALL, None, Breakdown.AGENT),
        ("agent", Access.ALL, Agent.ALL, Breakdown.AGENT),
        ("agent", Access.DESKTOP, None, Breakdown.AGENT),
        ("Access", Access.ALL, None, Breakdown.ACCESS),
        ("access", Access.ALL, Agent.SPIDER, Breakdown.ACCESS),
    ],
)
def test_a_breakdown_is_accepted_when_no_filter_contradicts_it(
    raw: str, access: Access, agent: Agent | None, expected: Breakdown
) -> None:
    assert expected is Breakdown.parse(raw, access, agent)


@pytest.mark.parametrize(
    ("raw", "access", "agent"),
    [
        ("agent", Access.ALL, Agent.USER),
        ("agent", Access.ALL, Agent.SPIDER),
        ("access", Access.DESKTOP, None),
        ("access", Access.MOBILE_APP, Agent.USER),
        ("country", Access.ALL, None),
    ],
)
def test_a_breakdown_contradicting_a_filter_or_unknown_is_invalid(
    raw: str, access: Access, agent: Agent | None
) -> None:
    with pytest.raises(InvalidInput) as caught:
        Breakdown.parse(raw, access, agent)
    assert InvalidBreakdown is type(caught.value)


def test_the_agent_breakdown_asks_user_spider_and_automated() -> None:
    expected = {
        "user": (Access.ALL, Agent.USER),
        "spider": (Access.ALL, Agent.SPIDER),
        "automated": (Access.ALL, Agent.AUTOMATED),
    }
    assert expected == {name: (q.access, q.agent) for name, q in Breakdown.AGENT.parts(QUERY).items()}


def test_the_access_breakdown_asks_desktop_mobile_web_and_mobile_app_for_the_same_agent() -> None:
    expected = {
        "desktop": (Access.DESKTOP, Agent.USER),
        "mobile-web": (Access.MOBILE_WEB, Agent.USER),
        "mobile-app": (Access.MOBILE_APP, Agent.USER),
    }
    assert expected == {name: (q.access, q.agent) for name, q in Breakdown.ACCESS.parts(QUERY).items()}


# -- checked_points ------------------------------------------------------------------------------------------


def test_checked_points_keys_the_views_by_period_start() -> None:
    periods = PeriodRange(MONTHLY, d("2023-01-01"), d("2023-03-31"))
    points = [DataPoint(d("2023-03-01"), 3), DataPoint(d("2023-01-01"), 1)]
    assert {d("2023-01-01"): 1, d("2023-03-01"): 3} == checked_points(periods, points)


@pytest.mark.parametrize("period", ["2022-12-01", "2023-04-01"])
def test_a_point_outside_the_range_is_an_upstream_error(period: str) -> None:
    periods = PeriodRange(MONTHLY, d("2023-01-01"), d("2023-03-31"))
    with pytest.raises(UpstreamError):
        checked_points(periods, [DataPoint(d(period), 1)])


def test_a_daily_point_after_the_last_day_is_an_upstream_error() -> None:
    periods = PeriodRange(DAILY, d("2023-01-01"), d("2023-01-03"))
    with pytest.raises(UpstreamError):
        checked_points(periods, [DataPoint(d("2023-01-04"), 1)])


def test_a_monthly_point_not_on_the_first_day_of_a_month_is_an_upstream_error() -> None:
    periods = PeriodRange(MONTHLY, d("2023-01-01"), d("2023-03-31"))
    with pytest.raises(UpstreamError):
        checked_points(periods, [DataPoint(d("2023-02-15"), 1)])


def test_two_points_for_one_period_are_an_upstream_error() -> None:
    periods = PeriodRange(DAILY, d("2023-01-01"), d("2023-01-03"))
    with pytest.raises(UpstreamError):
        checked_points(periods, [DataPoint(d("2023-01-02"), 1), DataPoint(d("2023-01-02"), 1)])


# -- build_items: zero-filling and completeness --------------------------------------------------------------


def test_a_settled_period_wikimedia_omitted_is_zero() -> None:
    periods = PeriodRange(MONTHLY, d("2023-01-01"), d("2023-03-31"))
    points = [DataPoint(d("2023-01-01"), 5), DataPoint(d("2023-03-01"), 7)]
    assert (
        SeriesItem(d("2023-01-01"), 5, True),
        SeriesItem(d("2023-02-01"), 0, True),
        SeriesItem(d("2023-03-01"), 7, True),
    ) == items_of(periods, points, NOW)


def test_an_unsettled_period_wikimedia_omitted_is_absent() -> None:
    """At noon on Jan 15 with 48 h to settle, Jan 13-15 are unsettled; Jan 10-12 are settled."""
    periods = PeriodRange(DAILY, d("2024-01-10"), d("2024-01-15"))
    points = [DataPoint(d("2024-01-10"), 1), DataPoint(d("2024-01-13"), 4)]
    assert [d("2024-01-10"), d("2024-01-11"), d("2024-01-12"), d("2024-01-13")] == [
        item.period for item in items_of(periods, points, NOW)
    ]


def test_an_unsettled_period_wikimedia_reported_is_incomplete() -> None:
    periods = PeriodRange(DAILY, d("2024-01-12"), d("2024-01-13"))
    points = [DataPoint(d("2024-01-12"), 1), DataPoint(d("2024-01-13"), 4)]
    assert (SeriesItem(d("2024-01-12"), 1, True), SeriesItem(d("2024-01-13"), 4, False)) == items_of(
        periods, points, NOW
    )


def test_the_current_month_is_incomplete() -> None:
    periods = PeriodRange(MONTHLY, d("2023-12-01"), d("2024-01-31"))
    points = [DataPoint(d("2023-12-01"), 10), DataPoint(d("2024-01-01"), 4)]
    expected = [True, False]
    assert expected == [item.complete for item in items_of(periods, points, NOW)]


def test_a_month_within_the_settle_period_after_its_end_is_incomplete() -> None:
    periods = PeriodRange(MONTHLY, d("2023-12-01"), d("2023-12-31"))
    just_after = dt.datetime(2024, 1, 2, 23, tzinfo=dt.UTC)
    (item,) = items_of(periods, [DataPoint(d("2023-12-01"), 10)], just_after)
    assert not item.complete


def test_a_range_without_any_data_is_no_data() -> None:
    periods = PeriodRange(MONTHLY, d("2023-01-01"), d("2023-03-31"))
    with pytest.raises(NoData):
        items_of(periods, [], NOW)


def test_a_split_range_whose_parts_all_lack_data_is_no_data() -> None:
    periods = PeriodRange(MONTHLY, d("2023-01-01"), d("2023-03-31"))
    with pytest.raises(NoData):
        build_items(periods, {"user": {}, "spider": {}, "automated": {}}, NOW, FRESHNESS)


def test_a_part_without_data_counts_as_zero_in_each_period() -> None:
    periods = PeriodRange(MONTHLY, d("2023-01-01"), d("2023-01-31"))
    parts = {"user": {d("2023-01-01"): 9}, "spider": {}, "automated": {d("2023-01-01"): 1}}
    assert (SeriesItem(d("2023-01-01"), 10, True, {"user": 9, "spider": 0, "automated": 1}),) == build_items(
        periods, parts, NOW, FRESHNESS
    )


def test_an_item_without_a_breakdown_carries_no_parts() -> None:
    periods = PeriodRange(MONTHLY, d("2023-01-01"), d("2023-01-31"))
    (item,) = items_of(periods, [DataPoint(d("2023-01-01"), 3)], NOW)
    assert item.parts is None


# -- Series: total and peak ----------------------------------------------------------------------------------


def series_of(*views: int) -> Series:
    periods = PeriodRange(DAILY, d("2023-10-01"), d("2023-10-01") + dt.timedelta(days=max(len(views) - 1, 0)))
    items = tuple(SeriesItem(start, v, True) for start, v in zip(periods.starts(), views, strict=False))
    return Series(QUERY, periods, items)


def test_the_total_is_the_sum_of_the_items() -> None:
    expected = 60
    assert expected == series_of(10, 20, 30).total


def test_the_peak_is_the_period_with_the_most_views() -> None:
    assert SeriesItem(d("2023-10-02"), 23979, True) == series_of(5, 23979, 7).peak


def test_the_peak_among_equal_views_is_the_earliest() -> None:
    peak = series_of(5, 9, 3, 9).peak
    assert peak is not None
    assert d("2023-10-02") == peak.period


def test_a_series_without_items_has_no_peak() -> None:
    assert series_of().peak is None


# -- properties ----------------------------------------------------------------------------------------------

first_months = st.builds(Month, st.integers(2015, 2030), st.integers(1, 12)).filter(lambda m: m >= DATA_START)
views = st.integers(min_value=0, max_value=10**9)


def monthly_range(first: Month, count: int) -> PeriodRange:
    last = first
    for _ in range(count - 1):
        last = last.next()
    return PeriodRange(MONTHLY, first.first_day, last.last_day)


@st.composite
def ranges(draw: st.DrawFn, min_periods: int = 1) -> PeriodRange:
    first = draw(first_months)
    if draw(st.booleans()):
        return monthly_range(first, draw(st.integers(min_periods, 30)))
    start = first.first_day + dt.timedelta(days=draw(st.integers(0, 27)))
    return PeriodRange(DAILY, start, start + dt.timedelta(days=draw(st.integers(min_periods - 1, 90))))


@st.composite
def points_in(draw: st.DrawFn, periods: PeriodRange, keep: Sequence[dt.date] = ()) -> list[DataPoint]:
    """Some of the range's periods with views, as Wikimedia would report them (others omitted); the periods
    in `keep` are always reported."""
    starts = list(periods.starts())
    present = draw(st.lists(st.booleans(), min_size=len(starts), max_size=len(starts)))
    return [DataPoint(s, draw(views)) for s, there in zip(starts, present, strict=True) if there or s in keep]


def nows_around(periods: PeriodRange) -> st.SearchStrategy[dt.datetime]:
    """From the start of the range to a few days after its settle time, so some periods may be unsettled."""
    start = dt.datetime.combine(periods.first, dt.time(), tzinfo=dt.UTC)
    end = periods.period_end(periods.last) + FRESHNESS.settle + dt.timedelta(days=3)
    return st.datetimes(
        min_value=start.replace(tzinfo=None), max_value=end.replace(tzinfo=None), timezones=st.just(dt.UTC)
    )


def month_sums(points: Sequence[DataPoint]) -> list[DataPoint]:
    """Monthly points derived from daily ones the way Wikimedia does: the sum of the days it has."""
    sums: dict[dt.date, int] = defaultdict(int)
    for point in points:
        sums[point.period.replace(day=1)] += point.views
    return [DataPoint(month, total) for month, total in sums.items()]


def totals_by_month(items: Sequence[SeriesItem]) -> Mapping[dt.date, int]:
    totals: dict[dt.date, int] = defaultdict(int)
    for item in items:
        totals[item.period.replace(day=1)] += item.views
    return totals


@given(data=st.data(), first=first_months, count=st.integers(1, 4))
def test_a_monthly_total_equals_the_sum_of_that_months_daily_values(
    data: st.DataObject, first: Month, count: int
) -> None:
    months = monthly_range(first, count)
    days = PeriodRange(DAILY, months.first, months.last)
    daily_points = data.draw(points_in(days, keep=[days.first]))
    now = data.draw(nows_around(days))

    monthly = totals_by_month(items_of(months, month_sums(daily_points), now))
    daily = totals_by_month(items_of(days, daily_points, now))

    assert [daily.get(m, 0) for m in months.starts()] == [monthly.get(m, 0) for m in months.starts()]


def halves(periods: PeriodRange) -> tuple[PeriodRange, PeriodRange]:
    """Two adjacent ranges that cover `periods` (of at least two periods)."""
    middle = list(periods.starts())[periods.count() // 2]
    return (
        PeriodRange(periods.granularity, periods.first, middle - dt.timedelta(days=1)),
        PeriodRange(periods.granularity, middle, periods.last),
    )


@given(data=st.data(), periods=ranges(min_periods=2))
def test_a_ranges_items_are_the_concatenation_of_its_halves_items(
    data: st.DataObject, periods: PeriodRange
) -> None:
    starts = list(periods.starts())
    points = data.draw(points_in(periods, keep=[starts[0], starts[-1]]))
    now = data.draw(nows_around(periods))
    first, second = halves(periods)

    def within(half: PeriodRange) -> list[DataPoint]:
        return [p for p in points if half.first <= p.period <= half.last]

    assert items_of(periods, points, now) == items_of(first, within(first), now) + items_of(
        second, within(second), now
    )


@given(data=st.data(), periods=ranges())
def test_settled_zero_filled_items_cover_every_period_exactly_once(
    data: st.DataObject, periods: PeriodRange
) -> None:
    points = data.draw(points_in(periods, keep=[periods.first]))
    assert list(periods.starts()) == [item.period for item in items_of(periods, points, LONG_AFTER)]


@given(data=st.data(), periods=ranges())
def test_every_items_breakdown_adds_up_to_its_views(data: st.DataObject, periods: PeriodRange) -> None:
    names = ["user", "spider", "automated"]
    parts = {
        name: checked_points(
            periods, data.draw(points_in(periods, keep=[periods.first] if name == "user" else []))
        )
        for name in names
    }
    now = data.draw(nows_around(periods))
    for item in build_items(periods, parts, now, FRESHNESS):
        assert item.parts is not None
        assert (names, item.views) == (list(item.parts), sum(item.parts.values()))
