"""The transport the upstream clients send through (aiohttp under httpx's interface), against servers on real
loopback sockets that answer, stall, hang up or cut a body short: what arrives is what httpx would have sent,
and every failure is the httpx exception that names it (a dropped connection is never a timeout)."""

from __future__ import annotations

import asyncio
import gzip
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager

import httpx
import pytest

from pageviews.adapters.outbound.transport import AiohttpTransport
from pageviews.adapters.outbound.upstream import UpstreamClient

Serve = Callable[[asyncio.StreamReader, asyncio.StreamWriter], Awaitable[None]]
USER_AGENT = "pageviews-tests/1.0 (https://example.org/pageviews; tests@example.org)"


@asynccontextmanager
async def server(serve: Serve) -> AsyncIterator[str]:
    """A raw HTTP/1.1 server on a free loopback port; yields its base URL."""
    listening = await asyncio.start_server(serve, "127.0.0.1", 0)
    port = listening.sockets[0].getsockname()[1]
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        listening.close()


async def head_of(reader: asyncio.StreamReader) -> tuple[str, dict[str, str]]:
    """The request line and headers (names lower-cased) of the next request."""
    line = (await reader.readline()).decode().strip()
    headers = {}
    while (header := (await reader.readline()).decode().strip()) != "":
        name, _, value = header.partition(":")
        headers[name.strip().lower()] = value.strip()
    return line, headers


def answer(body: bytes, *extra: str, length: int | None = None) -> bytes:
    head = [
        "HTTP/1.1 200 OK",
        "Content-Type: application/json",
        f"Content-Length: {length or len(body)}",
        *extra,
    ]
    return ("\r\n".join(head) + "\r\n\r\n").encode() + body


def client(base_url: str, timeout: float = 5.0, connections: int = 2) -> UpstreamClient:
    return UpstreamClient(
        base_url, USER_AGENT, timeout, AiohttpTransport(httpx.Limits(max_connections=connections))
    )


async def test_the_request_line_and_headers_arrive_as_httpx_encoded_them() -> None:
    seen: list[tuple[str, dict[str, str]]] = []

    async def serve(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        seen.append(await head_of(reader))
        writer.write(answer(b"{}"))
        await writer.drain()

    async with server(serve) as base, client(base + "/api") as upstream:
        await upstream.get("per-article/AC%2FDC/O%27Neill/Caf%C3%A9")
    line, headers = seen[0]
    expected = ("GET /api/per-article/AC%2FDC/O%27Neill/Caf%C3%A9 HTTP/1.1", USER_AGENT, "application/json")
    assert expected == (line, headers["user-agent"], headers["accept"])


async def test_a_gzip_body_is_read_decoded() -> None:
    async def serve(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await head_of(reader)
        writer.write(answer(gzip.compress(b'{"items": []}'), "Content-Encoding: gzip"))
        await writer.drain()

    async with server(serve) as base, client(base) as upstream:
        response = await upstream.get("x")
    assert (200, b'{"items": []}') == (response.status_code, response.content)


async def test_a_form_is_posted_with_its_body() -> None:
    seen: list[tuple[dict[str, str], bytes]] = []

    async def serve(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        _, headers = await head_of(reader)
        seen.append((headers, await reader.readexactly(int(headers["content-length"]))))
        writer.write(answer(b"{}"))
        await writer.drain()

    async with server(serve) as base, client(base) as upstream:
        await upstream.post("w/api.php", data={"action": "query", "titles": "A|B"})
    headers, body = seen[0]
    assert ("application/x-www-form-urlencoded", b"action=query&titles=A%7CB") == (
        headers["content-type"],
        body,
    )


async def test_a_server_that_hangs_up_without_answering_is_a_protocol_error_not_a_timeout() -> None:
    async def serve(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await head_of(reader)
        writer.close()

    async with server(serve) as base, client(base) as upstream:
        with pytest.raises(httpx.RemoteProtocolError):
            await upstream.get("x")


async def test_a_body_cut_short_is_a_protocol_error() -> None:
    async def serve(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await head_of(reader)
        writer.write(answer(b'{"items": [', length=100))
        await writer.drain()
        writer.close()

    async with server(serve) as base, client(base) as upstream:
        with pytest.raises(httpx.RemoteProtocolError):
            await upstream.get("x")


async def test_a_refused_connection_is_a_connect_error() -> None:
    async with client("http://127.0.0.1:9") as upstream:  # the discard port: nothing listens
        with pytest.raises(httpx.ConnectError):
            await upstream.get("x")


async def test_an_answer_slower_than_the_timeout_is_a_read_timeout() -> None:
    async def serve(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await head_of(reader)
        await asyncio.sleep(2)

    async with server(serve) as base, client(base, timeout=0.1) as upstream:
        with pytest.raises(httpx.ReadTimeout):
            await upstream.get("x")


async def test_no_more_connections_are_opened_than_the_limit() -> None:
    open_now, most = 0, 0

    async def serve(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        nonlocal open_now, most
        open_now += 1
        most = max(most, open_now)
        try:
            while await reader.readline():  # one request after another on the same connection
                while (await reader.readline()).strip():
                    pass
                await asyncio.sleep(0.05)
                writer.write(answer(b"{}"))
                await writer.drain()
        finally:
            open_now -= 1

    async with server(serve) as base, client(base, connections=2) as upstream:
        responses = await asyncio.gather(*(upstream.get(f"x{n}") for n in range(6)))
    assert ({200}, 2) == ({r.status_code for r in responses}, most)


async def test_a_closed_client_sends_nothing() -> None:
    connections = 0

    async def serve(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        nonlocal connections
        connections += 1
        await head_of(reader)
        writer.write(answer(b"{}"))
        await writer.drain()

    async with server(serve) as base:
        upstream = client(base)
        await upstream.aclose()
        with pytest.raises(RuntimeError):
            await upstream.get("x")
    assert (True, 0) == (upstream.is_closed, connections)


async def test_a_closed_transport_opens_a_new_session_when_asked_again() -> None:
    """As httpx's own transport does: a service started again (its lifespan run twice) can use it."""

    async def serve(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await head_of(reader)
        writer.write(answer(b"{}"))
        await writer.drain()

    transport = AiohttpTransport(httpx.Limits(max_connections=1))
    async with server(serve) as base:
        first = await transport.handle_async_request(httpx.Request("GET", base + "/x"))
        await first.aread()
        await transport.aclose()
        again = await transport.handle_async_request(httpx.Request("GET", base + "/x"))
        await again.aread()
        await transport.aclose()
    assert (200, 200) == (first.status_code, again.status_code)
