"""What the service remembers of its sources' answers and for how long. The policy is the domain's (a finished
period's numbers do not change, a recent one's do); where entries live (process memory, Redis) is an adapter's,
behind the `Cache` port."""

from __future__ import annotations

import datetime as dt
import enum

import msgspec

from pageviews.domain.countries import Country
from pageviews.domain.devices import DevicesQuery
from pageviews.domain.freshness import Freshness
from pageviews.domain.model import Access, Article, ArticleQuery, Granularity, Month, Project
from pageviews.domain.siteviews import SiteQuery

KEY_VERSION = "pv2"
"""Part of every key: bump it when the encoding of cached values changes, so old entries are never misread."""


class CacheHealth(enum.StrEnum):
    MEMORY = "memory"
    """In-process only: nothing shared to lose."""
    SHARED = "shared"
    """The shared cache (Redis) answers."""
    DEGRADED = "degraded"
    """The shared cache does not answer: answers come from process memory and the upstream."""


class Entry(msgspec.Struct, frozen=True, array_like=True):
    """One remembered answer: an encoded domain value, or the detail of a "no data" answer. It is served as is
    until `fresh_until`, and kept until `keep_until` to be served, marked stale, when the upstream fails."""

    fresh_until: dt.datetime
    keep_until: dt.datetime
    payload: bytes = b""
    no_data: str | None = None

    def is_fresh(self, now: dt.datetime) -> bool:
        return now < self.fresh_until


class CachePolicy(msgspec.Struct, frozen=True, kw_only=True):
    """How long an answer is fresh. A settled period's numbers are final and kept long; a period that is still
    running or not settled yet is refreshed often, and so is "no data", which may only mean "not loaded yet"."""

    freshness: Freshness = msgspec.field(default_factory=Freshness)
    settled_ttl: dt.timedelta = dt.timedelta(days=30)
    unsettled_ttl: dt.timedelta = dt.timedelta(minutes=10)
    no_data_ttl: dt.timedelta = dt.timedelta(minutes=5)
    keep_stale: dt.timedelta = dt.timedelta(days=7)
    page_facts_ttl: dt.timedelta = dt.timedelta(hours=1)
    """How long what a wiki said about its pages (titles, redirects, language links) is fresh: they change,
    unlike a settled period's numbers."""

    def for_page_facts(self) -> CachePolicy:
        """The policy of page facts: every answer fresh for `page_facts_ttl`, whatever period it is about."""
        ttl = self.page_facts_ttl
        return msgspec.structs.replace(self, settled_ttl=ttl, unsettled_ttl=ttl, no_data_ttl=ttl)

    def fresh_for(self, period_end: dt.datetime, now: dt.datetime) -> dt.timedelta:
        """How long an answer about a period that ends at `period_end` stays fresh, fetched `now`."""
        return self.settled_ttl if self.freshness.is_settled(period_end, now) else self.unsettled_ttl

    def answer(self, payload: bytes, period_end: dt.datetime, now: dt.datetime) -> Entry:
        return self._entry(now, self.fresh_for(period_end, now), payload=payload)

    def no_data(self, detail: str, now: dt.datetime) -> Entry:
        return self._entry(now, self.no_data_ttl, no_data=detail)

    def _entry(
        self, now: dt.datetime, fresh: dt.timedelta, payload: bytes = b"", no_data: str | None = None
    ) -> Entry:
        until = now + fresh
        return Entry(until, until + self.keep_stale, payload, no_data)


class Block(msgspec.Struct, frozen=True, array_like=True, gc=False):
    """One month of a series, the unit the cache keeps: its points as (day of the month, views), the day 1 for
    a monthly point; a day or month it does not list had no views (once settled). A range is assembled from
    the blocks of its months, so a settled month is asked upstream once, whatever ranges include it."""

    points: tuple[tuple[int, int], ...] = ()


def article_series(query: ArticleQuery) -> str:
    """Everything but the period that changes a per-article series; the title goes last (`|` cannot occur in
    it)."""
    return f"per-article|{query.project.name}|{query.access.value}|{query.agent.value}|{query.article.title}"


def block_key(series: str, granularity: Granularity, month: Month) -> str:
    """A block: one month of one series at one granularity (the series last, so its title is last)."""
    return f"{KEY_VERSION}|{granularity.value}|{month}|{series}"


def top_key(project: Project, access: Access, month: Month) -> str:
    return f"{KEY_VERSION}|top|{project.name}|{access.value}|{month}"


def page_key(project: Project, title: Article) -> str:
    """What the wiki said a title is (the title last)."""
    return f"{KEY_VERSION}|page|{project.name}|{title.title}"


def redirects_key(project: Project, page: Article, limit: int) -> str:
    return f"{KEY_VERSION}|redirects|{project.name}|{limit}|{page.title}"


def language_links_key(project: Project, page: Article) -> str:
    return f"{KEY_VERSION}|langlinks|{project.name}|{page.title}"


def site_series(query: SiteQuery) -> str:
    """A project's (or every project's) aggregate views, kept in blocks like an article's series."""
    return f"aggregate|{query.project.name}|{query.access.value}|{query.agent.value}"


def range_key(
    series: str, granularity: str, first: dt.datetime | dt.date, last: dt.datetime | dt.date
) -> str:
    """A whole range kept as one entry: hours, unique devices, and monthly ranges that start or end inside a
    month (Wikimedia sums only the days inside them). A range that has settled is final like a block."""
    return f"{KEY_VERSION}|range|{granularity}|{first.isoformat()}|{last.isoformat()}|{series}"


def devices_series(query: DevicesQuery) -> str:
    return f"unique-devices|{query.project.name}|{query.site.value}"


def top_day_key(project: Project, access: Access, day: dt.date) -> str:
    return f"{KEY_VERSION}|top-day|{project.name}|{access.value}|{day.isoformat()}"


def top_by_country_key(project: Project, access: Access, month: Month) -> str:
    return f"{KEY_VERSION}|top-by-country|{project.name}|{access.value}|{month}"


def top_per_country_key(country: Country, access: Access, month: Month, day: int | None) -> str:
    return f"{KEY_VERSION}|top-per-country|{country.code}|{access.value}|{month}|{day or 'all-days'}"


def site_info_key(project: Project) -> str:
    return f"{KEY_VERSION}|siteinfo|{project.name}"
