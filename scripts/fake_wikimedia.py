#!/usr/bin/env python3
"""A tiny stand-in for Wikimedia's pageviews REST API, for image smoke tests.

Standard library only (runs on any python3, no project venv needed).

Answers the per-article monthly query for October 2023, for any article:

    GET .../metrics/pageviews/per-article/{project}/{access}/{agent}/{article}/monthly/20231001/20231031

with one item of 631058 views, like the real API. Articles whose title starts
with "Slow_" are answered after --slow seconds (for testing that a stopping
server drains in-flight requests). Every other path gets the API's 404
"problem" JSON. Binds 127.0.0.1 on the given port (0 = any free
port) and writes the chosen port to --port-file once it is listening, so a
caller can wait for that file instead of guessing.

    python3 scripts/fake_wikimedia.py --port 0 --port-file /tmp/upstream.port
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

VIEWS = 631058
PATTERN = re.compile(
    r"/metrics/pageviews/per-article/(?P<project>[^/]+)/(?P<access>[^/]+)/(?P<agent>[^/]+)/"
    r"(?P<article>[^/]+)/monthly/(?P<start>20231001(?:00)?)/(?P<end>20231031(?:00)?)$"
)


class Handler(BaseHTTPRequestHandler):
    server_version = "fake-wikimedia/1.0"

    def _send(self, status: int, body: dict[str, object], content_type: str) -> None:
        payload = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(payload)

    def do_GET(self) -> None:
        path = urllib.parse.urlsplit(self.path).path
        match = PATTERN.search(path)
        if match:
            if match["article"].startswith("Slow_"):
                sys.stderr.write(f"fake-wikimedia: holding {match['article']} for {self.server.slow} s\n")  # type: ignore[attr-defined]
                sys.stderr.flush()
                time.sleep(self.server.slow)  # type: ignore[attr-defined]
            item = {
                "project": match["project"],
                "article": urllib.parse.unquote(match["article"]),
                "granularity": "monthly",
                "timestamp": "2023100100",
                "access": match["access"],
                "agent": match["agent"],
                "views": VIEWS,
            }
            self._send(200, {"items": [item]}, "application/json; charset=utf-8")
            return
        self._send(
            404,
            {
                "type": "https://mediawiki.org/wiki/HyperSwitch/errors/not_found",
                "title": "Not found.",
                "method": "get",
                "detail": "The date(s) you used are valid, but we either do not have data for those date(s), "
                "or the project you asked for is not loaded yet.",
                "uri": path,
            },
            "application/problem+json",
        )

    do_HEAD = do_GET  # noqa: N815 - http.server dispatches on this name

    def log_message(self, format: str, *args: object) -> None:
        agent = self.headers.get("User-Agent", "-")
        sys.stderr.write(f"fake-wikimedia: {format % args} ua={agent!r}\n")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--port-file", help="write the bound port here once listening")
    parser.add_argument("--slow", type=float, default=3.0, help="delay for Slow_* articles (seconds)")
    args = parser.parse_args()

    server = ThreadingHTTPServer((args.host, args.port), Handler)
    server.slow = args.slow  # type: ignore[attr-defined]
    port = server.server_address[1]
    if args.port_file:
        with open(args.port_file + ".tmp", "w") as f:
            f.write(f"{port}\n")
        os.replace(args.port_file + ".tmp", args.port_file)
    sys.stderr.write(f"fake-wikimedia: listening on http://{args.host}:{port}\n")
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()


if __name__ == "__main__":
    main()
