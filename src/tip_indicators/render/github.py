"""GitHub Actions annotations: one workflow command per finding, shown on the file and line.

A finding becomes ``::error file=PATH,line=N,title=CODE::message`` (``warning`` and ``notice``
for the other severities), escaped as the Actions runner expects: ``%``, carriage return and line
feed in the message; those and also ``:`` and ``,`` in the properties. The message's data text
has its control characters shown escaped first (a line break in a cell is ``\\n``), so a cell
can neither add a line to the annotation nor recolour the log.
"""

from __future__ import annotations

from tip_indicators._private.safetext import shown
from tip_indicators.findings import Finding, Location, Severity
from tip_indicators.report import Report

__all__ = ["annotation", "report_github"]

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


def report_github(report: Report) -> str:
    """Every finding as a GitHub Actions annotation, then a one-line summary for the log."""
    lines = [annotation(finding) for finding in report.findings]
    counts = (
        (report.observations, "observation"),
        (report.errors, "error"),
        (report.warnings, "warning"),
        (report.infos, "info"),
    )
    summary = ", ".join(f"{n} {noun}{'' if n == 1 else 's'}" for n, noun in counts)
    lines.append(f"tip-indicators: {summary}")
    return "\n".join(lines) + "\n"
