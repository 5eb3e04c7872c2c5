"""The service's Prometheus metrics, for both sides: what clients asked (requests, latency) and what it cost
upstream (requests by outcome, latency, cache lookups and the bytes the caches hold, the circuit breaker)."""

from __future__ import annotations

from collections.abc import Callable

from prometheus_client import (
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    disable_created_metrics,
    generate_latest,
)

_LATENCY_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30)


class Metrics:
    """The service's Prometheus metrics, on a registry of their own (one per application)."""

    def __init__(self) -> None:
        disable_created_metrics()  # type: ignore[no-untyped-call]  # `_created` series only double the output
        self._served: dict[tuple[str, str, int], tuple[Counter, Histogram]] = {}
        self.registry = CollectorRegistry(auto_describe=True)
        self.requests = Counter(
            "pageviews_http_requests",
            "HTTP requests served",
            ["route", "method", "status"],
            registry=self.registry,
        )
        self.latency = Histogram(
            "pageviews_http_request_duration_seconds",
            "Time to serve an HTTP request",
            ["route"],
            buckets=_LATENCY_BUCKETS,
            registry=self.registry,
        )
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
        """One HTTP request answered; the labelled series are looked up once each (the lookup is most of the
        cost of counting)."""
        key = (route, method, status)
        series = self._served.get(key)
        if series is None:
            series = self._served[key] = (
                self.requests.labels(route, method, str(status)),
                self.latency.labels(route),
            )
        series[0].inc()
        series[1].observe(seconds)

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
