"""The rest of Wikimedia's pageviews API as the `SiteviewsSource` and `TopListsSource` ports: aggregate views
(per month, day or hour; `all-projects` too), unique devices, a day's top articles, and the two country lists.
Same client, same resilience and the same reading of errors as the per-article source."""

from __future__ import annotations

import datetime as dt
from typing import TypeVar

import msgspec

from pageviews.adapters.outbound.wikimedia.client import WikimediaPageviewsSource, _error_for
from pageviews.domain.countries import Country, CountryArticle, CountryViews, TopCountries, TopOfCountry
from pageviews.domain.devices import DeviceCount, DeviceCounts, DevicesQuery
from pageviews.domain.errors import NoData, UpstreamError
from pageviews.domain.model import Access, DataPoint, Fetched, Granularity, Month, Project
from pageviews.domain.siteviews import HourlyFetched, HourlyPoint, SiteQuery
from pageviews.domain.top import TopArticles, TopEntry

T = TypeVar("T")


class _Item(msgspec.Struct):
    timestamp: str
    views: int


class _Items(msgspec.Struct):
    items: list[_Item]


class _Devices(msgspec.Struct):
    timestamp: str
    devices: int
    offset: int = 0
    underestimate: int = 0


class _DeviceItems(msgspec.Struct):
    items: list[_Devices]


class _TopArticle(msgspec.Struct):
    article: str
    views: int
    rank: int


class _TopDay(msgspec.Struct):
    year: str
    month: str
    day: str
    articles: list[_TopArticle]


class _TopDays(msgspec.Struct):
    items: list[_TopDay]


class _Country(msgspec.Struct):
    country: str
    views: str | int
    rank: int
    views_ceil: int | None = None


class _ByCountry(msgspec.Struct):
    year: str
    month: str
    countries: list[_Country]


class _ByCountries(msgspec.Struct):
    items: list[_ByCountry]


class _CountryArticle(msgspec.Struct):
    article: str
    project: str
    views_ceil: int
    rank: int


class _PerCountry(msgspec.Struct):
    year: str
    month: str
    day: str
    articles: list[_CountryArticle]


class _PerCountries(msgspec.Struct):
    items: list[_PerCountry]


_items = msgspec.json.Decoder(_Items)
_devices = msgspec.json.Decoder(_DeviceItems)
_top_days = msgspec.json.Decoder(_TopDays)
_by_countries = msgspec.json.Decoder(_ByCountries)
_per_countries = msgspec.json.Decoder(_PerCountries)


class WikimediaMetricsSource(WikimediaPageviewsSource):
    async def aggregate(
        self, query: SiteQuery, granularity: Granularity, first: dt.date, last: dt.date
    ) -> Fetched:
        path = (
            f"metrics/pageviews/aggregate/{_site(query)}/{granularity.value}/{first:%Y%m%d}00/{last:%Y%m%d}00"
        )
        items = _decoded(_items, await self._answer(path)).items
        points = tuple(DataPoint(_instant(item.timestamp, 10).date(), item.views) for item in items)
        return Fetched(_some(points))

    async def aggregate_hourly(
        self, query: SiteQuery, first: dt.datetime, last: dt.datetime
    ) -> HourlyFetched:
        path = f"metrics/pageviews/aggregate/{_site(query)}/hourly/{first:%Y%m%d%H}/{last:%Y%m%d%H}"
        items = _decoded(_items, await self._answer(path)).items
        return HourlyFetched(_some(tuple(HourlyPoint(_instant(i.timestamp, 10), i.views) for i in items)))

    async def unique_devices(
        self, query: DevicesQuery, granularity: Granularity, first: dt.date, last: dt.date
    ) -> DeviceCounts:
        path = (
            f"metrics/unique-devices/{query.project.name}/{query.site.value}/{granularity.value}/"
            f"{first:%Y%m%d}/{last:%Y%m%d}"
        )
        items = _decoded(_devices, await self._answer(path)).items
        points = tuple(
            DeviceCount(_instant(i.timestamp, 8).date(), i.devices, i.offset, i.underestimate) for i in items
        )
        return DeviceCounts(_some(points))

    async def top_of_day(self, project: Project, access: Access, day: dt.date) -> TopArticles:
        path = f"metrics/pageviews/top/{project.name}/{access.value}/{day:%Y/%m/%d}"
        item = _only(_decoded(_top_days, await self._answer(path)).items)
        _check_period((item.year, item.month, item.day), f"{day:%Y-%m-%d}")
        entries = sorted((TopEntry(a.rank, a.article, a.views) for a in item.articles), key=lambda e: e.rank)
        return TopArticles(project, access, Month.of(day), tuple(entries), day=day.day)

    async def top_by_country(self, project: Project, access: Access, month: Month) -> TopCountries:
        path = f"metrics/pageviews/top-by-country/{project.name}/{access.value}/{month.year:04d}/{month.month:02d}"
        item = _only(_decoded(_by_countries, await self._answer(path)).items)
        _check_period((item.year, item.month), str(month))
        entries = sorted(
            (CountryViews(c.rank, c.country, c.views, c.views_ceil) for c in item.countries),
            key=lambda c: c.rank,
        )
        return TopCountries(project, access, month, tuple(entries))

    async def top_per_country(
        self, country: Country, access: Access, month: Month, day: int | None
    ) -> TopOfCountry:
        when = "all-days" if day is None else f"{day:02d}"
        path = f"metrics/pageviews/top-per-country/{country.code}/{access.value}/{month.year:04d}/{month.month:02d}/{when}"
        item = _only(_decoded(_per_countries, await self._answer(path)).items)
        _check_period((item.year, item.month, item.day), f"{month}-{when}")
        entries = sorted(
            (CountryArticle(a.rank, a.article, a.project, a.views_ceil) for a in item.articles),
            key=lambda a: a.rank,
        )
        return TopOfCountry(country, access, month, day, tuple(entries))

    async def _answer(self, path: str) -> bytes:
        response = await self._get(path)
        if response.status_code != 200:
            raise _error_for(response)
        return response.content


def _site(query: SiteQuery) -> str:
    return f"{query.project.name}/{query.access.value}/{query.agent.value}"


def _decoded(decoder: msgspec.json.Decoder[T], body: bytes) -> T:
    try:
        return decoder.decode(body)
    except msgspec.DecodeError as exc:
        raise UpstreamError(f"Wikimedia answered with an unexpected body: {exc}") from exc


def _instant(timestamp: str, length: int) -> dt.datetime:
    """`YYYYMMDDHH` (or `YYYYMMDD`, unique devices' 8 characters) as an instant; anything else is malformed."""
    if len(timestamp) != length or not timestamp.isascii() or not timestamp.isdigit():
        raise UpstreamError(f"Wikimedia answered a timestamp {timestamp!r} that is not {length} digits")
    try:
        hour = int(timestamp[8:10]) if length == 10 else 0
        return dt.datetime(int(timestamp[:4]), int(timestamp[4:6]), int(timestamp[6:8]), hour, tzinfo=dt.UTC)
    except ValueError as exc:
        raise UpstreamError(f"Wikimedia answered a timestamp {timestamp!r} that is not a date") from exc


def _some(points: tuple[T, ...]) -> tuple[T, ...]:
    if not points:
        raise NoData()
    return points


def _only(items: list[T]) -> T:
    if len(items) != 1:
        raise UpstreamError(f"Wikimedia answered {len(items)} lists for one period")
    return items[0]


def _check_period(answered: tuple[str, ...], asked: str) -> None:
    if "-".join(answered) != asked:
        raise UpstreamError(f"asked for {asked}, Wikimedia answered the list of {'-'.join(answered)}")
