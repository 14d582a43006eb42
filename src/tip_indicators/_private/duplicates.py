"""Keys given more than once: identical copies keep one figure, conflicting ones keep none.

Used when a file is read and when datasets are combined: a key given in two inputs is a
duplicate like one given twice in one file.
"""

from __future__ import annotations

from collections.abc import Sequence

import polars as pl

from tip_indicators.findings import FindingTable, Severity
from tip_indicators.findings.citations import citation_columns, citation_label
from tip_indicators.findings.wording import worded
from tip_indicators.observations import key_columns

_ROW = "_row"
_POSITION = "_position"
"""A figure's row in the frame given: what the findings cite."""


_HASH_FACTOR = 1_000_003


def resolve_duplicates(
    frame: pl.DataFrame, dimensions: Sequence[str]
) -> tuple[pl.DataFrame, FindingTable]:
    """Report keys given more than once; keep one of identical copies, none of conflicting ones.

    ``frame`` needs a ``_row`` column giving the input order. There is one finding per repeated
    key, located at its last copy and citing every copy, worded column-wise for every key at
    once."""
    keys = key_columns(dimensions)
    # Equal keys hash alike, so keys whose hashes all differ are distinct: the exact comparison
    # is needed only when two hashes meet.
    combined = pl.lit(0, pl.UInt64)
    for key in keys:
        combined = combined * pl.lit(_HASH_FACTOR, pl.UInt64) + pl.col(key).hash()
    if frame.select(combined.n_unique()).item() == frame.height:
        return frame, FindingTable.empty(dimensions)
    if not frame.select(pl.struct(keys).is_duplicated().any()).item():
        return frame, FindingTable.empty(dimensions)
    counted = frame.with_row_index(_POSITION).with_columns(
        pl.len().over(keys, mapping_strategy="group_to_rows").alias("_copies"),
        pl.struct("low", "high").n_unique().over(keys).alias("_values"),
    )
    repeated = counted.filter(pl.col("_copies") > 1).sort(_ROW)
    findings = _duplicate_findings(repeated, keys, dimensions)
    conflicting = counted.filter((pl.col("_copies") > 1) & (pl.col("_values") > 1)).get_column(_ROW)
    kept = (
        counted.filter(~pl.col(_ROW).is_in(conflicting.implode()))
        .unique(subset=keys, keep="first", maintain_order=True)
        .drop(_POSITION, "_copies", "_values")
    )
    return kept, FindingTable.recorded(findings, frame, dimensions, 0)


def _duplicate_findings(
    repeated: pl.DataFrame, keys: Sequence[str], dimensions: Sequence[str]
) -> pl.DataFrame:
    """One finding row per key of ``repeated`` (its copies, in input order), citing them by
    their position in the frame given: an error when the copies' values differ, a warning when
    they agree.

    Long because it is one message builder: the lines, values and label of each key are read
    off the same grouped columns as its code and severity."""
    written = repeated.get_column("value").fill_null("")
    distinct = written.unique()
    quoted = written.replace_strict(
        distinct, [repr(text) for text in distinct.to_list()], return_dtype=pl.String
    )
    line = pl.col("line").cast(pl.String).fill_null("None")
    frame = repeated.select(
        *keys,
        _POSITION,
        "_values",
        citation_columns(repeated, dimensions)
        .select(citation_label(dimensions))
        .to_series()
        .alias("_label"),
        line.alias("_line"),
        pl.concat_str(pl.col("path").fill_null("None"), pl.lit(":"), line).alias("_place"),
        pl.col("path").alias("_path"),
        quoted.alias("_quoted"),
    )
    groups = frame.group_by(keys, maintain_order=True).agg(
        pl.col(_POSITION).alias("cited"),
        pl.col(_POSITION).last().alias("located_at"),
        pl.col("_label").first(),
        pl.len().cast(pl.String).alias("_times"),
        pl.when(pl.col("_path").n_unique() == 1)
        .then(pl.col("_line"))
        .otherwise(pl.col("_place"))
        .str.join(", ")
        .alias("_lines"),
        pl.col("_quoted").str.join(", ").alias("_values_text"),
        (pl.col("_values").first() > 1).alias("_conflict"),
    )
    conflict = pl.col("_conflict")
    return groups.select(
        pl.when(conflict)
        .then(pl.lit("duplicate-conflict"))
        .otherwise(pl.lit("duplicate-identical"))
        .alias("code"),
        pl.when(conflict)
        .then(pl.lit(Severity.ERROR.value))
        .otherwise(pl.lit(Severity.WARNING.value))
        .alias("severity"),
        pl.when(conflict)
        .then(
            worded(
                "value: {figure} is given {times} times (lines {lines}) with values "
                "{values}; no check uses it until one value is kept",
                figure=pl.col("_label"),
                times=pl.col("_times"),
                lines=pl.col("_lines"),
                values=pl.col("_values_text"),
            )
        )
        .otherwise(
            worded(
                "{figure} is given {times} times (lines {lines}) with the same value",
                figure=pl.col("_label"),
                times=pl.col("_times"),
                lines=pl.col("_lines"),
            )
        )
        .alias("message"),
        pl.col("located_at").cast(pl.Int64),
        pl.col("cited").cast(pl.List(pl.Int64)),
        pl.when(conflict).then(pl.lit("value")).alias("field"),
    )
