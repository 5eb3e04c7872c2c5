"""Every error a client can be told about, each with its stable, machine-readable `code`: the one place they are
declared. Adapters translate them to their own protocols (an HTTP status, an exit code); nothing else does."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager


class PageviewsError(Exception):
    """Base of every error the service reports to a client; `code` is stable and machine-readable. Raised as
    itself, it is a bug: reported without its internals, and logged."""

    code = "internal_error"

    def __init__(self, detail: str) -> None:
        super().__init__(detail)
        self.detail = detail


class InvalidInput(PageviewsError):
    """The client asked something that can never be answered; nothing was sent upstream."""

    code = "invalid_input"


class InvalidTitle(InvalidInput):
    code = "invalid_title"


class InvalidProject(InvalidInput):
    code = "invalid_project"


class InvalidAccess(InvalidInput):
    code = "invalid_access"


class InvalidAgent(InvalidInput):
    code = "invalid_agent"


class InvalidGranularity(InvalidInput):
    code = "invalid_granularity"


class InvalidBreakdown(InvalidInput):
    code = "invalid_breakdown"


class InvalidYear(InvalidInput):
    code = "invalid_year"


class InvalidMonth(InvalidInput):
    code = "invalid_month"


class FutureMonth(InvalidInput):
    code = "future_month"


class FutureDate(InvalidInput):
    code = "future_date"


class InvalidRange(InvalidInput):
    code = "invalid_range"


class InvalidLimit(InvalidInput):
    code = "invalid_limit"


class InvalidBatch(InvalidInput):
    code = "invalid_batch"


class MonthNotComplete(InvalidInput):
    code = "month_not_complete"


class BeforeDataStart(InvalidInput):
    code = "before_data_start"


class InvalidCountry(InvalidInput):
    code = "invalid_country"


class InvalidSite(InvalidInput):
    """Unique devices are counted per site (`all-sites`, `desktop-site`, `mobile-site`), not per access."""

    code = "invalid_site"


class InvalidExclude(InvalidInput):
    code = "invalid_exclude"


class DayNotComplete(InvalidInput):
    code = "day_not_complete"


class WikimediaBadRequest(InvalidInput):
    """The mirror of Wikimedia's API refuses what Wikimedia refuses, with Wikimedia's own status and detail."""

    code = "wikimedia_bad_request"


class WikimediaInvalidRoute(PageviewsError):
    """A path of the mirror that fits none of Wikimedia's routes (Wikimedia's 404 `invalid route`)."""

    code = "wikimedia_invalid_route"

    def __init__(self, detail: str = "invalid route") -> None:
        super().__init__(detail)


class InvalidRequest(InvalidInput):
    """The request does not fit the API at all: a malformed body, a parameter of the wrong type."""

    code = "invalid_request"


class InvalidParameter(InvalidInput):
    """A query parameter the endpoint does not take (or takes once), or a value it cannot take."""

    code = "invalid_parameter"


class NotAcceptable(PageviewsError):
    """The client's `Accept` allows none of the representations the resource has."""

    code = "not_acceptable"


class BodyTooLarge(InvalidInput):
    code = "body_too_large"


class NoSuchRoute(PageviewsError):
    code = "not_found"


class MethodNotAllowed(PageviewsError):
    code = "method_not_allowed"


class RequestTimeout(PageviewsError):
    """The request's body did not arrive within the client timeout; the connection is closed after the answer."""

    code = "request_timeout"


class RateLimited(PageviewsError):
    """This client sent more requests than the limit allows; it may go on after `retry_after` seconds."""

    code = "rate_limited"


class NotReady(PageviewsError):
    """The service is starting or shutting down."""

    code = "not_ready"


class NoData(PageviewsError):
    """Wikimedia has no data: zero views, an unknown title, or data not loaded yet (it cannot tell which)."""

    code = "no_data"

    def __init__(self, detail: str = "") -> None:
        super().__init__(detail or NO_DATA_DETAIL)


@contextmanager
def no_data_about(subject: str) -> Iterator[None]:
    """Wikimedia's "no data" about what is not an article's views (a top list, a project's totals, a country's
    list), told in its own words: the default detail speaks of an article and its title."""
    try:
        yield
    except NoData as exc:
        raise NoData(f"Wikimedia has no data for {subject}: it is not loaded yet, or there is none") from exc


NO_DATA_DETAIL = (
    "Wikimedia has no data for this article and period: it had zero views, the title does not exist on this "
    "project (titles are case-sensitive; redirects count separately), or the data is not loaded yet; "
    "Wikimedia cannot tell which"
)


class NoSuchPage(PageviewsError):
    """Wikimedia has no data and the wiki says the title is no page: `title` as tried, and `suggestion`, the
    existing page it probably meant (a case variant, or where that variant redirects), when there is one."""

    code = "no_such_page"

    def __init__(self, detail: str, *, title: str, suggestion: str | None = None) -> None:
        super().__init__(detail)
        self.title = title
        self.suggestion = suggestion


class UpstreamError(PageviewsError):
    """Wikimedia answered something unusable: a 5xx, a body that is not the documented shape, a wrong period."""

    code = "upstream_error"


class UpstreamUnavailable(PageviewsError):
    """Wikimedia could not be asked right now; asking again after `retry_after` seconds may work."""

    code = "upstream_unavailable"

    def __init__(self, detail: str, retry_after: float) -> None:
        super().__init__(detail)
        self.retry_after = retry_after


class UpstreamThrottled(UpstreamUnavailable):
    code = "upstream_throttled"


class UpstreamBusy(UpstreamUnavailable):
    """Every upstream slot stayed busy (slow answers to other requests) for longer than the wait allowed."""

    code = "upstream_busy"


class CircuitOpen(UpstreamUnavailable):
    """The upstream failed repeatedly; it is not asked again until the cool-down has passed."""

    code = "circuit_open"


class UpstreamTimeout(PageviewsError):
    code = "upstream_timeout"
