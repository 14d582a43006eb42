"""The package's layers point down: no module imports one of a higher layer, and no imports
form a cycle. The layers are those of ``docs/architecture.md``."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "src" / "tip_indicators"

LAYERS: tuple[tuple[str, tuple[str, ...]], ...] = (
    (
        "foundation",
        (
            "errors",
            "_version",
            "languages",
            "_private",
            "_private.resources",
            "_private.textfile",
            "_private.output",
            "_private.cells",
            "_private.safetext",
            "_private.csvrecords",
            "_private.yamlnodes",
            "_private.highs",
            "_private.nearest",
            "_private.report_model",
            "_private.document_model",
            "_private.profile_model",
        ),
    ),
    (
        "schema",
        (
            "values",
            "periods",
            "units",
            "ages",
            "nationalities",
            "codelists",
            "dimensions",
            "indicators",
            "observations",
            "expressions",
            "catalogue_export",
            "_private.engine.hierarchy",
        ),
    ),
    ("findings", ("findings",)),
    (
        "definitions",
        ("profiles", "rules", "datasets", "report", "selection", "_private.duplicates"),
    ),
    (
        "readers",
        (
            "io",
            "_private.validate",
            "_private.row_problems",
            "_private.code_variants",
            "_private.period_checks",
            "_private.value_checks",
            "_private.workbook",
            "_private.sheet_scan",
            "_private.excel_forms",
            "_private.vocabulary",
            "_private.case_",
            "cases",
        ),
    ),
    ("engine", ("_private.engine", "check")),
    (
        "applications",
        (
            "reconcile",
            "rollup",
            "derived",
            "suppression",
            "vtl",
            "_private.disclosure",
            "_private.disclosure_audit",
            "_private.withholding",
        ),
    ),
    ("renderers", ("render",)),
    ("command line", ("cli", "_private.commands", "_private.case_command", "")),
)
"""Each layer and the modules in it, by name below ``tip_indicators`` (a name stands for the
module and everything under it; the longest name that matches decides)."""


def _modules() -> Iterator[tuple[str, Path]]:
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = path.relative_to(PACKAGE).with_suffix("").parts
        if parts[-1] == "__init__":
            parts = parts[:-1]
        yield ".".join(parts), path


def _imports(path: Path) -> set[str]:
    """The package's modules ``path`` imports, anywhere in it (names relative to the package)."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        names: list[str] = []
        if isinstance(node, ast.ImportFrom) and node.module:
            names = [node.module, *(f"{node.module}.{alias.name}" for alias in node.names)]
        elif isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        for name in names:
            if name == "tip_indicators":
                found.add("")
            elif name.startswith("tip_indicators."):
                found.add(name.removeprefix("tip_indicators."))
    return found


def _layer(module: str) -> int:
    best: tuple[int, int] | None = None
    for number, (_, prefixes) in enumerate(LAYERS):
        for prefix in prefixes:
            matches = module == prefix or (
                module.startswith(prefix)
                and (prefix == "" or prefix.endswith("_") or module[len(prefix)] == ".")
            )
            if matches and (best is None or len(prefix) > best[0]):
                best = (len(prefix), number)
    assert best is not None, f"{module} is in no layer: add it to LAYERS"
    return best[1]


DEFERRED: dict[tuple[str, str], str] = {
    ("report", "render.html"): "Report.to_html() renders the report on request",
}
"""Imports made inside a function, only when it is called, that the layers allow as the one
exception: a convenience method of a lower layer calling a renderer. Each says why."""

MODULES = dict(_modules())
GRAPH = {
    module: {
        name
        for name in _imports(path)
        if name in MODULES and name != module and (module, name) not in DEFERRED
    }
    for module, path in MODULES.items()
}


@pytest.mark.parametrize("module", sorted(MODULES))
def test_a_module_imports_nothing_above_its_layer(module: str) -> None:
    """Every module imports only modules of its own layer or lower ones."""
    own = _layer(module)
    above = sorted(
        f"{name or 'tip_indicators'} ({LAYERS[_layer(name)][0]})"
        for name in GRAPH[module]
        if _layer(name) > own
    )
    assert above == [], f"{module} ({LAYERS[own][0]}) imports a higher layer"


def test_deferred_imports_are_made_inside_functions_only() -> None:
    """Each allowed exception is an import inside a function body, never at module level."""
    for module, name in DEFERRED:
        tree = ast.parse(MODULES[module].read_text(encoding="utf-8"))
        top = {
            node.module
            for node in tree.body
            if isinstance(node, ast.ImportFrom) and node.module is not None
        }
        assert f"tip_indicators.{name}" not in top
        assert name in _imports(MODULES[module])


def test_no_imports_form_a_cycle() -> None:
    """No chain of imports leads from a module back to itself (a package's own
    ``__init__`` re-exporting its submodules aside)."""
    state: dict[str, int] = {}
    cycles: list[list[str]] = []

    def visit(module: str, path: list[str]) -> None:
        state[module] = 1
        for name in sorted(GRAPH[module]):
            if module.startswith(f"{name}.") or name == "":
                continue
            if state.get(name) == 1:
                cycles.append([*path[path.index(name) :], name] if name in path else [name])
            elif name not in state:
                visit(name, [*path, name])
        state[module] = 2

    for module in sorted(GRAPH):
        if module not in state:
            visit(module, [module])
    assert cycles == []
