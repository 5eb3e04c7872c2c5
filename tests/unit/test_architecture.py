"""The hexagon's import rules (docs/architecture.md), checked on the code as it is, not as it is described."""

from __future__ import annotations

import sys
from pathlib import Path

import grimp
import pytest
from importlinter.cli import lint_imports

PYPROJECT = Path(__file__).resolve().parents[2] / "pyproject.toml"
ALLOWED_OUTSIDE = {"msgspec"}
"""What the domain and the application may import besides the standard library and themselves."""


@pytest.fixture(scope="module")
def graph() -> grimp.ImportGraph:
    return grimp.build_graph("pageviews", include_external_packages=True)


def test_the_import_contracts_are_kept() -> None:
    """domain <- application <- adapters; inbound and outbound adapters never import each other; only the
    composition root and its entrypoint import concrete adapters (the contracts are in pyproject.toml)."""
    assert lint_imports(config_filename=str(PYPROJECT), no_cache=True, no_logo=True) == 0


@pytest.mark.parametrize("layer", ["pageviews.domain", "pageviews.application"])
def test_the_core_imports_only_the_standard_library_and_msgspec(graph: grimp.ImportGraph, layer: str) -> None:
    outside = {
        imported.split(".")[0]
        for module in graph.find_children(layer) | graph.find_descendants(layer)
        for imported in graph.find_modules_directly_imported_by(module)
        if not imported.startswith("pageviews.")
    }
    assert set() == outside - set(sys.stdlib_module_names) - ALLOWED_OUTSIDE
