"""The MediaWiki adapter against a fake MediaWiki served over HTTP (and, for the recorded formatversion-1
bodies, against those bodies as they are): what it asks, how it follows continuations and retries a lagged
wiki, and what it makes of every kind of answer."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import httpx
import pytest

from pageviews.adapters.outbound.mediawiki.client import MediaWikiPageFacts
from pageviews.adapters.outbound.resilience import CircuitBreaker, Resilience
from pageviews.adapters.outbound.transport import AiohttpTransport
from pageviews.adapters.outbound.upstream import UpstreamClient
from pageviews.domain.errors import CircuitOpen, UpstreamError, UpstreamThrottled, UpstreamUnavailable
from pageviews.domain.model import Article, Project
from pageviews.domain.pages import LanguageLink, PageStatus, Redirect, Resolved, Target
from tests.support.app import USER_AGENT
from tests.support.fake_mediawiki import FIXTURES, TEMPLATE, FakeMediaWiki
from tests.support.fakes import FakeSleep

WIKIPEDIA, UKRAINIAN = Project("en.wikipedia"), Project("uk.wikipedia")
USA = "Сполучені_Штати_Америки"


@pytest.fixture
def wiki() -> FakeMediaWiki:
    wiki = FakeMediaWiki()
    wiki.load_fixtures()
    wiki.add_page("Albert Einstein")
    wiki.add_redirect("Einstein", "Albert Einstein")
    wiki.add_redirect("Einstein's theory", "Albert Einstein", fragment="Relativity")
    return wiki


@pytest.fixture
def sleep() -> FakeSleep:
    return FakeSleep()


@pytest.fixture
def served(wiki: FakeMediaWiki) -> Iterator[str]:
    with wiki.serve() as template:
        yield template


@pytest.fixture
async def facts(served: str, sleep: FakeSleep) -> AsyncIterator[MediaWikiPageFacts]:
    async with UpstreamClient(
        "", USER_AGENT, 5.0, AiohttpTransport(httpx.Limits(max_connections=2))
    ) as client:
        yield MediaWikiPageFacts(
            client, served, Resilience(attempts=3, deadline=None, retry_after_cap=10, sleep=sleep)
        )


def articles(*titles: str) -> list[Article]:
    return [Article(title) for title in titles]


# -- what it asks ----------------------------------------------------------------------------------------------


async def test_it_asks_in_formatversion_2_with_maxlag_and_its_user_agent(
    facts: MediaWikiPageFacts, wiki: FakeMediaWiki
) -> None:
    await facts.resolve(WIKIPEDIA, articles("Einstein"))
    (request,) = wiki.requests
    params = wiki.asked()[0]
    assert ("query", "json", "2", "5", "1") == tuple(
        params[name] for name in ("action", "format", "formatversion", "maxlag", "redirects")
    )
    assert USER_AGENT == request.headers["user-agent"]
    assert "/en.wikipedia.org/w/api.php" == request.url.path


async def test_a_projects_wiki_is_asked_on_its_own_host(
    facts: MediaWikiPageFacts, wiki: FakeMediaWiki
) -> None:
    await facts.resolve(Project("wikidata"), articles("Q42"))
    assert "/www.wikidata.org/w/api.php" == wiki.requests[0].url.path


async def test_titles_are_asked_fifty_to_a_question(facts: MediaWikiPageFacts, wiki: FakeMediaWiki) -> None:
    answers = await facts.resolve(WIKIPEDIA, articles(*(f"Page_{n}" for n in range(120))))
    assert [50, 50, 20] == [len(params["titles"].split("|")) for params in wiki.asked()]
    assert 120 == len(answers)


async def test_a_long_list_of_titles_goes_as_a_post(facts: MediaWikiPageFacts, wiki: FakeMediaWiki) -> None:
    await facts.resolve(
        WIKIPEDIA, articles(*(f"A_rather_long_title_number_{n:03d}_of_this_list" for n in range(50)))
    )
    assert ["POST"] == [request.method for request in wiki.requests]


# -- what it makes of the answers ----------------------------------------------------------------------------------


async def test_a_title_is_resolved_through_normalisation_and_redirects(facts: MediaWikiPageFacts) -> None:
    (einstein,) = await facts.resolve(WIKIPEDIA, articles("einstein"))
    assert (
        Resolved(
            asked="einstein",
            title="Einstein",
            status=PageStatus.EXISTS,
            redirect=Target("Albert_Einstein"),
            page_id=einstein.page_id,
            namespace=0,
        )
        == einstein
    )
    assert einstein.page_id is not None


async def test_a_redirect_to_a_section_keeps_the_section(facts: MediaWikiPageFacts) -> None:
    (theory,) = await facts.resolve(WIKIPEDIA, articles("Einstein's_theory"))
    assert Target("Albert_Einstein", "Relativity") == theory.redirect


async def test_missing_invalid_interwiki_and_special_titles_are_told_apart(facts: MediaWikiPageFacts) -> None:
    answers = await facts.resolve(
        WIKIPEDIA,
        [Article("This_is_missing"), Article("Talk:"), Article("mw:Help"), Article("Special:Search")],
    )
    assert [PageStatus.MISSING, PageStatus.INVALID, PageStatus.INVALID, PageStatus.EXISTS] == [
        a.status for a in answers
    ]
    assert "only the name of a namespace" in (answers[1].reason or "")
    assert -1 == answers[3].namespace


async def test_each_answer_is_for_the_title_asked_whatever_order_the_wiki_answers_in(
    facts: MediaWikiPageFacts,
) -> None:
    answers = await facts.resolve(WIKIPEDIA, articles("Prince_Charles", "Elizabeth_II", "Charles_III"))
    assert [
        ("Prince_Charles", "Charles_III"),
        ("Elizabeth_II", "Elizabeth_II"),
        ("Charles_III", "Charles_III"),
    ] == [(a.asked, a.page) for a in answers]


async def test_redirects_are_followed_through_every_continuation(
    facts: MediaWikiPageFacts, wiki: FakeMediaWiki
) -> None:
    wiki.page_size = 20  # as the recorded uk.wikipedia answer: 20, then 3
    found = await facts.redirects_to(UKRAINIAN, Article(USA), limit=500)
    assert (23, False) == (len(found.redirects), found.truncated)
    assert 2 == len(wiki.requests)
    assert "rdcontinue" in wiki.asked()[1]


async def test_redirects_beyond_the_limit_are_cut_and_said_to_be(
    facts: MediaWikiPageFacts, wiki: FakeMediaWiki
) -> None:
    wiki.page_size = 5
    found = await facts.redirects_to(UKRAINIAN, Article(USA), limit=7)
    assert (7, True) == (len(found.redirects), found.truncated)
    assert 2 == len(wiki.requests)  # not all five rounds


async def test_a_redirects_section_is_listed_with_it(facts: MediaWikiPageFacts) -> None:
    found = await facts.redirects_to(WIKIPEDIA, Article("Albert_Einstein"), limit=10)
    assert {Redirect("Einstein"), Redirect("Einstein's_theory", "Relativity")} == set(found.redirects)


async def test_language_links_name_the_project_by_the_links_url(facts: MediaWikiPageFacts) -> None:
    links = (await facts.language_links(WIKIPEDIA, Article("Python_(programming_language)"))).links
    by_lang = {link.lang: link for link in links}
    assert LanguageLink("gsw", Project("als.wikipedia"), "Python_(Programmiersprache)") == by_lang["gsw"]
    assert Project("zh-classical.wikipedia") == by_lang["lzh"].project
    assert len(
        json.loads((FIXTURES / "mediawiki-prop-langlinks.json").read_text())["query"]["pages"]["23862"][
            "langlinks"
        ]
    ) == len(links)


async def test_language_links_are_followed_through_continuations(
    facts: MediaWikiPageFacts, wiki: FakeMediaWiki
) -> None:
    wiki.page_size = 50
    links = (await facts.language_links(WIKIPEDIA, Article("Python_(programming_language)"))).links
    assert len(wiki.requests) > 1
    assert len(links) == len(set(links)) > 50


# -- when the wiki does not answer well ---------------------------------------------------------------------------


async def test_a_lagged_wiki_is_asked_again_after_its_retry_after(
    facts: MediaWikiPageFacts, wiki: FakeMediaWiki, sleep: FakeSleep
) -> None:
    wiki.lagged = 1
    (einstein,) = await facts.resolve(WIKIPEDIA, articles("Einstein"))
    assert ("Albert_Einstein", [5.0]) == (einstein.page, sleep.waits)


async def test_a_wiki_that_stays_lagged_is_throttling(facts: MediaWikiPageFacts, wiki: FakeMediaWiki) -> None:
    wiki.lagged = 10
    with pytest.raises(UpstreamThrottled, match=r"MediaWiki \(en.wikipedia.org\) answered error maxlag"):
        await facts.resolve(WIKIPEDIA, articles("Einstein"))


async def test_an_api_error_in_a_200_is_an_upstream_error_naming_its_code(
    facts: MediaWikiPageFacts, wiki: FakeMediaWiki
) -> None:
    body = (FIXTURES / "mediawiki-error-search-title-disabled.json").read_bytes()
    wiki.failing.append(
        httpx.Response(200, content=body, headers={"mediawiki-api-error": "search-title-disabled"})
    )
    with pytest.raises(UpstreamError, match="search-title-disabled"):
        await facts.resolve(WIKIPEDIA, articles("Einstein"))


async def test_an_api_error_is_recognised_by_its_header_alone(
    facts: MediaWikiPageFacts, wiki: FakeMediaWiki
) -> None:
    """MediaWiki sends the code in a header too; a body that does not carry it (another error format, a
    proxy's rewrite) is still an error, never an empty answer."""
    wiki.failing.append(
        httpx.Response(
            200,
            json={"batchcomplete": True, "query": {"pages": []}},
            headers={"mediawiki-api-error": "badvalue"},
        )
    )
    with pytest.raises(UpstreamError, match="answered error badvalue"):
        await facts.resolve(WIKIPEDIA, articles("Einstein"))


async def test_too_many_titles_would_be_the_wikis_error_not_data(wiki: FakeMediaWiki) -> None:
    request = httpx.Request(
        "GET",
        TEMPLATE.format(host="en.wikipedia.org"),
        params={"action": "query", "format": "json", "titles": "|".join(map(str, range(51)))},
        headers={"user-agent": USER_AGENT},
    )
    response = wiki.handle(request)
    assert ("toomanyvalues", 200) == (response.headers["mediawiki-api-error"], response.status_code)


async def test_a_dead_wiki_is_unavailable_and_named(facts: MediaWikiPageFacts, wiki: FakeMediaWiki) -> None:
    wiki.down = True
    with pytest.raises(UpstreamUnavailable, match=r"MediaWiki \(en.wikipedia.org\) answered 503"):
        await facts.resolve(WIKIPEDIA, articles("Einstein"))


async def test_an_unreachable_wiki_is_unavailable(sleep: FakeSleep) -> None:
    async with UpstreamClient(
        "", USER_AGENT, 1.0, AiohttpTransport(httpx.Limits(max_connections=2))
    ) as client:
        facts = MediaWikiPageFacts(
            client, "http://127.0.0.1:9/{host}/w/api.php", Resilience(attempts=1, deadline=None)
        )
        with pytest.raises(UpstreamUnavailable, match="could not be reached"):
            await facts.resolve(WIKIPEDIA, articles("Einstein"))


async def test_a_wiki_failing_again_and_again_opens_its_own_breaker(wiki: FakeMediaWiki) -> None:
    wiki.down = True
    breaker = CircuitBreaker(upstream="MediaWiki", window=4, minimum_calls=2, failure_rate=0.5)
    async with UpstreamClient("", USER_AGENT, 1.0, wiki.transport()) as client:
        facts = MediaWikiPageFacts(client, TEMPLATE, Resilience(attempts=1, deadline=None, breaker=breaker))
        for title in ("A", "B"):
            with pytest.raises(UpstreamUnavailable):
                await facts.resolve(WIKIPEDIA, articles(title))
        asked = len(wiki.requests)
        with pytest.raises(CircuitOpen, match="MediaWiki"):
            await facts.resolve(WIKIPEDIA, articles("C"))
    assert asked == len(wiki.requests)


# -- the recorded bodies, as they are (formatversion 1) -----------------------------------------------------------


def recorded(name: str) -> httpx.MockTransport:
    body = (FIXTURES / name).read_bytes()
    return httpx.MockTransport(lambda request: httpx.Response(200, content=body))


async def recorded_facts(name: str) -> tuple[MediaWikiPageFacts, UpstreamClient]:
    client = UpstreamClient("", USER_AGENT, 1.0, recorded(name))
    return MediaWikiPageFacts(client, TEMPLATE, Resilience(attempts=1, deadline=None)), client


async def test_a_recorded_answer_with_invalid_missing_and_redirected_titles_is_read() -> None:
    facts, client = await recorded_facts("mediawiki-query-invalid.json")
    async with client:
        answers = await facts.resolve(
            WIKIPEDIA, [Article("Python_Programming"), Article("This_is_missing"), Article("Python")]
        )
    assert [PageStatus.EXISTS, PageStatus.MISSING, PageStatus.EXISTS] == [a.status for a in answers]
    assert "Python_(programming_language)" == answers[0].page


async def test_a_recorded_answer_with_a_missing_page_and_warnings_is_read() -> None:
    facts, client = await recorded_facts("mediawiki-query-missing.json")
    async with client:
        (answer,) = await facts.resolve(WIKIPEDIA, articles("NonExistentPage_WikiAPI_Test_12345"))
    assert (PageStatus.MISSING, "NonExistentPage_WikiAPI_Test_12345") == (answer.status, answer.title)


async def test_recorded_language_links_are_read_from_their_star_member() -> None:
    facts, client = await recorded_facts("mediawiki-prop-langlinks.json")
    async with client:
        links = (await facts.language_links(WIKIPEDIA, Article("Python_(programming_language)"))).links
    assert LanguageLink("gsw", Project("als.wikipedia"), "Python_(Programmiersprache)") in links


async def test_a_recorded_maxlag_error_is_throttling() -> None:
    facts, client = await recorded_facts("mediawiki-error-maxlag.json")
    async with client:
        with pytest.raises(UpstreamThrottled, match="maxlag"):
            await facts.resolve(WIKIPEDIA, articles("Einstein"))


def test_every_recorded_body_is_a_fixture_of_the_fake() -> None:
    assert {path.name for path in Path(FIXTURES).glob("mediawiki-*.json")} >= {
        "mediawiki-query-redirects-resolve.json",
        "mediawiki-prop-redirects.json",
        "mediawiki-prop-redirects-page2.json",
        "mediawiki-prop-langlinks.json",
    }


async def test_a_wikis_main_page_and_namespace_names_come_from_its_siteinfo(
    facts: MediaWikiPageFacts, wiki: FakeMediaWiki
) -> None:
    site = wiki.wiki("de.wikipedia.org")
    site.main_page = "Wikipedia:Hauptseite"
    site.local_namespaces = {2: "Benutzer", 14: "Kategorie"}
    info = await facts.site_info(Project("de.wikipedia"))
    assert "Wikipedia:Hauptseite" == info.main_page
    assert {"benutzer", "user", "kategorie", "category", "image"} <= info.namespaces
    assert "" not in info.namespaces
    assert "siteinfo" == wiki.asked()[0]["meta"]
    assert "titles" not in wiki.asked()[0]
