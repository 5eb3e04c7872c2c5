"""A fake of MediaWiki's Action API (`api.php`) for many wikis at once, behaving like the real one as
shared/upstream/mediawiki-api.md describes it, in formatversion 2: titles normalised (underscores to spaces,
first letter up except on wiktionaries, namespace names), `normalized` and `redirects` lists, pages in no
particular order, missing and invalid titles flagged, `prop=redirects` and `prop=langlinks` cut into pages of
`page_size` entries with `continue`, 50 titles a query at most (`toomanyvalues`), errors with HTTP 200 and a
`MediaWiki-API-Error` header, `maxlag` with `Retry-After`, and a 403 without a User-Agent.

Seed it with `add_page`, `add_redirect` and `add_language_link`, or from the verbatim fixtures
(`load_fixtures`). The wiki is the request's host (`https://en.wikipedia.org/w/api.php`) or, over HTTP, the
first path segment (`http://127.0.0.1:PORT/en.wikipedia.org/w/api.php`)."""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl

import httpx

from tests.support.loopback import hanging, serving

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "mediawiki"
TEMPLATE = "https://{host}/w/api.php"
"""The production template: in-process tests use it as it is."""

NAMESPACES = {
    "talk": "Talk",
    "user": "User",
    "user talk": "User talk",
    "wikipedia": "Wikipedia",
    "project": "Wikipedia",
    "file": "File",
    "image": "File",
    "template": "Template",
    "help": "Help",
    "category": "Category",
    "portal": "Portal",
    "draft": "Draft",
    "special": "Special",
}
NAMESPACE_NUMBERS = {"Talk": 1, "User": 2, "User talk": 3, "Wikipedia": 4, "File": 6, "Template": 10}
NAMESPACE_NUMBERS.update({"Help": 12, "Category": 14, "Portal": 100, "Draft": 118, "Special": -1})
INTERWIKI = {"mw", "wikt", "w", "meta", "commons"}
_ILLEGAL = re.compile(r"[#<>\[\]|{}]")
DOCREF = (
    "See https://{host}/w/api.php for API usage. Subscribe to the mediawiki-api-announce mailing list at "
    "&lt;https://lists.wikimedia.org/postorius/lists/mediawiki-api-announce.lists.wikimedia.org/&gt; for "
    "notice of API deprecations and breaking changes."
)


@dataclass
class Wiki:
    pages: dict[str, int] = field(default_factory=dict)
    """Existing pages (not redirects), by title with spaces, to their page id."""
    redirects: dict[str, tuple[str, str | None]] = field(default_factory=dict)
    """Redirect title -> (target title, fragment)."""
    language_links: dict[str, list[dict[str, str]]] = field(default_factory=dict)
    capitalises: bool = True
    main_page: str = "Main Page"
    local_namespaces: dict[int, str] = field(default_factory=dict)
    """Namespace names in the wiki's language, by number (siteinfo gives them, the canonical ones as well)."""


@dataclass
class FakeMediaWiki:
    wikis: dict[str, Wiki] = field(default_factory=dict)
    requests: list[httpx.Request] = field(default_factory=list)
    page_size: int = 500
    """Entries of a list (redirects, language links) per response; smaller makes `continue` happen."""
    lagged: int = 0
    """The next this many requests are answered with a maxlag error."""
    lag_retry_after: int = 5
    """The `Retry-After` of a maxlag error: MediaWiki sends max(lag, 5)."""
    failing: list[httpx.Response] = field(default_factory=list)
    """Answers to give to the next requests instead of the API's."""
    down: bool = False
    """Every request is answered 503, as Wikimedia's front end does when the wiki is unreachable."""
    latency: float = 0.0
    """Seconds each request takes to be answered (over HTTP only: a slow wiki)."""
    most_at_once: int = 0
    """The most requests it was answering at the same moment."""
    _at_once: int = 0
    _counting: threading.Lock = field(default_factory=threading.Lock)
    _next_id: int = 1000

    # -- seeding -------------------------------------------------------------------------------------------

    def wiki(self, host: str) -> Wiki:
        return self.wikis.setdefault(host, Wiki(capitalises=".wiktionary." not in f".{host}"))

    def add_page(self, title: str, host: str = "en.wikipedia.org") -> None:
        self._next_id += 1
        self.wiki(host).pages[title.replace("_", " ")] = self._next_id

    def add_redirect(
        self, title: str, target: str, fragment: str | None = None, host: str = "en.wikipedia.org"
    ) -> None:
        self.wiki(host).redirects[title.replace("_", " ")] = (target.replace("_", " "), fragment)

    def add_language_link(
        self, title: str, lang: str, url: str, linked: str, host: str = "en.wikipedia.org"
    ) -> None:
        self.wiki(host).language_links.setdefault(title.replace("_", " "), []).append(
            {"lang": lang, "url": url, "title": linked.replace("_", " ")}
        )

    def load_fixtures(self) -> None:
        """The wikis of the verbatim fixtures: `Prince Charles` redirects to `Charles III` (en), the 23
        redirects to `Сполучені Штати Америки` (uk), the language links of `Python (programming language)`
        (en, with `gsw` on `als.wikipedia.org`), and `This is missing`, missing (en)."""
        resolve = _fixture("mediawiki-query-redirects-resolve.json")["query"]
        for page in resolve["pages"].values():
            self.wiki("en.wikipedia.org").pages[page["title"]] = page["pageid"]
        for hop in resolve["redirects"]:
            self.add_redirect(hop["from"], hop["to"])
        for name in ("mediawiki-prop-redirects.json", "mediawiki-prop-redirects-page2.json"):
            for page in _fixture(name)["query"]["pages"].values():
                self.wiki("uk.wikipedia.org").pages[page["title"]] = page["pageid"]
                for redirect in page.get("redirects", []):
                    self.add_redirect(redirect["title"], page["title"], host="uk.wikipedia.org")
        links = _fixture("mediawiki-prop-langlinks.json")["query"]["pages"]
        for page in links.values():
            self.wiki("en.wikipedia.org").pages[page["title"]] = page["pageid"]
            for link in page["langlinks"]:
                self.add_language_link(page["title"], link["lang"], link["url"], link["*"])
        invalid = _fixture("mediawiki-query-invalid.json")["query"]
        for page in invalid["pages"].values():
            if "pageid" in page:
                self.wiki("en.wikipedia.org").pages[page["title"]] = page["pageid"]
        for hop in invalid["redirects"]:
            self.add_redirect(hop["from"], hop["to"])

    # -- what was asked ------------------------------------------------------------------------------------

    def asked(self) -> list[dict[str, str]]:
        """The parameters of every request (query string and form body together)."""
        return [_params(request) for request in self.requests]

    # -- the API -------------------------------------------------------------------------------------------

    def handle(self, request: httpx.Request) -> httpx.Response:
        with self._counting:
            self._at_once += 1
            self.most_at_once = max(self.most_at_once, self._at_once)
        try:
            if self.latency:
                threading.Event().wait(self.latency)
            return self._answer(request)
        finally:
            with self._counting:
                self._at_once -= 1

    def _answer(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        if not request.headers.get("user-agent"):
            return httpx.Response(403, text="Please set a user-agent and respect our robot policy.")
        if self.down:
            return httpx.Response(503, text="<html>Wikimedia Error</html>", headers={"retry-after": "1"})
        if self.failing:
            return self.failing.pop(0)
        host, params = _host(request), _params(request)
        if self.lagged:
            self.lagged -= 1
            return _error(
                host,
                "maxlag",
                "Waiting for 10.64.48.58: 7 seconds lagged.",
                headers={"retry-after": str(self.lag_retry_after), "x-database-lag": "7"},
                lag=7,
                type="db",
                extra_host="10.64.48.58",
            )
        if params.get("format") != "json" or params.get("action") != "query":
            return _error(host, "badvalue", 'Unrecognized value for parameter "action".')
        if params.get("meta") == "siteinfo":
            return self._siteinfo(self.wiki(host))
        titles = params["titles"].split("|") if "titles" in params else []
        if len(titles) > 50:
            return _error(
                host,
                "toomanyvalues",
                'Too many values supplied for parameter "titles". The limit is 50.',
                parameter="titles",
                limit=50,
                lowlimit=50,
                highlimit=500,
            )
        return self._query(self.wiki(host), host, titles, params)

    def _siteinfo(self, wiki: Wiki) -> httpx.Response:
        """`meta=siteinfo&siprop=general|namespaces|namespacealiases`, in formatversion 2's shape."""
        namespaces: dict[str, Any] = {"0": {"id": 0, "case": "first-letter", "name": "", "content": True}}
        for canonical, number in NAMESPACE_NUMBERS.items():
            name = wiki.local_namespaces.get(number, canonical)
            namespaces[str(number)] = {
                "id": number,
                "case": "first-letter",
                "name": name,
                "canonical": canonical,
            }
        aliases = [{"id": 6, "alias": "Image"}, {"id": 4, "alias": "WP"}]
        general = {"mainpage": wiki.main_page, "sitename": "Wikipedia", "lang": "en"}
        return _json(
            {
                "batchcomplete": True,
                "query": {"general": general, "namespaces": namespaces, "namespacealiases": aliases},
            }
        )

    def _query(self, wiki: Wiki, host: str, titles: list[str], params: dict[str, str]) -> httpx.Response:
        query: dict[str, Any] = {}
        normalized, redirects, interwiki = [], [], []
        finals: list[str] = []
        for raw in titles:
            prefix = raw.split(":", 1)[0].strip().lower() if ":" in raw else ""
            if prefix in INTERWIKI:
                interwiki.append({"title": raw, "iw": prefix})
                continue
            title = self._normalised(wiki, raw)
            if title != raw:
                normalized.append({"fromencoded": False, "from": raw, "to": title})
            if "redirects" in params:
                seen = {title}
                while title in wiki.redirects:
                    target, fragment = wiki.redirects[title]
                    hop: dict[str, Any] = {"from": title, "to": target}
                    if fragment:
                        hop["tofragment"] = fragment
                    if hop not in redirects:
                        redirects.append(hop)
                    title = target
                    if title in seen:
                        break
                    seen.add(title)
            if title not in finals:
                finals.append(title)
        if normalized:
            query["normalized"] = normalized
        if redirects:
            query["redirects"] = redirects
        if interwiki:
            query["interwiki"] = interwiki
        pages = [self._page(wiki, title) for title in finals]
        prop = set(params.get("prop", "").split("|"))
        cont: dict[str, str] = {}
        if "redirects" in prop:
            cont.update(self._listed(wiki, pages, params, "rdcontinue", "redirects", self._redirects_of))
        if "langlinks" in prop:
            cont.update(self._listed(wiki, pages, params, "llcontinue", "langlinks", self._links_of))
        # Pages come in no particular order (real answers are not in request order): reversed here.
        query["pages"] = list(reversed(pages))
        body: dict[str, Any] = {}
        if cont:
            body["continue"] = {**cont, "continue": "||"}
        else:
            body["batchcomplete"] = True
        body["query"] = query
        return _json(body)

    def _listed(
        self,
        wiki: Wiki,
        pages: list[dict[str, Any]],
        params: dict[str, str],
        key: str,
        name: str,
        entries: Any,
    ) -> dict[str, str]:
        """A list property, `page_size` entries at a time over all pages together (the limit is shared, as
        MediaWiki's is), continued from `params[key]` (`page title|offset`)."""
        start_title, _, start_offset = params.get(key, "|0").partition("|")
        started = not start_title
        budget = self.page_size
        for page in pages:
            if "missing" in page or "invalid" in page:
                continue
            if not started:
                if page["title"] != start_title:
                    continue
                started = True
                offset = int(start_offset)
            else:
                offset = 0
            listed = entries(wiki, page["title"])
            chunk = listed[offset : offset + budget]
            if chunk:
                page[name] = chunk
            budget -= len(chunk)
            if offset + len(chunk) < len(listed):
                return {key: f"{page['title']}|{offset + len(chunk)}"}
        return {}

    def _redirects_of(self, wiki: Wiki, title: str) -> list[dict[str, Any]]:
        found = []
        for source, (target, fragment) in wiki.redirects.items():
            if target == title:
                entry: dict[str, Any] = {"ns": 0, "title": source}
                if fragment:
                    entry["fragment"] = fragment
                found.append(entry)
        return found

    def _links_of(self, wiki: Wiki, title: str) -> list[dict[str, str]]:
        return sorted(wiki.language_links.get(title, []), key=lambda link: link["lang"])

    def _page(self, wiki: Wiki, title: str) -> dict[str, Any]:
        namespace_only = title.endswith(":") and title[:-1].lower() in NAMESPACES
        if not title or namespace_only or _ILLEGAL.search(title):
            reason = (
                "The requested page title is empty or contains only the name of a namespace."
                if not title or namespace_only
                else f'The requested page title contains invalid characters: "{_ILLEGAL.search(title)[0]}".'  # type: ignore[index]
            )
            return {"title": title, "invalidreason": reason, "invalid": True}
        namespace = title.split(":", 1)[0] if ":" in title else ""
        ns = NAMESPACE_NUMBERS.get(namespace, 0)
        if ns == -1:
            return {"ns": -1, "title": title, "special": True}
        if title in wiki.pages:
            return {"pageid": wiki.pages[title], "ns": ns, "title": title}
        if title in wiki.redirects:
            return {"pageid": 1, "ns": ns, "title": title, "redirect": True}
        return {"ns": ns, "title": title, "missing": True}

    def _normalised(self, wiki: Wiki, raw: str) -> str:
        title = " ".join(raw.replace("_", " ").split())
        if ":" in title:
            prefix, rest = title.split(":", 1)
            namespace = NAMESPACES.get(prefix.strip().lower())
            if namespace is not None:
                rest = rest.strip()
                return f"{namespace}:{rest[:1].upper() + rest[1:] if wiki.capitalises else rest}"
        return title[:1].upper() + title[1:] if wiki.capitalises else title

    # -- ways to reach it ----------------------------------------------------------------------------------

    def transport(self) -> httpx.MockTransport:
        return httpx.MockTransport(self.handle)

    @contextmanager
    def serve(self) -> Iterator[str]:
        """Over HTTP on a free loopback port; yields the `PAGEVIEWS_MEDIAWIKI_URL` template to use."""
        with serving(self.handle) as port:
            yield f"http://127.0.0.1:{port}/{{host}}/w/api.php"


@contextmanager
def hung_mediawiki() -> Iterator[str]:
    """A MediaWiki that accepts every request over HTTP and never answers it (until the block ends); yields
    the `PAGEVIEWS_MEDIAWIKI_URL` template to use."""
    with hanging() as port:
        yield f"http://127.0.0.1:{port}/{{host}}/w/api.php"


def _fixture(name: str) -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads((FIXTURES / name).read_text())
    return loaded


def _host(request: httpx.Request) -> str:
    segments = request.url.path.split("/")
    if len(segments) > 3 and segments[2:4] == ["w", "api.php"] and "." in segments[1]:
        return segments[1]
    return request.url.host


def _params(request: httpx.Request) -> dict[str, str]:
    params = dict(request.url.params)
    if request.method == "POST":
        params.update(parse_qsl(request.content.decode(), keep_blank_values=True))
    return params


def _json(body: dict[str, Any], headers: dict[str, str] | None = None) -> httpx.Response:
    return httpx.Response(
        200,
        content=json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode(),
        headers={"content-type": "application/json; charset=utf-8", **(headers or {})},
    )


def _error(
    host: str,
    code: str,
    info: str,
    headers: dict[str, str] | None = None,
    extra_host: str | None = None,
    **data: Any,
) -> httpx.Response:
    """An API error as MediaWiki sends it: HTTP 200, the code in a header and in the body."""
    error: dict[str, Any] = {"code": code, "info": info}
    if extra_host is not None:
        error["host"] = extra_host
    error.update(data)
    error["docref"] = DOCREF.format(host=host)
    body = {"error": error, "servedby": "mw-api-ext.eqiad.main-74665cb76d-g54zp"}
    return _json(body, {"mediawiki-api-error": code, **(headers or {})})
