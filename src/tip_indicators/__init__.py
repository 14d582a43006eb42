"""tip-indicators: one shared, checkable schema for trafficking-in-persons and migration statistics.

Read a dataset, check it, and act on the findings::

    import tip_indicators as ti
    report = ti.check(ti.read_dataset("report-2010.csv"))
"""

from tip_indicators._version import __version__
from tip_indicators.check import check
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
from tip_indicators.io import ReadLimits
from tip_indicators.io.document import read_document, write_document
from tip_indicators.io.frames import from_frame
from tip_indicators.io.longcsv import parse_long_csv, read_long_csv, write_long_csv
from tip_indicators.io.readers import read_dataset
from tip_indicators.languages import language
from tip_indicators.periods import Period, parse_period
from tip_indicators.profiles import (
    Profile,
    ProfileRule,
    builtin_profile,
    dump_profile,
    load_profile,
)
from tip_indicators.reconcile import compare_sources, compare_vintages, reconcile_mirrors
from tip_indicators.report import Report
from tip_indicators.rollup import RollUp, roll_up
from tip_indicators.rules import Rule, Tolerance, default_rules
from tip_indicators.values import Value, parse_value

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
    "dump_profile",
    "format_expression",
    "from_frame",
    "language",
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
