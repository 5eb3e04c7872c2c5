"""What an ASGI server points at: `pageviews.asgi:app_factory` (a factory, so nothing happens at import)."""

from __future__ import annotations

from litestar import Litestar

from pageviews.adapters.http.app import create_app
from pageviews.containers import Container


def app_factory() -> Litestar:
    return create_app(Container())
