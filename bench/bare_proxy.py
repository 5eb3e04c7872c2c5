"""The yardstick of figure (c): a bare ASGI app that forwards each request to the fake Wikimedia with httpx and
answers its body, served by the same granian, so the service's cold overhead is seen beside what the server,
one more loopback hop and an httpx client cost by themselves. The upstream is `BARE_PROXY_UPSTREAM`."""

from __future__ import annotations

import os
from typing import Any

import httpx

HEADERS = [(b"content-type", b"application/json")]
_client: list[httpx.AsyncClient] = []


async def app(scope: dict[str, Any], receive: Any, send: Any) -> None:
    if scope["type"] == "lifespan":
        while (await receive())["type"] != "lifespan.shutdown":
            _client.append(httpx.AsyncClient(base_url=os.environ["BARE_PROXY_UPSTREAM"]))
            await send({"type": "lifespan.startup.complete"})
        await _client[0].aclose()
        await send({"type": "lifespan.shutdown.complete"})
        return
    title = scope["path"].rsplit("/", 1)[-1]
    path = f"/api/rest_v1/metrics/pageviews/per-article/en.wikipedia/all-access/user/{title}/monthly/20231001/20231031"
    body = b"{}" if title == "ready" else (await _client[0].get(path)).content
    await send({"type": "http.response.start", "status": 200, "headers": HEADERS})
    await send({"type": "http.response.body", "body": body})
