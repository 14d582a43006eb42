"""Tests on the worked example, the 2010 report of Cambodia's NC/S-STSLS as long CSV.

Checked by hand: the report's two internal inconsistencies are "an increase of ... 103
suspects" beside 249 suspects in 2010 and 103 in 2009 (the change is 146), and "24,736
deportees or equivalent to 21.47% increase" up to 127,053 (24,736 / 102,317 is 24.18%); the
MoSVY referrals leave 459 - 378 = 81 victims retained. Nothing else is wrong.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from tip_indicators import check, read_dataset
from tip_indicators.findings import Finding, Severity
from tip_indicators.render.json import report_json, report_schema
from tip_indicators.report import Report

EXAMPLE = Path(__file__).parents[1] / "examples" / "cambodia-2010" / "report-2010.csv"
CHANGE_LINE, PERCENT_LINE, RETAINED_LINE = 93, 59, 39


@pytest.fixture(scope="module")
def report() -> Report:
    """The worked example, checked with the built-in profile."""
    return check(read_dataset(EXAMPLE))


def at(report: Report, line: int) -> Finding:
    """The one finding located on ``line``."""
    found = [f for f in report.findings if f.location and f.location.line == line]
    assert len(found) == 1, [(f.code, f.location) for f in report.findings]
    return found[0]


def test_example_rows_are_where_the_tests_expect() -> None:
    """The lines the tests name hold the figures checked by hand."""
    lines = EXAMPLE.read_text(encoding="utf-8").splitlines()
    assert lines[CHANGE_LINE - 1].startswith("persons_prosecuted,2010,GOV.MPCFI,")
    assert ",CHG,,103," in lines[CHANGE_LINE - 1]
    assert ",PCH,,21.47," in lines[PERCENT_LINE - 1]
    assert ",RETAINED,,,,,,,,L," in lines[RETAINED_LINE - 1]


def test_exactly_two_errors_and_one_derived_value(report: Report) -> None:
    """The report's two inconsistencies are errors; the unstated remainder is derived."""
    found = [(f.severity, f.code, f.location.line if f.location else None) for f in report.findings]
    assert found == [
        (Severity.INFO, "derived-value", RETAINED_LINE),
        (Severity.ERROR, "percent-change-mismatch", PERCENT_LINE),
        (Severity.ERROR, "change-mismatch", CHANGE_LINE),
    ]
    assert (report.errors, report.warnings, report.infos) == (2, 0, 1)
    assert report.failed()


def test_prosecuted_change_is_fixed_to_146(report: Report) -> None:
    """The change of 103 suspects should be 146: the first suggestion says so, on its line."""
    finding = at(report, CHANGE_LINE)
    assert (finding.expected, finding.actual) == (146, 103)
    first = finding.suggestions[0]
    assert (first.location.line, first.value) == (CHANGE_LINE, "146")
    assert first.location.path == str(EXAMPLE)


def test_deportee_percentage_is_fixed_to_24_18(report: Report) -> None:
    """21.47% should be 24.18% (24,736 on a base of 102,317): first suggestion, on its line."""
    finding = at(report, PERCENT_LINE)
    assert finding.expected == pytest.approx(24.18)
    assert finding.actual == pytest.approx(21.47)
    assert "24,736 / 102,317" in finding.message
    first = finding.suggestions[0]
    assert (first.location.line, first.value) == (PERCENT_LINE, "24.18")


def test_retained_victims_are_derived(report: Report) -> None:
    """459 received less 378 referred leaves 81 retained, derived and marked so."""
    finding = at(report, RETAINED_LINE)
    assert finding.expected == 81
    assert report.derived is not None
    rows = report.derived.select("destination", "value", "low", "high", "derived", "line").rows()
    assert rows == [("RETAINED", "81", 81.0, 81.0, True, RETAINED_LINE)]


def test_findings_come_in_the_same_order_on_two_runs(report: Report) -> None:
    """Checking the example again gives equal findings, suggestions included, in equal order."""
    again = check(read_dataset(EXAMPLE))
    assert again.findings == report.findings
    assert [f.suggestions for f in again.findings] == [f.suggestions for f in report.findings]
    assert again.rules_evaluated == report.rules_evaluated
    assert again.not_evaluated == report.not_evaluated


def test_json_report_validates_against_its_schema(report: Report) -> None:
    """The JSON report is valid under the published schema (draft 2020-12)."""
    schema = report_schema()
    jsonschema.Draft202012Validator.check_schema(schema)
    document: dict[str, Any] = json.loads(report_json(report))
    jsonschema.Draft202012Validator(schema).validate(document)
    assert document["summary"]["errors"] == 2
    assert document["summary"]["infos"] == 1
    assert document["inputs"][0]["path"] == str(EXAMPLE)


def test_json_report_carries_suggestions(report: Report) -> None:
    """Each JSON finding lists its suggestions with location (path, line), value and reason."""
    document: dict[str, Any] = json.loads(report_json(report))
    by_line = {f["location"]["line"]: f for f in document["findings"]}
    first = by_line[CHANGE_LINE]["suggestions"][0]
    assert first["location"]["path"] == str(EXAMPLE)
    assert first["location"]["line"] == CHANGE_LINE
    assert first["value"] == "146"
    assert first["reason"]
    assert by_line[PERCENT_LINE]["suggestions"][0]["value"] == "24.18"
    cited = [o["location"]["line"] for o in by_line[CHANGE_LINE]["observations"]]
    assert CHANGE_LINE in cited
