"""The guard rails around every upstream request: at most `concurrency` requests in flight (a bounded wait for
a slot), a circuit breaker that stops asking a sick upstream for a while, and retries with exponential backoff
and jitter (or the upstream's own `Retry-After`, up to a cap), all inside one deadline per client request.

The breaker is written here rather than taken from a library: aiobreaker is unmaintained since 2021,
pybreaker's async support needs Tornado and it counts consecutive failures, circuitbreaker lets every
concurrent call through when half-open and reads the system clock, and purgatory brings a message bus and
unit-of-work machinery. None keeps a failure rate over recent distinct requests, which is what tells a sick
upstream from one bad title; that is ~60 lines, with an injectable timer so its tests do not sleep."""

from __future__ import annotations

import asyncio
import logging
import math
import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from functools import partial
from typing import TypeVar

from tenacity import AsyncRetrying, RetryCallState, stop_after_attempt, wait_exponential_jitter

from pageviews.domain.errors import CircuitOpen, PageviewsError, UpstreamBusy, UpstreamTimeout

log = logging.getLogger(__name__)

T = TypeVar("T")


class Transient(Exception):
    """An attempt failed in a way that asking again may fix. `error` is what the caller sees if no retry helps;
    `retry_after` is the upstream's own hint in seconds (None: use the backoff)."""

    def __init__(self, error: PageviewsError, retry_after: float | None = None) -> None:
        super().__init__(error.detail)
        self.error = error
        self.retry_after = retry_after


class Trial:
    """The one call let through a half-open circuit: only its own outcome decides whether the circuit closes."""

    __slots__ = ()


class CircuitBreaker:
    """Opens on the failure rate of recent client requests, in the model of resilience4j's count-based
    sliding window.

    What counts: one client request is one outcome, however many attempts it made. It failed when its last
    attempt failed in a way that asking again might fix (a timeout, a connection error, a 429 or a 5xx) or
    when its deadline passed; any other answer (data, "no data", a 4xx about the request) is a success, since
    the upstream answered. The window remembers the last `window` *distinct* subjects (what each request was
    about, as its caller names it: a title, not its months) by their latest outcome, so one title asked again
    and again, for any months, counts once: a poison title cannot open the circuit for everybody.

    Once `minimum_calls` requests are remembered and the share of failures among them reaches `failure_rate`,
    the circuit opens: calls fail at once for `cool_down` seconds. Then one trial call goes through
    (half-open): its success closes the circuit and forgets the window, its failure opens it again. The verdict
    is the trial's own: a call admitted earlier that ends meanwhile only updates the window."""

    def __init__(
        self,
        *,
        upstream: str = "the upstream",
        window: int = 20,
        minimum_calls: int = 10,
        failure_rate: float = 0.5,
        cool_down: float = 30.0,
        timer: Callable[[], float] = time.monotonic,
    ) -> None:
        self._upstream = upstream
        self._window = window
        self._minimum_calls = minimum_calls
        self._failure_rate = failure_rate
        self._cool_down = cool_down
        self._timer = timer
        self._outcomes: OrderedDict[str, bool] = OrderedDict()
        """Request key -> whether its latest outcome was a failure, oldest first."""
        self._opened_at: float | None = None
        self._trial: Trial | None = None

    @property
    def is_open(self) -> bool:
        return self._opened_at is not None

    def admit(self) -> Trial | None:
        """Lets a call through, or raises `CircuitOpen`. When half-open only the one trial call passes: it gets
        its `Trial`, to hand back to `record` or `abandon` (any other call gets None)."""
        if self._opened_at is None:
            return None
        remaining = self._opened_at + self._cool_down - self._timer()
        if remaining > 0 or self._trial is not None:
            raise CircuitOpen(
                f"{self._upstream} failed too many of the recent requests; it is not asked again for a while",
                retry_after=max(1.0, math.ceil(remaining)),
            )
        self._trial = Trial()
        return self._trial

    def record(self, key: str, *, failed: bool, trial: Trial | None) -> None:
        """The outcome of an admitted call about `key`, the subject the caller names (its title, say: never the
        period, so that one subject asked many ways is one outcome); `trial` is what `admit` gave the call."""
        if trial is not None:
            if trial is self._trial:
                self._judge(failed=failed)
            return
        self._outcomes.pop(key, None)
        self._outcomes[key] = failed
        while len(self._outcomes) > self._window:
            self._outcomes.popitem(last=False)
        if self._opened_at is None and self._is_sick():
            log.warning(
                "circuit open: %d of the last %d requests failed", self._failures(), len(self._outcomes)
            )
            self._opened_at = self._timer()

    def abandon(self, trial: Trial | None) -> None:
        """An admitted call ended without a verdict (its client left, the service shut down): when it was the
        trial, the next call may be one."""
        if trial is not None and trial is self._trial:
            self._trial = None

    def _judge(self, *, failed: bool) -> None:
        """The trial's verdict: closed (and the window forgotten) on its success, open again on its failure."""
        self._trial = None
        if failed:
            self._opened_at = self._timer()
            return
        log.warning("circuit closed: the upstream answers again")
        self._opened_at = None
        self._outcomes.clear()

    def _failures(self) -> int:
        return sum(self._outcomes.values())

    def _is_sick(self) -> bool:
        calls = len(self._outcomes)
        return calls >= self._minimum_calls and self._failures() >= self._failure_rate * calls


class Resilience:
    def __init__(
        self,
        *,
        upstream: str = "the upstream",
        attempts: int = 3,
        deadline: float | None = 20.0,
        retry_after_cap: float = 5.0,
        backoff_initial: float = 0.2,
        backoff_max: float = 2.0,
        breaker: CircuitBreaker | None = None,
        concurrency: int | None = None,
        queue_timeout: float | None = None,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        self._upstream = upstream
        self._attempts = attempts
        self._deadline = deadline
        self._retry_after_cap = retry_after_cap
        self._backoff = wait_exponential_jitter(
            multiplier=backoff_initial, max=backoff_max, jitter=backoff_initial
        )
        self._breaker = breaker
        self._concurrency = concurrency
        self._slots = asyncio.Semaphore(concurrency) if concurrency else None
        self._queue_timeout = queue_timeout
        self._sleep = sleep

    async def call(self, key: str, attempt: Callable[[], Awaitable[T]]) -> T:
        """`attempt()`'s result for a request about `key` (the breaker's subject); its last failure's `error`
        when no retry helps; `UpstreamTimeout` once the deadline has passed; `UpstreamBusy` when no slot came
        free in time; `CircuitOpen` while the breaker is open."""
        breaker = self._breaker
        trial = None if breaker is None else breaker.admit()
        try:
            result = await self._attempted(attempt)
        except Transient as exc:
            if breaker is not None:
                breaker.record(key, failed=True, trial=trial)
            raise exc.error from exc
        except UpstreamTimeout:
            if breaker is not None:
                breaker.record(key, failed=True, trial=trial)
            raise
        except BaseException:
            if breaker is not None:
                breaker.abandon(trial)
            raise
        if breaker is not None:
            breaker.record(key, failed=False, trial=trial)
        return result

    async def _attempted(self, attempt: Callable[[], Awaitable[T]]) -> T:
        loop = asyncio.get_running_loop()
        give_up_at = None if self._deadline is None else loop.time() + self._deadline
        try:
            async with asyncio.timeout_at(give_up_at):
                try:
                    # Most calls succeed at once: the first attempt is made without tenacity's bookkeeping.
                    return await self._once(attempt)
                except Transient as failure:
                    if self._attempts == 1:
                        raise
                    return await self._retried(attempt, failure, give_up_at)
        except TimeoutError as exc:
            raise UpstreamTimeout(f"{self._upstream} did not answer within {self._deadline:g} s") from exc

    async def _retried(
        self, attempt: Callable[[], Awaitable[T]], first: Transient, give_up_at: float | None
    ) -> T:
        """The attempts after a first that failed: tenacity is handed that failure as its own first attempt, so
        whether to retry, the waits and the log lines are what they would have been had it made it."""
        failed = [first]

        async def replaying_the_first() -> T:
            if failed:
                raise failed.pop()
            return await self._once(attempt)

        retrying = AsyncRetrying(
            stop=stop_after_attempt(self._attempts),
            wait=self._wait,
            retry=partial(self._should_retry, give_up_at),
            before_sleep=_log_retry,
            sleep=self._sleep,
            reraise=True,
        )
        return await retrying(replaying_the_first)

    async def _once(self, attempt: Callable[[], Awaitable[T]]) -> T:
        slots = self._slots
        if slots is None:
            return await attempt()
        if slots.locked():  # only then is there a wait to bound (a free slot is taken without one)
            try:
                async with asyncio.timeout(self._queue_timeout):
                    await slots.acquire()
            except TimeoutError:
                raise UpstreamBusy(
                    f"all {self._concurrency} slots for {self._upstream} stayed busy for {self._queue_timeout:g} s",
                    retry_after=1,
                ) from None
        else:
            await slots.acquire()
        try:
            return await attempt()
        finally:
            slots.release()

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
