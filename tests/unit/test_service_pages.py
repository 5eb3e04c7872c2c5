"""The use cases that ask the wiki about pages (redirects followed or included, zero or missing, language
and redirect views), against fakes of both sources: what they ask the wiki, when, and what they answer."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pageviews.application.use_cases import PageviewsService
from pageviews.domain.errors import InvalidTitle, NoData, NoSuchPage, UpstreamTimeout, UpstreamUnavailable
from pageviews.domain.freshness import Freshness
from pageviews.domain.model import Access, Agent, Article, ArticleQuery, Granularity, Project
from pageviews.domain.pages import PAGE_FACTS_UNAVAILABLE, CountedTitle, LanguageLink, RedirectsChoice
from pageviews.domain.series import Breakdown, PeriodRange
from tests.support.fakes import FakePageFacts, FakePageviewsSource, FakeTopArticlesSource, FixedClock

MONTHLY, DAILY = Granularity.MONTHLY, Granularity.DAILY
NOW = dt.datetime(2024, 1, 15, 12, tzinfo=dt.UTC)
WIKIPEDIA = Project("en.wikipedia")
GERMAN = Project("de.wikipedia")
ALEMANNIC = Project("als.wikipedia")
YEAR_2023 = PeriodRange(MONTHLY, dt.date(2023, 1, 1), dt.date(2023, 12, 31))
OCTOBER_2023 = PeriodRange(MONTHLY, dt.date(2023, 10, 1), dt.date(2023, 10, 31))
LAST_DAYS = PeriodRange(DAILY, dt.date(2024, 1, 14), dt.date(2024, 1, 15))
"""Not settled at NOW (the settle period is 48 hours)."""
EXACT, FOLLOW, INCLUDE = RedirectsChoice.EXACT, RedirectsChoice.FOLLOW, RedirectsChoice.INCLUDE


def titled(title: str, project: Project = WIKIPEDIA) -> ArticleQuery:
    return ArticleQuery(project, Article(title))


def service_for(
    source: FakePageviewsSource, facts: FakePageFacts | None, redirects_limit: int = 200
) -> PageviewsService:
    return PageviewsService(
        source=source,
        clock=FixedClock(NOW),
        freshness=Freshness(),
        top_source=FakeTopArticlesSource(),
        page_facts=facts,
        redirects_limit=redirects_limit,
    )


@pytest.fixture
def source() -> FakePageviewsSource:
    return FakePageviewsSource()


@pytest.fixture
def facts() -> FakePageFacts:
    """en.wikipedia's Albert_Einstein, with the redirects Einstein, Albert_einstein and Relativity_man (to a
    section), and Zero_views, a page nobody viewed."""
    wiki = FakePageFacts()
    for page in ("Albert_Einstein", "Zero_views"):
        wiki.add_page(page)
    wiki.add_redirect("Einstein", "Albert_Einstein")
    wiki.add_redirect("Albert_einstein", "Albert_Einstein")
    wiki.add_redirect("Relativity_man", "Albert_Einstein", fragment="Relativity")
    return wiki


def seed(source: FakePageviewsSource, title: str, views: int, month: dt.date = dt.date(2023, 10, 1)) -> None:
    source.add(titled(title), MONTHLY, month, views)


# -- exact ---------------------------------------------------------------------------------------------------


@given(st.lists(st.integers(min_value=1, max_value=10**9), min_size=1, max_size=12))
async def test_exact_never_asks_the_wiki_while_wikimedia_has_data(views: list[int]) -> None:
    source, facts = FakePageviewsSource(), FakePageFacts()
    for month, count in enumerate(views, start=1):
        seed(source, "Einstein", count, dt.date(2023, month, 1))
    series = await service_for(source, facts).series(titled("Einstein"), YEAR_2023)
    assert sum(views) == series.total
    assert [] == facts.calls


async def test_exact_with_no_data_for_a_page_that_exists_is_zero_views(
    source: FakePageviewsSource, facts: FakePageFacts
) -> None:
    series = await service_for(source, facts).series(titled("Zero_views"), OCTOBER_2023)
    assert [(dt.date(2023, 10, 1), 0, True)] == [(i.period, i.views, i.complete) for i in series.items]


async def test_exact_with_no_data_for_a_redirect_that_exists_is_zero_views(
    source: FakePageviewsSource, facts: FakePageFacts
) -> None:
    series = await service_for(source, facts).series(titled("Einstein"), OCTOBER_2023)
    assert 0 == series.total


async def test_exact_with_no_data_for_a_missing_page_names_the_page_it_probably_meant(
    source: FakePageviewsSource, facts: FakePageFacts
) -> None:
    with pytest.raises(NoSuchPage) as raised:
        await service_for(source, facts).series(titled("Albert_EINSTEIN"), OCTOBER_2023)
    assert ("Albert_EINSTEIN", "Albert_Einstein") == (raised.value.title, raised.value.suggestion)


async def test_a_suggestion_that_is_a_redirect_names_its_target(
    source: FakePageviewsSource, facts: FakePageFacts
) -> None:
    with pytest.raises(NoSuchPage) as raised:
        await service_for(source, facts).series(titled("EINSTEIN"), OCTOBER_2023)
    assert "Albert_Einstein" == raised.value.suggestion


async def test_a_missing_page_without_a_close_title_has_no_suggestion(
    source: FakePageviewsSource, facts: FakePageFacts
) -> None:
    with pytest.raises(NoSuchPage) as raised:
        await service_for(source, facts).series(titled("Qwxz"), OCTOBER_2023)
    assert raised.value.suggestion is None


async def test_a_title_the_wiki_calls_invalid_is_invalid_input(
    source: FakePageviewsSource, facts: FakePageFacts
) -> None:
    facts.invalid["Talk:"] = "The requested page title is empty or contains only the name of a namespace."
    with pytest.raises(InvalidTitle, match="only the name of a namespace"):
        await service_for(source, facts).series(titled("Talk:"), OCTOBER_2023)


async def test_no_data_for_a_range_that_has_not_settled_stays_no_data_without_asking_the_wiki(
    source: FakePageviewsSource, facts: FakePageFacts
) -> None:
    with pytest.raises(NoData, match="none of it has settled"):
        await service_for(source, facts).series(titled("Qwxz"), LAST_DAYS)
    assert [] == facts.calls


async def test_no_data_when_the_wiki_cannot_be_asked_says_whether_the_page_exists_is_not_known(
    source: FakePageviewsSource, facts: FakePageFacts
) -> None:
    facts.error = UpstreamTimeout("MediaWiki (en.wikipedia.org) did not answer in time")
    with pytest.raises(
        NoData, match=r"MediaWiki .* did not answer in time, so whether the page exists is not"
    ):
        await service_for(source, facts).series(titled("Qwxz"), OCTOBER_2023)


async def test_without_a_wiki_no_data_is_no_data(source: FakePageviewsSource) -> None:
    with pytest.raises(NoData):
        await service_for(source, None).series(titled("Qwxz"), OCTOBER_2023)


async def test_zero_views_of_an_existing_page_keep_the_breakdown_parts(
    source: FakePageviewsSource, facts: FakePageFacts
) -> None:
    series = await service_for(source, facts).series(titled("Zero_views"), OCTOBER_2023, Breakdown.AGENT)
    assert {"user": 0, "spider": 0, "automated": 0} == series.items[0].parts


# -- follow ----------------------------------------------------------------------------------------------------


async def test_follow_counts_the_page_the_title_redirects_to_and_says_so(
    source: FakePageviewsSource, facts: FakePageFacts
) -> None:
    seed(source, "Albert_Einstein", 412345)
    seed(source, "Einstein", 8102)
    series = await service_for(source, facts).series(titled("Einstein"), OCTOBER_2023, redirects=FOLLOW)
    assert 412345 == series.total
    assert series.page is not None
    assert ("Albert_Einstein", "Einstein") == (series.page.title, series.page.redirected_from)
    assert "Albert_Einstein" == series.query.article.title


async def test_follow_of_a_title_that_is_no_redirect_counts_it_and_names_no_redirect(
    source: FakePageviewsSource, facts: FakePageFacts
) -> None:
    seed(source, "Albert_Einstein", 412345)
    series = await service_for(source, facts).series(
        titled("Albert_Einstein"), OCTOBER_2023, redirects=FOLLOW
    )
    assert series.page is not None
    assert (412345, None) == (series.total, series.page.redirected_from)


async def test_follow_of_a_redirect_to_a_section_names_the_section(
    source: FakePageviewsSource, facts: FakePageFacts
) -> None:
    seed(source, "Albert_Einstein", 5)
    series = await service_for(source, facts).series(titled("Relativity_man"), OCTOBER_2023, redirects=FOLLOW)
    assert series.page is not None
    assert "Relativity" == series.page.fragment


async def test_follow_when_the_wiki_cannot_be_asked_counts_the_title_as_asked_and_says_so(
    source: FakePageviewsSource, facts: FakePageFacts
) -> None:
    seed(source, "Einstein", 8102)
    facts.error = UpstreamUnavailable("MediaWiki (en.wikipedia.org) could not be reached", retry_after=5)
    series = await service_for(source, facts).series(titled("Einstein"), OCTOBER_2023, redirects=FOLLOW)
    assert 8102 == series.total
    assert [PAGE_FACTS_UNAVAILABLE] == [notice.code for notice in series.notices]
    assert series.page is None


async def test_follow_without_a_wiki_configured_counts_the_title_and_says_so(
    source: FakePageviewsSource,
) -> None:
    seed(source, "Einstein", 8102)
    series = await service_for(source, None).series(titled("Einstein"), OCTOBER_2023, redirects=FOLLOW)
    assert (8102, [PAGE_FACTS_UNAVAILABLE]) == (series.total, [n.code for n in series.notices])


# -- include ---------------------------------------------------------------------------------------------------


@given(
    st.dictionaries(
        st.sampled_from(["Albert_Einstein", "Einstein", "Albert_einstein", "Relativity_man"]),
        st.lists(st.integers(min_value=0, max_value=10**8), min_size=12, max_size=12),
    )
)
async def test_include_sums_the_page_and_its_redirects_per_period(views: dict[str, list[int]]) -> None:
    source, wiki = FakePageviewsSource(), FakePageFacts()
    wiki.add_page("Albert_Einstein")
    for redirect in ("Einstein", "Albert_einstein", "Relativity_man"):
        wiki.add_redirect(redirect, "Albert_Einstein")
    for title, counts in views.items():
        for month, count in enumerate(counts, start=1):
            if count:  # Wikimedia omits zero months
                seed(source, title, count, dt.date(2023, month, 1))
    series = await service_for(source, wiki).series(titled("Einstein"), YEAR_2023, redirects=INCLUDE)
    per_month = [sum(counts[m] for counts in views.values()) for m in range(12)]
    assert per_month == [item.views for item in series.items]
    assert series.page is not None
    assert series.page.titles is not None
    counted = [title.views for title in series.page.titles]
    assert None not in counted  # the year has settled: every title's views are known
    assert series.total == sum(views for views in counted if views is not None)


async def test_include_lists_each_title_counted_the_page_first_and_marks_sections(
    source: FakePageviewsSource, facts: FakePageFacts
) -> None:
    seed(source, "Albert_Einstein", 400)
    seed(source, "Einstein", 20)
    seed(source, "Relativity_man", 3)
    series = await service_for(source, facts).series(
        titled("Albert_Einstein"), OCTOBER_2023, redirects=INCLUDE
    )
    assert series.page is not None
    assert (
        CountedTitle("Albert_Einstein", 400, redirect=False),
        CountedTitle("Einstein", 20, redirect=True),
        CountedTitle("Albert_einstein", 0, redirect=True),
        CountedTitle("Relativity_man", 3, redirect=True, fragment="Relativity"),
    ) == series.page.titles
    assert 423 == series.total


async def test_include_counts_at_most_the_limit_of_redirects_and_says_there_are_more(
    source: FakePageviewsSource, facts: FakePageFacts
) -> None:
    seed(source, "Albert_Einstein", 400)
    series = await service_for(source, facts, redirects_limit=2).series(
        titled("Albert_Einstein"), OCTOBER_2023, redirects=INCLUDE
    )
    assert series.page is not None
    assert series.page.titles is not None
    assert (3, True) == (len(series.page.titles), series.page.truncated)


async def test_include_of_a_page_with_no_views_anywhere_is_zero(
    source: FakePageviewsSource, facts: FakePageFacts
) -> None:
    series = await service_for(source, facts).series(titled("Einstein"), OCTOBER_2023, redirects=INCLUDE)
    assert [0] == [item.views for item in series.items]


async def test_include_when_the_redirects_cannot_be_listed_counts_the_page_and_says_so(
    source: FakePageviewsSource, facts: FakePageFacts
) -> None:
    seed(source, "Albert_Einstein", 400)
    seed(source, "Einstein", 20)
    facts.redirects_error = UpstreamTimeout("MediaWiki (en.wikipedia.org) did not answer in time")
    series = await service_for(source, facts).series(titled("Einstein"), OCTOBER_2023, redirects=INCLUDE)
    assert series.page is not None
    assert (400, "Albert_Einstein") == (series.total, series.page.title)
    assert [
        (
            PAGE_FACTS_UNAVAILABLE,
            "MediaWiki (en.wikipedia.org) did not answer in time: the page is counted without the redirects to it",
        )
    ] == [(notice.code, notice.detail) for notice in series.notices]


async def test_include_of_a_missing_page_is_no_such_page(
    source: FakePageviewsSource, facts: FakePageFacts
) -> None:
    with pytest.raises(NoSuchPage):
        await service_for(source, facts).series(titled("Qwxz"), OCTOBER_2023, redirects=INCLUDE)


# -- batch -----------------------------------------------------------------------------------------------------


async def test_a_batch_asks_the_wiki_once_about_all_the_titles_without_data(
    source: FakePageviewsSource, facts: FakePageFacts
) -> None:
    seed(source, "Albert_Einstein", 400)
    results = await service_for(source, facts).batch(
        WIKIPEDIA, ["Albert_Einstein", "Zero_views", "Qwxz"], OCTOBER_2023, Access.ALL, Agent.USER
    )
    assert [("Zero_views", "Qwxz")] == facts.asked("resolve")[:1]
    assert [400, 0] == [r.total for r in results[:2] if not isinstance(r, Exception)]
    assert isinstance(results[2], NoSuchPage)


async def test_a_batch_that_follows_redirects_resolves_every_title_in_one_question(
    source: FakePageviewsSource, facts: FakePageFacts
) -> None:
    seed(source, "Albert_Einstein", 400)
    results = await service_for(source, facts).batch(
        WIKIPEDIA, ["Einstein", "Albert_einstein"], OCTOBER_2023, Access.ALL, Agent.USER, FOLLOW
    )
    assert [("Einstein", "Albert_einstein")] == facts.asked("resolve")
    assert [400, 400] == [r.total for r in results if not isinstance(r, Exception)]


# -- redirect views and language views ---------------------------------------------------------------------------


async def test_redirect_views_list_the_page_first_then_its_redirects_by_views(
    source: FakePageviewsSource, facts: FakePageFacts
) -> None:
    seed(source, "Albert_Einstein", 400)
    seed(source, "Albert_einstein", 30)
    seed(source, "Einstein", 20)
    answer = await service_for(source, facts).redirect_views(titled("Einstein"), OCTOBER_2023)
    assert ["Albert_Einstein", "Albert_einstein", "Einstein", "Relativity_man"] == [
        t.title for t in answer.titles
    ]
    assert ("Albert_Einstein", "Einstein", 450) == (answer.page, answer.redirected_from, answer.total)


async def test_redirect_views_need_the_wiki(source: FakePageviewsSource, facts: FakePageFacts) -> None:
    facts.error = UpstreamTimeout("MediaWiki (en.wikipedia.org) did not answer in time")
    with pytest.raises(UpstreamTimeout, match="MediaWiki"):
        await service_for(source, facts).redirect_views(titled("Einstein"), OCTOBER_2023)


async def test_redirect_views_whose_redirects_cannot_be_listed_fail_with_the_wikis_failure(
    source: FakePageviewsSource, facts: FakePageFacts
) -> None:
    facts.redirects_error = UpstreamTimeout("MediaWiki (en.wikipedia.org) did not answer in time")
    with pytest.raises(UpstreamTimeout, match=r"^MediaWiki \(en.wikipedia.org\) did not answer in time$"):
        await service_for(source, facts).redirect_views(titled("Einstein"), OCTOBER_2023)


async def test_redirect_views_without_a_wiki_configured_are_unavailable(source: FakePageviewsSource) -> None:
    with pytest.raises(UpstreamUnavailable, match="PAGEVIEWS_MEDIAWIKI_URL"):
        await service_for(source, None).redirect_views(titled("Einstein"), OCTOBER_2023)


async def test_language_views_count_each_language_from_its_links_by_views(
    source: FakePageviewsSource, facts: FakePageFacts
) -> None:
    facts.links["Albert_Einstein"] = [
        LanguageLink("de", GERMAN, "Albert_Einstein"),
        LanguageLink("gsw", ALEMANNIC, "Albert_Einstein"),
    ]
    seed(source, "Albert_Einstein", 400)
    source.add(titled("Albert_Einstein", GERMAN), MONTHLY, dt.date(2023, 10, 1), 900)
    answer = await service_for(source, facts).language_views(titled("Einstein"), OCTOBER_2023)
    assert [("de", 900), ("en", 400), ("gsw", 0)] == [(row.lang, row.views) for row in answer.rows]
    assert (1300, "Einstein") == (answer.total, answer.redirected_from)


async def test_a_language_that_fails_is_its_own_row_and_not_in_the_total(
    source: FakePageviewsSource, facts: FakePageFacts
) -> None:
    facts.links["Albert_Einstein"] = [LanguageLink("de", GERMAN, "Albert_Einstein")]
    seed(source, "Albert_Einstein", 400)
    source.failing[titled("Albert_Einstein", GERMAN)] = UpstreamTimeout("Wikimedia did not answer in time")
    answer = await service_for(source, facts).language_views(titled("Albert_Einstein"), OCTOBER_2023)
    assert [("en", 400, None), ("de", None, "upstream_timeout")] == [
        (row.lang, row.views, row.error.code if row.error else None) for row in answer.rows
    ]
    assert 400 == answer.total


async def test_a_language_without_data_over_a_range_none_of_which_has_settled_is_no_data_not_zero(
    source: FakePageviewsSource, facts: FakePageFacts
) -> None:
    facts.links["Albert_Einstein"] = [LanguageLink("de", GERMAN, "Albert_Einstein")]
    source.add(titled("Albert_Einstein"), DAILY, dt.date(2024, 1, 14), 40)
    answer = await service_for(source, facts).language_views(titled("Albert_Einstein"), LAST_DAYS)
    assert [("en", 40, None), ("de", None, "no_data")] == [
        (row.lang, row.views, row.error.code if row.error else None) for row in answer.rows
    ]
    assert 40 == answer.total


async def test_a_redirect_without_data_over_a_range_none_of_which_has_settled_has_no_views_known(
    source: FakePageviewsSource, facts: FakePageFacts
) -> None:
    source.add(titled("Albert_Einstein"), DAILY, dt.date(2024, 1, 14), 40)
    source.add(titled("Einstein"), DAILY, dt.date(2024, 1, 15), 2)
    answer = await service_for(source, facts).redirect_views(titled("Albert_Einstein"), LAST_DAYS)
    assert [
        ("Albert_Einstein", 40),
        ("Einstein", 2),
        ("Albert_einstein", None),
        ("Relativity_man", None),
    ] == [(title.title, title.views) for title in answer.titles]
    assert 42 == answer.total


async def test_language_views_of_a_missing_page_is_no_such_page(
    source: FakePageviewsSource, facts: FakePageFacts
) -> None:
    with pytest.raises(NoSuchPage):
        await service_for(source, facts).language_views(titled("Qwxz"), OCTOBER_2023)
