"""The yardstick of figure (a): a bare ASGI app with one handler that returns a constant JSON body, served by
the same granian, so the cached hit's throughput is compared with what the server itself can do."""

from __future__ import annotations

from typing import Any

BODY = b'{"project":"en.wikipedia","article":"Albert_Einstein","year":2023,"month":10,"views":631058}'
HEADERS = [(b"content-type", b"application/json"), (b"content-length", str(len(BODY)).encode())]


async def app(scope: dict[str, Any], receive: Any, send: Any) -> None:
    if scope["type"] == "lifespan":
        while (await receive())["type"] != "lifespan.shutdown":
            await send({"type": "lifespan.startup.complete"})
        await send({"type": "lifespan.shutdown.complete"})
        return
    await send({"type": "http.response.start", "status": 200, "headers": HEADERS})
    await send({"type": "http.response.body", "body": BODY})
