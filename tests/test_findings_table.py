"""The findings table: one row per finding from the rules to the report, objects on request."""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any
from unittest import mock

import attrs
import polars as pl
from hypothesis import given, settings
from hypothesis import strategies as st

from strategies import Case, Defect, check_text, consistent_cases, defects
from tip_indicators import Finding, Location, Report, Severity, check, read_dataset
from tip_indicators.findings import FindingTable, ObservationRef, Suggestion
from tip_indicators.findings.table import SUGGESTION
from tip_indicators.render import json as render_json
from tip_indicators.render.json import finding_lines, report_json, report_json_pieces

EXAMPLE = Path(__file__).parents[1] / "examples" / "cambodia-2010" / "report-2010.csv"


def _report(case: Case, defect: Defect) -> Report:
    """A consistent file (values to derive) followed by a broken one (errors, shortfalls)."""
    broken = defect.case.text({defect.index: str(defect.value)})
    return check_text(case.text() + broken.split("\n", 1)[1])


def _number(value: float | str | None) -> float | str | None:
    return None if isinstance(value, float) and not math.isfinite(value) else value


def _place(location: Location) -> dict[str, Any]:
    return {"path": location.path, "line": location.line, "field": location.field}


def _reference(finding: Finding) -> str:
    """A finding's JSON line written from its object with the standard encoder: the oracle
    the column-wise writer is held to."""
    return json.dumps(
        {
            "code": finding.code,
            "severity": finding.severity.value,
            "message": finding.message,
            "rule": finding.rule,
            "location": _place(finding.location) if finding.location else None,
            "expected": _number(finding.expected),
            "actual": _number(finding.actual),
            "imbalance": _number(finding.imbalance),
            "tolerance": _number(finding.tolerance),
            "observations": [
                {
                    "indicator": ref.indicator,
                    "period": ref.period,
                    "reporter": ref.reporter,
                    "dimensions": {k: v for k, v in ref.dimensions.items() if v != "_T"},
                    "measure": ref.measure,
                    "value": ref.value,
                    "source": ref.source,
                    "location": _place(ref.location),
                    "derived": ref.derived,
                }
                for ref in finding.observations
            ],
            "suggestions": [
                {
                    "location": _place(s.location),
                    "value": s.value,
                    "reason": s.reason,
                    "kind": s.kind,
                }
                for s in finding.suggestions
            ],
        },
        ensure_ascii=False,
        allow_nan=False,
    )


def _finding_lines(text: str) -> list[str]:
    lines = text.split("\n")
    first = lines.index('  "findings": [') + 1
    return [line.removeprefix("    ").removesuffix(",") for line in lines[first:-2]]


@settings(max_examples=40)
@given(consistent_cases(), defects(equality_only=False))
def test_the_table_is_written_as_its_findings_read(case: Case, defect: Defect) -> None:
    """Each finding's JSON line, written from the table's columns, is what the standard
    encoder writes for the finding object the table gives back; the report is in report order
    and its counts are the objects' counts."""
    report = _report(case, defect)
    text = report_json(report)
    findings = report.findings
    assert _finding_lines(text) == [_reference(finding) for finding in findings]
    summary = json.loads(text)["summary"]
    assert summary["errors"] == sum(f.severity is Severity.ERROR for f in findings)
    assert summary["warnings"] == sum(f.severity is Severity.WARNING for f in findings)
    assert summary["infos"] == sum(f.severity is Severity.INFO for f in findings)
    assert list(findings) == sorted(findings, key=lambda finding: finding.sort_key)


@settings(max_examples=30)
@given(consistent_cases(), defects(equality_only=False), st.integers(1, 4))
def test_the_report_in_pieces_is_the_report(case: Case, defect: Defect, per_piece: int) -> None:
    """The report's pieces (what the command line writes to a file, a few findings at a time)
    join into the report, each piece but the first and last holding ``per_piece`` findings or
    fewer."""
    report = _report(case, defect)
    with mock.patch.object(render_json, "_LINES_PER_PIECE", per_piece):
        pieces = list(report_json_pieces(report))
    text = "".join(pieces)
    count = len(report.findings)
    assert len(pieces) == (2 + math.ceil(count / per_piece) if count else 1)
    assert text == report_json(report)


_texts = st.text(alphabet=st.characters(codec="utf-8"), max_size=6)
_numbers = st.none() | st.floats(allow_nan=False, allow_infinity=False, width=32)
_locations = st.builds(Location, _texts, st.none() | st.integers(1, 10**6), st.none() | _texts)
_refs = st.builds(
    ObservationRef,
    indicator=_texts,
    period=_texts,
    reporter=_texts,
    # A code is never empty: an empty cell is the total, as the readers give it.
    dimensions=st.dictionaries(st.sampled_from(["sex", "age"]), _texts.filter(bool), max_size=2),
    measure=st.sampled_from(["N", "CHG", "PCH"]),
    value=_texts,
    source=st.none() | _texts,
    location=st.builds(Location, _texts, st.none() | st.integers(1, 10**6)),
    derived=st.booleans(),
)


@st.composite
def _findings(draw: st.DrawFn) -> Finding:
    cited = draw(st.lists(_refs, max_size=3))
    return Finding(
        draw(st.sampled_from(["partition-exceeds", "row-shape", "custom"])),
        draw(st.sampled_from(list(Severity))),
        draw(_texts),
        tuple(cited),
        expected=draw(_numbers | _texts),
        actual=draw(_numbers),
        imbalance=draw(_numbers),
        tolerance=draw(_numbers),
        suggestions=tuple(
            Suggestion(ref.location, draw(_texts), draw(_texts), ref, draw(st.floats(-9, 9)))
            for ref in draw(st.lists(st.sampled_from(cited), max_size=2) if cited else st.just([]))
        ),
        location=draw(st.none() | _locations),
        rule=draw(st.none() | _texts),
    )


@given(st.lists(_findings(), max_size=6))
def test_findings_made_into_a_table_come_back_the_same(findings: list[Finding]) -> None:
    """Finding objects put into a table and read back are equal to them, with their citations,
    suggestions and locations, in the order given; and the table's JSON lines are what the
    encoder writes for them."""
    table = FindingTable.from_findings(findings)
    fresh = FindingTable(table.rows, table.figures, table.dimensions)
    made = fresh.findings()
    assert made == tuple(findings)
    for back, given_ in zip(made, findings, strict=True):
        assert [dict(r.dimensions) for r in back.observations] == [
            {**dict.fromkeys(fresh.dimensions, "_T"), **r.dimensions} for r in given_.observations
        ]
        assert [(s.observation, s.score) for s in back.suggestions] == [
            (s.observation, s.score) for s in given_.suggestions
        ]
    assert finding_lines(fresh).to_list() == [_reference(finding) for finding in made]


_PLACE_COLUMNS = ("code", "severity", "message", "path", "line", "field")
_located = st.builds(
    Finding,
    st.sampled_from(["row-shape", "unknown-code"]),
    st.sampled_from(list(Severity)),
    _texts,
    location=st.none() | _locations,
    suggestions=st.lists(st.builds(Suggestion, _locations, _texts, _texts), max_size=2).map(tuple),
)


def _suggestion_rows(finding: Finding) -> list[dict[str, Any]] | None:
    return [
        {
            "figure": None,
            "path": s.location.path.encode(),
            "line": s.location.line,
            "field": s.location.field,
            "value": s.value,
            "reason": s.reason,
            "score": s.score,
        }
        for s in finding.suggestions
    ] or None


@given(st.lists(_located, max_size=6), st.integers(0, 5), st.booleans())
def test_findings_about_places_are_the_rows_they_are_given_as(
    findings: list[Finding], first: int, suggested: bool
) -> None:
    """Findings about places in a file, given as rows of code, severity, message and place
    (and suggestions, when given), are the objects those rows describe, numbered from
    ``first``, in report order as their objects sort."""
    if not suggested:
        findings = [attrs.evolve(finding, suggestions=()) for finding in findings]
    columns: dict[str, list[Any]] = {
        "code": [f.code for f in findings],
        "severity": [f.severity.value for f in findings],
        "message": [f.message for f in findings],
        "path": [f.location.path if f.location else None for f in findings],
        "line": [f.location.line if f.location else None for f in findings],
        "field": [f.location.field if f.location else None for f in findings],
    }
    schema: dict[str, Any] = {
        name: pl.Int64 if name == "line" else pl.String for name in _PLACE_COLUMNS
    }
    if suggested:
        columns["suggestions"] = [_suggestion_rows(f) for f in findings]
        schema["suggestions"] = pl.List(SUGGESTION)
    table = FindingTable.located(pl.DataFrame(columns, schema=schema), first=first)
    assert table.findings() == tuple(findings)
    assert table.rows.get_column("number").to_list() == list(range(first, first + len(findings)))
    ordered = table.in_report_order().findings()
    assert [f.sort_key for f in ordered] == sorted(f.sort_key for f in findings)
    assert finding_lines(table).to_list() == [_reference(finding) for finding in findings]


def test_equal_places_keep_the_order_they_were_recorded_in() -> None:
    """Findings of equal place, severity, code and message come in the order they were
    recorded; otherwise by file and line."""
    first = Finding("same", Severity.WARNING, "the same words", location=Location("a.csv", 3))
    early = Finding("same", Severity.WARNING, "the same words", location=Location("a.csv", 2))
    last = Finding(
        "same", Severity.WARNING, "the same words", location=Location("a.csv", 3), rule="last"
    )
    table = FindingTable.concat(
        [
            FindingTable.from_findings([first], first=0),
            FindingTable.from_findings([last, early], first=1),
        ]
    ).in_report_order()
    assert [f.rule for f in table.findings()] == [None, None, "last"]
    assert table.findings()[0].location == Location("a.csv", 2)


def test_a_report_from_the_table_equals_the_report_from_its_objects() -> None:
    """Equality, hash and representation do not depend on how the findings are given."""
    report = check(read_dataset(EXAMPLE))
    again = attrs.evolve(report, findings=report.findings)
    assert again == report
    assert hash(again) == hash(report)
    assert repr(again) == repr(report)
    assert (again.errors, again.warnings, again.infos) == (
        report.errors,
        report.warnings,
        report.infos,
    )


def test_the_worked_example_cites_its_derived_values() -> None:
    """A derived value's finding cites the figures it was derived from and, last, the figure
    derived, at whose line it stands."""
    derived = [f for f in check(read_dataset(EXAMPLE)).findings if f.code == "derived-value"]
    assert derived
    for finding in derived:
        assert finding.location == finding.observations[-1].location
        assert finding.message.startswith(finding.observations[-1].label() + " is not stated; ")


def test_a_recorded_finding_may_cite_nothing_and_stand_nowhere() -> None:
    """A rule's finding with no located figure and no citation has no location, beside one
    that stands at the figure it cites."""
    frame = pl.DataFrame(
        {
            "indicator": ["x"],
            "period": ["2010"],
            "reporter": ["KH"],
            "measure": ["N"],
            "value": ["1"],
            "path": ["a.csv"],
            "line": [2],
        }
    )
    for located, cited in (([None], [[]]), ([None, 0], [[], [0]])):
        rows = pl.DataFrame(
            {
                "code": ["c"] * len(located),
                "severity": ["error"] * len(located),
                "message": ["m"] * len(located),
                "located_at": located,
                "cited": cited,
            },
            schema_overrides={"located_at": pl.Int64, "cited": pl.List(pl.Int64)},
        )
        made = FindingTable.recorded(rows, frame, (), 0).findings()
        assert made[0].location is None
        assert made[0].observations == ()
        assert [f.location for f in made[1:]] == [Location("a.csv", 2)] * (len(located) - 1)


_FIGURES = pl.DataFrame(
    {
        "indicator": ["victims_identified"] * 3,
        "period": ["2010"] * 3,
        "reporter": ["KH-MOSVY"] * 3,
        "measure": ["N"] * 3,
        "value": ["459", "317", "142"],
        "path": ["report.csv"] * 3,
        "line": [2, 3, 4],
    }
)


@given(
    st.lists(
        st.tuples(
            st.one_of(st.none(), st.integers(0, 2)),
            st.one_of(st.none(), st.lists(st.integers(0, 2), max_size=3, unique=True)),
        ),
        min_size=1,
        max_size=6,
    ),
    st.sampled_from([pl.Int64, pl.UInt32]),
)
def test_recorded_findings_cite_and_stand_at_the_rows_they_name(
    records: list[tuple[int | None, list[int] | None]], id_type: pl.DataType
) -> None:
    """A recorded finding cites the frame's rows it lists, in its order (none for a missing
    list), and stands at the row it is located at (nowhere without one), whatever the integer
    type of the ids."""
    rows = pl.DataFrame(
        {
            "code": ["c"] * len(records),
            "severity": ["error"] * len(records),
            "message": ["m"] * len(records),
            "located_at": [located for located, _ in records],
            "cited": [cited for _, cited in records],
        },
        schema_overrides={"located_at": id_type, "cited": pl.List(id_type)},
    )
    table = FindingTable.recorded(rows, _FIGURES, (), 3)
    assert table.rows.get_column("number").to_list() == list(range(3, 3 + len(records)))
    made = table.findings()
    lines = _FIGURES.get_column("line").to_list()
    for finding, (located, cited) in zip(made, records, strict=True):
        assert [ref.location.line for ref in finding.observations] == [
            lines[n] for n in cited or []
        ]
        expected = None if located is None else Location("report.csv", lines[located])
        assert finding.location == expected


def test_recorded_findings_need_no_citations_or_location_columns() -> None:
    """A rule may record findings without the ``cited`` and ``located_at`` columns: they cite
    nothing and stand nowhere."""
    rows = pl.DataFrame({"code": ["c", "d"], "severity": ["error"] * 2, "message": ["m", "n"]})
    made = FindingTable.recorded(rows, _FIGURES, (), 0).findings()
    assert [(f.code, f.observations, f.location) for f in made] == [
        ("c", (), None),
        ("d", (), None),
    ]


@given(
    st.lists(_findings(), min_size=1, max_size=5),
    st.lists(st.tuples(st.integers(0, 4), st.integers(0, 2), _texts, st.floats(-9, 9)), max_size=8),
)
def test_suggestions_added_to_a_table_follow_each_findings_own(
    findings: list[Finding], added: list[tuple[int, int, str, float]]
) -> None:
    """Suggestions added to a table come after each finding's own, in the order given, at
    the figures they name; a finding given none keeps its own, and one that had none has
    exactly the new ones."""
    table = FindingTable.from_findings(findings)
    added = [(n % len(findings), figure, value, score) for n, figure, value, score in added]
    suggestions = pl.DataFrame(
        {
            "number": [number for number, *_ in added],
            "figure": [figure for _, figure, *_ in added],
            "value": [value for _, _, value, _ in added],
            "reason": ["keystroke slip (slip)"] * len(added),
            "score": [score for *_, score in added],
        },
        schema_overrides={"number": pl.Int64, "figure": pl.Int64, "value": pl.String},
    )
    made = table.with_suggestions(suggestions, _FIGURES).findings()
    for number, (before, after) in enumerate(zip(findings, made, strict=True)):
        new = [(figure, value, score) for n, figure, value, score in added if n == number]
        assert after.suggestions[: len(before.suggestions)] == before.suggestions
        assert [
            (s.location.line, s.value, s.reason, s.score)
            for s in after.suggestions[len(before.suggestions) :]
        ] == [(figure + 2, value, "keystroke slip (slip)", score) for figure, value, score in new]
