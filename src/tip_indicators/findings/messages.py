"""The message of each finding code, built column-wise: one builder per code.

Each builder is a polars expression over the texts its family prepares (figures' labels and
values as citations show them, numbers and intervals as
:func:`~tip_indicators._engine.base.number_texts` writes them), so a rule with ten
thousand failures words them in one query, and rewording a message touches one place.
"""

from __future__ import annotations

import polars as pl

from tip_indicators.findings.wording import worded

__all__ = [
    "bound_exceeded",
    "breakdown_missing",
    "change_mismatch",
    "derived_conflict",
    "derived_value",
    "mirror_mismatch",
    "not_in_profile",
    "part_exceeds_total",
    "profile_rule",
    "rate_bracket",
    "rate_sum",
    "share_sum",
]


def bound_exceeded(
    *, part: pl.Expr, part_value: pl.Expr, whole: pl.Expr, whole_value: pl.Expr, excess: pl.Expr
) -> pl.Expr:
    """``persons_convicted 2010 KH is 12, more than persons_prosecuted 2010 KH 9 by 3``."""
    return worded(
        "{part} is {part_value}, more than {whole} {whole_value} by {excess}",
        part=part,
        part_value=part_value,
        whole=whole,
        whole_value=whole_value,
        excess=excess,
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
    return worded(
        "{sender} reports {sent} {indicator} sent to {receiver} in {period}, but {receiver} "
        "reports {received} received from {sender}",
        sender=sender,
        sent=sent,
        indicator=indicator,
        receiver=receiver,
        period=period,
        received=received,
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
    return worded(
        "{stated}: the change against {base_period} is stated as {stated_value}, but {period} "
        "level {level} - {base_period} level {base} = {expected}",
        stated=stated,
        base_period=base_period,
        stated_value=stated_value,
        period=period,
        level=level,
        base=base,
        expected=expected,
    )


def breakdown_missing(*, total: pl.Expr, profile: pl.Expr, dimension: pl.Expr) -> pl.Expr:
    """``victims_received 2024 NGO.A: profile p@1 requires a breakdown by sex, and none is
    given``."""
    return worded(
        "{total}: profile {profile} requires a breakdown by {dimension}, and none is given",
        total=total,
        profile=profile,
        dimension=dimension,
    )


def not_in_profile(
    *, column: pl.Expr, quoted: pl.Expr, profile: pl.Expr, organisation: bool
) -> pl.Expr:
    """``reporter: 'NGO.X' is not a reporter of profile p@1`` (the code quoted as Python
    writes it), or ``is not an organisation of profile`` for an organisation column."""
    if organisation:
        return worded(
            "{column}: {quoted} is not an organisation of profile {profile}",
            column=column,
            quoted=quoted,
            profile=profile,
        )
    return worded(
        "{column}: {quoted} is not a reporter of profile {profile}",
        column=column,
        quoted=quoted,
        profile=profile,
    )


def profile_rule(
    *,
    rule: pl.Expr,
    expression: pl.Expr,
    period: pl.Expr,
    reporter: pl.Expr,
    difference: pl.Expr,
    figures: pl.Expr,
    description: pl.Expr,
) -> pl.Expr:
    """``name: a <= b does not hold for 2024 KH (left - right = 3; a 2024 KH = 5, ...)``, and
    the rule's description after it when it has one."""
    said = worded(
        "{rule}: {expression} does not hold for {period} {reporter} (left - right = "
        "{difference}; {figures})",
        rule=rule,
        expression=expression,
        period=period,
        reporter=reporter,
        difference=difference,
        figures=figures,
    )
    return (
        pl.when(description.is_not_null())
        .then(pl.format("{}. {}", said, description))
        .otherwise(said)
    )


def part_exceeds_total(
    *, part: pl.Expr, part_value: pl.Expr, total: pl.Expr, total_value: pl.Expr, excess: pl.Expr
) -> pl.Expr:
    """``victims_received[exploitation=SEXUAL] 2010 KH is 12, more than its total
    victims_received 2010 KH 9 by 3`` (a part of a breakdown that need not add up)."""
    return worded(
        "{part} is {part_value}, more than its total {total} {total_value} by {excess}",
        part=part,
        part_value=part_value,
        total=total,
        total_value=total_value,
        excess=excess,
    )


def derived_value(*, figure: pl.Expr, arithmetic: pl.Expr) -> pl.Expr:
    """``victims_received[destination=RETAINED] 2010 X is not stated; the destination breakdown
    gives it: 459 - (NGO.A 238 + ...) = 81``."""
    return worded("{figure} is not stated; {arithmetic}", figure=figure, arithmetic=arithmetic)


def derived_conflict(*, figure: pl.Expr, arithmetic: pl.Expr) -> pl.Expr:
    """``... is not stated, and its breakdowns disagree on it: the sex breakdown gives it: ...;
    but the age breakdown gives it: ...``."""
    return worded(
        "{figure} is not stated, and its breakdowns disagree on it: {arithmetic}",
        figure=figure,
        arithmetic=arithmetic,
    )


def rate_bracket(
    *, total: pl.Expr, total_rate: pl.Expr, female: pl.Expr, male: pl.Expr, added: pl.Expr
) -> pl.Expr:
    """A total rate outside the rates by sex, which do not add up to it either."""
    return worded(
        "{total}: the total rate {total_rate} lies outside the sex-specific rates (F {female}, "
        "M {male}), so they cannot share denominators, and F + M = {added} is not the total "
        "either, as it would be on the total population",
        total=total,
        total_rate=total_rate,
        female=female,
        male=male,
        added=added,
    )


def rate_sum(*, total: pl.Expr, periods: pl.Expr, added: pl.Expr, total_rate: pl.Expr) -> pl.Expr:
    """Rates by sex that do not add up to the total in a table whose other periods do."""
    return worded(
        "{total}: this table's rates add up to the total in {periods} other periods (rates on "
        "the total population), but here F + M = {added}, not the total {total_rate}",
        total=total,
        periods=periods,
        added=added,
        total_rate=total_rate,
    )


def share_sum(
    *, group: pl.Expr, dimension: pl.Expr, total: pl.Expr, parts: pl.Expr, allowed: pl.Expr
) -> pl.Expr:
    """``x 2010 KH: the sex shares add up to 100.5% (F 96.9% + M 3.6%), not 100% (allowed by
    the rounding of the stated digits: ±0.2)``."""
    return worded(
        "{group}: the {dimension} shares add up to {total}% ({parts}), not 100% (allowed by the "
        "rounding of the stated digits: ±{allowed})",
        group=group,
        dimension=dimension,
        total=total,
        parts=parts,
        allowed=allowed,
    )
