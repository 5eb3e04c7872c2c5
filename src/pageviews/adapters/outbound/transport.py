"""The transport the upstream clients send through: httpx's transport interface over aiohttp's client.

Why not httpx's own (httpcore, pure Python): on the cold path it cost about 0.7 ms a request more than this one
(bench/README.md, figure (c): parsing, a connection pool built on anyio locks and cancel scopes), a quarter of
the service's whole overhead. Why not the `httpx-aiohttp` package: it reports a refused or dropped connection as
a connect timeout, which would tell clients "did not answer in time" (504) where "could not be reached" (503) is
true. So this is written here, with aiohttp doing the HTTP and httpx's types at the boundary: `httpx.Request`
in; `httpx.Response` out, whose body httpx reads and decodes (gzip, deflate); httpx's exceptions for every
failure, named for what happened."""

from __future__ import annotations

import ssl
import urllib.request
from collections.abc import AsyncIterator, Iterator
from contextlib import contextmanager
from functools import lru_cache

import aiohttp
import httpx
import yarl

CHUNK = 64 * 1024


class AiohttpTransport(httpx.AsyncBaseTransport):
    """HTTP/1.1 with keep-alive, at most `limits.max_connections` connections, the request's own httpx
    timeouts, no redirects followed, no cookies kept, bodies passed on undecoded (httpx decodes them), the
    proxies the environment names (`HTTPS_PROXY`, `HTTP_PROXY`, `NO_PROXY`, as httpx's client honours them).
    aiohttp's session is opened on the first request, in the running event loop; closed, the transport opens a
    new one when asked again, as httpx's own does (a client that is closed sends nothing: `UpstreamClient`)."""

    def __init__(self, limits: httpx.Limits, *, ssl_context: ssl.SSLContext | None = None) -> None:
        self._limits = limits
        self._ssl = ssl_context or httpx.create_ssl_context()
        """Made here, at start-up: loading the CA bundle takes tens of milliseconds."""
        self._session: aiohttp.ClientSession | None = None
        self._proxies = urllib.request.getproxies_environment()
        """Read once: aiohttp's own `trust_env` reads them, and looks for a `.netrc` in a thread, per request."""

    def _opened(self) -> aiohttp.ClientSession:
        if self._session is None:
            connector = aiohttp.TCPConnector(
                limit=self._limits.max_connections or 0,
                keepalive_timeout=self._limits.keepalive_expiry or 5.0,
                ssl=self._ssl,
            )
            self._session = aiohttp.ClientSession(
                connector=connector,
                auto_decompress=False,
                cookie_jar=aiohttp.DummyCookieJar(),
                timeout=aiohttp.ClientTimeout(total=None),
            )
        return self._session

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        timeout = request.extensions.get("timeout", {})
        with _as_httpx_errors(request):
            response = await self._opened().request(
                request.method,
                # As httpx encoded it: aiohttp would otherwise normalise the percent-encoding of a title.
                yarl.URL(str(request.url), encoded=True),
                headers=request.headers.multi_items(),
                data=await request.aread() or None,
                allow_redirects=False,
                timeout=_timeout(timeout.get("pool"), timeout.get("connect"), timeout.get("read")),
                proxy=self._proxy_for(request.url) if self._proxies else None,
            )
        return httpx.Response(
            response.status,
            headers=response.raw_headers,
            stream=_Body(response, request),
            request=request,
            extensions={"http_version": b"HTTP/1.1", "reason_phrase": (response.reason or "").encode()},
        )

    def _proxy_for(self, url: httpx.URL) -> str | None:
        proxy = self._proxies.get(url.scheme) or self._proxies.get("all")
        if not proxy or urllib.request.proxy_bypass(url.host):
            return None
        return proxy

    async def aclose(self) -> None:
        session, self._session = self._session, None
        if session is not None:
            await session.close()


@lru_cache(maxsize=16)
def _timeout(pool: float | None, connect: float | None, read: float | None) -> aiohttp.ClientTimeout:
    return aiohttp.ClientTimeout(total=None, connect=pool, sock_connect=connect, sock_read=read)


class _Body(httpx.AsyncByteStream):
    def __init__(self, response: aiohttp.ClientResponse, request: httpx.Request) -> None:
        self._response = response
        self._request = request

    async def __aiter__(self) -> AsyncIterator[bytes]:
        with _as_httpx_errors(self._request):
            async for chunk in self._response.content.iter_chunked(CHUNK):
                yield chunk

    async def aclose(self) -> None:
        self._response.release()


@contextmanager
def _as_httpx_errors(request: httpx.Request) -> Iterator[None]:
    """aiohttp's failures as the httpx exceptions that say the same thing."""
    try:
        yield
    except aiohttp.ConnectionTimeoutError as exc:
        raise httpx.ConnectTimeout(str(exc) or "connecting timed out", request=request) from exc
    except (aiohttp.ServerTimeoutError, TimeoutError) as exc:
        raise httpx.ReadTimeout(str(exc) or "reading timed out", request=request) from exc
    except (aiohttp.ClientProxyConnectionError, aiohttp.ClientHttpProxyError) as exc:
        raise httpx.ProxyError(str(exc), request=request) from exc
    except aiohttp.ClientConnectorError as exc:  # refused, unresolvable, TLS refused
        raise httpx.ConnectError(str(exc), request=request) from exc
    except (aiohttp.ServerDisconnectedError, aiohttp.ClientPayloadError, aiohttp.ClientResponseError) as exc:
        # Closed early, a body cut short, or not HTTP at all.
        raise httpx.RemoteProtocolError(str(exc), request=request) from exc
    except aiohttp.ClientOSError as exc:  # reset
        raise httpx.ReadError(str(exc), request=request) from exc
    except aiohttp.InvalidURL as exc:
        raise httpx.UnsupportedProtocol(str(exc), request=request) from exc
    except aiohttp.ClientError as exc:
        raise httpx.NetworkError(str(exc), request=request) from exc
