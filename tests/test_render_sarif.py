"""Tests of SARIF 2.1.0 output, validated against the official OASIS schema."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from tip_indicators.check import check
from tip_indicators.datasets import Dataset, InputFile
from tip_indicators.findings import (
    Finding,
    Location,
    ObservationRef,
    Severity,
    Suggestion,
    finding_codes,
)
from tip_indicators.io.readers import read_dataset
from tip_indicators.render.sarif import help_uri, report_sarif, sarif_log
from tip_indicators.report import Report

DATA = Path(__file__).parent / "data"
FIXTURES = Path(__file__).parent / "fixtures"


@pytest.fixture(scope="module")
def validator() -> Any:
    """A validator for the SARIF 2.1.0 schema (draft-04, as published by OASIS)."""
    schema = json.loads((DATA / "sarif-2.1.0-schema.json").read_text(encoding="utf-8"))
    jsonschema.Draft4Validator.check_schema(schema)
    return jsonschema.Draft4Validator(schema)


def ref(path: str, line: int, sex: str, value: str) -> ObservationRef:
    """A cited victims_received figure."""
    return ObservationRef(
        "victims_received", "2010", "NGO.CWCC", {"sex": sex}, "N", value, None, Location(path, line)
    )


def exceeds() -> Finding:
    """A partition finding over three figures with two suggested fixes."""
    return Finding(
        "partition-exceeds",
        Severity.ERROR,
        "the sex parts of _T add up to 70 (F 40 + M 30), more than the total 50 by 20",
        (
            ref("sub/bad.csv", 2, "_T", "50"),
            ref("sub/bad.csv", 3, "F", "40"),
            ref("sub/bad.csv", 4, "M", "30"),
        ),
        expected=50.0,
        actual=70.0,
        imbalance=20.0,
        tolerance=0.0,
        suggestions=(
            Suggestion(Location("sub/bad.csv", 2), "70", "one wrong digit (50 for 70)"),
            Suggestion(Location("sub/bad.csv", 3), "20", "one wrong digit (40 for 20)"),
        ),
        location=Location("sub/bad.csv", 2),
        rule="partition.sex",
    )


def test_checked_datasets_give_valid_sarif(validator: Any) -> None:
    """Reading problems and rule findings of real inputs render as schema-valid SARIF."""
    dataset = Dataset.combine(
        [
            read_dataset(DATA / "submissions" / "bad" / "cwcc-2010.csv"),
            read_dataset(FIXTURES / "invalid.csv"),
        ]
    )
    report = check(dataset)
    log = json.loads(report_sarif(report))
    errors = sorted(validator.iter_errors(log), key=lambda error: list(error.path))
    assert not errors, [f"{list(error.path)}: {error.message}" for error in errors]
    results = log["runs"][0]["results"]
    assert len(results) == len(report.findings)
    assert {result["ruleId"] for result in results} >= {"partition-exceeds", "unknown-code"}


def test_run_describes_the_tool_and_every_code(validator: Any) -> None:
    """The driver is tip-indicators with its version and one rule per documented finding code."""
    log = sarif_log(Report((), tool_version="9.9.9"))
    assert not list(validator.iter_errors(log))
    assert log["version"] == "2.1.0"
    (run,) = log["runs"]
    driver = run["tool"]["driver"]
    assert (driver["name"], driver["version"]) == ("tip-indicators", "9.9.9")
    codes = finding_codes()
    assert [rule["id"] for rule in driver["rules"]] == list(codes)
    for rule in driver["rules"]:
        assert rule["shortDescription"]["text"] == codes[rule["id"]].title
        assert rule["helpUri"] == f"https://tip-indicators.org/reference/findings/#{rule['id']}"
    assert run["results"] == []


def test_result_points_at_the_figure_and_cites_the_others(validator: Any) -> None:
    """A result has rule, level, message, the primary file and line, and related locations."""
    log = sarif_log(Report((exceeds(),)))
    assert not list(validator.iter_errors(log))
    run = log["runs"][0]
    (result,) = run["results"]
    assert result["ruleId"] == "partition-exceeds"
    assert run["tool"]["driver"]["rules"][result["ruleIndex"]]["id"] == "partition-exceeds"
    assert result["level"] == "error"
    assert result["message"]["text"].startswith("the sex parts of _T add up to 70")
    (primary,) = result["locations"]
    assert primary["physicalLocation"] == {
        "artifactLocation": {"uri": "sub/bad.csv"},
        "region": {"startLine": 2},
    }
    related = result["relatedLocations"]
    assert [item["physicalLocation"]["region"]["startLine"] for item in related] == [3, 4]
    assert related[0]["message"]["text"] == "victims_received[sex=F] 2010 NGO.CWCC = 40"
    assert len({item["id"] for item in related}) == len(related)


def test_suggestions_and_figures_are_properties() -> None:
    """Suggested fixes (location, value, reason) and the arithmetic are result properties."""
    (result,) = sarif_log(Report((exceeds(),)))["runs"][0]["results"]
    properties = result["properties"]
    assert properties["suggestions"] == [
        {
            "location": {"path": "sub/bad.csv", "line": 2},
            "value": "70",
            "reason": "one wrong digit (50 for 70)",
        },
        {
            "location": {"path": "sub/bad.csv", "line": 3},
            "value": "20",
            "reason": "one wrong digit (40 for 20)",
        },
    ]
    assert (properties["expected"], properties["actual"], properties["imbalance"]) == (50, 70, 20)
    assert properties["rule"] == "partition.sex"


def test_levels_follow_severity() -> None:
    """Errors, warnings and infos become SARIF error, warning and note."""
    findings = tuple(
        Finding("duplicate-identical", severity, "m", location=Location("a.csv", 1))
        for severity in (Severity.ERROR, Severity.WARNING, Severity.INFO)
    )
    results = sarif_log(Report(findings))["runs"][0]["results"]
    assert [result["level"] for result in results] == ["error", "warning", "note"]


def test_paths_become_uri_references(validator: Any, tmp_path: Path) -> None:
    """Relative paths stay relative and percent-encoded; absolute paths become file URIs."""
    absolute = tmp_path / "my data.csv"
    findings = (
        Finding("unknown-code", Severity.ERROR, "m", location=Location("in 2010/a#1.csv", 4)),
        Finding("unknown-code", Severity.ERROR, "m", location=Location(str(absolute), 5)),
    )
    log = sarif_log(Report(findings))
    assert not list(validator.iter_errors(log))
    uris = [
        result["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
        for result in log["runs"][0]["results"]
    ]
    assert uris == ["in%202010/a%231.csv", absolute.as_uri()]
    assert uris[1].startswith("file:///")


def test_inputs_are_artifacts_with_hashes(validator: Any) -> None:
    """Each input is an artifact once, with its SHA-256."""
    digest = "ab" * 32
    inputs = (InputFile("a.csv", digest, 3), InputFile("a.csv", digest, 3))
    log = sarif_log(Report((), inputs=inputs))
    assert not list(validator.iter_errors(log))
    assert log["runs"][0]["artifacts"] == [
        {"location": {"uri": "a.csv"}, "hashes": {"sha-256": digest}, "roles": ["analysisTarget"]}
    ]


def test_non_finite_numbers_stay_valid_json() -> None:
    """An unbounded imbalance is written as text, so the document is strict JSON."""
    finding = Finding(
        "partition-shortfall",
        Severity.WARNING,
        "m",
        location=Location("a.csv", 2),
        imbalance=float("inf"),
    )
    text = report_sarif(Report((finding,)))
    log = json.loads(text, parse_constant=lambda name: pytest.fail(f"non-JSON constant {name}"))
    assert log["runs"][0]["results"][0]["properties"]["imbalance"] == "inf"


def test_finding_without_location_has_no_locations(validator: Any) -> None:
    """A finding with no file is a result without locations, still valid."""
    log = sarif_log(Report((Finding("mirror-mismatch", Severity.ERROR, "m"),)))
    assert not list(validator.iter_errors(log))
    assert "locations" not in log["runs"][0]["results"][0]


def test_unlisted_code_gets_a_rule(validator: Any) -> None:
    """A code missing from the catalogue of codes still gets a rule its result can point at."""
    log = sarif_log(Report((Finding("custom-check", Severity.ERROR, "m"),)))
    assert not list(validator.iter_errors(log))
    run = log["runs"][0]
    (result,) = run["results"]
    assert run["tool"]["driver"]["rules"][result["ruleIndex"]]["id"] == "custom-check"


def test_help_uri_anchors_the_code() -> None:
    """The help page of a code is its anchor on the findings reference page."""
    assert help_uri("bound-exceeded") == (
        "https://tip-indicators.org/reference/findings/#bound-exceeded"
    )


def test_schema_rejects_what_sarif_forbids(validator: Any) -> None:
    """The shipped schema rejects an unknown level and a line before 1."""
    log = sarif_log(Report((exceeds(),)))
    result = log["runs"][0]["results"][0]
    result["level"] = "fatal"
    result["locations"][0]["physicalLocation"]["region"]["startLine"] = 0
    messages = [error.message for error in validator.iter_errors(log)]
    assert any("'fatal'" in message for message in messages)
    assert any("less than the minimum of 1" in message for message in messages)
