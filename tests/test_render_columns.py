"""The column-wise renderers write exactly what the renderers over finding objects wrote.

The object-based renderers are kept here, and only here, as the oracle: for hand-built findings
with hostile text, for checked datasets with defects and for the bundled examples, the text and
SARIF reports written from the findings table are the same, byte for byte, as the ones the
oracle writes from the finding objects.
"""

from __future__ import annotations

import json
import math
import re
from itertools import groupby
from pathlib import Path
from typing import Any

import attrs
import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from finding_strategies import TIE, findings, report_of
from strategies import Defect, check_text, consistent_cases, defects
from support import RENDERED_EXAMPLES
from tip_indicators._private.safetext import shown, shown_column
from tip_indicators.check import check
from tip_indicators.findings import (
    Finding,
    Location,
    ObservationRef,
    Severity,
    Suggestion,
)
from tip_indicators.io.readers import read_dataset
from tip_indicators.render import sarif
from tip_indicators.render.github import _cell, _location, annotation, report_github, step_summary
from tip_indicators.render.sarif import report_sarif
from tip_indicators.render.text import COUNTS_FROM, _count, _counts, report_text
from tip_indicators.report import Report

ROOT = Path(__file__).resolve().parent.parent

# ---------------------------------------------------------------- the oracle: text over objects

_COLOURS = {Severity.ERROR: "\033[31m", Severity.WARNING: "\033[33m", Severity.INFO: "\033[36m"}
_TIED = re.compile(r"; (one of \d+ equally likely [^;()]*)$")


def _oracle_where(finding: Finding) -> str:
    location = finding.location or (
        finding.observations[0].location if finding.observations else None
    )
    if location is not None and location.row is not None:
        return f"row {location.row}"
    if location is None or location.line is None:
        return ""
    if location.field and "!" in location.field:
        return f"line {location.line}: {shown(location.field)}"
    return f"line {location.line}"


def _oracle_place(where: Location, path: str) -> str:
    if where.row is not None:
        return str(Location(where.path, row=where.row))
    cell = f" {shown(where.field)}" if where.field and "!" in where.field else ""
    if where.path == path and where.line is not None:
        return f"line {where.line}{cell}"
    return str(Location(where.path, where.line)) + cell


def _oracle_fixes(finding: Finding, path: str) -> list[str]:
    tied = [s for s in finding.suggestions if _TIED.search(s.reason)]
    lines: list[str] = []
    if len(tied) >= 3:
        match = _TIED.search(tied[0].reason)
        assert match is not None
        listed = ", ".join(
            f"{shown(_oracle_place(s.location, path))} to {shown(s.value)}" for s in tied
        )
        lines.append(f"      fix? {match.group(1)}: {listed}")
    for suggestion in finding.suggestions:
        if len(tied) >= 3 and suggestion in tied:
            continue
        place = _oracle_place(suggestion.location, path)
        lines.append(
            f"      fix? {shown(place)}: {shown(suggestion.value)} ({shown(suggestion.reason)})"
        )
    return lines


def oracle_findings_text(report: Report, *, colour: bool = False) -> list[str]:
    """The findings part of the text report as the renderer over finding objects wrote it."""
    lines: list[str] = []
    for path, in_file in groupby(report.findings, key=lambda f: f.sort_key[0]):
        lines.append(shown(path) if path else "(no file)")
        for finding in sorted(in_file, key=lambda f: (f.severity.rank, f.sort_key)):
            label = finding.severity.value
            if colour:
                label = f"{_COLOURS[finding.severity]}{label}\033[0m"
            where = _oracle_where(finding)
            lines.append(
                f"  {label}: {where + ': ' if where else ''}{shown(finding.message)} "
                f"[{finding.code}]"
            )
            lines += _oracle_fixes(finding, path)
    return lines


def oracle_text(report: Report, *, colour: bool = False) -> str:
    """The whole text report as the renderer over finding objects wrote it (its counts and
    summary, which were column-wise already, are written by the renderer's own helpers)."""
    lines = oracle_findings_text(report, colour=colour)
    if len(report.table) > COUNTS_FROM:
        lines += _counts(report)
    if report.omitted:
        lines.append(f"checks left out (rules were chosen): {', '.join(report.omitted)}")
    lines.append(
        f"{_count(report.observations, 'observation')}, "
        f"{_count(report.rules_evaluated, 'rule')} evaluated, "
        f"{report.not_evaluated} not evaluated: {_count(report.errors, 'error')}, "
        f"{_count(report.warnings, 'warning')}, {_count(report.infos, 'info')}"
    )
    return "\n".join(lines) + "\n"


# ---------------------------------------------------------------- the oracle: SARIF over objects


def _oracle_physical(location: Location) -> dict[str, Any]:
    physical: dict[str, Any] = {"artifactLocation": {"uri": sarif._uri(location.path)}}
    if location.line is not None and location.line >= 1:
        physical["region"] = {"startLine": location.line}
    return physical


def _oracle_number(value: float | str | None) -> float | str | None:
    if isinstance(value, float) and not math.isfinite(value):
        return str(value)
    return value


def _oracle_result(finding: Finding, rule_index: int) -> dict[str, Any]:
    levels = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "note"}
    result: dict[str, Any] = {
        "ruleId": finding.code,
        "ruleIndex": rule_index,
        "level": levels[finding.severity],
        "message": {"text": finding.message},
    }
    primary = finding.location or (
        finding.observations[0].location if finding.observations else None
    )
    if primary is not None and primary.path:
        result["locations"] = [{"physicalLocation": _oracle_physical(primary)}]
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
                "physicalLocation": _oracle_physical(ref.location),
                "message": {"text": f"{ref.label()} = {ref.value or '(empty)'}"},
            }
        )
    if related:
        result["relatedLocations"] = related
    properties: dict[str, Any] = {
        key: _oracle_number(value)
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


def oracle_sarif(report: Report, *, indent: int | None = 2) -> str:
    """The SARIF log as the renderer over finding objects wrote it, a name that is not UTF-8
    written with its ``\\u`` escape (as the command line always wrote it to a file)."""
    log = json.loads(report_sarif(report, indent=None))  # the log around the results
    rules = log["runs"][0]["tool"]["driver"]["rules"]
    index = {rule["id"]: number for number, rule in enumerate(rules)}
    log["runs"][0]["results"] = [_oracle_result(f, index[f.code]) for f in report.findings]
    text = json.dumps(log, indent=indent, ensure_ascii=False, allow_nan=False)
    return text.encode("utf-8", "backslashreplace").decode("utf-8")


# ---------------------------------------------------------------- the oracle: GitHub over objects


def oracle_github(report: Report, *, limit: int) -> str:
    """The annotations as the renderer over every finding object wrote them."""
    ranked = sorted(report.findings, key=lambda finding: finding.severity.rank)
    lines = [annotation(finding) for finding in ranked[:limit]]
    if len(ranked) > limit:
        lines.append(
            f"::notice title=tip-indicators::{len(ranked) - limit} more findings are not "
            "annotated: see the step summary or the full report"
        )
    return "\n".join(lines)


def oracle_summary_rows(report: Report) -> list[str]:
    """The step summary's rows of the first findings, from every finding object."""
    return [
        f"| {f.severity.value} | {f.code} | {_cell(str(_location(f) or ''))} | {_cell(f.message)} |"
        for f in report.findings[:20]
    ]


@given(st.lists(findings(), max_size=14), st.booleans(), st.booleans(), st.booleans())
@settings(max_examples=300, deadline=None)
def test_text_of_hand_built_findings_is_the_oracles(
    made: list[Finding], frame: bool, fresh: bool, colour: bool
) -> None:
    """Findings of any text, place and fixes are written as the object renderer wrote them."""
    report = report_of(made, frame=frame, fresh=fresh)
    assert report_text(report, colour=colour) == oracle_text(report, colour=colour)


@given(st.lists(findings(), max_size=10), st.booleans(), st.booleans())
@settings(max_examples=200, deadline=None)
def test_sarif_of_hand_built_findings_is_the_oracles(
    made: list[Finding], frame: bool, fresh: bool
) -> None:
    """Findings of any text, place, figures and fixes are written as the object renderer wrote
    them, at every indent."""
    report = report_of(made, frame=frame, fresh=fresh)
    for indent in (2, None, 0, 4):
        assert report_sarif(report, indent=indent) == oracle_sarif(report, indent=indent)


@given(st.lists(findings(), max_size=10), st.booleans(), st.integers(-2, 12))
@settings(max_examples=100, deadline=None)
def test_github_of_hand_built_findings_is_the_oracles(
    made: list[Finding], frame: bool, limit: int
) -> None:
    """The annotations and the step summary show the findings the object renderer showed."""
    report = report_of(made, frame=frame, fresh=True)
    assert report_github(report, limit=limit).startswith(oracle_github(report, limit=limit))
    summary = step_summary(report).splitlines()
    rows = oracle_summary_rows(report)
    if rows:
        start = summary.index("| --- | --- | --- | --- |") + 1
        assert summary[start : start + len(rows)] == rows


def _as_text(finding: Finding) -> str:
    return json.dumps(attrs.asdict(finding), default=str, sort_keys=True)


@given(st.lists(findings(), max_size=8), st.data())
@settings(max_examples=100, deadline=None)
def test_taken_findings_are_the_same_objects(made: list[Finding], data: st.DataObject) -> None:
    """Findings taken from a table, in any order, are the findings at those places, with only
    the figures they need."""
    table = report_of(made, frame=False, fresh=True).table
    positions = data.draw(st.lists(st.integers(0, max(len(made) - 1, 0)), max_size=len(made)))
    if not made:
        positions = []
    taken = table.taken(pl.Series(positions, dtype=pl.Int64))
    every = table.findings()
    # compared as JSON text: a NaN number is the same NaN, though NaN != NaN
    assert [_as_text(f) for f in taken.findings()] == [_as_text(every[i]) for i in positions]
    assert taken.figures.height <= table.figures.height


def test_three_equally_likely_fixes_fold_into_one_line() -> None:
    """Three equally likely fixes are one ``fix?`` line, as the oracle writes them."""
    cited = tuple(
        ObservationRef(
            "victims_received", "2010", "GOV.A", {}, "N", "5", None, Location("a.csv", n)
        )
        for n in (2, 3, 4)
    )
    fixes = tuple(Suggestion(ref.location, "6", "derived" + TIE.format(3), ref) for ref in cited)
    made = [Finding("partition-exceeds", Severity.ERROR, "m", cited, suggestions=fixes)]
    report = report_of(made, frame=False, fresh=True)
    text = report_text(report)
    assert text == oracle_text(report)
    assert (
        text.splitlines()[2]
        == "      fix? one of 3 equally likely fixes: line 2 to 6, line 3 to 6, line 4 to 6"
    )


# ---------------------------------------------------------------- checked data


@given(defects(consistent_cases()))
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_text_of_a_checked_defect_is_the_oracles(defect: Defect) -> None:
    """A checked file with a defect is reported as the object renderer reported it."""
    report = check_text(defect.text())
    assert report_text(report, colour=True) == oracle_text(report, colour=True)
    assert report_sarif(report) == oracle_sarif(report)
    assert report_github(report, limit=5).startswith(oracle_github(report, limit=5))


@pytest.mark.parametrize("path", RENDERED_EXAMPLES)
def test_text_of_the_examples_is_the_oracles(path: str) -> None:
    """Each bundled example is reported as the object renderer reported it."""
    report = check(read_dataset(ROOT / path))
    assert report_text(report) == oracle_text(report)
    assert report_sarif(report) == oracle_sarif(report)
    assert report_github(report, limit=5).startswith(oracle_github(report, limit=5))


# ---------------------------------------------------------------- shown, column-wise


@given(st.lists(st.none() | st.text(st.characters(exclude_categories=["Cs"]))))
def test_shown_column_is_shown(texts: list[str | None]) -> None:
    """Each text of a column is escaped as :func:`shown` escapes it; null stays null."""
    column = pl.Series("t", texts, dtype=pl.String).to_frame()
    written = column.select(shown_column(pl.col("t"))).to_series().to_list()
    assert written == [None if t is None else shown(t) for t in texts]


def test_shown_column_escapes_every_unsafe_character() -> None:
    """Every character :func:`shown` escapes (surrogates aside) is escaped column-wise."""
    every = "".join(chr(c) for c in range(0x3000) if not 0xD800 <= c <= 0xDFFF) + "\ufeff\uffff"
    column = pl.DataFrame({"t": [every]})
    assert column.select(shown_column(pl.col("t"))).item() == shown(every)
