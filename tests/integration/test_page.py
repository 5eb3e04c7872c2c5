"""The page at `/`, served by the service itself: HTML whose scripts and styles are all its own files (no
inline code, nothing from elsewhere, as its Content-Security-Policy insists), each file served with an ETag,
gzip where asked, a Cache-Control by kind, and counted under one metric label."""

from __future__ import annotations

import gzip
import re
from typing import Any

import pytest
from litestar.testing import TestClient

from tests.support.http import assert_problem

Client = TestClient[Any]
LIBRARY = "/static/vendor/chart.js-4.6.1/chart.umd.min.js"


def references(html: str) -> list[str]:
    return re.findall(r'(?:src|href)="(/static/[^"]+)"', html)


def test_the_root_serves_the_page(client: Client) -> None:
    response = client.get("/")
    assert (200, "text/html; charset=utf-8") == (response.status_code, response.headers["content-type"])
    assert '<h1 id="compare-title">Compare articles</h1>' in response.text


def test_the_page_may_run_only_the_services_own_scripts_and_styles(client: Client) -> None:
    policy = client.get("/").headers["content-security-policy"]
    directives = dict(d.strip().split(" ", 1) for d in policy.split(";"))
    assert ("'none'", "'self'", "'self'", "'self'") == (
        directives["default-src"],
        directives["script-src"],
        directives["style-src"],
        directives["connect-src"],
    )
    assert "unsafe" not in policy
    assert "http" not in policy


def test_the_page_has_no_inline_script_or_style(client: Client) -> None:
    html = client.get("/").text
    scripts = re.findall(r"<script\b[^>]*>(.*?)</script>", html, flags=re.S)
    assert [""] * len(scripts) == scripts
    assert len(scripts) == len(re.findall(r"<script\b[^>]*\bsrc=\"/static/", html))
    assert None is re.search(r"<style\b|\sstyle=", html)


def test_the_page_links_the_api_docs(client: Client) -> None:
    assert 'href="/schema"' in client.get("/").text


def test_every_file_the_page_names_is_served_with_an_etag(client: Client) -> None:
    names = references(client.get("/").text)
    assert LIBRARY in names
    responses = [client.get(name) for name in names]
    assert [200] * len(names) == [r.status_code for r in responses]
    assert all(r.headers["etag"].startswith('"') for r in responses)


@pytest.mark.parametrize(
    ("name", "media_type"),
    [
        ("/static/app.js", "text/javascript; charset=utf-8"),
        ("/static/app.css", "text/css; charset=utf-8"),
        ("/static/favicon.svg", "image/svg+xml"),
    ],
)
def test_a_file_has_its_media_type(client: Client, name: str, media_type: str) -> None:
    assert media_type == client.get(name).headers["content-type"]


def test_the_modules_the_page_imports_are_served(client: Client) -> None:
    """The entry module's imports, and theirs: a missing one would leave the page blank."""
    seen: set[str] = set()
    waiting = ["app.js"]
    while waiting:
        name = waiting.pop()
        seen.add(name)
        response = client.get(f"/static/{name}")
        assert 200 == response.status_code, name
        waiting += [m for m in re.findall(r'from "\./([\w.-]+)"', response.text) if m not in seen]
    assert {"app.js", "compare.js", "lines.js", "api.js"} <= seen


def test_a_file_the_client_has_is_a_304(client: Client) -> None:
    etag = client.get("/static/app.js").headers["etag"]
    response = client.get("/static/app.js", headers={"if-none-match": etag})
    assert (304, b"") == (response.status_code, response.content)


def test_the_versioned_library_is_kept_a_year_and_the_pages_own_files_are_revalidated(client: Client) -> None:
    assert "public, max-age=31536000, immutable" == client.get(LIBRARY).headers["cache-control"]
    assert ["no-cache"] * 2 == [client.get(n).headers["cache-control"] for n in ("/", "/static/app.js")]


def test_a_client_that_takes_gzip_gets_it_and_the_same_bytes_inside(client: Client) -> None:
    plain = client.get(LIBRARY, headers={"accept-encoding": "identity"})
    # httpx would decode gzip itself: read the raw stream to see what was sent.
    with client.stream("GET", LIBRARY, headers={"accept-encoding": "gzip"}) as packed:
        raw = b"".join(packed.iter_raw())
        headers = packed.headers
    assert ("gzip", "Accept-Encoding") == (headers["content-encoding"], headers["vary"])
    assert len(raw) < len(plain.content) / 2
    assert plain.content == gzip.decompress(raw)
    assert headers["etag"] != plain.headers["etag"]
    assert "content-encoding" not in plain.headers


def test_gzip_refused_with_q_0_is_not_sent(client: Client) -> None:
    response = client.get(LIBRARY, headers={"accept-encoding": "gzip;q=0, identity"})
    assert "content-encoding" not in response.headers


def test_an_unknown_file_is_a_404_problem(client: Client) -> None:
    assert_problem(client.get("/static/nothing.js"), 404, "not_found")


def test_no_path_reaches_outside_the_pages_files(client: Client) -> None:
    assert 404 == client.get("/static/..%2Fpage.py").status_code
    assert 404 == client.get("/static/%2e%2e/page.py").status_code


def test_the_page_ignores_a_query_string_links_pick_up(client: Client) -> None:
    """A shared link keeps its state in the fragment; `?utm_source=...` added on the way changes nothing."""
    response = client.get("/", params={"utm_source": "chat", "fbclid": "x"})
    assert (200, client.get("/").content) == (response.status_code, response.content)


def test_head_of_the_page_has_its_headers_and_no_body(client: Client) -> None:
    response = client.head("/")
    assert (200, b"", "no-cache") == (
        response.status_code,
        response.content,
        response.headers["cache-control"],
    )


def test_the_pages_files_are_counted_under_one_route(client: Client) -> None:
    for name in ("app.js", "app.css", "nothing-1.js", "nothing-2.js"):
        client.get(f"/static/{name}")
    metrics = client.get("/metrics").text
    routes = set(re.findall(r'pageviews_http_requests_total\{method="GET",route="([^"]+)"', metrics))
    assert {"/static/{name}"} == {route for route in routes if "static" in route}
