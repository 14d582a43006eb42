"""JUnit XML: the report as test suites, the format CI dashboards (GitLab, Jenkins, Azure) list.

One ``<testsuite>`` per input file. Each rule that passed on a file is one ``<testcase>`` (class:
the rule; name: how many groups of figures it checked); each group a rule failed on is a
``<testcase>`` of its own (name: the figures it checked), and so is each finding that no
evaluation accounts for, such as a row that could not be read. A large file is checked by
hundreds of thousands of evaluations: listing each passing one would make a report of tens of
megabytes that no dashboard shows. A case fails when its finding is at least as severe as
``fail_on``, so the dashboard agrees with the exit status; the findings below that threshold are
listed in the output (``<system-out>``) of one passing case per file and rule. The groups a rule
could not evaluate are one ``<skipped>`` case per rule and reason. Evaluations and findings
without a file go into a suite named after the profile.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from typing import NamedTuple

import polars as pl

from tip_indicators.findings import Finding, Location, Severity
from tip_indicators.report import Report

__all__ = ["report_junit"]

# Characters XML 1.0 cannot hold, even escaped: the complement of its Char production, written
# as the few ranges it excludes (a negated class over all of Unicode is slow to compile).
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


class _Case(NamedTuple):
    path: str | None
    line: int | None
    classname: str
    name: str
    outcome: str  # pass, fail or skip
    message: str | None = None
    kind: str | None = None
    details: str | None = None


class _Evaluation(NamedTuple):
    rule: str
    group: str
    outcome: str
    reason: str | None
    path: str | None
    line: int | None


def _text(value: str) -> str:
    """``value`` with characters XML cannot hold written as Python-style escapes."""

    def escape(match: re.Match[str]) -> str:
        point = ord(match.group())
        return f"\\x{point:02x}" if point < 0x100 else f"\\u{point:04x}"

    return _NOT_XML.sub(escape, value)


def _primary(finding: Finding) -> Location | None:
    if finding.location is not None:
        return finding.location
    return finding.observations[0].location if finding.observations else None


def _tallies(report: Report) -> Iterator[_Case]:
    """One passing case per rule and file, one skipped case per rule, file and reason."""
    frame = report.evaluations
    if frame is None:
        return
    counted = (
        frame.filter(pl.col("outcome") != "fail")
        .with_columns(pl.col("path").replace("", None), pl.col("reason").fill_null(""))
        .group_by("path", "rule", "outcome", "reason")
        .agg(pl.len().alias("groups"))
        .sort("path", "rule", "outcome", "reason", nulls_last=True)
    )
    for path, rule, outcome, reason, groups in counted.iter_rows():
        noun = "group" if groups == 1 else "groups"
        if outcome == "not_evaluated":
            name = f"{groups} {noun} not evaluated"
            yield _Case(path, None, rule, name, "skip", reason or "not evaluated")
        else:
            yield _Case(path, None, rule, f"{groups} {noun} checked", "pass")


def _evaluations(report: Report) -> Iterator[_Evaluation]:
    """The failed rule evaluations."""
    frame = report.evaluations
    if frame is None:
        return
    for row in frame.filter(pl.col("outcome") == "fail").iter_rows(named=True):
        rule = str(row["rule"])
        yield _Evaluation(
            rule,
            str(row.get("group") or rule),
            str(row["outcome"]),
            row.get("reason"),
            row.get("path") or None,
            row.get("line"),
        )


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


def _finding_case(
    finding: Finding,
    fail_on: Severity,
    *,
    path: str | None,
    line: int | None,
    classname: str,
    name: str,
) -> _Case:
    if finding.severity.rank <= fail_on.rank:
        return _Case(
            path, line, classname, name, "fail", finding.message, finding.code, _details(finding)
        )
    return _Case(path, line, classname, name, "pass", details=_details(finding))


_Key = tuple[str, str | None, int | None]


class _Matcher:
    """Pairs failed evaluations with the findings they produced: same rule, same figure.

    A finding located at the evaluation's figure is preferred to one merely citing it, and one
    whose code is the evaluation's reason to one that is not. Lookups are by index, so pairing
    stays linear in the number of findings.
    """

    def __init__(self, findings: tuple[Finding, ...]) -> None:
        self.findings = findings
        self.used = [False] * len(findings)
        self.located: dict[_Key, list[int]] = {}
        self.citing: dict[_Key, list[int]] = {}
        self.by_rule: dict[str, list[int]] = {}
        for index, finding in enumerate(findings):
            rule = finding.rule
            if rule is None:
                continue
            self.by_rule.setdefault(rule, []).append(index)
            primary = _primary(finding)
            if primary is not None:
                self.located.setdefault((rule, primary.path, primary.line), []).append(index)
            places = dict.fromkeys((r.location.path, r.location.line) for r in finding.observations)
            for path, line in places:
                self.citing.setdefault((rule, path, line), []).append(index)

    def take(self, evaluation: _Evaluation) -> Finding | None:
        if evaluation.path is None:
            pools = [self.by_rule.get(evaluation.rule, [])]
        else:
            key = (evaluation.rule, evaluation.path, evaluation.line)
            pools = [self.located.get(key, []), self.citing.get(key, [])]
        for pool in pools:
            pool[:] = free = [index for index in pool if not self.used[index]]
            if free:
                same = [i for i in free if self.findings[i].code == evaluation.reason]
                chosen = (same or free)[0]
                self.used[chosen] = True
                return self.findings[chosen]
        return None


def _cases(report: Report, fail_on: Severity) -> list[_Case]:
    matcher = _Matcher(report.findings)
    cases: list[_Case] = list(_tallies(report))
    for evaluation in _evaluations(report):
        rule, group = evaluation.rule, evaluation.group
        path, line = evaluation.path, evaluation.line
        finding = matcher.take(evaluation)
        if finding is None:
            message = f"{rule} failed" + (f": {evaluation.reason}" if evaluation.reason else "")
            cases.append(_Case(path, line, rule, group, "fail", message, evaluation.reason))
            continue
        if path is None and (primary := _primary(finding)) is not None:
            path, line = primary.path or None, primary.line
        cases.append(
            _finding_case(finding, fail_on, path=path, line=line, classname=rule, name=group)
        )
    for index, finding in enumerate(report.findings):
        if matcher.used[index]:
            continue
        primary = _primary(finding)
        path = primary.path or None if primary is not None else None
        line = primary.line if primary is not None else None
        name = finding.code if line is None else f"line {line}: {finding.code}"
        if primary is not None and primary.field:
            name += f" ({primary.field})"
        cases.append(
            _finding_case(
                finding, fail_on, path=path, line=line, classname=finding.rule or "read", name=name
            )
        )
    return _below_threshold_together(cases, fail_on)


def _below_threshold_together(cases: list[_Case], fail_on: Severity) -> list[_Case]:
    """The passing cases that carry a finding below ``fail_on`` (a warning or an info), put
    together as one case per file and rule whose output lists them: thousands of derived
    values or short breakdowns are one line each in one case, not a case each."""
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


def report_junit(report: Report, *, fail_on: Severity = Severity.ERROR) -> str:
    """The report as JUnit XML; findings at least as severe as ``fail_on`` are failures."""
    cases = _cases(report, fail_on)
    inputs = {item.path: item for item in report.inputs}
    suites: dict[str | None, list[_Case]] = {path: [] for path in inputs}
    for case in cases:
        suites.setdefault(case.path, []).append(case)
    others = sorted(path for path in suites if path is not None and path not in inputs)
    order = [*inputs, *others, *([None] if suites.get(None) else [])]
    timestamp = report.created[:19]
    root = ET.Element("testsuites", name="tip-indicators")
    _counts(root, cases)
    for path in order:
        members = sorted(
            suites[path], key=lambda c: (c.line is None, c.line or 0, c.classname, c.name)
        )
        suite = ET.SubElement(root, "testsuite", name=_text(path or report.profile))
        _counts(suite, members)
        suite.set("timestamp", timestamp)
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
