"""Configuration, read once from `PAGEVIEWS_*` environment variables into a typed, validated object."""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Mapping
from importlib.metadata import version
from typing import Annotated

import msgspec

PREFIX = "PAGEVIEWS_"


def default_user_agent() -> str:
    """Wikimedia's policy wants a descriptive agent with contact information; deployers should put their own."""
    return (
        f"pageviews-service/{version('pageviews')} "
        "(https://github.com/pageviews-service/pageviews; set PAGEVIEWS_USER_AGENT to your contact) "
        f"python-httpx/{version('httpx')}"
    )


class SettingsError(ValueError):
    pass


class Settings(msgspec.Struct, frozen=True, kw_only=True):
    wikimedia_url: str = "https://wikimedia.org/api/rest_v1"
    user_agent: Annotated[str, msgspec.Meta(min_length=1)] = msgspec.field(default_factory=default_user_agent)
    upstream_timeout: Annotated[float, msgspec.Meta(gt=0, le=300)] = 10.0
    upstream_connections: Annotated[int, msgspec.Meta(ge=1, le=100)] = 10
    settle_hours: Annotated[float, msgspec.Meta(ge=0, le=24 * 31)] = 48.0
    batch_concurrency: Annotated[int, msgspec.Meta(ge=1, le=100)] = 4
    log_level: Annotated[str, msgspec.Meta(pattern="(?i)^(debug|info|warning|error|critical)$")] = "INFO"
    cors_origins: str = ""
    workers: Annotated[int, msgspec.Meta(ge=1, le=64)] = 1
    # Caching (docs/caching-and-resilience.md): entries in process memory, and how long answers stay fresh.
    # Byte budgets of the in-process caches (with the chart's 384 MiB limit in mind: a worker starts at about
    # 150 MiB); the response cache is off at 0.
    cache_memory_mib: Annotated[int, msgspec.Meta(ge=1, le=65_536)] = 64
    response_cache_memory_mib: Annotated[int, msgspec.Meta(ge=0, le=65_536)] = 32
    cache_settled_ttl_hours: Annotated[float, msgspec.Meta(gt=0)] = 24 * 30
    cache_unsettled_ttl_seconds: Annotated[float, msgspec.Meta(gt=0)] = 600
    cache_no_data_ttl_seconds: Annotated[float, msgspec.Meta(gt=0)] = 300
    cache_keep_stale_hours: Annotated[float, msgspec.Meta(ge=0)] = 24 * 7
    redis_url: str = ""
    redis_timeout: Annotated[float, msgspec.Meta(gt=0, le=10)] = 0.25
    # Resilience: per client request, at most `upstream_attempts` tries inside `upstream_deadline` seconds.
    upstream_attempts: Annotated[int, msgspec.Meta(ge=1, le=10)] = 3
    upstream_deadline: Annotated[float, msgspec.Meta(gt=0, le=300)] = 20.0
    upstream_retry_after_cap: Annotated[float, msgspec.Meta(ge=0, le=300)] = 5.0
    upstream_concurrency: Annotated[int, msgspec.Meta(ge=1, le=100)] = 3
    upstream_queue_timeout: Annotated[float, msgspec.Meta(gt=0, le=60)] = 1.0
    # The circuit breaker: open when `failure_rate` of the last `window` distinct requests (at least
    # `minimum_calls` of them) failed; stay open `cool_down` seconds.
    breaker_window: Annotated[int, msgspec.Meta(ge=1, le=10_000)] = 20
    breaker_minimum_calls: Annotated[int, msgspec.Meta(ge=1, le=10_000)] = 10
    breaker_failure_rate: Annotated[float, msgspec.Meta(gt=0, le=1)] = 0.5
    breaker_cool_down: Annotated[float, msgspec.Meta(gt=0, le=3600)] = 30.0
    # Inbound, per client: `N/second|minute|hour|day`, empty to switch off.
    rate_limit: Annotated[str, msgspec.Meta(pattern="^$|^[0-9]+ */ *(second|minute|hour|day)$")] = (
        "10000/second"
    )
    rate_limit_client_header: str = ""

    @property
    def settle(self) -> dt.timedelta:
        return dt.timedelta(hours=self.settle_hours)

    @property
    def cors_origin_list(self) -> list[str]:
        """`PAGEVIEWS_CORS_ORIGINS`, comma-separated (or `*`); empty: CORS off."""
        return [origin.strip() for origin in self.cors_origins.split(",") if origin.strip()]

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Settings:
        env = os.environ if environ is None else environ
        names = {f.name for f in msgspec.structs.fields(cls)}
        values = {name: env[PREFIX + name.upper()] for name in names if PREFIX + name.upper() in env}
        try:
            return msgspec.convert(values, cls, strict=False)
        except msgspec.ValidationError as exc:
            raise SettingsError(f"invalid setting: {exc} (from {PREFIX}* environment variables)") from exc
