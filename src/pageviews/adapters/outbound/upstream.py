"""What every HTTP upstream adapter shares: its httpx client, a transport that times and counts each request,
and the reading of `Retry-After`."""

from __future__ import annotations

import datetime as dt
import email.utils
import time
from collections.abc import Callable

import httpx

DEFAULT_RETRY_AFTER = 5.0
MAX_RETRY_AFTER = 300.0

Observe = Callable[[str, float], None]
"""Told the outcome (`2xx`, `404`, `429`, `5xx`, `timeout`, `connection_error`, ...) and duration of a request."""


def make_client(
    base_url: str, user_agent: str, timeout: float, transport: httpx.AsyncBaseTransport
) -> httpx.AsyncClient:
    """An httpx client for one upstream; with an empty `base_url`, requests name their whole URL."""
    return httpx.AsyncClient(
        base_url=base_url.rstrip("/") + "/" if base_url else "",
        headers={"User-Agent": user_agent, "Accept": "application/json"},
        timeout=httpx.Timeout(timeout),
        transport=transport,
        follow_redirects=False,
    )


def outcome_of(status: int) -> str:
    if status in (404, 429):
        return str(status)
    return f"{status // 100}xx"


class MeteredTransport(httpx.AsyncBaseTransport):
    """Times every request and reports its outcome, including the failures that never produce a response."""

    def __init__(self, inner: httpx.AsyncBaseTransport, observe: Observe) -> None:
        self._inner = inner
        self._observe = observe

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        started = time.perf_counter()
        try:
            response = await self._inner.handle_async_request(request)
        except httpx.TimeoutException:
            self._observe("timeout", time.perf_counter() - started)
            raise
        except httpx.TransportError:
            self._observe("connection_error", time.perf_counter() - started)
            raise
        self._observe(outcome_of(response.status_code), time.perf_counter() - started)
        return response

    async def aclose(self) -> None:
        await self._inner.aclose()


def retry_after(headers: httpx.Headers) -> float:
    """Seconds from a `Retry-After` header (delta-seconds or HTTP date), within sane bounds."""
    seconds = _seconds(headers.get("retry-after", "").strip())
    return DEFAULT_RETRY_AFTER if seconds is None else min(max(seconds, 1.0), MAX_RETRY_AFTER)


def retry_after_hint(headers: httpx.Headers) -> float | None:
    """The upstream's own `Retry-After`, unclamped (0 means now), or None when it gave none."""
    seconds = _seconds(headers.get("retry-after", "").strip())
    return None if seconds is None else max(seconds, 0.0)


def _seconds(value: str) -> float | None:
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        return None
    return (when - dt.datetime.now(dt.UTC)).total_seconds()
