"""The real server process, as an operator meets it: one start-up line saying what is in force, and a refusal
when the port is taken."""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.support.server_process import (
    STOP_TIMEOUT,
    ServerProcess,
    environment,
    running_server,
    serve_command,
)

pytestmark = pytest.mark.slow

UNREACHABLE = "http://127.0.0.1:9/api/rest_v1"
"""No upstream is needed: nothing here gets as far as asking Wikimedia."""


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    """One server for the tests that leave it running."""
    log = tmp_path_factory.mktemp("server") / "server.log"
    settings = {"PAGEVIEWS_WIKIMEDIA_URL": UNREACHABLE}
    with running_server(log, settings) as server:
        yield server


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
    assert {"PAGEVIEWS_WIKIMEDIA_URL": UNREACHABLE} == line["upstreams"]
    assert "redis redis://:***@127.0.0.1:9/0 behind memory" == line["cache"]["store"]
    assert line["limits"].items() >= {"rate_limit": "50/second", "upstream_concurrency": 3}.items()
    assert {"upstream_attempts", "upstream_deadline_s", "upstream_timeout_s"} <= set(line["limits"])
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
