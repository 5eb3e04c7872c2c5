"""Retries, the deadline, the outbound limit and the circuit breaker, with a fake timer and a fake sleep: what
is waited for is recorded, never waited."""

from __future__ import annotations

import asyncio
import contextlib

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pageviews.adapters.outbound.resilience import CircuitBreaker, Resilience, Transient, Trial
from pageviews.domain.errors import (
    CircuitOpen,
    NoData,
    UpstreamBusy,
    UpstreamError,
    UpstreamThrottled,
    UpstreamTimeout,
)
from tests.support.fakes import FakeSleep, FakeTimer


class Upstream:
    """Fails with each of `failures` in turn, then answers "ok"; counts its attempts."""

    def __init__(self, *failures: Exception) -> None:
        self.failures = list(failures)
        self.attempts = 0

    async def __call__(self) -> str:
        self.attempts += 1
        if self.failures:
            raise self.failures.pop(0)
        return "ok"


KEY = "per-article/en.wikipedia/all-access/user/Albert_Einstein/monthly/20231001/20231031"


def bad() -> Transient:
    return Transient(UpstreamError("Wikimedia answered 500"))


def throttled(retry_after: float) -> Transient:
    return Transient(UpstreamThrottled("throttled", retry_after=30), retry_after=retry_after)


async def test_a_transient_failure_is_retried() -> None:
    upstream = Upstream(bad(), bad())
    assert (await Resilience(attempts=3, sleep=FakeSleep()).call(KEY, upstream), upstream.attempts) == (
        "ok",
        3,
    )


async def test_attempts_are_bounded_and_the_last_failure_is_the_callers_error() -> None:
    upstream = Upstream(bad(), bad(), bad(), bad())
    with pytest.raises(UpstreamError):
        await Resilience(attempts=3, sleep=FakeSleep()).call(KEY, upstream)
    assert upstream.attempts == 3


async def test_an_answer_that_is_not_transient_is_not_retried() -> None:
    upstream = Upstream(NoData())
    with pytest.raises(NoData):
        await Resilience(attempts=3, sleep=FakeSleep()).call(KEY, upstream)
    assert upstream.attempts == 1


async def test_retry_after_is_waited_for_exactly() -> None:
    sleeps = FakeSleep()
    await Resilience(retry_after_cap=5, sleep=sleeps).call(KEY, Upstream(throttled(3)))
    assert sleeps.waits == [3]


async def test_a_retry_after_beyond_the_cap_is_not_waited_for() -> None:
    """The client gets the 503 and the upstream's Retry-After at once rather than a long wait."""
    upstream, sleeps = Upstream(throttled(6)), FakeSleep()
    with pytest.raises(UpstreamThrottled):
        await Resilience(retry_after_cap=5, sleep=sleeps).call(KEY, upstream)
    assert (upstream.attempts, sleeps.waits) == (1, [])


async def test_a_retry_after_beyond_the_deadline_is_not_waited_for() -> None:
    upstream = Upstream(throttled(4))
    with pytest.raises(UpstreamThrottled):
        await Resilience(retry_after_cap=5, deadline=3, sleep=FakeSleep()).call(KEY, upstream)
    assert upstream.attempts == 1


@given(initial=st.floats(0.01, 1), maximum=st.floats(1, 10))
async def test_backoff_grows_with_jitter_and_stays_under_its_maximum(initial: float, maximum: float) -> None:
    sleeps = FakeSleep()
    resilience = Resilience(attempts=6, backoff_initial=initial, backoff_max=maximum, sleep=sleeps)
    await resilience.call(KEY, Upstream(*(bad() for _ in range(5))))
    floors = [min(initial * 2**n, maximum) for n in range(5)]
    assert all(
        floor <= wait <= min(floor + initial, maximum)
        for floor, wait in zip(floors, sleeps.waits, strict=True)
    )


async def test_the_deadline_bounds_the_whole_call() -> None:
    async def hangs() -> str:
        await asyncio.Event().wait()
        return "never"

    with pytest.raises(UpstreamTimeout):
        await Resilience(deadline=0.01).call(KEY, hangs)


async def test_no_more_than_the_limit_of_requests_are_in_flight() -> None:
    in_flight, most = 0, 0
    release = asyncio.Event()

    async def upstream() -> str:
        nonlocal in_flight, most
        in_flight += 1
        most = max(most, in_flight)
        await release.wait()
        in_flight -= 1
        return "ok"

    resilience = Resilience(concurrency=3)
    calls = [asyncio.create_task(resilience.call(KEY, upstream)) for _ in range(20)]
    for _ in range(5):
        await asyncio.sleep(0)
    release.set()
    await asyncio.gather(*calls)
    assert most == 3


async def test_the_wait_for_an_upstream_slot_is_bounded() -> None:
    """Slow answers to other requests cannot hold this one for longer than the queue timeout."""
    release = asyncio.Event()

    async def slow() -> str:
        await release.wait()
        return "slow"

    resilience = Resilience(concurrency=1, queue_timeout=0.01)
    held = asyncio.create_task(resilience.call("slow", slow))
    await asyncio.sleep(0)
    with pytest.raises(UpstreamBusy) as busy:
        await resilience.call(KEY, Upstream())
    release.set()
    assert (await held, busy.value.retry_after) == ("slow", 1)


async def test_the_wait_for_a_slot_is_part_of_the_deadline() -> None:
    release = asyncio.Event()

    async def stubborn() -> str:
        """Holds its slot past its own deadline (it ignores being cancelled), so the slot stays taken
        however slowly this machine runs the two calls."""
        while not release.is_set():
            with contextlib.suppress(asyncio.CancelledError):
                await release.wait()
        return "slow"

    resilience = Resilience(concurrency=1, queue_timeout=60, deadline=0.01)
    held = asyncio.create_task(resilience.call("slow", stubborn))
    await asyncio.sleep(0)
    with pytest.raises(UpstreamTimeout):
        await resilience.call(KEY, Upstream())
    release.set()
    with contextlib.suppress(UpstreamTimeout):
        await held


# -- the circuit breaker -------------------------------------------------------------------------------------


def breaker(timer: FakeTimer | None = None, *, window: int = 20, minimum_calls: int = 10) -> CircuitBreaker:
    return CircuitBreaker(
        window=window, minimum_calls=minimum_calls, failure_rate=0.5, cool_down=30, timer=timer or FakeTimer()
    )


def outcomes(circuit: CircuitBreaker, failures: int, successes: int = 0, prefix: str = "title") -> None:
    """`failures` then `successes` distinct requests, each admitted and recorded."""
    for n in range(failures + successes):
        trial = circuit.admit()
        circuit.record(f"{prefix}-{n}", failed=n < failures, trial=trial)


def test_two_failing_requests_in_a_row_never_open_it() -> None:
    circuit = breaker()
    outcomes(circuit, failures=2)
    assert not circuit.is_open


def test_one_request_failing_again_and_again_counts_once() -> None:
    """A poison title asked a thousand times is one failure among the recent distinct requests."""
    circuit = breaker()
    outcomes(circuit, failures=0, successes=9)
    for _ in range(1000):
        trial = circuit.admit()
        circuit.record("poison", failed=True, trial=trial)
    assert not circuit.is_open


def test_sustained_failure_opens_it_and_says_for_how_long() -> None:
    circuit = breaker()
    outcomes(circuit, failures=10)
    with pytest.raises(CircuitOpen) as opened:
        circuit.admit()
    assert (circuit.is_open, opened.value.retry_after) == (True, 30)


@pytest.mark.parametrize(("failures", "successes", "opens"), [(4, 6, False), (5, 5, True), (9, 0, False)])
def test_it_opens_at_the_failure_rate_once_it_has_the_minimum_of_calls(
    failures: int, successes: int, opens: bool
) -> None:
    circuit = breaker()
    outcomes(circuit, failures, successes)
    assert circuit.is_open is opens


def test_only_the_most_recent_requests_count() -> None:
    circuit = breaker(window=10, minimum_calls=10)
    outcomes(circuit, failures=4, prefix="old")
    outcomes(circuit, failures=0, successes=10, prefix="new")
    outcomes(circuit, failures=4, prefix="newer")
    assert not circuit.is_open


@given(outcome=st.lists(st.tuples(st.integers(0, 30), st.booleans()), max_size=200))
def test_it_opens_exactly_when_half_of_the_recent_distinct_requests_failed(
    outcome: list[tuple[int, bool]],
) -> None:
    circuit = breaker(window=20, minimum_calls=10)
    latest: dict[int, bool] = {}
    opened = False
    for key, failed in outcome:
        trial = circuit.admit()
        circuit.record(str(key), failed=failed, trial=trial)
        latest.pop(key, None)
        latest[key] = failed
        recent = list(latest.values())[-20:]
        opened = len(recent) >= 10 and sum(recent) >= len(recent) / 2
        if opened:
            break
    assert circuit.is_open is opened


def test_the_open_circuit_tells_how_long_is_left() -> None:
    timer = FakeTimer(1000.0)
    circuit = breaker(timer)
    outcomes(circuit, failures=10)
    timer.now += 20
    with pytest.raises(CircuitOpen) as opened:
        circuit.admit()
    assert opened.value.retry_after == 10


def test_after_the_cool_down_a_successful_trial_closes_it_and_forgets_the_failures() -> None:
    timer = FakeTimer(1000.0)
    circuit = breaker(timer)
    outcomes(circuit, failures=10)
    timer.now += 30
    circuit.record("trial", failed=False, trial=circuit.admit())
    outcomes(circuit, failures=4, successes=6)
    assert not circuit.is_open


def test_a_failed_trial_opens_it_for_another_cool_down() -> None:
    timer = FakeTimer(1000.0)
    circuit = breaker(timer)
    outcomes(circuit, failures=10)
    timer.now += 30
    circuit.record("trial", failed=True, trial=circuit.admit())
    timer.now += 29
    with pytest.raises(CircuitOpen):
        circuit.admit()


def test_only_one_trial_goes_through_at_a_time() -> None:
    timer = FakeTimer(1000.0)
    circuit = breaker(timer)
    outcomes(circuit, failures=10)
    timer.now += 30
    circuit.admit()
    with pytest.raises(CircuitOpen):
        circuit.admit()


def test_a_trial_whose_client_left_lets_the_next_one_through() -> None:
    timer = FakeTimer(1000.0)
    circuit = breaker(timer)
    outcomes(circuit, failures=10)
    timer.now += 30
    circuit.abandon(circuit.admit())
    circuit.admit()


def half_open_with_an_older_call_in_flight(timer: FakeTimer) -> tuple[CircuitBreaker, Trial | None, Trial]:
    """A circuit whose cool-down has passed, its trial admitted, and a call admitted before it opened."""
    circuit = breaker(timer)
    older = circuit.admit()
    outcomes(circuit, failures=10)
    timer.now += 30
    trial = circuit.admit()
    assert trial is not None
    return circuit, older, trial


def test_an_older_calls_success_during_the_trial_does_not_close_it() -> None:
    circuit, older, _trial = half_open_with_an_older_call_in_flight(FakeTimer(1000.0))
    circuit.record("older", failed=False, trial=older)
    with pytest.raises(CircuitOpen):
        circuit.admit()
    assert circuit.is_open


def test_the_trials_failure_opens_it_again_whatever_an_older_call_said() -> None:
    timer = FakeTimer(1000.0)
    circuit, older, trial = half_open_with_an_older_call_in_flight(timer)
    circuit.record("older", failed=False, trial=older)
    circuit.record("trial", failed=True, trial=trial)
    timer.now += 29
    with pytest.raises(CircuitOpen):
        circuit.admit()


def test_an_older_call_whose_client_left_does_not_let_a_second_trial_through() -> None:
    circuit, older, _trial = half_open_with_an_older_call_in_flight(FakeTimer(1000.0))
    circuit.abandon(older)
    with pytest.raises(CircuitOpen):
        circuit.admit()


def test_the_trials_success_closes_it_whatever_an_older_call_said() -> None:
    circuit, older, trial = half_open_with_an_older_call_in_flight(FakeTimer(1000.0))
    circuit.record("older", failed=True, trial=older)
    circuit.record("trial", failed=False, trial=trial)
    assert not circuit.is_open


async def test_a_request_counts_once_however_many_attempts_it_made() -> None:
    circuit = breaker(minimum_calls=2, window=2)
    resilience = Resilience(attempts=3, breaker=circuit, sleep=FakeSleep())
    with pytest.raises(UpstreamError):
        await resilience.call(KEY, Upstream(bad(), bad(), bad()))
    assert not circuit.is_open


async def test_a_request_that_runs_out_of_time_is_a_failure() -> None:
    async def hangs() -> str:
        await asyncio.Event().wait()
        return "never"

    circuit = breaker(minimum_calls=1, window=1)
    with pytest.raises(UpstreamTimeout):
        await Resilience(deadline=0.01, breaker=circuit).call(KEY, hangs)
    assert circuit.is_open


async def test_an_answer_is_a_success_whatever_it_says() -> None:
    """Only transient failures count: an answer about one title (here: no data) is the upstream answering."""
    circuit = breaker(minimum_calls=1, window=1)
    with pytest.raises(NoData):
        await Resilience(breaker=circuit).call(KEY, Upstream(NoData()))
    await Resilience(breaker=circuit).call(KEY, Upstream())
    assert not circuit.is_open


async def test_an_open_circuit_is_not_retried_and_does_not_ask_upstream() -> None:
    circuit = breaker(minimum_calls=1, window=1)
    resilience = Resilience(attempts=5, breaker=circuit, sleep=FakeSleep())
    first, second = Upstream(*(bad() for _ in range(10))), Upstream()
    with pytest.raises(UpstreamError):
        await resilience.call(KEY, first)
    with pytest.raises(CircuitOpen):
        await resilience.call(KEY, second)
    assert (first.attempts, second.attempts) == (5, 0)
