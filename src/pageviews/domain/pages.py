"""What a wiki knows about its pages, beside their views: whether a title is a page, where a redirect leads,
which redirects lead to a page, and the same page in other languages (from MediaWiki's Action API).

Wikimedia counts views per *title*: a redirect's views are its own, and a title with no views looks the same as
a title that is no page at all. These facts are what let the service answer for a *page*."""

from __future__ import annotations

import enum
import re

import msgspec

from pageviews.domain.errors import InvalidParameter, InvalidProject
from pageviews.domain.model import ALL_PROJECTS_NAME, Project

MAX_TITLES_PER_QUERY = 50
"""MediaWiki answers at most 50 titles per query for clients without `apihighlimits`."""


class RedirectsChoice(enum.StrEnum):
    """How a title's views are counted."""

    EXACT = "exact"
    """The views of the title as asked (Wikimedia's counting); the wiki is asked only when there is no data."""
    FOLLOW = "follow"
    """The views of the page the title redirects to (of the title itself when it is no redirect)."""
    INCLUDE = "include"
    """The page's views plus those of every redirect to it, summed per period."""

    @classmethod
    def parse(cls, raw: str) -> RedirectsChoice:
        try:
            return cls(raw.strip().lower())
        except ValueError:
            allowed = ", ".join(c.value for c in cls)
            raise InvalidParameter(f"redirects must be one of {allowed}; got {raw!r}") from None


class PageStatus(enum.StrEnum):
    EXISTS = "exists"
    MISSING = "missing"
    """A valid title with no page (never created, or deleted)."""
    INVALID = "invalid"
    """A title the wiki cannot have (MediaWiki says why)."""


class Target(msgspec.Struct, frozen=True):
    """Where a redirect leads: a page, and the section of it when the redirect names one."""

    title: str
    fragment: str | None = None


class Resolved(msgspec.Struct, frozen=True, kw_only=True):
    """One title as the wiki knows it. Titles are in the pageviews form (underscores)."""

    asked: str
    """The title as it was asked about."""
    title: str
    """Its canonical form on this wiki (namespace and case normalised by MediaWiki)."""
    status: PageStatus
    redirect: Target | None = None
    """Where it leads when it is a redirect (chains followed to the end)."""
    page_id: int | None = None
    """Of the page it leads to (the redirect's target when it is one)."""
    namespace: int | None = None
    reason: str | None = None
    """Why MediaWiki calls it invalid."""
    stale: bool = False
    """What the wiki said before: it could not be asked again once this had expired."""

    @property
    def page(self) -> str:
        """The page whose views `follow` counts: the redirect's target, or the title itself."""
        return self.redirect.title if self.redirect is not None else self.title


class Redirect(msgspec.Struct, frozen=True):
    """A redirect to a page; `fragment` when it leads to a section of it."""

    title: str
    fragment: str | None = None


class SiteInfo(msgspec.Struct, frozen=True):
    """What a wiki says of itself that tells articles from other pages: its main page (pageviews form) and the
    names of its namespaces other than the main one, local names and aliases too (lower case, spaces)."""

    main_page: str
    namespaces: frozenset[str]


class Redirects(msgspec.Struct, frozen=True):
    """The redirects to a page, at most as many as were asked for; `truncated` when the page has more."""

    redirects: tuple[Redirect, ...] = ()
    truncated: bool = False
    stale: bool = False
    """What the wiki said before: it could not be asked again once this had expired."""


class LanguageLink(msgspec.Struct, frozen=True):
    """The same page on a wiki in another language: its language code as the wiki lists it (not always the
    subdomain: `gsw` is `als.wikipedia`), the project from the link's URL, and its title there."""

    lang: str
    project: Project
    title: str


class LanguageLinks(msgspec.Struct, frozen=True):
    """A page's language links, as the page lists them."""

    links: tuple[LanguageLink, ...] = ()
    stale: bool = False
    """What the wiki said before: it could not be asked again once this had expired."""


class CountedTitle(msgspec.Struct, frozen=True):
    """One title whose views an answer counts, and how many it had over the range."""

    title: str
    views: int | None
    """None when Wikimedia has no data for the title over a range none of which has settled (not loaded
    yet, maybe): not known, rather than a 0."""
    redirect: bool
    fragment: str | None = None
    """The section a redirect leads to (its views are counted for the whole page, and marked)."""


class CountedPage(msgspec.Struct, frozen=True, kw_only=True):
    """Which page an answer is about when it follows or includes redirects."""

    title: str
    redirected_from: str | None = None
    """The title asked, when it is a redirect to `title`."""
    fragment: str | None = None
    """The section of `title` the asked redirect leads to."""
    titles: tuple[CountedTitle, ...] | None = None
    """With redirects included: every title counted (the page first), with its views."""
    truncated: bool = False
    """With redirects included: the page has more redirects than the limit; only the first ones are counted."""


class Notice(msgspec.Struct, frozen=True):
    """Something an answer could not take into account, said with a stable code."""

    code: str
    detail: str


PAGE_FACTS_UNAVAILABLE = "page_facts_unavailable"


# A project's Action API host. The pageviews API names projects by their domain without `.org`, except three
# whose site lives under `www.`.
_WWW_HOSTS = {
    "wikidata": "www.wikidata.org",
    "mediawiki": "www.mediawiki.org",
    "wikifunctions": "www.wikifunctions.org",
}
_NO_WIKI = {ALL_PROJECTS_NAME}


def host_of(project: Project) -> str:
    """The wiki's host: `en.wikipedia` is `en.wikipedia.org`, `commons.wikimedia` is `commons.wikimedia.org`,
    `wikidata` is `www.wikidata.org`, `mediawiki` is `www.mediawiki.org`."""
    if project.name in _NO_WIKI:
        raise InvalidProject(f"{project.name} is not one wiki: it has no pages to ask about")
    if project.name in _WWW_HOSTS:
        return _WWW_HOSTS[project.name]
    return f"{project.name}.org"


_WIKI_URL = re.compile(r"https?://([a-z0-9-]+(?:\.[a-z0-9-]+)*)\.org(?:/|$)")


def project_of_url(url: str) -> Project | None:
    """The project a page URL belongs to (`https://als.wikipedia.org/wiki/X` is `als.wikipedia`), or None
    when it is not the URL of a Wikimedia wiki."""
    match = _WIKI_URL.match(url.lower())
    if match is None:
        return None
    host = match[1] + ".org"
    for name, known in _WWW_HOSTS.items():
        if host == known:
            return Project(name)
    name = match[1].removeprefix("www.")
    try:
        return Project.parse(name)
    except InvalidProject:
        return None


def family_of(project: Project) -> str:
    """`en.wikipedia` is of the `wikipedia` family; a project without a language is its own family."""
    return project.name.rpartition(".")[2]


def case_variants(title: str) -> list[str]:
    """Other capitalisations of a title that a person may have meant (`Albert_einstein`: `Albert_Einstein`),
    each word's first letter up, all lower after the first letter, all upper; never the title itself."""
    words = title.split("_")
    variants = [
        "_".join(word[:1].upper() + word[1:] for word in words),
        "_".join(word[:1].upper() + word[1:].lower() for word in words),
        title[:1] + title[1:].lower(),
        title.upper(),
    ]
    seen = {title}
    unique = []
    for variant in variants:
        if variant not in seen:
            seen.add(variant)
            unique.append(variant)
    return unique
