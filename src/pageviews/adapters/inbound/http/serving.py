"""What the application serves with while it runs (opened by the `start` given to `create_app`, for each run
of its lifespan), and how handlers and middleware find it."""

from __future__ import annotations

from dataclasses import dataclass

from litestar.datastructures import State
from litestar.exceptions import ServiceUnavailableException
from litestar.types import Scope

from pageviews.adapters.inbound.http.rate_limit import RateLimiting
from pageviews.adapters.inbound.http.response_cache import ResponseCache
from pageviews.application.use_cases import Services
from pageviews.domain.cache_policy import CachePolicy
from pageviews.observability.access_log import AccessLog
from pageviews.observability.metrics import Metrics


@dataclass(frozen=True)
class Serving:
    services: Services
    cache_policy: CachePolicy
    metrics: Metrics
    response_cache: ResponseCache | None = None
    """None: every request reaches a handler."""
    rate_limiting: RateLimiting | None = None
    """None: no client is limited."""
    access_log: AccessLog | None = None
    """None: requests are not logged (a log level above INFO)."""


def current(state: State) -> Serving | None:
    """What the application serves with now; None before start-up and after shutdown."""
    serving: Serving | None = state.get("serving")
    return serving


def serving_of(state: State) -> Serving:
    """What the application serves with now; a 503 before it has started."""
    serving = current(state)
    if serving is None:
        raise ServiceUnavailableException("the service is starting", headers={"Retry-After": "1"})
    return serving


def response_cache_of(scope: Scope) -> ResponseCache | None:
    serving = current(scope["litestar_app"].state)
    return None if serving is None else serving.response_cache


def rate_limiting_of(scope: Scope) -> RateLimiting | None:
    serving = current(scope["litestar_app"].state)
    return None if serving is None else serving.rate_limiting
