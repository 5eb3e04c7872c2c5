"""Fakes of the domain's ports, for tests that exercise the use cases without any I/O."""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import Mapping, Sequence

from pageviews.domain.cache_policy import CacheHealth, Entry
from pageviews.domain.errors import NoData
from pageviews.domain.model import (
    Access,
    Article,
    ArticleQuery,
    DataPoint,
    Fetched,
    Granularity,
    Month,
    Project,
)
from pageviews.domain.pages import (
    LanguageLink,
    LanguageLinks,
    PageStatus,
    Redirect,
    Redirects,
    Resolved,
    SiteInfo,
    Target,
)
from pageviews.domain.top import TopArticles


class FakeTimer:
    """A monotonic timer that moves only when a test moves it."""

    def __init__(self, now: float = 0.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


class FakeSleep:
    """Waits no time, and remembers every wait it was asked for."""

    def __init__(self) -> None:
        self.waits: list[float] = []

    async def __call__(self, seconds: float) -> None:
        self.waits.append(seconds)


class FixedClock:
    def __init__(self, now: dt.datetime) -> None:
        self.current = now

    def now(self) -> dt.datetime:
        return self.current

    def timestamp(self) -> float:
        return self.current.timestamp()


def month(text: str) -> dt.date:
    """`2023-10` as the first day of its month, as tests write months."""
    return dt.date.fromisoformat(f"{text}-01")


def day(text: str) -> dt.date:
    return dt.date.fromisoformat(text)


class FakeCache:
    """The `Cache` port as a dict that forgets an entry once its keep time has passed by `clock`."""

    def __init__(self, clock: FixedClock) -> None:
        self.entries: dict[str, Entry] = {}
        self._clock = clock

    async def get(self, key: str) -> Entry | None:
        entry = self.entries.get(key)
        if entry is not None and self._clock.now() >= entry.keep_until:
            del self.entries[key]
            return None
        return entry

    async def put(self, key: str, entry: Entry) -> None:
        self.entries[key] = entry

    async def get_many(self, keys: Sequence[str]) -> list[Entry | None]:
        return [await self.get(key) for key in keys]

    async def put_many(self, entries: Mapping[str, Entry]) -> None:
        self.entries.update(entries)

    async def health(self) -> CacheHealth:
        return CacheHealth.MEMORY


class FakePageviewsSource:
    """Answers from a dict of points, and records every request it was asked.

    `error` is raised instead of answering (any exception, to test unexpected failures too);
    `answer_override` is returned whatever was asked (to test answers for the wrong period);
    `stale` marks every answer as a stale copy."""

    def __init__(self) -> None:
        self.points: dict[tuple[ArticleQuery, Granularity], list[DataPoint]] = {}
        self.asked: list[tuple[ArticleQuery, Granularity, dt.date, dt.date]] = []
        self.error: Exception | None = None
        self.answer_override: list[DataPoint] | None = None
        self.stale = False
        self.failing: dict[ArticleQuery, Exception] = {}
        """Raised for these queries only."""

    def add(self, query: ArticleQuery, granularity: Granularity, period: dt.date, views: int) -> None:
        self.points.setdefault((query, granularity), []).append(DataPoint(period, views))

    async def per_article(
        self, query: ArticleQuery, granularity: Granularity, first: dt.date, last: dt.date
    ) -> Fetched:
        self.asked.append((query, granularity, first, last))
        if self.error is not None:
            raise self.error
        if query in self.failing:
            raise self.failing[query]
        if self.answer_override is not None:
            return Fetched(tuple(self.answer_override), stale=self.stale)
        found = tuple(p for p in self.points.get((query, granularity), []) if first <= p.period <= last)
        if not found:
            raise NoData("no data")
        return Fetched(found, stale=self.stale)


class SlowReadingCache(FakeCache):
    """A cache a round trip away (as Redis is): once `reads_wait` is set, a read answers with what the cache
    held when it was made, but only after `read_gate` is set."""

    def __init__(self, clock: FixedClock) -> None:
        super().__init__(clock)
        self.reads_wait = False
        self.read_gate = asyncio.Event()

    async def get(self, key: str) -> Entry | None:
        entry = await super().get(key)
        if self.reads_wait:
            await self.read_gate.wait()
        return entry

    async def get_many(self, keys: Sequence[str]) -> list[Entry | None]:
        entries = [await super(SlowReadingCache, self).get(key) for key in keys]
        if self.reads_wait:
            await self.read_gate.wait()
        return entries


class GatedSource(FakePageviewsSource):
    """Answers only once `gate` is set, so that callers pile up while a request is in flight."""

    def __init__(self) -> None:
        super().__init__()
        self.gate = asyncio.Event()

    async def per_article(
        self, query: ArticleQuery, granularity: Granularity, first: dt.date, last: dt.date
    ) -> Fetched:
        await self.gate.wait()
        return await super().per_article(query, granularity, first, last)


class FakeTopArticlesSource:
    """Answers top lists from a dict, and records every month it was asked."""

    def __init__(self) -> None:
        self.lists: dict[tuple[Project, Access, Month], TopArticles] = {}
        self.asked: list[tuple[Project, Access, Month]] = []

    async def top_articles(self, project: Project, access: Access, month: Month) -> TopArticles:
        self.asked.append((project, access, month))
        try:
            return self.lists[(project, access, month)]
        except KeyError:
            raise NoData() from None


class FakePageFacts:
    """A wiki as dicts: pages, redirects (to a page, maybe a section), language links and invalid titles;
    records every call (`calls`: the method and the titles asked) and raises `error` instead when it is set."""

    def __init__(self) -> None:
        self.pages: set[str] = set()
        self.redirects: dict[str, Target] = {}
        self.links: dict[str, list[LanguageLink]] = {}
        self.invalid: dict[str, str] = {}
        self.sites: dict[str, SiteInfo] = {}
        self.calls: list[tuple[str, tuple[str, ...]]] = []
        self.error: Exception | None = None
        self.redirects_error: Exception | None = None
        """Raised by `redirects_to` only."""

    def add_page(self, title: str) -> None:
        self.pages.add(title)

    def add_redirect(self, title: str, target: str, fragment: str | None = None) -> None:
        self.redirects[title] = Target(target, fragment)

    async def resolve(self, project: Project, titles: Sequence[Article]) -> list[Resolved]:
        self.calls.append(("resolve", tuple(t.title for t in titles)))
        if self.error is not None:
            raise self.error
        return [self._resolved(title.title) for title in titles]

    def _resolved(self, title: str) -> Resolved:
        if title in self.invalid:
            return Resolved(asked=title, title=title, status=PageStatus.INVALID, reason=self.invalid[title])
        if title in self.redirects:
            return Resolved(
                asked=title, title=title, status=PageStatus.EXISTS, redirect=self.redirects[title]
            )
        status = PageStatus.EXISTS if title in self.pages else PageStatus.MISSING
        return Resolved(asked=title, title=title, status=status, namespace=0)

    async def redirects_to(self, project: Project, page: Article, limit: int) -> Redirects:
        self.calls.append(("redirects_to", (page.title,)))
        if self.error is not None:
            raise self.error
        if self.redirects_error is not None:
            raise self.redirects_error
        found = [
            Redirect(title, target.fragment)
            for title, target in self.redirects.items()
            if target.title == page.title
        ]
        return Redirects(tuple(found[:limit]), truncated=len(found) > limit)

    async def language_links(self, project: Project, page: Article) -> LanguageLinks:
        self.calls.append(("language_links", (page.title,)))
        if self.error is not None:
            raise self.error
        return LanguageLinks(tuple(self.links.get(page.title, [])))

    async def site_info(self, project: Project) -> SiteInfo:
        self.calls.append(("site_info", (project.name,)))
        if self.error is not None:
            raise self.error
        return self.sites.get(project.name, SiteInfo("Main_Page", frozenset({"talk", "user", "special"})))

    def asked(self, method: str) -> list[tuple[str, ...]]:
        return [titles for name, titles in self.calls if name == method]


class GatedTopSource(FakeTopArticlesSource):
    """Answers only once `gate` is set."""

    def __init__(self) -> None:
        super().__init__()
        self.gate = asyncio.Event()

    async def top_articles(self, project: Project, access: Access, month: Month) -> TopArticles:
        await self.gate.wait()
        return await super().top_articles(project, access, month)
