"""The application served over real HTTP on loopback from a thread (uvicorn), in front of a fake Wikimedia
that is itself served over HTTP: what a client library installed from PyPI talks to, without a process to
start (the real server process is tested in tests/integration/test_end_to_end.py)."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

import httpx
import uvicorn

from pageviews.containers import build_app
from tests.support.app import container_for, settings_from_env
from tests.support.fake_wikimedia import FakeWikimedia
from tests.support.redis_server import free_port

START_TIMEOUT = 10.0


@contextmanager
def live_service(fake: FakeWikimedia) -> Iterator[tuple[str, str]]:
    """Yields the base URLs (`.../api/rest_v1`) of the fake Wikimedia and of the service in front of it."""
    with fake.serve() as wikimedia_url:
        settings = settings_from_env(PAGEVIEWS_WIKIMEDIA_URL=wikimedia_url, PAGEVIEWS_LOG_LEVEL="WARNING")
        app = build_app(container_for(httpx.AsyncHTTPTransport(), settings=settings))
        port = free_port()
        config = uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="on")
        server = uvicorn.Server(config)
        thread = threading.Thread(target=server.run, daemon=True)
        thread.start()
        deadline = time.monotonic() + START_TIMEOUT
        while not server.started:
            if time.monotonic() > deadline or not thread.is_alive():
                raise RuntimeError("the service did not start")
            time.sleep(0.01)
        try:
            yield wikimedia_url, f"http://127.0.0.1:{port}/api/rest_v1"
        finally:
            server.should_exit = True
            thread.join(timeout=START_TIMEOUT)
