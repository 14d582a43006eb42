"""The built-in indicator catalogue as plain data, read from the package's own TOML file.

The findings-heavy contender and the generator of its data need to know which dimensions each
indicator allows (and whether a breakdown along it partitions the total) and which indicators
bound which. They read the reference data the tool reads, ``data/catalogue.toml``, with the
standard library: the file is found beside the package without importing it.
"""

from __future__ import annotations

import functools
import importlib.util
import os
import tomllib
from dataclasses import dataclass

PARTITION = "partition"
BREAKDOWN = "breakdown"


@dataclass(frozen=True)
class Indicator:
    """One catalogue entry: its unit, its dimensions (``partition`` or ``breakdown``), and the
    indicators it can never exceed, each with the severity of a failure."""

    code: str
    unit: str
    dimensions: dict[str, str]
    bounded_by: dict[str, str]


def catalogue_path() -> str:
    """Where the installed (or the first on ``sys.path``) package keeps its catalogue."""
    spec = importlib.util.find_spec("tip_indicators")
    if spec is None or spec.origin is None:
        raise SystemExit("tip_indicators is not installed: its catalogue cannot be read")
    return os.path.join(os.path.dirname(spec.origin), "data", "catalogue.toml")


@functools.cache
def catalogue() -> dict[str, Indicator]:
    """The indicators of the built-in catalogue, by code."""
    with open(catalogue_path(), "rb") as handle:
        document = tomllib.load(handle)
    return {
        code: Indicator(
            code,
            entry["unit"],
            dict(entry.get("dimensions", {})),
            dict(entry.get("bounded_by", {})),
        )
        for code, entry in document["indicators"].items()
    }
