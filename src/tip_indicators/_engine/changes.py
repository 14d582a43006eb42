"""Change rules: a stated change equals the difference of levels; a percentage change agrees
with the change and its base to the digits it states (rounded or truncated).

A percentage that fails is tested against the usual slips (the current level used as the base)
and gets its own suggestions, since it is not a linear relation: both are worded for every
failure at once in :mod:`~tip_indicators._engine.percent_wording`.
"""

from __future__ import annotations

import polars as pl

from tip_indicators._engine.base import (
    ID,
    PERCENT_CHECK_SCHEMA,
    SUGGESTION_SCHEMA,
    Run,
    id_list,
    interval_texts,
    uniform_columns,
)
from tip_indicators._engine.percent_wording import percent_wordings, stated_window
from tip_indicators.findings import Severity, messages
from tip_indicators.rules import Rule

_EPSILON = 1e-9


def _varying(run: Run, columns: list[str]) -> list[str]:
    """``columns`` without the dimensions that have one value throughout the file: figures
    match on those anyway."""
    key = ("uniform dimensions",)
    if key not in run.cache:
        run.cache[key] = uniform_columns(run.frame, run.dimensions)
    uniform = run.cache[key]
    assert isinstance(uniform, frozenset)
    return [column for column in columns if column not in uniform]


def _match_keys(run: Run) -> list[str]:
    """The columns a change shares with its levels: its series."""
    return _varying(run, ["indicator", "reporter", *run.dimensions])


def _levels(levels: pl.DataFrame, keys: list[str], suffix: str) -> pl.DataFrame:
    return levels.select(
        *keys,
        pl.col("period").alias(f"period_{suffix}"),
        pl.col(ID).alias(f"{suffix}_id"),
        pl.col("low").alias(f"{suffix}_low"),
        pl.col("high").alias(f"{suffix}_high"),
    )


def _group(measure: str) -> pl.Expr:
    """What an evaluation of a change judged: its series, period and base period."""
    return pl.format(
        f"{{}} {{}} {{}} {measure} {{}}", "indicator", "reporter", "period", "base_period"
    )


def _levels_of_changed_series(run: Run, keys: list[str]) -> pl.DataFrame:
    """The levels (keys, period, id and bounds) of every series with a change or a percentage
    change, worked out once for both rules while the levels stay as they are."""
    levels = run.levels()
    key = ("levels of changed series",)
    cached = run.cache.get(key)
    if not (isinstance(cached, tuple) and cached[0] is levels):
        changed = run.frame.filter(pl.col("measure").is_in(["CHG", "PCH"])).select(keys).unique()
        narrow = levels.select(*keys, "period", ID, "low", "high")
        cached = (levels, narrow.join(changed, on=keys, how="semi"))
        run.cache[key] = cached
    found = cached[1]
    assert isinstance(found, pl.DataFrame)
    return found


def _with_levels(run: Run, frame: pl.DataFrame) -> pl.DataFrame:
    """The changes in ``frame`` with the levels of their period and base period beside them.

    Only the series that have changes are joined: in a large file they are a fraction of all
    levels, and the join then hashes that fraction.
    """
    keys = _match_keys(run)
    levels = _levels_of_changed_series(run, keys)
    return frame.join(
        _levels(levels, keys, "t"),
        left_on=[*keys, "period"],
        right_on=[*keys, "period_t"],
        how="left",
        maintain_order="left",
    ).join(
        _levels(levels, keys, "b"),
        left_on=[*keys, "base_period"],
        right_on=[*keys, "period_b"],
        how="left",
        maintain_order="left",
    )


def evaluate_change(run: Run, rule: Rule) -> None:
    """CHG = level(period) - level(base period), with censored levels as intervals.

    Long because it is one rule's query, evaluation and finding: the judged frame feeds all
    three."""
    changes = run.frame.filter((pl.col("measure") == "CHG") & pl.col("low").is_not_null())
    if changes.height == 0:
        return
    joined = _with_levels(run, changes)
    tol = pl.lit(rule.tolerance.absolute) + pl.lit(rule.tolerance.relative) * pl.col("t_high").abs()
    expected_low = pl.col("t_low") - pl.col("b_high")
    expected_high = pl.col("t_high") - pl.col("b_low")
    missing = pl.col("t_low").is_null() | pl.col("b_low").is_null()
    judged = joined.with_columns(
        pl.when(missing)
        .then(pl.lit("not_evaluated"))
        .when((pl.col("low") < expected_low - tol) | (pl.col("high") > expected_high + tol))
        .then(pl.lit("fail"))
        .otherwise(pl.lit("pass"))
        .alias("outcome"),
        pl.when(pl.col("t_id").is_null())
        .then(pl.format("the level in {} is not stated", pl.col("period")))
        .when(pl.col("b_id").is_null())
        .then(pl.format("the level in {} is not stated", pl.col("base_period")))
        .when(missing)
        .then(pl.lit("a level is missing"))
        .otherwise(pl.lit(None))
        .alias("reason"),
        expected_low.alias("e_low"),
        expected_high.alias("e_high"),
        tol.alias("tol"),
    ).with_row_index("_row")
    run.add_evaluations(rule.name, judged, ID, group=_group("CHG"))
    failures = run.with_texts(
        judged.filter(pl.col("outcome") == "fail"), stated=ID, level="t_id", base="b_id"
    )
    expected = interval_texts(failures.get_column("e_low"), failures.get_column("e_high"))
    exact = pl.col("e_low") == pl.col("e_high")
    numbers = run.record(
        failures,
        code="change-mismatch",
        severity=Severity.ERROR.value,
        message=messages.change_mismatch(
            stated=pl.col("stated_label"),
            stated_value=pl.col("stated_value"),
            period=pl.col("period"),
            base_period=pl.col("base_period"),
            level=pl.col("level_value"),
            base=pl.col("base_value"),
            expected=pl.lit(expected),
        ),
        rule=rule.name,
        located_at=ID,
        cited=id_list(ID, "t_id", "b_id"),
        expected=pl.when(exact).then(pl.col("e_low")),
        expected_text=pl.when(~exact).then(pl.lit(expected)),
        actual=pl.col("low"),
        imbalance=pl.col("low") - pl.col("e_low"),
        tolerance=pl.col("tol"),
    )
    index = failures.select("_row").with_columns(numbers)
    run.add_constraints(
        judged.filter(~missing)
        .join(index, on="_row", how="left", maintain_order="left")
        .select(
            id_list(ID, "t_id", "b_id").alias("ids"),
            pl.concat_list(pl.lit(1.0), pl.lit(-1.0), pl.lit(1.0)).alias("coefs"),
            pl.lit(0.0).alias("constant"),
            pl.lit("eq").alias("sense"),
            pl.col("tol"),
            (pl.col("outcome") == "fail").alias("failed"),
            pl.col("finding"),
        )
    )


def evaluate_percent_change(run: Run, rule: Rule) -> None:
    """PCH = 100 x change / base level, judged against the digits the figure states.

    Long because the stated digits make three readings (levels, change and level, change alone)
    that are judged in one frame."""
    stated = run.frame.filter((pl.col("measure") == "PCH") & pl.col("low").is_not_null())
    if stated.height == 0:
        return
    keys = _varying(run, [k for k in run.keys if k != "measure"])
    changes = run.frame.filter(pl.col("measure") == "CHG").select(
        *keys,
        pl.col(ID).alias("c_id"),
        pl.col("low").alias("c_low"),
        pl.col("high").alias("c_high"),
    )
    joined = _with_levels(run, stated).join(
        changes, on=keys, how="left", nulls_equal=True, maintain_order="left"
    )
    t_low, t_high, b_low, b_high = (pl.col(c) for c in ("t_low", "t_high", "b_low", "b_high"))
    c_low, c_high = pl.col("c_low"), pl.col("c_high")
    by_levels = t_low.is_not_null() & b_low.is_not_null()
    by_change_level = ~by_levels & c_low.is_not_null() & t_low.is_not_null()
    by_change_base = ~by_levels & ~by_change_level & c_low.is_not_null() & b_low.is_not_null()
    change_low = pl.when(by_levels).then(t_low - b_high).otherwise(c_low)
    change_high = pl.when(by_levels).then(t_high - b_low).otherwise(c_high)
    base_low = pl.when(by_change_level).then(t_low - c_high).otherwise(b_low)
    base_high = pl.when(by_change_level).then(t_high - c_low).otherwise(b_high)
    framed = joined.with_columns(
        change_low.alias("x_low"),
        change_high.alias("x_high"),
        base_low.alias("y_low"),
        base_high.alias("y_high"),
        pl.when(by_levels)
        .then(pl.lit("levels"))
        .when(by_change_level)
        .then(pl.lit("change and level"))
        .when(by_change_base)
        .then(pl.lit("change and base"))
        .otherwise(pl.lit(None))
        .alias("basis"),
    )
    corners = [
        100.0 * pl.col(c) / pl.col(b) for c in ("x_low", "x_high") for b in ("y_low", "y_high")
    ]
    window_low, window_high = stated_window(pl.col("low"), pl.col("decimals"))
    judged = framed.with_columns(
        pl.min_horizontal(corners).alias("p_low"), pl.max_horizontal(corners).alias("p_high")
    ).with_columns(
        pl.when(pl.col("basis").is_null())
        .then(pl.lit("not_evaluated"))
        .when(pl.col("y_low") <= 0)
        .then(pl.lit("not_evaluated"))
        .when(
            (pl.col("p_low") <= window_high + _EPSILON)
            & (pl.col("p_high") >= window_low - _EPSILON)
        )
        .then(pl.lit("pass"))
        .otherwise(pl.lit("fail"))
        .alias("outcome"),
        pl.when(pl.col("basis").is_null())
        .then(pl.lit("neither both levels nor the change and one level are stated"))
        .when(pl.col("y_low") <= 0)
        .then(pl.lit("the base level is zero"))
        .otherwise(pl.lit(None))
        .alias("reason"),
    )
    run.add_evaluations(rule.name, judged, ID, group=_group("PCH"))
    failures = run.with_texts(judged.filter(pl.col("outcome") == "fail"), pch=ID)
    if failures.height == 0:
        _add_percent_checks(run, judged, pl.Series("finding", [], dtype=pl.Int64))
        return
    wordings, fixes = percent_wordings(failures)
    numbers = run.record(
        failures.hstack(wordings),
        code="percent-change-mismatch",
        severity=Severity.ERROR.value,
        message=pl.col("_message"),
        rule=rule.name,
        located_at=ID,
        cited=id_list(ID, "c_id", "t_id", "b_id"),
        expected=pl.col("_expected"),
        expected_text=pl.col("_expected_text"),
        actual=pl.col("low"),
        imbalance=pl.col("_imbalance"),
        tolerance=pl.col("_tolerance"),
    )
    _add_percent_checks(run, judged, numbers)
    run.suggestions.append(
        fixes.select(
            numbers.gather(fixes.get_column("failure")).alias("number"),
            *(name for name in SUGGESTION_SCHEMA if name != "number"),
        ).select([pl.col(c).cast(t) for c, t in SUGGESTION_SCHEMA.items()])
    )


def _add_percent_checks(run: Run, judged: pl.DataFrame, numbers: pl.Series) -> None:
    """Record the percentage changes judged on two exact levels, with the numbers of the
    findings of those that failed (``numbers``, in the order of the failures)."""
    outcome = pl.col("outcome")
    failed = judged.filter(outcome == "fail").select(ID).with_columns(numbers)
    exact = (pl.col("t_low") == pl.col("t_high")) & (pl.col("b_low") == pl.col("b_high"))
    run.percent_checks.append(
        judged.filter((pl.col("basis") == "levels") & exact & outcome.is_in(["pass", "fail"]))
        .join(failed, on=ID, how="left", maintain_order="left")
        .select(
            pl.col(ID).alias("pch"),
            pl.col("t_id").alias("level"),
            pl.col("b_id").alias("base"),
            pl.col("t_low").alias("level_value"),
            pl.col("b_low").alias("base_value"),
            pl.col("low").alias("stated"),
            pl.col("decimals").fill_null(0),
            (outcome == "fail").alias("failed"),
            pl.col("finding"),
        )
        .select([pl.col(c).cast(t) for c, t in PERCENT_CHECK_SCHEMA.items()])
    )
