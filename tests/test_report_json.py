"""Tests for tip_indicators.render.json: the JSON report and its published JSON Schema."""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import attrs
import jsonschema
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from strategies import Defect, defects
from tip_indicators.check import check
from tip_indicators.datasets import InputFile
from tip_indicators.findings import (
    SUGGESTION_KINDS,
    Finding,
    Location,
    ObservationRef,
    Severity,
    Suggestion,
)
from tip_indicators.io.longcsv import parse_long_csv, read_long_csv
from tip_indicators.render.json import report_data, report_json, report_schema
from tip_indicators.report import Report

SHA = "0" * 64


def strict_json(text: str) -> Any:
    """Parse JSON, refusing the NaN and Infinity literals that strict JSON does not have."""

    def refuse(literal: str) -> None:
        raise ValueError(f"non-standard JSON literal {literal}")

    return json.loads(text, parse_constant=refuse)


def validate(document: Any) -> None:
    """Validate a report document against the published schema."""
    jsonschema.Draft202012Validator(report_schema()).validate(document)


def test_schema_is_valid_draft_2020_12() -> None:
    """The published schema is itself a valid Draft 2020-12 JSON Schema and says so."""
    schema = report_schema()
    jsonschema.Draft202012Validator.check_schema(schema)
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert {"tool", "inputs", "summary", "findings"} <= set(schema["required"])


def test_schema_is_a_fresh_copy() -> None:
    """Changing a returned schema does not change the next one."""
    schema = report_schema()
    schema["required"].clear()
    assert report_schema()["required"]


def test_report_of_a_file_with_reading_problems_is_valid(fixtures: Path) -> None:
    """The report on the golden invalid file validates and carries the DESIGN fields."""
    path = fixtures / "invalid.csv"
    report = check(read_long_csv(path))
    document = strict_json(report_json(report))
    validate(document)
    assert document["tool"]["name"] == "tip-indicators"
    assert document["inputs"] == [
        {"path": str(path), "sha256": report.inputs[0].sha256, "observations": 2}
    ]
    assert document["summary"] == {
        "observations": 2,
        "rules_evaluated": report.rules_evaluated,
        "errors": report.errors,
        "warnings": report.warnings,
        "infos": report.infos,
        "not_evaluated": report.not_evaluated,
    }
    assert len(document["findings"]) == len(report.findings)
    for finding in document["findings"]:
        assert {"code", "severity", "message", "expected", "actual", "imbalance"} <= set(finding)
        assert {"observations", "suggestions"} <= set(finding)
        for observation in finding["observations"]:
            assert {"indicator", "period", "reporter", "dimensions", "measure"} <= set(observation)
            assert {"value", "source", "location"} <= set(observation)
            assert observation["location"]["path"] == str(path)
            assert observation["location"]["line"] >= 2


def test_findings_keep_their_file_line_and_column(fixtures: Path) -> None:
    """A finding's location gives the file, the 1-based physical line and the column."""
    document = strict_json(report_json(check(read_long_csv(fixtures / "invalid.csv"))))
    sex = next(f for f in document["findings"] if f["code"] == "unknown-code")
    assert sex["location"] == {"path": str(fixtures / "invalid.csv"), "line": 3, "field": "sex"}
    assert sex["observations"][0]["dimensions"] == {"sex": "Female"}  # read trimmed
    assert sex["observations"][0]["value"] == "60"


def test_empty_report_is_valid() -> None:
    """A report with no input and no finding validates."""
    document = strict_json(report_json(Report(findings=())))
    validate(document)
    assert document["findings"] == []
    assert document["summary"]["errors"] == 0


def full_finding() -> Finding:
    """A finding with every optional part filled in."""
    location = Location("a.csv", 7, "value")
    ref = ObservationRef(
        indicator="victims_received",
        period="2010",
        reporter="GOV.MOSVY",
        dimensions={"sex": "_T", "destination": "NGO.AFESIP"},
        measure="N",
        value="<5",
        source='report, p. "3"',
        location=location,
        derived=True,
    )
    return Finding(
        code="partition-exceeds",
        severity=Severity.ERROR,
        message="parts exceed the total",
        observations=(ref,),
        expected=10.0,
        actual="12",
        imbalance=2.0,
        tolerance=0.5,
        suggestions=(Suggestion(location, "3", "the smallest change", ref, 0.9),),
        location=location,
        rule="partition.destination",
    )


def test_full_finding_renders_every_field() -> None:
    """Expected, actual, imbalance, suggestions and derived figures appear as given."""
    report = Report(findings=(full_finding(),), inputs=(InputFile("a.csv", SHA, 1),))
    document = strict_json(report_json(report))
    validate(document)
    (finding,) = document["findings"]
    assert (finding["expected"], finding["actual"], finding["imbalance"]) == (10.0, "12", 2.0)
    assert finding["suggestions"] == [
        {
            "location": {"path": "a.csv", "line": 7, "field": "value"},
            "value": "3",
            "reason": "the smallest change",
            "kind": "derived",
        }
    ]
    (observation,) = finding["observations"]
    assert observation["dimensions"] == {"destination": "NGO.AFESIP"}
    assert observation["derived"] is True
    assert document["summary"]["errors"] == 1


@pytest.mark.parametrize("number", [math.nan, math.inf, -math.inf])
def test_non_finite_numbers_render_as_strict_json(number: float) -> None:
    """NaN and infinite numbers never produce non-standard JSON."""
    finding = Finding("rate-sum", Severity.WARNING, "m", expected=number, imbalance=number)
    document = strict_json(report_json(Report(findings=(finding,))))
    validate(document)


def test_compact_output_is_one_line() -> None:
    """With no indent the report is a single line of JSON."""
    text = report_json(Report(findings=(full_finding(),)), indent=None)
    assert "\n" not in text
    validate(strict_json(text))


def test_schema_rejects_a_malformed_report() -> None:
    """The schema is not vacuous: a report missing its summary or with a bad severity fails."""
    document = strict_json(report_json(Report(findings=(full_finding(),))))
    del document["summary"]
    with pytest.raises(jsonschema.ValidationError):
        validate(document)
    document = strict_json(report_json(Report(findings=(full_finding(),))))
    document["findings"][0]["severity"] = "fatal"
    with pytest.raises(jsonschema.ValidationError):
        validate(document)


texts = st.text(max_size=12)
numbers = st.none() | st.floats(allow_nan=True, allow_infinity=True)
locations = st.builds(Location, texts, st.none() | st.integers(1, 10**6), st.none() | texts)
refs = st.builds(
    ObservationRef,
    indicator=texts,
    period=texts,
    reporter=texts,
    dimensions=st.dictionaries(texts, texts, max_size=3),
    measure=st.sampled_from(["N", "CHG", "PCH", "PCT"]),
    value=texts,
    source=st.none() | texts,
    location=locations,
    derived=st.booleans(),
)
findings = st.builds(
    Finding,
    code=texts,
    severity=st.sampled_from(Severity),
    message=texts,
    observations=st.lists(refs, max_size=3).map(tuple),
    expected=numbers | texts,
    actual=numbers | texts,
    imbalance=numbers,
    tolerance=numbers,
    suggestions=st.lists(st.builds(Suggestion, locations, texts, texts), max_size=2).map(tuple),
    location=st.none() | locations,
    rule=st.none() | texts,
)


@given(
    st.lists(findings, max_size=4),
    st.lists(st.builds(InputFile, texts, st.just(SHA), st.integers(0, 10**6)), max_size=2),
)
def test_any_report_validates_against_the_schema(
    items: list[Finding], inputs: list[InputFile]
) -> None:
    """Every report, whatever its findings, renders as strict JSON valid under the schema."""
    report = Report(findings=tuple(items), inputs=tuple(inputs), observations=len(items))
    document = strict_json(report_json(report))
    validate(document)
    assert [f["code"] for f in document["findings"]] == [f.code for f in items]
    assert document["summary"]["errors"] == sum(f.severity is Severity.ERROR for f in items)


@given(st.lists(findings, min_size=1, max_size=4))
def test_finding_lines_are_what_the_json_encoder_writes(items: list[Finding]) -> None:
    """Each finding's line is exactly ``json.dumps`` of its data, however it is cited: the
    report writes findings without the generic encoder, and must not differ from it by a byte.
    The findings cite some figures twice, as findings of a real run do."""
    shared = [
        attrs.evolve(finding, observations=finding.observations + items[0].observations)
        for finding in items
    ]
    report = Report(findings=tuple(shared))
    lines = report_json(report).split("\n")
    first = lines.index('  "findings": [') + 1
    written = [line.removeprefix("    ").removesuffix(",") for line in lines[first:-2]]
    assert written == [
        json.dumps(finding, ensure_ascii=False, allow_nan=False)
        for finding in report_data(report)["findings"]
    ]


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(defects(equality_only=False))
def test_every_suggestion_names_a_documented_kind(defect: Defect) -> None:
    """Each suggestion's ``kind`` is one of the documented kinds, the one its reason names, and
    the same in the JSON report, in Python and in the findings frame."""
    report = check(parse_long_csv(defect.text(), path="case.csv"))
    data = strict_json(report_json(report))
    written = [s["kind"] for f in data["findings"] for s in f["suggestions"]]
    objects = [s.kind for f in report.findings for s in f.suggestions]
    assert written == objects
    assert set(written) <= set(SUGGESTION_KINDS)
    framed = report.to_polars("suggestions").get_column("suggestion_kind").to_list()
    assert framed == objects
    for finding in report.findings:
        for suggestion in finding.suggestions:
            if suggestion.kind != "derived":
                assert f"({suggestion.kind})" in suggestion.reason
