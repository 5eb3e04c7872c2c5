"""What an ASGI server points at: `pageviews.asgi:app_factory` (a factory, so nothing happens at import)."""

from __future__ import annotations

from litestar import Litestar

from pageviews.containers import Container, build_app


def app_factory() -> Litestar:
    return build_app(Container())
