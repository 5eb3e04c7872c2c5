"""The country codes, Wikimedia's privacy buckets, the non-article rule of top lists, and the mirror's monthly
range rule."""

from __future__ import annotations

import datetime as dt

import pycountry
import pytest
from hypothesis import given
from hypothesis import strategies as st

from pageviews.application.mirror import has_full_month
from pageviews.domain.countries import ISO_3166_ALPHA_2, Country, bucket_of
from pageviews.domain.errors import InvalidCountry, InvalidExclude
from pageviews.domain.non_articles import Exclude, is_article
from pageviews.domain.pages import SiteInfo


def test_the_written_country_list_is_pycountrys() -> None:
    assert {c.alpha_2 for c in pycountry.countries} == ISO_3166_ALPHA_2


@pytest.mark.parametrize(("raw", "code"), [("fr", "FR"), (" IN ", "IN"), ("XK", "XK")])
def test_a_country_is_its_upper_case_code(raw: str, code: str) -> None:
    assert Country.parse(raw) == Country(code)


@pytest.mark.parametrize("raw", ["ZZ", "FRA", "", "F", "UK"])
def test_anything_else_is_not_a_country(raw: str) -> None:
    with pytest.raises(InvalidCountry):
        Country.parse(raw)


@pytest.mark.parametrize(
    ("views", "bucket"),
    [(5, "100-999"), (100, "100-999"), (999, "100-999"), (1000, "1000-9999"), (2_660_000, "1000000-9999999")],
)
def test_a_count_falls_in_wikimedias_bucket(views: int, bucket: str) -> None:
    assert bucket_of(views) == bucket


@given(st.integers(min_value=100, max_value=10**12))
def test_a_bucket_contains_its_count(views: int) -> None:
    low, high = map(int, bucket_of(views).split("-"))
    assert low <= views <= high


@pytest.mark.parametrize(
    ("title", "project"),
    [
        ("Main_Page", "en.wikipedia"),
        ("Main_Page", "xx.wikipedia"),
        ("-", "en.wikipedia"),
        ("Special:Search", "en.wikipedia"),
        ("special:search", "en.wikipedia"),
        ("File:Example.jpg", "en.wikipedia"),
        ("User_talk:Someone", "en.wikipedia"),
        ("Wikipedia:Featured_pictures", "en.wikipedia"),
        ("Spezial:Suche", "de.wikipedia"),
        ("Wikipedia:Hauptseite", "de.wikipedia"),
        ("Hauptseite", "de.wikipedia"),
        ("Wikipédia:Accueil_principal", "fr.wikipedia"),
        ("Sp?cial:Recherche", "fr.wikipedia"),
        ("Заглавная_страница", "ru.wikipedia"),
    ],
)
def test_the_main_page_and_other_namespaces_are_not_articles(title: str, project: str) -> None:
    assert not is_article(title, project)


@pytest.mark.parametrize(
    ("title", "project"),
    [
        ("Search", "en.wikipedia"),
        ("Star_Wars:_The_Force_Awakens", "en.wikipedia"),
        ("AC/DC", "en.wikipedia"),
        ("Spezial:Suche", "en.wikipedia"),
        ("Paris", "fr.wikipedia"),
    ],
)
def test_articles_are_articles(title: str, project: str) -> None:
    assert is_article(title, project)


@given(st.text(alphabet=st.characters(blacklist_characters=":"), min_size=2))
def test_a_title_without_a_colon_is_an_article_unless_it_is_a_main_page(title: str) -> None:
    assert is_article(title, "xx.wikipedia") == (title not in ("Main_Page", "-"))


def test_exclude_takes_non_articles_only() -> None:
    assert Exclude.parse("Non-Articles") is Exclude.NON_ARTICLES
    with pytest.raises(InvalidExclude):
        Exclude.parse("redirects")


@pytest.mark.parametrize(
    ("first", "last", "full"),
    [
        ("2023-10-01", "2023-10-31", True),
        ("2023-10-15", "2023-11-30", True),
        ("2023-10-15", "2023-11-29", False),
        ("2024-02-01", "2024-02-28", False),
        ("2024-02-01", "2024-02-29", True),
        ("2023-10-02", "2023-10-31", False),
    ],
)
def test_a_monthly_range_must_hold_a_whole_month(first: str, last: str, full: bool) -> None:
    assert has_full_month(dt.date.fromisoformat(first), dt.date.fromisoformat(last)) is full


ESPERANTO = SiteInfo("Vikipedio:Ĉefpaĝo", frozenset({"vikipedio", "uzanto", "speciala", "kategorio"}))
"""eo.wikipedia as its siteinfo describes it (a wiki the tables do not know)."""


@pytest.mark.parametrize(
    "title", ["Vikipedio:Ĉefpaĝo", "Ĉefpaĝo", "Uzanto:Iu", "Speciala:Serĉi", "Kategorio:X"]
)
def test_what_a_wiki_says_of_itself_tells_its_non_articles(title: str) -> None:
    assert not is_article(title, "eo.wikipedia", ESPERANTO)


def test_without_what_the_wiki_says_a_wiki_the_tables_do_not_know_keeps_its_local_names() -> None:
    assert is_article("Uzanto:Iu", "eo.wikipedia")


@given(st.text(alphabet="abcĈĉ _-", min_size=1, max_size=20))
def test_a_title_without_a_colon_is_an_article_whatever_the_wiki_says_unless_its_main_page(
    title: str,
) -> None:
    assert is_article(title, "eo.wikipedia", ESPERANTO) or title in ("-", "Ĉefpaĝo", "Main_Page")
