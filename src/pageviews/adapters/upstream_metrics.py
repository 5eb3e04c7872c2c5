"""An httpx transport that times every request to Wikimedia and reports its outcome (status class, 404,
429, timeout, connection error), including the failures that never produce a response."""

from __future__ import annotations

import time
from collections.abc import Callable

import httpx

Observe = Callable[[str, float], None]


def outcome_of(status: int) -> str:
    if status in (404, 429):
        return str(status)
    return f"{status // 100}xx"


class MeteredTransport(httpx.AsyncBaseTransport):
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
