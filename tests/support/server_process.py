"""The real server process (`pageviews serve`, granian) started as production starts it, its output kept in a
file, and raw-socket clients that behave as no well-mannered HTTP client would (stalling, leaving, malformed)."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.support.redis_server import free_port

START_TIMEOUT = 30.0
STOP_TIMEOUT = 15.0
USER_AGENT = "pageviews-process-tests/1.0 (https://example.org/pageviews; tests@example.org)"


def serve_command(*args: str) -> list[str]:
    return [sys.executable, "-m", "pageviews.adapters.inbound.cli", "serve", *args]


NO_MEDIAWIKI = "http://127.0.0.1:9/{host}/w/api.php"
"""A MediaWiki nobody answers at (port 9, discard): a test that gives none never reaches a real wiki."""


def environment(**settings: str) -> dict[str, str]:
    """This process's environment without any `PAGEVIEWS_*` of the machine's, plus `settings`."""
    kept = {key: value for key, value in os.environ.items() if not key.startswith("PAGEVIEWS_")}
    return kept | {"PAGEVIEWS_USER_AGENT": USER_AGENT, "PAGEVIEWS_MEDIAWIKI_URL": NO_MEDIAWIKI} | settings


class ServerProcess:
    def __init__(self, process: subprocess.Popen[bytes], port: int, log: Path) -> None:
        self.process = process
        self.port = port
        self.base_url = f"http://127.0.0.1:{port}"
        self.log = log

    def output(self) -> str:
        return self.log.read_text(errors="replace")

    def log_lines(self) -> list[dict[str, Any]]:
        """Every line the process wrote, each parsed as the JSON object it must be."""
        return [json.loads(line) for line in self.output().splitlines() if line.strip()]

    def wait_until_healthy(self) -> None:
        """Polls /health until it answers, the process dies, or START_TIMEOUT passes."""
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

    def connect(self) -> socket.socket:
        return socket.create_connection(("127.0.0.1", self.port), timeout=STOP_TIMEOUT)

    def terminate(self) -> tuple[int, float]:
        """SIGTERM; the exit code and the seconds it took to exit."""
        started = time.monotonic()
        self.process.send_signal(signal.SIGTERM)
        code = self.process.wait(timeout=STOP_TIMEOUT + 30)
        return code, time.monotonic() - started


@contextmanager
def running_server(
    log: Path, settings: Mapping[str, str], *, healthy: bool = True
) -> Iterator[ServerProcess]:
    """`pageviews serve` on a free loopback port with these `PAGEVIEWS_*` settings, killed (with anything it
    started) if the test did not stop it."""
    port = free_port()
    with log.open("wb") as output:
        process = subprocess.Popen(
            serve_command("--host", "127.0.0.1", "--port", str(port)),
            env=environment(**settings),
            stdout=output,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        server = ServerProcess(process, port, log)
        try:
            if healthy:
                server.wait_until_healthy()
            yield server
        finally:
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait(timeout=STOP_TIMEOUT)


def read_until_closed(connection: socket.socket) -> bytes:
    """Everything the server sends until it closes the connection (the socket's timeout bounds the wait)."""
    received = b""
    while chunk := connection.recv(65536):
        received += chunk
    return received


def status_and_body(raw: bytes) -> tuple[int, dict[str, str], bytes]:
    """The status, headers (lower-case names) and body of one raw HTTP/1.1 response."""
    head, _, body = raw.partition(b"\r\n\r\n")
    status_line, *header_lines = head.decode("latin-1").split("\r\n")
    headers = {}
    for line in header_lines:
        name, _, value = line.partition(": ")
        headers[name.lower()] = value
    return int(status_line.split()[1]), headers, body
