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

import math

import polars as pl

from tip_indicators._private.queries import collect

__all__ = [
    "COPIED_PRIOR",
    "NEAR_KINDS",
    "PRIORS",
    "REACH",
    "SMALL_CHANGE",
    "edit_candidates",
    "edits",
    "lands_in_window",
    "slip_reason",
    "within_reach",
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
_LARGEST = 1e17
"""Past any value of :data:`_MAX_DIGITS` digits and one more: an unbounded band is clipped to it."""

EDIT_SCHEMA: dict[str, pl.DataType] = {
    "figure": pl.Int64(),
    "value": pl.Float64(),
    "edit": pl.String(),
    "prior": pl.Float64(),
    "reason": pl.String(),
}
"""One candidate: the figure's id, the value meant, the name of the edit, its prior, and the
reason in words with the kind of slip (``a zero too many (digit-added): 1540 for 154``)."""


_MADE = frozenset(
    {"figure", "text", "sign", "decimals", "digits", "n", "meant", "m", "value", "edit", "prior"}
)
"""The columns :func:`edit_candidates` makes (a row's own columns of these names are not kept)."""


NEAR_KINDS = frozenset(kind for kind, reach in REACH.items() if reach == min(REACH.values()))
"""The kinds that must land nearest (a digit dropped or wrong: dozens of candidates each). Every
one is less likely than any other kind, so a value another kind also makes is never theirs:
slips of these kinds are made only in the narrower band."""


def within_reach() -> tuple[pl.Expr, ...]:
    """The least and greatest value a slip may take and still pass :func:`lands_in_window`,
    from the window columns ``low``, ``high``, ``nearest`` and ``current``: under any kind's
    reach (``lowest``, ``highest``), and under the reach of :data:`NEAR_KINDS`
    (``near_lowest``, ``near_highest``). These are the bands to make slips in."""
    needed = (pl.col("nearest") - pl.col("current")).abs()
    bands = []
    for prefix, reach in (("", max(REACH.values())), ("near_", min(REACH.values()))):
        within = reach * needed + 2 * _EPS
        bands += [
            pl.max_horizontal("low", pl.col("nearest") - within).alias(f"{prefix}lowest"),
            pl.min_horizontal("high", pl.col("nearest") + within).alias(f"{prefix}highest"),
        ]
    return tuple(bands)


def edit_candidates(written: pl.DataFrame) -> pl.LazyFrame:
    """Every value one slip away from each row of ``written`` (columns ``figure``, the id,
    ``text``, the digits as written, and optionally ``lowest`` and ``highest``, the band of
    values wanted, and any others, which are kept) as a plan: the row's columns with
    ``value``, ``edit``, ``prior``, and the digits meant with their sign and decimals (which
    :func:`slip_reason` words); each value once per row, under its likeliest edit. Only values
    in the band are made (and a few beside it), so the cost grows with the slips that could
    fit, not with every edit of every figure; callers filter before :func:`slip_reason` words
    the few they keep.

    The digits are edited as a whole number: a slip at a place adds to or takes from it a
    multiple of that place's power of ten, so the digits that put a value in the band are
    worked out, not tried one by one, and no edit builds a string.

    Long because it is one query: each kind of slip is one branch of a single concatenation, so
    every edit is made column-wise at once."""
    given = set(written.columns)
    unsigned = pl.col("text").str.strip_prefix("-")
    digits_text = unsigned.str.replace(".", "", literal=True)
    negative = pl.col("text").str.starts_with("-")
    decimals = pl.col("decimals")
    scale = pl.lit(10.0).pow(decimals.cast(pl.Float64))

    def band(prefix: str) -> tuple[pl.Expr, pl.Expr]:
        # the band in units of the last digit, unsigned (a negative figure's band turns round)
        named = (f"{prefix}lowest", f"{prefix}highest")
        if not set(named) <= given:
            named = ("lowest", "highest")
        lowest, highest = (
            pl.col(name) if name in given else pl.lit(None, pl.Float64) for name in named
        )
        low = pl.when(negative).then(-highest).otherwise(lowest).fill_null(-math.inf) * scale
        high = pl.when(negative).then(-lowest).otherwise(highest).fill_null(math.inf) * scale
        return (
            (low.clip(-1.0, _LARGEST).floor() - 1).alias(f"_{prefix}low"),
            (high.clip(-1.0, _LARGEST).ceil() + 1).alias(f"_{prefix}high"),
        )

    figures = (
        written.lazy()
        .with_row_index("_row")
        .with_columns(
            pl.col("figure").cast(pl.Int64), pl.col("text").cast(pl.String).str.strip_chars()
        )
        .filter(pl.col("text").str.contains(r"^-?[0-9]+(\.[0-9]+)?$"))
        .filter(digits_text.str.len_chars() <= _MAX_DIGITS)
        .with_columns(
            pl.when(negative).then(pl.lit("-")).otherwise(pl.lit("")).alias("sign"),
            digits_text.cast(pl.Int64).alias("digits"),
            digits_text.str.len_chars().cast(pl.Int64).alias("n"),
            unsigned.str.extract(r"\.([0-9]+)$", 1)
            .str.len_chars()
            .fill_null(0)
            .cast(pl.Int64)
            .alias("decimals"),
        )
        .with_columns(*band(""), *band("near_"))
    )
    digits, n, i = pl.col("digits"), pl.col("n"), pl.col("i")

    def power(exponent: pl.Expr) -> pl.Expr:
        # clipped: both branches of a condition are computed, the guarded one out of range too
        return pl.lit(10, dtype=pl.Int64).pow(exponent.clip(0))

    def digit_at(index: pl.Expr) -> pl.Expr:
        # the digit at string position ``index`` (from the left)
        return (digits // power(n - 1 - index)) % 10

    def any_digit(base: pl.Expr, place: pl.Expr) -> pl.Expr:
        # the digits d for which base + d x place may lie in the near band
        step = place.cast(pl.Float64)
        first = ((pl.col("_near_low") - base.cast(pl.Float64)) / step).floor().clip(0, 9)
        last = ((pl.col("_near_high") - base.cast(pl.Float64)) / step).ceil().clip(0, 9)
        return pl.int_ranges(first.cast(pl.Int64), last.cast(pl.Int64) + 1, dtype=pl.Int64)

    places = figures.with_columns(pl.int_ranges(0, n + 1).alias("i")).explode("i")
    inside = places.filter(i < n).with_columns(digit_at(i).alias("at"))
    at, d = pl.col("at"), pl.col("d")
    carried = [name for name in written.columns if name not in _MADE]
    # only what the edits need is carried through them; the row's own columns join back on
    # ``_row`` once the few candidates in the band are left
    kept = ["_row", "sign", "decimals", "digits", "n"]
    far = [pl.col("_low").alias("_lo"), pl.col("_high").alias("_hi")]
    near = [pl.col("_near_low").alias("_lo"), pl.col("_near_high").alias("_hi")]
    split = digits // power(n - i) * power(n - i + 1) + digits % power(n - i)
    neighbour_same = ((i > 0) & (at == digit_at(i - 1))) | ((i < n - 1) & (at == digit_at(i + 1)))
    candidates = pl.concat(
        [
            places.with_columns(any_digit(split, power(n - i)).alias("d"))
            .explode("d")
            .drop_nulls("d")
            .select(
                *kept,
                *near,
                (split + d * power(n - i)).alias("meant"),
                (n + 1).alias("m"),
                pl.lit("digit-dropped").alias("edit"),
            ),
            inside.select(
                *kept,
                *far,
                (digits // power(n - i) * power(n - 1 - i) + digits % power(n - 1 - i)).alias(
                    "meant"
                ),
                (n - 1).alias("m"),
                pl.when(at == 0)
                .then(pl.lit("zero-added"))
                .when(neighbour_same)
                .then(pl.lit("digit-doubled"))
                .otherwise(pl.lit("digit-added"))
                .alias("edit"),
            ),
            inside.filter(i < n - 1)
            .with_columns(digit_at(i + 1).alias("next"))
            .filter(at != pl.col("next"))
            .select(
                *kept,
                *far,
                (
                    digits
                    + (pl.col("next") - at) * power(n - 1 - i)
                    + (at - pl.col("next")) * power(n - 2 - i)
                ).alias("meant"),
                n.alias("m"),
                pl.lit("transposition").alias("edit"),
            ),
            inside.with_columns(
                any_digit(digits - at * power(n - 1 - i), power(n - 1 - i)).alias("d")
            )
            .explode("d")
            .filter(d.is_not_null() & (d != at))
            .select(
                *kept,
                *near,
                (digits + (d - at) * power(n - 1 - i)).alias("meant"),
                n.alias("m"),
                pl.when(i == n - 1)
                .then(pl.lit("last-digit-wrong"))
                .otherwise(pl.lit("digit-wrong"))
                .alias("edit"),
            ),
        ]
    )
    meant, m = pl.col("meant"), pl.col("m")
    leading_zero = (meant // power(m - 1)) % 10 == 0
    magnitude = meant.cast(pl.Float64) / scale
    prior = pl.col("edit").replace_strict(PRIORS, return_dtype=pl.Float64)
    return (
        candidates.filter(
            (m > 0)
            & ~(leading_zero & (m > decimals + 1))
            & ((m != n) | (meant != digits))
            & (meant >= pl.col("_lo"))
            & (meant <= pl.col("_hi"))
        )
        .with_columns(
            pl.when(pl.col("sign") == "-").then(-magnitude).otherwise(magnitude).alias("value"),
            prior.alias("prior"),
        )
        # ties (a swap and a zero too many may give the same value) go by name, then digits
        .sort(
            "_row", "value", "prior", "edit", "meant", descending=[False, False, True, False, False]
        )
        .unique(["_row", "value"], keep="first", maintain_order=True)
        .join(
            figures.select("_row", "figure", "text", *carried),
            on="_row",
            how="left",
            maintain_order="left",
        )
        .select(
            "figure",
            "value",
            "edit",
            "prior",
            "text",
            *carried,
            "sign",
            "decimals",
            "meant",
            "m",
        )
    )


def _meant_text() -> pl.Expr:
    """The value meant as it would be written (sign, digits and point), from the columns of
    :func:`edit_candidates`."""
    decimals = pl.col("decimals")
    digits = pl.col("meant").cast(pl.String).str.zfill(pl.col("m"))
    # the point stays where it was from the right: 12.7 with a digit dropped is 1.7 or 2.7
    padded = digits.str.zfill(decimals + 1)
    point = padded.str.len_chars() - decimals
    shown = (
        pl.when(decimals > 0)
        .then(pl.concat_str(padded.str.slice(0, point), pl.lit("."), padded.str.slice(point)))
        .otherwise(digits)
    )
    return pl.concat_str("sign", shown)


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
        _meant_text(),
    ).alias("reason")


def edits(written: pl.DataFrame) -> pl.DataFrame:
    """Every value one slip away from each figure of ``written`` (columns ``figure``, the id,
    and ``text``, the digits as written), column-wise (columns of :data:`EDIT_SCHEMA`); each
    value once per figure, under its likeliest edit."""
    return (
        edit_candidates(written)
        .with_columns(slip_reason())
        .pipe(collect)
        .select([pl.col(c).cast(t) for c, t in EDIT_SCHEMA.items()])
    )
