"""The access log: one JSON object per request and line, like every other log line, written in batches."""

from __future__ import annotations

import asyncio
import datetime as dt
import io
import json
import re
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from pageviews.observability.access_log import AccessLog

ROUTE = "/monthly_view_count/{path}"


def lines(written: io.BytesIO) -> list[dict[str, Any]]:
    return [json.loads(line) for line in written.getvalue().splitlines()]


def test_a_line_is_the_log_object_with_the_requests_fields() -> None:
    written = io.BytesIO()
    log = AccessLog(written)
    log.request("req-1", "GET", ROUTE, "/monthly_view_count/A/2023/10", 200, 0.0012346)
    (line,) = lines(written)
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z", line.pop("timestamp")) is not None
    assert line == {
        "event": "request",
        "level": "info",
        "logger": "pageviews.access",
        "request_id": "req-1",
        "method": "GET",
        "route": ROUTE,
        "path": "/monthly_view_count/A/2023/10",
        "status": 200,
        "duration_ms": 1.235,
    }


def test_the_timestamp_is_the_instant_of_logging_to_the_microsecond() -> None:
    written = io.BytesIO()
    log = AccessLog(written)
    before = dt.datetime.now(dt.UTC).replace(microsecond=0)
    log.request("req-1", "GET", ROUTE, "/", 200, 0.001)
    after = dt.datetime.now(dt.UTC)
    (line,) = lines(written)
    logged = dt.datetime.strptime(line["timestamp"], "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=dt.UTC)
    assert before <= logged <= after


def test_the_timestamp_is_in_utc_to_the_microsecond_zero_padded() -> None:
    written = io.BytesIO()
    at = dt.datetime(2026, 11, 28, 10, 0, 5, 42, tzinfo=dt.UTC)
    log = AccessLog(written, time_ns=lambda: int(at.timestamp()) * 10**9 + 42_999)
    log.request("req-1", "GET", ROUTE, "/", 200, 0.001)
    (line,) = lines(written)
    assert line["timestamp"] == "2026-11-28T10:00:05.000042Z"


@given(st.text(), st.floats(min_value=0, max_value=3600))
def test_any_path_comes_back_from_the_line_and_the_duration_to_a_microsecond(
    path: str, seconds: float
) -> None:
    written = io.BytesIO()
    AccessLog(written).request("req-1", "GET", "unmatched", path, 404, seconds)
    (line,) = lines(written)
    assert line["path"] == path
    assert abs(line["duration_ms"] - seconds * 1000) <= 0.0005 + 1e-9 * seconds * 1000  # 3 places


def test_lines_wait_for_the_interval_while_a_loop_runs() -> None:
    async def log_twice() -> tuple[int, int]:
        written = io.BytesIO()
        log = AccessLog(written, interval=0.05)
        log.request("req-1", "GET", ROUTE, "/", 200, 0.001)
        log.request("req-2", "GET", ROUTE, "/", 200, 0.001)
        waiting = len(lines(written))
        await asyncio.sleep(0.2)
        return waiting, len(lines(written))

    assert asyncio.run(log_twice()) == (0, 2)


def test_lines_are_written_at_once_when_the_buffer_is_full() -> None:
    async def log_past_the_limit() -> int:
        written = io.BytesIO()
        log = AccessLog(written, interval=60, limit=1000)
        for n in range(10):
            log.request(f"req-{n}", "GET", ROUTE, "/" + "x" * 100, 200, 0.001)
        return len(lines(written))

    assert 5 <= asyncio.run(log_past_the_limit()) < 10
