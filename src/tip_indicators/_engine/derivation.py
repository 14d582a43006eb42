"""Remainders: figures with status L (stated to exist, not given) that a breakdown determines.

A remainder is its total less the other parts. A figure two breakdowns determine is derived
once, from what both allow; when they disagree, that is an error. Derived figures are marked
and used by every rule after them, with a finding saying how each was derived.
"""

from __future__ import annotations

from collections.abc import Sequence

import polars as pl

from tip_indicators._engine.base import (
    ID,
    Run,
    interval_texts,
)
from tip_indicators._engine.breakdowns import members, per_rule, rules_touching
from tip_indicators._private.queries import collect
from tip_indicators.findings import Severity, messages
from tip_indicators.findings.citations import citation_label, citations_of
from tip_indicators.findings.wording import worded, worded_text
from tip_indicators.rules import Family, Rule

MAX_DERIVATION_ROUNDS = 5


def derive_remainders(run: Run, rules: list[Rule]) -> None:
    """Derive every figure with status L that a breakdown determines, before any rule runs.

    A remainder is total minus the other parts. A figure two breakdowns determine is derived
    once, from the intersection of what they give; when they disagree, that is an error. A
    derived figure can complete another breakdown, so derivation repeats until nothing changes.
    A negative remainder is left for the partition rule to report.
    """
    partitions = [
        r for r in rules if r.family is Family.PARTITION and r.dimension in run.dimensions
    ]
    for _ in range(MAX_DERIVATION_ROUNDS):
        found = _remainders(run, partitions)
        if found is None:
            return
        targets = found.filter(pl.col("d_high") >= 0)
        if targets.height == 0:
            return
        merged = targets.group_by(ID, maintain_order=True).agg(
            pl.col("d_low").max().alias("low"),
            pl.col("d_high").min().alias("high"),
            pl.len().alias("ways"),
            pl.struct("dimension", "p_id", "child_ids", "d_low", "d_high").alias("how"),
        )
        usable = merged.filter(pl.col("low") <= pl.col("high"))
        conflicts = merged.filter(pl.col("low") > pl.col("high"))
        if conflicts.height:
            run.add_rows(_conflict_rows(run, conflicts))
        if usable.height == 0:
            return
        run.add_rows(_derived_rows(run, usable))
        run.derived.append(usable.select(ID, "low", "high"))
        run.apply_derived(usable.select(ID, "low", "high"))
        # Only a breakdown holding a newly derived figure can have changed.
        changed = usable.get_column(ID)
        partitions = rules_touching(run, partitions, changed)


def _remainders(run: Run, rules: Sequence[Rule]) -> pl.DataFrame | None:
    """Every remainder (status L, not stated) that is the only unknown part of its relation."""
    found = members(run, rules)
    if found is None:
        return None
    unknown = pl.col("c_low").is_null()
    disjoint = found[0].filter(pl.col("disjoint"))
    # Only relations with an unstated remainder among their parts are summed.
    holding = disjoint.filter(unknown & pl.col("c_remainder")).select("relation")
    children = disjoint.lazy().join(
        holding.lazy().unique(), on="relation", how="semi", maintain_order="left"
    )
    remainders = (
        children.group_by("relation", maintain_order=True)
        .agg(
            pl.first("rule", "p_id", "p_low", "p_high"),
            pl.col("c_id").alias("child_ids"),
            pl.col("c_low").sum().alias("sum_low"),
            pl.col("c_high").sum().alias("sum_high"),
            (unknown & pl.col("c_remainder")).sum().alias("n_remainder"),
            (unknown & ~pl.col("c_remainder")).sum().alias("n_unknown"),
        )
        .filter(
            (pl.col("n_remainder") == 1)
            & (pl.col("n_unknown") == 0)
            & pl.col("p_low").is_not_null()
        )
        .join(
            children.filter(unknown & pl.col("c_remainder")).select("relation", "c_id"),
            on="relation",
            maintain_order="left",
        )
        .select(
            pl.col("c_id").alias(ID),
            (pl.col("p_low") - pl.col("sum_high")).clip(lower_bound=0).alias("d_low"),
            (pl.col("p_high") - pl.col("sum_low")).alias("d_high"),
            per_rule(rules, lambda rule: rule.dimension, pl.String()).alias("dimension"),
            "p_id",
            "child_ids",
        )
        .pipe(collect)
    )
    return remainders if remainders.height else None


def _explained(run: Run, usable: pl.DataFrame, separator: str) -> pl.LazyFrame:
    """The plan of each figure in ``usable`` (its ``_id``, ``low`` and ``high``, and ``how`` the
    breakdowns give it; other columns are kept) with its ``label``, the arithmetic of every
    breakdown that determines it joined by ``separator`` (``text``), the first breakdown's
    ``dimension``, and the figures ``cited`` (each once, in the order the breakdowns name them,
    then the figure itself).

    Long because it is one query: the arithmetic of every breakdown that determines a figure is
    joined into one text column."""
    dimensions = run.dimensions
    ways = (
        usable.select(pl.col(ID).alias("target"), "how")
        .with_row_index("f")
        .explode("how")
        .unnest("how")
        .with_row_index("w")
    )
    ids = (
        pl.concat(
            [
                usable.get_column(ID),
                ways.get_column("p_id"),
                ways.get_column("child_ids").explode(),
            ]
        )
        .drop_nulls()
        .unique()
        .sort()
    )
    figures = citations_of(run.frame, ids, dimensions).select(
        pl.lit(ids).alias(ID), "value", *dimensions, citation_label(dimensions).alias("label")
    )
    # Each way's parts but the figure derived, as "code value" in the way's dimension.
    code = pl.coalesce([pl.when(pl.col("dimension") == d).then(pl.col(d)) for d in dimensions])
    parts = (
        ways.lazy()
        .select("w", "target", "dimension", pl.col("child_ids").alias("part"))
        .explode("part")
        .filter(pl.col("part") != pl.col("target"))
        .join(figures, left_on="part", right_on=ID, how="left", maintain_order="left")
        .group_by("w", maintain_order=True)
        .agg(
            pl.concat_str(code, pl.lit(" "), pl.col("value")).str.join(" + ").alias("parts"),
            pl.col("part").alias("others"),
        )
    )
    totals = figures.select(pl.col(ID).alias("p_id"), pl.col("value").alias("total"))
    explained = (
        ways.hstack([interval_texts(ways["d_low"], ways["d_high"]).alias("gives")])
        .lazy()
        .join(parts, on="w", how="left", maintain_order="left")
        .join(totals, on="p_id", how="left", maintain_order="left")
        .select(
            "f",
            "dimension",
            worded(
                "the {dimension} breakdown gives it: {total} - ({parts}) = {gives}",
                dimension=pl.col("dimension"),
                total=pl.col("total"),
                parts=pl.col("parts").fill_null(""),
                gives=pl.col("gives"),
            ).alias("text"),
            pl.concat_list("p_id", pl.col("others").fill_null([])).alias("cited"),
        )
    )
    # Each figure cited once, in the order the ways name them, then the figure derived.
    cited = (
        explained.select("f", "cited")
        .explode("cited")
        .unique(subset=["f", "cited"], keep="first", maintain_order=True)
        .group_by("f", maintain_order=True)
        .agg("cited")
    )
    found = (
        explained.group_by("f", maintain_order=True)
        .agg(pl.col("text").str.join(separator), pl.first("dimension"))
        .join(cited, on="f", maintain_order="left")
        .select("text", "dimension", "cited")
    )
    labelled = (
        usable.lazy()
        .select(pl.exclude("how"))
        .join(figures.select(ID, "label"), on=ID, how="left", maintain_order="left")
    )
    return pl.concat([labelled, found], how="horizontal").with_columns(
        pl.concat_list("cited", ID).alias("cited")
    )


def _derived_rows(run: Run, usable: pl.DataFrame) -> pl.DataFrame:
    """The derived-value finding of each figure in ``usable``, as rows citing figures by id."""
    low, high = pl.col("low"), pl.col("high")
    exact = (low == high) & ~low.is_nan()
    return (
        _explained(
            run,
            usable.hstack([interval_texts(usable["low"], usable["high"]).alias("interval")]),
            "; ",
        )
        .select(
            pl.lit("derived-value").alias("code"),
            pl.lit(Severity.INFO.value).alias("severity"),
            messages.derived_value(figure=pl.col("label"), arithmetic=pl.col("text")).alias(
                "message"
            ),
            pl.concat_str(pl.lit("partition."), "dimension").alias("rule"),
            pl.when(exact).then(low).alias("expected"),
            pl.when(~exact).then(pl.col("interval")).alias("expected_text"),
            pl.col(ID).alias("located_at"),
            "cited",
        )
        .pipe(collect)
    )


def _conflict_rows(run: Run, conflicts: pl.DataFrame) -> pl.DataFrame:
    """The derived-conflict finding of each figure in ``conflicts`` (breakdowns that give
    intervals with nothing in common), as rows citing figures by id."""
    return (
        _explained(run, conflicts, worded_text("; but "))
        .select(
            pl.lit("derived-conflict").alias("code"),
            pl.lit(Severity.ERROR.value).alias("severity"),
            messages.derived_conflict(figure=pl.col("label"), arithmetic=pl.col("text")).alias(
                "message"
            ),
            pl.concat_str(pl.lit("partition."), "dimension").alias("rule"),
            pl.col("high").alias("expected"),
            pl.col("low").alias("actual"),
            (pl.col("low") - pl.col("high")).alias("imbalance"),
            pl.col(ID).alias("located_at"),
            "cited",
        )
        .pipe(collect)
    )
