"""Observations: figures held column-wise in a polars DataFrame, one row per figure.

The columnar frame is the bulk representation that readers build and checks evaluate; no Python
object is made per figure on that path. :class:`~tip_indicators.findings.ObservationRef` is built
only for the few figures a finding cites.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import polars as pl

from tip_indicators._private.citations import DIMENSION_DEFAULT, TEXT_DEFAULTS, citation_columns
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
    """Build the citation of every row of ``frame``, column by column; the same as
    :func:`observation_ref` on each row.

    Used for the figures findings cite, which can be a hundred thousand in a large file with many
    findings: the columns are read out once, and rows with the same dimension codes share one
    mapping of them (citations are immutable).
    """
    if frame.height == 0:
        return []
    columns = citation_columns(frame, dimensions).to_dict(as_series=False)
    mappings = _SharedMappings(dimensions)
    codes = (
        zip(*(columns[dimension] for dimension in dimensions), strict=True)
        if dimensions
        else itertools.repeat((), frame.height)
    )
    # Built by map over the columns, with no Python loop: this runs for every cited figure.
    return list(
        map(
            ObservationRef,
            columns["indicator"],
            columns["period"],
            columns["reporter"],
            map(mappings.__getitem__, codes),
            columns["measure"],
            columns["value"],
            columns["source"],
            map(Location, columns["path"], columns["line"]),
            columns["derived"],
        )
    )


class _SharedMappings(dict[tuple[str, ...], dict[str, str]]):
    """One mapping of dimension to code per distinct row of codes (citations are immutable)."""

    def __init__(self, dimensions: Sequence[str]) -> None:
        super().__init__()
        self.dimensions = dimensions

    def __missing__(self, codes: tuple[str, ...]) -> dict[str, str]:
        mapping = self[codes] = dict(zip(self.dimensions, codes, strict=True))
        return mapping


def observation_ref(row: Mapping[str, Any], dimensions: Sequence[str]) -> ObservationRef:
    """Build the citation of one row given as a mapping of column to value."""
    text = {name: str(row.get(name) or default) for name, default in TEXT_DEFAULTS.items()}
    return ObservationRef(
        indicator=text["indicator"],
        period=text["period"],
        reporter=text["reporter"],
        dimensions={d: str(row.get(d) or DIMENSION_DEFAULT) for d in dimensions},
        measure=text["measure"],
        value=str(row["value"]) if row.get("value") is not None else "",
        source=row.get("source"),
        location=Location(text["path"], row.get("line")),
        derived=bool(row.get("derived") or False),
    )
