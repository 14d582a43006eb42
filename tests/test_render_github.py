"""Tests of GitHub Actions annotations: one escaped workflow command per finding."""

from __future__ import annotations

import re

from hypothesis import given
from hypothesis import strategies as st

from tip_indicators._private.safetext import shown
from tip_indicators.findings import Finding, Location, ObservationRef, Severity, Suggestion
from tip_indicators.render.github import annotation, report_github
from tip_indicators.report import Report

# A workflow command: ::name key=value,key=value::message (properties optional).
COMMAND = re.compile(r"^::(?P<name>[a-z]+)(?: (?P<properties>[^:]*))?::(?P<message>.*)$")


def unescape(text: str) -> str:
    """Undo the runner's escaping of messages and property values."""
    return re.sub(
        "%(25|0D|0A|3A|2C)",
        lambda match: {"25": "%", "0D": "\r", "0A": "\n", "3A": ":", "2C": ","}[match.group(1)],
        text,
    )


def parse(line: str) -> tuple[str, dict[str, str], str]:
    """Split a workflow command into its name, properties and message, unescaped."""
    match = COMMAND.match(line)
    assert match is not None, line
    properties: dict[str, str] = {}
    if match.group("properties"):
        for item in match.group("properties").split(","):
            key, _, value = item.partition("=")
            properties[key] = unescape(value)
    return match.group("name"), properties, unescape(match.group("message"))


def ref(path: str, line: int, sex: str, value: str) -> ObservationRef:
    """A cited victims_received figure."""
    return ObservationRef(
        "victims_received", "2010", "NGO.CWCC", {"sex": sex}, "N", value, None, Location(path, line)
    )


def test_error_names_file_line_and_code() -> None:
    """An error finding becomes ::error with the file, line and code as title."""
    finding = Finding(
        "partition-exceeds",
        Severity.ERROR,
        "the sex parts add up to 70, more than the total 50",
        (ref("bad.csv", 2, "_T", "50"), ref("bad.csv", 3, "F", "40")),
        location=Location("bad.csv", 2),
    )
    name, properties, message = parse(annotation(finding))
    assert name == "error"
    assert properties == {"file": "bad.csv", "line": "2", "title": "partition-exceeds"}
    assert message == "the sex parts add up to 70, more than the total 50"


def test_severities_map_to_error_warning_notice() -> None:
    """Warnings become ::warning and infos ::notice."""
    names = [
        parse(annotation(Finding("c", severity, "m", location=Location("a.csv", 1))))[0]
        for severity in (Severity.ERROR, Severity.WARNING, Severity.INFO)
    ]
    assert names == ["error", "warning", "notice"]


def test_location_falls_back_to_first_observation() -> None:
    """A finding without its own location is annotated at its first figure."""
    finding = Finding("bound-exceeded", Severity.ERROR, "m", (ref("x.csv", 7, "F", "9"),))
    _, properties, _ = parse(annotation(finding))
    assert (properties["file"], properties["line"]) == ("x.csv", "7")


def test_finding_without_place_has_only_a_title() -> None:
    """A finding with no location and no figures is annotated on the run, not on a file."""
    line = annotation(Finding("mirror-mismatch", Severity.WARNING, "m"))
    assert line == "::warning title=mirror-mismatch::m"


def test_special_characters_are_escaped() -> None:
    """Percent signs in the message, commas and colons in values are escaped; line breaks in the
    message are shown as \\r and \\n."""
    finding = Finding(
        "unknown-code",
        Severity.ERROR,
        "100% of\r\nrows: bad, really",
        location=Location("C:/data, 2010/a.csv", 3),
    )
    line = annotation(finding)
    assert "\n" not in line
    assert "\r" not in line
    assert line == (
        "::error file=C%3A/data%2C 2010/a.csv,line=3,title=unknown-code"
        "::100%25 of\\r\\nrows: bad, really"
    )


def test_suggestions_follow_the_message() -> None:
    """Each suggestion is a further message line, naming the line or the other file."""
    finding = Finding(
        "partition-exceeds",
        Severity.ERROR,
        "m",
        location=Location("bad.csv", 2),
        suggestions=(
            Suggestion(Location("bad.csv", 2), "70", "one wrong digit"),
            Suggestion(Location("other.csv", 5), "20", "in both rules"),
        ),
    )
    _, _, message = parse(annotation(finding))
    assert message.splitlines() == [
        "m",
        "fix? line 2: 70 (one wrong digit)",
        "fix? other.csv:5: 20 (in both rules)",
    ]


@given(
    message=st.text(min_size=1),
    path=st.text(min_size=1),
    line=st.integers(min_value=1, max_value=10**6),
)
def test_any_text_round_trips(message: str, path: str, line: int) -> None:
    """Any message and path give one runner line that parses back to the path and to the message
    as shown to people (its control characters escaped)."""
    finding = Finding("unknown-code", Severity.ERROR, message, location=Location(path, line))
    rendered = annotation(finding)
    assert "\n" not in rendered
    assert "\r" not in rendered
    name, properties, parsed = parse(rendered)
    assert name == "error"
    assert properties == {"file": path, "line": str(line), "title": "unknown-code"}
    assert parsed == shown(message)


def test_report_has_one_command_per_finding_then_a_summary() -> None:
    """A report renders each finding as a command, in order, and ends with a plain summary."""
    findings = (
        Finding("unknown-code", Severity.ERROR, "a", location=Location("a.csv", 2)),
        Finding("duplicate-identical", Severity.WARNING, "b", location=Location("a.csv", 3)),
    )
    text = report_github(Report(findings, observations=4))
    lines = text.splitlines()
    assert [parse(line)[0] for line in lines[:2]] == ["error", "warning"]
    assert lines[2] == "tip-indicators: 4 observations, 1 error, 1 warning, 0 infos"
    assert len(lines) == 3
