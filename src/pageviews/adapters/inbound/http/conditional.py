"""HTTP caching for clients: `Cache-Control` from the domain's cache policy, an `ETag` on every successful GET,
and `If-None-Match` answered with 304 Not Modified.

The ETag is a hash of the body, added by a middleware, so every route gets it without computing it itself; a
stale answer carries `X-Cache: stale` (and `stale: true` in its body) and must be revalidated by clients."""

from __future__ import annotations

import hashlib
import re

from litestar.datastructures import MutableScopeHeaders
from litestar.enums import ScopeType
from litestar.middleware import ASGIMiddleware
from litestar.types import (
    ASGIApp,
    HTTPResponseBodyEvent,
    HTTPResponseStartEvent,
    Message,
    Receive,
    Scope,
    Send,
)

from pageviews.domain.cache_policy import CachePolicy

STALE_HEADER = "X-Cache"
_ENTITY_TAG = re.compile(r'(?:W/)?("[^"]*")')  # an entity-tag may itself contain a comma
UNCACHED_PATHS = ("/health", "/ready", "/metrics", "/schema")


def cache_headers(
    policy: CachePolicy, complete: bool, stale: bool, *, page_facts: bool = False, degraded: bool = False
) -> dict[str, str]:
    """A complete period is fresh for the policy's long TTL, a recent one for its short TTL, an answer that
    depends on what the wiki says of its pages (`page_facts`) for at most the page facts' TTL; a stale answer
    (served because the upstream failed) or a degraded one (made without the page facts) is for this
    response only."""
    if stale:
        return {"Cache-Control": "public, max-age=0, must-revalidate", STALE_HEADER: "stale"}
    if degraded:
        return {"Cache-Control": "public, max-age=0, must-revalidate"}
    ttl = policy.settled_ttl if complete else policy.unsettled_ttl
    if page_facts:
        ttl = min(ttl, policy.page_facts_ttl)
    return {"Cache-Control": f"public, max-age={int(ttl.total_seconds())}"}


def etag_of(body: bytes) -> str:
    return '"' + hashlib.blake2b(body, digest_size=16).hexdigest() + '"'


def matches(if_none_match: str, etag: str) -> bool:
    """RFC 9110 weak comparison: `*`, or any listed tag equal to ours once `W/` is ignored."""
    if if_none_match.strip() == "*":
        return True
    return etag in _ENTITY_TAG.findall(if_none_match)


class ETagMiddleware(ASGIMiddleware):
    """Buffers a GET's 200 response of one body message, tags it, and turns it into a 304 when the client
    already has it. Streamed responses pass through untagged."""

    scopes = (ScopeType.HTTP,)
    should_bypass_for_scope = staticmethod(lambda scope: scope["path"].startswith(UNCACHED_PATHS))

    async def handle(self, scope: Scope, receive: Receive, send: Send, next_app: ASGIApp) -> None:
        if scope["type"] != ScopeType.HTTP or scope["method"] != "GET":
            await next_app(scope, receive, send)
            return
        if_none_match = next(
            (v.decode("latin-1") for k, v in scope["headers"] if k == b"if-none-match"), None
        )
        held: HTTPResponseStartEvent | None = None

        async def tagging_send(message: Message) -> None:
            nonlocal held
            if message["type"] == "http.response.start" and message["status"] == 200:
                held = message
                return
            if held is None or message["type"] != "http.response.body":
                await send(message)
                return
            start, held = held, None
            if message.get("more_body", False):
                await send(start)
                await send(message)
                return
            await _send_tagged(send, start, message, if_none_match)

        await next_app(scope, receive, tagging_send)


async def _send_tagged(
    send: Send, start: HTTPResponseStartEvent, body: HTTPResponseBodyEvent, if_none_match: str | None
) -> None:
    headers = MutableScopeHeaders.from_message(start)
    etag = headers.get("etag") or etag_of(body["body"])
    headers["etag"] = etag
    if if_none_match is None or not matches(if_none_match, etag):
        await send(start)
        await send(body)
        return
    for name in ("content-length", "content-type"):
        if name in headers:
            del headers[name]
    start["status"] = 304
    await send(start)
    await send({"type": "http.response.body", "body": b"", "more_body": False})


class RememberVary(ASGIMiddleware):
    """Remembers what a response varies on, as its handler said, before outer layers (CORS) may replace the
    header: `merge_vary` puts the two back together."""

    scopes = (ScopeType.HTTP,)

    async def handle(self, scope: Scope, receive: Receive, send: Send, next_app: ASGIApp) -> None:
        async def remembering_send(message: Message) -> None:
            if message["type"] == "http.response.start":
                varies = [v for k, v in message.get("headers", ()) if k.lower() == b"vary"]
                if varies:
                    scope.setdefault("state", {})[_VARY_STATE] = varies
            await send(message)

        await next_app(scope, receive, remembering_send)


def merge_vary(scope: Scope, send: Send, *, always: bytes = b"") -> Send:
    """`Vary` is merged, never replaced: the final header lists every name any layer said, once each, and
    `always` (with CORS on, `Origin`: whether CORS's headers are there depends on it for every answer, replays
    from the response cache and requests without an `Origin` included)."""

    async def merging_send(message: Message) -> None:
        if message["type"] == "http.response.start":
            remembered: list[bytes] = scope.get("state", {}).get(_VARY_STATE, [])
            if remembered or always:
                headers = message.get("headers", [])
                final = [v for k, v in headers if k.lower() == b"vary"]
                others = [(k, v) for k, v in headers if k.lower() != b"vary"]
                names = _vary_names([*remembered, *final, always])
                message["headers"] = [*others, (b"vary", b", ".join(names))]
        await send(message)

    return merging_send


_VARY_STATE = "pageviews.vary"


def _vary_names(values: list[bytes]) -> list[bytes]:
    seen: dict[bytes, bytes] = {}
    for value in values:
        for name in value.split(b","):
            name = name.strip()
            if name:
                seen.setdefault(name.lower(), name)
    return list(seen.values())
