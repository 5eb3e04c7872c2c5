"""OpenAPI at /schema/openapi.json and Swagger UI at /schema, with its assets served by the service itself
so the docs render without internet (Litestar's default loads them from a CDN)."""

from __future__ import annotations

from importlib.metadata import version
from importlib.util import find_spec
from pathlib import Path

from litestar.openapi import OpenAPIConfig
from litestar.openapi.plugins import SwaggerRenderPlugin
from litestar.router import Router
from litestar.static_files import create_static_files_router

ASSETS = "/schema/assets"


def openapi_config() -> OpenAPIConfig:
    swagger = SwaggerRenderPlugin(
        js_url=f"{ASSETS}/swagger-ui-bundle.js",
        css_url=f"{ASSETS}/swagger-ui.css",
        standalone_preset_js_url=f"{ASSETS}/swagger-ui-standalone-preset.js",
        path="/swagger",
        favicon=f"<link rel='icon' type='image/png' href='{ASSETS}/favicon-32x32.png'>",
    )
    return OpenAPIConfig(
        title="pageviews",
        version=version("pageviews"),
        description="How many times a Wikimedia article was viewed, from Wikimedia's pageviews API: "
        "correct where the API is subtle. Errors are RFC 9457 problems with a stable `code`.",
        path="/schema",
        render_plugins=[swagger],
    )


def swagger_ui_assets() -> Path:
    """Swagger UI 5's files, as shipped by the swagger-ui-py package (found without importing it)."""
    spec = find_spec("swagger_ui")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("the swagger-ui-py package is not installed")
    return Path(next(iter(spec.submodule_search_locations))) / "static"


def docs_assets_router() -> Router:
    directory = swagger_ui_assets()
    return create_static_files_router(
        path=ASSETS, directories=[directory], include_in_schema=False, cache_control=None
    )
