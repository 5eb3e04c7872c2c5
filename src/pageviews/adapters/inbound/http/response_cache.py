"""A small in-process cache of whole responses, in front of the route handlers: a repeated GET is answered
without parsing, dependency injection, the use case or serialisation, at close to the cost of `/health`.

It stores only what the application itself declared cacheable (a 200 with `Cache-Control: public, max-age=N`,
which the domain's cache policy chose), for those N seconds by the application's clock, and adds `Age`. Stale
answers (`max-age=0`) and errors are never stored; the domain cache below stays the source of truth."""

from __future__ import annotations

import mmap
import re
from collections.abc import Callable
from typing import NamedTuple

from cachetools import LRUCache
from litestar.enums import ScopeType
from litestar.middleware import ASGIMiddleware
from litestar.types import ASGIApp, HTTPResponseStartEvent, Message, Receive, Scope, Send

from pageviews.adapters.inbound.http.conditional import etag_of, matches
from pageviews.domain.ports import Clock

_MAX_AGE = re.compile(rb"(?:^|,)\s*max-age=(\d+)")
_KEYED_HEADERS = (b"accept", b"origin")
"""Request headers a response may vary on; a response that varies on any other is not stored."""

Key = tuple[bytes, ...]
_FRAGMENT = b"fragment"
"""The first element of a fragment's key; a response's key starts with its path, which begins with `/`."""


STORED_OVERHEAD = 800
"""Bytes a stored response costs beyond its key, headers and body: the objects holding them and the cache's
bookkeeping (measured with tracemalloc, as for the domain cache)."""


class _Stored:
    __slots__ = ("body", "etag", "expires", "headers", "route", "size", "stored")

    def __init__(
        self,
        headers: list[tuple[bytes, bytes]],
        body: bytes,
        stored: float,
        max_age: int,
        size: int,
        route: str | None = None,
    ) -> None:
        self.headers = headers
        self.body = body
        self.stored = stored
        self.expires = stored + max_age
        self.size = size
        self.route = route
        self.etag = next((value for name, value in headers if name == b"etag"), b"")


def _size(stored: _Stored) -> int:
    return stored.size


class ResponseCache:
    """The stored responses of one running application, within a byte budget (least recently used go first),
    each until its max-age has passed. Expiry is checked when an answer is looked up (an expired one is dropped
    then) rather than kept in order as cachetools' TLRUCache does: that bookkeeping cost a replay 1.3 us of
    its 10, and an expired answer nobody asks for again is soon the least recently used."""

    def __init__(self, budget_bytes: int, clock: Clock, *, own_pages_from: int | None = None) -> None:
        """`own_pages_from`: the size from which the allocator gives a block pages of its own (glibc's mmap
        threshold, as `pageviews.asgi` sets it); a body that large counts as the pages it takes."""
        self._clock = clock
        self._own_pages_from = own_pages_from
        self._stored: LRUCache[Key, _Stored] = LRUCache(maxsize=budget_bytes, getsizeof=_size)

    @property
    def stored_bytes(self) -> int:
        return int(self._stored.currsize)

    def lookup(self, key: Key) -> tuple[_Stored | None, float]:
        """What is stored for `key` and has not expired, and the time it was looked up at (one reading of the
        clock for both)."""
        now = self._clock.timestamp()
        stored = self._stored.get(key)
        if stored is not None and stored.expires <= now:
            del self._stored[key]  # its bytes go back to the budget
            return None, now
        return stored, now

    def fragment(self, key: Key) -> bytes | None:
        """A part of an answer kept by `keep_fragment` (the encoded result of one title of a batch, say)."""
        stored, _ = self.lookup((_FRAGMENT, *key))
        return None if stored is None else stored.body

    def keep_fragment(self, key: Key, body: bytes, max_age: int) -> None:
        """Keeps an encoded part of answers for `max_age` seconds: encoded once, replayed as bytes."""
        self.put((_FRAGMENT, *key), [], body, max_age)

    def put(
        self,
        key: Key,
        headers: list[tuple[bytes, bytes]],
        body: bytes,
        max_age: int,
        route: str | None = None,
    ) -> None:
        size = (
            STORED_OVERHEAD
            + self._resident(len(body))
            + sum(map(len, key))
            + sum(len(n) + len(v) + 64 for n, v in headers)
        )
        if size <= self._stored.maxsize:
            self._stored[key] = _Stored(headers, body, self._clock.timestamp(), max_age, size, route)

    def _resident(self, size: int) -> int:
        if self._own_pages_from is None or size < self._own_pages_from:
            return size
        return -(-(size + MMAP_HEADER) // mmap.PAGESIZE) * mmap.PAGESIZE


MMAP_HEADER = 16
"""What glibc keeps in front of a block it maps on its own."""


class ResponseCacheMiddleware(ASGIMiddleware):
    """Answers from the response cache that `cache_of(scope)` names (none: the cache is off)."""

    scopes = (ScopeType.HTTP,)

    def __init__(self, cache_of: Callable[[Scope], ResponseCache | None]) -> None:
        self._cache_of = cache_of

    async def handle(self, scope: Scope, receive: Receive, send: Send, next_app: ASGIApp) -> None:
        cache = self._cache_of(scope)
        if cache is None or scope["type"] != ScopeType.HTTP or scope["method"] != "GET":
            await next_app(scope, receive, send)
            return
        headers = dict(scope["headers"])
        key = (scope["raw_path"], scope["query_string"], *(headers.get(name, b"") for name in _KEYED_HEADERS))
        stored, now = cache.lookup(key)
        if stored is not None:
            await _replay(send, stored, now)
            return
        await next_app(scope, receive, _recorder(cache, key, scope, send))


class Ready(NamedTuple):
    """An answer known before any routing: the status, headers and body to send as they are."""

    status: int
    headers: list[tuple[bytes, bytes]]
    body: bytes


def replay_of(cache: ResponseCache, scope: Scope) -> Ready | None:
    """The fast path, before any routing: what the cache holds for a GET (a 304 when the client has it
    already), or None when it has nothing for it. Nothing is awaited, so nothing is sent yet."""
    accept = origin = if_none_match = b""
    for name, value in scope["headers"]:
        if name == b"accept":
            accept = value
        elif name == b"origin":
            origin = value
        elif name == b"if-none-match":
            if_none_match = value
    stored, now = cache.lookup((scope["raw_path"], scope["query_string"], accept, origin))
    if stored is None:
        return None
    if stored.route is not None:
        scope["path_template"] = stored.route  # for the request's log line and metrics, as if routed
    if if_none_match and stored.etag and matches(if_none_match.decode("latin-1"), stored.etag.decode()):
        headers = [(n, v) for n, v in stored.headers if n not in (b"content-length", b"content-type")]
        return Ready(304, [*headers, _age(stored, now)], b"")
    return Ready(200, [*stored.headers, _age(stored, now)], stored.body)


def _recorder(cache: ResponseCache, key: Key, scope: Scope, send: Send) -> Send:
    max_age = 0
    headers: list[tuple[bytes, bytes]] = []

    async def recording_send(message: Message) -> None:
        nonlocal max_age, headers
        if message["type"] == "http.response.start":
            max_age = _max_age(message)
            # The handler's headers, copied before outer layers add theirs (a replay gets those anew).
            headers = list(message["headers"]) if max_age else []
        await send(message)  # the client's answer first: storing it is off its path
        if message["type"] == "http.response.body" and max_age:
            if not message.get("more_body", False):
                body = message["body"]
                if not any(name == b"etag" for name, _ in headers):
                    headers.append((b"etag", etag_of(body).encode()))
                cache.put(key, headers, body, max_age, scope.get("path_template"))
            max_age = 0

    return recording_send


def _max_age(start: HTTPResponseStartEvent) -> int:
    """The seconds a 200 may be reused for, from its own headers; 0 when it may not be stored at all."""
    if start["status"] != 200:
        return 0
    cache_control = b""
    for name, value in start["headers"]:
        lowered = name.lower()
        if lowered == b"set-cookie" or (lowered == b"vary" and not _varies_on_keyed_headers(value)):
            return 0
        if lowered == b"cache-control":
            cache_control = value.lower()
    match = _MAX_AGE.search(cache_control)
    if b"public" not in cache_control or match is None:
        return 0
    return int(match[1])


def _varies_on_keyed_headers(vary: bytes) -> bool:
    return all(name.strip().lower() in _KEYED_HEADERS for name in vary.split(b","))


async def _replay(send: Send, stored: _Stored, now: float) -> None:
    await send(
        {"type": "http.response.start", "status": 200, "headers": [*stored.headers, _age(stored, now)]}
    )
    await send({"type": "http.response.body", "body": stored.body, "more_body": False})


def _age(stored: _Stored, now: float) -> tuple[bytes, bytes]:
    return (b"age", str(int(now - stored.stored)).encode())
