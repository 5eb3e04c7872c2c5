"""The yardsticks of figure (c): a bare ASGI app that forwards each request to the fake Wikimedia with httpx and
answers its body, served by the same granian, so the service's cold overhead is seen beside what the server,
one more loopback hop and an HTTP client cost by themselves. The upstream is `BARE_PROXY_UPSTREAM`; with
`BARE_PROXY_TRANSPORT=service` it sends through the service's own client and transport (`UpstreamClient` over
`AiohttpTransport`) instead of `httpx.AsyncClient` with httpx's default transport."""

from __future__ import annotations

import os
from typing import Any

import httpx

HEADERS = [(b"content-type", b"application/json")]
_client: list[Any] = []


def _new_client() -> Any:
    base_url = os.environ["BARE_PROXY_UPSTREAM"]
    if os.environ.get("BARE_PROXY_TRANSPORT") != "service":
        return httpx.AsyncClient(base_url=base_url)
    from pageviews.adapters.outbound.transport import AiohttpTransport
    from pageviews.adapters.outbound.upstream import UpstreamClient

    return UpstreamClient(
        base_url, "bare-proxy/1.0", 10.0, AiohttpTransport(httpx.Limits(max_connections=10))
    )


async def app(scope: dict[str, Any], receive: Any, send: Any) -> None:
    if scope["type"] == "lifespan":
        while (await receive())["type"] != "lifespan.shutdown":
            _client.append(_new_client())
            await send({"type": "lifespan.startup.complete"})
        await _client[0].aclose()
        await send({"type": "lifespan.shutdown.complete"})
        return
    title = scope["path"].rsplit("/", 1)[-1]
    path = f"api/rest_v1/metrics/pageviews/per-article/en.wikipedia/all-access/user/{title}/monthly/20231001/20231031"
    body = b"{}" if title == "ready" else (await _client[0].get(path)).content
    await send({"type": "http.response.start", "status": 200, "headers": HEADERS})
    await send({"type": "http.response.body", "body": body})
