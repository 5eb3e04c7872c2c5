"""What the domain needs from the outside world, stated as roles; adapters implement them."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Protocol

from pageviews.domain.cache_policy import CacheHealth, Entry
from pageviews.domain.countries import Country, TopCountries, TopOfCountry
from pageviews.domain.devices import DeviceCounts, DevicesQuery
from pageviews.domain.errors import PageviewsError
from pageviews.domain.model import Access, Article, ArticleQuery, Fetched, Granularity, Month, Project
from pageviews.domain.pages import LanguageLinks, Redirects, Resolved, SiteInfo
from pageviews.domain.siteviews import HourlyFetched, SiteQuery
from pageviews.domain.top import TopArticles


class PageviewsSource(Protocol):
    """Where page view counts come from (Wikimedia's pageviews API in production).

    Returns the points the source has between `first` and `last` (inclusive days), in any order, and raises
    `NoData` when it has none, or an `Upstream*` error when it could not answer usably.
    """

    async def per_article(
        self, query: ArticleQuery, granularity: Granularity, first: dt.date, last: dt.date
    ) -> Fetched: ...


class TopArticlesSource(Protocol):
    """Where a month's most viewed articles come from; raises `NoData` when the month has no list."""

    async def top_articles(self, project: Project, access: Access, month: Month) -> TopArticles: ...


class PageFacts(Protocol):
    """What a wiki knows about its pages (MediaWiki's Action API in production). Raises an `Upstream*` error
    when the wiki could not answer usably; a missing or invalid title is an answer, not an error. An answer
    marked `stale` is what the wiki said before, served because it could not be asked again."""

    async def resolve(
        self, project: Project, titles: Sequence[Article]
    ) -> Sequence[Resolved | PageviewsError]:
        """Each title as the wiki knows it, in the order asked (any number: batched by the implementation).
        A title the wiki could not be asked about while others could be answered (from what was kept) is the
        `Upstream*` error that kept it unknown; when no title can be answered, that error is raised."""
        ...

    async def redirects_to(self, project: Project, page: Article, limit: int) -> Redirects:
        """The redirects that lead to `page` (a page, not itself a redirect), in the wiki's order: at most
        `limit` of them, and whether there are more."""
        ...

    async def language_links(self, project: Project, page: Article) -> LanguageLinks:
        """The same page in the other languages of its family, as the page links them."""
        ...

    async def site_info(self, project: Project) -> SiteInfo:
        """The wiki's main page and namespace names."""
        ...


class SiteviewsSource(Protocol):
    """Where a project's totals come from: aggregate views (per month, day or hour) and unique devices. Like
    `PageviewsSource`: the points it has (zero periods may be absent), `NoData` when it has none."""

    async def aggregate(
        self, query: SiteQuery, granularity: Granularity, first: dt.date, last: dt.date
    ) -> Fetched: ...

    async def aggregate_hourly(
        self, query: SiteQuery, first: dt.datetime, last: dt.datetime
    ) -> HourlyFetched:
        """The hours from the one starting at `first` to the one starting at `last`, inclusive."""
        ...

    async def unique_devices(
        self, query: DevicesQuery, granularity: Granularity, first: dt.date, last: dt.date
    ) -> DeviceCounts: ...


class TopListsSource(Protocol):
    """Where the other top lists come from: a day's top articles, a month's views by country, a country's top
    articles of a day (`day`) or a month (`day` None). `NoData` when there is no such list."""

    async def top_of_day(self, project: Project, access: Access, day: dt.date) -> TopArticles: ...

    async def top_by_country(self, project: Project, access: Access, month: Month) -> TopCountries: ...

    async def top_per_country(
        self, country: Country, access: Access, month: Month, day: int | None
    ) -> TopOfCountry: ...


class Clock(Protocol):
    """The current time, so that "this month" and "not settled yet" can be tested without patching time."""

    def now(self) -> dt.datetime:
        """An aware datetime in UTC."""
        ...

    def timestamp(self) -> float:
        """The same instant in seconds since the epoch, what caches count expiry in (cheaper than `now()`)."""
        ...


class CacheUnavailable(Exception):
    """The cache could not be used just now; callers carry on without it, since a cache never fails a request."""


class Cache(Protocol):
    """Where entries live. Raises `CacheUnavailable` (never a vendor error) when the store cannot be used, and
    drops an entry by itself once its `keep_until` has passed."""

    async def get(self, key: str) -> Entry | None: ...

    async def put(self, key: str, entry: Entry) -> None: ...

    async def get_many(self, keys: Sequence[str]) -> list[Entry | None]:
        """The entries of `keys`, in order (None for each one it does not hold), in one round trip."""
        ...

    async def put_many(self, entries: Mapping[str, Entry]) -> None: ...

    async def health(self) -> CacheHealth: ...


class RateLimit(Protocol):
    """How many requests one client may make: a client over its budget is told when it may go on."""

    @property
    def description(self) -> str:
        """The limit in words, e.g. `10 requests per minute`."""
        ...

    async def retry_after(self, client: str) -> int | None:
        """Counts one request of `client`: None if it may go on, else the whole seconds until it may."""
        ...
