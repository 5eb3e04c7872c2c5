"""A month's most viewed articles: only for complete months, at most `limit` of them, ranked as Wikimedia
ranks them (ties included)."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pageviews.application.use_cases import PageviewsService
from pageviews.domain.errors import InvalidInput, InvalidLimit, InvalidRequest, NoData
from pageviews.domain.freshness import Freshness
from pageviews.domain.model import Access, Month, Project
from pageviews.domain.top import DEFAULT_TOP, MAX_TOP, TopArticles, TopEntry, check_limit, parse_limit
from tests.support.fakes import FakePageviewsSource, FakeTopArticlesSource, FixedClock

NOW = dt.datetime(2024, 1, 15, 12, tzinfo=dt.UTC)
WIKIPEDIA = Project("en.wikipedia")
DECEMBER = Month(2023, 12)
ENTRIES = (
    TopEntry(1, "Main_Page", 900),
    TopEntry(2, "Taylor_Swift", 500),
    TopEntry(2, "Travis_Kelce", 500),
    TopEntry(4, "ChatGPT", 100),
)


def top_source(month: Month = DECEMBER, entries: tuple[TopEntry, ...] = ENTRIES) -> FakeTopArticlesSource:
    source = FakeTopArticlesSource()
    source.lists[(WIKIPEDIA, Access.ALL, month)] = TopArticles(WIKIPEDIA, Access.ALL, month, entries)
    return source


def service_for(source: FakeTopArticlesSource, now: dt.datetime = NOW) -> PageviewsService:
    return PageviewsService(
        source=FakePageviewsSource(), clock=FixedClock(now), freshness=Freshness(), top_source=source
    )


async def assert_refused(
    code: str, source: FakeTopArticlesSource, month: Month, limit: int = DEFAULT_TOP, now: dt.datetime = NOW
) -> None:
    with pytest.raises(InvalidInput) as caught:
        await service_for(source, now).top(WIKIPEDIA, Access.ALL, month, limit)
    assert code == caught.value.code


@pytest.mark.parametrize("limit", [1, DEFAULT_TOP, MAX_TOP])
def test_a_limit_from_one_to_the_maximum_is_accepted(limit: int) -> None:
    assert limit == check_limit(limit)


@pytest.mark.parametrize("limit", [0, -1, MAX_TOP + 1])
def test_a_limit_outside_one_to_the_maximum_is_invalid(limit: int) -> None:
    with pytest.raises(InvalidLimit):
        check_limit(limit)


def written_plainly(text: str) -> bool:
    try:
        return str(int(text)) == text
    except ValueError:
        return False


SIGNED_DIGITS = st.builds(
    str.__add__,
    st.sampled_from(["", "-", "+", " ", "\u2212"]),
    st.text("0123456789\u0661", min_size=1, max_size=6),
)
"""Numbers as people and programs write them, `-0` and `010` included."""


@given(SIGNED_DIGITS | st.text(alphabet="-+0123456789 ._e", max_size=7))
def test_a_limit_is_read_only_from_an_integer_written_plainly(text: str) -> None:
    """`-0`, `+5`, `010`, `1_0` or ` 5` are refused as `invalid_request`; a plain integer is read, then
    bounded (`invalid_limit`)."""
    try:
        parse_limit(text)
        read = True
    except InvalidLimit:
        read = True
    except InvalidRequest:
        read = False
    assert written_plainly(text) == read


def test_the_default_limit_is_100_and_the_maximum_1000() -> None:
    expected = (100, 1000)
    assert expected == (DEFAULT_TOP, MAX_TOP)


async def test_a_complete_months_list_is_answered_with_ties_as_ranked() -> None:
    top = await service_for(top_source()).top(WIKIPEDIA, Access.ALL, DECEMBER, DEFAULT_TOP)
    assert TopArticles(WIKIPEDIA, Access.ALL, DECEMBER, ENTRIES) == top


async def test_the_list_is_cut_at_the_limit() -> None:
    top = await service_for(top_source()).top(WIKIPEDIA, Access.ALL, DECEMBER, 2)
    assert ENTRIES[:2] == top.entries


async def test_the_current_month_is_not_complete() -> None:
    source = top_source(Month(2024, 1))
    await assert_refused("month_not_complete", source, Month(2024, 1))


async def test_a_month_within_the_settle_period_after_its_end_is_not_complete() -> None:
    source = top_source()
    just_after = dt.datetime(2024, 1, 2, 23, tzinfo=dt.UTC)
    await assert_refused("month_not_complete", source, DECEMBER, now=just_after)


async def test_an_incomplete_month_is_refused_without_asking_the_source() -> None:
    source = top_source(Month(2024, 1))
    await assert_refused("month_not_complete", source, Month(2024, 1))
    assert not source.asked


async def test_a_future_month_is_a_future_month() -> None:
    await assert_refused("future_month", top_source(), Month(2024, 2))


async def test_a_month_before_july_2015_is_before_the_data_start() -> None:
    await assert_refused("before_data_start", top_source(), Month(2015, 6))


@pytest.mark.parametrize("limit", [0, MAX_TOP + 1])
async def test_an_invalid_limit_is_refused_without_asking_the_source(limit: int) -> None:
    source = top_source()
    await assert_refused("invalid_limit", source, DECEMBER, limit)
    assert not source.asked


async def test_a_month_without_a_list_is_no_data() -> None:
    with pytest.raises(NoData):
        await service_for(FakeTopArticlesSource()).top(WIKIPEDIA, Access.ALL, DECEMBER, DEFAULT_TOP)


async def test_the_source_is_asked_for_the_project_access_and_month() -> None:
    source = FakeTopArticlesSource()
    source.lists[(WIKIPEDIA, Access.MOBILE_WEB, DECEMBER)] = TopArticles(
        WIKIPEDIA, Access.MOBILE_WEB, DECEMBER, ENTRIES
    )
    await service_for(source).top(WIKIPEDIA, Access.MOBILE_WEB, DECEMBER, DEFAULT_TOP)
    expected = [(WIKIPEDIA, Access.MOBILE_WEB, DECEMBER)]
    assert expected == source.asked
