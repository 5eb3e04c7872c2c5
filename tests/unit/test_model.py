"""The domain's value objects: what they accept, how they normalise, and everything they refuse."""

from __future__ import annotations

import datetime as dt
import re
import string
import unicodedata
from urllib.parse import quote

import pytest
from hypothesis import assume, example, given
from hypothesis import strategies as st

from pageviews.domain.errors import (
    InvalidAccess,
    InvalidAgent,
    InvalidMonth,
    InvalidProject,
    InvalidTitle,
    InvalidYear,
)
from pageviews.domain.model import (
    DATA_START,
    MAX_TITLE_BYTES,
    Access,
    Agent,
    Article,
    Month,
    Project,
    normalise_title,
)

WIKIPEDIA = Project("en.wikipedia")
WIKTIONARY = Project("es.wiktionary")

FORBIDDEN_CHARACTERS = "#<>[]|{}"
CONTROL_CHARACTERS = [chr(c) for c in [*range(0x20), 0x7F]]

# Text MediaWiki allows in a title: no forbidden or control characters, no `%XX` escapes.
title_text = st.text(
    alphabet=st.characters(
        blacklist_categories=["Cs", "Cc"],
        blacklist_characters=[*FORBIDDEN_CHARACTERS, "%", "\ufffd"],
    ),
    min_size=1,
    max_size=40,
)
# Any text, or short text made of what normalisation acts on: spaces, direction marks, combining marks, and
# letters whose upper case or composition is unusual (dotless i, long s with dot, sharp s).
tricky_text = st.one_of(
    st.text(max_size=30),
    st.text(
        alphabet=[
            "e",
            "i",
            " ",
            "_",
            "\u00a0",
            "\u200e",
            "\u0301",
            "\u0307",
            "\u0323",
            "\u0131",
            "\u1e9b",
            "\u00df",
        ],
        max_size=6,
    ),
)
months = st.builds(Month, year=st.integers(1, 9999), month=st.integers(1, 12))
projects = st.sampled_from([WIKIPEDIA, WIKTIONARY, Project("commons.wikimedia"), Project("de.wikipedia")])


def parses_as_article(raw: str) -> bool:
    try:
        Article.parse(raw)
    except InvalidTitle:
        return False
    return True


# -- Access and Agent ------------------------------------------------------------------------------------


@pytest.mark.parametrize("raw", ["all-access", "desktop", "mobile-web", "mobile-app"])
def test_every_wikimedia_access_value_is_accepted(raw: str) -> None:
    assert raw == Access.parse(raw).value


@pytest.mark.parametrize("raw", ["user", "all-agents", "spider", "automated"])
def test_every_wikimedia_agent_value_is_accepted(raw: str) -> None:
    assert raw == Agent.parse(raw).value


def test_access_and_agent_ignore_case_and_surrounding_space() -> None:
    expected = (Access.DESKTOP, Agent.SPIDER)
    assert expected == (Access.parse(" Desktop "), Agent.parse("SPIDER"))


@pytest.mark.parametrize("raw", ["", "all", "mobile", "web", "desktop,mobile-web", "all_access"])
def test_an_unknown_access_is_refused(raw: str) -> None:
    with pytest.raises(InvalidAccess, match="all-access, desktop, mobile-web, mobile-app"):
        Access.parse(raw)


@pytest.mark.parametrize("raw", ["", "bot", "bots", "human", "all", "users"])
def test_an_unknown_agent_is_refused_including_the_obsolete_bot(raw: str) -> None:
    with pytest.raises(InvalidAgent, match="user, all-agents, spider, automated"):
        Agent.parse(raw)


# -- Project -----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("en.wikipedia", "en.wikipedia"),
        ("de.wikipedia", "de.wikipedia"),
        ("es.wiktionary", "es.wiktionary"),
        ("commons.wikimedia", "commons.wikimedia"),
        ("zh-min-nan.wikipedia", "zh-min-nan.wikipedia"),
        ("en.wikipedia.org", "en.wikipedia"),
        ("EN.WIKIPEDIA.ORG", "en.wikipedia"),
        ("www.mediawiki.org", "mediawiki"),
        ("mediawiki", "mediawiki"),
        ("  de.wikipedia\n", "de.wikipedia"),
    ],
)
def test_a_project_is_normalised_to_the_name_the_api_uses(raw: str, expected: str) -> None:
    assert expected == Project.parse(raw).name


@pytest.mark.parametrize(
    "raw",
    [
        "",
        " ",
        ".",
        "..",
        "en..wikipedia",
        ".en.wikipedia",
        "en.wikipedia.",
        "/",
        "en/wikipedia",
        "en.wikipedia/../x",
        "%",
        "en%2Ewikipedia",
        "#",
        "en.wikipedia#top",
        "?",
        "en.wikipedia?x=1",
        "en wikipedia",
        "en\twikipedia",
        "en.wikipedia\x00",
        "a.b.c.d",
        "en.wikipedia:80",
        "\uff45\uff4e.wikipedia",
    ],
)
def test_a_project_that_could_alter_the_upstream_url_is_refused(raw: str) -> None:
    with pytest.raises(InvalidProject):
        Project.parse(raw)


@given(st.text(alphabet="aEnW.wikpdo/#?% \t-_019\u00e9:", max_size=24))
def test_every_accepted_project_is_a_plain_dotted_name_safe_in_a_url_path(raw: str) -> None:
    try:
        name = Project.parse(raw).name
    except InvalidProject:
        return
    assert re.fullmatch(r"[a-z0-9][a-z0-9_-]*(\.[a-z0-9][a-z0-9_-]*)*", name)
    assert name == quote(name, safe="")


@given(st.text(max_size=30))
def test_project_parsing_refuses_or_normalises_any_text(raw: str) -> None:
    try:
        project = Project.parse(raw)
    except InvalidProject:
        return
    assert project == Project.parse(project.name)


def test_titles_are_capitalised_on_every_project_but_wiktionaries() -> None:
    expected = {"en.wikipedia": True, "commons.wikimedia": True, "es.wiktionary": False}
    assert expected == {p: Project(p).capitalises_titles for p in expected}


# -- Titles --------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("Albert_Einstein", "Albert_Einstein"),
        ("Albert Einstein", "Albert_Einstein"),
        ("albert einstein", "Albert_einstein"),
        ("  Albert   Einstein  ", "Albert_Einstein"),
        ("Albert\u00a0Einstein", "Albert_Einstein"),
        ("Albert__Einstein", "Albert_Einstein"),
        ("zürich", "Zürich"),
        ("AC/DC", "AC/DC"),
        ("iPhone", "IPhone"),
        ("ß", "ß"),
        ("2023", "2023"),
        ("Cafe\u0301", "Café"),
    ],
)
def test_a_title_is_normalised_the_way_mediawiki_does(raw: str, expected: str) -> None:
    assert expected == normalise_title(raw, WIKIPEDIA)


def test_wiktionary_titles_keep_their_first_letter_case() -> None:
    expected = "hoy_mismo"
    assert expected == normalise_title("hoy mismo", WIKTIONARY)


def test_the_default_project_for_normalisation_is_english_wikipedia() -> None:
    expected = "Foo"
    assert expected == normalise_title("foo")


@given(tricky_text, projects)
@example("e\u200e\u0301", WIKIPEDIA)
@example("\u0131\u0307", WIKIPEDIA)
def test_title_normalisation_is_idempotent(raw: str, project: Project) -> None:
    once = normalise_title(raw, project)
    assert once == normalise_title(once, project)


@given(tricky_text, projects)
def test_a_normalised_title_has_no_spaces_and_no_leading_trailing_or_doubled_underscores(
    raw: str, project: Project
) -> None:
    title = normalise_title(raw, project)
    assert not any(c.isspace() for c in title)
    assert not title.startswith("_")
    assert not title.endswith("_")
    assert "__" not in title


@given(st.sampled_from(string.ascii_lowercase), title_text)
def test_the_first_letter_is_upper_cased_on_wikipedia(first: str, rest: str) -> None:
    # Decomposed: a combining mark after the letter composes with it (`A` and U+0300 are `À`).
    assert first.upper() == unicodedata.normalize("NFD", normalise_title(first + rest, WIKIPEDIA))[0]


@given(st.sampled_from(string.ascii_lowercase), title_text)
def test_the_first_letter_keeps_its_case_on_wiktionary(first: str, rest: str) -> None:
    assert first == unicodedata.normalize("NFD", normalise_title(first + rest, WIKTIONARY))[0]


@given(title_text, projects)
def test_an_article_is_its_normalised_title_and_parsing_it_again_changes_nothing(
    raw: str, project: Project
) -> None:
    assume(parses_as_article(raw))
    article = Article.parse(raw, project)
    assert normalise_title(raw, project) == article.title
    assert article == Article.parse(article.title, project)


@pytest.mark.parametrize(
    "raw",
    [
        "AC/DC",
        "Fahrenheit 9/11",
        "Who?",
        "100%",
        "100% pure",
        "A&B",
        "C++",
        "Zürich",
        "...",
        ".hidden",
        "a.",
        "Main_Page",
        "Special:Search",
        "-",
        "2023",
        "Are_You_the_One?",
        "Python_(programming_language)",
        "\u00e9" * 127 + "A",
        "A" * MAX_TITLE_BYTES,
        "\u20ac" * 85,
    ],
)
def test_an_unusual_but_valid_title_is_accepted(raw: str) -> None:
    assert normalise_title(raw) == Article.parse(raw).title


@pytest.mark.parametrize("character", [*FORBIDDEN_CHARACTERS, *CONTROL_CHARACTERS])
@pytest.mark.parametrize("template", ["{}", "Foo{}", "{}Foo", "Foo{}Bar"])
def test_a_title_with_a_character_mediawiki_forbids_is_refused(template: str, character: str) -> None:
    with pytest.raises(InvalidTitle):
        Article.parse(template.format(character))


@given(
    st.text(max_size=20),
    st.sampled_from([*FORBIDDEN_CHARACTERS, *CONTROL_CHARACTERS]),
    st.text(max_size=20),
    projects,
)
def test_every_title_containing_a_forbidden_or_control_character_is_refused(
    before: str, character: str, after: str, project: Project
) -> None:
    with pytest.raises(InvalidTitle):
        Article.parse(before + character + after, project)


@pytest.mark.parametrize("raw", ["%41", "Foo%2FBar", "100%25", "%e2%82%ac"])
def test_a_title_with_a_percent_escape_is_refused_because_it_was_decoded_too_few_times(raw: str) -> None:
    with pytest.raises(InvalidTitle, match="percent"):
        Article.parse(raw)


@pytest.mark.parametrize(
    "raw", [".", "..", " . ", "_.._", "./Foo", "../Foo", "Foo/.", "Foo/..", "Foo/./Bar", "Foo/../Bar"]
)
def test_a_relative_path_title_is_refused(raw: str) -> None:
    with pytest.raises(InvalidTitle):
        Article.parse(raw)


@given(st.text(alphabet=" _\u00a0\u2003\u3000\u200e\u200f", max_size=20), projects)
def test_every_blank_title_is_refused(raw: str, project: Project) -> None:
    with pytest.raises(InvalidTitle):
        Article.parse(raw, project)


@pytest.mark.parametrize(
    "raw", ["A" * (MAX_TITLE_BYTES + 1), "\u00e9" * 128, "\u20ac" * 86, "\U0001f600" * 64]
)
def test_a_title_over_255_utf8_bytes_is_refused_even_when_it_has_fewer_characters(raw: str) -> None:
    with pytest.raises(InvalidTitle, match="255 bytes"):
        Article.parse(raw)


@given(title_text.map(lambda t: t * (1 + 256 // max(len(t.encode()), 1))))
def test_every_title_over_255_utf8_bytes_after_normalisation_is_refused(raw: str) -> None:
    assume(len(normalise_title(raw).encode()) > MAX_TITLE_BYTES)
    with pytest.raises(InvalidTitle):
        Article.parse(raw)


# -- Month --------------------------------------------------------------------------------------------------


@given(months)
def test_a_month_written_as_text_parses_back_to_itself(month: Month) -> None:
    assert month == Month.parse(str(month))


@given(months)
def test_a_month_is_written_yyyy_mm(month: Month) -> None:
    assert re.fullmatch(r"[0-9]{4}-[0-9]{2}", str(month))


@given(st.integers(1000, 9999), st.integers(1, 12))
def test_a_month_from_path_segments_is_the_same_padded_or_not(year: int, number: int) -> None:
    expected = Month(year, number)
    assert expected == Month.from_parts(str(year), str(number))
    assert expected == Month.from_parts(str(year), f"{number:02d}")


@given(months, months)
def test_months_are_ordered_like_year_month_pairs(a: Month, b: Month) -> None:
    pair_a, pair_b = (a.year, a.month), (b.year, b.month)
    assert (pair_a < pair_b, pair_a == pair_b, pair_a > pair_b) == (a < b, a == b, a > b)


@given(months)
def test_next_and_previous_are_inverses(month: Month) -> None:
    if month != Month(9999, 12):
        assert month == month.next().previous()
    if month != Month(1, 1):
        assert month == month.previous().next()


@given(months)
def test_the_next_month_starts_the_day_after_the_last_day(month: Month) -> None:
    assume(month != Month(9999, 12))
    assert month.next().first_day == month.last_day + dt.timedelta(days=1)
    assert month < month.next()


@given(months)
def test_a_month_spans_its_first_to_last_day_in_the_same_month(month: Month) -> None:
    assert (1, month.month, month.month) == (month.first_day.day, month.first_day.month, month.last_day.month)


@pytest.mark.parametrize(
    ("month", "last_day"),
    [
        (Month(2024, 2), dt.date(2024, 2, 29)),
        (Month(2023, 2), dt.date(2023, 2, 28)),
        (Month(2000, 2), dt.date(2000, 2, 29)),
        (Month(2100, 2), dt.date(2100, 2, 28)),
        (Month(2023, 4), dt.date(2023, 4, 30)),
        (Month(2023, 12), dt.date(2023, 12, 31)),
        (Month(9999, 12), dt.date(9999, 12, 31)),
    ],
)
def test_the_last_day_handles_leap_years_and_december(month: Month, last_day: dt.date) -> None:
    assert last_day == month.last_day


def test_december_is_followed_by_january_of_the_next_year() -> None:
    assert (Month(2024, 1), Month(2023, 12)) == (Month(2023, 12).next(), Month(2024, 1).previous())


def test_a_month_ends_at_midnight_utc_when_the_next_one_starts() -> None:
    assert dt.datetime(2024, 1, 1, tzinfo=dt.UTC) == Month(2023, 12).end()


def test_the_month_of_a_day() -> None:
    assert Month(2024, 2) == Month.of(dt.date(2024, 2, 29))


def test_pageview_data_starts_in_july_2015() -> None:
    assert Month(2015, 7) == DATA_START


@given(st.integers().filter(lambda n: not 1 <= n <= 12))
def test_every_month_number_outside_1_to_12_is_refused(number: int) -> None:
    with pytest.raises(InvalidMonth):
        Month(2023, number)


@given(st.integers().filter(lambda n: not 1 <= n <= 9999))
def test_every_year_outside_1_to_9999_is_refused(year: int) -> None:
    with pytest.raises(InvalidYear):
        Month(year, 1)


@pytest.mark.parametrize(
    "raw",
    ["0", "00", "13", "99", "001", "012", "1.0", "-1", "+5", " 1", "1 ", "", "Foobar", "\uff11", "\u0661"],
)
def test_a_month_segment_that_is_not_1_to_12_in_ascii_digits_is_refused(raw: str) -> None:
    with pytest.raises(InvalidMonth):
        Month.from_parts("2023", raw)


@given(st.text(max_size=4))
def test_every_month_segment_is_either_1_to_12_or_refused(raw: str) -> None:
    try:
        month = Month.from_parts("2023", raw)
    except InvalidMonth:
        assert not (re.fullmatch(r"[0-9]{1,2}", raw) and 1 <= int(raw) <= 12)
    else:
        assert str(month.month) == raw.lstrip("0")


@pytest.mark.parametrize(
    "raw",
    [
        "0000",
        "23",
        "202",
        "20233",
        "-2023",
        "+2023",
        " 2023",
        "2023 ",
        "2023.0",
        "",
        "Foobar",
        "\uff12\uff10\uff12\uff13",
    ],
)
def test_a_year_segment_that_is_not_four_ascii_digits_from_0001_is_refused(raw: str) -> None:
    with pytest.raises(InvalidYear):
        Month.from_parts(raw, "10")


@given(st.text(max_size=6))
def test_every_year_segment_is_either_four_digits_or_refused(raw: str) -> None:
    try:
        month = Month.from_parts(raw, "10")
    except InvalidYear:
        assert not (re.fullmatch(r"[0-9]{4}", raw) and raw != "0000")
    else:
        assert f"{month.year:04d}" == raw


@pytest.mark.parametrize(
    "raw", ["2023-1", "2023-13", "2023-00", "2023/10", "202310", "23-10", "2023-10-01", ""]
)
def test_a_month_text_not_in_yyyy_mm_form_is_refused(raw: str) -> None:
    with pytest.raises((InvalidMonth, InvalidYear)):
        Month.parse(raw)


def test_the_obsolete_bot_agent_is_refused_with_its_new_name() -> None:
    with pytest.raises(InvalidAgent, match="renamed `bot` to `automated`"):
        Agent.parse("bot")
