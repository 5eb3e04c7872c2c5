"""A pause after a failure: a store that just failed is not asked again for a while, so a dead dependency costs
one timeout, not one per request. Shared by the adapters whose store is an optimisation (the Redis cache, the
rate limit's shared counts)."""

from __future__ import annotations

import time
from collections.abc import Callable


class Pause:
    def __init__(self, seconds: float, timer: Callable[[], float] = time.monotonic) -> None:
        self._seconds = seconds
        self._timer = timer
        self._until: float | None = None

    @property
    def active(self) -> bool:
        """Whether the store failed less than `seconds` ago, so it is not to be asked now."""
        return self._until is not None and self._timer() < self._until

    def failed(self) -> bool:
        """Starts (or extends) the pause; True when this failure starts an outage."""
        started = self._until is None
        self._until = self._timer() + self._seconds
        return started

    def succeeded(self) -> bool:
        """Ends the outage; True when there was one to end."""
        ended = self._until is not None
        self._until = None
        return ended
