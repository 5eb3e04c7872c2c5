"""The caching source: fresh answers from the cache, one upstream request per key however many callers miss at
once, and the last answer, marked stale, when the upstream fails."""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import Mapping, Sequence

import pytest

from pageviews.application.cached_sources import CachingSource
from pageviews.domain.cache_policy import CacheHealth, CachePolicy, Entry
from pageviews.domain.errors import (
    NoData,
    PageviewsError,
    UpstreamError,
    UpstreamTimeout,
    UpstreamUnavailable,
)
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
from pageviews.domain.ports import CacheUnavailable
from pageviews.domain.top import TopArticles, TopEntry
from tests.support.fakes import (
    FakeCache,
    FakePageviewsSource,
    FixedClock,
    GatedSource,
    GatedTopSource,
    SlowReadingCache,
)

EINSTEIN = ArticleQuery(Project("en.wikipedia"), Article("Albert_Einstein"))
OCTOBER = (dt.date(2023, 10, 1), dt.date(2023, 10, 31))
SETTLED = dt.datetime(2024, 1, 15, tzinfo=dt.UTC)
CURRENT = dt.datetime(2023, 10, 20, tzinfo=dt.UTC)
POLICY = CachePolicy()


class FakeTopSource:
    def __init__(self) -> None:
        self.asked = 0
        self.error: Exception | None = None

    async def top_articles(self, project: Project, access: Access, month: Month) -> TopArticles:
        self.asked += 1
        if self.error is not None:
            raise self.error
        return TopArticles(project, access, month, (TopEntry(1, "Main_Page", 100),))


class BrokenCache:
    async def get(self, key: str) -> Entry | None:
        raise CacheUnavailable("down")

    async def put(self, key: str, entry: Entry) -> None:
        raise CacheUnavailable("down")

    async def get_many(self, keys: Sequence[str]) -> list[Entry | None]:
        raise CacheUnavailable("down")

    async def put_many(self, entries: Mapping[str, Entry]) -> None:
        raise CacheUnavailable("down")

    async def health(self) -> CacheHealth:
        return CacheHealth.DEGRADED


def seeded(source: FakePageviewsSource) -> FakePageviewsSource:
    source.add(EINSTEIN, Granularity.MONTHLY, OCTOBER[0], 1234)
    return source


def caching(
    source: FakePageviewsSource, clock: FixedClock, top: FakeTopSource | None = None
) -> CachingSource:
    return CachingSource(source, top or FakeTopSource(), FakeCache(clock), POLICY, clock)


async def ask(cached: CachingSource, query: ArticleQuery = EINSTEIN) -> Fetched:
    return await cached.per_article(query, Granularity.MONTHLY, *OCTOBER)


async def test_a_repeated_question_is_answered_from_the_cache() -> None:
    source = seeded(FakePageviewsSource())
    cached = caching(source, FixedClock(SETTLED))
    first, second = await ask(cached), await ask(cached)
    assert (Fetched((DataPoint(OCTOBER[0], 1234),)), first, 1) == (second, second, len(source.asked))


async def test_questions_that_differ_in_anything_are_asked_separately() -> None:
    source = seeded(FakePageviewsSource())
    source.add(
        ArticleQuery(EINSTEIN.project, EINSTEIN.article, agent=Agent.SPIDER),
        Granularity.MONTHLY,
        OCTOBER[0],
        7,
    )
    cached = caching(source, FixedClock(SETTLED))
    spider = await ask(cached, ArticleQuery(EINSTEIN.project, EINSTEIN.article, agent=Agent.SPIDER))
    user = await ask(cached)
    assert (
        tuple(p.views for p in spider.points),
        tuple(p.views for p in user.points),
        len(source.asked),
    ) == ((7,), (1234,), 2)


async def test_a_settled_month_is_still_cached_a_week_later() -> None:
    source, clock = seeded(FakePageviewsSource()), FixedClock(SETTLED)
    cached = caching(source, clock)
    await ask(cached)
    clock.current += dt.timedelta(days=7)
    await ask(cached)
    assert len(source.asked) == 1


async def test_the_current_month_is_asked_again_after_the_short_ttl() -> None:
    source, clock = seeded(FakePageviewsSource()), FixedClock(CURRENT)
    cached = caching(source, clock)
    await ask(cached)
    clock.current += dt.timedelta(minutes=9)
    await ask(cached)
    clock.current += dt.timedelta(minutes=2)
    await ask(cached)
    assert len(source.asked) == 2


async def test_no_data_is_remembered_briefly() -> None:
    source, clock = FakePageviewsSource(), FixedClock(SETTLED)
    cached = caching(source, clock)
    for minutes in (0, 4, 2):
        clock.current += dt.timedelta(minutes=minutes)
        with pytest.raises(NoData):
            await ask(cached)
    assert len(source.asked) == 2


async def test_an_upstream_failure_is_answered_with_the_kept_answer_marked_stale() -> None:
    source, clock = seeded(FakePageviewsSource()), FixedClock(CURRENT)
    cached = caching(source, clock)
    await ask(cached)
    clock.current += dt.timedelta(hours=1)
    source.error = UpstreamUnavailable("down", retry_after=5)
    assert Fetched((DataPoint(OCTOBER[0], 1234),), stale=True) == await ask(cached)


@pytest.mark.parametrize("error", [UpstreamError("bad"), UpstreamTimeout("slow")])
async def test_every_kind_of_upstream_failure_falls_back_to_the_kept_answer(error: PageviewsError) -> None:
    source, clock = seeded(FakePageviewsSource()), FixedClock(CURRENT)
    cached = caching(source, clock)
    await ask(cached)
    clock.current += dt.timedelta(hours=1)
    source.error = error
    assert (await ask(cached)).stale


async def test_an_upstream_failure_with_nothing_kept_is_the_callers_error() -> None:
    source = FakePageviewsSource()
    source.error = UpstreamError("bad")
    with pytest.raises(UpstreamError):
        await ask(caching(source, FixedClock(SETTLED)))


async def test_a_kept_no_data_answer_is_not_served_for_a_failure() -> None:
    source, clock = FakePageviewsSource(), FixedClock(SETTLED)
    cached = caching(source, clock)
    with pytest.raises(NoData):
        await ask(cached)
    clock.current += dt.timedelta(hours=1)
    source.error = UpstreamError("bad")
    with pytest.raises(UpstreamError):
        await ask(cached)


async def test_a_fresh_answer_after_a_stale_one_is_not_stale() -> None:
    source, clock = seeded(FakePageviewsSource()), FixedClock(CURRENT)
    cached = caching(source, clock)
    await ask(cached)
    clock.current += dt.timedelta(hours=1)
    source.error = UpstreamTimeout("slow")
    await ask(cached)
    source.error = None
    assert not (await ask(cached)).stale


async def test_a_hundred_concurrent_identical_misses_make_one_upstream_request() -> None:
    source = GatedSource()
    seeded(source)
    cached = caching(source, FixedClock(SETTLED))
    callers = [asyncio.create_task(ask(cached)) for _ in range(100)]
    await asyncio.sleep(0)
    source.gate.set()
    answers = await asyncio.gather(*callers)
    assert (1, {answers[0]}) == (len(source.asked), set(answers))


async def test_concurrent_misses_share_the_failure_too() -> None:
    source = GatedSource()
    source.error = UpstreamError("bad")
    cached = caching(source, FixedClock(SETTLED))
    callers = [asyncio.create_task(ask(cached)) for _ in range(10)]
    await asyncio.sleep(0)
    source.gate.set()
    results = await asyncio.gather(*callers, return_exceptions=True)
    assert (len(source.asked), sum(isinstance(r, UpstreamError) for r in results)) == (1, 10)


async def test_a_caller_that_goes_away_does_not_cancel_the_request_others_wait_for() -> None:
    source = GatedSource()
    seeded(source)
    cached = caching(source, FixedClock(SETTLED))
    leaving, staying = asyncio.create_task(ask(cached)), asyncio.create_task(ask(cached))
    await asyncio.sleep(0)
    leaving.cancel()
    source.gate.set()
    assert ((await staying).points[0].views, len(source.asked)) == (1234, 1)


async def test_a_broken_cache_never_fails_a_request() -> None:
    source = seeded(FakePageviewsSource())
    cached = CachingSource(source, FakeTopSource(), BrokenCache(), POLICY, FixedClock(SETTLED))
    assert (await ask(cached)).points[0].views == 1234


async def test_top_lists_are_cached_and_served_stale_on_failure() -> None:
    top, clock = FakeTopSource(), FixedClock(SETTLED)
    cached = caching(FakePageviewsSource(), clock, top)
    fresh = await cached.top_articles(Project("en.wikipedia"), Access.ALL, Month(2023, 10))
    clock.current += dt.timedelta(days=31)
    top.error = UpstreamUnavailable("down", retry_after=5)
    stale = await cached.top_articles(Project("en.wikipedia"), Access.ALL, Month(2023, 10))
    assert (False, True, fresh.entries, 2) == (fresh.stale, stale.stale, stale.entries, top.asked)


async def test_an_answer_for_periods_not_asked_is_an_error_and_is_never_stored() -> None:
    """Checked before it is stored: otherwise every replica would serve the same 502 from the cache."""
    source, clock = FakePageviewsSource(), FixedClock(SETTLED)
    source.answer_override = [DataPoint(dt.date(2023, 11, 1), 951)]
    cache = FakeCache(clock)
    cached = CachingSource(source, FakeTopSource(), cache, POLICY, clock)
    with pytest.raises(UpstreamError):
        await ask(cached)
    assert {} == cache.entries


async def test_after_a_wrong_answer_the_next_question_is_asked_again() -> None:
    source, clock = FakePageviewsSource(), FixedClock(SETTLED)
    source.answer_override = [DataPoint(OCTOBER[0], 1), DataPoint(OCTOBER[0], 2)]
    cached = caching(source, clock)
    with pytest.raises(UpstreamError):
        await ask(cached)
    source.answer_override = None
    seeded(source)
    assert (Fetched((DataPoint(OCTOBER[0], 1234),)), 2) == (await ask(cached), len(source.asked))


async def test_a_top_list_whose_cache_read_outlasts_its_flight_is_not_asked_again() -> None:
    """The flight took off before the read and landed (stored) after the read missed: it is joined."""
    clock = FixedClock(SETTLED)
    top, cache = GatedTopSource(), SlowReadingCache(clock)
    month = Month(2023, 10)
    top.lists[(Project("en.wikipedia"), Access.ALL, month)] = TopArticles(
        Project("en.wikipedia"), Access.ALL, month, (TopEntry(1, "Main_Page", 9),)
    )
    cached = CachingSource(FakePageviewsSource(), top, cache, CachePolicy(), clock)
    first = asyncio.create_task(cached.top_articles(Project("en.wikipedia"), Access.ALL, month))
    await asyncio.sleep(0)
    cache.reads_wait = True
    second = asyncio.create_task(cached.top_articles(Project("en.wikipedia"), Access.ALL, month))
    await asyncio.sleep(0)
    top.gate.set()
    await first
    cache.read_gate.set()
    assert ((await second), len(top.asked)) == ((await first), 1)
