"""Suggestions for warnings that one keystroke slip explains.

A warning is not an error to localise: an open breakdown may fall short of its total, and a
bound the catalogue gives as a warning may be exceeded for a reason. But when one slip of one
figure accounts for it exactly (a shortfall of a multiple of 9 that a swap closes; persons
convicted 4500 against 900 prosecuted, where 450 was meant), that slip is worth showing. The
candidates are made column-wise for every such warning at once.
"""

from __future__ import annotations

import polars as pl

from tip_indicators._engine.base import SUGGESTION_SCHEMA, Run
from tip_indicators._engine.keystrokes import (
    edit_candidates,
    lands_in_window,
    slip_reason,
    within_reach,
)
from tip_indicators._engine.ranking import EXACT_WEIGHT
from tip_indicators._private.queries import collect

__all__ = ["bound_slips", "shortfall_slips"]

_EPS = 1e-7
_GAP_EDITS = ["transposition", "digit-dropped", "zero-added", "digit-doubled", "digit-added"]
"""The slips that may account for a shortfall exactly (a wrong digit is a miscount)."""


def _values(run: Run, ids: pl.Series) -> pl.DataFrame:
    """The value (``v``) of each figure of ``ids`` and whether it is stated exactly, fetched
    by row (a figure's id is its row; a null id gives nulls), not joined with every figure."""
    exact = (pl.col("low") == pl.col("high")) & ~pl.col("derived").fill_null(False)
    return run.frame[ids].select(pl.col("low").alias("v"), exact.alias("exact"))


def shortfall_slips(run: Run, table: pl.DataFrame) -> pl.DataFrame:
    """Fixes of open shortfalls (warnings) that one keystroke slip closes exactly: a part
    whose digits, swapped or restored, make up the gap, or a total with a digit too many.
    Only gaps that a swap could make (multiples of 9) are tried: a gap of any size is what an
    open breakdown normally shows, and only a telling one is worth a suggestion.

    Long because it is one query: the gap, the slips that close it and their wording are made
    column-wise together."""
    open_ = table.filter(
        ~pl.col("failed")
        & pl.col("finding").is_not_null()
        & pl.col("total").is_not_null()
        & (pl.col("sense") == "ge")
    ).select("finding", "total", "ids")
    empty = pl.DataFrame(schema=SUGGESTION_SCHEMA)
    if open_.height == 0:
        return empty
    each_part = open_.explode("ids")
    parts = (
        pl.concat([each_part, _values(run, each_part.get_column("ids"))], how="horizontal")
        .group_by("finding", "total", maintain_order=True)
        .agg(pl.col("ids"), pl.col("v").sum().alias("sum"), pl.col("exact").all().alias("exact"))
    )
    parts = (
        pl.concat(
            [parts, _values(run, parts.get_column("total")).rename(lambda name: f"{name}_total")],
            how="horizontal",
        )
        .rename({"v_total": "v"})
        .filter(pl.col("exact") & pl.col("exact_total"))
        .with_columns((pl.col("v") - pl.col("sum")).alias("gap"))
        .filter((pl.col("gap") > 0) & (pl.col("gap") % 9 == 0))
    )
    if parts.height == 0:
        return empty
    wanted = pl.concat(
        [
            parts.select(
                "finding", "gap", pl.col("ids").alias("figure"), pl.lit(1.0).alias("s")
            ).explode("figure"),
            parts.select(
                "finding", "gap", pl.col("total").alias("figure"), pl.lit(-1.0).alias("s")
            ),
        ]
    )
    wanted = pl.concat([wanted, _values(run, wanted.get_column("figure"))], how="horizontal")
    target = pl.col("v") + pl.col("s") * pl.col("gap")
    written = wanted.filter(pl.col("exact") & (pl.col("v") == pl.col("v").round(0))).select(
        "finding",
        "gap",
        "figure",
        pl.col("v").cast(pl.Int64).cast(pl.String).alias("text"),
        target.alias("lowest"),
        target.alias("highest"),
    )
    found = (
        edit_candidates(written)
        .filter(pl.col("value") == pl.col("lowest"))
        .filter(pl.col("edit").is_in(_GAP_EDITS))
        .sort("finding", "prior", "figure", descending=[False, True, False])
        .with_columns(slip_reason())
        .pipe(collect)
    )
    if found.height == 0:
        return empty
    counts = found.group_by("finding").agg(pl.len().alias("n"))
    found = found.join(counts, on="finding", how="left", maintain_order="left")
    gap = pl.col("gap").cast(pl.Int64).cast(pl.String)
    return found.select(
        pl.col("finding").alias("number"),
        "figure",
        pl.col("value").cast(pl.Int64).cast(pl.String).alias("value"),
        pl.concat_str(
            "reason",
            pl.when(pl.col("edit") == "transposition")
            .then(pl.concat_str(pl.lit(" (the shortfall, "), gap, pl.lit(", is a multiple of 9)")))
            .otherwise(pl.concat_str(pl.lit(" (closes the shortfall of "), gap, pl.lit(")"))),
            pl.when(pl.col("n") > 1)
            .then(
                pl.concat_str(
                    pl.lit("; one of "),
                    pl.col("n").cast(pl.String),
                    pl.lit(" equally likely figures"),
                )
            )
            .otherwise(pl.lit("")),
        ).alias("reason"),
        pl.col("prior").alias("score"),
    ).select([pl.col(c).cast(t) for c, t in SUGGESTION_SCHEMA.items()])


SHOWN = 5
"""Suggestions shown for one finding, beyond those that tie for the likeliest."""

WINDOW_SCHEMA: dict[str, pl.DataType] = {
    "finding": pl.Int64(),
    "figure": pl.Int64(),
    "low": pl.Float64(),
    "high": pl.Float64(),
    "nearest": pl.Float64(),
}
"""A value window of a finding: changing ``figure`` alone to a value from ``low`` to ``high``
makes the rule hold, ``nearest`` being the one closest to the figure's value."""


def bound_slips(run: Run, table: pl.DataFrame) -> pl.DataFrame:
    """Fixes of exceeded bounds that are warnings (a part over its whole): the keystroke slip
    of the part that brings it within the whole, or of the whole that lifts it over the part
    (:func:`window_slips`, all as likely; no fix offered where no slip fits: a warning may be
    right)."""
    exceeded = table.filter(
        ~pl.col("failed")
        & ~pl.col("holds")
        & pl.col("finding").is_not_null()
        & pl.col("total").is_null()
        & pl.col("coefs").is_null()
        & (pl.col("sense") == "ge")
        & (pl.col("ids").list.len() == 2)
    ).select(
        "finding",
        pl.col("ids").list.get(0).alias("whole"),
        pl.col("ids").list.get(1).alias("part"),
    )
    if exceeded.height == 0:
        return pl.DataFrame(schema=SUGGESTION_SCHEMA)
    pairs = exceeded.with_columns(
        _values(run, exceeded.get_column("whole")).get_column("v"),
        _values(run, exceeded.get_column("part")).get_column("v").alias("v_part"),
    )
    windows = pl.concat(
        [
            pairs.select(
                "finding",
                pl.col("part").alias("figure"),
                pl.lit(float("-inf")).alias("low"),
                pl.col("v").alias("high"),
                pl.col("v").alias("nearest"),
            ),
            pairs.select(
                "finding",
                pl.col("whole").alias("figure"),
                pl.col("v_part").alias("low"),
                pl.lit(float("inf")).alias("high"),
                pl.col("v_part").alias("nearest"),
            ),
        ]
    )
    # which of a bound's two figures is wrong, nothing says: every slip that fits is as likely
    return window_slips(run, windows, note="the bound then holds", fallback=False, ranks=False)


def window_slips(
    run: Run, windows: pl.DataFrame, *, note: str, fallback: bool, ranks: bool = True
) -> pl.DataFrame:
    """For each finding, the keystroke slips that move one of its figures into that figure's
    window (columns of :data:`WINDOW_SCHEMA`), landing near its edge as
    :func:`~tip_indicators._engine.ranking.slips_within` asks of a slip inside an
    interval: the likeliest slip of each figure (by its prior, and by landing exactly on the
    value that balances the rule, where the window is centred on one rather than bounded by an
    edge the rule allows), likeliest first, those that tie said to be equally likely,
    then others up to :data:`SHOWN` in all; without ``ranks``, every slip that fits is as
    likely as the others (a rule that cannot tell its figures apart). With ``fallback``, a
    finding no slip explains gets the value of each figure that repairs it instead (a rule
    that failed must be repaired somehow).

    Long because it is one query: the slips, the fallback values, their ranking and their wording
    are made column-wise together."""
    exact = (pl.col("low") == pl.col("high")) & ~pl.col("derived").fill_null(False)
    windows = windows.select([pl.col(c).cast(t) for c, t in WINDOW_SCHEMA.items()])
    # a figure's id is its row: its facts are fetched by position
    figures = run.frame[windows.get_column("figure")].select(
        pl.col("low").alias("current"),
        pl.col("value").alias("text"),
        pl.col("decimals").fill_null(0).cast(pl.Int64),
        exact.alias("exact"),
    )
    framed = pl.concat([windows, figures], how="horizontal").filter(
        pl.col("exact") & pl.col("nearest").is_finite()
    )
    if framed.height == 0:
        return pl.DataFrame(schema=SUGGESTION_SCHEMA)
    value, nearest = pl.col("value"), pl.col("nearest")
    unit = pl.lit(10.0).pow(-pl.col("decimals").cast(pl.Float64))
    slips = (
        edit_candidates(framed.with_columns(within_reach()))
        .filter(lands_in_window(unit) & (value >= 0) & (pl.col("prior") > 0))
        .with_columns(
            (
                pl.col("prior")
                + pl.when(
                    ((value - nearest).abs() <= unit / 2)
                    & (nearest > pl.col("low") + _EPS)
                    & (nearest < pl.col("high") - _EPS)
                )
                .then(EXACT_WEIGHT)
                .otherwise(0.0)
            ).alias("prior")
        )
        .filter(pl.col("prior") == pl.col("prior").max().over("finding", "figure"))
        .select(
            "finding",
            "figure",
            "value",
            "prior",
            pl.concat_str(slip_reason(), pl.lit(f"; {note}")).alias("reason"),
        )
        .pipe(collect)
    )
    if fallback:
        explained = slips.select("finding").unique()
        nearest_values = framed.join(explained, on="finding", how="anti").select(
            "finding",
            "figure",
            (nearest / unit).round(0).mul(unit).alias("value"),
            pl.lit(0.0).alias("prior"),
            pl.when((nearest > pl.col("low") + _EPS) & (nearest < pl.col("high") - _EPS))
            .then(pl.lit("changing this figure alone makes the rule hold (derived)"))
            .otherwise(pl.lit("the nearest value that makes the rule hold (boundary)"))
            .alias("reason"),
        )
        slips = pl.concat([slips, nearest_values], how="vertical_relaxed")
    if slips.height == 0:
        return pl.DataFrame(schema=SUGGESTION_SCHEMA)
    found = (
        slips.join(framed.select("figure", "decimals").unique("figure"), on="figure", how="left")
        .sort(["finding", "prior", "figure", "value"], descending=[False, True, False, False])
        .with_columns(
            (
                pl.col("prior") == pl.col("prior").max().over("finding") if ranks else pl.lit(True)
            ).alias("best"),
        )
        .with_columns(pl.col("best").sum().over("finding").alias("n"))
        .filter(pl.col("best") | (pl.int_range(pl.len()).over("finding") < SHOWN))
    )
    return found.select(
        pl.col("finding").alias("number"),
        "figure",
        _fixed(pl.col("value"), pl.col("decimals")).alias("value"),
        pl.concat_str(
            "reason",
            pl.when(pl.col("best") & (pl.col("n") > 1))
            .then(pl.format("; one of {} equally likely fixes", pl.col("n")))
            .otherwise(pl.lit("")),
        ).alias("reason"),
        pl.col("prior").alias("score"),
    ).select([pl.col(c).cast(t) for c, t in SUGGESTION_SCHEMA.items()])


def _fixed(value: pl.Expr, decimals: pl.Expr) -> pl.Expr:
    """``value`` as text with ``decimals`` digits after the point (none for a whole number)."""
    scaled = (value * pl.lit(10.0).pow(decimals.cast(pl.Float64))).round(0).cast(pl.Int64)
    digits = scaled.abs().cast(pl.String).str.zfill(decimals + 1)
    point = digits.str.len_chars() - decimals
    sign = pl.when(scaled < 0).then(pl.lit("-")).otherwise(pl.lit(""))
    return (
        pl.when(decimals > 0)
        .then(pl.concat_str(sign, digits.str.slice(0, point), pl.lit("."), digits.str.slice(point)))
        .otherwise(pl.concat_str(sign, digits))
    )
