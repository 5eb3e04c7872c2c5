"""The real server process (`pageviews serve`, granian) in front of a fake Wikimedia on loopback: the whole
path a request travels in production, over real sockets, and a clean exit on SIGTERM."""

from __future__ import annotations

import datetime as dt
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.support.fake_wikimedia import PREFIX, FakeWikimedia

pytestmark = pytest.mark.slow

USER_AGENT = "pageviews-e2e/1.0 (https://example.org/pageviews; e2e@example.org)"
START_TIMEOUT = 30.0
STOP_TIMEOUT = 15.0


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


class Server:
    def __init__(self, process: subprocess.Popen[bytes], base_url: str, log: Path) -> None:
        self.process = process
        self.base_url = base_url
        self.log = log

    def output(self) -> str:
        return self.log.read_text(errors="replace")

    def wait_until_healthy(self) -> None:
        """Polls /health until it answers, the process dies, or START_TIMEOUT passes (bounded, never a sleep
        that a slow machine could outgrow)."""
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                pytest.fail(f"the server exited with {self.process.returncode}:\n{self.output()}")
            try:
                if httpx.get(f"{self.base_url}/health", timeout=1.0).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            time.sleep(0.1)
        pytest.fail(f"the server did not become healthy within {START_TIMEOUT} s:\n{self.output()}")


@pytest.fixture(autouse=True)
def seeded(fake: FakeWikimedia) -> None:
    fake.add_month("AC/DC", dt.date(2023, 10, 1), 123456)


@pytest.fixture
def server(fake: FakeWikimedia, tmp_path: Path) -> Iterator[Server]:
    port = free_port()
    log = tmp_path / "server.log"
    with fake.serve() as wikimedia_url, log.open("wb") as output:
        environment = {
            key: value for key, value in os.environ.items() if not key.startswith("PAGEVIEWS_")
        } | {
            "PAGEVIEWS_WIKIMEDIA_URL": wikimedia_url,
            "PAGEVIEWS_USER_AGENT": USER_AGENT,
            "PAGEVIEWS_LOG_LEVEL": "warning",
        }
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "pageviews.adapters.inbound.cli",
                "serve",
                "--host",
                "127.0.0.1",
                "--port",
                str(port),
            ],
            env=environment,
            stdout=output,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        try:
            yield Server(process, f"http://127.0.0.1:{port}", log)
        finally:
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait(timeout=STOP_TIMEOUT)


def test_the_real_server_answers_over_http_asks_wikimedia_once_and_stops_cleanly(
    server: Server, fake: FakeWikimedia
) -> None:
    server.wait_until_healthy()
    response = httpx.get(f"{server.base_url}/monthly_view_count/AC%2FDC/2023/10", timeout=10.0)
    body = response.json()
    assert (
        response.status_code,
        body["article"],
        body["views"],
        body["complete"],
    ) == (200, "AC/DC", 123456, True)
    expected_path = f"{PREFIX}per-article/en.wikipedia/all-access/user/AC%2FDC/monthly/20231001/20231031"
    assert ([expected_path], USER_AGENT) == (fake.raw_paths, fake.requests[0].headers["user-agent"])

    server.process.send_signal(signal.SIGTERM)
    assert server.process.wait(timeout=STOP_TIMEOUT) == 0
    assert "Traceback" not in server.output()


def test_the_real_server_decodes_a_title_exactly_once(server: Server, fake: FakeWikimedia) -> None:
    server.wait_until_healthy()
    raw = httpx.get(f"{server.base_url}/monthly_view_count/AC/DC/2023/10", timeout=10.0)
    twice_encoded = httpx.get(f"{server.base_url}/monthly_view_count/%2541/2023/10", timeout=10.0)
    assert (raw.status_code, raw.json()["views"]) == (200, 123456)
    assert (twice_encoded.status_code, twice_encoded.json()["code"]) == (400, "invalid_title")
    assert len(fake.requests) == 1


def test_the_real_server_mirrors_wikimedia_with_an_encoded_slash_and_refuses_a_raw_one(
    server: Server, fake: FakeWikimedia
) -> None:
    server.wait_until_healthy()
    mirror = f"{server.base_url}/api/rest_v1/metrics/pageviews/per-article/en.wikipedia/all-access/user"
    encoded = httpx.get(f"{mirror}/AC%2FDC/monthly/20231001/20231031", timeout=10.0)
    raw = httpx.get(f"{mirror}/AC/DC/monthly/20231001/20231031", timeout=10.0)
    assert (
        encoded.status_code,
        encoded.json()["items"][0]["article"],
        encoded.json()["items"][0]["views"],
    ) == (
        200,
        "AC/DC",
        123456,
    )
    assert (raw.status_code, raw.json()["detail"]) == (404, "invalid route")
    assert len(fake.requests) == 1
