"""Tests of JUnit XML output: suites per input file, a test case per rule and failed group."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

import polars as pl

from tip_indicators.check import check
from tip_indicators.datasets import Dataset, InputFile
from tip_indicators.findings import Finding, Location, ObservationRef, Severity, Suggestion
from tip_indicators.io.readers import read_dataset
from tip_indicators.render.junit import report_junit
from tip_indicators.report import EVALUATION_SCHEMA, Report

DATA = Path(__file__).parent / "data"
DIGEST = "0" * 64


def evaluations(*rows: tuple[str, str, str, str | None, str | None, int | None]) -> pl.DataFrame:
    """An evaluations frame: rule, group, outcome, reason, path, line."""
    return pl.DataFrame(rows, schema=EVALUATION_SCHEMA, orient="row")


def ref(path: str, line: int, sex: str, value: str) -> ObservationRef:
    """A cited victims_received figure."""
    return ObservationRef(
        "victims_received", "2010", "NGO.CWCC", {"sex": sex}, "N", value, None, Location(path, line)
    )


def parse(report: Report, fail_on: Severity = Severity.ERROR) -> ET.Element:
    """Render ``report`` and parse it back with the standard library's XML parser."""
    text = report_junit(report, fail_on=fail_on)
    assert text.startswith('<?xml version="1.0" encoding="UTF-8"?>\n')
    return ET.fromstring(text.encode("utf-8"))


def suite(root: ET.Element, name: str) -> ET.Element:
    """The test suite called ``name``."""
    (found,) = [element for element in root.iter("testsuite") if element.get("name") == name]
    return found


def counts(element: ET.Element) -> tuple[int, int, int, int]:
    """The tests, failures, errors and skipped attributes."""
    return (
        int(element.get("tests", "-1")),
        int(element.get("failures", "-1")),
        int(element.get("errors", "-1")),
        int(element.get("skipped", "-1")),
    )


def exceeds(path: str) -> Finding:
    """The finding of a failed sex partition whose total is on line 2 of ``path``."""
    return Finding(
        "partition-exceeds",
        Severity.ERROR,
        "the sex parts of _T add up to 70 (F 40 + M 30), more than the total 50 by 20",
        (ref(path, 2, "_T", "50"), ref(path, 3, "F", "40"), ref(path, 4, "M", "30")),
        suggestions=(Suggestion(Location(path, 2), "70", "one wrong digit (50 for 70)"),),
        location=Location(path, 2),
        rule="partition.sex",
    )


def test_checked_folder_gives_one_suite_per_file() -> None:
    """A good and a bad submission give a passing and a failing suite, each with its case."""
    good = str(DATA / "submissions" / "good" / "afesip-2010.yaml")
    bad = str(DATA / "submissions" / "bad" / "cwcc-2010.csv")
    report = check(Dataset.combine([read_dataset(good), read_dataset(bad)]))
    root = parse(report)
    assert [element.get("name") for element in root.iter("testsuite")] == [good, bad]
    assert counts(suite(root, good)) == (1, 0, 0, 0)
    assert counts(suite(root, bad)) == (1, 1, 0, 0)
    assert counts(root) == (2, 1, 0, 0)
    (case,) = suite(root, bad).iter("testcase")
    assert case.get("classname") == "partition.sex"
    assert (case.get("file"), case.get("line")) == (bad, "2")
    failure = case.find("failure")
    assert failure is not None
    assert failure.get("type") == "partition-exceeds"
    assert "more than the total 50 by 20" in (failure.get("message") or "")
    assert f"{bad}:3" in (failure.text or "")


def test_failed_evaluation_carries_its_finding() -> None:
    """A failed rule's case fails with the finding's message, code, locations and fixes."""
    report = Report(
        (exceeds("bad.csv"),),
        inputs=(InputFile("bad.csv", DIGEST, 3),),
        evaluations=evaluations(
            (
                "partition.sex",
                "victims_received 2010 NGO.CWCC: sex _T",
                "fail",
                "partition-exceeds",
                "bad.csv",
                2,
            ),
        ),
    )
    root = parse(report)
    (case,) = root.iter("testcase")
    assert case.get("name") == "victims_received 2010 NGO.CWCC: sex _T"
    failure = case.find("failure")
    assert failure is not None
    assert failure.get("message") == exceeds("bad.csv").message
    details = (failure.text or "").splitlines()
    assert details[0] == f"error [partition-exceeds] {exceeds('bad.csv').message}"
    assert "  bad.csv:4: victims_received[sex=M] 2010 NGO.CWCC = 30" in details
    assert "  fix? bad.csv:2: 70 (one wrong digit (50 for 70))" in details


def test_not_evaluated_is_skipped_with_the_reason() -> None:
    """A rule that could not be evaluated is a skipped case whose message is the reason."""
    report = Report(
        (),
        inputs=(InputFile("a.csv", DIGEST, 2),),
        evaluations=evaluations(
            (
                "change",
                "victims_received 2010 CHG",
                "not_evaluated",
                "the level in 2009 is not stated",
                "a.csv",
                5,
            ),
            ("partition.sex", "victims_received 2010: sex _T", "pass", None, "a.csv", 2),
        ),
    )
    root = parse(report)
    assert counts(suite(root, "a.csv")) == (2, 0, 0, 1)
    cases = list(root.iter("testcase"))
    assert [(case.get("classname"), case.get("name")) for case in cases] == [
        ("change", "1 group not evaluated"),
        ("partition.sex", "1 group checked"),
    ]
    skipped = cases[0].find("skipped")
    assert skipped is not None
    assert skipped.get("message") == "the level in 2009 is not stated"
    assert list(cases[1]) == []


def test_passing_groups_are_one_case_per_rule_and_failed_groups_one_each() -> None:
    """Thousands of passing evaluations make one case per rule and file, not one each."""
    passing = [
        ("partition.sex", f"victims_received {year}: sex _T", "pass", None, "a.csv", year)
        for year in range(2, 3002)
    ]
    failing = [
        ("partition.sex", f"victims_received {n}", "fail", None, "a.csv", 4000 + n)
        for n in range(3)
    ]
    mirrored = [("mirror", f"pair {n}", "pass", None, "a.csv", 5000 + n) for n in range(7)]
    report = Report(
        (),
        inputs=(InputFile("a.csv", DIGEST, 3000),),
        evaluations=evaluations(*passing, *failing, *mirrored),
    )
    cases = list(parse(report).iter("testcase"))
    names = sorted((case.get("classname"), case.get("name")) for case in cases)
    assert names == sorted(
        [
            ("mirror", "7 groups checked"),
            ("partition.sex", "3000 groups checked"),
            *(("partition.sex", f"victims_received {n}") for n in range(3)),
        ]
    )
    assert counts(parse(report)) == (5, 3, 0, 0)


def test_reading_findings_are_cases_of_their_file() -> None:
    """Each finding no evaluation accounts for is a case in the suite of its file."""
    findings = (
        Finding(
            "unknown-code",
            Severity.ERROR,
            "sex: unknown code 'Female '",
            location=Location("b.csv", 3, "sex"),
        ),
        Finding(
            "duplicate-identical",
            Severity.WARNING,
            "given twice",
            (ref("b.csv", 4, "F", "1"), ref("b.csv", 5, "F", "1")),
        ),
    )
    report = Report(findings, inputs=(InputFile("a.csv", DIGEST, 1), InputFile("b.csv", DIGEST, 2)))
    root = parse(report)
    assert counts(suite(root, "a.csv")) == (0, 0, 0, 0)
    assert counts(suite(root, "b.csv")) == (2, 1, 0, 0)
    first, second = suite(root, "b.csv").iter("testcase")
    assert (first.get("classname"), first.get("name")) == ("read", "line 3: unknown-code (sex)")
    assert first.find("failure") is not None
    # A finding below the failure threshold is listed in its rule's passing case.
    assert (second.get("classname"), second.get("name")) == ("read", "1 finding below error")
    out = second.find("system-out")
    assert out is not None
    assert (out.text or "").startswith("warning [duplicate-identical] given twice")


def test_findings_below_the_threshold_are_one_case_per_rule() -> None:
    """Many warnings of one rule are one passing case listing each of them."""
    findings = tuple(
        Finding(
            "partition-shortfall",
            Severity.WARNING,
            f"short {n}",
            location=Location("a.csv", n),
            rule="partition.sex",
        )
        for n in range(2, 502)
    )
    root = parse(Report(findings, inputs=(InputFile("a.csv", DIGEST, 500),)))
    (case,) = root.iter("testcase")
    assert case.get("name") == "500 findings below error"
    out = case.find("system-out")
    assert out is not None
    assert [line for line in (out.text or "").splitlines() if line.startswith("warning")] == [
        f"warning [partition-shortfall] short {n}" for n in range(2, 502)
    ]
    failing = parse(Report(findings, inputs=(InputFile("a.csv", DIGEST, 500),)), Severity.WARNING)
    assert counts(failing) == (500, 500, 0, 0)


def test_fail_on_decides_which_findings_fail() -> None:
    """With --fail-on warning a warning's case fails; by default it passes with its message."""
    finding = Finding(
        "partition-shortfall", Severity.WARNING, "20 short", location=Location("a.csv", 2)
    )
    report = Report((finding,), inputs=(InputFile("a.csv", DIGEST, 3),))
    assert counts(parse(report)) == (1, 0, 0, 0)
    assert counts(parse(report, Severity.WARNING)) == (1, 1, 0, 0)
    assert counts(parse(report, Severity.INFO)) == (1, 1, 0, 0)


def test_evaluations_without_a_file_go_to_the_profile_suite() -> None:
    """Evaluations that name no file form a suite named after the profile, listed last."""
    report = Report(
        (),
        inputs=(InputFile("a.csv", DIGEST, 1),),
        profile="builtin@1",
        evaluations=evaluations(("mirror", "GOV.X -> NGO.Y 2010", "pass", None, None, None)),
    )
    root = parse(report)
    assert [element.get("name") for element in root.iter("testsuite")] == ["a.csv", "builtin@1"]
    assert counts(suite(root, "builtin@1")) == (1, 0, 0, 0)


def test_failed_evaluation_without_finding_still_fails() -> None:
    """A failed evaluation with no matching finding fails with the rule and reason."""
    report = Report(
        (),
        inputs=(InputFile("a.csv", DIGEST, 1),),
        evaluations=evaluations(("share.sex", "g", "fail", None, "a.csv", 2)),
    )
    failure = parse(report).find("testsuite/testcase/failure")
    assert failure is not None
    assert failure.get("message") == "share.sex failed"


def test_findings_pair_with_evaluations_at_their_figure() -> None:
    """Two failures of one rule each get the finding located at their own figure."""
    near, far = (
        exceeds("a.csv"),
        Finding(
            "partition-exceeds",
            Severity.ERROR,
            "second total",
            location=Location("a.csv", 9),
            rule="partition.sex",
        ),
    )
    report = Report(
        (near, far),
        inputs=(InputFile("a.csv", DIGEST, 6),),
        evaluations=evaluations(
            ("partition.sex", "later", "fail", "partition-exceeds", "a.csv", 9),
            ("partition.sex", "earlier", "fail", "partition-exceeds", "a.csv", 2),
        ),
    )
    cases = {case.get("name"): case for case in parse(report).iter("testcase")}
    assert len(cases) == 2
    later, earlier = cases["later"].find("failure"), cases["earlier"].find("failure")
    assert later is not None
    assert earlier is not None
    assert later.get("message") == "second total"
    assert earlier.get("message") == near.message


def test_control_characters_do_not_break_the_xml() -> None:
    """Characters XML cannot hold are written as escapes, so the file still parses."""
    finding = Finding(
        "unknown-code", Severity.ERROR, "code 'a\x01b\x1b'", location=Location("a.csv", 2)
    )
    root = parse(Report((finding,), inputs=(InputFile("a.csv", DIGEST, 1),)))
    failure = root.find("testsuite/testcase/failure")
    assert failure is not None
    assert failure.get("message") == "code 'a\\x01b\\x1b'"


def test_suites_record_input_facts() -> None:
    """Each file's suite carries the tool, profile, hash and observation count as properties."""
    report = Report((), inputs=(InputFile("a.csv", DIGEST, 7),), profile="p", tool_version="1.2")
    properties = {
        element.get("name"): element.get("value")
        for element in suite(parse(report), "a.csv").iter("property")
    }
    assert properties == {
        "tool": "tip-indicators 1.2",
        "profile": "p",
        "sha256": DIGEST,
        "observations": "7",
    }
