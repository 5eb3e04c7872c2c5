"""Serving a fake upstream's `handle(httpx.Request) -> httpx.Response` over real HTTP on a free loopback port,
so the service's own httpx client, connection pool and timeouts are what the tests exercise."""

from __future__ import annotations

import contextlib
import socket
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import httpx

Handle = Callable[[httpx.Request], httpx.Response]


@contextmanager
def serving(handle: Handle, delay_of: Callable[[str], float] = lambda path: 0.0) -> Iterator[int]:
    """Serve `handle` (GET and POST) until the block ends; yields the port. `delay_of(path)` seconds pass
    before a request is answered."""

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self._answer()

        def do_POST(self) -> None:
            self._answer()

        def _answer(self) -> None:
            length = int(self.headers.get("content-length") or 0)
            body = self.rfile.read(length) if length else b""
            # An absolute URL is a request to a forward proxy (`HTTP_PROXY`): the fake answers it as the host named.
            absolute = self.path.startswith("http://")
            request = httpx.Request(
                self.command,
                self.path if absolute else f"http://{self.headers['host']}{self.path}",
                headers=dict(self.headers),
                content=body,
            )
            delay = delay_of(self.path)
            if delay:
                threading.Event().wait(delay)
            response = handle(request)
            # A client that gave up waiting (a timeout test) has nobody left to answer.
            with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                self.send_response(response.status_code)
                for name, value in response.headers.items():
                    if name.lower() not in {"content-length", "transfer-encoding"}:
                        self.send_header(name, value)
                self.send_header("content-length", str(len(response.content)))
                self.end_headers()
                self.wfile.write(response.content)

        def log_message(self, format: str, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True)
    thread.start()
    try:
        yield server.server_address[1]
    finally:
        server.shutdown()
        server.server_close()


@contextmanager
def hanging() -> Iterator[int]:
    """A server on a free loopback port that accepts every connection and never answers (a hung upstream: the
    request is sent, no response ever comes) until the block ends, when its connections are closed; yields
    the port."""
    server = socket.create_server(("127.0.0.1", 0))
    server.settimeout(0.02)
    held: list[socket.socket] = []
    done = threading.Event()

    def accept() -> None:
        while not done.is_set():
            try:
                connection, _ = server.accept()
            except TimeoutError:
                continue
            held.append(connection)

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    try:
        yield server.getsockname()[1]
    finally:
        done.set()
        thread.join()
        for connection in held:
            connection.close()
        server.close()
