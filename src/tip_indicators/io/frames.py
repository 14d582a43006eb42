"""Data frames in: a pandas, polars or pyarrow table with the long CSV's columns, checked as is.

A pipeline that already holds its figures in a frame should not have to write them out as CSV
to check them. Any frame narwhals understands is taken; its cells are turned into the text the
long CSV would hold (an integer column stays ``10``, not ``10.0``; a missing cell is empty) and
checked by the same validation as every reader. Findings locate a figure by its 0-based row in
the frame (``Location.row``), so they join back to the input with ``frame[row]`` or
``df.iloc[row]``.
"""

from __future__ import annotations

import hashlib
from typing import Any

import polars as pl

from tip_indicators._private.queries import collect
from tip_indicators._private.validate import check_columns, dimensions_of, validate_raw
from tip_indicators.datasets import FRAME_FORMAT, Dataset, InputFile
from tip_indicators.errors import ArgumentError, InputError
from tip_indicators.indicators import Catalogue, builtin_catalogue

__all__ = ["from_frame"]

_EXACT = 2**53
"""Floats beyond this are not exact integers: they keep their float form."""


def from_frame(frame: Any, *, catalogue: Catalogue | None = None, name: str = "<frame>") -> Dataset:
    """Read a data frame (pandas, polars, pyarrow, or another narwhals supports) with the long
    CSV's columns into a dataset; ``name`` stands for the frame where a file name would.

    Problems in rows become the dataset's findings, each at its 0-based row. A frame that is
    not a table, or whose columns are not the long CSV's, raises
    :class:`~tip_indicators.errors.InputError` (what an unreadable file raises).
    """
    catalogue = catalogue or builtin_catalogue()
    table = _polars(frame, name)
    header = table.columns
    check_columns(header, name, catalogue)
    raw = table.select(_text(table, column, name) for column in header)
    raw = raw.with_columns(
        pl.lit(name).alias("path"), pl.int_range(pl.len(), dtype=pl.Int64).alias("line")
    )
    observations, findings = validate_raw(raw, catalogue)
    digest = hashlib.sha256(raw.drop("path", "line").write_csv().encode("utf-8")).hexdigest()
    return Dataset(
        observations,
        dimensions_of(header, catalogue),
        inputs=(InputFile(name, digest, observations.height, format=FRAME_FORMAT),),
        problems=findings,
        catalogue=None if catalogue is builtin_catalogue() else catalogue,
    )


def _polars(frame: Any, name: str) -> pl.DataFrame:
    """The frame as a polars frame, through narwhals (no code per frame library)."""
    # narwhals loads when a frame is read, not with the package: most runs read files
    import narwhals.stable.v2 as nw

    if isinstance(frame, pl.LazyFrame):
        frame = collect(frame)
    try:
        native = nw.from_native(frame, eager_only=True)
    except TypeError:
        kind = type(frame).__name__
        raise ArgumentError("frame", kind, "not a data frame narwhals can read") from None
    try:
        table: pl.DataFrame = native.to_polars()
    except (ValueError, TypeError, pl.exceptions.PolarsError) as error:
        raise InputError(name, f"cannot read the frame's columns: {error}") from None
    if any(not isinstance(column, str) for column in table.columns):
        raise InputError(name, "column names must be text")
    return table


def _text(table: pl.DataFrame, column: str, name: str) -> pl.Expr:
    """A column as the long CSV's text: integers as integers, integral floats (what pandas
    makes of an integer column with a gap) without ``.0``, a missing cell empty."""
    dtype = table.schema[column]
    cell = pl.col(column)
    if dtype.is_float():
        integral = cell.is_finite() & (cell == cell.round()) & (cell.abs() < _EXACT)
        text = (
            pl.when(integral)
            .then(cell.cast(pl.Int64, strict=False).cast(pl.String))
            .otherwise(cell.cast(pl.String))
        )
    elif dtype == pl.String:
        text = cell
    elif dtype.is_numeric() or dtype.is_temporal() or dtype in (pl.Boolean, pl.Categorical):
        text = cell.cast(pl.String)
    else:
        raise InputError(name, f"column {column!r} holds {dtype}, not text or numbers")
    return text.fill_null("").alias(column)
