"""The human report: findings grouped by file and severity, colour only on a terminal; a
long report ends with its counts by finding code and by reporter.

Data text (file names, messages quoting cells, suggested values) is shown with its control
characters escaped, so no cell can add a line to the report or recolour the terminal.
"""

from __future__ import annotations

import re
from itertools import groupby

from tip_indicators._private.safetext import shown
from tip_indicators.findings import Finding, Location, Severity
from tip_indicators.findings.summary import counts_by_code, counts_by_reporter
from tip_indicators.report import Report

__all__ = ["report_text"]

_COLOURS = {Severity.ERROR: "\033[31m", Severity.WARNING: "\033[33m", Severity.INFO: "\033[36m"}
_RESET = "\033[0m"


def _path(finding: Finding) -> str:
    return finding.sort_key[0]


def _where(finding: Finding) -> str:
    location = finding.location or (
        finding.observations[0].location if finding.observations else None
    )
    if location is not None and location.row is not None:
        return f"row {location.row}"
    if location is None or location.line is None:
        return ""
    if location.field and "!" in location.field:
        return f"line {location.line}: {shown(location.field)}"
    return f"line {location.line}"


def report_text(report: Report, *, colour: bool = False) -> str:
    """Render ``report`` for a person reading a terminal or a CI log."""
    lines: list[str] = []
    for path, in_file in groupby(report.findings, key=_path):
        lines.append(shown(path) if path else "(no file)")
        for finding in sorted(in_file, key=lambda f: (f.severity.rank, f.sort_key)):
            label = finding.severity.value
            if colour:
                label = f"{_COLOURS[finding.severity]}{label}{_RESET}"
            where = _where(finding)
            lines.append(
                f"  {label}: {where + ': ' if where else ''}{shown(finding.message)} "
                f"[{finding.code}]"
            )
            lines += _fixes(finding, path)
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

_TIED = re.compile(r"; (one of \d+ equally likely [^;()]*)$")


def _fixes(finding: Finding, path: str) -> list[str]:
    """A ``fix?`` line per suggestion; equally likely ones, when there are several, folded
    into one line that says how many there are and lists them all."""
    tied = [s for s in finding.suggestions if _TIED.search(s.reason)]
    lines: list[str] = []
    if len(tied) >= FOLD_FROM:
        match = _TIED.search(tied[0].reason)
        assert match is not None
        listed = ", ".join(f"{shown(_place(s.location, path))} to {shown(s.value)}" for s in tied)
        lines.append(f"      fix? {match.group(1)}: {listed}")
    for suggestion in finding.suggestions:
        if len(tied) >= FOLD_FROM and suggestion in tied:
            continue
        place = _place(suggestion.location, path)
        lines.append(
            f"      fix? {shown(place)}: {shown(suggestion.value)} ({shown(suggestion.reason)})"
        )
    return lines


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


def _place(where: Location, path: str) -> str:
    """``line 12`` in the file being listed, ``other.csv:12`` in another one."""
    if where.row is not None:
        return str(Location(where.path, row=where.row))
    cell = f" {shown(where.field)}" if where.field and "!" in where.field else ""
    if where.path == path and where.line is not None:
        return f"line {where.line}{cell}"
    return str(Location(where.path, where.line)) + cell


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}{'' if number == 1 else 's'}"
