"""Where each finding of a findings table is shown, column-wise: what the renderers share.

A finding is shown at its own location, else at the first figure it cites, else nowhere. File
names are kept as UTF-8 bytes (the lone surrogates standing for undecodable bytes kept), so
they are compared as bytes and turned into text once per distinct name.
"""

from __future__ import annotations

from collections.abc import Callable, Collection

import polars as pl

from tip_indicators.findings import FindingTable
from tip_indicators.findings.citations import citation_columns

__all__ = ["in_frames", "named", "primary_places"]


def primary_places(table: FindingTable, frames: Collection[str]) -> pl.DataFrame:
    """Per finding, in the table's order: ``finding`` (its number from 0), and the place it is
    shown at: ``key`` (the file name as bytes, empty for none), ``position`` (a line, or a row
    where ``is_row``: in one of the checked ``frames``) and ``field``."""
    figures = citation_columns(table.figures, table.dimensions).select(
        pl.int_range(pl.len(), dtype=pl.Int64).alias("first"),
        pl.col("path").cast(pl.Binary).alias("figure_path"),
        pl.col("path").is_in(list(frames)).alias("figure_is_row"),
        pl.col("line").alias("figure_line"),
        pl.col("cell").alias("figure_field"),
    )
    located = pl.col("path").is_not_null()

    def either(own: str, figure: str) -> pl.Expr:
        return pl.when(located).then(pl.col(own)).otherwise(pl.col(figure))

    return (
        table.rows.select(
            pl.int_range(pl.len(), dtype=pl.Int64).alias("finding"),
            "path",
            "line",
            "field",
            pl.col("cited").list.first().alias("first"),
        )
        .join(figures, on="first", how="left", maintain_order="left")
        .select(
            "finding",
            either("path", "figure_path").fill_null(b"").alias("key"),
            either("line", "figure_line").alias("position"),
            either("field", "figure_field").alias("field"),
            pl.when(located)
            .then(in_frames(pl.col("path"), frames))
            .otherwise(pl.col("figure_is_row").fill_null(False))
            .alias("is_row"),
        )
    )


def in_frames(paths: pl.Expr, frames: Collection[str]) -> pl.Expr:
    """Whether each path (UTF-8 bytes) names one of the checked ``frames``."""
    names = pl.Series([name.encode("utf-8", "surrogatepass") for name in frames], dtype=pl.Binary)
    return paths.is_in(pl.lit(names).implode()).fill_null(False)


def named(paths: pl.Expr, write: Callable[[str], str]) -> pl.Expr:
    """``write`` of each file name (UTF-8 bytes, as text with its lone surrogates), called
    once per distinct name: a report names few files."""

    def texts(names: pl.Series) -> pl.Series:
        distinct = names.drop_nulls().unique()
        written = [write(name.decode("utf-8", "surrogatepass")) for name in distinct.to_list()]
        return names.replace_strict(distinct, written, default=None, return_dtype=pl.String)

    return paths.map_batches(texts, return_dtype=pl.String)
