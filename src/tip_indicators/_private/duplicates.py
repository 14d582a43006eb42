"""Keys given more than once: identical copies keep one figure, conflicting ones keep none.

Used when a file is read and when datasets are combined: a key given in two inputs is a
duplicate like one given twice in one file.
"""

from __future__ import annotations

from collections.abc import Sequence

import polars as pl

from tip_indicators.findings import Finding, Location, Severity
from tip_indicators.findings.citations import observation_ref
from tip_indicators.findings.wording import worded_text
from tip_indicators.observations import key_columns

_ROW = "_row"


_HASH_FACTOR = 1_000_003


def resolve_duplicates(
    frame: pl.DataFrame, dimensions: Sequence[str]
) -> tuple[pl.DataFrame, list[Finding]]:
    """Report keys given more than once; keep one of identical copies, none of conflicting ones.

    ``frame`` needs a ``_row`` column giving the input order.

    Long because the one message per repeated key is built where the key's rows are at hand; the
    rest is a short query.
    """
    keys = key_columns(dimensions)
    # Equal keys hash alike, so keys whose hashes all differ are distinct: the exact comparison
    # is needed only when two hashes meet.
    combined = pl.lit(0, pl.UInt64)
    for key in keys:
        combined = combined * pl.lit(_HASH_FACTOR, pl.UInt64) + pl.col(key).hash()
    if frame.select(combined.n_unique()).item() == frame.height:
        return frame, []
    if not frame.select(pl.struct(keys).is_duplicated().any()).item():
        return frame, []
    counted = frame.with_columns(
        pl.len().over(keys, mapping_strategy="group_to_rows").alias("_copies"),
        pl.struct("low", "high").n_unique().over(keys).alias("_values"),
    )
    findings: list[Finding] = []
    repeated = counted.filter(pl.col("_copies") > 1).sort(_ROW)
    for _, group in repeated.group_by(keys, maintain_order=True):
        rows = list(group.iter_rows(named=True))
        refs = tuple(observation_ref(row, dimensions) for row in rows)
        paths = {row["path"] for row in rows}
        lines = ", ".join(
            str(row["line"]) if len(paths) == 1 else f"{row['path']}:{row['line']}" for row in rows
        )
        values = ", ".join(repr(row["value"] or "") for row in rows)
        conflict = rows[0]["_values"] > 1
        label = refs[0].label()
        findings.append(
            Finding(
                code="duplicate-conflict" if conflict else "duplicate-identical",
                severity=Severity.ERROR if conflict else Severity.WARNING,
                message=(
                    worded_text(
                        "value: {figure} is given {times} times (lines {lines}) with values "
                        "{values}; no check uses it until one value is kept",
                        figure=label,
                        times=str(len(rows)),
                        lines=lines,
                        values=values,
                    )
                    if conflict
                    else worded_text(
                        "{figure} is given {times} times (lines {lines}) with the same value",
                        figure=label,
                        times=str(len(rows)),
                        lines=lines,
                    )
                ),
                observations=refs,
                location=Location(
                    str(rows[-1]["path"] or ""), rows[-1]["line"], "value" if conflict else None
                ),
            )
        )
    conflicting = counted.filter((pl.col("_copies") > 1) & (pl.col("_values") > 1)).get_column(_ROW)
    kept = (
        counted.filter(~pl.col(_ROW).is_in(conflicting.implode()))
        .unique(subset=keys, keep="first", maintain_order=True)
        .drop("_copies", "_values")
    )
    return kept, findings
