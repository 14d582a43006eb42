"""SARIF 2.1.0 output, the format code-scanning dashboards (GitHub, GitLab, Azure) read.

One run: the tool with every finding code as a rule (its title, default level and help page),
the inputs as artifacts with their SHA-256, and one result per finding located at the figure to
look at, the other figures involved as related locations. Suggested fixes are result properties
(``suggestions``: location, value, reason) rather than SARIF ``fixes``, which need the exact
characters to replace and a finding knows only the row.
"""

from __future__ import annotations

import functools
import json
import math
import os
import pathlib
import urllib.parse
from typing import Any

from tip_indicators.findings import Finding, Location, Severity, finding_codes
from tip_indicators.report import Report

__all__ = ["SARIF_SCHEMA", "help_uri", "report_sarif", "sarif_log"]

SARIF_SCHEMA = (
    "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
)
_LEVELS = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "note"}
_INFORMATION = "https://tip-indicators.org/"


def help_uri(code: str) -> str:
    """The documentation page of a finding code."""
    return f"https://tip-indicators.org/reference/findings/#{urllib.parse.quote(code)}"


@functools.lru_cache(maxsize=1024)
def _uri(path: str) -> str:
    """A file path as a URI reference: relative paths stay relative, with ``/`` separators.

    The path's bytes are percent-encoded, so a name that is not UTF-8 keeps its own bytes.
    """
    posix = pathlib.PurePath(path).as_posix()
    try:
        data = os.fsencode(posix)
    except UnicodeEncodeError:
        data = posix.encode("utf-8", "backslashreplace")
    quoted = urllib.parse.quote(data, safe="/")
    return f"file://{quoted}" if os.path.isabs(path) else quoted


def _physical(location: Location) -> dict[str, Any]:
    physical: dict[str, Any] = {"artifactLocation": {"uri": _uri(location.path)}}
    if location.line is not None and location.line >= 1:
        physical["region"] = {"startLine": location.line}
    return physical


def _number(value: float | str | None) -> float | str | None:
    """A JSON-safe number: infinities and NaN become text."""
    if isinstance(value, float) and not math.isfinite(value):
        return str(value)
    return value


def _rules(report: Report) -> list[dict[str, Any]]:
    codes = finding_codes()
    rules = [
        {
            "id": code.code,
            "shortDescription": {"text": code.title},
            "helpUri": help_uri(code.code),
            "defaultConfiguration": {"level": _LEVELS[code.severity]},
            "properties": {"validationLevel": code.level},
        }
        for code in codes.values()
    ]
    unknown = sorted({f.code for f in report.findings if f.code not in codes})
    rules.extend({"id": code, "shortDescription": {"text": code}} for code in unknown)
    return rules


def _primary(finding: Finding) -> Location | None:
    if finding.location is not None:
        return finding.location
    return finding.observations[0].location if finding.observations else None


def _result(finding: Finding, rule_index: int) -> dict[str, Any]:
    result: dict[str, Any] = {
        "ruleId": finding.code,
        "ruleIndex": rule_index,
        "level": _LEVELS[finding.severity],
        "message": {"text": finding.message},
    }
    primary = _primary(finding)
    if primary is not None and primary.path:
        result["locations"] = [{"physicalLocation": _physical(primary)}]
    related: list[dict[str, Any]] = []
    cited: set[tuple[str, int | None]] = set()
    if primary is not None:
        cited.add((primary.path, primary.line))
    for ref in finding.observations:
        place = (ref.location.path, ref.location.line)
        if place in cited or not ref.location.path:
            continue
        cited.add(place)
        related.append(
            {
                "id": len(related) + 1,
                "physicalLocation": _physical(ref.location),
                "message": {"text": f"{ref.label()} = {ref.value or '(empty)'}"},
            }
        )
    if related:
        result["relatedLocations"] = related
    properties: dict[str, Any] = {
        key: _number(value)
        for key, value in (
            ("rule", finding.rule),
            ("expected", finding.expected),
            ("actual", finding.actual),
            ("imbalance", finding.imbalance),
            ("tolerance", finding.tolerance),
        )
        if value is not None
    }
    if finding.suggestions:
        properties["suggestions"] = [
            {
                "location": {"path": s.location.path, "line": s.location.line},
                "value": s.value,
                "reason": s.reason,
            }
            for s in finding.suggestions
        ]
    if properties:
        result["properties"] = properties
    return result


def sarif_log(report: Report) -> dict[str, Any]:
    """The report as a SARIF 2.1.0 log (a JSON-ready mapping)."""
    rules = _rules(report)
    index = {rule["id"]: number for number, rule in enumerate(rules)}
    driver = {
        "name": "tip-indicators",
        "version": report.tool_version,
        "informationUri": _INFORMATION,
        "rules": rules,
    }
    artifacts = [
        {
            "location": {"uri": _uri(path)},
            "hashes": {"sha-256": sha256},
            "roles": ["analysisTarget"],
        }
        for path, sha256 in dict.fromkeys((item.path, item.sha256) for item in report.inputs)
    ]
    run: dict[str, Any] = {
        "tool": {"driver": driver},
        "invocations": [{"executionSuccessful": True}],
        "results": [_result(finding, index[finding.code]) for finding in report.findings],
        "properties": {"profile": report.profile, "observations": report.observations},
    }
    if artifacts:
        run["artifacts"] = artifacts
    return {"$schema": SARIF_SCHEMA, "version": "2.1.0", "runs": [run]}


def report_sarif(report: Report, *, indent: int | None = 2) -> str:
    """The report as a SARIF 2.1.0 JSON document."""
    return json.dumps(sarif_log(report), indent=indent, ensure_ascii=False, allow_nan=False)
