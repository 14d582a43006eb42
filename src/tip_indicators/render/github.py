"""GitHub Actions annotations: one workflow command per finding, shown on the file and line,
and a step summary in Markdown.

A finding becomes ``::error file=PATH,line=N,title=CODE::message`` (``warning`` and ``notice``
for the other severities), escaped as the Actions runner expects: ``%``, carriage return and line
feed in the message; those and also ``:`` and ``,`` in the properties. GitHub shows only the
first few annotations of a step, so at most ``limit`` are written, the most severe first, and a
notice says how many were left out; the step summary has the counts by code and by reporter.
The message's data text has its control characters shown escaped first (a line break in a cell
is ``\\n``), so a cell can neither add a line to the annotation nor recolour the log.

The findings to show are chosen column-wise from the report's findings table; only those few
become finding objects, so a report of many thousand findings makes at most ``limit`` of them.
"""

from __future__ import annotations

import polars as pl

from tip_indicators._private.safetext import shown
from tip_indicators.datasets import frame_paths
from tip_indicators.findings import Finding, Location, Severity
from tip_indicators.findings.summary import counts_by_code, counts_by_reporter
from tip_indicators.report import Report

__all__ = ["ANNOTATIONS", "annotation", "report_github", "step_summary"]

_COMMANDS = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "notice"}


def _escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(text: str) -> str:
    return _escape_data(text).replace(":", "%3A").replace(",", "%2C")


def _location(finding: Finding) -> Location | None:
    if finding.location is not None:
        return finding.location
    return finding.observations[0].location if finding.observations else None


def _place(where: Location, primary: Location | None) -> str:
    """``line 12`` in the annotated file, ``other.csv:12`` elsewhere."""
    if primary is not None and where.path == primary.path and where.line is not None:
        return f"line {where.line}"
    return str(Location(where.path, where.line))


def annotation(finding: Finding) -> str:
    """The workflow command that annotates ``finding`` (one line, no line break)."""
    properties: list[tuple[str, str]] = []
    location = _location(finding)
    if location is not None and location.path:
        # The runner reads the path to place the annotation: kept exact, escaped as a property.
        properties.append(("file", location.path))
        if location.line is not None:
            properties.append(("line", str(location.line)))
    properties.append(("title", finding.code))
    lines = [shown(finding.message)]
    for suggestion in finding.suggestions:
        lines.append(
            shown(
                f"fix? {_place(suggestion.location, location)}: {suggestion.value} "
                f"({suggestion.reason})"
            )
        )
    rendered = ",".join(f"{key}={_escape_property(value)}" for key, value in properties)
    return f"::{_COMMANDS[finding.severity]} {rendered}::{_escape_data(chr(10).join(lines))}"


ANNOTATIONS = 50
"""How many annotations ``report_github`` writes by default."""


def report_github(report: Report, *, limit: int = ANNOTATIONS) -> str:
    """The first ``limit`` findings, the most severe first, as GitHub Actions annotations, a
    notice of how many were left out, then a one-line summary for the log."""
    table = report.table
    ranks = {severity.value: severity.rank for severity in Severity}
    order = table.rows.select(
        pl.arg_sort_by(pl.col("severity").replace_strict(ranks, return_dtype=pl.Int64))
    ).to_series()
    lines = [annotation(finding) for finding in _first(report, order[:limit])]
    if len(table) > limit:
        lines.append(
            f"::notice title=tip-indicators::{len(table) - limit} more findings are not "
            "annotated: see the step summary or the full report"
        )
    counts = (
        (report.observations, "observation"),
        (report.errors, "error"),
        (report.warnings, "warning"),
        (report.infos, "info"),
    )
    summary = ", ".join(f"{n} {noun}{'' if n == 1 else 's'}" for n, noun in counts)
    lines.append(f"tip-indicators: {summary}")
    return "\n".join(lines) + "\n"


_SUMMARY_ROWS = 20


def step_summary(report: Report) -> str:
    """The report's counts as a Markdown step summary: by severity, by finding code, by
    reporter, and the first findings."""
    lines = [
        "## tip-indicators",
        "",
        f"{report.observations} observations from {len(report.inputs)} input(s), "
        f"{report.rules_evaluated} rules evaluated: **{report.errors} errors**, "
        f"{report.warnings} warnings, {report.infos} infos.",
    ]
    if not len(report.table):
        return "\n".join(lines) + "\n"
    for title, counts in (
        ("Finding code", counts_by_code(report.table)),
        ("Reporter", counts_by_reporter(report.table)),
    ):
        shown = counts.head(_SUMMARY_ROWS)
        lines += ["", f"| {title} | errors | warnings | infos |", "| --- | ---: | ---: | ---: |"]
        lines += [
            f"| {_cell(key if key is not None else '(none)')} | {errors} | {warnings} | {infos} |"
            for key, errors, warnings, infos, _ in shown.iter_rows()
        ]
        if counts.height > shown.height:
            lines.append(f"| … {counts.height - shown.height} more | | | |")
    lines += ["", "| Severity | Code | Where | Message |", "| --- | --- | --- | --- |"]
    first = pl.int_range(min(_SUMMARY_ROWS, len(report.table)), eager=True)
    for finding in _first(report, first):
        place = _location(finding)
        lines.append(
            f"| {finding.severity.value} | {finding.code} | {_cell(str(place or ''))} "
            f"| {_cell(finding.message)} |"
        )
    if len(report.table) > _SUMMARY_ROWS:
        lines.append(f"| … | {len(report.table) - _SUMMARY_ROWS} more findings | | |")
    return "\n".join(lines) + "\n"


def _first(report: Report, rows: pl.Series) -> tuple[Finding, ...]:
    """The findings at ``rows`` of the report's table, in that order, as objects."""
    return report.table.taken(rows).findings(frame_paths(report.inputs))


def _cell(text: str) -> str:
    """``text`` safe in a Markdown table cell: one line, pipes and markup escaped."""
    flat = " ".join(text.split())
    for special in ("\\", "|", "<", ">", "`", "*", "_", "[", "]"):
        flat = flat.replace(special, "\\" + special)
    return flat
