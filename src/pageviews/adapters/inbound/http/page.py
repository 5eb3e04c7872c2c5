"""`GET /`: the page for people (articles compared on a chart, a month's top list), and `GET /static/{name}`:
its files, served from the package by the service itself, never from a CDN.

The page keeps its state in the URL's fragment (`/#view=compare&articles=...`), which browsers never send: a
shared link is the one document `/`, whatever it shows, and the page ignores any query string (such as the
`?utm_source=` a link picks up on the way), so `/` is exempt from the unknown-parameter rule. Files are read
once, on first use; each has a strong ETag (a 304 when the client has it), a gzip form where that pays
(`Vary: Accept-Encoding`), and a `Cache-Control` by kind: a vendored library's folder is named for its version,
so it is kept a year; the page's own files are revalidated on every load (`no-cache`), so a deployment is
seen at once."""

from __future__ import annotations

import functools
import gzip
import hashlib
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any

from litestar import Request, Response, get
from litestar.exceptions import NotFoundException
from litestar.params import PathParameter

from pageviews.adapters.inbound.http.parameters import ANY_QUERY

STATIC = Path(__file__).resolve().parent / "static"
INDEX = "index.html"
IMMUTABLE = "public, max-age=31536000, immutable"
REVALIDATE = "no-cache"
_MEDIA_TYPES = {
    ".html": "text/html",
    ".js": "text/javascript",
    ".css": "text/css",
    ".svg": "image/svg+xml",
    ".png": "image/png",
    ".md": "text/markdown",
}
_COMPRESSIBLE = (".html", ".js", ".css", ".svg", ".md")
_GZIP_FROM = 1024
"""Bytes below which gzip is not worth a second form of the file."""


@dataclass(frozen=True)
class Asset:
    body: bytes
    gzipped: bytes | None
    media_type: str
    etag: str
    cache_control: str

    @classmethod
    def of(cls, name: str, body: bytes) -> Asset:
        suffix = Path(name).suffix
        compress = suffix in _COMPRESSIBLE and len(body) >= _GZIP_FROM
        return cls(
            body=body,
            # mtime=0: the same bytes on every start and every replica, so the ETag of the gzip form holds.
            gzipped=gzip.compress(body, compresslevel=9, mtime=0) if compress else None,
            media_type=_MEDIA_TYPES.get(suffix, "application/octet-stream"),
            etag=hashlib.blake2b(body, digest_size=16).hexdigest(),
            cache_control=IMMUTABLE if name.startswith("vendor/") else REVALIDATE,
        )

    def response(self, request: Request[Any, Any, Any]) -> Response[bytes]:
        headers = {"Cache-Control": self.cache_control, "Vary": "Accept-Encoding"}
        if self.gzipped is not None and accepts_gzip(request.headers.get("accept-encoding", "")):
            headers |= {"Content-Encoding": "gzip", "ETag": f'"{self.etag}-gzip"'}
            return Response(self.gzipped, media_type=self.media_type, headers=headers)
        return Response(self.body, media_type=self.media_type, headers=headers | {"ETag": f'"{self.etag}"'})


@functools.cache
def assets(directory: Path = STATIC) -> dict[str, Asset]:
    """Every file of the page, by its path under `static/`: only these names are served (nothing is looked up
    on disk per request, so no path can reach outside)."""
    return {
        path.relative_to(directory).as_posix(): Asset.of(
            path.relative_to(directory).as_posix(), path.read_bytes()
        )
        for path in sorted(directory.rglob("*"))
        if path.is_file()
    }


def accepts_gzip(accept_encoding: str) -> bool:
    """`gzip` (or `*`) listed, and not with `q=0`."""
    for item in accept_encoding.lower().split(","):
        coding, _, parameters = item.partition(";")
        if coding.strip() in {"gzip", "*"}:
            parameters = parameters.strip()
            return _quality(parameters[2:]) > 0 if parameters.startswith("q=") else True
    return False


def _quality(text: str) -> float:
    try:
        return float(text)
    except ValueError:
        return 0.0


@get("/", include_in_schema=False, opt={ANY_QUERY: True})
async def page(request: Request[Any, Any, Any]) -> Response[bytes]:
    return assets()[INDEX].response(request)


@get("/static/{name:path}", include_in_schema=False)
async def static_file(
    request: Request[Any, Any, Any], name: Annotated[str, PathParameter(description="A file of the page.")]
) -> Response[bytes]:
    asset = assets().get(name.removeprefix("/"))
    if asset is None:
        raise NotFoundException(f"the page has no file {name.removeprefix('/')!r}")
    return asset.response(request)
