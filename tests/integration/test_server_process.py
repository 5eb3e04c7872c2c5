"""The real server process against clients that stall, leave or send malformed framing, over raw sockets: time
is bounded (a 408, or a closed connection), shutdown is never held past the drain timeout, and a client that
leaves is a disconnect in the log, never a 500. And what an operator sees at start: one line saying what is in
force, and a refusal when the port is taken."""

from __future__ import annotations

import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.support.http import PROBLEM
from tests.support.server_process import (
    NO_MEDIAWIKI,
    STOP_TIMEOUT,
    ServerProcess,
    environment,
    read_until_closed,
    running_server,
    serve_command,
    status_and_body,
)

pytestmark = pytest.mark.slow

UNREACHABLE = "http://127.0.0.1:9/api/rest_v1"
"""No upstream is needed: nothing here gets as far as asking Wikimedia."""

BATCH_HEAD = b"POST /v1/pageviews/batch HTTP/1.1\r\nHost: pageviews\r\nContent-Type: application/json\r\n"
SHORT_BODY = BATCH_HEAD + b'Content-Length: 1000\r\n\r\n{"project":1'
MALFORMED_CHUNK = BATCH_HEAD + b"Transfer-Encoding: chunked\r\n\r\nzz\r\nabc"
PARTIAL_HEADERS = b"GET /health HTTP/1.1\r\nHost: pageviews\r\n"


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    """One server for the tests that leave it running, with a one-second client timeout."""
    log = tmp_path_factory.mktemp("server") / "server.log"
    settings = {"PAGEVIEWS_WIKIMEDIA_URL": UNREACHABLE, "PAGEVIEWS_CLIENT_TIMEOUT": "1"}
    with running_server(log, settings) as server:
        yield server


def exchange(server: ServerProcess, raw: bytes) -> tuple[int, dict[str, str], bytes]:
    with server.connect() as connection:
        connection.sendall(raw)
        return status_and_body(read_until_closed(connection))


def wait_for_line(server: ServerProcess, event: str, request_id: object = None) -> dict[str, object]:
    """The first log line of `event` (of that request, when given): access lines are written within 50 ms."""
    deadline = time.monotonic() + STOP_TIMEOUT
    while time.monotonic() < deadline:
        for line in server.log_lines():
            if line["event"] == event and request_id in (None, line.get("request_id")):
                return line
        time.sleep(0.05)
    pytest.fail(f"no {event!r} line within {STOP_TIMEOUT} s:\n{server.output()}")


def test_a_body_that_does_not_arrive_in_time_is_a_408_problem_and_the_connection_is_closed(
    server: ServerProcess,
) -> None:
    status, headers, body = exchange(server, SHORT_BODY)
    assert (408, PROBLEM, "close") == (status, headers["content-type"], headers["connection"])
    assert b'"code":"request_timeout"' in body


def test_headers_that_do_not_arrive_in_time_get_the_connection_closed(server: ServerProcess) -> None:
    with server.connect() as connection:
        connection.sendall(PARTIAL_HEADERS)
        assert b"" == read_until_closed(connection)  # closed well before the socket's own timeout


def test_a_connection_that_sends_nothing_is_closed_after_the_client_timeout(server: ServerProcess) -> None:
    """No request ever starts on it, so only the server can end it: a worker takes a bounded number of
    connections at once, and ~1,100 silent ones held for ever made /health time out."""
    with server.connect() as connection:
        assert b"" == read_until_closed(connection)  # closed well before the socket's own timeout


def test_a_malformed_chunk_size_is_a_400_problem_not_a_500(server: ServerProcess) -> None:
    status, headers, body = exchange(server, MALFORMED_CHUNK)
    assert (400, PROBLEM) == (status, headers["content-type"])
    assert b'"code":"invalid_request"' in body


def test_a_client_that_leaves_mid_body_is_logged_as_a_disconnect_and_counted_as_no_500(
    server: ServerProcess,
) -> None:
    with server.connect() as connection:
        connection.sendall(SHORT_BODY)
    line = wait_for_line(server, "client disconnected before its request body was complete")
    wait_for_line(server, "request", line["request_id"])
    access = [entry for entry in server.log_lines() if entry.get("request_id") == line["request_id"]]
    metrics = httpx.get(f"{server.base_url}/metrics", timeout=10.0).text
    assert "info" == line["level"]
    assert "exception" not in line
    assert [400] == [entry["status"] for entry in access if entry["event"] == "request"]
    assert 'status="500"' not in metrics
    assert "Traceback" not in server.output()


@pytest.mark.parametrize(
    "stalled",
    [SHORT_BODY, MALFORMED_CHUNK, PARTIAL_HEADERS],
    ids=["content-length-not-sent", "malformed-chunk-size", "headers-not-finished"],
)
def test_a_stalled_client_never_holds_shutdown_past_the_drain_timeout(tmp_path: Path, stalled: bytes) -> None:
    """The client timeout is longer than the test may wait: only the drain timeout can end the wait."""
    settings = {
        "PAGEVIEWS_WIKIMEDIA_URL": UNREACHABLE,
        "PAGEVIEWS_CLIENT_TIMEOUT": "120",
        "PAGEVIEWS_DRAIN_TIMEOUT": "2",
    }
    with running_server(tmp_path / "server.log", settings) as server, server.connect() as connection:
        connection.sendall(stalled)
        time.sleep(0.2)  # let the server take the request in; the shutdown must not depend on it
        code, seconds = server.terminate()
    assert 0 == code
    assert seconds < STOP_TIMEOUT, f"SIGTERM took {seconds:.1f} s with a drain timeout of 2 s"


def test_the_server_starts_with_one_json_line_naming_upstream_cache_and_limits_without_passwords(
    tmp_path: Path,
) -> None:
    settings = {
        "PAGEVIEWS_WIKIMEDIA_URL": UNREACHABLE,
        "PAGEVIEWS_REDIS_URL": "redis://:s3cret@127.0.0.1:9/0",
        "PAGEVIEWS_RATE_LIMIT": "50/second",
    }
    with running_server(tmp_path / "server.log", settings) as server:
        starting = [line for line in server.log_lines() if line["event"] == "starting"]  # every line is JSON
        output = server.output()
    assert 1 == len(starting)
    line = starting[0]
    assert {"PAGEVIEWS_WIKIMEDIA_URL": UNREACHABLE, "PAGEVIEWS_MEDIAWIKI_URL": NO_MEDIAWIKI} == line[
        "upstreams"
    ]
    assert "redis redis://:***@127.0.0.1:9/0 behind memory" == line["cache"]["store"]
    assert line["limits"].items() >= {"rate_limit": "50/second", "upstream_concurrency": 3}.items()
    assert {"upstream_attempts", "upstream_deadline_s", "upstream_timeout_s", "client_timeout_s"} <= set(
        line["limits"]
    )
    assert "s3cret" not in output


def test_a_second_server_on_a_port_in_use_refuses_to_start_and_the_first_keeps_serving(
    server: ServerProcess,
) -> None:
    second = subprocess.run(
        serve_command("--host", "127.0.0.1", "--port", str(server.port)),
        env=environment(PAGEVIEWS_WIKIMEDIA_URL=UNREACHABLE),
        capture_output=True,
        text=True,
        timeout=STOP_TIMEOUT * 2,
        check=False,
    )
    assert 1 == second.returncode
    assert f"cannot serve on 127.0.0.1:{server.port}: the address is already in use" in second.stderr
    assert 200 == httpx.get(f"{server.base_url}/health", timeout=10.0).status_code
