"""What the service remembers of its source's answers and for how long. The policy is the domain's (a finished
period's numbers do not change, a recent one's do); where entries live (process memory, Redis) is an adapter's."""

from __future__ import annotations

import datetime as dt
import enum
from typing import Protocol

import msgspec

from pageviews.domain.model import Access, ArticleQuery, Granularity, Month, Project

KEY_VERSION = "pv1"
"""Part of every key: bump it when the encoding of cached values changes, so old entries are never misread."""


class CacheUnavailable(Exception):
    """The cache could not be used just now; callers carry on without it, since a cache never fails a request."""


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


class Cache(Protocol):
    """Where entries live. Raises `CacheUnavailable` (never a vendor error) when the store cannot be used, and
    drops an entry by itself once its `keep_until` has passed."""

    async def get(self, key: str) -> Entry | None: ...

    async def put(self, key: str, entry: Entry) -> None: ...

    async def health(self) -> CacheHealth: ...


class CachePolicy(msgspec.Struct, frozen=True, kw_only=True):
    """How long an answer is fresh. A period is settled once `settle` has passed after its end (Wikimedia loads a
    day hours after it ends, sometimes a day later): its numbers are final and kept long; a period that is
    still running or not settled yet is refreshed often, and so is "no data", which may only mean "not loaded yet".
    """

    settle: dt.timedelta = dt.timedelta(hours=48)
    settled_ttl: dt.timedelta = dt.timedelta(days=30)
    unsettled_ttl: dt.timedelta = dt.timedelta(minutes=10)
    no_data_ttl: dt.timedelta = dt.timedelta(minutes=5)
    keep_stale: dt.timedelta = dt.timedelta(days=7)

    def is_settled(self, period_end: dt.datetime, now: dt.datetime) -> bool:
        return now >= period_end + self.settle

    def fresh_for(self, period_end: dt.datetime, now: dt.datetime) -> dt.timedelta:
        """How long an answer about a period that ends at `period_end` stays fresh, fetched `now`."""
        return self.settled_ttl if self.is_settled(period_end, now) else self.unsettled_ttl

    def answer(self, payload: bytes, period_end: dt.datetime, now: dt.datetime) -> Entry:
        return self._entry(now, self.fresh_for(period_end, now), payload=payload)

    def no_data(self, detail: str, now: dt.datetime) -> Entry:
        return self._entry(now, self.no_data_ttl, no_data=detail)

    def _entry(
        self, now: dt.datetime, fresh: dt.timedelta, payload: bytes = b"", no_data: str | None = None
    ) -> Entry:
        until = now + fresh
        return Entry(until, until + self.keep_stale, payload, no_data)


def day_end(day: dt.date) -> dt.datetime:
    """The instant (UTC) a day ends, which is when a period whose last day it is ends."""
    return dt.datetime.combine(day + dt.timedelta(days=1), dt.time(), tzinfo=dt.UTC)


def per_article_key(query: ArticleQuery, granularity: Granularity, first: dt.date, last: dt.date) -> str:
    """Everything that changes a per-article answer; the title goes last and `|` cannot occur in a title."""
    return (
        f"{KEY_VERSION}|per-article|{query.project.name}|{query.access.value}|{query.agent.value}|"
        f"{granularity.value}|{first:%Y%m%d}|{last:%Y%m%d}|{query.article.title}"
    )


def top_key(project: Project, access: Access, month: Month) -> str:
    return f"{KEY_VERSION}|top|{project.name}|{access.value}|{month}"
