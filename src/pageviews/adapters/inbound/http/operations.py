"""What operators and platforms call: liveness, readiness, metrics, and the original service's docs address."""

from __future__ import annotations

from litestar import Response, get
from litestar.datastructures import State
from litestar.di import NamedDependency
from litestar.exceptions import ServiceUnavailableException
from litestar.response import Redirect

from pageviews.adapters.inbound.http.openapi import error_responses
from pageviews.adapters.inbound.http.schemas import Readiness, Status
from pageviews.adapters.inbound.http.serving import Serving, serving_of
from pageviews.domain.errors import NotReady


@get("/health", operation_id="health", summary="Liveness", tags=["operations"], cache=False)
async def health() -> Status:
    """200 while the process runs; never touches the upstream."""
    return Status("ok")


@get(
    "/ready",
    operation_id="ready",
    summary="Readiness",
    tags=["operations"],
    responses=error_responses(
        503, examples={503: (NotReady.code, "the service is starting or shutting down")}
    ),
)
async def ready(state: State) -> Readiness:
    """200 once the service has started and until it begins shutting down, whatever the cache's state."""
    if not state.get("ready", False):
        raise ServiceUnavailableException(
            "the service is starting or shutting down", headers={"Retry-After": "1"}
        )
    return Readiness("ready", await serving_of(state).services.cache_health())


@get("/metrics", include_in_schema=False, cache=False)
async def metrics_endpoint(serving: NamedDependency[Serving]) -> Response[bytes]:
    metrics = serving.metrics
    # The text exposition format generate_latest writes; Litestar appends the charset itself.
    return Response(metrics.render(), media_type="text/plain; version=0.0.4")


@get("/apidocs", include_in_schema=False)
async def apidocs() -> Redirect:
    """The original service's docs address."""
    return Redirect("/schema", status_code=301)
