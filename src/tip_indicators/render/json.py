"""The JSON report (DESIGN section 4) and its JSON Schema.

The report is built as plain data and serialised directly, so rendering a large report creates
no model object per figure; the pydantic models in ``_private.report_model`` define the same
shape and publish its JSON Schema, and the tests validate every report against that schema.
"""

from __future__ import annotations

import json
import math
from typing import Any

from tip_indicators.findings import Finding, Location, ObservationRef
from tip_indicators.report import Report

__all__ = ["report_data", "report_json", "report_schema"]


def _number(value: float | str | None) -> float | str | None:
    """Strict JSON has no NaN or infinity: those become null."""
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def _location(location: Location) -> dict[str, Any]:
    return {"path": location.path, "line": location.line, "field": location.field}


def _observation(ref: ObservationRef, breakdowns: dict[int, dict[str, str]]) -> dict[str, Any]:
    # Citations with the same codes share one mapping of them, so its JSON form is made once.
    shown = breakdowns.get(id(ref.dimensions))
    if shown is None:
        shown = {key: code for key, code in ref.dimensions.items() if code != "_T"}
        breakdowns[id(ref.dimensions)] = shown
    return {
        "indicator": ref.indicator,
        "period": ref.period,
        "reporter": ref.reporter,
        "dimensions": shown,
        "measure": ref.measure,
        "value": ref.value,
        "source": ref.source,
        "location": _location(ref.location),
        "derived": ref.derived,
    }


def _finding(
    finding: Finding, cited: dict[int, dict[str, Any]], breakdowns: dict[int, dict[str, str]]
) -> dict[str, Any]:
    observations = []
    for ref in finding.observations:
        key = id(ref)
        if key not in cited:
            cited[key] = _observation(ref, breakdowns)
        observations.append(cited[key])
    return {
        "code": finding.code,
        "severity": finding.severity.value,
        "message": finding.message,
        "rule": finding.rule,
        "location": _location(finding.location) if finding.location else None,
        "expected": _number(finding.expected),
        "actual": _number(finding.actual),
        "imbalance": _number(finding.imbalance),
        "tolerance": _number(finding.tolerance),
        "observations": observations,
        "suggestions": [
            {"location": _location(s.location), "value": s.value, "reason": s.reason}
            for s in finding.suggestions
        ],
    }


def report_data(report: Report) -> dict[str, Any]:
    """The report as plain JSON-ready data, in the shape of :func:`report_schema`."""
    cited: dict[int, dict[str, Any]] = {}
    breakdowns: dict[int, dict[str, str]] = {}
    return {
        "tool": {"name": "tip-indicators", "version": report.tool_version},
        "profile": report.profile,
        "created": report.created,
        "inputs": [
            {"path": i.path, "sha256": i.sha256, "observations": i.observations}
            for i in report.inputs
        ],
        "summary": {
            "observations": report.observations,
            "rules_evaluated": report.rules_evaluated,
            "errors": report.errors,
            "warnings": report.warnings,
            "infos": report.infos,
            "not_evaluated": report.not_evaluated,
        },
        "findings": [_finding(f, cited, breakdowns) for f in report.findings],
    }


def report_json(report: Report, *, indent: int | None = 2) -> str:
    """The report as one JSON object: the header indented, each finding on a line of its own
    (so a report of many thousand findings is written by the C encoder, and stays diffable)."""
    data = report_data(report)
    if indent is None:
        return json.dumps(data, ensure_ascii=False, allow_nan=False)
    findings = data.pop("findings")
    head = json.dumps(data, indent=indent, ensure_ascii=False, allow_nan=False)
    pad = " " * indent
    items = ",\n".join(
        pad * 2 + json.dumps(finding, ensure_ascii=False, allow_nan=False) for finding in findings
    )
    body = f'{pad}"findings": [\n{items}\n{pad}]' if findings else f'{pad}"findings": []'
    return head[: -len("\n}")] + ",\n" + body + "\n}"


def report_schema() -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) of :func:`report_json`'s output."""
    from tip_indicators._private.report_model import ReportModel

    schema = ReportModel.model_json_schema(mode="serialization")
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["$id"] = "https://tip-indicators.org/schema/report.json"
    copied: dict[str, Any] = json.loads(json.dumps(schema))
    return copied
