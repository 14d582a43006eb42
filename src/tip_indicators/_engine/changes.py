"""Change rules: a stated change equals the difference of levels; a percentage change agrees
with the change and its base to the digits it states (rounded or truncated).

A percentage that fails is tested against the usual slips (the current level used as the base)
and gets its own suggestions, since it is not a linear relation.
"""

from __future__ import annotations

import math
from typing import Any

import attrs
import polars as pl

from tip_indicators._engine.base import (
    ID,
    PERCENT_CHECK_SCHEMA,
    SUGGESTION_SCHEMA,
    Run,
    interval,
    interval_texts,
    number,
    uniform_columns,
)
from tip_indicators.findings import Severity, messages
from tip_indicators.findings.wording import worded_text
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
        cited=pl.concat_list(ID, "t_id", "b_id"),
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
            pl.concat_list(ID, "t_id", "b_id").alias("ids"),
            pl.concat_list(pl.lit(1.0), pl.lit(-1.0), pl.lit(1.0)).alias("coefs"),
            pl.lit(0.0).alias("constant"),
            pl.lit("eq").alias("sense"),
            pl.col("tol"),
            (pl.col("outcome") == "fail").alias("failed"),
            pl.col("finding"),
        )
    )


def stated_window(stated: pl.Expr, decimals: pl.Expr) -> tuple[pl.Expr, pl.Expr]:
    """The least and greatest percentage that rounds or truncates to each ``stated`` figure
    given with ``decimals`` digits (:func:`_accepts`, column-wise)."""
    unit = pl.lit(10.0).pow(-decimals.fill_null(0).cast(pl.Float64))
    low = (
        pl.when(stated > 0)
        .then(stated - unit / 2)
        .when(stated < 0)
        .then(stated - unit)
        .otherwise(-unit)
    )
    high = (
        pl.when(stated > 0)
        .then(stated + unit)
        .when(stated < 0)
        .then(stated + unit / 2)
        .otherwise(unit)
    )
    return low, high


def _accepts(stated: float, decimals: int, low: float, high: float) -> bool:
    """Whether some percentage in [low, high] rounds or truncates to ``stated``."""
    unit = 10.0**-decimals
    if stated > 0:
        window = (stated - unit / 2, stated + unit)
    elif stated < 0:
        window = (stated - unit, stated + unit / 2)
    else:
        window = (-unit, unit)
    return low <= window[1] + _EPSILON and high >= window[0] - _EPSILON


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
    worded = [_percent_wording(row) for row in failures.iter_rows(named=True)]
    numbers = run.record(
        failures.with_columns(
            pl.Series("_message", [w.message for w in worded], dtype=pl.String),
            pl.Series("_expected", [w.expected for w in worded], dtype=pl.Float64),
            pl.Series("_expected_text", [w.expected_text for w in worded], dtype=pl.String),
            pl.Series("_imbalance", [w.imbalance for w in worded], dtype=pl.Float64),
            pl.Series("_tolerance", [w.tolerance for w in worded], dtype=pl.Float64),
        ),
        code="percent-change-mismatch",
        severity=Severity.ERROR.value,
        message=pl.col("_message"),
        rule=rule.name,
        located_at=ID,
        cited=pl.concat_list(ID, "c_id", "t_id", "b_id"),
        expected=pl.col("_expected"),
        expected_text=pl.col("_expected_text"),
        actual=pl.col("low"),
        imbalance=pl.col("_imbalance"),
        tolerance=pl.col("_tolerance"),
    )
    _add_percent_checks(run, judged, numbers)
    fixes: dict[str, list[Any]] = {name: [] for name in SUGGESTION_SCHEMA}
    for number_, wording in zip(numbers.to_list(), worded, strict=True):
        for fix in wording.fixes:
            for name, item in zip(fixes, (number_, *fix), strict=True):
                fixes[name].append(item)
    run.suggestions.append(pl.DataFrame(fixes, schema=SUGGESTION_SCHEMA))


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


def accepts(stated: float, decimals: int, value: float) -> bool:
    """Whether the percentage ``value`` rounds or truncates to ``stated`` (its digits)."""
    return _accepts(stated, decimals, value, value)


@attrs.frozen
class _Wording:
    """What a failed percentage change says: its message, expected value (a number, or the
    text of an interval), imbalance, tolerance, and fixes (figure id, value, reason, score)."""

    message: str
    expected: float | None
    expected_text: str | None
    imbalance: float
    tolerance: float
    fixes: list[tuple[int, str, str, float]]


def _percent_wording(row: dict[str, Any]) -> _Wording:
    """The wording of one failed percentage change: the arithmetic, whether the current level
    was taken for the base, and the single figures whose change would make it right.

    The percentage is written with the digits it states, which differ from row to row, so
    each failure is worded here rather than by a query (a file states few percentage
    changes).

    Long because the wrong-base and decimal-point readings each change the first fix, and they are
    told apart in one place."""
    c_low, c_high, b_low, b_high = row["x_low"], row["x_high"], row["y_low"], row["y_high"]
    p_low, p_high = row["p_low"], row["p_high"]
    decimals = int(row["decimals"] or 0)
    exact = c_low == c_high and b_low == b_high
    right = f"{p_low:.{decimals}f}" if exact else f"{p_low:.{decimals}f}..{p_high:.{decimals}f}"
    change, base = interval(c_low, c_high), interval(b_low, b_high)
    if row["basis"] == "change and level":
        arithmetic = f"{change} / ({number(row['t_low'])} - {change}) = {change} / {base}"
    else:
        arithmetic = f"{change} / {base}"
    value = row["pch_value"]
    message = worded_text(
        "{figure}: the change is stated as {stated}, but {arithmetic} = {computed}",
        figure=row["pch_label"],
        stated=f"{value}%",
        arithmetic=arithmetic,
        computed=f"{right}%",
    )
    first = (row[ID], right, f"the percentage computed from the {row['basis']}", 3.0)
    if exact and row["t_low"] is not None and row["t_low"] > 0:
        on_level = 100.0 * c_low / row["t_low"]
        if _accepts(row["low"], decimals, on_level, on_level):
            message += worded_text(
                "; {stated} is {change} / {level}, the {period} level used as the base instead "
                "of the {base_period} level",
                stated=f"{value}%",
                change=change,
                level=number(row["t_low"]),
                period=str(row["period"]),
                base_period=str(row["base_period"]),
            )
            first = (
                row[ID],
                right,
                "the percentage was computed on the wrong base, the current level (wrong-base)",
                4.0,
            )
    if exact and not _agrees_with_stated_change(row, decimals):
        for meant, places in points_moved(str(value)):
            digits = len(meant.partition(".")[2])
            if _accepts(float(meant), digits, p_low, p_low):
                moved = "one place" if places == 1 else "two places"
                reason = f"a decimal point moved {moved} (decimal-point): {value} for {meant}"
                first = (row[ID], meant, reason, 4.0)
                break
    fixes = [first, *(_count_alternatives(row, decimals) if exact else [])]
    return _Wording(
        message,
        round(p_low, decimals) if exact else None,
        None if exact else right,
        row["low"] - p_low,
        10.0**-decimals,
        fixes,
    )


def _agrees_with_stated_change(row: dict[str, Any], decimals: int) -> bool:
    """Whether the stated percentage is the stated change over the base level: its digits are
    then right, and a level is what is wrong (a point moved back would agree by coincidence)."""
    change, base = row.get("c_low"), row.get("b_low")
    if change is None or base is None or base == 0 or row.get("c_high") != change:
        return False
    ratio = 100.0 * change / base
    return _accepts(row["low"], decimals, ratio, ratio)


def points_moved(written: str) -> list[tuple[str, int]]:
    """``written`` with its decimal point moved one or two places either way, each with the
    places it moved (``6.804`` gives ``68.04``, 1; ``680.4``, 1; ...), as a person would key
    them: no leading zeros but one before the point, no point left at the end."""
    sign = "-" if written.startswith("-") else ""
    unsigned = written.removeprefix("-")
    if not unsigned.replace(".", "", 1).isdigit():
        return []
    digits = unsigned.replace(".", "")
    point = unsigned.index(".") if "." in unsigned else len(unsigned)
    moved: list[tuple[str, int]] = []
    for shift in (1, -1, 2, -2):
        at = point + shift
        padded = "0" * max(0, -at) + digits + "0" * max(0, at - len(digits))
        at = max(at, 0)
        whole = padded[:at].lstrip("0") or "0"
        fraction = padded[at:]
        moved.append((f"{sign}{whole}.{fraction}" if fraction else f"{sign}{whole}", abs(shift)))
    return moved


def _count_alternatives(row: dict[str, Any], decimals: int) -> list[tuple[int, str, str, float]]:
    """Other single figures whose change would make the stated percentage right (less likely):
    each as (figure id, value, reason, score)."""
    stated = row["low"]
    found: list[tuple[int, str, str, float]] = []
    if stated <= -100 or stated == 0:
        return found
    if row["c_id"] is not None and row["t_low"] is not None and row["b_low"] is None:
        change = round(stated * row["t_low"] / (100.0 + stated))
        base = row["t_low"] - change
        if base > 0 and _accepts(stated, decimals, 100.0 * change / base, 100.0 * change / base):
            found.append(
                (row["c_id"], str(change), "the change that gives the stated percentage", 1.0)
            )
        level = round(row["c_low"] * (100.0 + stated) / stated)
        if level - row["c_low"] > 0 and _accepts(
            stated,
            decimals,
            100.0 * row["c_low"] / (level - row["c_low"]),
            100.0 * row["c_low"] / (level - row["c_low"]),
        ):
            found.append(
                (row["t_id"], str(level), "the level that gives the stated percentage", 0.5)
            )
    elif row["t_low"] is not None and row["b_low"] is not None and row["b_id"] is not None:
        base = round(100.0 * row["t_low"] / (100.0 + stated))
        if base > 0 and not math.isclose(base, row["b_low"]):
            ratio = 100.0 * (row["t_low"] - base) / base
            if _accepts(stated, decimals, ratio, ratio):
                found.append(
                    (
                        row["b_id"],
                        str(base),
                        "the base level that gives the stated percentage",
                        0.5,
                    )
                )
    return found
