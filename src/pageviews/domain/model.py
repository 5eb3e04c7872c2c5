"""The value objects of the domain. Each one is valid by construction: parse, don't validate."""

from __future__ import annotations

import calendar
import datetime as dt
import enum
import re
import unicodedata
from collections.abc import Callable

import msgspec

from pageviews.domain.errors import (
    InvalidAccess,
    InvalidAgent,
    InvalidGranularity,
    InvalidMonth,
    InvalidProject,
    InvalidTitle,
    InvalidYear,
    UpstreamError,
)


class Access(enum.StrEnum):
    ALL = "all-access"
    DESKTOP = "desktop"
    MOBILE_WEB = "mobile-web"
    MOBILE_APP = "mobile-app"

    @classmethod
    def parse(cls, raw: str) -> Access:
        try:
            return cls(raw.strip().lower())
        except ValueError:
            allowed = ", ".join(a.value for a in cls)
            raise InvalidAccess(f"access must be one of {allowed}; got {raw!r}") from None


class Agent(enum.StrEnum):
    """Who viewed: `user` is human traffic, the default of Wikimedia's own tools."""

    USER = "user"
    ALL = "all-agents"
    SPIDER = "spider"
    AUTOMATED = "automated"

    @classmethod
    def parse(cls, raw: str) -> Agent:
        try:
            return cls(raw.strip().lower())
        except ValueError:
            allowed = ", ".join(a.value for a in cls)
            hint = " (Wikimedia renamed `bot` to `automated` in 2020)" if raw.strip().lower() == "bot" else ""
            raise InvalidAgent(f"agent must be one of {allowed}; got {raw!r}{hint}") from None


class Granularity(enum.StrEnum):
    DAILY = "daily"
    MONTHLY = "monthly"

    def end_of(self, start: dt.date) -> dt.datetime:
        """The instant (UTC) the day or month starting on `start` ends: the domain's one "end of a period"."""
        if self is Granularity.DAILY:
            following = start + dt.timedelta(days=1)
        else:
            following = Month.of(start).next().first_day
        return dt.datetime.combine(following, dt.time(), tzinfo=dt.UTC)

    @classmethod
    def parse(cls, raw: str) -> Granularity:
        try:
            return cls(raw.strip().lower())
        except ValueError:
            raise InvalidGranularity(f"granularity must be monthly or daily; got {raw!r}") from None


_PROJECT_LABEL = r"[a-z0-9](?:[a-z0-9_-]{0,62})"
_PROJECT = re.compile(rf"{_PROJECT_LABEL}(?:\.{_PROJECT_LABEL}){{0,2}}")


class Project(msgspec.Struct, frozen=True):
    """A Wikimedia project as the pageviews API names it: `en.wikipedia`, `commons.wikimedia`, `mediawiki`."""

    name: str

    @classmethod
    def parse(cls, raw: str) -> Project:
        name = raw.strip().lower().removeprefix("www.").removesuffix(".org")
        if not _PROJECT.fullmatch(name):
            raise InvalidProject(
                f"{raw!r} is not a Wikimedia project name; use a form like en.wikipedia or commons.wikimedia"
            )
        return cls(name)

    @classmethod
    def parse_one(cls, raw: str, counted: str) -> Project:
        """A project that is one wiki: `all-projects` (every project at once) has only totals, so anything else
        (`counted`: "articles", "unique devices", ...) asked of it is refused before anything is asked upstream,
        as Wikimedia itself would refuse it."""
        project = cls.parse(raw)
        if project.name == ALL_PROJECTS_NAME:
            raise InvalidProject(
                f"{counted} are counted per project; all-projects has only the project totals"
            )
        return project

    @property
    def capitalises_titles(self) -> bool:
        """MediaWiki upper-cases the first letter of titles everywhere except on wiktionaries."""
        return ".wiktionary" not in f".{self.name}"

    def __str__(self) -> str:
        return self.name


DEFAULT_PROJECT = Project("en.wikipedia")

ALL_PROJECTS_NAME = "all-projects"
"""The pageviews API's name for every project at once (its aggregate endpoint alone takes it)."""

MAX_TITLE_BYTES = 255
# What MediaWiki refuses in a title: these characters, control characters, and `%XX` escapes.
_FORBIDDEN = re.compile(r"[#<>\[\]|{}\x00-\x1f\x7f\ufffd]|%[0-9A-Fa-f]{2}|~~~")
_RELATIVE = re.compile(r"(?:^|/)\.\.?(?:/|$)")
# MediaWiki turns these into underscores and drops the direction marks.
_SPACES = re.compile(r"[\s\u00a0\u1680\u180e\u2000-\u200a\u2028\u2029\u202f\u205f\u3000_]+")
_DIRECTION_MARKS = re.compile(r"[\u200e\u200f\u202a-\u202e]")


def normalise_title(raw: str, project: Project = DEFAULT_PROJECT) -> str:
    """MediaWiki's canonical form of a title: NFC, runs of spaces as one `_`, trimmed, first letter upper."""
    title = unicodedata.normalize("NFC", raw)
    title = _DIRECTION_MARKS.sub("", title)
    title = _SPACES.sub("_", title).strip("_")
    if project.capitalises_titles and title:
        first = title[0].upper()
        if len(first) == 1:
            title = first + title[1:]
    # Again: dropping a direction mark or upper-casing can make a base letter and a mark composable.
    return unicodedata.normalize("NFC", title)


class Article(msgspec.Struct, frozen=True):
    """A page title in its canonical form (underscores, MediaWiki's first-letter case)."""

    title: str

    @classmethod
    def parse(cls, raw: str, project: Project = DEFAULT_PROJECT) -> Article:
        if _FORBIDDEN.search(raw):
            raise InvalidTitle(
                f"{raw!r} is not a valid title: titles cannot contain # < > [ ] | {{ }}, control characters "
                "or percent-escapes (send each character percent-encoded exactly once)"
            )
        title = normalise_title(raw, project)
        if not title:
            raise InvalidTitle("the title is empty")
        if _RELATIVE.search(title):
            raise InvalidTitle(f"{raw!r} is not a valid title: it cannot be '.' or '..' or contain ./ or ../")
        if len(title.encode()) > MAX_TITLE_BYTES:
            raise InvalidTitle(f"the title is longer than {MAX_TITLE_BYTES} bytes in UTF-8")
        return cls(title)

    def __str__(self) -> str:
        return self.title


_YEAR = re.compile(r"[0-9]{4}")
_MONTH_NUMBER = re.compile(r"[0-9]{1,2}")
_YEAR_MONTH = re.compile(r"([0-9]{4})-([0-9]{2})")


class Month(msgspec.Struct, frozen=True, order=True):
    """A calendar month; ordered by time."""

    year: int
    month: int

    def __post_init__(self) -> None:
        if not 1 <= self.month <= 12:
            raise InvalidMonth(f"month must be between 1 and 12; got {self.month}")
        if not 1 <= self.year <= 9999:
            raise InvalidYear(f"year must be between 1 and 9999; got {self.year}")

    @classmethod
    def from_parts(cls, year: str, month: str) -> Month:
        """From path segments: a plain four-digit year and a month `1`..`12`, zero-padded or not."""
        if not _YEAR.fullmatch(year):
            raise InvalidYear(f"year must be four digits, like 2023; got {year!r}")
        if not _MONTH_NUMBER.fullmatch(month):
            raise InvalidMonth(f"month must be a number from 1 to 12, like 2 or 02; got {month!r}")
        return cls(int(year), int(month))

    @classmethod
    def parse(cls, text: str) -> Month:
        """From `YYYY-MM`."""
        match = _YEAR_MONTH.fullmatch(text)
        if match is None:
            raise InvalidMonth(f"a month is written YYYY-MM, like 2023-10; got {text!r}")
        return cls(int(match[1]), int(match[2]))

    @classmethod
    def of(cls, day: dt.date) -> Month:
        return cls(day.year, day.month)

    @property
    def first_day(self) -> dt.date:
        return dt.date(self.year, self.month, 1)

    @property
    def last_day(self) -> dt.date:
        return dt.date(self.year, self.month, calendar.monthrange(self.year, self.month)[1])

    def next(self) -> Month:
        return Month(self.year + self.month // 12, self.month % 12 + 1)

    def previous(self) -> Month:
        return Month(self.year - (self.month == 1), (self.month - 2) % 12 + 1)

    def end(self) -> dt.datetime:
        """The instant the month ends (UTC), which is when its data can start to be final."""
        return Granularity.MONTHLY.end_of(self.first_day)

    def __str__(self) -> str:
        return f"{self.year:04d}-{self.month:02d}"


DATA_START = Month(2015, 7)
"""Wikimedia's per-article pageview data starts in July 2015."""


class ArticleQuery(msgspec.Struct, frozen=True):
    """Which views of which article: everything that changes the answer except the period."""

    project: Project
    article: Article
    access: Access = Access.ALL
    agent: Agent = Agent.USER


def checked_count(count: int, where: str | Callable[[], str]) -> int:
    """A count (of views, of devices) as a source reported it. Counts are never negative: one that is makes the
    whole answer an upstream error, never data, and it is not kept (every answer is checked before it is).
    `where` names the count for the error; a function is asked only then (a long series has thousands)."""
    if count < 0:
        named = where if isinstance(where, str) else where()
        raise UpstreamError(f"the upstream answered a negative count, {count}, for {named}")
    return count


class DataPoint(msgspec.Struct, frozen=True, gc=False):
    """Views in one period as the source reports it: `period` is the first day of the day or month counted."""

    period: dt.date
    views: int


class Fetched(msgspec.Struct, frozen=True):
    """What a source returned for one request: the points it has (zero periods may be absent), and whether
    they are a stale copy served because the upstream could not be asked."""

    points: tuple[DataPoint, ...]
    stale: bool = False
