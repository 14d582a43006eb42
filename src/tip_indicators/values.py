"""Figures as written: exact numbers, censored counts such as ``<5``, and missing values.

A value that cannot be read is an error, never a zero. Thousands separators are accepted only in
the unambiguous form ``127,053`` (groups of three digits); ``<5`` means a count from 0 to 4, and
``10..14`` a count known only to lie in that range (a sum of censored counts, as a roll-up gives).
"""

from __future__ import annotations

import math
import re

import attrs
import polars as pl

from tip_indicators.errors import CodeError

__all__ = ["Value", "parse_value"]

PLAIN_NUMBER = r"-?[0-9]+(\.[0-9]+)?"
GROUPED_NUMBER = r"-?[0-9]{1,3}(,[0-9]{3})+(\.[0-9]+)?"
CENSORED = r"<\s?[0-9]+"
RANGE = r"[0-9]+\.\.[0-9]+"
_RANGE = re.compile(rf"^{RANGE}$")
_NUMBER = re.compile(rf"^({PLAIN_NUMBER}|{GROUPED_NUMBER})$")
_CENSORED = re.compile(rf"^{CENSORED}$")


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
        if bound < 1 or not math.isfinite(bound):
            raise CodeError("value", text, None)
        return Value(text, 0.0, bound - 1, None)
    if _RANGE.match(stripped):
        low, _, high = stripped.partition("..")
        if len(stripped) > 40 or int(low) > int(high):
            raise CodeError("value", text, None)
        return Value(text, float(low), float(high), None)
    if _NUMBER.match(stripped):
        number = float(stripped.replace(",", ""))
        if not math.isfinite(number):
            raise CodeError("value", text, None)
        decimals = len(stripped.partition(".")[2])
        return Value(text, number, number, decimals)
    raise CodeError("value", text, _value_hint(stripped))


def _value_hint(text: str) -> str | None:
    candidate = text.replace(" ", "").replace("\u00a0", "").replace("\u202f", "")
    if candidate != text and _NUMBER.match(candidate):
        return candidate
    return None


def value_columns(column: str) -> list[pl.Expr]:
    """Polars expressions reading a text column into ``low``, ``high``, ``decimals``, ``readable``.

    ``readable`` is False where the text is neither empty, a number nor a censored count; like
    :func:`parse_value`, a number too large for a float and the censored count ``<0`` are
    unreadable. ``decimals`` saturates at 127.
    """
    text = pl.col(column).str.strip_chars()
    bound = text.str.replace(r"^<\s?", "").cast(pl.Float64, strict=False)
    number = text.str.replace_all(",", "").cast(pl.Float64, strict=False)
    is_number = (
        text.str.contains(rf"^({PLAIN_NUMBER}|{GROUPED_NUMBER})$") & number.is_finite()
    ).fill_null(False)
    is_censored = (
        text.str.contains(rf"^{CENSORED}$") & (bound >= 1) & bound.is_finite()
    ).fill_null(False)
    range_low = text.str.extract(r"^([0-9]+)\.\.", 1).cast(pl.Float64, strict=False)
    range_high = text.str.extract(r"\.\.([0-9]+)$", 1).cast(pl.Float64, strict=False)
    is_range = (
        text.str.contains(rf"^{RANGE}$") & (text.str.len_chars() <= 40) & (range_low <= range_high)
    ).fill_null(False)
    is_censored = is_censored | is_range
    fraction = text.str.extract(r"\.([0-9]+)$", 1).str.len_chars().fill_null(0).clip(0, 127)
    return [
        pl.when(is_number)
        .then(number)
        .when(is_range)
        .then(range_low)
        .when(is_censored)
        .then(pl.lit(0.0))
        .alias("low"),
        pl.when(is_number)
        .then(number)
        .when(is_range)
        .then(range_high)
        .when(is_censored)
        .then(bound - 1)
        .alias("high"),
        pl.when(is_number).then(fraction).cast(pl.Int8).alias("decimals"),
        (is_number | is_censored | (text == "") | text.is_null()).alias("readable"),
        is_censored.alias("censored"),
    ]
