"""The page facts behind the cache: what a wiki said about a title, the redirects to a page and its language
links are remembered for the page facts' own freshness (titles and redirects change), shared by concurrent
requests, and served stale (marked so) when the wiki cannot be asked. Titles are remembered one by one, so a batch asks
the wiki only for the titles it does not know yet, in one query."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence
from contextlib import suppress

import msgspec

from pageviews.application.cached_sources import UPSTREAM_FAILURES, Flights, Memo, Observe
from pageviews.domain.cache_policy import (
    CachePolicy,
    Entry,
    language_links_key,
    page_key,
    redirects_key,
    site_info_key,
)
from pageviews.domain.errors import InvalidProject, PageviewsError
from pageviews.domain.model import Article, Project
from pageviews.domain.pages import LanguageLinks, Redirects, Resolved, SiteInfo
from pageviews.domain.ports import Cache, CacheUnavailable, Clock, PageFacts

log = logging.getLogger(__name__)

_encoder = msgspec.msgpack.Encoder()
_resolved_decoder = msgspec.msgpack.Decoder(Resolved)


def _ignore(result: str) -> None:
    pass


class _Site(msgspec.Struct, frozen=True):
    """A `SiteInfo` as the cache keeps it (msgpack has no sets)."""

    main_page: str
    namespaces: tuple[str, ...]


class CachedPageFacts:
    """`PageFacts` in front of another `PageFacts` (MediaWiki), with the cache."""

    def __init__(
        self, facts: PageFacts, cache: Cache, policy: CachePolicy, clock: Clock, observe: Observe = _ignore
    ) -> None:
        self._facts = facts
        self._cache = cache
        self._policy = policy.for_page_facts()
        self._clock = clock
        self._observe = observe
        self._flights: Flights[Resolved] = Flights()
        self._redirects = Memo(Redirects, cache, self._policy, clock, observe)
        self._links = Memo(LanguageLinks, cache, self._policy, clock, observe)
        self._sites = Memo(_Site, cache, self._policy, clock, observe)

    async def resolve(self, project: Project, titles: Sequence[Article]) -> list[Resolved | PageviewsError]:
        """Each title from the cache while fresh, the others asked in one question. When the wiki cannot be
        asked, a title with kept facts gets them (marked stale) and only the others get the wiki's failure;
        when no title can be answered at all, that failure is raised."""
        unique = list(dict.fromkeys(titles))
        keys = [page_key(project, title) for title in unique]
        entries = await self._read(keys)
        now = self._clock.now()
        found: dict[Article, Resolved | asyncio.Future[Resolved]] = {}
        missing: list[tuple[Article, str, Entry | None]] = []
        for title, key, entry in zip(unique, keys, entries, strict=True):
            if entry is not None and entry.is_fresh(now):
                self._observe("hit")
                found[title] = _resolved_decoder.decode(entry.payload)
            elif (flight := self._flights.get(key)) is not None:
                self._observe("coalesced")
                found[title] = flight
            else:
                self._observe("miss")
                missing.append((title, key, entry))
        if missing:
            found.update(zip((title for title, _, _ in missing), self._fly(project, missing), strict=True))
        answers: dict[Article, Resolved | PageviewsError] = {}
        for title, value in found.items():
            if not isinstance(value, asyncio.Future):
                answers[title] = value
                continue
            try:
                # Shielded: a caller that goes away does not cancel the question others are waiting for.
                answers[title] = await asyncio.shield(value)
            except UPSTREAM_FAILURES as failure:
                answers[title] = failure
        results = [answers[title] for title in titles]
        failures = [result for result in results if isinstance(result, PageviewsError)]
        if results and len(failures) == len(results):
            raise failures[0]
        return results

    def _fly(
        self, project: Project, missing: list[tuple[Article, str, Entry | None]]
    ) -> list[asyncio.Future[Resolved]]:
        keys = [key for _, key, _ in missing]
        return self._flights.launch(keys, lambda flights: self._ask(project, missing, flights))

    async def _ask(
        self,
        project: Project,
        missing: list[tuple[Article, str, Entry | None]],
        flights: list[asyncio.Future[Resolved]],
    ) -> None:
        """Asks the wiki about the titles not known fresh; a title it could not answer about is served what
        was kept of it (stale), or the failure when nothing was."""
        answers: Sequence[Resolved | PageviewsError]
        try:
            answers = await self._facts.resolve(project, [title for title, _, _ in missing])
        except UPSTREAM_FAILURES as exc:
            answers = [exc] * len(missing)
        now = self._clock.now()
        fresh = {
            key: self._policy.answer(_encoder.encode(answer), now, now)
            for (_, key, _), answer in zip(missing, answers, strict=True)
            if isinstance(answer, Resolved)
        }
        if fresh:
            with suppress(CacheUnavailable):
                await self._cache.put_many(fresh)
        served_stale = 0
        for (_, _, entry), answer, flight in zip(missing, answers, flights, strict=True):
            if isinstance(answer, Resolved):
                flight.set_result(answer)
            elif entry is not None:
                served_stale += 1
                flight.set_result(
                    msgspec.structs.replace(_resolved_decoder.decode(entry.payload), stale=True)
                )
            else:
                flight.set_exception(answer)
        failed = next((answer for answer in answers if isinstance(answer, PageviewsError)), None)
        if served_stale and failed is not None:
            log.warning("serving %d kept page facts stale for %s: %s", served_stale, project, failed.detail)
            self._observe("stale")

    async def redirects_to(self, project: Project, page: Article, limit: int) -> Redirects:
        async def fetch() -> Redirects:
            return await self._facts.redirects_to(project, page, limit)

        now = self._clock.now()
        redirects, stale = await self._redirects.get(redirects_key(project, page, limit), now, fetch)
        return msgspec.structs.replace(redirects, stale=True) if stale else redirects

    async def language_links(self, project: Project, page: Article) -> LanguageLinks:
        async def fetch() -> LanguageLinks:
            return await self._facts.language_links(project, page)

        now = self._clock.now()
        links, stale = await self._links.get(language_links_key(project, page), now, fetch)
        return msgspec.structs.replace(links, stale=True) if stale else links

    async def _read(self, keys: Sequence[str]) -> list[Entry | None]:
        try:
            return await self._cache.get_many(keys)
        except CacheUnavailable:
            return [None] * len(keys)

    async def site_info(self, project: Project) -> SiteInfo:
        async def fetch() -> _Site:
            found = await self._facts.site_info(project)
            return _Site(found.main_page, tuple(sorted(found.namespaces)))

        now = self._clock.now()
        site, _ = await self._sites.get(site_info_key(project), now, fetch)
        return SiteInfo(site.main_page, frozenset(site.namespaces))


async def site_infos(
    page_facts: PageFacts | None, projects: Sequence[str], budget: float | None = None
) -> list[SiteInfo | None]:
    """What each wiki says of itself (for telling articles from other pages), None where it cannot be asked
    or has not answered within `budget` seconds (the rule then falls back to its tables): asked together, each
    answer cached like every page fact (a question past the budget goes on, for the answers after this one)."""
    if page_facts is None:
        return [None] * len(projects)

    async def one(name: str) -> SiteInfo | None:
        try:
            async with asyncio.timeout(budget):
                return await page_facts.site_info(Project.parse(name))
        except (*UPSTREAM_FAILURES, InvalidProject, TimeoutError):
            return None

    return list(await asyncio.gather(*(one(name) for name in projects)))
