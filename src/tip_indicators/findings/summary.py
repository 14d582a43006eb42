"""Counts of findings by code and by reporter: what a secretariat reads before the findings.

A submission with thousands of findings is understood from its counts first (which kinds of
problem, which members), so every human-facing report opens with them. Counted column-wise.
"""

from __future__ import annotations

import polars as pl

from tip_indicators.findings.table import FindingTable

__all__ = ["counts_by_code", "counts_by_reporter"]

_SEVERITIES = ("error", "warning", "info")


def _counts(frame: pl.DataFrame, key: str) -> pl.DataFrame:
    """Per ``key``: findings of each severity and in all, most findings first."""
    return (
        frame.group_by(key)
        .agg(
            *[(pl.col("severity") == name).sum().alias(f"{name}s") for name in _SEVERITIES],
            pl.len().alias("findings"),
        )
        .sort(["findings", key], descending=[True, False])
    )


def counts_by_code(table: FindingTable) -> pl.DataFrame:
    """Columns ``code``, ``errors``, ``warnings``, ``infos``, ``findings``: one row per code."""
    return _counts(table.rows.select("code", "severity"), "code")


def counts_by_reporter(table: FindingTable) -> pl.DataFrame:
    """Like :func:`counts_by_code` per ``reporter``: the reporter of a finding's first cited
    figure (``(none)`` for a finding citing none, such as an unreadable row)."""
    first = table.rows.get_column("cited").list.first()
    reporters = table.figures.get_column("reporter")
    named = (
        reporters.gather(first.fill_null(0))
        if reporters.len()
        else pl.Series([None] * first.len(), dtype=pl.String)
    )
    frame = pl.DataFrame(
        {"severity": table.rows.get_column("severity"), "reporter": named, "first": first}
    ).select(
        "severity",
        pl.when(pl.col("first").is_null() | (pl.col("reporter").fill_null("") == ""))
        .then(pl.lit("(none)"))
        .otherwise(pl.col("reporter"))
        .alias("reporter"),
    )
    return _counts(frame, "reporter")
