"""A month's most viewed articles, as Wikimedia ranks them (human traffic only; ranks may tie)."""

from __future__ import annotations

import re

import msgspec

from pageviews.domain.errors import InvalidLimit, InvalidRequest
from pageviews.domain.model import Access, Month, Project

MAX_TOP = 1000
DEFAULT_TOP = 100


class TopEntry(msgspec.Struct, frozen=True, gc=False):
    rank: int
    article: str
    views: int


class TopArticles(msgspec.Struct, frozen=True):
    project: Project
    access: Access
    month: Month
    entries: tuple[TopEntry, ...]
    stale: bool = False
    day: int | None = None
    """The day of `month` the list is of; None for the whole month's."""


_WHOLE_NUMBER = re.compile(r"0|-?[1-9][0-9]{0,6}")


def parse_limit(text: str) -> int:
    """A limit as a client writes it: a plain integer (not `1e3`, `1.0`, `+5`, `010` or `-0`)."""
    if not _WHOLE_NUMBER.fullmatch(text):
        raise InvalidRequest(
            f"limit must be a whole number from 1 to {MAX_TOP}, like {DEFAULT_TOP}; got {text!r}"
        )
    return check_limit(int(text))


def check_limit(limit: int) -> int:
    if not 1 <= limit <= MAX_TOP:
        raise InvalidLimit(f"limit must be between 1 and {MAX_TOP}; got {limit}")
    return limit
