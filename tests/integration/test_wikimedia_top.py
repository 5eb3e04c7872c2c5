"""The Wikimedia adapter's top lists: the shape Wikimedia sends (one list per month, `articles` ranked, ranks
that may tie), and every other answer turned into a domain error."""

from __future__ import annotations

import json

import pytest

from pageviews.adapters.outbound.wikimedia.client import WikimediaPageviewsSource
from pageviews.domain.errors import NoData, UpstreamError
from pageviews.domain.model import Access, Month, Project
from pageviews.domain.top import TopEntry
from tests.support.app import USER_AGENT
from tests.support.fake_wikimedia import PREFIX, Canned, FakeWikimedia

WIKIPEDIA = Project("en.wikipedia")
OCTOBER = Month(2023, 10)
ARTICLES = [
    {"article": "Special:Search", "views": 25909984, "rank": 2},
    {"article": "Main_Page", "views": 216848380, "rank": 1},
    {"article": "Hayden_Panettiere", "views": 25909984, "rank": 2},
]


def top_body(year: str = "2023", month: str = "10", lists: int = 1) -> bytes:
    item = {
        "project": "en.wikipedia",
        "access": "all-access",
        "year": year,
        "month": month,
        "day": "all-days",
    }
    return json.dumps({"items": [{**item, "articles": ARTICLES}] * lists}).encode()


@pytest.fixture(autouse=True)
def seeded(fake: FakeWikimedia) -> None:
    fake.top[("en.wikipedia", "all-access", "2023", "10")] = ARTICLES


async def test_a_top_list_is_the_months_articles_in_rank_order_with_ties_kept(
    source: WikimediaPageviewsSource,
) -> None:
    top = await source.top_articles(WIKIPEDIA, Access.ALL, OCTOBER)
    expected = (
        TopEntry(1, "Main_Page", 216848380),
        TopEntry(2, "Special:Search", 25909984),
        TopEntry(2, "Hayden_Panettiere", 25909984),
    )
    assert (expected, OCTOBER) == (top.entries, top.month)


async def test_a_top_list_is_asked_for_the_whole_month(
    fake: FakeWikimedia, source: WikimediaPageviewsSource
) -> None:
    await source.top_articles(WIKIPEDIA, Access.ALL, OCTOBER)
    assert [f"{PREFIX}top/en.wikipedia/all-access/2023/10/all-days"] == fake.raw_paths


async def test_a_month_without_a_list_is_no_data(source: WikimediaPageviewsSource) -> None:
    with pytest.raises(NoData):
        await source.top_articles(WIKIPEDIA, Access.DESKTOP, OCTOBER)


@pytest.mark.parametrize(
    "body",
    [
        top_body(month="09"),
        top_body(year="2022"),
        top_body(lists=2),
        top_body(lists=0),
        b"<html>",
        b'{"items": 1}',
    ],
    ids=["another month", "another year", "two lists", "no list", "not json", "wrong shape"],
)
async def test_anything_but_one_list_for_the_month_asked_is_an_upstream_error(
    fake: FakeWikimedia, source: WikimediaPageviewsSource, body: bytes
) -> None:
    fake.fail_next(Canned(200, body, {"content-type": "application/json"}))
    with pytest.raises(UpstreamError):
        await source.top_articles(WIKIPEDIA, Access.ALL, OCTOBER)


async def test_the_client_sends_its_user_agent_for_top_lists(
    fake: FakeWikimedia, source: WikimediaPageviewsSource
) -> None:
    await source.top_articles(WIKIPEDIA, Access.ALL, OCTOBER)
    assert USER_AGENT == fake.requests[0].headers["user-agent"]
