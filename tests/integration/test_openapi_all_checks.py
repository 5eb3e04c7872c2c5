"""The service against its own OpenAPI document with every check schemathesis has, in both of its modes:
requests the document calls valid are answered (no 400 for them), requests it calls invalid are refused, no
answer is a server error, and every answer has a documented status, content type, headers and body.

The document states each parameter's rule (patterns, enums, ranges, defaults). What JSON Schema cannot state is
left to `filter_case` below, for the cases schemathesis generates as valid: the rules that depend on today (no
period in the future, top lists only for complete months) or on two parameters at once (a range's order and
length, a monthly range written in days, a breakdown against a filter on its own dimension). The descriptions
in the document state those rules in words."""

from __future__ import annotations

import datetime as dt
from typing import Any
from urllib.parse import unquote

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from litestar import Litestar
from schemathesis.generation.modes import GenerationMode

from pageviews.containers import build_app
from pageviews.domain.countries import COUNTRY_CODES
from pageviews.domain.model import Access, Agent
from tests.support.app import NOW, container_for
from tests.support.fake_mediawiki import FakeMediaWiki
from tests.support.fake_wikimedia import FakeWikimedia

pytestmark = pytest.mark.slow

TODAY = NOW.date()
LAST_COMPLETE_MONTH = "2023-12"
LAST_SETTLED_DAY = "2024-01-12"  # the day that ended 48 hours before the clock  # the tests' clock is 2024-01-15 12:00 UTC; December settled on January 3rd
MAX_DAYS, MAX_MONTHS = 1096, 240


def _fake() -> FakeWikimedia:
    """Data for a few titles the title pattern allows, on every day and for every platform and agent, so that
    valid requests get 200s (and invalid ones that still parse would too, and be caught)."""
    fake = FakeWikimedia()
    first = dt.date(2015, 7, 1)
    days = [first + dt.timedelta(days=n) for n in range(0, (TODAY - first).days + 1, 3)]
    for title in ("Albert_Einstein", "AC/DC", "A"):
        for access in Access:
            for agent in Agent:
                for day in days:
                    fake.add_day(title, day, day.day, access=access.value, agent=agent.value)
    for year in range(2015, 2024):
        for month in range(1, 13):
            fake.top[("en.wikipedia", "all-access", f"{year}", f"{month:02d}")] = [
                {"article": "Main_Page", "views": 9000, "rank": 1},
                {"article": "AC/DC", "views": 500, "rank": 2},
            ]
    return fake


def _wiki() -> FakeMediaWiki:
    """The same titles as pages of the wiki, and a redirect to each, so that redirects are followed and
    included, and language views and redirect views answer."""
    wiki = FakeMediaWiki()
    for title in ("Albert_Einstein", "AC/DC", "A"):
        wiki.add_page(title)
        wiki.add_redirect(f"{title}_(redirect)", title)
        wiki.add_language_link(title, "de", f"https://de.wikipedia.org/wiki/{title}", title)
    return wiki


def _api() -> Litestar:
    return build_app(container_for(_fake().transport(), mediawiki=_wiki().transport()))


def _period(text: str, first: bool) -> dt.date | None:
    """The first or last day of a `YYYY-MM` or `YYYY-MM-DD` the pattern allows; None for anything else."""
    try:
        if len(text) == 10:
            return dt.date.fromisoformat(text)
        if len(text) == 7:
            day = dt.date.fromisoformat(f"{text}-01")
            if first or day > TODAY:
                return day
            following = (day.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
            return min(following - dt.timedelta(days=1), TODAY)  # the current month runs up to today
    except ValueError:
        return None
    return None


def _range_is_answerable(values: dict[str, Any]) -> bool:
    start, end = values.get("from"), values.get("to", values.get("from"))
    if not isinstance(start, str) or not isinstance(end, str):
        return True
    first, last = _period(start, first=True), _period(end, first=False)
    if first is None or last is None:
        return True
    monthly = values.get("granularity", "monthly") == "monthly"
    if monthly and (len(start) != 7 or len(end) != 7):
        return False
    if first > last or first > TODAY or last > TODAY:
        return False
    if monthly:
        return (last.year - first.year) * 12 + last.month - first.month < MAX_MONTHS
    return (last - first).days < MAX_DAYS


def _breakdown_is_answerable(query: dict[str, Any]) -> bool:
    breakdown = query.get("breakdown")
    if breakdown == "agent":
        return bool(query.get("agent", "all-agents") == "all-agents")
    if breakdown == "access":
        return bool(query.get("access", "all-access") == "all-access")
    return True


def _month_is_answerable(text: str, last: str) -> bool:
    return not (len(text) == 7 and text > last)


def _original_path_is_answerable(encoded: str) -> bool:
    path = unquote(encoded)  # schemathesis holds path parameters percent-encoded
    _, _, rest = path.rpartition("/")
    year_and_month = path.rsplit("/", 2)[-2:]
    if len(year_and_month) != 2 or not rest.isdigit() or not year_and_month[0].isdigit():
        return True
    return (int(year_and_month[0]), int(year_and_month[1])) <= (TODAY.year, TODAY.month)


schema = schemathesis.openapi.from_asgi("/schema/openapi.json", _api())


@schema.hook
def filter_case(context: Any, case: Any) -> bool:
    """Valid cases only where the rules the document states in words hold too (see the module docstring)."""
    if case.meta is None or case.meta.generation.mode is not GenerationMode.POSITIVE:
        return True
    query = dict(case.query or {})
    body = case.body if isinstance(case.body, dict) else {}
    operation = case.operation.definition.raw.get("operationId")
    if operation == "series":
        return _range_is_answerable(query) and _breakdown_is_answerable(query)
    if operation in ("redirectViews", "languageViews"):
        return _range_is_answerable(query)
    if operation == "batch":
        return _range_is_answerable(body)
    if operation == "topArticles":
        return _month_is_answerable(unquote(str(case.path_parameters.get("month", ""))), LAST_COMPLETE_MONTH)
    if operation == "monthlyViewCount":
        return _original_path_is_answerable(str(case.path_parameters.get("path", "")))
    if operation == "siteviews":
        return _siteviews_are_answerable(query)
    if operation == "uniqueDevices":
        return _range_is_answerable(query)  # from January 2016: the document's pattern says so
    if operation == "topByCountry":
        return _month_is_answerable(unquote(str(case.path_parameters.get("month", ""))), LAST_COMPLETE_MONTH)
    if operation == "topPerCountry":
        return _country_list_is_answerable(
            unquote(str(case.path_parameters.get("country", ""))),
            unquote(str(case.path_parameters.get("period", ""))),
        )
    return True


def _siteviews_are_answerable(query: dict[str, Any]) -> bool:
    """Hourly ranges are ranges of days, at most 92 of them."""
    if query.get("granularity") != "hourly":
        return _range_is_answerable(query) and _breakdown_is_answerable(query)
    daily = {**query, "granularity": "daily"}
    first = _period(str(query.get("from", "")), first=True)
    last = _period(str(query.get("to", query.get("from", ""))), first=False)
    short = first is None or last is None or (last - first).days < 92
    return _range_is_answerable(daily) and _breakdown_is_answerable(query) and short


def _country_list_is_answerable(country: str, period: str) -> bool:
    """An assigned country code, a day that has settled or a month that is complete (from 2021: the document's
    pattern says so)."""
    if country.upper() not in COUNTRY_CODES:
        return False
    return period <= LAST_SETTLED_DAY if len(period) == 10 else period <= LAST_COMPLETE_MONTH


@schema.parametrize()
@settings(
    max_examples=100,
    derandomize=True,
    deadline=None,
    database=None,
    suppress_health_check=list(HealthCheck),
)
def test_every_check_of_schemathesis_passes(case: Any) -> None:
    case.call_and_validate()
