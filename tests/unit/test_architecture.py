"""The hexagon's import rules (docs/architecture.md), checked on the code as it is, not as it is described."""

from __future__ import annotations

import logging
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
    """domain <- application <- adapters; inbound and outbound adapters never import each other, nor the
    composition root (the contracts are in pyproject.toml; the tests below hold what they cannot say)."""
    # import-linter configures logging with disable_existing_loggers, which would silence the service's
    # loggers for every later test of this process (their caplog assertions then fail): put them back.
    loggers = [
        logger for logger in logging.root.manager.loggerDict.values() if isinstance(logger, logging.Logger)
    ]
    disabled = [logger.disabled for logger in loggers]
    try:
        assert lint_imports(config_filename=str(PYPROJECT), no_cache=True, no_logo=True) == 0
    finally:
        for logger, was in zip(loggers, disabled, strict=True):
            logger.disabled = was


@pytest.mark.parametrize("layer", ["pageviews.domain", "pageviews.application"])
def test_the_core_imports_only_the_standard_library_and_msgspec(graph: grimp.ImportGraph, layer: str) -> None:
    outside = {
        imported.split(".")[0]
        for module in graph.find_children(layer) | graph.find_descendants(layer)
        for imported in graph.find_modules_directly_imported_by(module)
        if not imported.startswith("pageviews.")
    }
    assert set() == outside - set(sys.stdlib_module_names) - ALLOWED_OUTSIDE


def _imports_of(graph: grimp.ImportGraph, package: str) -> set[tuple[str, str]]:
    """(importer, imported) for every import of a `pageviews` module made by a module of `package`."""
    return {
        (module, imported)
        for module in graph.find_descendants(package) | {package}
        for imported in graph.find_modules_directly_imported_by(module)
        if imported.startswith("pageviews.") or imported == "pageviews"
    }


@pytest.mark.parametrize(
    ("layer", "allowed"),
    [
        ("pageviews.domain", ("pageviews.domain",)),
        ("pageviews.application", ("pageviews.domain", "pageviews.application")),
    ],
)
def test_the_core_imports_only_the_layers_inside_it(
    graph: grimp.ImportGraph, layer: str, allowed: tuple[str, ...]
) -> None:
    """Allowed by name, not by a list of what is forbidden: a new top-level module is outside the core too."""
    assert set() == {
        (module, imported)
        for module, imported in _imports_of(graph, layer)
        if not imported.startswith(tuple(f"{name}." for name in allowed)) and imported not in allowed
    }


COMPOSITION = {"pageviews.containers", "pageviews.asgi", "pageviews.console"}
"""The composition root and the entrypoints that call it."""


def test_only_the_composition_root_and_its_entrypoints_import_adapters(graph: grimp.ImportGraph) -> None:
    importers = {
        module
        for module in graph.modules
        if module.startswith("pageviews") and not module.startswith("pageviews.adapters")
        for imported in graph.find_modules_directly_imported_by(module)
        if imported.startswith("pageviews.adapters")
    }
    assert set() == importers - COMPOSITION
