"""The guard rails around every upstream request: at most `concurrency` requests in flight, a circuit breaker
that stops asking a failing upstream for a while, and retries with exponential backoff and jitter (or the
upstream's own `Retry-After`, up to a cap), all inside one deadline per call.

The breaker is written here rather than taken from a library: aiobreaker is unmaintained since 2021,
pybreaker's async support needs Tornado, circuitbreaker lets every concurrent call through when half-open and
reads the system clock, and purgatory brings a message bus and unit-of-work machinery. What is needed is ~40
lines: consecutive failures, one trial call when half-open, the remaining cool-down for `Retry-After`, and an
injectable timer so its tests do not sleep."""

from __future__ import annotations

import asyncio
import logging
import math
import time
from collections.abc import Awaitable, Callable, Iterator
from contextlib import AbstractAsyncContextManager, contextmanager, nullcontext
from functools import partial
from typing import TypeVar

from tenacity import AsyncRetrying, RetryCallState, stop_after_attempt, wait_exponential_jitter

from pageviews.domain.errors import CircuitOpen, PageviewsError, UpstreamTimeout

log = logging.getLogger(__name__)

T = TypeVar("T")


class Transient(Exception):
    """An attempt failed in a way that asking again may fix. `error` is what the caller sees if no retry helps;
    `retry_after` is the upstream's own hint in seconds (None: use the backoff)."""

    def __init__(self, error: PageviewsError, retry_after: float | None = None) -> None:
        super().__init__(error.detail)
        self.error = error
        self.retry_after = retry_after


class CircuitBreaker:
    """Closed, calls go through and consecutive `Transient` failures are counted; after `threshold` of them it
    opens and calls fail at once for `cool_down` seconds; then one trial call goes through (half-open): its
    success closes the circuit, its failure opens it again. Anything else that ends a call counts for nothing."""

    def __init__(self, threshold: int, cool_down: float, timer: Callable[[], float] = time.monotonic) -> None:
        self._threshold = threshold
        self._cool_down = cool_down
        self._timer = timer
        self._failures = 0
        self._opened_at: float | None = None
        self._trial = False

    @property
    def is_open(self) -> bool:
        return self._opened_at is not None

    @contextmanager
    def call(self) -> Iterator[None]:
        self._admit()
        try:
            yield
        except Transient:
            self._failed()
            raise
        except BaseException:
            self._trial = False
            raise
        self._succeeded()

    def _admit(self) -> None:
        if self._opened_at is None:
            return
        remaining = self._opened_at + self._cool_down - self._timer()
        if remaining > 0 or self._trial:
            raise CircuitOpen(
                f"Wikimedia failed {self._failures} times in a row; it is not asked again for a while",
                retry_after=max(1.0, math.ceil(remaining)),
            )
        self._trial = True

    def _failed(self) -> None:
        self._trial = False
        self._failures += 1
        if self._opened_at is not None or self._failures >= self._threshold:
            if self._opened_at is None:
                log.warning("circuit open: %d upstream failures in a row", self._failures)
            self._opened_at = self._timer()

    def _succeeded(self) -> None:
        if self._opened_at is not None:
            log.warning("circuit closed: the upstream answers again")
        self._failures = 0
        self._opened_at = None
        self._trial = False


class Resilience:
    def __init__(
        self,
        *,
        attempts: int = 3,
        deadline: float | None = 20.0,
        retry_after_cap: float = 5.0,
        backoff_initial: float = 0.2,
        backoff_max: float = 2.0,
        breaker: CircuitBreaker | None = None,
        concurrency: int | None = None,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        self._attempts = attempts
        self._deadline = deadline
        self._retry_after_cap = retry_after_cap
        self._backoff = wait_exponential_jitter(
            multiplier=backoff_initial, max=backoff_max, jitter=backoff_initial
        )
        self._breaker = breaker
        self._slots = asyncio.Semaphore(concurrency) if concurrency else None
        self._sleep = sleep

    async def call(self, attempt: Callable[[], Awaitable[T]]) -> T:
        """`attempt()`'s result; its last failure's `error` when no retry helps; `UpstreamTimeout` once the
        deadline has passed; `CircuitOpen` while the breaker is open."""
        loop = asyncio.get_running_loop()
        give_up_at = None if self._deadline is None else loop.time() + self._deadline
        retrying = AsyncRetrying(
            stop=stop_after_attempt(self._attempts),
            wait=self._wait,
            retry=partial(self._should_retry, give_up_at),
            before_sleep=_log_retry,
            sleep=self._sleep,
            reraise=True,
        )
        try:
            async with asyncio.timeout_at(give_up_at):
                return await retrying(self._once, attempt)
        except Transient as exc:
            raise exc.error from exc
        except TimeoutError as exc:
            raise UpstreamTimeout(f"Wikimedia did not answer within {self._deadline:g} s") from exc

    async def _once(self, attempt: Callable[[], Awaitable[T]]) -> T:
        breaker = self._breaker.call() if self._breaker else nullcontext()
        slot: AbstractAsyncContextManager[object] = self._slots or nullcontext()
        with breaker:
            async with slot:
                return await attempt()

    def _should_retry(self, give_up_at: float | None, state: RetryCallState) -> bool:
        failure = state.outcome.exception() if state.outcome else None
        if not isinstance(failure, Transient):
            return False
        if failure.retry_after is None:
            return True
        in_time = give_up_at is None or asyncio.get_running_loop().time() + failure.retry_after < give_up_at
        return failure.retry_after <= self._retry_after_cap and in_time

    def _wait(self, state: RetryCallState) -> float:
        failure = state.outcome.exception() if state.outcome else None
        if isinstance(failure, Transient) and failure.retry_after is not None:
            return failure.retry_after
        return self._backoff(state)


def _log_retry(state: RetryCallState) -> None:
    failure = state.outcome.exception() if state.outcome else None
    wait = state.next_action.sleep if state.next_action else 0.0
    log.warning("upstream attempt %d failed (%s); retrying in %.2f s", state.attempt_number, failure, wait)
