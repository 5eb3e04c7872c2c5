"""The bodies of a project's totals and of the country lists, built from the domain's answers."""

from __future__ import annotations

import msgspec

from pageviews.adapters.inbound.http.schemas import Peak, SeriesItemOut
from pageviews.domain.countries import TopCountries, TopOfCountry
from pageviews.domain.devices import AccessSite, UniqueDevices
from pageviews.domain.model import Access, Agent
from pageviews.domain.series import Breakdown
from pageviews.domain.siteviews import SiteGranularity, SiteSeries, hour_label


class SiteSeriesOut(msgspec.Struct, kw_only=True, omit_defaults=True):
    project: str
    access: Access
    agent: Agent
    granularity: SiteGranularity
    from_: str = msgspec.field(name="from")
    to: str
    total: int
    items: list[SeriesItemOut]
    stale: bool
    peak: Peak | None = None
    breakdown: Breakdown | None = None

    @classmethod
    def of(cls, series: SiteSeries) -> SiteSeriesOut:
        periods, query = series.periods, series.query
        if series.granularity is SiteGranularity.HOURLY:
            items = [
                SeriesItemOut(hour_label(i.period), i.views, i.complete, dict(i.parts) if i.parts else None)
                for i in series.hours
            ]
        else:
            items = [
                SeriesItemOut(
                    periods.label(i.period), i.views, i.complete, dict(i.parts) if i.parts else None
                )
                for i in series.items
            ]
        peak = None
        if series.granularity is not SiteGranularity.MONTHLY and items:
            best = max(items, key=lambda item: item.views)
            peak = Peak(best.period, best.views)
        return cls(
            project=query.project.name,
            access=query.access,
            agent=query.agent,
            granularity=series.granularity,
            from_=periods.label(periods.first),
            to=periods.label(periods.last),
            total=series.total,
            items=items,
            stale=series.stale,
            peak=peak,
            breakdown=series.breakdown,
        )


class DevicesItemOut(msgspec.Struct, gc=False):
    period: str
    devices: int
    offset: int
    underestimate: int
    complete: bool


class UniqueDevicesOut(msgspec.Struct, kw_only=True):
    project: str
    site: AccessSite
    granularity: str
    from_: str = msgspec.field(name="from")
    to: str
    items: list[DevicesItemOut]
    stale: bool

    @classmethod
    def of(cls, found: UniqueDevices) -> UniqueDevicesOut:
        periods = found.periods
        return cls(
            project=found.query.project.name,
            site=found.query.site,
            granularity=periods.granularity.value,
            from_=periods.label(periods.first),
            to=periods.label(periods.last),
            items=[
                DevicesItemOut(periods.label(i.period), i.devices, i.offset, i.underestimate, i.complete)
                for i in found.items
            ],
            stale=found.stale,
        )


class CountryItemOut(msgspec.Struct, gc=False):
    rank: int
    country: str
    views: str
    """A privacy bucket, such as `1000-9999`: Wikimedia does not give exact counts by country."""
    views_ceil: int | None
    """The count rounded up, where Wikimedia gives it (not in its oldest lists)."""


class TopByCountryOut(msgspec.Struct):
    project: str
    month: str
    access: Access
    items: list[CountryItemOut]
    stale: bool = False

    @classmethod
    def of(cls, top: TopCountries) -> TopByCountryOut:
        items = [CountryItemOut(c.rank, c.country, c.bucket, c.ceiling) for c in top.entries]
        return cls(top.project.name, str(top.month), top.access, items, top.stale)


class CountryArticleItemOut(msgspec.Struct, gc=False):
    rank: int
    project: str
    article: str
    views_ceil: int


class TopPerCountryOut(msgspec.Struct):
    country: str
    period: str
    access: Access
    items: list[CountryArticleItemOut]
    stale: bool = False

    @classmethod
    def of(cls, top: TopOfCountry) -> TopPerCountryOut:
        period = str(top.month) if top.day is None else f"{top.month}-{top.day:02d}"
        items = [CountryArticleItemOut(a.rank, a.project, a.article, a.views_ceil) for a in top.entries]
        return cls(top.country.code, period, top.access, items, top.stale)
