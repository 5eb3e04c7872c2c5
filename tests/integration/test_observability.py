"""What operators get from every response: request ids, security headers, metrics and one JSON log line."""

from __future__ import annotations

import datetime as dt
import io
import json
import logging
from typing import Any

import httpx
import pytest
from dependency_injector import providers
from litestar.testing import TestClient

from pageviews.adapters.outbound.upstream import MeteredTransport
from pageviews.observability.access_log import AccessLog
from pageviews.observability.logs import logging_config
from pageviews.observability.metrics import Metrics
from tests.support.app import container_for, serve, settings_from_env
from tests.support.fake_wikimedia import BASE_URL, Canned, FakeWikimedia

Client = TestClient[Any]


@pytest.fixture(autouse=True)
def seeded(fake: FakeWikimedia) -> None:
    fake.add_month("Albert_Einstein", dt.date(2023, 10, 1), 631058)


def metric(client: Client, line_prefix: str) -> float:
    for line in client.get("/metrics").text.splitlines():
        if line.startswith(line_prefix):
            return float(line.rsplit(" ", 1)[1])
    return 0.0


def test_a_client_request_id_is_echoed(client: Client) -> None:
    assert client.get("/health", headers={"X-Request-ID": "abc-123"}).headers["x-request-id"] == "abc-123"


def test_a_request_id_is_made_when_the_client_sends_none(client: Client) -> None:
    first, second = client.get("/health"), client.get("/health")
    assert first.headers["x-request-id"] != second.headers["x-request-id"]
    assert len(first.headers["x-request-id"]) == 32


def test_an_unsafe_request_id_is_replaced(client: Client) -> None:
    sent = "bad id\twith spaces"
    assert sent != client.get("/health", headers={"X-Request-ID": sent}).headers["x-request-id"]


@pytest.mark.parametrize(
    "path", ["/health", "/monthly_view_count/Albert_Einstein/2023/10", "/nope", "/schema"]
)
def test_every_response_carries_the_security_headers(client: Client, path: str) -> None:
    headers = client.get(path).headers
    assert headers["x-content-type-options"] == "nosniff"
    assert headers["referrer-policy"] == "no-referrer"
    assert headers["x-frame-options"] == "DENY"
    assert "frame-ancestors 'none'" in headers["content-security-policy"]


def test_api_responses_allow_no_content_to_load(client: Client) -> None:
    assert client.get("/health").headers["content-security-policy"].startswith("default-src 'none'")


def test_the_docs_page_may_load_only_the_services_own_assets(client: Client) -> None:
    policy = client.get("/schema").headers["content-security-policy"]
    assert policy.startswith("default-src 'self'")
    assert "http" not in policy


def test_a_method_not_allowed_still_gets_the_headers(client: Client) -> None:
    response = client.post("/health")
    assert (response.status_code, response.headers["x-content-type-options"]) == (405, "nosniff")


def test_requests_are_counted_by_route_template_and_status(client: Client) -> None:
    client.get("/monthly_view_count/Albert_Einstein/2023/10")
    client.get("/monthly_view_count/Nobody/2023/10")
    counted = 'pageviews_http_requests_total{method="GET",route="/monthly_view_count/{path}",status='
    assert metric(client, counted + '"200"}') == 1.0
    assert metric(client, counted + '"404"}') == 1.0


def test_replays_from_the_response_cache_are_counted_304s_included(client: Client) -> None:
    path = "/monthly_view_count/Albert_Einstein/2023/10"
    etag = client.get(path).headers["etag"]
    replayed = client.get(path)
    not_modified = client.get(path, headers={"If-None-Match": etag})
    assert ("age" in replayed.headers, not_modified.status_code) == (True, 304)
    counted = 'pageviews_http_requests_total{method="GET",route="/monthly_view_count/{path}",status='
    assert (metric(client, counted + '"200"}'), metric(client, counted + '"304"}')) == (2.0, 1.0)


def test_a_replay_from_the_response_cache_carries_the_request_id_and_security_headers(client: Client) -> None:
    path = "/monthly_view_count/Albert_Einstein/2023/10"
    client.get(path)
    headers = client.get(path, headers={"X-Request-ID": "replayed-1"}).headers
    assert "age" in headers
    assert (headers["x-request-id"], headers["x-content-type-options"], headers["x-frame-options"]) == (
        "replayed-1",
        "nosniff",
        "DENY",
    )
    assert headers["content-security-policy"].startswith("default-src 'none'")


def test_unknown_routes_are_counted_under_one_label(client: Client) -> None:
    client.get("/a"), client.get("/b")
    assert metric(client, 'pageviews_http_requests_total{method="GET",route="unmatched",status="404"}') == 2.0


def test_request_latency_is_a_histogram_per_route(client: Client) -> None:
    client.get("/health")
    assert metric(client, 'pageviews_http_request_duration_seconds_count{route="/health"}') == 1.0


def test_metrics_are_in_prometheus_text_format(client: Client) -> None:
    response = client.get("/metrics")
    assert response.headers["content-type"].startswith("text/plain; version=0.0.4")
    assert "# TYPE pageviews_http_requests_total counter" in response.text


def test_each_request_is_logged_once_with_its_id_route_status_and_duration(fake: FakeWikimedia) -> None:
    written = io.BytesIO()
    container = container_for(fake.transport())
    container.access_log.override(providers.Object(AccessLog(written)))
    with serve(container) as client:
        client.get("/monthly_view_count/Albert_Einstein/2023/10", headers={"X-Request-ID": "req-1"})
    (line,) = [json.loads(line) for line in written.getvalue().splitlines()]
    fields = {k: line[k] for k in ("event", "level", "logger", "request_id", "method", "route", "status")}
    assert fields == {
        "event": "request",
        "level": "info",
        "logger": "pageviews.access",
        "request_id": "req-1",
        "method": "GET",
        "route": "/monthly_view_count/{path}",
        "status": 200,
    }
    assert line["duration_ms"] >= 0
    assert line["timestamp"].endswith("Z")


def test_a_replay_from_the_response_cache_is_logged_with_its_route_too(fake: FakeWikimedia) -> None:
    written = io.BytesIO()
    container = container_for(fake.transport())
    container.access_log.override(providers.Object(AccessLog(written)))
    with serve(container) as client:
        for _ in range(2):
            client.get("/monthly_view_count/Albert_Einstein/2023/10")
    routes = [json.loads(line)["route"] for line in written.getvalue().splitlines()]
    assert routes == ["/monthly_view_count/{path}"] * 2


def test_no_request_is_logged_above_info() -> None:
    container = container_for(
        FakeWikimedia().transport(), settings=settings_from_env(PAGEVIEWS_LOG_LEVEL="WARNING")
    )
    assert container.access_log() is None


def test_log_records_are_rendered_as_one_json_object_per_line() -> None:
    config = logging_config("INFO")
    formatter = logging.config.DictConfigurator(config).configure_formatter(config["formatters"]["json"])
    record = logging.LogRecord("pageviews.access", logging.INFO, __file__, 1, "request", None, None)
    record.request_id = "req-2"
    line = formatter.format(record)
    assert {
        "event": "request",
        "level": "info",
        "logger": "pageviews.access",
        "request_id": "req-2",
    }.items() <= (json.loads(line).items())
    assert "\n" not in line


def test_cors_is_off_unless_origins_are_configured(fake: FakeWikimedia) -> None:
    with serve(container_for(fake.transport())) as client:
        response = client.get("/health", headers={"Origin": "https://example.org"})
    assert "access-control-allow-origin" not in response.headers


def test_configured_cors_origins_are_allowed(fake: FakeWikimedia) -> None:
    settings = settings_from_env(PAGEVIEWS_CORS_ORIGINS="https://example.org")
    with serve(container_for(fake.transport(), settings=settings)) as client:
        response = client.get("/health", headers={"Origin": "https://example.org"})
    assert response.headers["access-control-allow-origin"] == "https://example.org"


def test_cache_lookups_are_counted_by_result(client: Client) -> None:
    client.get("/monthly_view_count/Albert_Einstein/2023/10")
    client.get("/v1/pageviews/en.wikipedia/Albert_Einstein", params={"from": "2023-10"})  # the same question
    lookups = "pageviews_cache_lookups_total{result="
    assert (1.0, 1.0) == (metric(client, lookups + '"miss"}'), metric(client, lookups + '"hit"}'))


def test_the_breaker_state_is_a_gauge(fake: FakeWikimedia) -> None:
    settings = settings_from_env(PAGEVIEWS_BREAKER_WINDOW="1", PAGEVIEWS_BREAKER_MINIMUM_CALLS="1")
    with serve(container_for(fake.transport(), settings=settings)) as client:
        before = metric(client, 'pageviews_upstream_circuit_open{upstream="wikimedia"} ')
        fake.fail_next(Canned(500))
        client.get("/monthly_view_count/Albert_Einstein/2023/10")
        after = metric(client, 'pageviews_upstream_circuit_open{upstream="wikimedia"} ')
    assert (0.0, 1.0) == (before, after)


@pytest.mark.parametrize("cache", ["answers", "responses"])
def test_the_bytes_each_cache_holds_are_a_gauge(cache: str, client: Client) -> None:
    before = metric(client, f'pageviews_cache_bytes{{cache="{cache}"}} ')
    client.get("/monthly_view_count/Albert_Einstein/2023/10")
    after = metric(client, f'pageviews_cache_bytes{{cache="{cache}"}} ')
    assert (0.0, True) == (before, after > 0)


async def test_upstream_requests_are_timed_and_counted_by_outcome(fake: FakeWikimedia) -> None:
    seen: list[str] = []
    fake.fail_next(Canned(429), Canned(503))
    transport = MeteredTransport(fake.transport(), lambda outcome, seconds: seen.append(outcome))
    async with httpx.AsyncClient(transport=transport, base_url=BASE_URL + "/") as http:
        for _ in range(3):
            await http.get(
                "metrics/pageviews/per-article/en.wikipedia/all-access/user/Nobody/monthly/20231001/20231031"
            )
    assert ["429", "5xx", "404"] == seen


async def test_upstream_failures_without_a_response_are_counted() -> None:
    seen: list[str] = []

    def refuse(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("refused", request=request)

    transport = MeteredTransport(httpx.MockTransport(refuse), lambda outcome, seconds: seen.append(outcome))
    async with httpx.AsyncClient(transport=transport) as http:
        with pytest.raises(httpx.ConnectError):
            await http.get("http://wikimedia.test/")
    assert ["connection_error"] == seen


@pytest.mark.parametrize("path", ["/health", "/monthly_view_count/Albert_Einstein/2023/10", "/nope"])
def test_head_answers_like_get_without_a_body(client: Client, path: str) -> None:
    get, head = client.get(path), client.head(path)
    assert (get.status_code, get.headers["content-length"], b"") == (
        head.status_code,
        head.headers["content-length"],
        head.content,
    )


def test_lines_logged_while_serving_a_request_carry_its_id() -> None:
    def refuse(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("refused", request=request)

    config = logging_config("INFO")
    handler = logging.StreamHandler(io.StringIO())
    handler.setFormatter(
        logging.config.DictConfigurator(config).configure_formatter(config["formatters"]["json"])
    )
    logger = logging.getLogger("pageviews.adapters.outbound.wikimedia.client")
    logger.addHandler(handler)
    try:
        with serve(container_for(httpx.MockTransport(refuse))) as client:
            client.get("/monthly_view_count/Albert_Einstein/2023/10", headers={"X-Request-ID": "req-3"})
    finally:
        logger.removeHandler(handler)
    stream = handler.stream
    assert isinstance(stream, io.StringIO)
    lines = [json.loads(line) for line in stream.getvalue().splitlines()]
    assert lines
    assert {"req-3"} == {line["request_id"] for line in lines}


def test_requests_to_each_upstream_are_counted_apart() -> None:
    metrics = Metrics()
    metrics.upstream("2xx", 0.1)
    metrics.upstream_of("mediawiki")("2xx", 0.2)
    metrics.upstream_of("mediawiki")("5xx", 0.2)
    text = metrics.render().decode()
    assert 'pageviews_upstream_requests_total{outcome="2xx",upstream="wikimedia"} 1.0' in text
    assert 'pageviews_upstream_requests_total{outcome="2xx",upstream="mediawiki"} 1.0' in text
    assert 'pageviews_upstream_request_duration_seconds_count{upstream="mediawiki"} 2.0' in text
