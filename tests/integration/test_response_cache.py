"""The response cache in front of the handlers: it replays only what the application declared cacheable, for
as long as it said, by the application's clock."""

from __future__ import annotations

import datetime as dt
import gc
import mmap
import tracemalloc
from collections.abc import Iterator
from typing import Any

import pytest
from dependency_injector import providers
from litestar import Litestar, Response, get
from litestar.testing import TestClient

from pageviews.adapters.inbound.http.response_cache import ResponseCache, ResponseCacheMiddleware
from tests.support.app import NOW, container_for, serve, settings_from_env
from tests.support.fake_wikimedia import Canned, FakeWikimedia
from tests.support.fakes import FixedClock

OCTOBER = "/monthly_view_count/Albert_Einstein/2023/10"
CURRENT = "/monthly_view_count/Albert_Einstein/2024/01"


@pytest.fixture(autouse=True)
def seeded(fake: FakeWikimedia) -> None:
    fake.add_month("Albert_Einstein", dt.date(2023, 10, 1), 1010)
    fake.add_month("Albert_Einstein", dt.date(2024, 1, 1), 101)


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(NOW)


@pytest.fixture
def client(fake: FakeWikimedia, clock: FixedClock) -> Iterator[TestClient[Any]]:
    container = container_for(fake.transport())
    container.clock.override(providers.Object(clock))
    with serve(container) as client:
        yield client


def test_a_repeated_get_is_replayed_with_its_age(client: TestClient[Any], clock: FixedClock) -> None:
    first = client.get(OCTOBER)
    clock.current += dt.timedelta(seconds=42)
    replay = client.get(OCTOBER)
    assert (first.content, first.headers["etag"], "42") == (
        replay.content,
        replay.headers["etag"],
        replay.headers["age"],
    )


def test_a_replay_is_not_kept_past_its_max_age(
    client: TestClient[Any], clock: FixedClock, fake: FakeWikimedia
) -> None:
    client.get(CURRENT)
    clock.current += dt.timedelta(seconds=601)
    fake.monthly[("en.wikipedia", "all-access", "user", "Albert_Einstein")][dt.date(2024, 1, 1)] = 202
    response = client.get(CURRENT)
    assert (response.json()["views"], response.headers.get("age")) == (202, None)


def test_a_replay_answers_a_conditional_request_with_a_304(client: TestClient[Any]) -> None:
    etag = client.get(OCTOBER).headers["etag"]
    assert client.get(OCTOBER, headers={"if-none-match": etag}).status_code == 304


def test_errors_are_not_replayed(client: TestClient[Any], fake: FakeWikimedia) -> None:
    fake.fail_next(Canned(500, b"oops"))
    failed = client.get(OCTOBER)
    assert (failed.status_code, client.get(OCTOBER).status_code) == (502, 200)


def test_stale_answers_are_not_replayed(
    client: TestClient[Any], clock: FixedClock, fake: FakeWikimedia
) -> None:
    client.get(CURRENT)
    clock.current += dt.timedelta(hours=1)
    fake.fail_next(Canned(503, b"down", {"retry-after": "60"}))
    stale = client.get(CURRENT)
    fresh = client.get(CURRENT)
    assert (stale.json()["stale"], fresh.json()["stale"]) == (True, False)


def test_different_queries_are_different_answers(client: TestClient[Any]) -> None:
    user = client.get(OCTOBER)
    spider = client.get(OCTOBER, params={"agent": "spider"})
    assert (user.status_code, spider.status_code) == (200, 404)


def test_zero_switches_it_off(fake: FakeWikimedia, clock: FixedClock) -> None:
    container = container_for(
        fake.transport(), settings=settings_from_env(PAGEVIEWS_RESPONSE_CACHE_MEMORY_MIB="0")
    )
    container.clock.override(providers.Object(clock))
    with serve(container) as client:
        client.get(OCTOBER)
        assert "age" not in client.get(OCTOBER).headers


def app_answering(headers: dict[str, str], clock: FixedClock) -> Litestar:
    calls: list[int] = []

    @get("/thing", sync_to_thread=False)
    def thing() -> Response[dict[str, int]]:
        calls.append(1)
        return Response({"calls": len(calls)}, headers=headers)

    cache = ResponseCache(1 << 20, clock)
    return Litestar([thing], middleware=[ResponseCacheMiddleware(lambda scope: cache)])


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"Cache-Control": "private, max-age=60"},
        {"Cache-Control": "public, max-age=0"},
        {"Cache-Control": "public, no-store"},
        {"Cache-Control": "public, max-age=60", "Vary": "Authorization"},
        {"Cache-Control": "public, max-age=60", "Set-Cookie": "a=b"},
    ],
)
def test_only_public_answers_with_a_max_age_are_stored(headers: dict[str, str], clock: FixedClock) -> None:
    with TestClient(app_answering(headers, clock)) as client:
        client.get("/thing")
        assert client.get("/thing").json() == {"calls": 2}


def test_an_answer_that_varies_on_accept_is_keyed_by_it(clock: FixedClock) -> None:
    headers = {"Cache-Control": "public, max-age=60", "Vary": "Accept"}
    with TestClient(app_answering(headers, clock)) as client:
        calls = [
            client.get("/thing", headers={"accept": accept}).json()["calls"]
            for accept in ("a/b", "c/d", "a/b")
        ]
    assert calls == [1, 2, 1]


def test_stored_responses_never_count_for_more_than_the_budget(clock: FixedClock) -> None:
    cache = ResponseCache(100_000, clock)
    for n in range(500):
        cache.put(
            (b"/thing", b"n=%d" % n, b"", b""), [(b"content-type", b"application/json")], bytes(1000), 60
        )
    assert 90_000 < cache.stored_bytes <= 100_000


@pytest.mark.parametrize(("seconds", "kept"), [(59, True), (60, False)])
def test_an_answer_expires_at_its_max_age_and_gives_its_bytes_back_when_looked_up(
    clock: FixedClock, seconds: int, kept: bool
) -> None:
    cache = ResponseCache(100_000, clock)
    key = (b"/thing", b"", b"", b"")
    cache.put(key, [(b"content-type", b"application/json")], bytes(1000), 60)
    clock.current += dt.timedelta(seconds=seconds)
    stored, _ = cache.lookup(key)
    assert (stored is not None, cache.stored_bytes > 0) == (kept, kept)


@pytest.mark.parametrize(
    "title", ["Title", "東京都" * 60, "🎉" * 150], ids=["ascii", "cjk-utf-8", "emoji-utf-8"]
)
def test_the_counted_size_of_a_response_is_at_least_what_it_really_takes(
    title: str, clock: FixedClock
) -> None:
    """Keys are the bytes a client sent: a raw UTF-8 path counts its bytes, not its characters (a long one
    here, for which counting characters would fall short by more than the overhead's margin)."""
    cache = ResponseCache(1 << 30, clock)
    gc.collect()
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        for n in range(500):  # enough that the per-entry cost, not the allocator's granularity, decides
            path = f"/v1/pageviews/ja.wikipedia/{title}_{n:06d}".encode()
            key = (path, b"from=2023-01", b"application/json", b"")
            headers = [(b"content-type", b"application/json"), (b"etag", b'"%032x"' % n)]
            cache.put(key, headers, bytes(500) + b"%d" % n, 60)
        gc.collect()
        used = tracemalloc.get_traced_memory()[0] - before
    finally:
        tracemalloc.stop()
    assert used <= cache.stored_bytes


def test_a_body_the_allocator_gives_pages_of_its_own_counts_as_the_pages_it_takes(clock: FixedClock) -> None:
    """Measured as resident memory (bench/run.py, figure d): a body mapped on its own takes whole pages, which
    the budget must count or the process outgrows it; a smaller body counts as its bytes."""
    paged = ResponseCache(1 << 20, clock, own_pages_from=32 * 1024)
    plain = ResponseCache(1 << 20, clock)
    for cache in (paged, plain):
        cache.put((b"/large", b"", b"", b""), [], bytes(40_000), 60)
        cache.put((b"/small", b"", b"", b""), [], bytes(30_000), 60)
    pages = -(-(40_000 + 16) // mmap.PAGESIZE)
    assert pages * mmap.PAGESIZE - 40_000 == paged.stored_bytes - plain.stored_bytes
