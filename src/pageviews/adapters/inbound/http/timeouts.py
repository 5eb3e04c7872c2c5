"""Time is bounded on the way in: a request's whole body must arrive within `client_timeout` seconds of its
headers (the server bounds the headers themselves), else it is a 408 problem; a body cut short (the client
left, or its chunked framing was malformed: the server reports both as a disconnect) is a 400 problem and an
INFO line, never a 500 with a traceback. Either way the connection is closed after the answer, so a stalled
client holds nothing, shutdown included."""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from litestar.enums import ScopeType
from litestar.exceptions import ClientException
from litestar.middleware import ASGIMiddleware
from litestar.status_codes import HTTP_408_REQUEST_TIMEOUT
from litestar.types import ASGIApp, Message, Receive, Scope, Send

log = logging.getLogger(__name__)

DEFAULT_CLIENT_TIMEOUT = 10.0


class BodyTimeout(ClientException):
    """The body did not arrive in time (a 408 `request_timeout` problem, through the one error table)."""

    status_code = HTTP_408_REQUEST_TIMEOUT


class BodyCutShort(ClientException):
    """The body ended before its declared end (a 400 `invalid_request` problem)."""


class BoundedBody(ASGIMiddleware):
    scopes = (ScopeType.HTTP,)

    def __init__(self, timeout: float = DEFAULT_CLIENT_TIMEOUT) -> None:
        self._timeout = timeout

    async def handle(self, scope: Scope, receive: Receive, send: Send, next_app: ASGIApp) -> None:
        method = scope["method"] if scope["type"] == ScopeType.HTTP else ""
        body = _BoundedReceive(receive, self._timeout, f"{method} {scope['path']}")

        async def closing_send(message: Message) -> None:
            if message["type"] == "http.response.start" and body.failed:
                message["headers"] = [*message.get("headers", ()), (b"connection", b"close")]
            await send(message)

        await next_app(scope, body, closing_send)


class _BoundedReceive:
    """`receive`, with one deadline for the whole body; once the body is complete it passes through (what is
    received then is the client leaving, which a streaming response may wait for)."""

    def __init__(self, receive: Receive, timeout: float, request: str) -> None:
        self._receive = receive
        self._timeout = timeout
        self._deadline = asyncio.get_running_loop().time() + timeout
        self._request = request
        self._received = 0
        self._complete = False
        self.failed = False

    async def __call__(self) -> Any:
        if self._complete:
            return await self._receive()
        try:
            async with asyncio.timeout_at(self._deadline):
                message = await self._receive()
        except TimeoutError:
            self.failed = True
            raise BodyTimeout(
                f"the request body did not arrive within {self._timeout:g} s ({self._received} bytes received)"
            ) from None
        if message["type"] == "http.disconnect":
            self.failed = True
            log.info(
                "client disconnected before its request body was complete",
                extra={"request": self._request, "received_bytes": self._received},
            )
            raise BodyCutShort(
                "the request body ended before it was complete: the connection was closed, or the chunked "
                "encoding was malformed"
            )
        chunk = message.get("body")
        self._received += len(chunk) if isinstance(chunk, bytes) else 0
        self._complete = not message.get("more_body", False)
        return message
