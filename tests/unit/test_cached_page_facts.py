"""The page facts behind the cache: asked once per title while fresh, batched, shared by concurrent callers,
asked again once the page facts' freshness has passed, and served stale when the wiki fails."""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import Sequence

import msgspec
import pytest

from pageviews.application.page_facts import CachedPageFacts
from pageviews.domain.cache_policy import CachePolicy
from pageviews.domain.errors import PageviewsError, UpstreamTimeout
from pageviews.domain.model import Article, Project
from pageviews.domain.pages import LanguageLink, PageStatus, Resolved
from tests.support.fakes import FakeCache, FakePageFacts, FixedClock

WIKIPEDIA = Project("en.wikipedia")
NOW = dt.datetime(2024, 1, 15, 12, tzinfo=dt.UTC)
POLICY = CachePolicy(page_facts_ttl=dt.timedelta(hours=1), keep_stale=dt.timedelta(days=1))
EINSTEIN, EINSTEIN_REDIRECT, MISSING = Article("Albert_Einstein"), Article("Einstein"), Article("Qwxz")


def known(answers: Sequence[Resolved | PageviewsError]) -> list[Resolved]:
    """The answers, every one of which is what the wiki said (none a failure)."""
    found = [answer for answer in answers if isinstance(answer, Resolved)]
    assert len(answers) == len(found), answers
    return found


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(NOW)


@pytest.fixture
def wiki() -> FakePageFacts:
    wiki = FakePageFacts()
    wiki.add_page("Albert_Einstein")
    wiki.add_redirect("Einstein", "Albert_Einstein")
    wiki.links["Albert_Einstein"] = [LanguageLink("de", Project("de.wikipedia"), "Albert_Einstein")]
    return wiki


@pytest.fixture
def cached(wiki: FakePageFacts, clock: FixedClock) -> CachedPageFacts:
    return CachedPageFacts(wiki, FakeCache(clock), POLICY, clock)


async def test_a_title_known_and_fresh_is_not_asked_again(
    cached: CachedPageFacts, wiki: FakePageFacts
) -> None:
    first = await cached.resolve(WIKIPEDIA, [EINSTEIN_REDIRECT])
    assert first == await cached.resolve(WIKIPEDIA, [EINSTEIN_REDIRECT])
    assert [("Einstein",)] == wiki.asked("resolve")


async def test_only_the_titles_not_known_are_asked_in_one_question(
    cached: CachedPageFacts, wiki: FakePageFacts
) -> None:
    await cached.resolve(WIKIPEDIA, [EINSTEIN])
    answers = await cached.resolve(WIKIPEDIA, [MISSING, EINSTEIN, EINSTEIN_REDIRECT])
    assert [("Albert_Einstein",), ("Qwxz", "Einstein")] == wiki.asked("resolve")
    assert [PageStatus.MISSING, PageStatus.EXISTS, PageStatus.EXISTS] == [a.status for a in known(answers)]


async def test_concurrent_callers_share_one_question(cached: CachedPageFacts, wiki: FakePageFacts) -> None:
    await asyncio.gather(*(cached.resolve(WIKIPEDIA, [EINSTEIN]) for _ in range(5)))
    assert [("Albert_Einstein",)] == wiki.asked("resolve")


async def test_a_title_is_asked_again_once_the_page_facts_freshness_has_passed(
    cached: CachedPageFacts, wiki: FakePageFacts, clock: FixedClock
) -> None:
    await cached.resolve(WIKIPEDIA, [EINSTEIN])
    clock.current = NOW + dt.timedelta(hours=1, seconds=1)
    await cached.resolve(WIKIPEDIA, [EINSTEIN])
    assert 2 == len(wiki.asked("resolve"))


async def test_a_kept_answer_is_served_marked_stale_when_the_wiki_fails(
    cached: CachedPageFacts, wiki: FakePageFacts, clock: FixedClock
) -> None:
    before = known(await cached.resolve(WIKIPEDIA, [EINSTEIN_REDIRECT]))
    clock.current = NOW + dt.timedelta(hours=2)
    wiki.error = UpstreamTimeout("MediaWiki (en.wikipedia.org) did not answer in time")
    assert [msgspec.structs.replace(one, stale=True) for one in before] == await cached.resolve(
        WIKIPEDIA, [EINSTEIN_REDIRECT]
    )


async def test_what_the_wiki_answers_is_not_stale(cached: CachedPageFacts) -> None:
    (einstein,) = known(await cached.resolve(WIKIPEDIA, [EINSTEIN_REDIRECT]))
    redirects = await cached.redirects_to(WIKIPEDIA, EINSTEIN, 10)
    links = await cached.language_links(WIKIPEDIA, EINSTEIN)
    assert (False, False, False) == (einstein.stale, redirects.stale, links.stale)


async def test_kept_redirects_and_language_links_are_served_marked_stale_when_the_wiki_fails(
    cached: CachedPageFacts, wiki: FakePageFacts, clock: FixedClock
) -> None:
    redirects = await cached.redirects_to(WIKIPEDIA, EINSTEIN, 10)
    links = await cached.language_links(WIKIPEDIA, EINSTEIN)
    clock.current = NOW + dt.timedelta(hours=2)
    wiki.error = UpstreamTimeout("MediaWiki (en.wikipedia.org) did not answer in time")
    assert (
        msgspec.structs.replace(redirects, stale=True),
        msgspec.structs.replace(links, stale=True),
    ) == (
        await cached.redirects_to(WIKIPEDIA, EINSTEIN, 10),
        await cached.language_links(WIKIPEDIA, EINSTEIN),
    )


async def test_when_the_wiki_fails_titles_with_kept_facts_get_them_and_only_the_others_the_failure(
    cached: CachedPageFacts, wiki: FakePageFacts, clock: FixedClock
) -> None:
    (einstein,) = known(await cached.resolve(WIKIPEDIA, [EINSTEIN_REDIRECT]))
    clock.current = NOW + dt.timedelta(hours=2)
    failure = UpstreamTimeout("MediaWiki (en.wikipedia.org) did not answer in time")
    wiki.error = failure
    answers = await cached.resolve(WIKIPEDIA, [EINSTEIN_REDIRECT, MISSING])
    assert [msgspec.structs.replace(einstein, stale=True), failure] == answers


async def test_the_wikis_failure_surfaces_when_nothing_is_kept(
    cached: CachedPageFacts, wiki: FakePageFacts
) -> None:
    wiki.error = UpstreamTimeout("MediaWiki (en.wikipedia.org) did not answer in time")
    with pytest.raises(UpstreamTimeout):
        await cached.resolve(WIKIPEDIA, [EINSTEIN])


async def test_redirects_and_language_links_are_remembered_too(
    cached: CachedPageFacts, wiki: FakePageFacts
) -> None:
    for _ in range(2):
        redirects = await cached.redirects_to(WIKIPEDIA, EINSTEIN, 10)
        links = await cached.language_links(WIKIPEDIA, EINSTEIN)
    assert (["Einstein"], ["de"]) == (
        [r.title for r in redirects.redirects],
        [link.lang for link in links.links],
    )
    assert (1, 1) == (len(wiki.asked("redirects_to")), len(wiki.asked("language_links")))
