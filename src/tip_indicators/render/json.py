"""The JSON report (DESIGN section 4) and its JSON Schema."""

from __future__ import annotations

import json
from typing import Any

from tip_indicators._private.report_model import (
    FindingModel,
    InputModel,
    LocationModel,
    ObservationModel,
    ReportModel,
    SuggestionModel,
    SummaryModel,
    ToolModel,
)
from tip_indicators.findings import Finding, Location, ObservationRef
from tip_indicators.report import Report

__all__ = ["report_json", "report_model", "report_schema"]


def _location(location: Location) -> LocationModel:
    return LocationModel(path=location.path, line=location.line, field=location.field)


def _observation(ref: ObservationRef) -> ObservationModel:
    return ObservationModel(
        indicator=ref.indicator,
        period=ref.period,
        reporter=ref.reporter,
        dimensions={key: code for key, code in ref.dimensions.items() if code != "_T"},
        measure=ref.measure,
        value=ref.value,
        source=ref.source,
        location=_location(ref.location),
        derived=ref.derived,
    )


def _finding(finding: Finding) -> FindingModel:
    return FindingModel(
        code=finding.code,
        severity=finding.severity.value,
        message=finding.message,
        rule=finding.rule,
        location=_location(finding.location) if finding.location else None,
        expected=finding.expected,
        actual=finding.actual,
        imbalance=finding.imbalance,
        tolerance=finding.tolerance,
        observations=[_observation(ref) for ref in finding.observations],
        suggestions=[
            SuggestionModel(location=_location(s.location), value=s.value, reason=s.reason)
            for s in finding.suggestions
        ],
    )


def report_model(report: Report) -> ReportModel:
    """The report as its pydantic wire model."""
    return ReportModel(
        tool=ToolModel(name="tip-indicators", version=report.tool_version),
        profile=report.profile,
        created=report.created,
        inputs=[
            InputModel(path=i.path, sha256=i.sha256, observations=i.observations)
            for i in report.inputs
        ],
        summary=SummaryModel(
            observations=report.observations,
            rules_evaluated=report.rules_evaluated,
            errors=report.errors,
            warnings=report.warnings,
            infos=report.infos,
            not_evaluated=report.not_evaluated,
        ),
        findings=[_finding(f) for f in report.findings],
    )


def report_json(report: Report, *, indent: int | None = 2) -> str:
    """The report as one JSON object."""
    return report_model(report).model_dump_json(indent=indent)


def report_schema() -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) of :func:`report_json`'s output."""
    schema = ReportModel.model_json_schema()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["$id"] = "https://tip-indicators.org/schema/report.json"
    copied: dict[str, Any] = json.loads(json.dumps(schema))
    return copied
