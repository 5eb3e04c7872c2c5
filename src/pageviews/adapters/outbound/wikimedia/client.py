"""Wikimedia's pageviews REST API (AQS) as a `PageviewsSource`, over one shared httpx client.

Every vendor failure leaves this module as a domain error; httpx types never cross the port.
"""

from __future__ import annotations

import datetime as dt
import logging
from functools import partial
from urllib.parse import quote

import httpx
import msgspec

from pageviews.adapters.outbound.resilience import Resilience, Transient
from pageviews.adapters.outbound.upstream import (
    DEFAULT_RETRY_AFTER,
    HttpClient,
    retry_after,
    retry_after_hint,
)
from pageviews.domain.errors import (
    NoData,
    PageviewsError,
    UpstreamError,
    UpstreamThrottled,
    UpstreamTimeout,
    UpstreamUnavailable,
)
from pageviews.domain.model import Access, ArticleQuery, DataPoint, Fetched, Granularity, Month, Project
from pageviews.domain.top import TopArticles, TopEntry

log = logging.getLogger(__name__)

NO_DATA_MARKER = "we either do not have data"


class _Item(msgspec.Struct):
    timestamp: str
    views: int


class _Items(msgspec.Struct):
    items: list[_Item]


class _TopArticle(msgspec.Struct):
    article: str
    views: int
    rank: int


class _TopItem(msgspec.Struct):
    year: str
    month: str
    articles: list[_TopArticle]


class _TopItems(msgspec.Struct):
    items: list[_TopItem]


class _Problem(msgspec.Struct):
    """Both error shapes: AQS2's `about:blank` problem and AQS1's HyperSwitch one, whose `detail` is a list."""

    detail: str | list[str] | None = None
    title: str | None = None
    type: str | None = None


_items_decoder = msgspec.json.Decoder(_Items)
_problem_decoder = msgspec.json.Decoder(_Problem)
_top_decoder = msgspec.json.Decoder(_TopItems)


def article_path(query: ArticleQuery, granularity: Granularity, first: dt.date, last: dt.date) -> str:
    """The per-article URL path; the title is percent-encoded exactly once, `/` included."""
    title = quote(query.article.title, safe="")
    return (
        f"metrics/pageviews/per-article/{query.project.name}/{query.access.value}/{query.agent.value}/"
        f"{title}/{granularity.value}/{first:%Y%m%d}/{last:%Y%m%d}"
    )


def subject_of(path: str) -> str:
    """What a request is about, for the circuit breaker: the endpoint, its project (or country) and, per
    article, the title; never the period, access, agent or granularity. So a title that Wikimedia fails counts
    once among the recent requests however many months or ranges of it were asked, and only failures about
    many subjects, i.e. a sick upstream, open the circuit."""
    endpoint, owner, *rest = path.removeprefix("metrics/").removeprefix("pageviews/").split("/")
    if endpoint == "per-article":
        return f"{endpoint}/{owner}/{rest[2]}"
    return f"{endpoint}/{owner}"


class WikimediaPageviewsSource:
    def __init__(self, client: HttpClient, resilience: Resilience) -> None:
        self._client = client
        self._resilience = resilience
        self._name = f"Wikimedia ({client.base_url.host})"

    async def per_article(
        self, query: ArticleQuery, granularity: Granularity, first: dt.date, last: dt.date
    ) -> Fetched:
        path = article_path(query, granularity, first, last)
        response = await self._get(path)
        if response.status_code != 200:
            raise _error_for(response)
        return Fetched(_points(response.content))

    async def top_articles(self, project: Project, access: Access, month: Month) -> TopArticles:
        path = (
            f"metrics/pageviews/top/{project.name}/{access.value}/{month.year:04d}/{month.month:02d}/all-days"
        )
        response = await self._get(path)
        if response.status_code != 200:
            raise _error_for(response)
        try:
            items = _top_decoder.decode(response.content).items
        except msgspec.DecodeError as exc:
            raise UpstreamError(f"Wikimedia answered with an unexpected body: {exc}") from exc
        if len(items) != 1:
            raise UpstreamError(f"Wikimedia answered {len(items)} top lists for one month")
        if (items[0].year, items[0].month) != (f"{month.year:04d}", f"{month.month:02d}"):
            raise UpstreamError(
                f"asked for {month}, Wikimedia answered the list of {items[0].year}-{items[0].month}"
            )
        entries = sorted(
            (TopEntry(a.rank, a.article, a.views) for a in items[0].articles), key=lambda e: e.rank
        )
        return TopArticles(project, access, month, tuple(entries))

    async def _get(self, path: str) -> httpx.Response:
        """The answer to one request, after the retries, breaker and limits of `resilience`: 429, 5xx, timeouts
        and connection errors are transient; any other answer is returned as it is."""
        return await self._resilience.call(subject_of(path), partial(self._attempt, path))

    async def _attempt(self, path: str) -> httpx.Response:
        if self._client.is_closed:  # shutting down, with requests still queued for a slot
            raise UpstreamUnavailable("the service is shutting down", retry_after=1)
        try:
            response = await self._client.get(path)
        except httpx.TimeoutException as exc:
            raise Transient(UpstreamTimeout(f"{self._name} did not answer in time")) from exc
        except httpx.TransportError as exc:
            log.warning("wikimedia unreachable: %r", exc)
            error = UpstreamUnavailable(
                f"{self._name} could not be reached ({_reason(exc)})", DEFAULT_RETRY_AFTER
            )
            raise Transient(error) from exc
        except httpx.HTTPError as exc:  # e.g. a body that fails to decompress: an answer, but unusable
            raise UpstreamError(f"Wikimedia answered with an unreadable body: {exc}") from exc
        if response.status_code == 429 or response.status_code >= 500:
            raise Transient(_error_for(response), retry_after_hint(response.headers))
        return response


def _points(body: bytes) -> tuple[DataPoint, ...]:
    try:
        items = _items_decoder.decode(body).items
        points = tuple(DataPoint(_period(item.timestamp), item.views) for item in items)
    except (msgspec.DecodeError, ValueError) as exc:
        raise UpstreamError(f"Wikimedia answered with an unexpected body: {exc}") from exc
    if not points:
        raise NoData()
    return points


def _period(timestamp: str) -> dt.date:
    """`YYYYMMDDHH` (hour ignored) as a date; anything else is a malformed answer."""
    if len(timestamp) != 10 or not timestamp.isascii() or not timestamp.isdigit():
        raise ValueError(f"timestamp {timestamp!r} is not YYYYMMDDHH")
    return dt.date(int(timestamp[:4]), int(timestamp[4:6]), int(timestamp[6:8]))


def _error_for(response: httpx.Response) -> PageviewsError:
    status = response.status_code
    detail = _detail(response)
    if status == 404 and _means_no_data(detail):
        return NoData()
    if status == 429:
        return UpstreamThrottled("Wikimedia is throttling requests", retry_after(response.headers))
    if status == 503:
        return UpstreamUnavailable("Wikimedia is unavailable", retry_after(response.headers))
    url = response.request.url.copy_with(userinfo=b"")  # a password in the base URL stays out of the logs
    log.warning("wikimedia answered %s for %s: %s", status, url, detail)
    if status == 403:
        return UpstreamError("Wikimedia refused the request (403); check PAGEVIEWS_USER_AGENT")
    suffix = f": {detail}" if detail else ""
    return UpstreamError(f"Wikimedia answered {status}{suffix}")


def _means_no_data(detail: str | None) -> bool:
    """Wikimedia's 404 problem means "no data" unless it says the route itself is wrong (our bug, not the
    data's). Its wording has changed before, so the exact sentence is not required; an HTML or empty 404
    (a proxy, a wrong base URL) is not Wikimedia's answer at all."""
    if detail is None:
        return False
    return NO_DATA_MARKER in detail or "route" not in detail.lower()


def _detail(response: httpx.Response) -> str | None:
    """The `detail` (or `title`) of a problem body of either shape; None when the body is not one."""
    try:
        problem = _problem_decoder.decode(response.content)
    except msgspec.DecodeError:
        return None
    detail = problem.detail if problem.detail is not None else problem.title or ""
    return "; ".join(detail) if isinstance(detail, list) else detail


def _reason(error: httpx.TransportError) -> str:
    """What went wrong in words a client can act on, without internals: refused, timed out, closed."""
    if isinstance(error, httpx.ConnectTimeout):
        return "connecting timed out"
    if isinstance(error, httpx.ConnectError):
        return "the connection failed"
    if isinstance(error, httpx.RemoteProtocolError):
        return "it closed the connection"
    return type(error).__name__
