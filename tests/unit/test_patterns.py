"""The patterns the OpenAPI document states are promises: every string one matches is accepted by the domain
(hypothesis generates them from the patterns, as schemathesis does), and what the domain refuses they refuse."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pageviews.adapters.inbound.http import patterns
from pageviews.domain.countries import TOP_PER_COUNTRY_START
from pageviews.domain.devices import check_devices_range
from pageviews.domain.model import DATA_START, Article, Granularity, Month, Project
from pageviews.domain.series import PeriodRange

FAR = dt.date(2099, 12, 31)
"""A "today" after every date the patterns allow: being in the future is stated apart from the patterns."""


@given(st.from_regex(patterns.PROJECT, fullmatch=True))
def test_every_project_the_pattern_allows_is_a_project(text: str) -> None:
    Project.parse(text)


@given(st.from_regex(patterns.TITLE, fullmatch=True))
def test_every_title_the_pattern_allows_is_a_title(text: str) -> None:
    Article.parse(text)


@given(st.from_regex(patterns.MONTH, fullmatch=True))
def test_every_month_the_pattern_allows_is_a_month_with_data(text: str) -> None:
    assert Month.parse(text) >= DATA_START


@given(st.from_regex(patterns.DAY, fullmatch=True))
def test_every_day_the_pattern_allows_is_a_day_with_data(text: str) -> None:
    assert dt.date.fromisoformat(text) >= DATA_START.first_day


@given(st.from_regex(patterns.PERIOD, fullmatch=True))
def test_every_period_the_pattern_allows_starts_a_daily_range(text: str) -> None:
    PeriodRange.parse(Granularity.DAILY, text, None, FAR)


@given(st.from_regex(patterns.DEVICES_PERIOD, fullmatch=True))
def test_every_period_the_unique_devices_pattern_allows_starts_a_range_of_devices(text: str) -> None:
    check_devices_range(PeriodRange.parse(Granularity.DAILY, text, None, FAR))


@given(st.from_regex(patterns.COUNTRY_LIST_PERIOD, fullmatch=True))
def test_every_period_the_country_list_pattern_allows_is_a_day_or_month_with_a_list(text: str) -> None:
    assert dt.date.fromisoformat(text if len(text) == 10 else f"{text}-01") >= TOP_PER_COUNTRY_START


@given(st.from_regex(patterns.MONTHLY_PATH, fullmatch=True))
def test_every_path_of_the_original_endpoint_the_pattern_allows_is_a_title_year_and_month(text: str) -> None:
    head, year, month = text.rsplit("/", 2)
    Article.parse(head)
    assert Month.from_parts(year, month) >= DATA_START


@pytest.mark.parametrize(
    ("pattern", "refused"),
    [
        ("MONTH", ["2015-06", "2023-13", "2023-00", "2023-1", "1999-01"]),
        ("DAY", ["2015-06-30", "2023-02-29", "2023-04-31", "2015-09-31", "2024-02-30", "2023-1-01"]),
        ("TITLE", ["", " x", "x ", "a/../b", "./x", "x/.", "C#", "[[x]]", "a|b", "100%41", "x" * 123]),
        ("PROJECT", ["", "..", "-x", "a.b.c.d", "en wikipedia", "en/x"]),
        ("DEVICES_PERIOD", ["2015-12", "2015-12-31", "2015-07-01", "2023-02-29", "2016-13"]),
        ("COUNTRY_LIST_PERIOD", ["2020-12", "2020-12-31", "2021-02-29", "2024-02-30", "2100-02-29"]),
    ],
)
def test_what_the_domain_refuses_the_pattern_refuses(pattern: str, refused: list[str]) -> None:
    compiled = re.compile(getattr(patterns, pattern))
    assert [text for text in refused if compiled.fullmatch(text)] == []


def test_a_leap_day_is_allowed_only_in_a_leap_year() -> None:
    days = re.compile(patterns.DAY)
    assert [bool(days.fullmatch(f"{year}-02-29")) for year in (2016, 2023, 2024, 2100)] == [
        True,
        False,
        True,
        False,
    ]
