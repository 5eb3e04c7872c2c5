"""MediaWiki's Action API (`api.php` of each wiki) as the `PageFacts` port, over one shared httpx client.

Per the API's etiquette (shared/upstream/mediawiki-api.md §1): `formatversion=2`, `maxlag=5` (a lagged
replica answers an error with `Retry-After`, retried), up to 50 titles a query joined with `|` (POST once the
URL grows long), `continue` followed until the batch is complete, errors recognised by their `code` (they come
with HTTP 200 and a `MediaWiki-API-Error` header), one request at a time (the resilience given, its own
breaker and slot). Parsers also take the formatversion=1 shapes (pages keyed by id, `""` for true, `*` for
content), which old wikis and many recorded bodies have. Every vendor failure leaves as a domain error."""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from functools import partial
from typing import Any

import httpx
import msgspec
from msgspec import UNSET, UnsetType

from pageviews.adapters.outbound.resilience import Resilience, Transient
from pageviews.adapters.outbound.upstream import (
    DEFAULT_RETRY_AFTER,
    HttpClient,
    retry_after,
    retry_after_hint,
)
from pageviews.domain.errors import (
    PageviewsError,
    UpstreamError,
    UpstreamThrottled,
    UpstreamTimeout,
    UpstreamUnavailable,
)
from pageviews.domain.model import Article, Project
from pageviews.domain.pages import (
    MAX_TITLES_PER_QUERY,
    LanguageLink,
    LanguageLinks,
    PageStatus,
    Redirect,
    Redirects,
    Resolved,
    SiteInfo,
    Target,
    family_of,
    host_of,
    project_of_url,
)

log = logging.getLogger(__name__)

MAXLAG = 5
"""Seconds of replica lag beyond which MediaWiki asks bots to wait (its recommended value)."""
MAXLAG_WAIT = 5.0
"""MediaWiki's own minimum `Retry-After` for a lag error."""
LONGEST_WAIT = 10.0
"""The longest `Retry-After` of a wiki that is waited for before asking again (a lagged replica asks for
max(lag, 5) s), when it fits in the deadline; a longer one is passed on to the client at once."""
MAX_ROUNDS = 40
"""Continuations followed for one question at most: a page with thousands of redirects is cut there."""
GET_URL_LIMIT = 2000
"""Longer query strings go as a POST body (a GET of many titles meets 414 URI Too Long)."""
MAX_HOPS = 10
"""Redirect hops followed when mapping an input to its page (MediaWiki itself stops loops)."""
TRANSIENT_CODES = frozenset({"maxlag", "ratelimited", "readonly", "internal_api_error_DBQueryError"})

Flag = bool | str | UnsetType
"""A boolean as either format writes it: formatversion 2 `true`/`false`, formatversion 1 `""` or absent."""


def _on(flag: Flag) -> bool:
    return flag is not UNSET and flag is not False


class _Link(msgspec.Struct):
    title: str | UnsetType = UNSET
    star: str | UnsetType = msgspec.field(default=UNSET, name="*")
    lang: str = ""
    url: str = ""
    fragment: str | UnsetType = UNSET

    @property
    def text(self) -> str:
        if isinstance(self.title, str):
            return self.title
        return self.star if isinstance(self.star, str) else ""


class _Page(msgspec.Struct):
    title: str = ""
    ns: int | UnsetType = UNSET
    pageid: int | UnsetType = UNSET
    missing: Flag = UNSET
    invalid: Flag = UNSET
    special: Flag = UNSET
    invalidreason: str | UnsetType = UNSET
    redirects: list[_Link] = msgspec.field(default_factory=list)
    langlinks: list[_Link] = msgspec.field(default_factory=list)


class _Hop(msgspec.Struct):
    to: str
    from_: str = msgspec.field(name="from")
    tofragment: str | UnsetType = UNSET


class _Interwiki(msgspec.Struct):
    title: str
    iw: str = ""


class _General(msgspec.Struct):
    mainpage: str = "Main Page"


class _Namespace(msgspec.Struct):
    id: int = 0
    name: str | UnsetType = UNSET
    star: str | UnsetType = msgspec.field(default=UNSET, name="*")
    canonical: str | UnsetType = UNSET


class _Alias(msgspec.Struct):
    id: int = 0
    alias: str | UnsetType = UNSET
    star: str | UnsetType = msgspec.field(default=UNSET, name="*")


class _Query(msgspec.Struct):
    general: _General | UnsetType = UNSET
    namespaces: dict[str, _Namespace] = msgspec.field(default_factory=dict)
    namespacealiases: list[_Alias] = msgspec.field(default_factory=list)
    normalized: list[_Hop] = msgspec.field(default_factory=list)
    converted: list[_Hop] = msgspec.field(default_factory=list)
    redirects: list[_Hop] = msgspec.field(default_factory=list)
    interwiki: list[_Interwiki] = msgspec.field(default_factory=list)
    pages: list[_Page] | dict[str, _Page] = msgspec.field(default_factory=list)


class _Error(msgspec.Struct):
    code: str = ""
    info: str = ""


class _Answer(msgspec.Struct):
    query: _Query | UnsetType = UNSET
    error: _Error | UnsetType = UNSET
    continue_: dict[str, Any] | UnsetType = msgspec.field(default=UNSET, name="continue")
    batchcomplete: Flag = UNSET


_decoder = msgspec.json.Decoder(_Answer)


class _Merged:
    """What the responses of one question said, continuations merged: a page reappears in each response
    with the next slice of its lists."""

    def __init__(self) -> None:
        self.redirect_fragments: dict[str, str] = {}
        self.interwiki: set[str] = set()
        self.pages: dict[str, _Page] = {}
        self.redirects: dict[str, list[_Link]] = {}
        self.langlinks: dict[str, list[_Link]] = {}
        self.normalized: dict[str, str] = {}
        self.converted: dict[str, str] = {}
        self.followed: dict[str, str] = {}
        self.cut = False
        """Whether continuations were left unfollowed (the answer may be partial)."""
        self.query: _Query | None = None
        """The first answer's query (what `meta=` modules say comes once)."""

    def add(self, query: _Query) -> None:
        self.query = self.query or query
        for hop in query.normalized:
            self.normalized[hop.from_] = hop.to
        for hop in query.converted:
            self.converted[hop.from_] = hop.to
        for hop in query.redirects:
            self.followed[hop.from_] = hop.to
            if isinstance(hop.tofragment, str) and hop.tofragment:
                self.redirect_fragments[hop.from_] = hop.tofragment
        self.interwiki.update(entry.title for entry in query.interwiki)
        pages = query.pages.values() if isinstance(query.pages, dict) else query.pages
        for page in pages:
            self.pages.setdefault(page.title, page)
            self.redirects.setdefault(page.title, []).extend(page.redirects)
            self.langlinks.setdefault(page.title, []).extend(page.langlinks)

    def canonical(self, title: str) -> str:
        """An input as the wiki spells it (normalised, then converted to the wiki's variant)."""
        title = self.normalized.get(title, title)
        return self.converted.get(title, title)

    def resolved(self, asked: str, sent: str) -> Resolved:
        canonical = self.canonical(sent)
        if canonical in self.interwiki or sent in self.interwiki:
            return Resolved(
                asked=asked,
                title=_underscored(canonical),
                status=PageStatus.INVALID,
                reason="it is an interwiki link to another site, not a page of this wiki",
            )
        final, fragment, hops = canonical, None, 0
        while final in self.followed and hops < MAX_HOPS:
            fragment = self.redirect_fragments.get(final)
            final = self.followed[final]
            hops += 1
        page = self.pages.get(final)
        if page is None or _on(page.invalid) or not canonical:
            reason = page.invalidreason if page is not None and isinstance(page.invalidreason, str) else None
            return Resolved(
                asked=asked,
                title=_underscored(canonical),
                status=PageStatus.INVALID,
                reason=reason or "the title is empty or only a namespace",
            )
        redirect = Target(_underscored(final), fragment) if final != canonical else None
        missing = _on(page.missing) and redirect is None
        return Resolved(
            asked=asked,
            title=_underscored(canonical),
            status=PageStatus.MISSING if missing else PageStatus.EXISTS,
            redirect=redirect,
            page_id=page.pageid if isinstance(page.pageid, int) and not _on(page.missing) else None,
            namespace=page.ns if isinstance(page.ns, int) else None,
        )


def _underscored(title: str) -> str:
    return title.replace(" ", "_")


class MediaWikiPageFacts:
    def __init__(self, client: HttpClient, url_template: str, resilience: Resilience) -> None:
        self._client = client
        self._template = url_template
        self._resilience = resilience

    async def resolve(self, project: Project, titles: Sequence[Article]) -> list[Resolved]:
        unique = list(dict.fromkeys(title.title for title in titles))
        found: dict[str, Resolved] = {}
        for start in range(0, len(unique), MAX_TITLES_PER_QUERY):
            chunk = unique[start : start + MAX_TITLES_PER_QUERY]
            merged = await self._ask(project, {"prop": "info", "redirects": "1"}, chunk)
            for title in chunk:
                found[title] = merged.resolved(title, _spaced(title))
        return [found[title.title] for title in titles]

    async def redirects_to(self, project: Project, page: Article, limit: int) -> Redirects:
        params = {"prop": "redirects", "rdprop": "title|fragment", "rdlimit": "max"}
        merged = await self._ask(project, params, [page.title], enough=lambda m: _count(m.redirects) > limit)
        title = merged.canonical(_spaced(page.title))
        listed = [
            Redirect(_underscored(link.text), link.fragment if isinstance(link.fragment, str) else None)
            for link in merged.redirects.get(title, [])
            if link.text
        ]
        unique = list(dict.fromkeys(listed))
        return Redirects(tuple(unique[:limit]), truncated=len(unique) > limit or merged.cut)

    async def language_links(self, project: Project, page: Article) -> LanguageLinks:
        params = {"prop": "langlinks", "llprop": "url", "lllimit": "max", "redirects": "1"}
        merged = await self._ask(project, params, [page.title])
        canonical = merged.canonical(_spaced(page.title))
        final = merged.followed.get(canonical, canonical)
        family = family_of(project)
        links = []
        for link in merged.langlinks.get(final, []):
            linked = project_of_url(link.url)
            # Interlanguage links stay in the family; a link elsewhere (or without a URL) is not followed.
            if linked is None or family_of(linked) != family or linked == project or not link.text:
                continue
            links.append(LanguageLink(link.lang, linked, _underscored(link.text)))
        return LanguageLinks(tuple(dict.fromkeys(links)))

    async def site_info(self, project: Project) -> SiteInfo:
        params = {"meta": "siteinfo", "siprop": "general|namespaces|namespacealiases"}
        query = (await self._ask(project, params, [])).query
        if query is None or not isinstance(query.general, _General):
            raise UpstreamError(f"MediaWiki ({host_of(project)}) answered siteinfo without its general part")
        names: set[str] = set()
        for namespace in query.namespaces.values():
            if namespace.id != 0:
                names |= {_text(namespace.name, namespace.star), _text(namespace.canonical, UNSET)}
        names.update(_text(alias.alias, alias.star) for alias in query.namespacealiases if alias.id != 0)
        return SiteInfo(
            _underscored(query.general.mainpage), frozenset(name.casefold() for name in names if name)
        )

    # -- one question, all its continuations ---------------------------------------------------------------

    async def _ask(
        self,
        project: Project,
        params: dict[str, str],
        titles: list[str],
        enough: Callable[[_Merged], bool] | None = None,
    ) -> _Merged:
        host = host_of(project)
        url = self._template.format(host=host)
        base = {
            "action": "query",
            "format": "json",
            "formatversion": "2",
            "maxlag": str(MAXLAG),
            **params,
        }
        if titles:
            base["titles"] = "|".join(_spaced(title) for title in titles)
        merged = _Merged()
        following: dict[str, str] = {"continue": ""}
        for _ in range(MAX_ROUNDS):
            answer = await self._resilience.call(  # the breaker's subject: one question, all its rounds
                f"{host}|{params.get('prop') or params.get('meta')}|{base.get('titles')}",
                partial(self._attempt, host, url, {**base, **following}),
            )
            if isinstance(answer.query, _Query):
                merged.add(answer.query)
            if not isinstance(answer.continue_, dict) or (enough is not None and enough(merged)):
                return merged
            following = {key: str(value) for key, value in answer.continue_.items()}
        log.warning("mediawiki: stopped following continue after %d rounds for %s", MAX_ROUNDS, titles[:3])
        merged.cut = True
        return merged

    async def _attempt(self, host: str, url: str, params: dict[str, str]) -> _Answer:
        name = f"MediaWiki ({host})"
        if self._client.is_closed:
            raise UpstreamUnavailable("the service is shutting down", retry_after=1)
        try:
            if len(str(httpx.QueryParams(params))) <= GET_URL_LIMIT:
                response = await self._client.get(url, params=params)
            else:
                response = await self._client.post(url, data=params)
        except httpx.TimeoutException as exc:
            raise Transient(UpstreamTimeout(f"{name} did not answer in time")) from exc
        except httpx.TransportError as exc:
            log.warning("mediawiki unreachable: %r", exc)
            raise Transient(UpstreamUnavailable(f"{name} could not be reached", DEFAULT_RETRY_AFTER)) from exc
        except httpx.HTTPError as exc:
            raise UpstreamError(f"{name} answered with an unreadable body: {exc}") from exc
        status = response.status_code
        if status == 429:
            error: PageviewsError = UpstreamThrottled(
                f"{name} is throttling requests", retry_after(response.headers)
            )
            raise Transient(error, retry_after_hint(response.headers))
        if status >= 500:
            error = UpstreamUnavailable(f"{name} answered {status}", retry_after(response.headers))
            raise Transient(error, retry_after_hint(response.headers))
        if status == 403:
            raise UpstreamError(f"{name} refused the request (403); check PAGEVIEWS_USER_AGENT")
        if status != 200:
            raise UpstreamError(f"{name} answered {status}")
        try:
            answer = _decoder.decode(response.content)
        except msgspec.DecodeError as exc:
            raise UpstreamError(f"{name} answered with an unexpected body: {exc}") from exc
        code = answer.error.code if isinstance(answer.error, _Error) else ""
        code = code or response.headers.get("mediawiki-api-error", "").split(",")[0].strip()
        if code:
            info = answer.error.info if isinstance(answer.error, _Error) else ""
            return self._failed(name, code, info, response.headers)
        return answer

    def _failed(self, name: str, code: str, info: str, headers: httpx.Headers) -> _Answer:
        detail = f"{name} answered error {code}" + (f": {info}" if info else "")
        if code in TRANSIENT_CODES or code.startswith("internal_api_error"):
            wait = max(retry_after_hint(headers) or MAXLAG_WAIT, MAXLAG_WAIT) if code == "maxlag" else None
            log.info("mediawiki: %s", detail)
            raise Transient(UpstreamThrottled(detail, wait or DEFAULT_RETRY_AFTER), wait)
        log.warning("mediawiki: %s", detail)
        raise UpstreamError(detail)


def _text(named: str | UnsetType, star: str | UnsetType) -> str:
    """A name as formatversion 2 (a member) or 1 (`*`) gives it."""
    return named if isinstance(named, str) else star if isinstance(star, str) else ""


def _spaced(title: str) -> str:
    return title.replace("_", " ")


def _count(lists: dict[str, list[_Link]]) -> int:
    return sum(len(links) for links in lists.values())
