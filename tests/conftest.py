"""Fixtures every kind of test shares."""

from __future__ import annotations

import pytest

from tests.support.fake_wikimedia import FakeWikimedia


@pytest.fixture
def fake() -> FakeWikimedia:
    """A fake Wikimedia with no data yet; a module seeds what its tests read."""
    return FakeWikimedia()
