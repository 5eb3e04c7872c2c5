"""The URL grammar of Wikimedia's pageviews REST API, as the mirror reads it: the raw path split on `/` before
each segment is decoded (once), so `AC%2FDC` is one title and a raw `AC/DC` is a route that does not exist;
timestamps `YYYYMMDD` or `YYYYMMDDHH`; Wikimedia's own enums, project rule and error texts."""

from __future__ import annotations

import calendar
import datetime as dt
import re
from urllib.parse import unquote_to_bytes

from pageviews.domain.errors import WikimediaBadRequest, WikimediaInvalidRoute
from pageviews.domain.model import Access, Agent, Month, Project

PREFIX = b"/api/rest_v1"
"""Where the mirror lives on the service: a client changes only the host."""

_PROJECT = re.compile(r"[a-z0-9_.\-]+")
_DIGITS = re.compile(r"[0-9]+")


def segments(raw_path: bytes, route: bytes) -> list[str]:
    """The decoded segments after `PREFIX + route` (e.g. `/metrics/pageviews/per-article/`)."""
    rest = raw_path.removeprefix(PREFIX + route)
    return [unquote_to_bytes(part).decode("utf-8", "replace") for part in rest.split(b"/")]


def uri(raw_path: bytes) -> str:
    """The request's path as Wikimedia names it in its problems (from `/metrics/`)."""
    return raw_path.removeprefix(PREFIX).decode("utf-8", "replace")


def exactly(parts: list[str], count: int) -> list[str]:
    if len(parts) != count or not all(parts):
        raise WikimediaInvalidRoute()
    return parts


def project(raw: str) -> Project:
    """Wikimedia's normalisation: trimmed, lower case, without `www.` and `.org`, of `[a-z0-9_.-]`."""
    name = raw.strip().lower().removeprefix("www.").removesuffix(".org")
    if not _PROJECT.fullmatch(name):
        raise WikimediaBadRequest("The parameter `project` contains invalid charaters.")
    return Project(name)


def _one_of(name: str, raw: str, allowed: list[str]) -> str:
    if raw not in allowed:
        raise WikimediaBadRequest(
            f"{name} should be equal to one of the allowed values: [{', '.join(allowed)}]"
        )
    return raw


def access(raw: str) -> Access:
    return Access(_one_of("access", raw, ["all-access", "desktop", "mobile-app", "mobile-web"]))


def agent(raw: str) -> Agent:
    return Agent(_one_of("agent", raw, ["all-agents", "automated", "spider", "user"]))


def granularity(raw: str, allowed: list[str]) -> str:
    return _one_of("granularity", raw, allowed)


def timestamp(raw: str, which: str, hourly: bool = False) -> dt.datetime:
    """`YYYYMMDD` or `YYYYMMDDHH` as an instant (UTC); anything else is Wikimedia's 400 for it."""
    try:
        if len(raw) not in (8, 10) or not _DIGITS.fullmatch(raw):
            raise ValueError(raw)
        hour = int(raw[8:]) if len(raw) == 10 else 0
        return dt.datetime(int(raw[:4]), int(raw[4:6]), int(raw[6:8]), hour, tzinfo=dt.UTC)
    except ValueError:
        form = "YYYYMMDDHH" if hourly else "YYYYMMDD"
        raise WikimediaBadRequest(
            f"{which} timestamp is invalid, must be a valid date in {form} format"
        ) from None


def ordered(start: dt.datetime, end: dt.datetime) -> None:
    if start > end:
        raise WikimediaBadRequest("start timestamp should be before the end timestamp")


def days(start: str, end: str) -> tuple[dt.date, dt.date]:
    """A range of days (an hour given is ignored, as Wikimedia does for daily and monthly ranges)."""
    first, last = timestamp(start, "start").date(), timestamp(end, "end").date()
    if first > last:
        raise WikimediaBadRequest("start timestamp should be before the end timestamp")
    return first, last


def hours(start: str, end: str) -> tuple[dt.datetime, dt.datetime]:
    first, last = timestamp(start, "start", hourly=True), timestamp(end, "end", hourly=True)
    ordered(first, last)
    return first, last


def month_and_day(year: str, month: str, day: str | None, *, all_days: bool) -> tuple[Month, int | None]:
    """A `{year}/{month}/{day}` of the top lists: `day` is `DD` or, where a month's list exists, `all-days`."""
    message = (
        "Given year/month/day is invalid date" if day is not None else "Given year/month is invalid date"
    )
    if not (len(year) == 4 and _DIGITS.fullmatch(year) and 1 <= len(month) <= 2 and _DIGITS.fullmatch(month)):
        raise WikimediaBadRequest(message)
    if not 1 <= int(month) <= 12 or int(year) < 1:
        raise WikimediaBadRequest(message)
    parsed = Month(int(year), int(month))
    if day is None or (all_days and day == "all-days"):
        return parsed, None
    if not (1 <= len(day) <= 2 and _DIGITS.fullmatch(day)):
        raise WikimediaBadRequest(message)
    if not 1 <= int(day) <= calendar.monthrange(parsed.year, parsed.month)[1]:
        raise WikimediaBadRequest(message)
    return parsed, int(day)
