"""Contender: the sum, bound and change checks written by hand in polars (lazy frames).

``python benchmarks/contenders/polars_lazy.py DATA GROUPS_OUT`` reads the long CSV, checks it
with the semantics of ``_common.py`` and writes the flagged (indicator, period, reporter) groups.
The only eager step is the table of slice signatures, whose relations are computed once per
distinct set of codes in Python.
"""

from __future__ import annotations

import os
import sys

import polars as pl

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from _common import (
    BOUND_DIMENSIONS,
    DIMENSIONS,
    EPSILON,
    GROUP,
    PARTITION_DIMENSIONS,
    REMAINDER,
    relation_rows,
    write_groups,
)

LEVEL_KEYS = ("indicator", "period", "reporter", *DIMENSIONS)


def load(path: str) -> pl.DataFrame:
    """The long CSV with dimensions filled (``_T``), values read into ``low``/``high``."""
    text = pl.col("value").str.strip_chars()
    censored = text.str.starts_with("<")
    number = text.cast(pl.Float64, strict=False)
    is_change = pl.col("measure").is_in(["CHG", "PCH"])
    frame = (
        pl.scan_csv(path, infer_schema=False)
        .with_columns(
            *[pl.col(d).fill_null("_T") for d in DIMENSIONS],
            pl.col("measure").fill_null("N"),
            pl.col("status").fill_null(""),
            pl.when(censored).then(pl.lit(0.0)).otherwise(number).alias("low"),
            pl.when(censored)
            .then(text.str.slice(1).cast(pl.Float64, strict=False) - 1)
            .otherwise(number)
            .alias("high"),
            text.str.split(".")
            .list.get(1, null_on_oob=True)
            .str.len_chars()
            .fill_null(0)
            .alias("decimals"),
        )
        .with_columns(
            pl.when(is_change & pl.col("base_period").is_null())
            .then((pl.col("period").cast(pl.Int32) - 1).cast(pl.String))
            .otherwise(pl.col("base_period"))
            .alias("base_period")
        )
        .collect()
    )
    unreadable = frame.filter(pl.col("value").is_not_null() & pl.col("high").is_null())
    if unreadable.height:
        raise SystemExit(f"{path}: {unreadable.height} values cannot be read")
    return frame


def _breakdown(levels: pl.DataFrame, dimension: str) -> pl.LazyFrame:
    """The groups where a relation along ``dimension`` certainly fails.

    A slice is every level figure with the same key but ``dimension``; its signature is the sum
    of one bit per code it gives (codes are unique within a slice), so the relations are looked
    up by an integer join instead of lists of codes.
    """
    others = ["group", *[d for d in DIMENSIONS if d != dimension]]
    codes = sorted(levels.get_column(dimension).unique().to_list())
    if len(codes) > 62:
        raise SystemExit(f"{dimension}: more than 62 codes")
    bits = {code: 1 << number for number, code in enumerate(codes)}
    members = (
        levels.lazy()
        .filter(pl.len().over(others) > 1)
        .select(
            pl.struct(others).rank("dense").alias("slice"),
            "group",
            pl.col(dimension).alias("code"),
            "low",
            "high",
            "status",
        )
        .with_columns(
            pl.col("code")
            .replace_strict(bits, return_dtype=pl.Int64)
            .sum()
            .over("slice")
            .alias("sig")
        )
        .collect()
    )
    masks = members.get_column("sig").unique().to_list()
    signatures = {"|".join(c for c in codes if mask & bits[c]): mask for mask in masks}
    table = relation_rows(dimension, signatures)
    table["sig"] = [signatures[s] for s in table["sig"]]  # type: ignore[index]
    schema = {
        "sig": pl.Int64,
        "rel": pl.Int64,
        "parent": pl.String,
        "child": pl.String,
        "disjoint": pl.Boolean,
        "complete": pl.Boolean,
    }
    relation = pl.LazyFrame(table, schema=schema)
    parents = members.lazy().select(
        "slice",
        pl.col("code").alias("parent"),
        pl.col("low").alias("p_low"),
        pl.col("high").alias("p_high"),
    )
    pairs = (
        members.lazy()
        .join(relation, left_on=["sig", "code"], right_on=["sig", "child"])
        .join(parents, on=["slice", "parent"])
    )
    unknown = pl.col("low").is_null()
    if dimension in BOUND_DIMENSIONS:
        bad = pairs.filter(pl.col("low") > pl.col("p_high")).select("group")
    else:
        sums = pairs.group_by("slice", "rel").agg(
            pl.first("group", "p_low", "p_high", "complete", "disjoint"),
            pl.col("low").sum().alias("sum_low"),
            pl.col("high").sum().alias("sum_high"),
            (unknown & (pl.col("status") == REMAINDER)).sum().alias("n_remainder"),
            (unknown & (pl.col("status") != REMAINDER)).sum().alias("n_unknown"),
        )
        closed = pl.col("complete") | (pl.col("n_remainder") > 0)
        all_known = (pl.col("n_remainder") == 0) & (pl.col("n_unknown") == 0)
        exceeds = pl.col("sum_low") > pl.col("p_high")
        short = closed & all_known & (pl.col("sum_high") < pl.col("p_low"))
        failed_sums = sums.filter(
            pl.col("disjoint") & pl.col("p_low").is_not_null() & (exceeds | short)
        )
        overlapping = pairs.filter(~pl.col("disjoint") & (pl.col("low") > pl.col("p_high")))
        bad = pl.concat([failed_sums.select("group"), overlapping.select("group")])
    return bad


def _changes(frame: pl.DataFrame, levels: pl.DataFrame) -> list[pl.LazyFrame]:
    match = ["indicator", "reporter", *DIMENSIONS]
    level = levels.lazy().select(
        *match, "period", pl.col("low").alias("t_low"), pl.col("high").alias("t_high")
    )
    base = levels.lazy().select(
        *match,
        pl.col("period").alias("base_period"),
        pl.col("low").alias("b_low"),
        pl.col("high").alias("b_high"),
    )
    stated = frame.lazy().filter(
        pl.col("measure").is_in(["CHG", "PCH"]) & pl.col("low").is_not_null()
    )
    joined = stated.join(level, on=[*match, "period"]).join(base, on=[*match, "base_period"])
    x_low = pl.col("t_low") - pl.col("b_high")
    x_high = pl.col("t_high") - pl.col("b_low")
    change_bad = (pl.col("measure") == "CHG") & (
        (pl.col("low") < x_low) | (pl.col("high") > x_high)
    )
    corners = [100.0 * x / pl.col(b) for x in (x_low, x_high) for b in ("b_low", "b_high")]
    unit = pl.lit(10.0).pow(-pl.col("decimals").cast(pl.Float64))
    value = pl.col("low")
    window_low = pl.when(value >= 0).then(value - unit / 2).otherwise(value - unit)
    window_high = pl.when(value >= 0).then(value + unit).otherwise(value + unit / 2)
    percent_bad = (
        (pl.col("measure") == "PCH")
        & (pl.col("b_low") > 0)
        & ~(
            (pl.min_horizontal(corners) <= window_high + EPSILON)
            & (pl.max_horizontal(corners) >= window_low - EPSILON)
        )
    )
    return [joined.filter(change_bad | percent_bad).select("group")]


def flagged(frame: pl.DataFrame) -> pl.DataFrame:
    """The (indicator, period, reporter) groups where some rule certainly fails."""
    frame = frame.with_columns(pl.struct(*GROUP).rank("dense").alias("group"))
    levels = frame.filter(pl.col("measure") == "N").select(
        *LEVEL_KEYS, "group", "low", "high", "status"
    )
    queries = [_breakdown(levels, d) for d in (*PARTITION_DIMENSIONS, *BOUND_DIMENSIONS)]
    queries += [q.select("group") for q in _changes(frame, levels)]
    found = pl.concat(pl.collect_all(queries)).unique()
    return frame.select("group", *GROUP).join(found, on="group", how="semi").unique().drop("group")


def main() -> None:
    data, out = sys.argv[1], sys.argv[2]
    write_groups(out, flagged(load(data)).iter_rows())


if __name__ == "__main__":
    main()
