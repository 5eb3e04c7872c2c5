"""The human docs: Swagger UI served by the service itself, in a version that can render the OpenAPI 3.1
document Litestar generates (Swagger UI 4 shows "Unable to render this definition" for it)."""

from __future__ import annotations

import re
from typing import Any

from litestar.testing import TestClient


def test_the_openapi_document_is_version_3_1(client: TestClient[Any]) -> None:
    assert client.get("/schema/openapi.json").json()["openapi"].startswith("3.1")


def test_the_served_swagger_ui_is_a_version_that_renders_openapi_3_1(client: TestClient[Any]) -> None:
    bundle = client.get("/schema/assets/swagger-ui-bundle.js").text
    version = re.search(r'PACKAGE_VERSION:"(\d+)\.(\d+)\.(\d+)"', bundle)
    assert version is not None
    assert int(version[1]) >= 5


def test_the_docs_page_loads_its_scripts_and_styles_from_the_service(client: TestClient[Any]) -> None:
    page = client.get("/schema").text
    assets = re.findall(r'(?:src|href)="([^"]+)"', page)
    assert {"/schema/assets/swagger-ui-bundle.js", "/schema/assets/swagger-ui.css"} <= set(assets)
    assert all(client.get(asset).status_code == 200 for asset in assets)
