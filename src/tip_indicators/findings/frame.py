"""Findings as a data frame to filter and join: what ``Report.to_polars()`` and
``Report.to_pandas()`` give.

One row per finding, in report order, with the JSON report's fields as columns: the location as
``path``, ``line`` (a file's 1-based physical line) and ``row`` (a checked frame's 0-based row);
numbers as numbers beside their text (an interval ``[10, 20]`` is text); the cited figures and
the suggestions as list columns. Exploded, there is one row per cited figure or per suggestion,
with that figure's or suggestion's fields in prefixed columns, ready to join back to the input
rows by ``observation_line`` or ``observation_row``.
"""

from __future__ import annotations

from collections.abc import Collection
from typing import Literal

import polars as pl

from tip_indicators.errors import ArgumentError
from tip_indicators.findings.citations import citation_columns, kind_of
from tip_indicators.findings.table import FindingTable

__all__ = ["EXPLODE", "findings_frame", "path_texts"]

EXPLODE = ("observations", "suggestions")
"""What a findings frame can have one row of each of, besides findings."""


def findings_frame(
    table: FindingTable,
    *,
    frames: Collection[str] = (),
    explode: Literal["observations", "suggestions"] | None = None,
) -> pl.DataFrame:
    """The findings of ``table`` as a frame (see the module's description); positions in the
    checked data frames named in ``frames`` are rows, others lines.

    Long because it is one query: the findings, their places and cited figures selected together.
    """
    if explode is not None and explode not in EXPLODE:
        raise ArgumentError("explode", explode, f"must be one of {', '.join(EXPLODE)} or None")
    names = list(frames)
    rows = table.rows
    figures = _figures(table, names)
    findings = rows.select(
        pl.int_range(pl.len(), dtype=pl.Int64).alias("finding"),
        "code",
        "severity",
        "message",
        "rule",
        *_place(path_texts(rows.get_column("path")), pl.col("line"), names),
        "field",
        "expected",
        "expected_text",
        "actual",
        "actual_text",
        "imbalance",
        "tolerance",
    )
    cited = (
        rows.select(pl.int_range(pl.len(), dtype=pl.Int64).alias("finding"), "cited")
        .explode("cited")
        .drop_nulls("cited")
        .join(figures, left_on="cited", right_on="figure", how="left", maintain_order="left")
        .drop("cited")
    )
    offered = (
        rows.select(pl.int_range(pl.len(), dtype=pl.Int64).alias("finding"), "suggestions")
        .explode("suggestions")
        .drop_nulls("suggestions")
        .unnest("suggestions")
    )
    offered = offered.select(
        "finding",
        *_place(path_texts(offered.get_column("path")), pl.col("line"), names),
        "field",
        "value",
        "reason",
        kind_of(pl.col("reason")).alias("kind"),
        "score",
    )
    if explode == "observations":
        return findings.join(
            _prefixed(cited, "observation_"), on="finding", how="inner", maintain_order="left"
        )
    if explode == "suggestions":
        return findings.join(
            _prefixed(offered, "suggestion_"), on="finding", how="inner", maintain_order="left"
        )
    return findings.with_columns(
        _nested(cited, "observations", rows.height),
        _nested(offered, "suggestions", rows.height),
    )


def _figures(table: FindingTable, frames: list[str]) -> pl.DataFrame:
    """The table's cited figures, numbered, with their dimensions as columns and place split."""
    columns = citation_columns(table.figures, table.dimensions)
    return columns.select(
        pl.int_range(pl.len(), dtype=pl.Int64).alias("figure"),
        "indicator",
        "period",
        "reporter",
        *table.dimensions,
        "measure",
        "value",
        "source",
        "derived",
        *_place(pl.col("path"), pl.col("line"), frames),
    )


def _place(path: pl.Expr | pl.Series, position: pl.Expr, frames: list[str]) -> list[pl.Expr]:
    """``path``, ``line`` and ``row`` columns from a path and a position in it."""
    name = pl.lit(path) if isinstance(path, pl.Series) else path
    is_row = name.is_in(frames).fill_null(False)
    return [
        name.alias("path"),
        pl.when(is_row).then(None).otherwise(position).alias("line"),
        pl.when(is_row).then(position).otherwise(None).alias("row"),
    ]


def path_texts(paths: pl.Series) -> pl.Series:
    """File names kept as UTF-8 bytes, as text (an undecodable byte shown as U+FFFD)."""
    distinct = paths.drop_nulls().unique()
    texts = [name.decode("utf-8", "replace") for name in distinct.to_list()]
    return paths.replace_strict(distinct, texts, default=None, return_dtype=pl.String)


def _prefixed(frame: pl.DataFrame, prefix: str) -> pl.DataFrame:
    return frame.rename({c: f"{prefix}{c}" for c in frame.columns if c != "finding"})


def _nested(parts: pl.DataFrame, name: str, height: int) -> pl.Series:
    """The rows of ``parts`` as a list of structs per finding (an empty list for none)."""
    fields = [c for c in parts.columns if c != "finding"]
    grouped = parts.group_by("finding", maintain_order=True).agg(pl.struct(fields).alias(name))
    every = pl.DataFrame({"finding": pl.int_range(height, eager=True, dtype=pl.Int64)})
    joined = every.join(grouped, on="finding", how="left", maintain_order="left")
    dtype = pl.List(pl.Struct({c: parts.schema[c] for c in fields}))
    return joined.get_column(name).cast(dtype).fill_null(pl.lit([], dtype)).alias(name)
