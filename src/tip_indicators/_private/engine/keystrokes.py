"""The keystroke model: the values a figure as written is one slip away from.

A figure re-keyed by hand goes wrong in a few ways: a digit dropped, a digit added (a zero too
many, a digit doubled), two adjacent digits swapped, one digit wrong (the last one: a change
of a few, as likely a miscount). From the written digits
every value one such slip away is a candidate for what was meant; each kind carries a prior,
a weight that says how likely that slip is to explain a wrong figure. The localiser prefers
such a value among those that make the rules hold over the edge of the interval they allow.

The priors are set by hand from the order of frequency reported in studies of keyed numbers
and text (substitutions are the commonest single slips, then transpositions, omissions and
insertions; about four slips in five are one such edit), weighed by how specific each kind is:
a swap leaves a handful of candidates, a dropped digit ten for every place, so a swap that fits
says more than a dropped digit that fits; a zero too many, common in re-keyed reports, weighs as
much. Numbers of up to 15 digits are edited, the decimal point kept where it was counted from
the right (a rate of 12.7 with a digit dropped is 1.7 or 2.7).
"""

from __future__ import annotations

import polars as pl

__all__ = [
    "COPIED_PRIOR",
    "PRIORS",
    "REACH",
    "SMALL_CHANGE",
    "edit_candidates",
    "edits",
    "lands_in_window",
    "slip_reason",
]

PRIORS: dict[str, float] = {
    "transposition": 3.0,
    "zero-added": 3.0,
    "digit-doubled": 2.7,
    "digit-added": 2.5,
    "digit-dropped": 2.2,
    "digit-wrong": 2.0,
    "last-digit-wrong": 0.0,
}
"""The weight of each kind of slip (higher is likelier), by the name of the edit. A wrong last
digit weighs nothing: it is a change of a few, no likelier than any miscount by a few, so it
tells figures apart no better than the nearest value that makes the rules hold."""

REACH: dict[str, float] = {
    "transposition": 9.0,
    "zero-added": 9.0,
    "digit-doubled": 9.0,
    "digit-added": 9.0,
    "digit-dropped": 1.0,
    "digit-wrong": 1.0,
    "last-digit-wrong": 1.0,
}
"""How far past the nearest value the rules allow a slip of each kind may land, as a multiple
of the least change they ask for, and still explain the figure: a swap or a digit too many
leaves a handful of candidates, so one that lands well inside an interval of passing values
is telling; a wrong or dropped digit has dozens, so only one near the edge is. When a change
of less than :data:`SMALL_CHANGE` would do, every kind must land that near: a miscount by a few
explains the figure as well, and a swap that fits is a coincidence."""

SMALL_CHANGE = 10.0
"""A least change below this is miscount-sized (see :data:`REACH`)."""

_EPS = 1e-7


def lands_in_window(unit: pl.Expr | float = 1.0) -> pl.Expr:
    """Whether each candidate's ``value`` lies in its window (``low`` to ``high``) and lands
    past the ``nearest`` passing value by no more than its edit's :data:`REACH` times the least
    change the rule asks (``nearest`` less ``current``), or once that change when it is
    miscount-sized (under :data:`SMALL_CHANGE` units of the figure's last digit)."""
    value, nearest = pl.col("value"), pl.col("nearest")
    needed = (nearest - pl.col("current")).abs()
    reach = (
        pl.when(needed < SMALL_CHANGE * unit)
        .then(pl.lit(1.0))
        .otherwise(pl.col("edit").replace_strict(REACH, return_dtype=pl.Float64))
    )
    return (
        (value >= pl.col("low") - _EPS)
        & (value <= pl.col("high") + _EPS)
        & ((value - nearest).abs() <= reach * needed + _EPS)
    )


COPIED_PRIOR = 2.0
"""The weight of a value copied from the neighbouring line."""

KINDS: dict[str, str] = {
    "transposition": "transposition",
    "zero-added": "digit-added",
    "digit-doubled": "digit-added",
    "digit-added": "digit-added",
    "digit-dropped": "digit-dropped",
    "digit-wrong": "digit-wrong",
    "last-digit-wrong": "digit-wrong",
}
"""The machine-readable kind of each edit (a zero too many is a digit added)."""

_WORDS: dict[str, str] = {
    "transposition": "two digits swapped",
    "zero-added": "a zero too many",
    "digit-doubled": "a digit doubled",
    "digit-added": "a digit too many",
    "digit-dropped": "a digit dropped",
    "digit-wrong": "one digit wrong",
    "last-digit-wrong": "the last digit wrong",
}
_MAX_DIGITS = 15

EDIT_SCHEMA: dict[str, pl.DataType] = {
    "figure": pl.Int64(),
    "value": pl.Float64(),
    "edit": pl.String(),
    "prior": pl.Float64(),
    "reason": pl.String(),
}
"""One candidate: the figure's id, the value meant, the name of the edit, its prior, and the
reason in words with the kind of slip (``a zero too many (digit-added): 1540 for 154``)."""


def edit_candidates(written: pl.DataFrame) -> pl.LazyFrame:
    """Every value one slip away from each figure of ``written`` (columns ``figure``, the id,
    and ``text``, the digits as written), as a plan: ``figure``, ``value``, ``edit``,
    ``prior``, ``text`` and ``meant`` (the value as it would be written); each value once per
    figure, under its likeliest edit. Callers filter before :func:`slip_reason` words the few
    they keep, so the cost of the words grows with the slips kept, not with every edit.

    Long because it is one query: each kind of slip is one branch of a single concatenation, so
    every edit is made column-wise at once."""
    sign = pl.col("text").str.starts_with("-")
    unsigned = pl.col("text").str.strip_prefix("-")
    figures = (
        written.lazy()
        .select(
            pl.col("figure").cast(pl.Int64),
            pl.col("text").cast(pl.String).str.strip_chars(),
        )
        .filter(pl.col("text").str.contains(r"^-?[0-9]+(\.[0-9]+)?$"))
        .select(
            "figure",
            "text",
            pl.when(sign).then(pl.lit("-")).otherwise(pl.lit("")).alias("sign"),
            unsigned.str.replace(".", "", literal=True).alias("digits"),
            unsigned.str.extract(r"\.([0-9]+)$", 1)
            .str.len_chars()
            .fill_null(0)
            .cast(pl.Int64)
            .alias("decimals"),
        )
        .filter(pl.col("digits").str.len_chars() <= _MAX_DIGITS)
        .with_columns(pl.col("digits").str.len_chars().cast(pl.Int64).alias("n"))
    )
    places = figures.with_columns(pl.int_ranges(0, pl.col("n") + 1).alias("i")).explode("i")
    digits = pl.col("digits")
    head = digits.str.slice(0, pl.col("i"))
    at = digits.str.slice(pl.col("i"), 1)
    after = digits.str.slice(pl.col("i") + 1)
    tail = digits.str.slice(pl.col("i"))
    keys = pl.LazyFrame({"d": [str(d) for d in range(10)]})
    inside = places.filter(pl.col("i") < pl.col("n"))
    neighbour_same = (at == digits.str.slice(pl.col("i") - 1, 1)) & (pl.col("i") > 0)
    candidates = pl.concat(
        [
            places.join(keys, how="cross").select(
                "figure",
                "text",
                "sign",
                "decimals",
                pl.concat_str(head, "d", tail).alias("meant"),
                pl.lit("digit-dropped").alias("edit"),
            ),
            inside.select(
                "figure",
                "text",
                "sign",
                "decimals",
                pl.concat_str(head, after).alias("meant"),
                pl.when(at == "0")
                .then(pl.lit("zero-added"))
                .when(neighbour_same | (at == digits.str.slice(pl.col("i") + 1, 1)))
                .then(pl.lit("digit-doubled"))
                .otherwise(pl.lit("digit-added"))
                .alias("edit"),
            ),
            inside.filter(
                (pl.col("i") < pl.col("n") - 1) & (at != digits.str.slice(pl.col("i") + 1, 1))
            ).select(
                "figure",
                "text",
                "sign",
                "decimals",
                pl.concat_str(
                    head,
                    digits.str.slice(pl.col("i") + 1, 1),
                    at,
                    digits.str.slice(pl.col("i") + 2),
                ).alias("meant"),
                pl.lit("transposition").alias("edit"),
            ),
            inside.join(keys, how="cross")
            .filter(pl.col("d") != at)
            .select(
                "figure",
                "text",
                "sign",
                "decimals",
                pl.concat_str(head, "d", after).alias("meant"),
                pl.when(pl.col("i") == pl.col("n") - 1)
                .then(pl.lit("last-digit-wrong"))
                .otherwise(pl.lit("digit-wrong"))
                .alias("edit"),
            ),
        ]
    )
    meant = pl.col("meant")
    decimals = pl.col("decimals")
    # the point stays where it was from the right: 12.7 with a digit dropped is 1.7 or 2.7
    padded = meant.str.zfill(decimals + 1)
    point = padded.str.len_chars() - decimals
    shown = (
        pl.when(decimals > 0)
        .then(pl.concat_str(padded.str.slice(0, point), pl.lit("."), padded.str.slice(point)))
        .otherwise(meant)
    )
    prior = pl.col("edit").replace_strict(PRIORS, return_dtype=pl.Float64)
    return (
        candidates.filter(
            (meant.str.len_chars() > 0)
            & ~(meant.str.starts_with("0") & (meant.str.len_chars() > decimals + 1))
            & (meant != pl.col("text").str.strip_prefix("-").str.replace(".", "", literal=True))
        )
        .select(
            "figure",
            pl.concat_str("sign", shown).cast(pl.Float64).alias("value"),
            "edit",
            prior.alias("prior"),
            "text",
            pl.concat_str("sign", shown).alias("meant"),
        )
        .sort("figure", "value", pl.col("prior"), descending=[False, False, True])
        .unique(["figure", "value"], keep="first", maintain_order=True)
    )


def slip_reason() -> pl.Expr:
    """The reason of each candidate of :func:`edit_candidates` in words, with the kind of
    slip: ``a zero too many (digit-added): 1540 for 154``."""
    return pl.concat_str(
        pl.col("edit").replace_strict(_WORDS, return_dtype=pl.String),
        pl.lit(" ("),
        pl.col("edit").replace_strict(KINDS, return_dtype=pl.String),
        pl.lit("): "),
        "text",
        pl.lit(" for "),
        "meant",
    ).alias("reason")


def edits(written: pl.DataFrame) -> pl.DataFrame:
    """Every value one slip away from each figure of ``written`` (columns ``figure``, the id,
    and ``text``, the digits as written), column-wise (columns of :data:`EDIT_SCHEMA`); each
    value once per figure, under its likeliest edit."""
    return (
        edit_candidates(written)
        .with_columns(slip_reason())
        .collect()
        .select([pl.col(c).cast(t) for c, t in EDIT_SCHEMA.items()])
    )
