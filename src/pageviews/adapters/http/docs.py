"""OpenAPI at /schema/openapi.json and Swagger UI at /schema, with its assets served by the service itself
so the docs render without internet (Litestar's default loads them from a CDN)."""

from __future__ import annotations

from importlib.metadata import version
from pathlib import Path

import swagger_ui_bundle
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


def docs_assets_router() -> Router:
    directory = Path(swagger_ui_bundle.swagger_ui_path)
    return create_static_files_router(
        path=ASSETS, directories=[directory], include_in_schema=False, cache_control=None
    )
