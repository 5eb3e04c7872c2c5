"""The system clock: `timestamp()` is the instant `now()` reads, in the seconds caches count expiry in."""

from __future__ import annotations

import datetime as dt

from pageviews.adapters.outbound.clock import SystemClock


def test_now_is_an_aware_datetime_in_utc() -> None:
    assert SystemClock().now().utcoffset() == dt.timedelta(0)


def test_the_timestamp_is_the_instant_now_reads_in_seconds_since_the_epoch() -> None:
    clock = SystemClock()
    before = clock.timestamp()
    now = clock.now()
    after = clock.timestamp()
    assert before <= now.timestamp() <= after
