"""Observations: figures held column-wise in a polars DataFrame, one row per figure.

The columnar frame is the bulk representation that readers build and checks evaluate; no Python
object is made per figure on that path. A finding cites figures as
:class:`~tip_indicators.findings.ObservationRef` objects only when the Python API asks for them
(see :mod:`tip_indicators.findings.citations`).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import polars as pl

__all__ = [
    "ATTRIBUTE_COLUMNS",
    "MEASURES",
    "REQUIRED_COLUMNS",
    "empty_observations",
    "key_columns",
    "long_columns",
    "observation_schema",
]

REQUIRED_COLUMNS = ("indicator", "period", "reporter", "value")
ATTRIBUTE_COLUMNS = ("status", "conf_status", "unit", "source", "id", "note")
MEASURES = ("N", "CHG", "PCH", "PCT")


def long_columns(dimensions: Sequence[str]) -> list[str]:
    """The long CSV's columns in the order it is written: keys, the dimensions, the measure and
    its base period, the value, then the attributes."""
    return [
        "indicator",
        "period",
        "reporter",
        *dimensions,
        "measure",
        "base_period",
        "value",
        *ATTRIBUTE_COLUMNS,
    ]


def observation_schema(dimensions: Sequence[str]) -> dict[str, pl.DataType]:
    """The columns of an observation frame for the given dimension columns, with their types.

    ``low``/``high`` bound the value (equal when exact, null when missing); ``decimals`` counts
    stated digits after the point; ``derived`` marks figures the library computed; ``path`` and
    ``line`` locate the figure in its input. Figures read from a workbook's cross-tab form also
    have a ``cell`` column (``victims_received!C8``), which is not part of this schema.
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
