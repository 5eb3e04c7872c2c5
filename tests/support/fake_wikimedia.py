"""A fake of Wikimedia's pageviews API that behaves like the real one (see shared/upstream/wikimedia-api.md):
same URL shapes, titles decoded exactly once, zero periods omitted, AQS2 error bodies, and the verbatim
fixtures. Usable in-process (`transport()`, an `httpx.MockTransport`) or over real HTTP (`serve()`)."""

from __future__ import annotations

import calendar
import datetime as dt
import json
from collections import defaultdict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote, unquote

import httpx

from tests.support.loopback import serving

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "wikimedia"
PREFIX = "/api/rest_v1/metrics/pageviews/"
METRICS = "/api/rest_v1/metrics/"
BASE_URL = "https://wikimedia.test/api/rest_v1"

NOT_FOUND_DETAIL = (
    "The date(s) you used are valid, but we either do not have data for those date(s), or the project you "
    "asked for is not loaded yet. Please check documentation for more information"
)


def fixture(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


@dataclass(frozen=True)
class Canned:
    """A response to give instead of the data's answer (for fault injection)."""

    status: int
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0


JSON = {"content-type": "application/json; charset=utf-8"}


def ok(body: object) -> Canned:
    """A 200 with `body` as Wikimedia's JSON."""
    return Canned(200, json.dumps(body).encode(), JSON)


def raising(error: Callable[[httpx.Request], Exception]) -> httpx.MockTransport:
    """A transport that fails every request with `error(request)` (a connection refused, a timeout, ...)."""

    def handler(request: httpx.Request) -> httpx.Response:
        raise error(request)

    return httpx.MockTransport(handler)


Key = tuple[str, str, str, str]  # project, access, agent, article
Site = tuple[str, str, str]  # project, access, agent
DevicesKey = tuple[str, str, str]  # project, access-site, granularity


@dataclass
class FakeWikimedia:
    daily: dict[Key, dict[dt.date, int]] = field(default_factory=lambda: defaultdict(dict))
    monthly: dict[Key, dict[dt.date, int]] = field(default_factory=lambda: defaultdict(dict))
    requests: list[httpx.Request] = field(default_factory=list)
    canned: list[Canned] = field(default_factory=list)
    poisoned: dict[str, Canned] = field(default_factory=dict)
    """Titles whose per-article requests always get this answer instead of their data."""
    top: dict[tuple[str, str, str, str], list[dict[str, object]]] = field(default_factory=dict)
    """Month lists (`all-days`) by project, access, year and month (`"2023"`, `"10"`)."""
    top_days: dict[tuple[str, str, str, str, str], list[dict[str, object]]] = field(default_factory=dict)
    """Day lists by project, access, year, month and day (`"05"`)."""
    site_hourly: dict[Site, dict[dt.datetime, int]] = field(default_factory=lambda: defaultdict(dict))
    site_daily: dict[Site, dict[dt.date, int]] = field(default_factory=lambda: defaultdict(dict))
    site_monthly: dict[Site, dict[dt.date, int]] = field(default_factory=lambda: defaultdict(dict))
    devices: dict[DevicesKey, dict[dt.date, tuple[int, int]]] = field(
        default_factory=lambda: defaultdict(dict)
    )
    """(underestimate, offset) by day or month; `devices` is their sum."""
    by_country: dict[tuple[str, str, str, str], list[dict[str, object]]] = field(default_factory=dict)
    """Countries (`{"country", "views": "1000-9999", "views_ceil", "rank"}`) by project, access, year, month."""
    per_country: dict[tuple[str, str, str, str, str], list[dict[str, object]]] = field(default_factory=dict)
    """Articles (`{"article", "project", "views_ceil", "rank"}`) by country, access, year, month, day or
    `all-days`."""

    # -- seeding -----------------------------------------------------------------------------------------

    def add_month(
        self,
        article: str,
        month: dt.date,
        views: int,
        project: str = "en.wikipedia",
        access: str = "all-access",
        agent: str = "user",
    ) -> None:
        self.monthly[(project, access, agent, article)][month.replace(day=1)] = views

    def add_day(
        self,
        article: str,
        day: dt.date,
        views: int,
        project: str = "en.wikipedia",
        access: str = "all-access",
        agent: str = "user",
    ) -> None:
        self.daily[(project, access, agent, article)][day] = views

    def load_monthly_fixture(self, name: str = "per-article-monthly-200.json") -> None:
        for item in json.loads(fixture(name))["items"]:
            key = (item["project"], item["access"], item["agent"], item["article"])
            self.monthly[key][_date(item["timestamp"])] = item["views"]

    def load_daily_fixture(self, name: str = "per-article-daily-200.json") -> None:
        for item in json.loads(fixture(name))["items"]:
            key = (item["project"], item["access"], item["agent"], item["article"])
            self.daily[key][_date(item["timestamp"])] = item["views"]

    def delay_of(self, path: str) -> float:
        """How long a poisoned title's answer takes over HTTP (a slow title)."""
        segments = path.split("?")[0].split("/")
        return max(
            (c.delay for title, c in self.poisoned.items() if quote(title, safe="") in segments), default=0.0
        )

    def fail_next(self, *responses: Canned) -> None:
        self.canned.extend(responses)

    @property
    def raw_paths(self) -> list[str]:
        return [r.url.raw_path.decode("ascii") for r in self.requests]

    # -- the API -------------------------------------------------------------------------------------------

    def handle(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        if self.canned:
            canned = self.canned.pop(0)
            return httpx.Response(canned.status, content=canned.body, headers=canned.headers)
        if not request.headers.get("user-agent"):
            return httpx.Response(403, text="Please set a user-agent and respect our robot policy.")
        raw = request.url.raw_path.decode("ascii").split("?")[0]
        if not raw.startswith(METRICS):
            return _problem(404, "Invalid route", raw)
        segments = [unquote(s) for s in raw[len(METRICS) :].split("/")]
        route = (segments[0], segments[1] if len(segments) > 1 else "", len(segments))
        handlers = {
            ("pageviews", "per-article", 9): self._per_article,
            ("pageviews", "top", 7): self._top,
            ("pageviews", "aggregate", 8): self._aggregate,
            ("pageviews", "top-by-country", 6): self._top_by_country,
            ("pageviews", "top-per-country", 7): self._top_per_country,
        }
        if segments[0] == "unique-devices" and len(segments) == 6:
            return self._unique_devices(segments[1:], raw)
        handler = handlers.get(route)
        if handler is None:
            return _problem(404, "Invalid route", raw)
        return handler(segments[2:], raw)

    def _per_article(self, segments: list[str], uri: str) -> httpx.Response:
        project, access, agent, article, granularity, start, end = segments
        poison = self.poisoned.get(article)
        if poison is not None:
            return httpx.Response(poison.status, content=poison.body, headers=poison.headers)
        project = project.lower().removesuffix(".org")
        article = article.replace(" ", "_")
        try:
            first, last = _day(start), _day(end)
        except ValueError:
            return _problem(400, "start timestamp is invalid, must be a valid date in YYYYMMDD format", uri)
        if first > last:
            return _problem(400, "start timestamp should be before the end timestamp", uri)
        key = (project, access, agent, article)
        if granularity == "daily":
            points = {d: v for d, v in self.daily.get(key, {}).items() if first <= d <= last}
        elif granularity == "monthly":
            if not _contains_full_month(first, last):
                return _problem(400, "no full months between dates", uri)
            points = self._monthly_points(key, first, last)
        else:
            return _problem(404, "Invalid route", uri)
        if not points:
            return _problem(404, NOT_FOUND_DETAIL, uri)
        items = [
            {
                "project": project,
                "article": article,
                "granularity": granularity,
                "timestamp": f"{day:%Y%m%d}00",
                "access": access,
                "agent": agent,
                "views": views,
            }
            for day, views in sorted(points.items())
        ]
        return httpx.Response(
            200,
            content=json.dumps({"items": items}, separators=(",", ":")).encode(),
            headers={
                "content-type": "application/json; charset=utf-8",
                "cache-control": "s-maxage=14400, max-age=14400",
            },
        )

    def _monthly_points(self, key: Key, first: dt.date, last: dt.date) -> dict[dt.date, int]:
        """Monthly values as AQS2 computes them: seeded month totals, or sums of the daily values inside the
        range (so a partial edge month is a partial sum)."""
        points = {m: v for m, v in self.monthly.get(key, {}).items() if first.replace(day=1) <= m <= last}
        sums: dict[dt.date, int] = defaultdict(int)
        for day, views in self.daily.get(key, {}).items():
            if first <= day <= last:
                sums[day.replace(day=1)] += views
        return {**sums, **points}

    def _top(self, segments: list[str], uri: str) -> httpx.Response:
        project, access, year, month, day = segments
        project = project.lower().removesuffix(".org")
        month, day = month.rjust(2, "0"), day if day == "all-days" else day.rjust(2, "0")
        if day == "all-days":
            articles = self.top.get((project, access, year, month))
        else:
            articles = self.top_days.get((project, access, year, month, day))
        if articles is None:
            return _problem(404, NOT_FOUND_DETAIL, uri)
        item = {"project": project, "access": access, "year": year, "month": month, "day": day}
        return _json({"items": [{**item, "articles": articles}]})

    def _aggregate(self, segments: list[str], uri: str) -> httpx.Response:
        project, access, agent, granularity, start, end = segments
        project = project.lower().removesuffix(".org")
        key = (project, access, agent)
        hourly = granularity == "hourly"
        try:
            first, last = _instant(start, hourly), _instant(end, hourly)
        except ValueError:
            form = "YYYYMMDDHH" if hourly else "YYYYMMDD"
            return _problem(400, f"start timestamp is invalid, must be a valid date in {form} format", uri)
        if first > last:
            return _problem(400, "start timestamp should be before the end timestamp", uri)
        points: dict[dt.datetime, int]
        if hourly:
            points = {h: v for h, v in self.site_hourly.get(key, {}).items() if first <= h <= last}
        elif granularity == "daily":
            points = {
                _midnight(d): v
                for d, v in self.site_daily.get(key, {}).items()
                if first.date() <= d <= last.date()
            }
        elif granularity == "monthly":
            if not _contains_full_month(first.date(), last.date()):
                return _problem(400, "no full months between dates", uri)
            months = self.site_monthly.get(key, {})
            points = {
                _midnight(m): v for m, v in months.items() if first.date().replace(day=1) <= m <= last.date()
            }
        else:
            return _problem(404, "Invalid route", uri)
        if not points:
            return _problem(404, NOT_FOUND_DETAIL, uri)
        items = [
            {
                "project": project,
                "access": access,
                "agent": agent,
                "granularity": granularity,
                "timestamp": f"{when:%Y%m%d%H}",
                "views": views,
            }
            for when, views in sorted(points.items())
        ]
        return _json({"items": items})

    def _unique_devices(self, segments: list[str], uri: str) -> httpx.Response:
        project, site, granularity, start, end = segments
        project = project.lower().removesuffix(".org")
        if granularity not in ("daily", "monthly"):
            return _problem(400, "Invalid granularity", uri)
        try:
            first, last = _day(start), _day(end)
        except ValueError:
            return _problem(400, "start timestamp is invalid, must be a valid date in YYYYMMDD format", uri)
        counts = self.devices.get((project, site, granularity), {})
        found = {d: c for d, c in counts.items() if first <= d <= last}
        if not found:
            detail = NOT_FOUND_DETAIL.replace("not loaded yet. ", "not loaded yet.  ") + "."
            return _problem(404, detail, uri)
        items = [
            {
                "project": project,
                "access-site": site,
                "granularity": granularity,
                "timestamp": f"{day:%Y%m%d}",
                "devices": underestimate + offset,
                "offset": offset,
                "underestimate": underestimate,
            }
            for day, (underestimate, offset) in sorted(found.items())
        ]
        return _json({"items": items})

    def _top_by_country(self, segments: list[str], uri: str) -> httpx.Response:
        project, access, year, month = segments
        project = project.lower().removesuffix(".org")
        countries = self.by_country.get((project, access, year, month.rjust(2, "0")))
        if countries is None:
            return _problem(404, NOT_FOUND_DETAIL, uri)
        item = {"project": project, "access": access, "year": year, "month": month.rjust(2, "0")}
        return _json({"items": [{**item, "countries": countries}]})

    def _top_per_country(self, segments: list[str], uri: str) -> httpx.Response:
        country, access, year, month, day = segments
        month, day = month.rjust(2, "0"), day if day == "all-days" else day.rjust(2, "0")
        articles = self.per_country.get((country, access, year, month, day))
        if articles is None:
            return _problem(404, NOT_FOUND_DETAIL, uri)
        item = {"country": country, "access": access, "year": year, "month": month, "day": day}
        return _json({"items": [{**item, "articles": articles}]})

    # -- ways to reach it ------------------------------------------------------------------------------------

    def transport(self) -> httpx.MockTransport:
        return httpx.MockTransport(self.handle)

    @contextmanager
    def serve(self) -> Iterator[str]:
        """Serve over HTTP on a free loopback port; yields the base URL to configure the service with."""

        def delay(path: str) -> float:
            return self.canned[0].delay if self.canned else self.delay_of(path)

        with serving(self.handle, delay) as port:
            yield f"http://127.0.0.1:{port}/api/rest_v1"


def _problem(status: int, detail: str, uri: str) -> httpx.Response:
    title = {400: "Bad Request", 404: "Not Found"}.get(status, "Error")
    body = {
        "detail": detail,
        "method": "get",
        "status": status,
        "title": title,
        "type": "about:blank",
        "uri": uri,
    }
    return httpx.Response(
        status, content=json.dumps(body).encode(), headers={"content-type": "application/problem+json"}
    )


def _json(body: object) -> httpx.Response:
    return httpx.Response(
        200,
        content=json.dumps(body, separators=(",", ":")).encode(),
        headers={
            "content-type": "application/json; charset=utf-8",
            "cache-control": "s-maxage=14400, max-age=14400",
        },
    )


def _instant(text: str, hourly: bool) -> dt.datetime:
    """A start or end of an aggregate range: the hour counts only when hourly."""
    day = _day(text)
    hour = int(text[8:10]) if hourly and len(text) == 10 else 0
    return dt.datetime(day.year, day.month, day.day, hour, tzinfo=dt.UTC)


def _midnight(day: dt.date) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, tzinfo=dt.UTC)


def _date(timestamp: str) -> dt.date:
    return dt.date(int(timestamp[:4]), int(timestamp[4:6]), int(timestamp[6:8]))


def _day(text: str) -> dt.date:
    if len(text) not in (8, 10) or not text.isdigit():
        raise ValueError(text)
    return dt.date(int(text[:4]), int(text[4:6]), int(text[6:8]))


def _contains_full_month(first: dt.date, last: dt.date) -> bool:
    month_start = first if first.day == 1 else (first.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
    month_end = month_start.replace(day=calendar.monthrange(month_start.year, month_start.month)[1])
    return month_end <= last
