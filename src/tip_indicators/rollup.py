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
    ``reporters`` (those whose figure is summed), ``cannot_exist`` (those whose figure is stated
    as one that cannot exist, status ``M``: it adds nothing), ``missing`` (expected reporters
    that gave nothing for the indicator in that period) and ``omitted`` (reporters that gave the
    indicator but not this breakdown at all). A reporter that gives the breakdown but not this
    code counts as present, its part being zero or unstated. The sum is complete when
    ``missing`` and ``omitted`` are both empty.
    """

    dataset: Dataset
    completeness: pl.DataFrame = attrs.field(eq=False)
    findings: tuple[Finding, ...] = ()
    skipped: tuple[str, ...] = ()
    """Indicators not summed because the catalogue marks them as not additive."""
    left_out: tuple[str, ...] = ()
    """Reporters in the data that are not among the expected ones: not summed (an NGO's file
    beside the provinces' in a national roll-up)."""


_CANNOT_EXIST = "M"


def roll_up(
    dataset: Dataset,
    *,
    into: str,
    expected: Sequence[str] | None = None,
    catalogue: Catalogue | None = None,
) -> RollUp:
    """Sum the figures of every reporter but ``into`` into figures reported by ``into``.

    ``expected`` lists the reporters that belong to the roll-up and that a complete roll-up
    needs (default: every reporter present); figures of other reporters are left out and
    named in :attr:`RollUp.left_out`. A figure that cannot exist (status ``M``) adds nothing.

    Long because it is one query: the figures of every reporter summed into one, with what is left
    out and why, over the same frame.
    """
    catalogue = catalogue or builtin_catalogue()
    frame = dataset.observations.filter(pl.col("measure") == "N")
    additive = [i.code for i in catalogue if i.additive]
    skipped = tuple(sorted(set(frame.get_column("indicator").unique()) - set(additive)))
    others = frame.filter((pl.col("reporter") != into) & pl.col("indicator").is_in(additive))
    present_reporters = set(others.get_column("reporter").unique())
    members = sorted(set(expected) if expected else present_reporters)
    left_out = tuple(sorted(present_reporters - set(members)))
    parts = others.filter(pl.col("reporter").is_in(members))
    keys = ["indicator", "period", *dataset.dimensions]
    breakdown = _breakdown(dataset.dimensions)
    cannot_exist = (pl.col("status") == _CANNOT_EXIST).fill_null(False)
    summed = (
        parts.with_columns(breakdown.alias("_breakdown"))
        .group_by(keys, maintain_order=True)
        .agg(
            pl.col("low").filter(~cannot_exist).sum(),
            pl.col("high").filter(~cannot_exist).sum(),
            (pl.col("low").is_null() & ~cannot_exist).any().alias("unknown"),
            pl.col("reporter").filter(~cannot_exist).unique().sort().alias("reporters"),
            pl.col("reporter").filter(cannot_exist).unique().sort().alias("cannot_exist"),
            pl.col("decimals").max(),
            pl.col("_breakdown").first(),
        )
    )
    given = parts.group_by("indicator", "period").agg(
        pl.col("reporter").unique().alias("given"),
        pl.col("reporter").filter(~cannot_exist).unique().alias("existing"),
    )
    broken_down = (
        parts.with_columns(breakdown.alias("_breakdown"))
        .group_by("indicator", "period", "_breakdown")
        .agg(pl.col("reporter").unique().alias("giving"))
    )
    everyone = pl.lit(pl.Series([members], dtype=pl.List(pl.String)))
    completeness = (
        summed.join(given, on=["indicator", "period"])
        .join(broken_down, on=["indicator", "period", "_breakdown"])
        .select(
            *keys,
            "reporters",
            "cannot_exist",
            everyone.list.set_difference(pl.col("given")).list.sort().alias("missing"),
            pl.col("existing").list.set_difference(pl.col("giving")).list.sort().alias("omitted"),
        )
    )
    value = (
        pl.when(pl.col("unknown"))
        .then(pl.lit(""))
        .when(pl.col("low") == pl.col("high"))
        .then(pl.col("low").cast(pl.Int64).cast(pl.String))
        .otherwise(pl.format("{}..{}", pl.col("low").cast(pl.Int64), pl.col("high").cast(pl.Int64)))
    )
    gaps = [
        pl.when(pl.col(name).list.len() > 0).then(
            pl.format(f"{label} {{}}", pl.col(name).list.join(", "))
        )
        for name, label in (
            ("missing", "missing"),
            ("omitted", "breakdown not given by"),
            ("cannot_exist", "cannot exist for"),
        )
    ]
    schema = observation_schema(dataset.dimensions)
    rolled = (
        summed.drop("cannot_exist")
        .join(
            completeness.select(*keys, "missing", "omitted", "cannot_exist"),
            on=keys,
            nulls_equal=True,
        )
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
            pl.concat_str(gaps, separator="; ", ignore_nulls=True).replace("", None).alias("note"),
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
    return RollUp(result, completeness, tuple(findings), skipped, left_out)


def _breakdown(dimensions: Sequence[str]) -> pl.Expr:
    """Which dimensions a figure is broken down by (those not at their total), as text."""
    if not dimensions:
        return pl.lit("")
    return pl.concat_str(
        [pl.when(pl.col(d) != "_T").then(pl.lit(d)) for d in dimensions],
        separator=",",
        ignore_nulls=True,
    ).fill_null("")


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
    ).join(completeness.select(*keys, "missing", "omitted"), on=keys, nulls_equal=True)
    findings = []
    for row in joined.filter(pl.col("low").is_not_null() & pl.col("s_low").is_not_null()).iter_rows(
        named=True
    ):
        complete = not row["missing"] and not row["omitted"]
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
        gaps = [
            f"{label} {', '.join(row[name])}"
            for name, label in (("missing", "missing"), ("omitted", "breakdown not given by"))
            if row[name]
        ]
        state = "; ".join(gaps) if gaps else "all reporters given"
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
