"""Counts of findings by code and by reporter: what a secretariat reads before the findings.

A submission with thousands of findings is understood from its counts first (which kinds of
problem, which members), so every human-facing report opens with them. Counted column-wise.
"""

from __future__ import annotations

import polars as pl

from tip_indicators.findings.table import FindingTable

__all__ = ["counts_by_code", "counts_by_reporter", "first_reporters"]

_SEVERITIES = ("error", "warning", "info")


def _counts(frame: pl.DataFrame, key: str) -> pl.DataFrame:
    """Per ``key``: findings of each severity and in all, most findings first (a null key,
    findings with none, last among equals)."""
    return (
        frame.group_by(key)
        .agg(
            *[(pl.col("severity") == name).sum().alias(f"{name}s") for name in _SEVERITIES],
            pl.len().alias("findings"),
        )
        .sort(["findings", key], descending=[True, False], nulls_last=True)
    )


def counts_by_code(table: FindingTable) -> pl.DataFrame:
    """Columns ``code``, ``errors``, ``warnings``, ``infos``, ``findings``: one row per code."""
    return _counts(table.rows.select("code", "severity"), "code")


def first_reporters(table: FindingTable) -> pl.Series:
    """Each finding's reporter: that of the first figure it cites, null for a finding that
    cites none (an unreadable row) or whose figure names no reporter."""
    first = table.rows.get_column("cited").list.first()
    reporters = table.figures.get_column("reporter")
    if not reporters.len():
        return pl.Series("reporter", [None] * first.len(), dtype=pl.String)
    named = reporters.gather(first.fill_null(0))
    return (
        pl.DataFrame({"reporter": named, "first": first})
        .select(
            pl.when(pl.col("first").is_null() | (pl.col("reporter").fill_null("") == ""))
            .then(pl.lit(None, pl.String))
            .otherwise(pl.col("reporter"))
            .alias("reporter")
        )
        .get_column("reporter")
    )


def counts_by_reporter(table: FindingTable) -> pl.DataFrame:
    """Like :func:`counts_by_code` per ``reporter`` (:func:`first_reporters`; null for the
    findings that name none)."""
    frame = pl.DataFrame(
        {"severity": table.rows.get_column("severity"), "reporter": first_reporters(table)}
    )
    return _counts(frame, "reporter")
