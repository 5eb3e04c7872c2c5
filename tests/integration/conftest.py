"""Fixtures of the tests that cross a boundary: the application over Litestar's TestClient, a real Redis."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from litestar import Litestar
from litestar.testing import TestClient

from tests.support.app import container_for, serve
from tests.support.fake_wikimedia import FakeWikimedia
from tests.support.redis_server import RedisServer, running_redis


@pytest.fixture
def client(fake: FakeWikimedia) -> Iterator[TestClient[Litestar]]:
    """The application wired like production (fixed clock, one attempt per upstream request), `fake` as
    Wikimedia, started and stopped around the test."""
    with serve(container_for(fake.transport())) as client:
        yield client


@pytest.fixture(scope="session")
def openapi() -> dict[str, Any]:
    """The OpenAPI document the application serves (the same for every test: it does not depend on data)."""
    with serve(container_for(FakeWikimedia().transport())) as client:
        response = client.get("/schema/openapi.json")
    assert response.status_code == 200
    document: dict[str, Any] = response.json()
    return document


@pytest.fixture
def redis_server() -> Iterator[RedisServer]:
    with running_redis() as server:
        yield server
