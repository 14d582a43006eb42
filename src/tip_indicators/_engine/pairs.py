"""Rules that compare figures pairwise or by a fixed total: indicator bounds (convicted <=
prosecuted), mirror figures between organisations, and percentage shares adding up to 100."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import polars as pl

from tip_indicators._engine.base import (
    ID,
    Run,
    group_label,
    interval_texts,
    number_texts,
)
from tip_indicators._engine.hierarchy import relations
from tip_indicators.findings import Severity, messages
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
            pl.concat_list(left, right).alias("ids"),
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
            pl.concat_list("w_id", ID).alias("cited"),
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
            pl.concat_list(ID, "r_id").alias("cited"),
        )

    _record(run, rule, judged, findings, left=ID, right="r_id", anchor=ID)


def evaluate_share(run: Run, rule: Rule) -> None:
    """PCT figures directly under the total of one breakdown add up to 100 within rounding.

    Long because the shares of each group are gathered and judged in one pass over the figures."""
    dimension = rule.dimension
    if dimension is None or dimension not in run.dimensions:
        return
    shares = run.frame.filter(
        (pl.col("measure") == "PCT") & (pl.col(dimension) != "_T") & pl.col("low").is_not_null()
    )
    if shares.height == 0:
        return
    others = [k for k in run.keys if k != dimension]
    definition = run.catalogue.dimension(dimension)
    groups = shares.group_by(others, maintain_order=True).agg(
        pl.col(dimension).alias("codes"),
        pl.col(ID).alias("ids"),
        pl.col("low").alias("values"),
        pl.col("decimals").alias("decimals"),
    )
    outcomes: list[dict[str, Any]] = []
    failed: dict[str, list[Any]] = {"group": [], "ids": [], "codes": [], "total": [], "tol": []}
    for row in groups.iter_rows(named=True):
        codes = frozenset(row["codes"]) | {"_T"}
        top = next((r for r in relations(definition, codes) if r.parent == "_T"), None)
        if top is None or len(top.children) < 2:
            continue
        members = [
            (c, i, v, d)
            for c, i, v, d in zip(
                row["codes"], row["ids"], row["values"], row["decimals"], strict=True
            )
            if c in top.children
        ]
        total = sum(v for _, _, v, _ in members)
        tol = sum(10.0 ** -(d or 0) for *_, d in members)
        group = group_label(row, run.dimensions, skip=dimension)
        closed = top.complete or rule.closed
        fails = total > 100 + tol + 1e-9 or (closed and total < 100 - tol - 1e-9)
        if fails:
            for name, value in zip(
                failed,
                (group, [i for _, i, _, _ in members], [c for c, *_ in members], total, tol),
                strict=True,
            ):
                failed[name].append(value)
        outcomes.append(
            {
                "group": group,
                "outcome": "fail" if fails else "pass",
                "reason": None,
                "anchor": members[0][1],
            }
        )
    _record_shares(run, rule, failed)
    if outcomes:
        run.add_evaluations(
            rule.name,
            pl.DataFrame(
                outcomes,
                schema={
                    "group": pl.String,
                    "outcome": pl.String,
                    "reason": pl.String,
                    "anchor": pl.Int64,
                },
            ),
            "anchor",
        )


def _record_shares(run: Run, rule: Rule, failed: dict[str, list[Any]]) -> None:
    """The share-sum finding of each failed group (its label, the ids and codes of its shares,
    their sum and the tolerance their digits allow)."""
    groups = pl.DataFrame(
        failed,
        schema={
            "group": pl.String,
            "ids": pl.List(pl.Int64),
            "codes": pl.List(pl.String),
            "total": pl.Float64,
            "tol": pl.Float64,
        },
    ).with_row_index("_group")
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
