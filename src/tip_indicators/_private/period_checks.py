"""Validation of periods: the period, the base period of a change and how the two relate."""

from __future__ import annotations

import polars as pl

from tip_indicators._private.row_problems import Problems
from tip_indicators.findings.wording import worded
from tip_indicators.periods import (
    PERIOD_PATTERN,
    frequency_expr,
    period_sort_key,
    previous_year_expr,
)


def check_periods(frame: pl.DataFrame, problems: Problems) -> pl.DataFrame:
    """Judge every period and base period, once per distinct combination with the measure, and fill
    in the base period of a change given without one (the year before).

    Long because the period checks share one judged frame of distinct combinations, joined back
    to the rows together, and the usual case with no problem returns early from the middle.
    """
    # A file repeats a few dozen periods: each combination of period, base period and measure
    # is judged once. Only when one of them is wrong are the verdicts joined back to the rows.
    combinations = frame.select("period", "base_period", "measure").unique()
    period_ok = pl.col("period").str.contains(PERIOD_PATTERN).fill_null(False)
    is_change = pl.col("measure").is_in(["CHG", "PCH"])
    base = (
        pl.when(pl.col("base_period").is_null() & is_change & period_ok)
        .then(previous_year_expr("period"))
        .otherwise(pl.col("base_period"))
    )
    judged = combinations.with_columns(
        period_ok.alias("_period_ok"), is_change.alias("_change"), base.alias("_base")
    ).with_columns(
        pl.col("_base").str.contains(PERIOD_PATTERN).fill_null(False).alias("_base_ok"),
    )
    comparable = (
        pl.col("_base").is_not_null()
        & pl.col("_base_ok")
        & pl.col("_period_ok")
        & pl.col("_change")
    )
    has_base = pl.col("base_period").is_not_null()
    checks = [
        (
            ~pl.col("_period_ok") & (pl.col("period").str.strip_chars() != ""),
            "period",
            worded(
                "period: '{period}' is not a period (2010, 2010-S1, 2010-Q1, 2010-01)",
                period=pl.col("period"),
            ),
        ),
        (
            has_base & ~pl.col("_base_ok"),
            "base_period",
            worded(
                "base_period: '{base_period}' is not a period", base_period=pl.col("base_period")
            ),
        ),
        (
            has_base & ~pl.col("_change"),
            "base_period",
            worded(
                "base_period: only a change (CHG, PCH) has a base period, not {measure}",
                measure=pl.col("measure"),
            ),
        ),
        (
            comparable & (frequency_expr("_base") != frequency_expr("period")),
            "base_period",
            worded(
                "base_period: '{base_period}' is not of the same frequency as period '{period}'",
                base_period=pl.col("base_period"),
                period=pl.col("period"),
            ),
        ),
        (
            comparable & (period_sort_key("_base") >= period_sort_key("period")),
            "base_period",
            worded(
                "base_period: '{base_period}' is not before period '{period}'",
                base_period=pl.col("base_period"),
                period=pl.col("period"),
            ),
        ),
    ]
    # The checks read the base period as filled in (a change without one is against the year
    # before); each verdict is a column of its own.
    verdicts = judged.with_columns(pl.col("_base").alias("base_period")).select(
        [mask.alias(f"_check{n}") for n, (mask, _, _) in enumerate(checks)]
    )
    judged = pl.concat([judged, verdicts], how="horizontal")
    filled = pl.col("_base").ne_missing(pl.col("base_period"))
    if not judged.select(pl.any_horizontal(verdicts.columns).any()).item():
        # The usual case: the only work left is filling in base periods, which depend only on
        # the period (the year before), so they are looked up rather than joined.
        previous = judged.filter(filled).select("period", "_base").unique()
        if previous.height == 0:
            return frame
        lookup = pl.col("period").replace_strict(
            previous.get_column("period"), previous.get_column("_base"), default=None
        )
        return frame.with_columns(
            pl.when(pl.col("base_period").is_null() & is_change)
            .then(lookup)
            .otherwise(pl.col("base_period"))
            .alias("base_period")
        )
    frame = frame.join(
        judged.drop("_period_ok", "_change", "_base_ok"),
        on=["period", "base_period", "measure"],
        how="left",
        maintain_order="left",
        nulls_equal=True,
    ).with_columns(pl.col("_base").alias("base_period"))
    for number_, (_, field, message) in enumerate(checks):
        problems.add(frame, pl.col(f"_check{number_}"), field, "invalid-period", message)
    return frame.drop("_base", *verdicts.columns)
