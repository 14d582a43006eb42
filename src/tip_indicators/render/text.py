"""The human report: findings grouped by file and severity, colour only on a terminal; a
long report ends with its counts by finding code and by reporter.

Data text (file names, messages quoting cells, suggested values) is shown with its control
characters escaped, so no cell can add a line to the report or recolour the terminal.
"""

from __future__ import annotations

from collections.abc import Collection

import polars as pl

from tip_indicators._private.safetext import shown, shown_column
from tip_indicators.datasets import frame_paths
from tip_indicators.findings import FindingTable, Severity
from tip_indicators.findings.summary import counts_by_code, counts_by_reporter
from tip_indicators.render._places import in_frames, named, primary_places
from tip_indicators.report import Report

__all__ = ["report_text"]

_COLOURS = {Severity.ERROR: "\033[31m", Severity.WARNING: "\033[33m", Severity.INFO: "\033[36m"}
_RESET = "\033[0m"
_RANKS = {severity.value: severity.rank for severity in Severity}


def report_text(report: Report, *, colour: bool = False) -> str:
    """Render ``report`` for a person reading a terminal or a CI log."""
    lines = _finding_lines(report.table, frame_paths(report.inputs), colour=colour).to_list()
    if len(report.table) > COUNTS_FROM:
        lines += _counts(report)
    if report.omitted:
        lines.append(f"checks left out (rules were chosen): {', '.join(report.omitted)}")
    lines.append(
        f"{_count(report.observations, 'observation')}, "
        f"{_count(report.rules_evaluated, 'rule')} evaluated, "
        f"{report.not_evaluated} not evaluated: {_count(report.errors, 'error')}, "
        f"{_count(report.warnings, 'warning')}, {_count(report.infos, 'info')}"
    )
    return "\n".join(lines) + "\n"


FOLD_FROM = 3
"""Equally likely fixes of this many figures or more are folded into one line."""

_TIED = r"; (one of \d+ equally likely [^;()]*)$"


def _finding_lines(table: FindingTable, frames: Collection[str], *, colour: bool) -> pl.Series:
    """The findings part of the report, a line per row, written column-wise: the findings in
    runs of the same file (a line naming it opening each run), in each run the most severe
    first, then by place, code and message; under each finding its fixes."""
    findings = pl.concat(
        [primary_places(table, frames), table.rows.select("code", "severity", "message")],
        how="horizontal",
    )
    findings = findings.with_columns(
        (pl.col("key") != pl.col("key").shift(1)).fill_null(True).cum_sum().alias("run")
    )
    severity = pl.col("severity")
    label = (
        severity.replace_strict({s.value: f"{_COLOURS[s]}{s.value}{_RESET}" for s in Severity})
        if colour
        else severity
    )
    where = (
        pl.when(pl.col("is_row") & pl.col("position").is_not_null())
        .then(pl.format("row {}: ", pl.col("position")))
        .when(pl.col("position").is_null())
        .then(pl.lit(""))
        .when(pl.col("field").str.contains("!", literal=True))
        .then(pl.format("line {}: {}: ", pl.col("position"), shown_column(pl.col("field"))))
        .otherwise(pl.format("line {}: ", pl.col("position")))
    )
    findings = findings.with_columns(
        pl.arg_sort_by(
            "run",
            severity.replace_strict(_RANKS, return_dtype=pl.Int64),
            pl.col("position").fill_null(0),
            pl.col("code").cast(pl.Binary),
            pl.col("message").cast(pl.Binary),
            "finding",
        )
        .arg_sort()
        .alias("order"),
        pl.format(
            "  {}: {}{} [{}]", label, where, shown_column(pl.col("message")), pl.col("code")
        ).alias("text"),
    )
    heads = (
        findings.group_by("run")
        .agg(pl.col("order").min(), pl.col("key").first())
        .with_columns(
            named(pl.col("key"), lambda path: shown(path) if path else "(no file)").alias("text")
        )
    )
    parts = [
        heads.select("order", pl.lit(0).alias("part"), "text"),
        findings.select("order", pl.lit(1).alias("part"), "text"),
        _fix_lines(findings, table, frames),
    ]
    return pl.concat(parts, how="vertical_relaxed").sort("order", "part").get_column("text")


def _fix_lines(
    findings: pl.DataFrame, table: FindingTable, frames: Collection[str]
) -> pl.DataFrame:
    """A ``fix?`` line per suggestion, ordered after its finding; equally likely ones, when
    there are :data:`FOLD_FROM` or more, folded into one line that says how many there are and
    lists them all."""
    offered = (
        table.rows.select(pl.int_range(pl.len(), dtype=pl.Int64).alias("finding"), "suggestions")
        .explode("suggestions")
        .drop_nulls("suggestions")
        .unnest("suggestions")
        .join(findings.select("finding", "order", "key"), on="finding", how="left")
        .with_columns(
            pl.int_range(pl.len(), dtype=pl.Int64).over("finding").alias("part"),
            pl.col("reason").str.extract(_TIED, 1).alias("tie"),
        )
        .with_columns(
            (pl.col("tie").is_not_null().sum().over("finding") >= FOLD_FROM).alias("folds"),
            _place(frames).alias("place"),
        )
    )
    folded = pl.col("folds") & pl.col("tie").is_not_null()
    one_each = offered.filter(~folded).select(
        "order",
        pl.col("part") + 3,
        pl.format(
            "      fix? {}: {} ({})",
            "place",
            shown_column(pl.col("value")),
            shown_column(pl.col("reason")),
        ).alias("text"),
    )
    together = (
        offered.filter(folded)
        .group_by("order")
        .agg(
            pl.col("tie").first(),
            pl.format("{} to {}", "place", shown_column(pl.col("value"))).str.join(", "),
        )
        .select(
            "order",
            pl.lit(2).alias("part"),
            pl.format("      fix? {}: {}", "tie", "place").alias("text"),
        )
    )
    return pl.concat([one_each, together], how="vertical_relaxed")


def _place(frames: Collection[str]) -> pl.Expr:
    """A suggestion's place, shown: ``line 12`` in the file being listed (``key``),
    ``other.csv:12`` in another one, ``frame row 3`` in a checked frame."""
    path = named(pl.col("path"), shown)
    line = pl.col("line")
    cell = (
        pl.when(pl.col("field").str.contains("!", literal=True))
        .then(pl.concat_str(pl.lit(" "), shown_column(pl.col("field"))))
        .otherwise(pl.lit(""))
    )
    return (
        pl.when(in_frames(pl.col("path"), frames) & line.is_not_null())
        .then(pl.format("{} row {}", path, line))
        .when((pl.col("path") == pl.col("key")) & line.is_not_null())
        .then(pl.format("line {}{}", line, cell))
        .when(line.is_not_null())
        .then(pl.format("{}:{}{}", path, line, cell))
        .otherwise(pl.concat_str(path, cell))
    )


COUNTS_FROM = 10
"""A report with more findings than this ends with their counts by code and by reporter."""

_REPORTERS_SHOWN = 10


def _counts(report: Report) -> list[str]:
    """The counts by finding code, then by reporter (the most findings first)."""
    lines = ["findings by code:"]
    for code, errors, warnings, infos, total in counts_by_code(report.table).iter_rows():
        lines.append(f"  {total:>7}  {code}{_split(errors, warnings, infos, total)}")
    reporters = counts_by_reporter(report.table)
    if reporters.get_column("reporter").to_list() == [None]:
        return lines  # no finding cites a figure: there are no reporters to count
    shown = reporters.head(_REPORTERS_SHOWN)
    more = (
        f" ({shown.height} of {reporters.height} shown)" if reporters.height > shown.height else ""
    )
    lines.append(f"findings by reporter{more}:")
    for reporter, errors, warnings, infos, total in shown.iter_rows():
        name = reporter if reporter is not None else "(none)"
        lines.append(f"  {total:>7}  {name}{_split(errors, warnings, infos, total)}")
    return lines


def _split(errors: int, warnings: int, infos: int, total: int) -> str:
    """`` (3 errors, 1 warning)`` when a count mixes severities, else nothing."""
    parts = [(errors, "error"), (warnings, "warning"), (infos, "info")]
    named = [_count(n, noun) for n, noun in parts if n]
    return f" ({', '.join(named)})" if len(named) > 1 or not total else f" ({named[0]})"


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}{'' if number == 1 else 's'}"
