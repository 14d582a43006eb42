"""Rates per 100,000: sex-specific rates bracket the total rate, unless the table divides every
sex by the total population, in which case they add up to it. The rule says which denominator
each table uses, and fails only when neither reading fits the stated digits.
"""

from __future__ import annotations

import polars as pl

from tip_indicators._engine.base import ID, Run, id_list, number_texts
from tip_indicators.findings import Severity, messages
from tip_indicators.rules import Rule

_RATE_UNITS = frozenset({"per_100k"})


def evaluate_rate(run: Run, rule: Rule) -> None:
    """Judge every (indicator, period, reporter, other dimensions) with F, M and total rates.

    Long because the two readings of a table (sex-specific or total-population denominators) are
    judged in one frame."""
    rates = [i.code for i in run.catalogue if i.unit in _RATE_UNITS]
    if not rates or "sex" not in run.dimensions:
        return
    figures = run.levels().filter(
        pl.col("indicator").is_in(rates)
        & pl.col("sex").is_in(["_T", "F", "M"])
        & pl.col("low").is_not_null()
        & (pl.col("low") == pl.col("high"))
    )
    others = [k for k in run.keys if k != "sex"]
    unit = pl.lit(10.0).pow(-pl.col("decimals").fill_null(0).cast(pl.Float64))
    wide = (
        figures.with_columns(unit.alias("u"))
        .group_by(others, maintain_order=True)
        .agg(
            *[
                pl.col("low").filter(pl.col("sex") == s).first().alias(f"v{s}")
                for s in ("_T", "F", "M")
            ],
            *[
                pl.col(ID).filter(pl.col("sex") == s).first().alias(f"i{s}")
                for s in ("_T", "F", "M")
            ],
            pl.col("u").sum().alias("tol"),
        )
        .filter(
            pl.col("v_T").is_not_null() & pl.col("vF").is_not_null() & pl.col("vM").is_not_null()
        )
    )
    if wide.height == 0:
        return
    low = pl.min_horizontal("vF", "vM") - pl.col("tol")
    high = pl.max_horizontal("vF", "vM") + pl.col("tol")
    brackets = (pl.col("v_T") >= low) & (pl.col("v_T") <= high)
    adds = (pl.col("vF") + pl.col("vM") - pl.col("v_T")).abs() <= pl.col("tol")
    judged = wide.with_columns(
        pl.when(brackets | adds).then(pl.lit("pass")).otherwise(pl.lit("fail")).alias("outcome"),
        pl.when(brackets)
        .then(pl.lit("sex-specific denominators"))
        .when(adds)
        .then(pl.lit("total-population denominators"))
        .otherwise(pl.lit(None))
        .alias("reason"),
        pl.format("{} {} {}: rates by sex", "indicator", "period", "reporter").alias("group"),
    )
    judged = _table_readings(run, judged)
    run.add_evaluations(rule.name, judged, "i_T")
    failures = run.with_texts(judged.filter(pl.col("reason").is_null()), total="i_T")
    female, male = failures.get_column("vF"), failures.get_column("vM")
    lowest = failures.select(pl.min_horizontal("vF", "vM")).to_series()
    highest = failures.select(pl.max_horizontal("vF", "vM")).to_series()
    numbers = run.record(
        failures,
        code="rate-bracket",
        severity=Severity.ERROR.value,
        message=messages.rate_bracket(
            total=pl.col("total_label"),
            total_rate=pl.lit(number_texts(failures.get_column("v_T"))),
            female=pl.lit(number_texts(female)),
            male=pl.lit(number_texts(male)),
            added=pl.lit(number_texts(female + male)),
        ),
        rule=rule.name,
        located_at="i_T",
        cited=id_list("i_T", "iF", "iM"),
        expected_text=pl.format(
            "{}..{}", pl.lit(number_texts(lowest)), pl.lit(number_texts(highest))
        ),
        actual=pl.col("v_T"),
        imbalance=pl.col("v_T") - pl.lit(highest),
        tolerance=pl.col("tol"),
    )
    run.windows.append(_bracket_windows(failures.with_columns(numbers.alias("finding"))))


def _bracket_windows(failures: pl.DataFrame) -> pl.DataFrame:
    """The values each rate of a failed bracket may take alone: the total anywhere between the
    two sex rates; a sex rate past the total, where it is the one the total lies beyond."""
    lowest, highest = pl.min_horizontal("vF", "vM"), pl.max_horizontal("vF", "vM")
    above = pl.col("v_T") > highest
    windows = [
        failures.select(
            "finding",
            pl.col("i_T").alias("figure"),
            lowest.alias("low"),
            highest.alias("high"),
            pl.col("v_T").clip(lowest, highest).alias("nearest"),
        )
    ]
    for sex, other in (("F", "M"), ("M", "F")):
        windows.append(
            failures.filter(
                pl.when(above)
                .then(pl.col(f"v{sex}") >= pl.col(f"v{other}"))
                .otherwise(pl.col(f"v{sex}") <= pl.col(f"v{other}"))
            ).select(
                "finding",
                pl.col(f"i{sex}").alias("figure"),
                pl.when(above).then(pl.col("v_T")).otherwise(0.0).alias("low"),
                pl.when(above).then(float("inf")).otherwise(pl.col("v_T")).alias("high"),
                pl.col("v_T").alias("nearest"),
            )
        )
    return pl.concat(windows)


def _table_readings(run: Run, judged: pl.DataFrame) -> pl.DataFrame:
    """Within one table (indicator and reporter), rates on the total population must add up in
    every group: a group read otherwise, where most groups add up, fails ``rate-sum``."""
    table = ["indicator", "reporter"]
    counted = judged.with_columns(
        (pl.col("reason") == "total-population denominators").sum().over(table).alias("n_sum"),
        (pl.col("reason") == "sex-specific denominators").sum().over(table).alias("n_bracket"),
    )
    odd = (pl.col("reason") == "sex-specific denominators") & (
        pl.col("n_sum") > pl.col("n_bracket")
    )
    odd_ones = run.with_texts(counted.filter(odd), total="i_T")
    added = odd_ones.get_column("vF") + odd_ones.get_column("vM")
    run.record(
        odd_ones,
        code="rate-sum",
        severity=Severity.WARNING.value,
        message=messages.rate_sum(
            total=pl.col("total_label"),
            periods=pl.col("n_sum").cast(pl.String),
            added=pl.lit(number_texts(added)),
            total_rate=pl.lit(number_texts(odd_ones.get_column("v_T"))),
        ),
        rule="rate.sex",
        located_at="i_T",
        cited=id_list("i_T", "iF", "iM"),
        expected=pl.col("v_T"),
        actual=pl.lit(added),
        imbalance=pl.lit(added) - pl.col("v_T"),
        tolerance=pl.col("tol"),
    )
    return counted.with_columns(
        pl.when(odd).then(pl.lit("fail")).otherwise(pl.col("outcome")).alias("outcome")
    )
