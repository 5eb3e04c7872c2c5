"""The service's Prometheus metrics, for both sides: what clients asked (requests, latency) and what it cost
upstream (requests by outcome, latency, cache lookups and the bytes the caches hold, the circuit breaker)."""

from __future__ import annotations

import bisect
import itertools
from collections.abc import Callable, Iterator

from prometheus_client import (
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    disable_created_metrics,
    generate_latest,
)
from prometheus_client.core import CounterMetricFamily, HistogramMetricFamily, Metric
from prometheus_client.registry import Collector
from prometheus_client.utils import floatToGoString

_LATENCY_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30)


class _Served(Collector):
    """The HTTP requests served and their latency, counted in plain dicts and turned into Prometheus series
    only when scraped: prometheus_client's own counter and histogram take a lock per update and walk the buckets
    in Python, about a tenth of what a cached hit costs. Requests are served and scraped on one event loop, so
    nothing here needs a lock."""

    def __init__(self) -> None:
        self.requests: dict[tuple[str, str, int], int] = {}
        self.latency: dict[str, tuple[list[int], list[float]]] = {}
        """Per route: the count in each bucket (the last for slower than every bound), and the sum of seconds."""

    def served(self, route: str, method: str, status: int, seconds: float) -> None:
        key = (route, method, status)
        self.requests[key] = self.requests.get(key, 0) + 1
        latency = self.latency.get(route)
        if latency is None:
            latency = self.latency[route] = ([0] * (len(_LATENCY_BUCKETS) + 1), [0.0])
        latency[0][bisect.bisect_left(_LATENCY_BUCKETS, seconds)] += 1
        latency[1][0] += seconds

    def collect(self) -> Iterator[Metric]:
        requests = CounterMetricFamily(
            "pageviews_http_requests", "HTTP requests served", labels=["route", "method", "status"]
        )
        for (route, method, status), count in self.requests.items():
            requests.add_metric([route, method, str(status)], count)
        yield requests
        latency = HistogramMetricFamily(
            "pageviews_http_request_duration_seconds", "Time to serve an HTTP request", labels=["route"]
        )
        bounds = [*map(floatToGoString, _LATENCY_BUCKETS), "+Inf"]
        for route, (counts, total) in self.latency.items():
            cumulative = itertools.accumulate(counts)
            latency.add_metric([route], list(zip(bounds, cumulative, strict=True)), total[0])
        yield latency


class Metrics:
    """The service's Prometheus metrics, on a registry of their own (one per application)."""

    def __init__(self) -> None:
        disable_created_metrics()  # type: ignore[no-untyped-call]  # `_created` series only double the output
        self.registry = CollectorRegistry(auto_describe=True)
        self._served = _Served()
        self.registry.register(self._served)
        self.upstream_requests = Counter(
            "pageviews_upstream_requests",
            "Requests to an upstream (wikimedia, mediawiki) by outcome",
            ["upstream", "outcome"],
            registry=self.registry,
        )
        self.upstream_latency = Histogram(
            "pageviews_upstream_request_duration_seconds",
            "Time an upstream (wikimedia, mediawiki) took to answer",
            ["upstream"],
            buckets=_LATENCY_BUCKETS,
            registry=self.registry,
        )
        self.cache_lookups = Counter(
            "pageviews_cache_lookups",
            "Cache lookups by result: hit, miss, coalesced (joined a request in flight), stale (served on failure)",
            ["result"],
            registry=self.registry,
        )
        self.cache_bytes = Gauge(
            "pageviews_cache_bytes",
            "Bytes an in-process cache holds, as counted against its budget: answers (domain data) or responses",
            ["cache"],
            registry=self.registry,
        )
        self.breaker_open = Gauge(
            "pageviews_upstream_circuit_open",
            "1 while an upstream's circuit breaker is open",
            ["upstream"],
            registry=self.registry,
        )

    def served(self, route: str, method: str, status: int, seconds: float) -> None:
        """One HTTP request answered."""
        self._served.served(route, method, status, seconds)

    def cache_lookup(self, result: str) -> None:
        self.cache_lookups.labels(result).inc()

    def watch_breaker(self, is_open: Callable[[], bool], upstream: str = "wikimedia") -> None:
        self.breaker_open.labels(upstream).set_function(lambda: float(is_open()))

    def watch_cache(self, stored_bytes: Callable[[], int], cache: str) -> None:
        """`cache` is a name the code chooses: `answers` or `responses`."""
        self.cache_bytes.labels(cache).set_function(lambda: float(stored_bytes()))

    def upstream(self, outcome: str, seconds: float) -> None:
        """A request to Wikimedia."""
        self.upstream_of("wikimedia")(outcome, seconds)

    def upstream_of(self, upstream: str) -> Callable[[str, float], None]:
        """What times and counts the requests to `upstream` (a name the code chooses, never a client)."""
        latency = self.upstream_latency.labels(upstream)

        def observe(outcome: str, seconds: float) -> None:
            self.upstream_requests.labels(upstream, outcome).inc()
            latency.observe(seconds)

        return observe

    def render(self) -> bytes:
        return generate_latest(self.registry)
