"""Observations: figures held column-wise in a polars DataFrame, one row per figure.

The columnar frame is the bulk representation that readers build and checks evaluate; no Python
object is made per figure on that path. :class:`~tip_indicators.findings.ObservationRef` is built
only for the few figures a finding cites.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import polars as pl

from tip_indicators.findings import Location, ObservationRef

__all__ = [
    "ATTRIBUTE_COLUMNS",
    "MEASURES",
    "REQUIRED_COLUMNS",
    "empty_observations",
    "key_columns",
    "observation_refs",
    "observation_schema",
]

REQUIRED_COLUMNS = ("indicator", "period", "reporter", "value")
ATTRIBUTE_COLUMNS = ("status", "conf_status", "unit", "source", "id", "note")
MEASURES = ("N", "CHG", "PCH", "PCT")


def observation_schema(dimensions: Sequence[str]) -> dict[str, pl.DataType]:
    """The columns of an observation frame for the given dimension columns, with their types.

    ``low``/``high`` bound the value (equal when exact, null when missing); ``decimals`` counts
    stated digits after the point; ``derived`` marks figures the library computed; ``path`` and
    ``line`` locate the figure in its input.
    """
    schema: dict[str, pl.DataType] = {
        "indicator": pl.String(),
        "period": pl.String(),
        "reporter": pl.String(),
    }
    schema.update({dimension: pl.String() for dimension in dimensions})
    schema.update(
        {
            "measure": pl.String(),
            "base_period": pl.String(),
            "value": pl.String(),
            "low": pl.Float64(),
            "high": pl.Float64(),
            "decimals": pl.Int8(),
        }
    )
    schema.update({column: pl.String() for column in ATTRIBUTE_COLUMNS})
    schema.update({"derived": pl.Boolean(), "path": pl.String(), "line": pl.Int64()})
    return schema


def empty_observations(dimensions: Sequence[str]) -> pl.DataFrame:
    """An observation frame with no rows."""
    return pl.DataFrame(schema=observation_schema(dimensions))


def key_columns(dimensions: Iterable[str]) -> list[str]:
    """The columns that identify a figure: two rows with the same key must agree."""
    return ["indicator", "period", "reporter", *dimensions, "measure", "base_period"]


def observation_refs(frame: pl.DataFrame, dimensions: Sequence[str]) -> list[ObservationRef]:
    """Build the citation of every row of ``frame`` (use on small, filtered frames only)."""
    return [observation_ref(row, dimensions) for row in frame.iter_rows(named=True)]


def observation_ref(row: Mapping[str, Any], dimensions: Sequence[str]) -> ObservationRef:
    """Build the citation of one row given as a mapping of column to value."""
    return ObservationRef(
        indicator=str(row.get("indicator") or ""),
        period=str(row.get("period") or ""),
        reporter=str(row.get("reporter") or ""),
        dimensions={dimension: str(row.get(dimension) or "_T") for dimension in dimensions},
        measure=str(row.get("measure") or "N"),
        value=str(row.get("value") if row.get("value") is not None else ""),
        source=row.get("source"),
        location=Location(str(row.get("path") or ""), row.get("line")),
        derived=bool(row.get("derived") or False),
    )
