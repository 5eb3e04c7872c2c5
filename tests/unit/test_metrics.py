"""The request metrics as Prometheus reads them: counted per route, method and status, and latency in the
cumulative buckets of a histogram."""

from __future__ import annotations

import re

from hypothesis import given
from hypothesis import strategies as st

from pageviews.observability.metrics import Metrics

ROUTE = "/monthly_view_count/{path}"


def series(metrics: Metrics, name: str) -> float:
    match = re.search(rf"^{re.escape(name)} (\S+)$", metrics.render().decode(), re.MULTILINE)
    assert match is not None, name
    return float(match[1])


def test_requests_are_counted_by_route_method_and_status() -> None:
    metrics = Metrics()
    for status in (200, 200, 404):
        metrics.served(ROUTE, "GET", status, 0.001)
    counted = (
        series(metrics, f'pageviews_http_requests_total{{method="GET",route="{ROUTE}",status="200"}}'),
        series(metrics, f'pageviews_http_requests_total{{method="GET",route="{ROUTE}",status="404"}}'),
    )
    assert (2.0, 1.0) == counted


def test_a_latency_is_counted_in_every_bucket_from_the_first_bound_it_does_not_exceed() -> None:
    metrics = Metrics()
    metrics.served(ROUTE, "GET", 200, 0.005)  # exactly a bound: in it (Prometheus' `le`)
    metrics.served(ROUTE, "GET", 200, 0.003)
    metrics.served(ROUTE, "GET", 200, 60.0)  # slower than every bound: only in +Inf
    bucket = f'pageviews_http_request_duration_seconds_bucket{{le="%s",route="{ROUTE}"}}'
    counts = [series(metrics, bucket % le) for le in ("0.0025", "0.005", "30.0", "+Inf")]
    total = series(metrics, f'pageviews_http_request_duration_seconds_sum{{route="{ROUTE}"}}')
    assert ([0.0, 2.0, 2.0, 3.0], 60.008) == (counts, round(total, 6))


@given(st.lists(st.floats(min_value=0, max_value=100), min_size=1, max_size=30))
def test_the_buckets_are_cumulative_and_end_with_every_request(seconds: list[float]) -> None:
    metrics = Metrics()
    for one in seconds:
        metrics.served(ROUTE, "GET", 200, one)
    text = metrics.render().decode()
    buckets = [float(v) for v in re.findall(r'_bucket\{le="[^"]+",route="[^"]+"\} (\S+)', text)]
    count = series(metrics, f'pageviews_http_request_duration_seconds_count{{route="{ROUTE}"}}')
    assert (buckets, buckets[-1], count) == (sorted(buckets), float(len(seconds)), float(len(seconds)))
