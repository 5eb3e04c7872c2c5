"""Retries, the deadline, the outbound limit and the circuit breaker, with a fake timer and a fake sleep: what
is waited for is recorded, never waited."""

from __future__ import annotations

import asyncio

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pageviews.adapters.outbound.resilience import CircuitBreaker, Resilience, Transient
from pageviews.domain.errors import CircuitOpen, NoData, UpstreamError, UpstreamThrottled, UpstreamTimeout
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


def bad() -> Transient:
    return Transient(UpstreamError("Wikimedia answered 500"))


def throttled(retry_after: float) -> Transient:
    return Transient(UpstreamThrottled("throttled", retry_after=30), retry_after=retry_after)


async def test_a_transient_failure_is_retried() -> None:
    upstream = Upstream(bad(), bad())
    assert (await Resilience(attempts=3, sleep=FakeSleep()).call(upstream), upstream.attempts) == ("ok", 3)


async def test_attempts_are_bounded_and_the_last_failure_is_the_callers_error() -> None:
    upstream = Upstream(bad(), bad(), bad(), bad())
    with pytest.raises(UpstreamError):
        await Resilience(attempts=3, sleep=FakeSleep()).call(upstream)
    assert upstream.attempts == 3


async def test_an_answer_that_is_not_transient_is_not_retried() -> None:
    upstream = Upstream(NoData())
    with pytest.raises(NoData):
        await Resilience(attempts=3, sleep=FakeSleep()).call(upstream)
    assert upstream.attempts == 1


async def test_retry_after_is_waited_for_exactly() -> None:
    sleeps = FakeSleep()
    await Resilience(retry_after_cap=5, sleep=sleeps).call(Upstream(throttled(3)))
    assert sleeps.waits == [3]


async def test_a_retry_after_beyond_the_cap_is_not_waited_for() -> None:
    """The client gets the 503 and the upstream's Retry-After at once rather than a long wait."""
    upstream, sleeps = Upstream(throttled(6)), FakeSleep()
    with pytest.raises(UpstreamThrottled):
        await Resilience(retry_after_cap=5, sleep=sleeps).call(upstream)
    assert (upstream.attempts, sleeps.waits) == (1, [])


async def test_a_retry_after_beyond_the_deadline_is_not_waited_for() -> None:
    upstream = Upstream(throttled(4))
    with pytest.raises(UpstreamThrottled):
        await Resilience(retry_after_cap=5, deadline=3, sleep=FakeSleep()).call(upstream)
    assert upstream.attempts == 1


@given(initial=st.floats(0.01, 1), maximum=st.floats(1, 10))
async def test_backoff_grows_with_jitter_and_stays_under_its_maximum(initial: float, maximum: float) -> None:
    sleeps = FakeSleep()
    resilience = Resilience(attempts=6, backoff_initial=initial, backoff_max=maximum, sleep=sleeps)
    await resilience.call(Upstream(*(bad() for _ in range(5))))
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
        await Resilience(deadline=0.01).call(hangs)


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
    calls = [asyncio.create_task(resilience.call(upstream)) for _ in range(20)]
    for _ in range(5):
        await asyncio.sleep(0)
    release.set()
    await asyncio.gather(*calls)
    assert most == 3


def breaker(timer: FakeTimer, threshold: int = 3) -> CircuitBreaker:
    return CircuitBreaker(threshold=threshold, cool_down=30, timer=timer)


def fail(circuit: CircuitBreaker) -> None:
    with pytest.raises(Transient), circuit.call():
        raise bad()


def succeed(circuit: CircuitBreaker) -> None:
    with circuit.call():
        pass


def test_the_circuit_opens_after_threshold_consecutive_failures() -> None:
    circuit = breaker(FakeTimer(1000.0))
    for _ in range(3):
        fail(circuit)
    with pytest.raises(CircuitOpen) as opened:
        succeed(circuit)
    assert opened.value.retry_after == 30


def test_a_success_resets_the_count_of_failures() -> None:
    circuit = breaker(FakeTimer(1000.0))
    fail(circuit)
    fail(circuit)
    succeed(circuit)
    fail(circuit)
    fail(circuit)
    assert not circuit.is_open


def test_the_open_circuit_tells_how_long_is_left() -> None:
    timer = FakeTimer(1000.0)
    circuit = breaker(timer, threshold=1)
    fail(circuit)
    timer.now += 20
    with pytest.raises(CircuitOpen) as opened:
        succeed(circuit)
    assert opened.value.retry_after == 10


def test_after_the_cool_down_a_successful_trial_closes_the_circuit() -> None:
    timer = FakeTimer(1000.0)
    circuit = breaker(timer, threshold=1)
    fail(circuit)
    timer.now += 30
    succeed(circuit)
    assert not circuit.is_open


def test_a_failed_trial_opens_the_circuit_for_another_cool_down() -> None:
    timer = FakeTimer(1000.0)
    circuit = breaker(timer, threshold=3)
    for _ in range(3):
        fail(circuit)
    timer.now += 30
    fail(circuit)
    timer.now += 29
    with pytest.raises(CircuitOpen):
        succeed(circuit)


def test_only_one_trial_goes_through_at_a_time() -> None:
    timer = FakeTimer(1000.0)
    circuit = breaker(timer, threshold=1)
    fail(circuit)
    timer.now += 30
    with circuit.call(), pytest.raises(CircuitOpen):
        succeed(circuit)


def test_answers_that_are_not_failures_do_not_count() -> None:
    circuit = breaker(FakeTimer(1000.0), threshold=1)
    with pytest.raises(NoData), circuit.call():
        raise NoData()
    assert not circuit.is_open


async def test_an_open_circuit_is_not_retried_and_does_not_ask_upstream() -> None:
    timer = FakeTimer(1000.0)
    circuit = breaker(timer, threshold=2)
    resilience = Resilience(attempts=5, breaker=circuit, sleep=FakeSleep())
    upstream = Upstream(*(bad() for _ in range(10)))
    with pytest.raises(CircuitOpen):
        await resilience.call(upstream)
    assert upstream.attempts == 2
