"""Roll-up: combine submissions of several reporters (provinces, member organisations) into one.

Figures are summed across reporters only where the catalogue says an indicator is additive.
The result says which expected reporters are missing for each figure, and compares a national
figure that is reported directly with the sum of its parts: equal when the list of reporters is
complete, at least the sum when it is not.
"""

from __future__ import annotations

from collections.abc import Sequence

import attrs
import polars as pl

from tip_indicators.datasets import Dataset, InputFile
from tip_indicators.findings import Finding, Location, Severity
from tip_indicators.findings.citations import observation_ref
from tip_indicators.indicators import Catalogue, builtin_catalogue
from tip_indicators.observations import observation_schema

__all__ = ["RollUp", "roll_up"]


@attrs.frozen
class RollUp:
    """The rolled-up dataset, a completeness table and the findings of the national comparison.

    ``completeness`` has one row per rolled-up figure key (indicator, period, dimensions) with
    ``reporters`` (those that gave it) and ``missing`` (expected reporters that gave nothing for
    the indicator in that period; a reporter that gave the indicator but not this breakdown
    counts as present, its part being zero or unstated).
    """

    dataset: Dataset
    completeness: pl.DataFrame = attrs.field(eq=False)
    findings: tuple[Finding, ...] = ()
    skipped: tuple[str, ...] = ()
    """Indicators not summed because the catalogue marks them as not additive."""


def roll_up(
    dataset: Dataset,
    *,
    into: str,
    expected: Sequence[str] | None = None,
    catalogue: Catalogue | None = None,
) -> RollUp:
    """Sum the figures of every reporter but ``into`` into figures reported by ``into``.

    ``expected`` lists the reporters a complete roll-up needs (default: those present).
    """
    catalogue = catalogue or builtin_catalogue()
    frame = dataset.observations.filter(pl.col("measure") == "N")
    additive = [i.code for i in catalogue if i.additive]
    skipped = tuple(sorted(set(frame.get_column("indicator").unique()) - set(additive)))
    parts = frame.filter((pl.col("reporter") != into) & pl.col("indicator").is_in(additive))
    members = sorted(set(expected) if expected else set(parts.get_column("reporter").unique()))
    keys = ["indicator", "period", *dataset.dimensions]
    summed = parts.group_by(keys, maintain_order=True).agg(
        pl.col("low").sum(),
        pl.col("high").sum(),
        pl.col("low").is_null().any().alias("unknown"),
        pl.col("reporter").unique().sort().alias("reporters"),
        pl.col("decimals").max(),
    )
    present = parts.group_by("indicator", "period").agg(
        pl.col("reporter").unique().sort().alias("given")
    )
    completeness = summed.join(present, on=["indicator", "period"]).select(
        *keys,
        pl.col("reporters"),
        pl.col("given")
        .map_elements(
            lambda given: [m for m in members if m not in given],
            return_dtype=pl.List(pl.String),
        )
        .alias("missing"),
    )
    value = (
        pl.when(pl.col("unknown"))
        .then(pl.lit(""))
        .when(pl.col("low") == pl.col("high"))
        .then(pl.col("low").cast(pl.Int64).cast(pl.String))
        .otherwise(pl.format("{}..{}", pl.col("low").cast(pl.Int64), pl.col("high").cast(pl.Int64)))
    )
    schema = observation_schema(dataset.dimensions)
    rolled = (
        summed.join(completeness.select(*keys, "missing"), on=keys, nulls_equal=True)
        .with_columns(
            pl.lit(into).alias("reporter"),
            pl.lit("N").alias("measure"),
            pl.lit(None, pl.String).alias("base_period"),
            value.alias("value"),
            pl.when(pl.col("unknown")).then(None).otherwise(pl.col("low")).alias("low"),
            pl.when(pl.col("unknown")).then(None).otherwise(pl.col("high")).alias("high"),
            pl.when(pl.col("unknown")).then(pl.lit("O")).otherwise(None).alias("status"),
            pl.lit(None, pl.String).alias("conf_status"),
            pl.lit(None, pl.String).alias("unit"),
            pl.format("roll-up of {}", pl.col("reporters").list.join(", ")).alias("source"),
            pl.lit(None, pl.String).alias("id"),
            pl.when(pl.col("missing").list.len() > 0)
            .then(pl.format("incomplete: missing {}", pl.col("missing").list.join(", ")))
            .otherwise(None)
            .alias("note"),
            pl.lit(True).alias("derived"),
            pl.lit("<roll-up>").alias("path"),
            pl.lit(None, pl.Int64).alias("line"),
        )
        .select([pl.col(c).cast(t) for c, t in schema.items()])
    )
    findings = _compare(
        frame.filter(pl.col("reporter") == into), rolled, completeness, keys, dataset
    )
    result = Dataset(
        rolled,
        dataset.dimensions,
        dataset.metadata,
        dataset.organisations,
        (InputFile("<roll-up>", "0" * 64, rolled.height, "roll-up"),),
    )
    return RollUp(result, completeness, tuple(findings), skipped)


def _compare(
    national: pl.DataFrame,
    rolled: pl.DataFrame,
    completeness: pl.DataFrame,
    keys: list[str],
    dataset: Dataset,
) -> list[Finding]:
    joined = national.join(
        rolled.select(*keys, pl.col("low").alias("s_low"), pl.col("high").alias("s_high")),
        on=keys,
        nulls_equal=True,
    ).join(completeness.select(*keys, "missing"), on=keys, nulls_equal=True)
    findings = []
    for row in joined.filter(pl.col("low").is_not_null() & pl.col("s_low").is_not_null()).iter_rows(
        named=True
    ):
        complete = not row["missing"]
        ref = observation_ref(row, dataset.dimensions)
        over = row["s_low"] > row["high"]
        under = complete and row["s_high"] < row["low"]
        if not (over or under):
            continue
        total = (
            f"{row['s_low']:,.0f}"
            if row["s_low"] == row["s_high"]
            else f"{row['s_low']:,.0f}..{row['s_high']:,.0f}"
        )
        state = "all reporters given" if complete else f"missing {', '.join(row['missing'])}"
        findings.append(
            Finding(
                "rollup-mismatch",
                Severity.ERROR,
                f"{ref.label()} is {ref.value}, but its reporters add up to {total} ({state})",
                (ref,),
                expected=row["s_low"],
                actual=row["low"],
                imbalance=row["low"] - row["s_low"],
                location=Location(ref.location.path, ref.location.line),
                rule="rollup",
            )
        )
    return findings
