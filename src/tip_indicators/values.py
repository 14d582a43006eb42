"""Figures as written: exact numbers, censored counts such as ``<5``, and missing values.

A value that cannot be read is an error, never a zero. Thousands separators are accepted only in
the unambiguous form ``127,053`` (groups of three digits); ``<5`` means a count from 0 to 4, and
``10..14`` a count known only to lie in that range (a sum of censored counts, as a roll-up gives).

Figures are summed as floats, which hold every integer up to 2^53 exactly and none beyond it
without rounding: a figure larger than :data:`MAX_EXACT` cannot be read (a total of
9007199254740993 would otherwise equal parts summing to 9007199254740992). Exponents are not part
of the grammar; readers of formats that write them (SDMX-CSV, workbook cells) expand them with
:func:`plain_number`, which bounds the result before expanding it.
"""

from __future__ import annotations

import re

import attrs
import polars as pl

from tip_indicators._private.queries import collect
from tip_indicators.errors import CodeError

__all__ = ["MAX_EXACT", "Value", "parse_value", "plain_number"]

MAX_EXACT = 2**53
"""The largest figure (in magnitude) that can be read: every integer up to it is a float."""

MAX_PLAIN_DECIMALS = 30
"""The most digits after the decimal point :func:`plain_number` writes an exponent out to."""

PLAIN_NUMBER = r"-?[0-9]+(\.[0-9]+)?"
GROUPED_NUMBER = r"-?[0-9]{1,3}(,[0-9]{3})+(\.[0-9]+)?"
CENSORED = r"<\s?[0-9]+"
RANGE = r"[0-9]+\.\.[0-9]+"
_RANGE = re.compile(rf"^{RANGE}$")
_NUMBER = re.compile(rf"^({PLAIN_NUMBER}|{GROUPED_NUMBER})$")
_CENSORED = re.compile(rf"^{CENSORED}$")
_EXPONENT = re.compile(r"^([+-]?)([0-9]*)(?:\.([0-9]*))?[eE]([+-]?[0-9]+)$")
_LIMIT_DIGITS = str(MAX_EXACT)


def _exact(digits: str) -> bool:
    """Whether the integer written by ``digits`` (no sign, no separators) is at most MAX_EXACT."""
    digits = digits.lstrip("0")
    return len(digits) < len(_LIMIT_DIGITS) or (
        len(digits) == len(_LIMIT_DIGITS) and digits <= _LIMIT_DIGITS
    )


def plain_number(text: str) -> str | None:
    """A number written with an exponent (``1.5E3``) as a plain decimal (``1500``), or None when
    it is not one or its plain form would be larger than :data:`MAX_EXACT` or have more than
    :data:`MAX_PLAIN_DECIMALS` decimals. The size is judged from the digits and the exponent as
    written, before anything is expanded, so ``1E-999999`` costs no more than ``1E-9``."""
    match = _EXPONENT.match(text.strip())
    if match is None:
        return None
    sign, whole, fraction, power = match.groups()
    fraction = fraction or ""
    if not (whole or fraction) or len(power.lstrip("+-").lstrip("0")) > 6:
        return None
    digits = (whole + fraction).lstrip("0")
    if not digits:
        return "0"
    exponent = int(power)
    # The value is 0.<digits> x 10^point: ``point`` digits before the decimal point.
    point = (
        len(whole.lstrip("0")) + exponent
        if whole.lstrip("0")
        else exponent - (len(fraction) - len(fraction.lstrip("0")))
    )
    decimals = max(len(digits) - point, 0)
    if point > len(_LIMIT_DIGITS) or decimals > MAX_PLAIN_DECIMALS:
        return None
    if point <= 0:
        plain = "0." + "0" * -point + digits
    elif point >= len(digits):
        plain = digits + "0" * (point - len(digits))
    else:
        plain = digits[:point] + "." + digits[point:]
    if "." in plain:
        plain = plain.rstrip("0").rstrip(".")
    if not _exact(plain.partition(".")[0]):
        return None
    return ("-" if sign == "-" and plain != "0" else "") + plain


@attrs.frozen
class Value:
    """A figure as an interval: ``low == high`` when exact, ``None`` bounds when missing.

    ``decimals`` is the number of digits stated after the decimal point, which sets the rounding
    tolerance of percentages; it is None for censored and missing values.
    """

    text: str
    low: float | None
    high: float | None
    decimals: int | None

    @property
    def is_missing(self) -> bool:
        """Whether no figure was given."""
        return self.low is None

    @property
    def is_censored(self) -> bool:
        """Whether the figure is a range (a suppressed small count)."""
        return self.low is not None and self.low != self.high


def parse_value(text: str) -> Value:
    """Read one figure; raise CodeError (naming the text) when it cannot be read."""
    stripped = text.strip()
    if not stripped:
        return Value(text, None, None, None)
    if _CENSORED.match(stripped):
        bound = float(stripped[1:].strip())
        if bound < 1 or not _exact(stripped[1:].strip()):
            raise CodeError("value", text, None)
        return Value(text, 0.0, bound - 1, None)
    if _RANGE.match(stripped):
        low, _, high = stripped.partition("..")
        if len(stripped) > 40 or int(low) > int(high) or not _exact(high):
            raise CodeError("value", text, None)
        return Value(text, float(low), float(high), None)
    if _NUMBER.match(stripped):
        number = float(stripped.replace(",", ""))
        if not _exact(stripped.replace(",", "").lstrip("-").partition(".")[0]):
            raise CodeError("value", text, None)
        decimals = len(stripped.partition(".")[2])
        return Value(text, number, number, decimals)
    raise CodeError("value", text, _value_hint(stripped))


def _value_hint(text: str) -> str | None:
    candidate = text.replace(" ", "").replace("\u00a0", "").replace("\u202f", "")
    if candidate != text and _NUMBER.match(candidate):
        return candidate
    return None


def read_values(frame: pl.DataFrame, column: str) -> pl.DataFrame:
    """``frame`` with its text column ``column`` read into ``low``, ``high``, ``decimals``,
    ``readable``, ``censored`` and ``too_large``.

    ``readable`` is False where the text is neither empty, a number nor a censored count; like
    :func:`parse_value`, a number too large for a float and the censored count ``<0`` are
    unreadable, and so is a figure beyond :data:`MAX_EXACT` (then ``too_large`` is True).
    ``decimals`` saturates at 127. Each pattern is matched once, in stages whose columns the
    later ones read: the same reading as one expression per output column is several times
    slower to plan and run, every pattern compiled and matched again for each output.

    Long because it is one query, its stages in order.
    """
    text = pl.col("_text")
    too_large = pl.col("too_large")
    is_number, is_range, censored = pl.col("_is_number"), pl.col("_is_range"), pl.col("censored")
    read = (
        frame.lazy()
        .with_columns(pl.col(column).str.strip_chars().alias("_text"))
        .with_columns(
            (
                ~_exact_expr(text.str.replace_all(",", "").str.extract(r"^-?([0-9]*)", 1))
                | ~_exact_expr(text.str.extract(r"^<\s?([0-9]+)$", 1))
                | ~_exact_expr(text.str.extract(r"\.\.([0-9]+)$", 1))
            )
            .fill_null(False)
            .alias("too_large"),
            text.str.replace(r"^<\s?", "").cast(pl.Float64, strict=False).alias("_bound"),
            text.str.replace_all(",", "").cast(pl.Float64, strict=False).alias("_number"),
            text.str.extract(r"^([0-9]+)\.\.", 1).cast(pl.Float64, strict=False).alias("_from"),
            text.str.extract(r"\.\.([0-9]+)$", 1).cast(pl.Float64, strict=False).alias("_to"),
        )
        .with_columns(
            (text.str.contains(rf"^({PLAIN_NUMBER}|{GROUPED_NUMBER})$") & ~too_large)
            .fill_null(False)
            .alias("_is_number"),
            (
                text.str.contains(rf"^{RANGE}$")
                & (text.str.len_chars() <= 40)
                & (pl.col("_from") <= pl.col("_to"))
                & ~too_large
            )
            .fill_null(False)
            .alias("_is_range"),
            (text.str.contains(rf"^{CENSORED}$") & (pl.col("_bound") >= 1) & ~too_large)
            .fill_null(False)
            .alias("_is_censored"),
        )
        .with_columns((pl.col("_is_censored") | is_range).alias("censored"))
        .with_columns(
            pl.when(is_number)
            .then("_number")
            .when(is_range)
            .then("_from")
            .when(censored)
            .then(pl.lit(0.0))
            .alias("low"),
            pl.when(is_number)
            .then("_number")
            .when(is_range)
            .then("_to")
            .when(censored)
            .then(pl.col("_bound") - 1)
            .alias("high"),
            pl.when(is_number)
            .then(text.str.extract(r"\.([0-9]+)$", 1).str.len_chars().fill_null(0).clip(0, 127))
            .cast(pl.Int8)
            .alias("decimals"),
            (is_number | censored | (text == "") | text.is_null()).alias("readable"),
        )
    )
    return read.select(
        *frame.columns, "low", "high", "decimals", "readable", "censored", "too_large"
    ).pipe(collect)


def _exact_expr(digits: pl.Expr) -> pl.Expr:
    """Column-wise :func:`_exact`: null (no such digits) counts as exact."""
    digits = digits.str.strip_chars_start("0")
    width = digits.str.len_bytes()
    return (
        (width < len(_LIMIT_DIGITS)) | ((width == len(_LIMIT_DIGITS)) & (digits <= _LIMIT_DIGITS))
    ).fill_null(True)
