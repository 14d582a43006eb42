"""Reference periods: years, half-years, quarters and months, and their default base periods.

Periods are written ``2010``, ``2024-S1``, ``2010-Q1`` or ``2010-01``. A change is measured
against a base period that defaults to the same period one year earlier.
"""

from __future__ import annotations

import re

import attrs
import polars as pl

from tip_indicators.errors import CodeError

__all__ = ["PERIOD_PATTERN", "Period", "parse_period"]

PERIOD_PATTERN = r"^[0-9]{4}(-(Q[1-4]|S[12]|0[1-9]|1[0-2]))?$"
_PERIOD = re.compile(PERIOD_PATTERN)


@attrs.frozen(order=True)
class Period:
    """A reference period; ordering follows the calendar for periods of the same frequency."""

    year: int
    frequency: str = attrs.field(order=False)
    """``A`` annual, ``S`` half-year, ``Q`` quarter, ``M`` month."""
    index: int = 1
    """Half-year, quarter or month number within the year (1 for a year)."""

    @property
    def code(self) -> str:
        """The period as written in the long CSV."""
        if self.frequency == "A":
            return f"{self.year:04d}"
        if self.frequency == "M":
            return f"{self.year:04d}-{self.index:02d}"
        return f"{self.year:04d}-{self.frequency}{self.index}"

    @property
    def previous_year(self) -> Period:
        """The same period one year earlier: the default base of a change."""
        return attrs.evolve(self, year=self.year - 1)

    def __str__(self) -> str:
        return self.code


def parse_period(text: str) -> Period:
    """Parse a period code, raising CodeError with a hint for impossible ones (``2010-Q5``)."""
    if not _PERIOD.fullmatch(text):
        hint = text.strip() if _PERIOD.fullmatch(text.strip()) else None
        raise CodeError("period", text, hint)
    year = int(text[:4])
    rest = text[5:]
    if not rest:
        return Period(year, "A")
    if rest[0] in "QS":
        return Period(year, rest[0], int(rest[1:]))
    return Period(year, "M", int(rest))


def period_sort_key(column: str) -> pl.Expr:
    """A polars expression ordering valid period codes: year x 12 + first month of the period."""
    text = pl.col(column)
    year = text.str.slice(0, 4).cast(pl.Int32, strict=False)
    kind = text.str.slice(5, 1)
    number = text.str.slice(6).cast(pl.Int32, strict=False)
    month = (
        pl.when(text.str.len_chars() == 4)
        .then(1)
        .when(kind == "Q")
        .then((number - 1) * 3 + 1)
        .when(kind == "S")
        .then((number - 1) * 6 + 1)
        .otherwise(text.str.slice(5).cast(pl.Int32, strict=False))
    )
    return year * 12 + month


def previous_year_expr(column: str) -> pl.Expr:
    """A polars expression giving, for each period code, the same period one year earlier."""
    text = pl.col(column)
    year = text.str.slice(0, 4).cast(pl.Int32, strict=False) - 1
    return pl.format("{}{}", year.cast(pl.String).str.zfill(4), text.str.slice(4))


def frequency_expr(column: str) -> pl.Expr:
    """A polars expression giving a period's frequency letter (A, S, Q or M)."""
    text = pl.col(column)
    kind = text.str.slice(5, 1)
    return (
        pl.when(text.str.len_chars() == 4)
        .then(pl.lit("A"))
        .when(kind.is_in(["Q", "S"]))
        .then(kind)
        .otherwise(pl.lit("M"))
    )
