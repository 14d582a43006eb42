"""Partition and bound rules: parts add up to their total; no part exceeds its whole.

For one dimension, the figures are cut into slices (every other key column equal); each slice's
set of codes yields relations (see :mod:`hierarchy`). The relations of every rule are stacked in
one frame, so sums run column-wise over all slices of all dimensions at once; only failed
relations become Python objects. Censored figures are intervals: a relation
fails only when it certainly fails. A part with status L is the remainder and is derived.
"""

from __future__ import annotations

from collections.abc import Sequence

import polars as pl

from tip_indicators._engine.base import (
    ID,
    Run,
    id_list,
    interval_texts,
    number_texts,
)
from tip_indicators._engine.breakdowns import (
    SERIES,
    members,
    per_rule,
    tolerance,
)
from tip_indicators._private.queries import collect
from tip_indicators.findings import Severity, messages
from tip_indicators.findings.citations import citations_of
from tip_indicators.findings.wording import worded
from tip_indicators.rules import Family, Rule

_SHORT_COVERAGE = 0.5


def evaluate_breakdowns(run: Run, rules: Sequence[Rule]) -> None:
    """Apply partition and bound rules along their dimensions to every slice of the data.

    All the rules are evaluated together: their relations are stacked in one frame (a column
    tells the rules apart), so each step is one query however many dimensions there are. What
    they record comes out as if each rule ran on its own, in the order given.
    """
    rules = [rule for rule in rules if rule.dimension in run.dimensions]
    found = members(run, rules)
    if found is None:
        return
    children, slices = found
    partition = per_rule(rules, lambda rule: rule.family is Family.PARTITION, pl.Boolean())
    summed = pl.col("disjoint") & partition
    evaluations = [
        _evaluate_sums(run, rules, children.filter(summed), slices),
        _evaluate_bounds(run, rules, children.filter(~summed)),
    ]
    # Each rule's sums, then its bounds: the order of rules evaluated one by one.
    dimension = per_rule(rules, lambda rule: rule.dimension, pl.String())
    run.add_evaluations(
        per_rule(rules, lambda rule: rule.name, pl.String()),
        pl.concat(evaluations).sort("rule", "kind", maintain_order=True),
        "anchor",
        labels=(slices.select("slice", "indicator", "period", "reporter"), "slice"),
        group=pl.when(pl.col("kind") == 0)
        .then(pl.format("{} {} {}: {} {}", *SERIES, dimension, "parent"))
        .otherwise(pl.format("{} {} {}: {} {} <= {}", *SERIES, dimension, "child", "parent")),
    )


def _evaluate_sums(
    run: Run, rules: Sequence[Rule], children: pl.DataFrame, slices: pl.DataFrame
) -> pl.DataFrame:
    """Judge every disjoint relation: the parts add up to the total. Returns the evaluations.

    Long because it is one query: every disjoint relation is judged with its censored parts as
    intervals in one frame."""
    unknown = pl.col("c_low").is_null()
    grouped = (
        children.lazy()
        .group_by("relation", maintain_order=True)
        .agg(
            pl.first("rule", "slice", "rel", "parent", "p_id", "p_low", "p_high", "complete"),
            pl.col("c_id").alias("child_ids"),
            pl.col("c_low").sum().alias("sum_low"),
            pl.col("c_high").sum().alias("sum_high"),
            (unknown & pl.col("c_remainder")).sum().alias("n_remainder"),
            (unknown & ~pl.col("c_remainder")).sum().alias("n_unknown"),
            pl.col("c_remainder").any().alias("has_remainder"),
            pl.len().alias("n_children"),
        )
    )
    # In stages, each condition a column the next stage reads: the same judgement written as
    # one expression per output evaluates every condition again in each.
    closed, tol = pl.col("closed"), pl.col("tol")
    exceeds, short, lone = pl.col("exceeds"), pl.col("short"), pl.col("lone")
    missing_total = pl.col("p_low").is_null()
    judged = (
        grouped.with_columns(
            (
                pl.col("complete")
                | per_rule(rules, lambda rule: rule.closed, pl.Boolean())
                | pl.col("has_remainder")
            ).alias("closed"),
            tolerance(rules, "p_high").alias("tol"),
            ((pl.col("n_remainder") == 1) & (pl.col("n_unknown") == 0)).alias("derivable"),
        )
        .with_columns(
            (pl.col("sum_low") > pl.col("p_high") + tol).alias("exceeds"),
            (
                (pl.col("n_remainder") == 0)
                & (pl.col("n_unknown") == 0)
                & (pl.col("sum_high") < pl.col("p_low") - tol)
            ).alias("short"),
            ((pl.col("n_children") == 1) & ~closed).alias("lone"),
        )
        .with_columns(
            pl.when(missing_total)
            .then(pl.lit("not_evaluated"))
            .when(exceeds | (short & ~lone))
            .then(pl.lit("fail"))
            .otherwise(pl.lit("pass"))
            .alias("outcome"),
            pl.when(missing_total)
            .then(pl.lit("the total is not stated"))
            .when(exceeds & pl.col("derivable"))
            .then(pl.lit("derived-negative"))
            .when(exceeds)
            .then(pl.lit("partition-exceeds"))
            .when(short & ~lone & closed)
            .then(pl.lit("partition-shortfall-closed"))
            .when(short & ~lone & (pl.col("sum_high") < _SHORT_COVERAGE * pl.col("p_low")))
            .then(pl.lit("partition-incomplete"))
            .when(short & ~lone)
            .then(pl.lit("partition-shortfall"))
            .otherwise(pl.lit(None))
            .alias("reason"),
        )
        .drop("exceeds", "short", "lone")
        .pipe(collect)
    )
    failures = judged.filter(pl.col("outcome") == "fail").join(
        slices.drop("rule"), on="slice", how="left", maintain_order="left"
    )
    # Every failed sum is written column-wise; the numbers of the certain errors and of the
    # open shortfalls go with their constraints, for the localiser to attach fixes to.
    numbers = run.add_rows(_sum_rows(run, rules, failures))
    index = (
        failures.select("slice", "rel", "reason")
        .with_columns(numbers)
        .filter(pl.col("reason").is_in([*_SUM_FINDINGS_FAILED, "partition-shortfall"]))
        .drop("reason")
    )
    constraints = (
        judged.lazy()
        .filter(pl.col("p_id").is_not_null())
        .join(index.lazy(), on=["slice", "rel"], how="left", maintain_order="left")
        .select(
            # The total apart from its parts: no list of every relation's figures is built.
            pl.col("p_id").alias("total"),
            pl.col("child_ids").alias("ids"),
            pl.lit(None, pl.List(pl.Float64)).alias("coefs"),
            pl.lit(0.0).alias("constant"),
            pl.when(pl.col("closed")).then(pl.lit("eq")).otherwise(pl.lit("ge")).alias("sense"),
            pl.col("tol"),
            pl.col("reason").is_in(list(_SUM_FINDINGS_FAILED)).fill_null(False).alias("failed"),
            pl.col("finding"),
        )
        .pipe(collect)
    )
    run.add_constraints(constraints)
    return judged.select(
        "rule",
        pl.lit(0).alias("kind"),
        "slice",
        "parent",
        pl.lit(None, pl.String).alias("child"),
        "outcome",
        "reason",
        pl.col("p_id").alias("anchor"),
    )


_SUM_FINDINGS = {
    "partition-exceeds": ("partition-exceeds", Severity.ERROR),
    "derived-negative": ("derived-negative", Severity.ERROR),
    "partition-shortfall-closed": ("partition-shortfall", Severity.ERROR),
    "partition-shortfall": ("partition-shortfall", Severity.WARNING),
    "partition-incomplete": ("partition-incomplete", Severity.INFO),
}
"""The code and severity of the finding of a sum that failed, by the reason it failed."""
_SUM_FINDINGS_FAILED = frozenset(
    reason for reason, (_, severity) in _SUM_FINDINGS.items() if severity is Severity.ERROR
)
"""Reasons a sum certainly fails: errors, each to be localised."""
_EXCEEDING = ("partition-exceeds", "derived-negative")


def _sum_rows(run: Run, rules: Sequence[Rule], failures: pl.DataFrame) -> pl.DataFrame:
    """The finding of every sum in ``failures``, as rows citing figures by id, written
    column-wise: the parts add up to more than the total, or fall short of it.

    Long because it is one query: the message, the expected value and the cited figures of every
    failed sum are written column-wise together."""
    dimensions = run.dimensions
    ids = (
        pl.concat([failures.get_column("p_id"), failures.get_column("child_ids").explode()])
        .unique()
        .sort()
    )
    figures = (
        citations_of(run.frame, ids, dimensions)
        .select(pl.lit(ids).alias(ID), "value", *dimensions)
        .pipe(collect)
    )
    numbered = failures.with_row_index("f").with_columns(
        per_rule(rules, lambda rule: rule.dimension, pl.String()).alias("_dimension"),
        per_rule(rules, lambda rule: rule.name, pl.String()).alias("_rule"),
        pl.when(pl.col("reason").is_in(_EXCEEDING))
        .then(pl.col("sum_low") - pl.col("p_high"))
        .otherwise(pl.col("sum_high") - pl.col("p_low"))
        .alias("_gap"),
    )
    code = pl.coalesce([pl.when(pl.col("_dimension") == d).then(pl.col(d)) for d in dimensions])
    value = pl.when(pl.col("value") == "").then(pl.lit("?")).otherwise(pl.col("value"))
    parts = (
        numbered.select("f", "_dimension", pl.col("child_ids").alias("part"))
        .explode("part")
        .join(figures, left_on="part", right_on=ID, how="left", maintain_order="left")
        .group_by("f", maintain_order=True)
        .agg(pl.concat_str(code, pl.lit(" "), value).str.join(" + ").alias("_parts"))
    )
    # The group: indicator[dimension=code,...] period reporter, without the rule's dimension.
    shown = [
        pl.when((pl.col("_dimension") != d) & (pl.col(d) != "_T")).then(
            pl.concat_str(pl.lit(f"{d}="), pl.col(d))
        )
        for d in dimensions
        if d in failures.columns
    ]
    codes = pl.concat_str(shown, separator=",", ignore_nulls=True) if shown else pl.lit("")
    label = pl.concat_str(
        "indicator",
        pl.when(codes != "")
        .then(pl.concat_str(pl.lit("["), codes, pl.lit("]")))
        .otherwise(pl.lit("")),
        pl.lit(" "),
        "period",
        pl.lit(" "),
        "reporter",
    )
    texts = numbered.select(
        interval_texts(numbered["p_low"], numbered["p_high"]).alias("_total"),
        interval_texts(numbered["sum_low"], numbered["sum_high"]).alias("_summed"),
        number_texts(numbered["_gap"]).alias("_over"),
        number_texts(-numbered["_gap"]).alias("_short"),
    )
    reason = pl.col("reason")
    gap = (
        pl.when(reason.is_in(_EXCEEDING))
        .then(
            worded(
                "more than the total {total} by {excess}",
                total=pl.col("_total"),
                excess=pl.col("_over"),
            )
        )
        .otherwise(
            worded(
                "{shortfall} short of the total {total}",
                shortfall=pl.col("_short"),
                total=pl.col("_total"),
            )
        )
    )
    why = (
        pl.when(reason == "derived-negative")
        .then(worded("; the remainder with status L would be negative"))
        .when(reason == "partition-shortfall-closed")
        .then(worded("; the breakdown is closed, so every category should be given"))
        .when(reason == "partition-incomplete")
        .then(worded("; the breakdown covers less than half of the total"))
        .when(reason == "partition-shortfall")
        .then(worded("; {shortfall} may be in categories not given", shortfall=pl.col("_short")))
        .otherwise(pl.lit(""))
    )
    exact_total = (pl.col("p_low") == pl.col("p_high")) & ~pl.col("p_low").is_nan()
    exact_sum = (pl.col("sum_low") == pl.col("sum_high")) & ~pl.col("sum_low").is_nan()
    return (
        numbered.with_columns(texts)
        .join(parts, on="f", how="left", maintain_order="left")
        .select(
            reason.replace_strict({r: c for r, (c, _) in _SUM_FINDINGS.items()}).alias("code"),
            reason.replace_strict({r: s.value for r, (_, s) in _SUM_FINDINGS.items()}).alias(
                "severity"
            ),
            worded(
                "{total}: the {dimension} parts of {parent} add up to {summed} ({parts}), "
                "{gap}{why}",
                total=label,
                dimension=pl.col("_dimension"),
                parent=pl.col("parent"),
                summed=pl.col("_summed"),
                parts=pl.col("_parts"),
                gap=gap,
                why=why,
            ).alias("message"),
            pl.col("_rule").alias("rule"),
            pl.when(exact_total).then(pl.col("p_low")).alias("expected"),
            pl.when(~exact_total).then(pl.col("_total")).alias("expected_text"),
            pl.when(exact_sum).then(pl.col("sum_low")).alias("actual"),
            pl.when(~exact_sum).then(pl.col("_summed")).alias("actual_text"),
            pl.col("_gap").alias("imbalance"),
            pl.col("tol").alias("tolerance"),
            pl.col("p_id").alias("located_at"),
            pl.concat_list("p_id", "child_ids").alias("cited"),
        )
    )


def _evaluate_bounds(run: Run, rules: Sequence[Rule], pairs: pl.DataFrame) -> pl.DataFrame:
    """Judge every part of a breakdown that need not add up: it is at most its whole. Returns
    the evaluations.

    Long because it is one query over the parts and their wholes."""
    tol = tolerance(rules, "p_high")
    judged = pairs.with_columns(
        pl.when(pl.col("p_low").is_null() | pl.col("c_low").is_null())
        .then(pl.lit("not_evaluated"))
        .when(pl.col("c_low") > pl.col("p_high") + tol)
        .then(pl.lit("fail"))
        .otherwise(pl.lit("pass"))
        .alias("outcome"),
        pl.when(pl.col("p_low").is_null())
        .then(pl.lit("the total is not stated"))
        .when(pl.col("c_low").is_null())
        .then(pl.lit("the part is not stated"))
        .otherwise(pl.lit(None))
        .alias("reason"),
        tol.alias("tol"),
    ).with_row_index("_pair")
    failures = run.with_texts(
        judged.filter(pl.col("outcome") == "fail"), parent="p_id", child="c_id"
    )
    gap = failures.get_column("c_low") - failures.get_column("p_high")
    numbers = run.record(
        failures,
        code="bound-exceeded",
        severity=Severity.ERROR.value,
        message=messages.part_exceeds_total(
            part=pl.col("child_label"),
            part_value=pl.lit(interval_texts(failures["c_low"], failures["c_high"])),
            total=pl.col("parent_label"),
            total_value=pl.lit(interval_texts(failures["p_low"], failures["p_high"])),
            excess=pl.lit(number_texts(gap)),
        ),
        rule=per_rule(rules, lambda rule: rule.name, pl.String()),
        located_at="c_id",
        cited=id_list("p_id", "c_id"),
        expected=pl.col("p_high"),
        actual=pl.col("c_low"),
        imbalance=pl.lit(gap),
        tolerance=pl.col("tol"),
    )
    index = failures.select("_pair").with_columns(numbers)
    run.add_constraints(
        judged.join(index, on="_pair", how="left", maintain_order="left").select(
            id_list("p_id", "c_id").alias("ids"),
            pl.lit(None, pl.List(pl.Float64)).alias("coefs"),
            pl.lit(0.0).alias("constant"),
            pl.lit("ge").alias("sense"),
            pl.col("tol"),
            (pl.col("outcome") == "fail").alias("failed"),
            pl.col("finding"),
        )
    )
    return judged.select(
        "rule",
        pl.lit(1).alias("kind"),
        "slice",
        "parent",
        "child",
        "outcome",
        "reason",
        pl.col("c_id").alias("anchor"),
    )
