"""The domain's page facts: which wiki a project is, which project a page URL is, and what a misspelt title
may have meant."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pageviews.domain.errors import InvalidParameter, InvalidProject
from pageviews.domain.model import Project
from pageviews.domain.pages import RedirectsChoice, case_variants, family_of, host_of, project_of_url


@pytest.mark.parametrize(
    ("project", "host"),
    [
        ("en.wikipedia", "en.wikipedia.org"),
        ("commons.wikimedia", "commons.wikimedia.org"),
        ("wikidata", "www.wikidata.org"),
        ("mediawiki", "www.mediawiki.org"),
        ("zh-min-nan.wikipedia", "zh-min-nan.wikipedia.org"),
        ("de.wiktionary", "de.wiktionary.org"),
    ],
)
def test_a_projects_wiki_is_on_its_host(project: str, host: str) -> None:
    assert host == host_of(Project.parse(project))


def test_all_projects_is_no_wiki() -> None:
    with pytest.raises(InvalidProject):
        host_of(Project("all-projects"))


@pytest.mark.parametrize(
    ("url", "project"),
    [
        ("https://als.wikipedia.org/wiki/Python_(Programmiersprache)", "als.wikipedia"),
        ("https://zh-classical.wikipedia.org/wiki/%E8%9F%92%E8%AA%9E", "zh-classical.wikipedia"),
        ("https://www.wikidata.org/wiki/Q42", "wikidata"),
        ("https://de.wikivoyage.org/wiki/Berlin", "de.wikivoyage"),
    ],
)
def test_a_page_url_names_its_project(url: str, project: str) -> None:
    assert Project(project) == project_of_url(url)


@pytest.mark.parametrize(
    "url", ["", "https://example.com/wiki/X", "ftp://en.wikipedia.org/wiki/X", "/wiki/X"]
)
def test_a_url_that_is_no_wiki_page_names_no_project(url: str) -> None:
    assert project_of_url(url) is None


@given(
    st.sampled_from(["wikipedia", "wiktionary", "wikivoyage"]), st.from_regex(r"[a-z]{2,3}", fullmatch=True)
)
def test_a_wikis_host_is_read_back_as_its_project(family: str, language: str) -> None:
    project = Project(f"{language}.{family}")
    assert project == project_of_url(f"https://{host_of(project)}/wiki/Main_Page")


def test_a_language_edition_is_of_its_family() -> None:
    assert ("wikipedia", "wikidata") == (family_of(Project("als.wikipedia")), family_of(Project("wikidata")))


def test_case_variants_offer_the_capitalisations_a_person_may_have_meant() -> None:
    assert ["Albert_Einstein", "Albert_einstein", "ALBERT_EINSTEIN"] == case_variants("Albert_EINSTEIN")


@given(st.text(alphabet="abcXYZ_", min_size=1, max_size=12))
def test_case_variants_never_repeat_nor_include_the_title(title: str) -> None:
    variants = case_variants(title)
    assert title not in variants
    assert len(set(variants)) == len(variants)


@pytest.mark.parametrize("raw", ["exact", "FOLLOW", " include "])
def test_a_redirects_choice_is_read_in_any_case(raw: str) -> None:
    assert RedirectsChoice(raw.strip().lower()) == RedirectsChoice.parse(raw)


def test_an_unknown_redirects_choice_names_the_choices() -> None:
    with pytest.raises(InvalidParameter, match="exact, follow, include"):
        RedirectsChoice.parse("all")
