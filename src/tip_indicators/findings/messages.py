"""The message of each finding code, built column-wise: one builder per code.

Each builder is a polars expression over the texts its family prepares (figures' labels and
values as citations show them, numbers and intervals as
:func:`~tip_indicators._private.engine.base.number_texts` writes them), so a rule with ten
thousand failures words them in one query, and rewording a message touches one place.
"""

from __future__ import annotations

import polars as pl

__all__ = ["bound_exceeded", "change_mismatch", "mirror_mismatch"]


def bound_exceeded(
    *, part: pl.Expr, part_value: pl.Expr, whole: pl.Expr, whole_value: pl.Expr, excess: pl.Expr
) -> pl.Expr:
    """``persons_convicted 2010 KH is 12, more than persons_prosecuted 2010 KH 9 by 3``."""
    return pl.format(
        "{} is {}, more than {} {} by {}", part, part_value, whole, whole_value, excess
    )


def mirror_mismatch(
    *,
    sender: pl.Expr,
    receiver: pl.Expr,
    indicator: pl.Expr,
    period: pl.Expr,
    sent: pl.Expr,
    received: pl.Expr,
) -> pl.Expr:
    """``NGO.A reports 42 victims_received sent to NGO.B in 2010, but NGO.B reports 40
    received from NGO.A``."""
    return pl.format(
        "{} reports {} {} sent to {} in {}, but {} reports {} received from {}",
        sender,
        sent,
        indicator,
        receiver,
        period,
        receiver,
        received,
        sender,
    )


def change_mismatch(
    *,
    stated: pl.Expr,
    stated_value: pl.Expr,
    period: pl.Expr,
    base_period: pl.Expr,
    level: pl.Expr,
    base: pl.Expr,
    expected: pl.Expr,
) -> pl.Expr:
    """``persons_prosecuted CHG 2010 X: the change against 2009 is stated as 103, but 2010
    level 249 - 2009 level 103 = 146``."""
    return pl.format(
        "{}: the change against {} is stated as {}, but {} level {} - {} level {} = {}",
        stated,
        base_period,
        stated_value,
        period,
        level,
        base_period,
        base,
        expected,
    )
