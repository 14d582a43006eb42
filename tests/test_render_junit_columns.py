"""The JUnit report written column-wise is exactly what the renderer over finding objects wrote.

The object renderer is kept here, and only here, as the oracle: it pairs each failed evaluation
with a finding object by object and builds the document with ElementTree. For hand-built
findings and evaluations with hostile text, for checked datasets with defects and for the
bundled examples, the report written from the findings table is the same, byte for byte.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections.abc import Callable, Hashable, Sequence
from pathlib import Path
from typing import NamedTuple

import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from finding_strategies import HOSTILE, findings, report_of
from strategies import Defect, check_text, consistent_cases, defects
from support import RENDERED_EXAMPLES
from tip_indicators.check import check
from tip_indicators.findings import Finding, Location, ObservationRef, Severity
from tip_indicators.io.readers import read_dataset
from tip_indicators.render.junit import report_junit
from tip_indicators.report import EVALUATION_SCHEMA, Report

ROOT = Path(__file__).resolve().parent.parent

# ---------------------------------------------------------------- the oracle: JUnit over objects

_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def _text(value: str) -> str:
    def escape(match: re.Match[str]) -> str:
        point = ord(match.group())
        return f"\\x{point:02x}" if point < 0x100 else f"\\u{point:04x}"

    return _NOT_XML.sub(escape, value)


class _Case(NamedTuple):
    path: str | None
    line: int | None
    classname: str
    name: str
    outcome: str
    message: str | None = None
    kind: str | None = None
    details: str | None = None


class _Evaluation(NamedTuple):
    rule: str
    group: str
    reason: str | None
    path: str | None
    line: int | None


def _primary(finding: Finding) -> Location | None:
    if finding.location is not None:
        return finding.location
    return finding.observations[0].location if finding.observations else None


def _zipped(
    evaluations: Sequence[int],
    pool: Sequence[int],
    *,
    place_of: Callable[[int], Hashable],
    places_of: Callable[[int], list[Hashable]],
    reason_of: Callable[[int], str | None],
    code_of: Callable[[int], str],
) -> list[tuple[int, int]]:
    """The n-th evaluation at a place with the n-th finding of the pool there: first those
    whose code is the evaluation's reason, then the rest (a finding may be at several places)."""

    def by_place(
        items: Sequence[int], keys: Callable[[int], list[Hashable]]
    ) -> dict[Hashable, list[int]]:
        grouped: dict[Hashable, list[int]] = {}
        for item in sorted(items):
            for key in keys(item):
                grouped.setdefault(key, []).append(item)
        return grouped

    same = [
        pair
        for key, members in by_place(
            [e for e in evaluations if reason_of(e) is not None],
            lambda e: [(place_of(e), reason_of(e))],
        ).items()
        for pair in zip(
            members,
            by_place(pool, lambda f: [(place, code_of(f)) for place in places_of(f)]).get(key, []),
            strict=False,
        )
    ]
    paired = {e for e, _ in same}
    used = {f for _, f in same}
    rest = by_place([f for f in pool if f not in used], places_of)
    return same + [
        pair
        for key, members in by_place(
            [e for e in evaluations if e not in paired], lambda e: [place_of(e)]
        ).items()
        for pair in zip(members, rest.get(key, []), strict=False)
    ]


def _pairs(evaluations: list[_Evaluation], found: Sequence[Finding]) -> dict[int, int]:
    """Which finding each failed evaluation produced: located at its figure, else citing it,
    else (without a file) of the same rule."""
    ruled = [k for k, finding in enumerate(found) if finding.rule is not None]

    def located(k: int) -> list[Hashable]:
        primary = _primary(found[k])
        if primary is None or not primary.path:
            return []
        return [(found[k].rule, primary.path, primary.line)]

    def citing(k: int) -> list[Hashable]:
        places = dict.fromkeys((r.location.path, r.location.line) for r in found[k].observations)
        return [(found[k].rule, path, line) for path, line in places]

    def place(e: int) -> Hashable:
        return (evaluations[e].rule, evaluations[e].path, evaluations[e].line)

    def reason(e: int) -> str | None:
        return evaluations[e].reason

    def code(k: int) -> str:
        return found[k].code

    keyed = [e for e, evaluation in enumerate(evaluations) if evaluation.path is not None]
    pairs = dict(
        _zipped(keyed, ruled, place_of=place, places_of=located, reason_of=reason, code_of=code)
    )
    while True:
        left = [e for e in keyed if e not in pairs]
        free = [k for k in ruled if k not in pairs.values()]
        taken: dict[int, int] = {}
        proposed = _zipped(
            left, free, place_of=place, places_of=citing, reason_of=reason, code_of=code
        )
        for e, k in sorted(proposed):
            if k not in taken:
                taken[k] = e
        if not taken:
            break
        pairs.update({e: k for k, e in taken.items()})
    unkeyed = [e for e, evaluation in enumerate(evaluations) if evaluation.path is None]
    free = [k for k in ruled if k not in pairs.values()]
    pairs.update(
        _zipped(
            unkeyed,
            free,
            place_of=lambda e: evaluations[e].rule,
            places_of=lambda k: [found[k].rule],
            reason_of=reason,
            code_of=code,
        )
    )
    return pairs


def _details(finding: Finding) -> str:
    lines = [f"{finding.severity.value} [{finding.code}] {finding.message}"]
    lines.extend(
        f"  {ref.location}: {ref.label()} = {ref.value or '(empty)'}"
        for ref in finding.observations
    )
    if not finding.observations and finding.location is not None:
        lines.append(f"  {finding.location}")
    lines.extend(
        f"  fix? {Location(s.location.path, s.location.line)}: {s.value} ({s.reason})"
        for s in finding.suggestions
    )
    return "\n".join(lines)


def _finding_case(finding: Finding, fail_on: Severity, where: _Case) -> _Case:
    if finding.severity.rank <= fail_on.rank:
        return where._replace(
            outcome="fail", message=finding.message, kind=finding.code, details=_details(finding)
        )
    return where._replace(outcome="pass", details=_details(finding))


def _tallies(frame: pl.DataFrame) -> list[_Case]:
    counted = (
        frame.filter(pl.col("outcome") != "fail")
        .with_columns(pl.col("path").replace("", None), pl.col("reason").fill_null(""))
        .group_by("path", "rule", "outcome", "reason")
        .agg(pl.len().alias("groups"))
        .sort("path", "rule", "outcome", "reason", nulls_last=True)
    )
    cases = []
    for path, rule, outcome, reason, groups in counted.iter_rows():
        noun = "group" if groups == 1 else "groups"
        if outcome == "not_evaluated":
            name = f"{groups} {noun} not evaluated"
            cases.append(_Case(path, None, rule, name, "skip", reason or "not evaluated"))
        else:
            cases.append(_Case(path, None, rule, f"{groups} {noun} checked", "pass"))
    return cases


def _cases(report: Report, fail_on: Severity) -> list[_Case]:
    found = report.findings
    frame = report.evaluations
    cases: list[_Case] = []
    evaluations: list[_Evaluation] = []
    if frame is not None:
        cases = _tallies(frame)
        for row in frame.filter(pl.col("outcome") == "fail").iter_rows(named=True):
            rule = str(row["rule"])
            evaluations.append(
                _Evaluation(
                    rule, str(row["group"] or rule), row["reason"], row["path"] or None, row["line"]
                )
            )
    pairs = _pairs(evaluations, found)
    for e, evaluation in enumerate(evaluations):
        rule, path, line = evaluation.rule, evaluation.path, evaluation.line
        if e not in pairs:
            message = f"{rule} failed" + (f": {evaluation.reason}" if evaluation.reason else "")
            cases.append(
                _Case(path, line, rule, evaluation.group, "fail", message, evaluation.reason)
            )
            continue
        finding = found[pairs[e]]
        if path is None and (primary := _primary(finding)) is not None:
            path, line = primary.path or None, primary.line
        where = _Case(path, line, rule, evaluation.group, "")
        cases.append(_finding_case(finding, fail_on, where))
    taken = set(pairs.values())
    for k, finding in enumerate(found):
        if k in taken:
            continue
        primary = _primary(finding)
        path = primary.path or None if primary is not None else None
        line = primary.line if primary is not None else None
        name = finding.code if line is None else f"line {line}: {finding.code}"
        if primary is not None and primary.field:
            name += f" ({primary.field})"
        where = _Case(path, line, finding.rule or "read", name, "")
        cases.append(_finding_case(finding, fail_on, where))
    kept: list[_Case] = []
    noted: dict[tuple[str | None, str], list[str]] = {}
    for case in cases:
        if case.outcome == "pass" and case.details is not None:
            noted.setdefault((case.path, case.classname), []).append(case.details)
        else:
            kept.append(case)
    below = "below the failure threshold" if fail_on is Severity.INFO else f"below {fail_on.value}"
    for (path, classname), details in noted.items():
        name = f"{len(details)} finding{'' if len(details) == 1 else 's'} {below}"
        kept.append(_Case(path, None, classname, name, "pass", details="\n".join(details)))
    return kept


def _counts(element: ET.Element, cases: list[_Case]) -> None:
    element.set("tests", str(len(cases)))
    element.set("failures", str(sum(case.outcome == "fail" for case in cases)))
    element.set("errors", "0")
    element.set("skipped", str(sum(case.outcome == "skip" for case in cases)))


def _testcase(suite: ET.Element, case: _Case) -> None:
    element = ET.SubElement(
        suite, "testcase", classname=_text(case.classname), name=_text(case.name)
    )
    if case.path is not None:
        element.set("file", _text(case.path))
    if case.line is not None:
        element.set("line", str(case.line))
    if case.outcome == "fail":
        failure = ET.SubElement(element, "failure", message=_text(case.message or ""))
        if case.kind:
            failure.set("type", _text(case.kind))
        failure.text = _text(case.details or case.message or "")
    elif case.outcome == "skip":
        ET.SubElement(element, "skipped", message=_text(case.message or ""))
    elif case.details:
        ET.SubElement(element, "system-out").text = _text(case.details)


def oracle_junit(report: Report, *, fail_on: Severity = Severity.ERROR) -> str:
    """The JUnit report as the renderer over finding objects wrote it."""
    cases = _cases(report, fail_on)
    inputs = {item.path: item for item in report.inputs}
    suites: dict[str | None, list[_Case]] = {path: [] for path in inputs}
    for case in cases:
        suites.setdefault(case.path, []).append(case)
    others = sorted(path for path in suites if path is not None and path not in inputs)
    order = [*inputs, *others, *([None] if suites.get(None) else [])]
    root = ET.Element("testsuites", name="tip-indicators")
    _counts(root, cases)
    for path in order:
        members = sorted(
            suites[path], key=lambda c: (c.line is None, c.line or 0, c.classname, c.name)
        )
        suite = ET.SubElement(root, "testsuite", name=_text(path or report.profile))
        _counts(suite, members)
        suite.set("timestamp", report.created[:19])
        properties = ET.SubElement(suite, "properties")
        facts = [("tool", f"tip-indicators {report.tool_version}"), ("profile", report.profile)]
        if path in inputs:
            facts += [
                ("sha256", inputs[path].sha256),
                ("observations", str(inputs[path].observations)),
            ]
        for key, value in facts:
            ET.SubElement(properties, "property", name=key, value=_text(value))
        for case in members:
            _testcase(suite, case)
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, "unicode") + "\n"


# ---------------------------------------------------------------- hand-built reports

_RULES = ["partition.sex", "bound"]
_CODES = ["partition-exceeds", "bound-exceeded", "zz-code", "a"]


@st.composite
def evaluation_frames(draw: st.DrawFn) -> pl.DataFrame:
    """Evaluations of the rules and at the places the hand-built findings use, some failed
    with a reason, some not evaluated."""
    rows = draw(
        st.lists(
            st.tuples(
                st.sampled_from(_RULES) | HOSTILE,
                st.none() | st.sampled_from(["", "g1", "g2"]) | HOSTILE,
                st.sampled_from(["pass", "fail", "fail", "not_evaluated"]),
                st.none() | st.sampled_from(_CODES) | HOSTILE,
                st.none() | st.sampled_from(["a.csv", "b.csv", "", "evil\n.csv", "frame"]),
                st.none() | st.integers(0, 30),
            ),
            max_size=12,
        )
    )
    return pl.DataFrame(rows, schema=EVALUATION_SCHEMA, orient="row")


@given(
    st.lists(findings(), max_size=10),
    st.none() | evaluation_frames(),
    st.booleans(),
    st.sampled_from(list(Severity)),
)
@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_junit_of_hand_built_reports_is_the_oracles(
    made: list[Finding], evaluations: pl.DataFrame | None, frame: bool, fail_on: Severity
) -> None:
    """Findings and evaluations of any text, place, rule and reason are written as the object
    renderer wrote them, at every threshold."""
    report = report_of(made, frame=frame, fresh=True, evaluations=evaluations)
    assert report_junit(report, fail_on=fail_on) == oracle_junit(report, fail_on=fail_on)


def test_a_finding_citing_two_places_goes_to_the_earlier_evaluation() -> None:
    """A finding located elsewhere that cites the figures of two failed evaluations is the
    first one's; the second takes the next finding citing its figure, and with none left it
    fails on its own."""
    cited = tuple(
        ObservationRef(
            "victims_received", "2010", "GOV.A", {}, "N", "5", None, Location("a.csv", line)
        )
        for line in (2, 3)
    )
    both = Finding(
        "bound-exceeded", Severity.ERROR, "m", cited, location=Location("a.csv", 9), rule="bound"
    )
    second = Finding(
        "bound-exceeded",
        Severity.ERROR,
        "n",
        cited[:1],
        location=Location("a.csv", 8),
        rule="bound",
    )
    evaluations = pl.DataFrame(
        {
            "rule": ["bound", "bound"],
            "group": ["first", "second"],
            "outcome": ["fail", "fail"],
            "reason": [None, None],
            "path": ["a.csv", "a.csv"],
            "line": [3, 2],
        }
    )
    messages: dict[str | None, str | None] = {}
    report = report_of([both, second], frame=False, fresh=True, evaluations=evaluations)
    for case in ET.fromstring(report_junit(report).encode("utf-8")).iter("testcase"):
        failure = case.find("failure")
        assert failure is not None
        messages[case.get("name")] = failure.get("message")
    assert messages == {"first": "m", "second": "n"}
    assert report_junit(report) == oracle_junit(report)
    alone = report_of([both], frame=False, fresh=True, evaluations=evaluations)
    assert 'message="bound failed"' in report_junit(alone)
    assert report_junit(alone) == oracle_junit(alone)


# ---------------------------------------------------------------- checked data


@given(defects(consistent_cases()))
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_junit_of_a_checked_defect_is_the_oracles(defect: Defect) -> None:
    """A checked file with a defect is reported as the object renderer reported it."""
    report = check_text(defect.text())
    for fail_on in Severity:
        assert report_junit(report, fail_on=fail_on) == oracle_junit(report, fail_on=fail_on)


@pytest.mark.parametrize("path", RENDERED_EXAMPLES)
def test_junit_of_the_examples_is_the_oracles(path: str) -> None:
    """Each bundled example is reported as the object renderer reported it."""
    report = check(read_dataset(ROOT / path))
    assert report_junit(report) == oracle_junit(report)
