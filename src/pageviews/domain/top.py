"""A month's most viewed articles, as Wikimedia ranks them (human traffic only; ranks may tie)."""

from __future__ import annotations

import msgspec

from pageviews.domain.errors import InvalidLimit
from pageviews.domain.model import Access, Month, Project

MAX_TOP = 1000
DEFAULT_TOP = 100


class TopEntry(msgspec.Struct, frozen=True):
    rank: int
    article: str
    views: int


class TopArticles(msgspec.Struct, frozen=True):
    project: Project
    access: Access
    month: Month
    entries: tuple[TopEntry, ...]
    stale: bool = False


def check_limit(limit: int) -> int:
    if not 1 <= limit <= MAX_TOP:
        raise InvalidLimit(f"limit must be between 1 and {MAX_TOP}; got {limit}")
    return limit
