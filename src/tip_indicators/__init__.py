"""tip-indicators: one shared, checkable schema for trafficking-in-persons and migration statistics.

Read a dataset, check it, and act on the findings::

    import tip_indicators as ti
    report = ti.check(ti.read_dataset("report-2010.csv"))
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from tip_indicators._version import __version__
from tip_indicators.check import check

if TYPE_CHECKING:
    from tip_indicators._private.textfile import ReadLimits
    from tip_indicators.codelists import Code, Codelist, codelist
    from tip_indicators.datasets import Dataset, InputFile, Metadata, Organisation
    from tip_indicators.derived import derive_indicators, read_population
    from tip_indicators.dimensions import Dimension, DimensionKind
    from tip_indicators.errors import (
        ArgumentError,
        CodeError,
        DefinitionError,
        InputError,
        TipIndicatorsError,
        UnitError,
    )
    from tip_indicators.expressions import format_expression, parse_expression
    from tip_indicators.findings import Finding, Location, ObservationRef, Severity, Suggestion
    from tip_indicators.indicators import Catalogue, Indicator, builtin_catalogue
    from tip_indicators.io.document import read_document, write_document
    from tip_indicators.io.longcsv import parse_long_csv, read_long_csv, write_long_csv
    from tip_indicators.io.readers import read_dataset
    from tip_indicators.periods import Period, parse_period
    from tip_indicators.profiles import Profile, ProfileRule, builtin_profile, load_profile
    from tip_indicators.reconcile import compare_sources, compare_vintages, reconcile_mirrors
    from tip_indicators.report import Report
    from tip_indicators.rollup import RollUp, roll_up
    from tip_indicators.rules import Rule, Tolerance, default_rules
    from tip_indicators.values import Value, parse_value

# Where each public name is defined. A name's module is imported the first time the name is
# used, so importing the package (or running ``tip-indicators --help``) does not load polars,
# pydantic and the engine; ``check`` is imported eagerly because a module has its name too.
_HOMES: dict[str, str] = {
    "ArgumentError": "tip_indicators.errors",
    "builtin_catalogue": "tip_indicators.indicators",
    "builtin_profile": "tip_indicators.profiles",
    "Catalogue": "tip_indicators.indicators",
    "Code": "tip_indicators.codelists",
    "CodeError": "tip_indicators.errors",
    "Codelist": "tip_indicators.codelists",
    "codelist": "tip_indicators.codelists",
    "compare_sources": "tip_indicators.reconcile",
    "compare_vintages": "tip_indicators.reconcile",
    "Dataset": "tip_indicators.datasets",
    "default_rules": "tip_indicators.rules",
    "DefinitionError": "tip_indicators.errors",
    "derive_indicators": "tip_indicators.derived",
    "Dimension": "tip_indicators.dimensions",
    "DimensionKind": "tip_indicators.dimensions",
    "Finding": "tip_indicators.findings",
    "format_expression": "tip_indicators.expressions",
    "Indicator": "tip_indicators.indicators",
    "InputError": "tip_indicators.errors",
    "InputFile": "tip_indicators.datasets",
    "load_profile": "tip_indicators.profiles",
    "Location": "tip_indicators.findings",
    "Metadata": "tip_indicators.datasets",
    "ObservationRef": "tip_indicators.findings",
    "Organisation": "tip_indicators.datasets",
    "parse_expression": "tip_indicators.expressions",
    "parse_long_csv": "tip_indicators.io.longcsv",
    "parse_period": "tip_indicators.periods",
    "parse_value": "tip_indicators.values",
    "Period": "tip_indicators.periods",
    "Profile": "tip_indicators.profiles",
    "ProfileRule": "tip_indicators.profiles",
    "read_dataset": "tip_indicators.io.readers",
    "read_document": "tip_indicators.io.document",
    "read_long_csv": "tip_indicators.io.longcsv",
    "read_population": "tip_indicators.derived",
    "ReadLimits": "tip_indicators._private.textfile",
    "reconcile_mirrors": "tip_indicators.reconcile",
    "Report": "tip_indicators.report",
    "roll_up": "tip_indicators.rollup",
    "RollUp": "tip_indicators.rollup",
    "Rule": "tip_indicators.rules",
    "Severity": "tip_indicators.findings",
    "Suggestion": "tip_indicators.findings",
    "TipIndicatorsError": "tip_indicators.errors",
    "Tolerance": "tip_indicators.rules",
    "UnitError": "tip_indicators.errors",
    "Value": "tip_indicators.values",
    "write_document": "tip_indicators.io.document",
    "write_long_csv": "tip_indicators.io.longcsv",
}

__all__ = [
    "ArgumentError",
    "Catalogue",
    "Code",
    "CodeError",
    "Codelist",
    "Dataset",
    "DefinitionError",
    "Dimension",
    "DimensionKind",
    "Finding",
    "Indicator",
    "InputError",
    "InputFile",
    "Location",
    "Metadata",
    "ObservationRef",
    "Organisation",
    "Period",
    "Profile",
    "ProfileRule",
    "ReadLimits",
    "Report",
    "RollUp",
    "Rule",
    "Severity",
    "Suggestion",
    "TipIndicatorsError",
    "Tolerance",
    "UnitError",
    "Value",
    "__version__",
    "builtin_catalogue",
    "builtin_profile",
    "check",
    "codelist",
    "compare_sources",
    "compare_vintages",
    "default_rules",
    "derive_indicators",
    "format_expression",
    "load_profile",
    "parse_expression",
    "parse_long_csv",
    "parse_period",
    "parse_value",
    "read_dataset",
    "read_document",
    "read_long_csv",
    "read_population",
    "reconcile_mirrors",
    "roll_up",
    "write_document",
    "write_long_csv",
]


if not TYPE_CHECKING:

    def __getattr__(name: str) -> Any:
        """Import a public name (or a submodule) on first use."""
        home = _HOMES.get(name)
        if home is None:
            try:
                return importlib.import_module(f"{__name__}.{name}")
            except ModuleNotFoundError as error:
                if error.name != f"{__name__}.{name}":
                    raise
                raise AttributeError(f"module {__name__!r} has no attribute {name!r}") from None
        value = getattr(importlib.import_module(home), name)
        globals()[name] = value
        return value


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})
