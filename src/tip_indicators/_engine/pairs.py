"""Rules that compare figures pairwise or by a fixed total: indicator bounds (convicted <=
prosecuted), mirror figures between organisations, and percentage shares adding up to 100."""

from __future__ import annotations

from collections.abc import Callable

import polars as pl

from tip_indicators._engine.base import (
    ID,
    Run,
    id_list,
    interval_texts,
    number_texts,
)
from tip_indicators._engine.hierarchy import relations
from tip_indicators.dimensions import Dimension
from tip_indicators.findings import Severity, messages
from tip_indicators.findings.citations import citation_label
from tip_indicators.rules import Rule


def _record(
    run: Run,
    rule: Rule,
    judged: pl.DataFrame,
    findings: Callable[[pl.DataFrame], pl.DataFrame],
    *,
    left: str,
    right: str,
    anchor: str,
) -> None:
    """Record evaluations, the findings ``findings`` writes for the failures (rows citing
    figures by id), and ``left - right`` (>= or =) 0 constraints."""
    run.add_evaluations(rule.name, judged, anchor)
    judged = judged.with_row_index("_pair")
    failures = judged.filter(pl.col("outcome") == "fail")
    numbers = run.add_rows(findings(failures))
    index = failures.select("_pair").with_columns(numbers)
    run.add_constraints(
        judged.filter(pl.col("outcome") != "not_evaluated")
        .join(index, on="_pair", how="left", maintain_order="left")
        .select(
            id_list(left, right).alias("ids"),
            pl.lit(None, pl.List(pl.Float64)).alias("coefs"),
            pl.lit(0.0).alias("constant"),
            pl.col("sense"),
            pl.col("tol"),
            ((pl.col("outcome") == "fail") & pl.lit(rule.severity is Severity.ERROR)).alias(
                "failed"
            ),
            (pl.col("outcome") != "fail").alias("holds"),
            pl.col("finding"),
        )
    )


def _intervals(frame: pl.DataFrame, low: str, high: str) -> pl.Series:
    return interval_texts(frame.get_column(low), frame.get_column(high))


def evaluate_indicator_bound(run: Run, rule: Rule) -> None:
    """``rule.indicator`` <= ``rule.other`` for the same period, reporter and dimensions."""
    keys = [k for k in run.keys if k != "indicator"]
    levels = run.levels()
    small = levels.filter(pl.col("indicator") == rule.indicator)
    large = levels.filter(pl.col("indicator") == rule.other).select(
        *keys,
        pl.col(ID).alias("w_id"),
        pl.col("low").alias("w_low"),
        pl.col("high").alias("w_high"),
    )
    joined = small.join(large, on=keys, nulls_equal=True)
    if joined.height == 0:
        return
    tol = pl.lit(rule.tolerance.absolute) + pl.lit(rule.tolerance.relative) * pl.col("w_high").abs()
    judged = joined.with_columns(
        pl.when(pl.col("low").is_null() | pl.col("w_low").is_null())
        .then(pl.lit("not_evaluated"))
        .when(pl.col("low") > pl.col("w_high") + tol)
        .then(pl.lit("fail"))
        .otherwise(pl.lit("pass"))
        .alias("outcome"),
        pl.when(pl.col("low").is_null() | pl.col("w_low").is_null())
        .then(pl.lit("a figure is not stated"))
        .otherwise(pl.lit(None))
        .alias("reason"),
        pl.format("{} {} {}", "period", "reporter", pl.lit(rule.name)).alias("group"),
        tol.alias("tol"),
        pl.lit("ge").alias("sense"),
    )

    def findings(failures: pl.DataFrame) -> pl.DataFrame:
        part = run.figure_texts(failures.get_column(ID))
        whole = run.figure_texts(failures.get_column("w_id"))
        gap = failures.get_column("low") - failures.get_column("w_high")
        return failures.select(
            pl.lit("bound-exceeded").alias("code"),
            pl.lit(rule.severity.value).alias("severity"),
            messages.bound_exceeded(
                part=pl.lit(part.get_column("label")),
                part_value=pl.lit(_intervals(failures, "low", "high")),
                whole=pl.lit(whole.get_column("label")),
                whole_value=pl.lit(_intervals(failures, "w_low", "w_high")),
                excess=pl.lit(number_texts(gap)),
            ).alias("message"),
            pl.lit(rule.name).alias("rule"),
            pl.col("w_high").alias("expected"),
            pl.col("low").alias("actual"),
            pl.lit(gap).alias("imbalance"),
            pl.col("tol").alias("tolerance"),
            pl.col(ID).alias("located_at"),
            id_list("w_id", ID).alias("cited"),
        )

    _record(run, rule, judged, findings, left="w_id", right=ID, anchor=ID)


def evaluate_mirror(run: Run, rule: Rule) -> None:
    """A's figure with destination B equals B's figure with referrer A, when both report.

    Long because it is one query: the two organisations' figures are paired, judged and worded in
    one frame."""
    if "destination" not in run.dimensions or "referrer" not in run.dimensions:
        return
    levels = run.levels()
    reporters = levels.get_column("reporter").unique().implode()
    others = [k for k in run.keys if k not in {"reporter", "destination", "referrer"}]
    sent = levels.filter(
        (pl.col("referrer") == "_T") & pl.col("destination").is_in(reporters)
    ).select(
        *others,
        pl.col("reporter").alias("sender"),
        pl.col("destination").alias("receiver"),
        ID,
        "low",
        "high",
    )
    received = levels.filter(
        (pl.col("destination") == "_T") & pl.col("referrer").is_in(reporters)
    ).select(
        *others,
        pl.col("referrer").alias("sender"),
        pl.col("reporter").alias("receiver"),
        pl.col(ID).alias("r_id"),
        pl.col("low").alias("r_low"),
        pl.col("high").alias("r_high"),
    )
    joined = sent.join(received, on=[*others, "sender", "receiver"], nulls_equal=True)
    if joined.height == 0:
        return
    tol = pl.lit(rule.tolerance.absolute) + pl.lit(rule.tolerance.relative) * pl.col("high").abs()
    unknown = pl.col("low").is_null() | pl.col("r_low").is_null()
    judged = joined.with_columns(
        pl.when(unknown)
        .then(pl.lit("not_evaluated"))
        .when((pl.col("low") > pl.col("r_high") + tol) | (pl.col("r_low") > pl.col("high") + tol))
        .then(pl.lit("fail"))
        .otherwise(pl.lit("pass"))
        .alias("outcome"),
        pl.when(unknown)
        .then(pl.lit("a figure is not stated"))
        .otherwise(pl.lit(None))
        .alias("reason"),
        pl.format("{} -> {} {} {}", "sender", "receiver", "indicator", "period").alias("group"),
        tol.alias("tol"),
        pl.lit("eq").alias("sense"),
    )

    def findings(failures: pl.DataFrame) -> pl.DataFrame:
        sent = run.figure_texts(failures.get_column(ID)).get_column("value")
        received = run.figure_texts(failures.get_column("r_id")).get_column("value")
        return failures.select(
            pl.lit("mirror-mismatch").alias("code"),
            pl.lit(rule.severity.value).alias("severity"),
            messages.mirror_mismatch(
                sender=pl.col("sender"),
                receiver=pl.col("receiver"),
                indicator=pl.col("indicator"),
                period=pl.col("period"),
                sent=pl.lit(sent),
                received=pl.lit(received),
            ).alias("message"),
            pl.lit(rule.name).alias("rule"),
            pl.col("r_low").alias("expected"),
            pl.col("low").alias("actual"),
            (pl.col("low") - pl.col("r_low")).alias("imbalance"),
            pl.col("tol").alias("tolerance"),
            pl.col(ID).alias("located_at"),
            id_list(ID, "r_id").alias("cited"),
        )

    _record(run, rule, judged, findings, left=ID, right="r_id", anchor=ID)


def evaluate_share(run: Run, rule: Rule) -> None:
    """PCT figures directly under the total of one breakdown add up to 100 within rounding.

    Which codes are directly under the total depends only on the set of codes a group gives, so
    it is worked out once per distinct set; the groups are then judged column-wise."""
    dimension = rule.dimension
    if dimension is None or dimension not in run.dimensions:
        return
    shares = run.frame.filter(
        (pl.col("measure") == "PCT") & (pl.col(dimension) != "_T") & pl.col("low").is_not_null()
    )
    if shares.height == 0:
        return
    others = [k for k in run.keys if k != dimension]
    signature = pl.col(dimension).unique().sort().str.join(_SEPARATOR)
    keyed = shares.with_columns(signature.over(others).alias("_codes"))
    tops = _tops(
        run.catalogue.dimension(dimension),
        rule,
        keyed.get_column("_codes").unique(maintain_order=True).to_list(),
    )
    groups = (
        keyed.join(tops, on="_codes", maintain_order="left")
        # the shares directly under the total, in the order of the file
        .filter(pl.col("_children").list.contains(pl.col(dimension)))
        .group_by(others, maintain_order=True)
        .agg(
            pl.col(ID).alias("ids"),
            pl.col(dimension).alias("codes"),
            # summed in order, as a reader adds them up
            pl.col("low").cum_sum().last().alias("total"),
            pl.lit(10.0)
            .pow(-pl.col("decimals").fill_null(0).cast(pl.Float64))
            .cum_sum()
            .last()
            .alias("tol"),
            pl.col("_closed").first(),
        )
        .with_columns(
            citation_label([d for d in run.dimensions if d in others], measure=False).alias("group")
        )
    )
    if groups.height == 0:
        return
    total, tol = pl.col("total"), pl.col("tol")
    fails = (total > 100 + tol + 1e-9) | (pl.col("_closed") & (total < 100 - tol - 1e-9))
    judged = groups.with_columns(fails.alias("_fails"))
    _record_shares(
        run, rule, judged.filter("_fails").select("group", "ids", "codes", "total", "tol")
    )
    run.add_evaluations(
        rule.name,
        judged.select(
            "group",
            pl.when("_fails").then(pl.lit("fail")).otherwise(pl.lit("pass")).alias("outcome"),
            pl.lit(None, dtype=pl.String).alias("reason"),
            pl.col("ids").list.first().alias("anchor"),
        ),
        "anchor",
    )


_SEPARATOR = "\x1f"
"""Joins a group's codes into one key (codes never hold control characters)."""


def _tops(definition: Dimension, rule: Rule, keys: list[str]) -> pl.DataFrame:
    """For each set of codes a group gives (``keys``: joined, sorted), the codes directly under
    the total (``_children``) and whether they must add up to all of it (``_closed``); sets
    with fewer than two such codes are left out."""
    rows = []
    for key in keys:
        found = relations(definition, frozenset(key.split(_SEPARATOR)) | {"_T"})
        top = next((r for r in found if r.parent == "_T"), None)
        if top is not None and len(top.children) >= 2:
            rows.append((key, list(top.children), top.complete or rule.closed))
    return pl.DataFrame(
        rows,
        schema={"_codes": pl.String, "_children": pl.List(pl.String), "_closed": pl.Boolean},
        orient="row",
    )


def _record_shares(run: Run, rule: Rule, failed: pl.DataFrame) -> None:
    """The share-sum finding of each failed group (``group``, its label, the ``ids`` and
    ``codes`` of its shares, their ``total`` and the ``tol`` their digits allow)."""
    if failed.height == 0:
        return
    groups = failed.with_row_index("_group")
    shares = run.with_texts(
        groups.select("_group", "ids", "codes").explode("ids", "codes"), share="ids"
    )
    parts = shares.group_by("_group", maintain_order=True).agg(
        pl.format("{} {}%", "codes", "share_value").str.join(" + ").alias("_parts")
    )
    groups = groups.join(parts, on="_group", how="left", maintain_order="left").with_columns(
        pl.col("ids").list.first().alias("_first")
    )
    numbers = run.record(
        groups,
        code="share-sum",
        severity=Severity.ERROR.value,
        message=messages.share_sum(
            group=pl.col("group"),
            dimension=pl.lit(rule.dimension),
            total=pl.lit(number_texts(groups.get_column("total"))),
            parts=pl.col("_parts"),
            allowed=pl.lit(number_texts(groups.get_column("tol"))),
        ),
        rule=rule.name,
        located_at="_first",
        cited=pl.col("ids"),
        expected=pl.lit(100.0),
        actual=pl.col("total"),
        imbalance=pl.col("total") - 100,
        tolerance=pl.col("tol"),
    )
    # each share alone: 100 less the others, within what the shares' digits allow
    values = run.frame.select(pl.col(ID).alias("ids"), pl.col("low").alias("v"))
    run.windows.append(
        groups.with_columns(numbers.alias("finding"))
        .select("finding", "ids", "total", "tol")
        .explode("ids")
        .join(values, on="ids", how="left")
        .select(
            "finding",
            pl.col("ids").alias("figure"),
            (100.0 - pl.col("total") + pl.col("v") - pl.col("tol")).alias("low"),
            (100.0 - pl.col("total") + pl.col("v") + pl.col("tol")).alias("high"),
            (100.0 - pl.col("total") + pl.col("v")).alias("nearest"),
        )
    )
