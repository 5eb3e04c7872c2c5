"""A fast fake of Wikimedia's per-article endpoint for the benchmark: every title has data (one item per day
or month asked), each answer takes `latency` seconds (an asyncio sleep, so answers overlap), titles that start
with `Slow_` take a minute, and it counts what it was asked.

Control endpoints: `GET /_stats` -> {"requests": N}; `GET /_asked` -> the per-article paths asked since the last
call; `GET /_latency?ms=50` sets the latency. Serve it with
`granian --interface asgi --working-dir bench fake_upstream:app`."""

from __future__ import annotations

import asyncio
import datetime as dt
import json
from typing import Any

PREFIX = "/api/rest_v1/metrics/pageviews/per-article/"
STATE: dict[str, Any] = {"requests": 0, "latency": 0.0, "asked": []}


async def app(scope: dict[str, Any], receive: Any, send: Any) -> None:
    if scope["type"] == "lifespan":
        while (await receive())["type"] != "lifespan.shutdown":
            await send({"type": "lifespan.startup.complete"})
        await send({"type": "lifespan.shutdown.complete"})
        return
    path: str = scope["path"]
    if path == "/_stats":
        await _answer(send, 200, {"requests": STATE["requests"]})
    elif path == "/_asked":  # what was asked since the last time, as the per-article path segments
        asked, STATE["asked"] = STATE["asked"], []
        await _answer(send, 200, {"asked": asked})
    elif path == "/_latency":
        STATE["latency"] = float(scope["query_string"].decode().removeprefix("ms=")) / 1000
        await _answer(send, 200, {"latency": STATE["latency"]})
    elif path.startswith(PREFIX):
        STATE["requests"] += 1
        STATE["asked"].append(path[len(PREFIX) :])
        slow = "/Slow_" in path
        await asyncio.sleep(60.0 if slow else STATE["latency"])
        await _answer(send, 200, _items(path[len(PREFIX) :].split("/")))
    else:
        await _answer(send, 404, {"detail": "Invalid route"})


def _items(segments: list[str]) -> dict[str, object]:
    project, access, agent, article, granularity, start, end = segments
    first, last = dt.date.fromisoformat(_iso(start)), dt.date.fromisoformat(_iso(end))
    days = [first + dt.timedelta(days=n) for n in range((last - first).days + 1)]
    periods = days if granularity == "daily" else [d for d in days if d.day == 1]
    base = {"project": project, "article": article, "granularity": granularity}
    return {
        "items": [
            {
                **base,
                "timestamp": f"{day:%Y%m%d}00",
                "access": access,
                "agent": agent,
                "views": 1000 + day.day,
            }
            for day in periods
        ]
    }


def _iso(timestamp: str) -> str:
    return f"{timestamp[:4]}-{timestamp[4:6]}-{timestamp[6:8]}"


async def _answer(send: Any, status: int, body: object) -> None:
    content = json.dumps(body).encode()
    headers = [(b"content-type", b"application/json"), (b"content-length", str(len(content)).encode())]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": content})
