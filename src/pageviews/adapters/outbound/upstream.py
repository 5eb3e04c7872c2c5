"""What every HTTP upstream adapter shares: its client (over an httpx transport), a transport that times and
counts each request, and the reading of `Retry-After`."""

from __future__ import annotations

import base64
import datetime as dt
import email.utils
import time
from collections.abc import Callable, Mapping
from types import TracebackType
from typing import Protocol, Self

import httpx

DEFAULT_RETRY_AFTER = 5.0
MAX_RETRY_AFTER = 300.0

Observe = Callable[[str, float], None]
"""Told the outcome (`2xx`, `404`, `429`, `5xx`, `timeout`, `connection_error`, ...) and duration of a request."""


class HttpClient(Protocol):
    """What the upstream adapters need of an HTTP client: `UpstreamClient` is the one the service runs with, and
    any `httpx.AsyncClient` with a base URL is one too."""

    @property
    def base_url(self) -> httpx.URL: ...

    @property
    def is_closed(self) -> bool: ...

    async def get(self, url: str, *, params: Mapping[str, str] | None = None) -> httpx.Response: ...

    async def post(self, url: str, *, data: Mapping[str, str] | None = None) -> httpx.Response: ...


ACCEPT_ENCODING = "gzip, deflate"
"""What httpx's own client asks for (and `httpx.Response` decodes) without the optional brotli or zstd."""


class UpstreamClient:
    """One upstream's requests, sent straight to an httpx transport, with the little of a client these adapters
    use: a base URL (its `user:password`, if any, sent as Basic auth), default headers, one timeout, GET with a
    query, POST with a form; bodies are read whole.

    Not `httpx.AsyncClient`: its layer (cookie jar, auth flows, redirect following, event hooks, proxy mounts),
    of which these adapters use nothing, cost a cold request about 0.3 ms (bench/README.md, figure (c)). Proxies
    from the environment are the transport's business (`transport.AiohttpTransport`)."""

    def __init__(
        self, base_url: str, user_agent: str, timeout: float, transport: httpx.AsyncBaseTransport
    ) -> None:
        base = httpx.URL(base_url.rstrip("/") + "/" if base_url else "")
        self._base_url = base.copy_with(userinfo=b"") if base.userinfo else base
        self._prefix = str(self._base_url) if base_url else ""
        self._headers = [
            ("User-Agent", user_agent),
            ("Accept", "application/json"),
            ("Accept-Encoding", ACCEPT_ENCODING),
        ]
        if base.userinfo:  # as httpx's client does: the decoded user and password
            credentials = f"{base.username}:{base.password}".encode()
            self._headers.append(("Authorization", "Basic " + base64.b64encode(credentials).decode()))
        self._extensions = {"timeout": httpx.Timeout(timeout).as_dict()}
        self._transport = transport
        self._closed = False

    @property
    def base_url(self) -> httpx.URL:
        """Without its password; with none, requests name their whole URL."""
        return self._base_url

    @property
    def is_closed(self) -> bool:
        return self._closed

    async def get(self, url: str, *, params: Mapping[str, str] | None = None) -> httpx.Response:
        """`url` after the base URL (or whole, without one)."""
        return await self._send(
            httpx.Request(
                "GET", self._prefix + url, params=params, headers=self._headers, extensions=self._extensions
            )
        )

    async def post(self, url: str, *, data: Mapping[str, str] | None = None) -> httpx.Response:
        """`data` as a form (`application/x-www-form-urlencoded`)."""
        return await self._send(
            httpx.Request(
                "POST", self._prefix + url, data=data, headers=self._headers, extensions=self._extensions
            )
        )

    async def _send(self, request: httpx.Request) -> httpx.Response:
        if self._closed:
            raise RuntimeError("the upstream client is closed")
        response = await self._transport.handle_async_request(request)
        response.request = request
        try:
            await response.aread()
        finally:
            await response.aclose()
        return response

    async def aclose(self) -> None:
        self._closed = True
        await self._transport.aclose()

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        await self.aclose()


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
