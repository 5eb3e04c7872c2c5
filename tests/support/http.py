"""What every HTTP test checks the same way: a problem, a JSON answer, a CSV answer."""

from __future__ import annotations

import csv
import io
from typing import Any

import httpx

PROBLEM = "application/problem+json"
PROBLEM_KEYS = {"type", "title", "status", "detail", "code"}


def assert_problem(response: httpx.Response, status: int, code: str) -> dict[str, Any]:
    """An RFC 9457 problem with this status and stable code, its `type` made from the code, a title and a
    detail; returns its body."""
    assert (status, PROBLEM) == (response.status_code, response.headers["content-type"])
    body: dict[str, Any] = response.json()
    assert body.keys() >= PROBLEM_KEYS
    assert (status, code, f"urn:pageviews:problem:{code}") == (body["status"], body["code"], body["type"])
    assert isinstance(body["title"], str)
    assert isinstance(body["detail"], str)
    assert body["detail"]
    return body


def json_of(response: httpx.Response) -> Any:
    """The body of a 200 JSON answer."""
    expected = (200, "application/json")
    assert expected == (response.status_code, response.headers["content-type"])
    return response.json()


def rows_of(response: httpx.Response) -> list[list[str]]:
    return list(csv.reader(io.StringIO(response.text)))
