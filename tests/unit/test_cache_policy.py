"""The cache policy: what is remembered for how long, and what a key must tell apart."""

from __future__ import annotations

import datetime as dt
import itertools

from hypothesis import given
from hypothesis import strategies as st

from pageviews.domain.cache_policy import CachePolicy, article_series, block_key, top_key
from pageviews.domain.model import Access, Agent, Article, ArticleQuery, Granularity, Month, Project

POLICY = CachePolicy()
OCTOBER_END = dt.datetime(2023, 11, 1, tzinfo=dt.UTC)
instants = st.datetimes(
    min_value=dt.datetime(2015, 1, 1), max_value=dt.datetime(2030, 1, 1), timezones=st.just(dt.UTC)
)


def test_a_settled_period_is_fresh_for_the_long_ttl() -> None:
    """Two days after October ended, its numbers are final: they are kept for 30 days."""
    assert dt.timedelta(days=30) == POLICY.fresh_for(OCTOBER_END, OCTOBER_END + dt.timedelta(hours=48))


def test_a_period_not_settled_yet_is_fresh_briefly() -> None:
    assert dt.timedelta(minutes=10) == POLICY.fresh_for(OCTOBER_END, OCTOBER_END + dt.timedelta(hours=47))


def test_the_current_period_is_fresh_briefly() -> None:
    assert dt.timedelta(minutes=10) == POLICY.fresh_for(OCTOBER_END, OCTOBER_END - dt.timedelta(days=3))


def test_no_data_is_fresh_briefly_even_for_a_settled_period() -> None:
    now = OCTOBER_END + dt.timedelta(days=365)
    entry = POLICY.no_data("nothing", now)
    assert (now + dt.timedelta(minutes=5), "nothing") == (entry.fresh_until, entry.no_data)


@given(period_end=instants, now=instants)
def test_an_answer_is_fresh_now_and_kept_beyond_its_freshness(
    period_end: dt.datetime, now: dt.datetime
) -> None:
    entry = POLICY.answer(b"x", period_end, now)
    assert entry.is_fresh(now)
    assert entry.keep_until == entry.fresh_until + POLICY.keep_stale


@given(period_end=instants, now=instants)
def test_the_long_ttl_applies_exactly_to_settled_periods(period_end: dt.datetime, now: dt.datetime) -> None:
    settled = now >= period_end + POLICY.freshness.settle
    assert (POLICY.settled_ttl if settled else POLICY.unsettled_ttl) == POLICY.fresh_for(period_end, now)


def test_a_period_ends_when_its_last_day_does() -> None:
    assert Granularity.DAILY.end_of(dt.date(2023, 10, 31)) == OCTOBER_END


def test_every_part_of_a_per_article_block_changes_its_key() -> None:
    """Two blocks share a key only if they are the same month of the same series (project, article, access,
    agent) at the same granularity."""
    blocks = list(
        itertools.product(
            [Project("en.wikipedia"), Project("de.wikipedia")],
            [Article("Albert_Einstein"), Article("AC/DC")],
            [Access.ALL, Access.DESKTOP],
            [Agent.USER, Agent.SPIDER],
            list(Granularity),
            [Month(2023, 10), Month(2023, 11), Month(2024, 10)],
        )
    )
    keys = {
        block_key(article_series(ArticleQuery(project, article, access, agent)), granularity, month)
        for project, article, access, agent, granularity, month in blocks
    }
    assert len(blocks) == len(keys)


@given(a=st.text(min_size=1), b=st.text(min_size=1))
def test_titles_never_collide_in_keys(a: str, b: str) -> None:
    def key(title: str) -> str:
        series = article_series(ArticleQuery(Project("en.wikipedia"), Article(title)))
        return block_key(series, Granularity.DAILY, Month(2023, 10))

    assert (key(a) == key(b)) == (a == b)


def test_top_lists_are_keyed_by_project_access_and_month() -> None:
    keys = {
        top_key(project, access, month)
        for project in (Project("en.wikipedia"), Project("de.wikipedia"))
        for access in (Access.ALL, Access.MOBILE_WEB)
        for month in (Month(2023, 9), Month(2023, 10))
    }
    assert len(keys) == 8
