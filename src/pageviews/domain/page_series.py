"""Answers about one page across several titles: the views of each redirect to it (Redirect Views), and of
the same page in every language of its family (Langviews), each over one range."""

from __future__ import annotations

import msgspec

from pageviews.domain.errors import PageviewsError
from pageviews.domain.model import Access, Agent, Project
from pageviews.domain.pages import CountedTitle
from pageviews.domain.series import PeriodRange


class RedirectViews(msgspec.Struct, frozen=True, kw_only=True):
    """A page and the redirects to it, each title with its views over the range: the page first, then the
    redirects by views (most first)."""

    project: Project
    page: str
    redirected_from: str | None
    access: Access
    agent: Agent
    periods: PeriodRange
    titles: tuple[CountedTitle, ...]
    truncated: bool
    complete: bool
    stale: bool = False

    @property
    def total(self) -> int:
        """Of the titles whose views are known."""
        return sum(title.views or 0 for title in self.titles)


class LanguageRow(msgspec.Struct, frozen=True, kw_only=True):
    """The page in one language: its views over the range, or the error that kept them from being counted
    (`NoData` when Wikimedia has none for a range none of which has settled: maybe not loaded yet)."""

    lang: str
    project: Project
    title: str
    views: int | None = None
    error: PageviewsError | None = None


class LanguageViews(msgspec.Struct, frozen=True, kw_only=True):
    """The same page in every language of its family, by views (most first; failed languages last)."""

    project: Project
    page: str
    redirected_from: str | None
    access: Access
    agent: Agent
    periods: PeriodRange
    rows: tuple[LanguageRow, ...]
    complete: bool
    stale: bool = False

    @property
    def total(self) -> int:
        """Of the languages counted (a failed language is in no total)."""
        return sum(row.views or 0 for row in self.rows)
