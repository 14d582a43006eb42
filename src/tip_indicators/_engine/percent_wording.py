"""What a failed percentage change says, and the single figures that would make it right,
column-wise for every failure at once.

A percentage is judged against the digits it states: ``72.83`` admits every value that rounds
or truncates to it (:func:`stated_window`). A failure's message gives the arithmetic with the
percentage computed to the stated digits, and names the usual slips: the current level taken for
the base (``wrong-base``), a decimal point keyed one or two places off (``decimal-point``). Its
fixes are the computed percentage (or the slip's value), then, less likely, the change, level or
base level that would give the stated percentage.
"""

from __future__ import annotations

import math

import polars as pl

from tip_indicators._engine.base import ID, interval_texts, number_texts, rounded_units
from tip_indicators._private.queries import collect_all
from tip_indicators.findings.wording import worded

__all__ = ["WORDING_COLUMNS", "accepts", "moved_points", "percent_wordings", "stated_window"]

WORDING_COLUMNS = ("_message", "_expected", "_expected_text", "_imbalance", "_tolerance")
"""The columns :func:`percent_wordings` gives each failure."""

_EPSILON = 1e-9
_SHIFTS = (1, -1, 2, -2)
"""The places a decimal point may have moved, in the order they are tried."""
_FIX_COLUMNS = ("failure", "figure", "value", "reason", "score")


def stated_window(stated: pl.Expr, decimals: pl.Expr) -> tuple[pl.Expr, pl.Expr]:
    """The least and greatest percentage that rounds or truncates to each ``stated`` figure
    given with ``decimals`` digits."""
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


def accepts(stated: pl.Expr, decimals: pl.Expr, value: pl.Expr) -> pl.Expr:
    """Whether ``value`` rounds or truncates to ``stated`` with ``decimals`` digits."""
    start, end = stated_window(stated, decimals)
    return (value <= end + _EPSILON) & (value >= start - _EPSILON)


def percent_wordings(failures: pl.DataFrame) -> tuple[pl.DataFrame, pl.DataFrame]:
    """For each failed percentage change (rows with the figure's ``ID``, ``low``, ``decimals``,
    ``pch_label`` and ``pch_value``, its ``basis``, the change and base it was computed from,
    ``x_low``..``y_high``, the percentages they give, ``p_low``, ``p_high``, and the figures
    ``c_*``, ``t_*``, ``b_*`` with ``period`` and ``base_period``): the columns of
    :data:`WORDING_COLUMNS`, row for row, and its fixes (``failure``, the row's position,
    ``figure``, ``value``, ``reason``, ``score``), likeliest first within each failure.

    Long because it is one message builder: the arithmetic, the wrong-base reading and the first
    fix are read off the same columns."""
    count = failures.height
    column = failures.get_column
    decimals = column("decimals").fill_null(0).cast(pl.Int64)
    # each helper once over both columns it is asked for: a small file pays per query
    texts, rounded = _fixed(
        pl.concat([column("p_low"), column("p_high")]), pl.concat([decimals, decimals])
    )
    intervals = interval_texts(
        pl.concat([column("x_low"), column("y_low")]),
        pl.concat([column("x_high"), column("y_high")]),
    )
    framed = failures.with_columns(
        decimals.alias("_digits"),
        texts.head(count).alias("_p_low_text"),
        texts.tail(count).alias("_p_high_text"),
        rounded.head(count).alias("_p_rounded"),
        intervals.head(count).alias("_change"),
        intervals.tail(count).alias("_base"),
        number_texts(column("t_low")).alias("_level"),
    ).with_row_index("failure")
    digits = pl.col("_digits")
    exact = (pl.col("x_low") == pl.col("x_high")) & (pl.col("y_low") == pl.col("y_high"))
    right = (
        pl.when(exact)
        .then(pl.col("_p_low_text"))
        .otherwise(pl.concat_str("_p_low_text", pl.lit(".."), "_p_high_text"))
    )
    stated = pl.concat_str("pch_value", pl.lit("%"))
    change, base, level = pl.col("_change"), pl.col("_base"), pl.col("_level")
    arithmetic = (
        pl.when(pl.col("basis") == "change and level")
        .then(pl.concat_str(change, pl.lit(" / ("), level, pl.lit(" - "), change, pl.lit(") = ")))
        .otherwise(pl.lit(""))
    )
    t_low = pl.col("t_low")
    on_level = pl.lit(100.0) * pl.col("x_low") / t_low
    wrong_base = (exact & (t_low > 0) & accepts(pl.col("low"), digits, on_level)).fill_null(False)
    message = worded(
        "{figure}: the change is stated as {stated}, but {arithmetic} = {computed}",
        figure=pl.col("pch_label"),
        stated=stated,
        arithmetic=pl.concat_str(arithmetic, change, pl.lit(" / "), base),
        computed=pl.concat_str(right, pl.lit("%")),
    )
    named_base = worded(
        "; {stated} is {change} / {level}, the {period} level used as the base instead "
        "of the {base_period} level",
        stated=stated,
        change=change,
        level=level,
        period=pl.col("period").cast(pl.String).fill_null("None"),
        base_period=pl.col("base_period").cast(pl.String).fill_null("None"),
    )
    plan = framed.lazy()
    wordings = plan.select(
        pl.when(wrong_base)
        .then(pl.concat_str(message, named_base))
        .otherwise(message)
        .alias("_message"),
        pl.when(exact).then(pl.col("_p_rounded")).alias("_expected"),
        pl.when(~exact).then(right).alias("_expected_text"),
        (pl.col("low") - pl.col("p_low")).alias("_imbalance"),
        pl.lit(10.0).pow(-digits.cast(pl.Float64)).alias("_tolerance"),
    )
    first = plan.select(
        "failure",
        pl.col(ID).alias("figure"),
        right.alias("value"),
        pl.when(wrong_base)
        .then(
            pl.lit("the percentage was computed on the wrong base, the current level (wrong-base)")
        )
        .otherwise(pl.concat_str(pl.lit("the percentage computed from the "), "basis"))
        .alias("reason"),
        pl.when(wrong_base).then(4.0).otherwise(3.0).alias("score"),
        pl.lit(0).alias("rank"),
    )
    fixes = pl.concat(
        [
            _with_moved_points(first, plan, exact),
            *_alternatives(plan.filter(exact), digits),
        ],
        how="vertical_relaxed",
    ).sort("failure", "rank", maintain_order=True)
    # one plan: the shared columns are worked out once, in a few queries, not one per step
    worded_rows, fix_rows = collect_all([wordings, fixes.select(_FIX_COLUMNS)])
    return worded_rows, fix_rows


def _with_moved_points(first: pl.LazyFrame, framed: pl.LazyFrame, exact: pl.Expr) -> pl.LazyFrame:
    """``first`` with the fix of each failure whose stated digits, the point moved one or two
    places (tried in the order of :data:`_SHIFTS`), give the computed percentage: that value
    instead, as a decimal-point slip. Not when the stated percentage is the stated change over
    the base level: its digits are then right, and a point moved back agrees by coincidence."""
    c_low, b_low = pl.col("c_low"), pl.col("b_low")
    ratio = pl.lit(100.0) * c_low / b_low
    agrees = (
        c_low.is_not_null()
        & b_low.is_not_null()
        & (b_low != 0)
        & (pl.col("c_high") == c_low)
        & accepts(pl.col("low"), pl.col("_digits"), ratio)
    ).fill_null(False)
    candidates = (
        framed.filter(exact & ~agrees)
        .select(
            "failure",
            "pch_value",
            "p_low",
            pl.col("pch_value").alias("written"),
            pl.lit(list(_SHIFTS)).alias("shift"),
        )
        .explode("shift")
        .pipe(moved_points)
        .filter(pl.col("meant").is_not_null())
    )
    meant = pl.col("meant")
    places = meant.str.split_exact(".", 1).struct.field("field_1").str.len_chars().fill_null(0)
    moved = (
        candidates.filter(accepts(meant.cast(pl.Float64), places, pl.col("p_low")))
        .unique("failure", keep="first", maintain_order=True)
        .select(
            "failure",
            meant.alias("moved"),
            pl.concat_str(
                pl.lit("a decimal point moved "),
                pl.when(pl.col("shift").abs() == 1)
                .then(pl.lit("one place"))
                .otherwise(pl.lit("two places")),
                pl.lit(" (decimal-point): "),
                "pch_value",
                pl.lit(" for "),
                meant,
            ).alias("moved_reason"),
        )
    )
    return (
        first.join(moved, on="failure", how="left", maintain_order="left")
        .with_columns(
            pl.coalesce("moved", "value").alias("value"),
            pl.coalesce("moved_reason", "reason").alias("reason"),
            pl.when(pl.col("moved").is_not_null()).then(4.0).otherwise("score").alias("score"),
        )
        .drop("moved", "moved_reason")
    )


def moved_points(frame: pl.LazyFrame) -> pl.LazyFrame:
    """``frame`` with ``meant``: its ``written`` text with the decimal point moved ``shift``
    places (right when positive), as a person would key it: no leading zeros but one before the
    point, no point left at the end; null when ``written`` is not digits with at most one
    point. Worked out a step at a time, each step a column, so no step is computed twice."""
    written, shift = pl.col("written"), pl.col("shift")
    unsigned, digits = pl.col("_unsigned"), pl.col("_digits")
    at, length, padded = pl.col("_at"), pl.col("_length"), pl.col("_padded")
    whole, fraction = pl.col("_whole"), pl.col("_fraction")
    steps = (
        frame.with_columns(written.str.strip_prefix("-").alias("_unsigned"))
        .with_columns(
            unsigned.str.replace(".", "", literal=True).alias("_digits"),
            (
                pl.when(unsigned.str.contains(".", literal=True))
                .then(unsigned.str.find(".", literal=True))
                .otherwise(unsigned.str.len_chars())
                .cast(pl.Int64)
                + shift
            ).alias("_at"),
        )
        .with_columns(digits.str.len_chars().cast(pl.Int64).alias("_length"))
        .with_columns(
            digits.str.zfill(length + pl.max_horizontal(-at, 0))
            .str.pad_end(pl.max_horizontal(length, at), "0")
            .alias("_padded"),
            pl.max_horizontal(at, 0).alias("_at"),
        )
        .with_columns(
            padded.str.slice(0, at).str.strip_chars_start("0").alias("_whole"),
            padded.str.slice(at).alias("_fraction"),
        )
    )
    well_formed = unsigned.str.contains(r"^[0-9]*\.?[0-9]*$") & digits.str.contains("[0-9]")
    shown = pl.when(whole == "").then(pl.lit("0")).otherwise(whole)
    text = (
        pl.when(fraction == "").then(shown).otherwise(pl.concat_str(shown, pl.lit("."), fraction))
    )
    sign = pl.when(written.str.starts_with("-")).then(pl.lit("-")).otherwise(pl.lit(""))
    return steps.with_columns(
        pl.when(well_formed).then(pl.concat_str(sign, text)).alias("meant")
    ).drop("_unsigned", "_digits", "_at", "_length", "_padded", "_whole", "_fraction")


def _alternatives(exact: pl.LazyFrame, digits: pl.Expr) -> list[pl.LazyFrame]:
    """The other single figures of each exactly stated failure whose change would make the
    stated percentage right, less likely than the first fix: with a change and the current
    level, the change (1.0) or the level (0.5) that gives it; with both levels, the base
    level (0.5).

    Long because each of the three fixes is a condition, a figure, a value and its words, laid
    out side by side."""
    stated = pl.col("low")
    usable = (stated > -100) & (stated != 0)
    t_low, c_low, b_low = pl.col("t_low"), pl.col("c_low"), pl.col("b_low")
    with_change = usable & pl.col("c_id").is_not_null() & t_low.is_not_null() & b_low.is_null()
    with_levels = (
        usable
        & ~with_change
        & t_low.is_not_null()
        & b_low.is_not_null()
        & pl.col("b_id").is_not_null()
    )

    def whole(value: pl.Expr) -> pl.Expr:
        # rounded half to even, as Python's round(); past Int64, no fix
        return value.round(0).cast(pl.Int64, strict=False)

    change = whole(stated * t_low / (pl.lit(100.0) + stated))
    level = whole(c_low * (pl.lit(100.0) + stated) / stated)
    base = whole(pl.lit(100.0) * t_low / (pl.lit(100.0) + stated))
    rest = t_low - change
    grown = level - c_low

    not_close = (base - b_low).abs() > 1e-9 * pl.max_horizontal(base.abs(), b_low.abs())
    found = [
        (
            with_change & (rest > 0) & accepts(stated, digits, 100.0 * change / rest),
            "c_id",
            change,
            "the change that gives the stated percentage",
            1.0,
        ),
        (
            with_change & (grown > 0) & accepts(stated, digits, 100.0 * c_low / grown),
            "t_id",
            level,
            "the level that gives the stated percentage",
            0.5,
        ),
        (
            with_levels
            & (base > 0)
            & not_close
            & accepts(stated, digits, 100.0 * (t_low - base) / base),
            "b_id",
            base,
            "the base level that gives the stated percentage",
            0.5,
        ),
    ]
    return [
        exact.filter(when.fill_null(False)).select(
            "failure",
            pl.col(figure).alias("figure"),
            value.cast(pl.String).alias("value"),
            pl.lit(reason).alias("reason"),
            pl.lit(score).alias("score"),
            pl.lit(rank).alias("rank"),
        )
        for rank, (when, figure, value, reason, score) in enumerate(found, start=1)
    ]


def _fixed(values: pl.Series, decimals: pl.Series) -> tuple[pl.Series, pl.Series]:
    """Each value with ``decimals`` digits after the point, as text (as Python's ``f"{x:.{d}f}"``
    writes it) and as the number it rounds to (``round(x, d)``): column-wise where
    :func:`~tip_indicators._engine.base.rounded_units` agrees with Python, one at a time
    elsewhere."""
    frame = pl.DataFrame({"x": values.cast(pl.Float64), "d": decimals})
    x, d = pl.col("x"), pl.col("d")
    whole, plain = rounded_units(x, d)
    plain = plain.fill_null(False)
    digits = whole.cast(pl.Int64).cast(pl.String).str.zfill(d + 1)
    point = digits.str.len_chars().cast(pl.Int64) - d
    sign = pl.when(x < 0).then(pl.lit("-")).otherwise(pl.lit(""))
    text = pl.concat_str(
        sign,
        pl.when(d > 0)
        .then(pl.concat_str(digits.str.slice(0, point), pl.lit("."), digits.str.slice(point)))
        .otherwise(digits),
    )
    number = pl.when(x < 0).then(-whole).otherwise(whole) / pl.lit(10.0).pow(d.cast(pl.Float64))
    done = frame.select(
        pl.when(plain).then(text).alias("text"),
        pl.when(plain).then(number).alias("number"),
        plain.alias("plain"),
    )
    texts, numbers = done.get_column("text"), done.get_column("number")
    rest = done.get_column("plain").not_().arg_true()
    if rest.len():
        pairs = frame.select(x.gather(rest), d.gather(rest)).rows()
        texts = texts.scatter(rest, [None if v is None else f"{v:.{k}f}" for v, k in pairs])
        numbers = numbers.scatter(
            rest, [None if v is None or not math.isfinite(v) else round(v, k) for v, k in pairs]
        )
    return texts, numbers
