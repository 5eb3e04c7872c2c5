"""The bodies of Wikimedia's pageviews API, field for field and type for type (timestamps are strings, views
integers, a country's `views` a bucket string) and key for key in its order (shared/upstream/wikimedia-api.md
section 3, mediawiki-api.md section 2), as the mirror answers them."""

from __future__ import annotations

import msgspec


class ArticleItem(msgspec.Struct, gc=False):
    project: str
    article: str
    granularity: str
    timestamp: str
    access: str
    agent: str
    views: int


class AggregateItem(msgspec.Struct, gc=False):
    project: str
    access: str
    agent: str
    granularity: str
    timestamp: str
    views: int


class DevicesItem(msgspec.Struct, gc=False):
    project: str
    access_site: str = msgspec.field(name="access-site")
    granularity: str = ""
    timestamp: str = ""
    devices: int = 0
    offset: int = 0
    underestimate: int = 0


class TopArticleOut(msgspec.Struct, gc=False):
    article: str
    views: int
    rank: int


class TopItem(msgspec.Struct):
    project: str
    access: str
    year: str
    month: str
    day: str
    articles: list[TopArticleOut]


class CountryOut(msgspec.Struct, omit_defaults=True, kw_only=True, gc=False):
    """Keys in Wikimedia's order, `views_ceil` before `rank`; absent where Wikimedia has none (its oldest
    lists)."""

    country: str
    views: str | int
    views_ceil: int | None = None
    rank: int


class ByCountryItem(msgspec.Struct):
    project: str
    access: str
    year: str
    month: str
    countries: list[CountryOut]


class CountryArticleOut(msgspec.Struct, gc=False):
    article: str
    project: str
    views_ceil: int
    rank: int


class PerCountryItem(msgspec.Struct):
    country: str
    access: str
    year: str
    month: str
    day: str
    articles: list[CountryArticleOut]


class WikimediaProblem(msgspec.Struct):
    """Wikimedia's (AQS 2) error body, keys in its order."""

    detail: str
    method: str
    status: int
    title: str
    type: str
    uri: str
