"""The human report: findings grouped by file and severity, colour only on a terminal.

Data text (file names, messages quoting cells, suggested values) is shown with its control
characters escaped, so no cell can add a line to the report or recolour the terminal.
"""

from __future__ import annotations

from itertools import groupby

from tip_indicators._private.safetext import shown
from tip_indicators.findings import Finding, Location, Severity
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
            for suggestion in finding.suggestions:
                place = _place(suggestion.location, path)
                lines.append(
                    f"      fix? {shown(place)}: {shown(suggestion.value)} "
                    f"({shown(suggestion.reason)})"
                )
    lines.append(
        f"{_count(report.observations, 'observation')}, "
        f"{_count(report.rules_evaluated, 'rule')} evaluated, "
        f"{report.not_evaluated} not evaluated: {_count(report.errors, 'error')}, "
        f"{_count(report.warnings, 'warning')}, {_count(report.infos, 'info')}"
    )
    return "\n".join(lines) + "\n"


def _place(where: Location, path: str) -> str:
    """``line 12`` in the file being listed, ``other.csv:12`` in another one."""
    if where.path == path and where.line is not None:
        return f"line {where.line}"
    return str(Location(where.path, where.line))


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}{'' if number == 1 else 's'}"
