"""How likely each fix the localiser found is, and why: the ranking of suggestions, column-wise.

A fix is weighed, in this order, by how many failed rules it repairs (percentage changes, which
are not linear, are checked value by value), by the rules that hold now and would stop holding
or open a gap (a total that its other breakdowns confirm exactly is rarely the wrong figure),
by the keystroke slip that turns the value meant into the value written
(:mod:`~tip_indicators._engine.keystrokes`), and last by the smaller heuristics (a
computed measure is more often wrong; a smaller change is likelier). The score is one number
that keeps that order. Every candidate of every failed rule is one row: scoring, wording and
ranking them are queries, however many rules fail.
"""

from __future__ import annotations

import polars as pl

from tip_indicators._engine.base import Run, number, number_texts
from tip_indicators._engine.keystrokes import (
    COPIED_PRIOR,
    edit_candidates,
    lands_in_window,
    slip_reason,
    within_reach,
)
from tip_indicators._engine.percent_wording import accepts
from tip_indicators._private.queries import collect
from tip_indicators.findings.citations import texts_of_numbers

__all__ = [
    "CANDIDATE_SCHEMA",
    "JOINT_FIX_SCHEMA",
    "joint_candidates",
    "ranked",
    "single_candidates",
    "slips_within",
]

REPAIR_WEIGHT = 10.0
"""Score per failed rule a fix repairs (and less per rule that holds and it would break)."""
GAP_WEIGHT = 5.0
"""Score less per rule that now adds up exactly and would open a gap."""
MAX_SLIPS = 16
"""The most slips of one figure suggested at once (every digit of the longest figure)."""
EXACT_WEIGHT = 3.0
"""Score more for a slip (or copy) undone after which the failed rules add up exactly, rather
than merely hold: a part written 885 for 88 is told from one that 85 would leave short."""
COMPUTED_WEIGHT = 0.5
"""Score more for a computed measure (CHG, PCH, PCT): derived by hand, so more often wrong."""
COPY_SHARE = 0.1
"""The least change, as a share of the figure, that a value copied from a neighbour explains."""
_EPS = 1e-7
_TIE = 1e-9

CANDIDATE_SCHEMA: dict[str, pl.DataType] = {
    "number": pl.Int64(),
    "figure": pl.Int64(),
    "value": pl.String(),
    "reason": pl.String(),
    "score": pl.Float64(),
    "line": pl.Int64(),
}
"""A candidate fix of a finding (by ``number``) before ranking: the figure, the value as text,
why, its score, and the figure's line (which orders equally likely fixes)."""

JOINT_FIX_SCHEMA: dict[str, pl.DataType] = {
    "component": pl.Int64(),
    "fix": pl.Int64(),
    "place": pl.Int64(),
    "figure": pl.Int64(),
    "value": pl.Float64(),
}
"""A figure that a fix changing several figures together changes: the component it repairs,
the fix's number, the figure's place among the fix's figures, the figure and its new value."""


def slips_within(facts: pl.DataFrame, windows: pl.LazyFrame) -> pl.DataFrame:
    """The keystroke slips of each figure whose value lies in one of its ``windows`` (columns
    ``figure``, ``low``, ``high`` and ``nearest``, the nearest value the rules allow), each
    value once per figure: ``figure``, ``value``, ``prior`` and ``reason``.

    A slip counts only when it lands past that nearest value by no more than its kind's
    :data:`~tip_indicators._engine.keystrokes.REACH` times the least change the rules
    ask for (once, when that is a change of a few): when one less in a part of 86 repairs a
    sum, the swap that makes it 68 lands where a fix may by coincidence, while 154 for a 1540
    that must come down to 529 or less is what the slip explains."""
    low = pl.col("low")
    written = (
        facts.lazy()
        .filter(pl.col("exact") & (low == low.round(0)))
        .select(
            "figure",
            low.cast(pl.Int64, strict=False).cast(pl.String).alias("text"),
            "current",
        )
    )
    framed = (
        windows.lazy()
        .select("figure", "low", "high", "nearest")
        .join(written.lazy().drop_nulls(), on="figure")
        .with_columns(within_reach())
        .pipe(collect)
    )
    return (
        edit_candidates(framed)
        .filter(lands_in_window())
        .unique(["figure", "value"], keep="first", maintain_order=True)
        .with_columns(slip_reason())
        .select("figure", "value", "prior", "reason")
        .pipe(collect)
    )


def _change_penalty(value: pl.Expr, current: pl.Expr) -> pl.Expr:
    """What a fix loses for the size of its change: a smaller change is likelier."""
    return 0.1 * ((value - current).abs() + 1.0).log10()


def _close(a: pl.Expr, b: pl.Expr) -> pl.Expr:
    """:func:`math.isclose` column-wise."""
    return (a - b).abs() <= 1e-9 * pl.max_horizontal(a.abs(), b.abs())


def _values_tried(singles: pl.LazyFrame, slips: pl.LazyFrame) -> pl.LazyFrame:
    """The values each single fix is offered at: every slip of the likeliest kind that fits
    (a 1278 that must come down to 196 or less may be 178, 128 or 127, a digit too many, and
    nothing tells them apart), and the nearest value the rules allow unless a slip is it; each
    with its slip (``prior`` and ``slip``, null when none explains it) and the span of the
    values that repair (``span_low``, ``span_high``)."""
    fixes = singles.group_by("component", "figure").agg(
        pl.col("low").min().alias("span_low"),
        pl.col("high").max().alias("span_high"),
        pl.col("nearest").first(),
        pl.col("current").first(),
    )
    ordered = (
        slips.join(fixes.select("figure", "current", "nearest"), on="figure")
        .sort(
            "figure",
            pl.col("prior"),
            (pl.col("value") - pl.col("current")).abs(),
            "value",
            descending=[False, True, False, False],
        )
        .with_columns(
            pl.int_range(pl.len()).over("figure").alias("rank"),
            pl.col("prior").max().over("figure").alias("top"),
            _close(pl.col("value"), pl.col("nearest")).alias("at_nearest"),
        )
    )
    best = ordered.filter(
        ((pl.col("top") > 0) & (pl.col("prior") == pl.col("top")) & (pl.col("rank") < MAX_SLIPS))
        | ((pl.col("top") <= 0) & (pl.col("rank") == 0))
    )
    nearest_slip = (
        ordered.filter(pl.col("at_nearest"))
        .group_by("figure")
        .agg(pl.col("prior").first(), pl.col("reason").first())
    )
    at_nearest = (
        fixes.join(
            best.filter(pl.col("at_nearest")).select("figure").unique(), on="figure", how="anti"
        )
        .join(nearest_slip, on="figure", how="left")
        .select("figure", pl.col("nearest").alias("value"), "prior", "reason")
    )
    tried = pl.concat(
        [best.select("figure", "value", "prior", "reason"), at_nearest], how="vertical_relaxed"
    )
    return tried.join(fixes, on="figure").rename({"reason": "slip"})


def _percent_outcomes(run: Run, tried: pl.LazyFrame) -> pl.LazyFrame:
    """For each value tried (by ``row``), the failed percentage changes it would make right
    (``fixed``) and those that hold it would make wrong (``broken``)."""
    counts = {"fixed": pl.Int64, "broken": pl.Int64}
    if not run.percent_checks:
        return tried.select("row").with_columns(
            [pl.lit(0, kind).alias(name) for name, kind in counts.items()]
        )
    checks = (
        pl.concat(run.percent_checks)
        .lazy()
        .select("level", "base", "level_value", "base_value", "stated", "decimals", "failed")
    )
    value = tried.select("row", "figure", "value")
    as_level = value.join(checks, left_on="figure", right_on="level").select(
        "row", pl.col("value").alias("level"), pl.col("base_value").alias("base"), *_JUDGED
    )
    as_base = value.join(checks, left_on="figure", right_on="base").select(
        "row", pl.col("level_value").alias("level"), pl.col("value").alias("base"), *_JUDGED
    )
    level, base = pl.col("level"), pl.col("base")
    holds = (base > 0) & accepts(
        pl.col("stated"), pl.col("decimals"), pl.lit(100.0) * (level - base) / base
    )
    judged = (
        pl.concat([as_level, as_base])
        .group_by("row")
        .agg(
            (pl.col("failed") & holds).sum().cast(pl.Int64).alias("fixed"),
            (~pl.col("failed") & ~holds).sum().cast(pl.Int64).alias("broken"),
        )
    )
    return (
        tried.select("row")
        .join(judged, on="row", how="left")
        .with_columns(pl.col(name).fill_null(0) for name in counts)
    )


_JUDGED = ("stated", "decimals", "failed")


def single_candidates(
    run: Run,
    singles: pl.DataFrame,
    *,
    failed: pl.DataFrame,
    terms: pl.DataFrame,
    sums: pl.DataFrame,
    facts: pl.DataFrame,
) -> pl.DataFrame:
    """The candidate fixes that change one figure alone (rows of :data:`CANDIDATE_SCHEMA`):
    for each single fix (``singles``: ``component``, ``figure``, an interval of values that
    repair it, ``nearest``), the likeliest keystroke slips that make the rules hold and the
    nearest value that does, scored and worded, for every finding of its component.

    Long because it is one query: what each value would repair, break and confirm is joined
    onto it, and the score and the words are built from those columns."""
    figure_facts = facts.lazy().select("figure", "current", "exact", "low", "measure", "line")
    windows = singles.lazy().join(figure_facts.select("figure", "current"), on="figure")
    slips = slips_within(facts, windows).lazy()
    # made once: each value's row number is what the outcomes below are joined back on
    tried = (
        _values_tried(windows, slips)
        .with_row_index("row")
        .with_columns(pl.col("row").cast(pl.Int64))
        .pipe(collect)
        .lazy()
    )
    # one plan, collected once: a small file makes a few queries, not one per step
    rules, parts, totals = failed.lazy(), terms.lazy(), sums.lazy()
    counts = rules.group_by("component").agg(pl.len().cast(pl.Int64).alias("repaired"))
    ineq = (
        rules.join(totals.select("c", "equality"), on="c")
        .group_by("component")
        .agg((~pl.col("equality")).any().alias("inequality"))
    )
    coefs = parts.group_by("c", "figure").agg(pl.col("coef").sum())
    after = pl.col("least") - pl.col("coef") * pl.col("current") + pl.col("coef") * pl.col("value")
    balanced = (
        tried.select("row", "component", "figure", "current", "value")
        .join(rules.select("c", "component"), on="component")
        .join(coefs, on=["c", "figure"], how="left")
        .join(totals.select("c", "least", "tol", "all_exact"), on="c")
        .group_by("row")
        .agg(
            (pl.col("all_exact") & ((after.abs() <= pl.col("tol") + _EPS).fill_null(False)))
            .all()
            .alias("balances")
        )
    )
    confirmed = (
        parts.select("c", "figure")
        .unique()
        .join(totals, on="c")
        .filter(
            ~pl.col("failed")
            & ~pl.col("equality")
            & pl.col("all_exact")
            & (pl.col("least").abs() <= _EPS)
        )
        .group_by("figure")
        .agg(pl.len().cast(pl.Int64).alias("gaps"))
    )
    neighbours = _neighbours(run, rules, parts, figure_facts)
    rows = (
        tried.join(counts, on="component")
        .join(ineq, on="component")
        .join(balanced, on="row", how="left")
        .join(_percent_outcomes(run, tried), on="row")
        .join(confirmed, on="figure", how="left")
        .join(neighbours, on=["component", "figure"], how="left")
        .join(figure_facts.select("figure", "measure", "line"), on="figure")
        .with_columns(pl.col("gaps").fill_null(0), pl.col("balances").fill_null(False))
        .pipe(collect)
    )
    value, current = pl.col("value"), pl.col("current")
    has_slip = pl.col("slip").is_not_null()
    copied = (
        ~has_slip
        & pl.col("copied").is_not_null()
        & ((value - current).abs() >= COPY_SHARE * pl.max_horizontal(current.abs(), pl.lit(1.0)))
    )
    explained = (has_slip & (pl.col("prior") > 0)) | copied
    computed = pl.col("measure").is_in(["CHG", "PCH", "PCT"])
    fixed, broken, gaps = pl.col("fixed"), pl.col("broken"), pl.col("gaps")
    exact_after = explained & pl.col("balances")
    # the terms are added in the order the weights are listed, so equal fixes score equal
    score = (
        REPAIR_WEIGHT * pl.col("repaired").cast(pl.Float64)
        + pl.when(has_slip).then(pl.col("prior")).when(copied).then(COPIED_PRIOR).otherwise(0.0)
        + pl.when(exact_after).then(EXACT_WEIGHT).otherwise(0.0)
        + REPAIR_WEIGHT * fixed.cast(pl.Float64)
        - REPAIR_WEIGHT * broken.cast(pl.Float64)
        - GAP_WEIGHT * gaps.cast(pl.Float64)
        + pl.when(computed).then(COMPUTED_WEIGHT).otherwise(0.0)
        - pl.when(~explained).then(_change_penalty(value, current)).otherwise(0.0)
    )
    low, high = pl.col("span_low"), pl.col("span_high")
    low_text = number_texts(rows.get_column("span_low"))
    high_text = number_texts(rows.get_column("span_high"))
    span = (
        pl.when(high.is_infinite())
        .then(pl.concat_str(pl.lit("from "), low_text))
        .when(low <= 0)
        .then(pl.concat_str(pl.lit("up to "), high_text))
        .otherwise(pl.concat_str(pl.lit("from "), low_text, pl.lit(" to "), high_text))
    )
    total_repaired = pl.col("repaired") + fixed
    reasons = [
        pl.when(has_slip).then(pl.col("slip")).when(copied).then(pl.col("copied")),
        pl.when(exact_after & pl.col("inequality")).then(
            pl.lit("the failed rules then add up exactly")
        ),
        pl.when(~has_slip & (low < high)).then(
            pl.concat_str(pl.lit("any value "), span, pl.lit(" makes the rules hold (boundary)"))
        ),
        pl.when(fixed > 0).then(pl.lit("also makes the percentage change right")),
        pl.when(broken > 0).then(pl.lit("but would make the percentage change wrong")),
        pl.when(gaps == 1)
        .then(pl.lit("but 1 other rule adds up to it exactly"))
        .when(gaps > 1)
        .then(pl.format("but {} other rules add up to it exactly", gaps)),
        pl.when(computed).then(
            pl.format("a {} figure is computed from levels, so more often wrong", "measure")
        ),
        pl.when(total_repaired > 1).then(pl.format("repairs all {} failed rules", total_repaired)),
    ]
    reason = pl.concat_str(reasons, separator="; ", ignore_nulls=True)
    findings = rules.filter(pl.col("finding").is_not_null()).select("component", "finding").unique()
    return (
        rows.with_columns(
            score.alias("score"),
            pl.when(reason == "")
            .then(pl.lit("changing this figure alone makes the rules hold (derived)"))
            .otherwise(reason)
            .alias("reason"),
            _value_texts(rows.get_column("value")).alias("value"),
        )
        .join(collect(findings), on="component")
        .select(
            pl.col("finding").alias("number"),
            "figure",
            "value",
            "reason",
            "score",
            pl.col("line").fill_null(0),
        )
        .select([pl.col(name).cast(kind) for name, kind in CANDIDATE_SCHEMA.items()])
    )


def _neighbours(
    run: Run, failed: pl.LazyFrame, terms: pl.LazyFrame, facts: pl.LazyFrame
) -> pl.LazyFrame:
    """For each exact figure of a component's failed rules, the first other exact figure of
    those rules (by id) stating the same value, worded as a copy: a value copied from the
    neighbouring figure (``copied``, null when there is none)."""
    held = (
        failed.select("c", "component")
        .join(terms.select("c", "figure"), on="c")
        .select("component", "figure")
        .unique()
        .join(facts.filter(pl.col("exact")).select("figure", "low"), on="figure")
    )
    pairs = (
        held.join(held, on=["component", "low"], suffix="_other")
        .filter(pl.col("figure") != pl.col("figure_other"))
        .group_by("component", "figure")
        .agg(pl.col("figure_other").min().alias("other"))
        .pipe(collect)
    )
    texts = run.figure_texts(pairs.get_column("other"))
    return (
        pairs.lazy()
        .with_columns(texts.get_column("label"), texts.get_column("value"))
        .join(
            facts.select(pl.col("figure").alias("other"), pl.col("line").alias("other_line")),
            on="other",
            how="left",
        )
        .select(
            "component",
            "figure",
            pl.concat_str(
                pl.lit("equals "),
                "label",
                pl.lit(" ("),
                "value",
                pl.lit(", line "),
                pl.col("other_line").cast(pl.String).fill_null("None"),
                pl.lit("): likely copied from the neighbouring figure (copied)"),
            ).alias("copied"),
        )
    )


def _value_texts(values: pl.Series) -> pl.Series:
    """Each value as a suggestion gives it: whole numbers as digits, others as a message
    writes them without thousands separators."""
    return texts_of_numbers(values, whole=_digits, other=_format, null="?", below=2.0**53)


def _digits(x: pl.Expr) -> pl.Expr:
    return x.cast(pl.Int64).cast(pl.String)


def ranked(candidates: pl.DataFrame, limit: int) -> pl.DataFrame:
    """The candidates to show for each finding, likeliest first (columns of
    :data:`~tip_indicators._engine.base.SUGGESTION_SCHEMA`): all that share the best
    score (each saying how many figures are equally likely, when more than one), then others
    up to ``limit``. Equally likely fixes are ordered by line and value, never by the order
    they were found."""
    order = candidates.sort(
        "number",
        "score",
        "line",
        "value",
        "reason",
        "figure",
        descending=[False, True, False, False, False, False],
    ).unique(["number", "figure", "value"], keep="first", maintain_order=True)
    best = pl.col("score") >= pl.col("score").first().over("number") - _TIE
    shown = order.with_columns(
        pl.int_range(pl.len()).over("number").alias("rank"), best.alias("best")
    ).with_columns(
        pl.col("best").sum().over("number").alias("tied"),
        pl.col("figure").filter(pl.col("best")).n_unique().over("number").alias("tied_figures"),
    )
    tied, figures = pl.col("tied"), pl.col("tied_figures")
    note = (
        pl.when(figures == tied)
        .then(pl.format("one of {} equally likely figures", tied))
        .when(figures > 1)
        .then(pl.format("one of {} equally likely fixes of {} figures", tied, figures))
        .otherwise(pl.format("one of {} equally likely values", tied))
    )
    return shown.filter(pl.col("rank") < pl.max_horizontal(pl.lit(limit), tied)).select(
        "number",
        "figure",
        "value",
        pl.when(pl.col("best") & (tied > 1))
        .then(pl.concat_str("reason", pl.lit("; "), note))
        .otherwise(pl.col("reason"))
        .alias("reason"),
        "score",
    )


def joint_candidates(
    fixes: pl.DataFrame, *, failed: pl.DataFrame, terms: pl.DataFrame, facts: pl.DataFrame
) -> pl.DataFrame:
    """The candidate rows (:data:`CANDIDATE_SCHEMA`) of the fixes that change several figures
    together (``fixes``: one row per figure a fix changes, with its ``component``, the fix's
    number ``fix``, the figure's ``place`` in it, ``figure`` and new ``value``): each of a
    fix's figures, for each failed rule of its component that the fix touches, worded with the
    other figures of the fix.

    Long because it is one query: the wording of each figure's partners, the rules each fix
    touches, and the score are columns of the same plan."""
    said = fixes.with_columns(_value_texts(fixes.get_column("value")).alias("text"))
    placed = (
        said.lazy()
        .join(facts.lazy().select("figure", "current", "measure", "line"), on="figure", how="left")
        .with_columns(
            pl.len().over("fix").alias("size"),
            pl.concat_str(
                pl.lit("line "),
                pl.col("line").cast(pl.String).fill_null("None"),
                pl.lit(" to "),
                "text",
            ).alias("said"),
        )
    )
    others = (
        placed.select("fix", "place")
        .join(placed.select("fix", pl.col("place").alias("other"), "said"), on="fix")
        .filter(pl.col("other") != pl.col("place"))
        .group_by("fix", "place")
        .agg(pl.col("said").sort_by("other").str.join(", ").alias("others"))
    )
    touched = (
        failed.lazy()
        .filter(pl.col("finding").is_not_null())
        .select("component", "c", "finding")
        .join(terms.lazy().select("c", "figure"), on="c")
        .join(said.lazy().select("component", "fix", "figure"), on=["component", "figure"])
        .select("fix", "finding")
        .unique()
    )
    computed = pl.col("measure").is_in(["CHG", "PCH", "PCT"])
    size = pl.col("size")
    score = (
        -size.cast(pl.Float64) + pl.when(computed).then(COMPUTED_WEIGHT).otherwise(0.0)
    ) - _change_penalty(pl.col("value"), pl.col("current"))
    reason = pl.concat_str(
        pl.lit("together with "),
        pl.col("others").fill_null(""),
        pl.lit(" ("),
        size.cast(pl.String),
        pl.lit(" figures must change)"),
        pl.when(computed)
        .then(pl.format("; a {} figure is computed from levels, so more often wrong", "measure"))
        .otherwise(pl.lit("")),
    )
    return (
        placed.join(others, on=["fix", "place"], how="left")
        .join(touched, on="fix")
        .select(
            pl.col("finding").alias("number"),
            "figure",
            pl.col("text").alias("value"),
            reason.alias("reason"),
            score.alias("score"),
            pl.col("line").fill_null(0),
        )
        .select([pl.col(name).cast(kind) for name, kind in CANDIDATE_SCHEMA.items()])
        .pipe(collect)
    )


def _format(value: float) -> str:
    if float(value).is_integer():
        return str(int(value))
    return number(value).replace(",", "")
