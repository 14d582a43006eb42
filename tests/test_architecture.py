"""The package's layers point down: no module imports one of a higher layer, and no imports
form a cycle. The layers are those of ``docs/architecture.md``. Modules and functions stay
short, and the library raises only its own exceptions."""

from __future__ import annotations

import ast
import builtins
import re
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
            "_private.csvcolumns",
            "_private.yamlnodes",
            "_private.highs",
            "_private.queries",
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
            "_engine.hierarchy",
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
            "cases",
        ),
    ),
    ("engine", ("_engine", "check")),
    (
        "applications",
        (
            "reconcile",
            "rollup",
            "derived",
            "suppression",
            "vtl",
        ),
    ),
    ("renderers", ("render",)),
    ("command line", ("cli", "")),
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


MAX_MODULE_LINES = 600
MAX_FUNCTION_LINES = 60
LONG_BECAUSE = re.compile(r"\bLong because\b")
"""A function over ``MAX_FUNCTION_LINES`` lines says why in its docstring, in a sentence starting
"Long because" (e.g. "Long because it is one query: splitting it would scatter one relation
over several functions.")."""

LONG_UNEXPLAINED: frozenset[tuple[str, str]] = frozenset()
"""Long functions allowed, for now, without a reason: (module, qualified name)."""

BUILTIN_RAISES: dict[tuple[str, str], str] = {
    ("_private.profile_model", "DimensionModel._compiles"): (
        "a pydantic validator: pydantic wants ValueError and turns it into the ValidationError "
        "that profiles reports as a DefinitionError at the line of the field"
    ),
    ("_private.profile_model", "DimensionModel._coded"): (
        "a pydantic validator: pydantic wants ValueError and turns it into the ValidationError "
        "that profiles reports as a DefinitionError at the line of the field"
    ),
}
"""Raises of a built-in exception class, by (module, qualified name of the function), and why
each is not one of ``tip_indicators.errors``."""


def _definitions(
    tree: ast.AST, prefix: str = ""
) -> Iterator[tuple[str, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef]]:
    """Every function and class in ``tree`` with its qualified name."""
    for node in ast.iter_child_nodes(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            name = f"{prefix}{node.name}"
            yield name, node
            yield from _definitions(node, f"{name}.")
        else:
            yield from _definitions(node, prefix)


TREES = {module: ast.parse(path.read_text(encoding="utf-8")) for module, path in MODULES.items()}
FUNCTIONS = {
    (module, name): node
    for module, tree in TREES.items()
    for name, node in _definitions(tree)
    if not isinstance(node, ast.ClassDef)
}
LONG = {
    key
    for key, node in FUNCTIONS.items()
    if (node.end_lineno or node.lineno) - node.lineno + 1 > MAX_FUNCTION_LINES
}


def _builtin_exception(node: ast.expr | None) -> str | None:
    """The name of the built-in exception class ``node`` raises or names, if it is one."""
    if isinstance(node, ast.Call):
        node = node.func
    if not isinstance(node, ast.Name):
        return None
    found = getattr(builtins, node.id, None)
    return node.id if isinstance(found, type) and issubclass(found, BaseException) else None


def _raises(tree: ast.AST, prefix: str = "") -> Iterator[tuple[str, ast.Raise]]:
    """Every ``raise`` in ``tree`` with the qualified name of the function it is in."""
    for node in ast.iter_child_nodes(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            yield from _raises(node, f"{prefix}{node.name}.")
        elif isinstance(node, ast.Raise):
            yield prefix.removesuffix("."), node
            yield from _raises(node, prefix)
        else:
            yield from _raises(node, prefix)


@pytest.mark.parametrize("module", sorted(MODULES))
def test_no_module_is_over_600_lines(module: str) -> None:
    """Every module of the package has at most 600 lines: a longer one is split by concept."""
    lines = len(MODULES[module].read_text(encoding="utf-8").splitlines())
    assert lines <= MAX_MODULE_LINES, f"{module} has {lines} lines"


def test_a_long_function_says_why_in_its_docstring() -> None:
    """Every function over 60 lines has a docstring sentence starting "Long because"."""
    unexplained = sorted(
        f"{module}.{name}"
        for module, name in LONG - LONG_UNEXPLAINED
        if not LONG_BECAUSE.search(ast.get_docstring(FUNCTIONS[module, name]) or "")
    )
    assert unexplained == []


def test_the_long_functions_allowed_without_a_reason_are_long() -> None:
    """Each function allowed to be long without a reason exists and is still long, and has no
    reason yet: the list only shrinks."""
    stale = sorted(
        f"{module}.{name}"
        for module, name in LONG_UNEXPLAINED
        if (module, name) not in LONG
        or LONG_BECAUSE.search(ast.get_docstring(FUNCTIONS[module, name]) or "")
    )
    assert stale == []


def test_every_raise_is_under_the_exception_root() -> None:
    """No module raises a built-in exception class (ValueError, KeyError...) rather than one of
    ``tip_indicators.errors``, unless the raise is listed with its reason."""
    found = {
        (module, where): name
        for module, tree in TREES.items()
        for where, node in _raises(tree)
        if (name := _builtin_exception(node.exc)) is not None
    }
    assert sorted(set(found) - set(BUILTIN_RAISES)) == []
    assert sorted(set(BUILTIN_RAISES) - set(found)) == [], "a listed raise is gone: unlist it"


def test_exception_classes_are_defined_under_the_root() -> None:
    """No module but ``errors`` defines an exception class on a built-in one: every error the
    library raises is a ``TipIndicatorsError``."""
    defined = sorted(
        f"{module}.{name}"
        for module, tree in TREES.items()
        if module != "errors"
        for name, node in _definitions(tree)
        if isinstance(node, ast.ClassDef)
        and any(_builtin_exception(base) is not None for base in node.bases)
    )
    assert defined == []


QUERY_RUNNER = "_private.queries"


def _collects(tree: ast.AST) -> Iterator[int]:
    """The lines of ``tree`` that collect a polars plan themselves: a plan's ``.collect()`` or
    ``pl.collect_all(...)``."""
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr in {"collect", "collect_all"}
        ):
            yield node.lineno


def test_every_plan_is_collected_by_the_query_runner() -> None:
    """Only ``_private.queries`` collects a lazy plan, so every query of the package runs on the
    engine chosen there; elsewhere a plan goes through its ``collect`` or ``collect_all``."""
    found = sorted(
        f"{module}:{line}"
        for module, tree in TREES.items()
        if module != QUERY_RUNNER
        for line in _collects(tree)
    )
    assert found == []
    assert list(_collects(TREES[QUERY_RUNNER])) != []
