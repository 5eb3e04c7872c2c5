"""Countries and the two country lists of Wikimedia's pageviews API: a project's views by country of origin in a
month (`top-by-country`, views in privacy buckets), and a country's most viewed articles of a day or a month
across every project (`top-per-country`, views as a rounded upper bound)."""

from __future__ import annotations

import datetime as dt

import msgspec

from pageviews.domain.errors import InvalidCountry
from pageviews.domain.model import Access, Month, Project, checked_count

ISO_3166_ALPHA_2 = frozenset(
    """
    AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ BA BB BD BE BF BG BH BI BJ BL BM BN BO BQ BR BS BT BV BW BY BZ
    CA CC CD CF CG CH CI CK CL CM CN CO CR CU CV CW CX CY CZ DE DJ DK DM DO DZ EC EE EG EH ER ES ET FI FJ FK FM FO
    FR GA GB GD GE GF GG GH GI GL GM GN GP GQ GR GS GT GU GW GY HK HM HN HR HT HU ID IE IL IM IN IO IQ IR IS IT JE
    JM JO JP KE KG KH KI KM KN KP KR KW KY KZ LA LB LC LI LK LR LS LT LU LV LY MA MC MD ME MF MG MH MK ML MM MN MO
    MP MQ MR MS MT MU MV MW MX MY MZ NA NC NE NF NG NI NL NO NP NR NU NZ OM PA PE PF PG PH PK PL PM PN PR PS PT PW
    PY QA RE RO RS RU RW SA SB SC SD SE SG SH SI SJ SK SL SM SN SO SR SS ST SV SX SY SZ TC TD TF TG TH TJ TK TL TM
    TN TO TR TT TV TW TZ UA UG UM US UY UZ VA VC VE VG VI VN VU WF WS YE YT ZA ZM ZW
    """.split()  # noqa: SIM905 - a table reads better than 249 quoted strings
)
"""The 249 officially assigned ISO 3166-1 alpha-2 codes, as the `pycountry` package lists them (26.2.16). The
domain imports nothing but the standard library and msgspec, so the list is written here;
tests/unit/test_countries.py holds it equal to pycountry's, so an update of the standard cannot pass unnoticed."""

USER_ASSIGNED = frozenset({"XK"})
"""Kosovo: a user-assigned code, not in ISO 3166-1, that the geolocation databases (and so Wikimedia's country
data) use."""

COUNTRY_CODES = ISO_3166_ALPHA_2 | USER_ASSIGNED

TOP_PER_COUNTRY_START = dt.date(2021, 1, 1)
"""Wikimedia's top articles per country start on January 1st, 2021 (2020-12-31 is a 404)."""

TOP_BY_COUNTRY_START = Month(2015, 7)
"""Views by country: where the pageview data starts. Wikimedia does not say from which month the country split
exists (the endpoint came in 2018); a month without a list is a 404 `no_data`."""


class Country(msgspec.Struct, frozen=True):
    """A country as an ISO 3166-1 alpha-2 code, upper case (`FR`, `IN`)."""

    code: str

    @classmethod
    def parse(cls, raw: str) -> Country:
        code = raw.strip().upper()
        if code not in COUNTRY_CODES:
            raise InvalidCountry(
                f"{raw!r} is not a country: use an ISO 3166-1 alpha-2 code, like FR, IN or US (XK for Kosovo)"
            )
        return cls(code)

    def __str__(self) -> str:
        return self.code


class CountryViews(msgspec.Struct, frozen=True, gc=False):
    """One country's views of a project in a month. Wikimedia gives `views` as a privacy bucket such as
    `"1000-9999"` (an int only in old answers), and `views_ceil`, the count rounded up, only in newer ones."""

    rank: int
    country: str
    views: str | int
    views_ceil: int | None = None

    @property
    def bucket(self) -> str:
        return self.views if isinstance(self.views, str) else bucket_of(self.views)

    @property
    def ceiling(self) -> int | None:
        return self.views_ceil if self.views_ceil is not None or isinstance(self.views, str) else self.views


def bucket_of(views: int) -> str:
    """Wikimedia's bucket for a count: `10^(n-1)-(10^n - 1)` for an n-digit count, never below `100-999` (a
    power of ten is in the bucket it starts)."""
    digits = max(len(str(max(views, 0))), 3)
    return f"{10 ** (digits - 1)}-{10**digits - 1}"


class TopCountries(msgspec.Struct, frozen=True):
    project: Project
    access: Access
    month: Month
    entries: tuple[CountryViews, ...]
    stale: bool = False


def checked_countries(found: TopCountries) -> TopCountries:
    """A list by country as the source gave it, refused (an upstream error) when a count is negative."""
    for entry in found.entries:
        for count in (entry.views, entry.views_ceil):
            if isinstance(count, int):
                checked_count(count, f"{entry.country} in the list by country of {found.month}")
    return found


class CountryArticle(msgspec.Struct, frozen=True, gc=False):
    """An article among a country's most viewed, on the project it belongs to; `views_ceil` is a rounded upper
    bound, not a count."""

    rank: int
    article: str
    project: str
    views_ceil: int


class TopOfCountry(msgspec.Struct, frozen=True):
    """A country's most viewed articles of one day (`day`), or of a whole month (`day` None)."""

    country: Country
    access: Access
    month: Month
    day: int | None
    entries: tuple[CountryArticle, ...]
    stale: bool = False


def checked_country_articles(found: TopOfCountry) -> TopOfCountry:
    """A country's top list as the source gave it, refused (an upstream error) when a count is negative."""
    for entry in found.entries:
        checked_count(entry.views_ceil, f"{entry.article!r} in the top list of {found.country}")
    return found
