"""Findings kept as rows until read: the same findings, order, counts and JSON as objects."""

from __future__ import annotations

import json
import math
from pathlib import Path
from unittest import mock

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from strategies import Case, Defect, check_text, consistent_cases, defects
from tip_indicators import Finding, Location, Report, Severity, check, read_dataset
from tip_indicators._private.engine import partition
from tip_indicators._private.engine.base import ID, Run, group_label, interval, number
from tip_indicators._private.finding_rows import (
    ROW_SCHEMA,
    FindingList,
    FindingRows,
    ordered,
)
from tip_indicators.render import json as render_json
from tip_indicators.render.json import report_data, report_json, report_json_pieces
from tip_indicators.rules import Rule

EXAMPLE = Path(__file__).parents[1] / "examples" / "cambodia-2010" / "report-2010.csv"


def _report(case: Case, defect: Defect) -> Report:
    """A consistent file (values to derive) followed by a broken one (errors, shortfalls)."""
    broken = defect.case.text({defect.index: str(defect.value)})
    return check_text(case.text() + broken.split("\n", 1)[1])


def _finding_lines(text: str) -> list[str]:
    lines = text.split("\n")
    first = lines.index('  "findings": [') + 1
    return [line.removeprefix("    ").removesuffix(",") for line in lines[first:-2]]


@settings(max_examples=40)
@given(consistent_cases(), defects(equality_only=False))
def test_rows_are_written_as_their_findings_would_be(case: Case, defect: Defect) -> None:
    """The JSON report writes findings kept as rows byte for byte as it writes the objects
    they stand for, in the same order, with the same counts."""
    report = _report(case, defect)
    text = report_json(report)
    assert _finding_lines(text) == [
        json.dumps(finding, ensure_ascii=False, allow_nan=False)
        for finding in report_data(report)["findings"]
    ]
    summary = json.loads(text)["summary"]
    findings = report.findings
    assert summary["errors"] == sum(f.severity is Severity.ERROR for f in findings)
    assert summary["warnings"] == sum(f.severity is Severity.WARNING for f in findings)
    assert summary["infos"] == sum(f.severity is Severity.INFO for f in findings)
    assert list(findings) == sorted(findings, key=lambda finding: finding.sort_key)


@settings(max_examples=30)
@given(consistent_cases(), defects(equality_only=False), st.integers(1, 4))
def test_the_report_in_pieces_is_the_report(case: Case, defect: Defect, per_piece: int) -> None:
    """The report's pieces (what the command line writes to a file, a few findings at a time)
    join into the report: every finding's line as the encoder writes it, in order, each piece
    but the first and last holding ``per_piece`` findings or fewer."""
    report = _report(case, defect)
    with mock.patch.object(render_json, "_LINES_PER_PIECE", per_piece):
        pieces = list(report_json_pieces(report))
    text = "".join(pieces)
    data = report_data(report)
    assert _finding_lines(text) == [
        json.dumps(finding, ensure_ascii=False, allow_nan=False) for finding in data["findings"]
    ]
    assert json.loads(text)["summary"] == data["summary"]
    count = len(data["findings"])
    assert len(pieces) == (2 + math.ceil(count / per_piece) if count else 1)
    assert text == report_json(report)


def test_the_worked_example_keeps_its_derived_values_as_rows() -> None:
    """A check records its derived values in bulk; read back, each is a finding citing the
    figures it was derived from and located at the figure derived."""
    report = check(read_dataset(EXAMPLE))
    findings = report._findings
    assert isinstance(findings, FindingList)
    rows = [entry for entry in findings if isinstance(entry, tuple)]
    assert rows, "no finding was kept as a row"
    derived = [f for f in report.findings if f.code == "derived-value"]
    assert len(derived) == len(rows)
    for finding in derived:
        assert finding.location == finding.observations[-1].location
        assert finding.message.startswith(finding.observations[-1].label() + " is not stated; ")


def _batch(*located: tuple[str, int]) -> FindingRows:
    figures = pl.DataFrame(
        {"path": [p for p, _ in located], "line": [line for _, line in located]},
        schema={"path": pl.String, "line": pl.Int64},
    )
    rows = (
        pl.DataFrame(
            {
                "code": "same",
                "severity": "warning",
                "message": "the same words",
                "located_at": list(range(len(located))),
                "cited": [[k] for k in range(len(located))],
            },
            schema_overrides={"cited": pl.List(pl.Int64)},
        )
        .with_columns(
            [
                pl.lit(None, dtype).alias(name)
                for name, dtype in ROW_SCHEMA.items()
                if name not in {"code", "severity", "message", "located_at", "cited"}
            ]
        )
        .select(list(ROW_SCHEMA))
    )
    return FindingRows(rows, figures, ())


def test_equal_keys_keep_the_order_they_were_recorded_in() -> None:
    """Objects and rows with equal sort keys come in the order they were recorded, as a stable
    sort of all of them as objects would give; otherwise by file and line."""
    first = Finding("same", Severity.WARNING, "the same words", location=Location("a.csv", 3))
    last = Finding("same", Severity.WARNING, "the same words", location=Location("a.csv", 3))
    early = Finding("same", Severity.WARNING, "the same words", location=Location("a.csv", 2))
    batch = _batch(("a.csv", 3), ("a.csv", 1))
    found = ordered([(0, first), (3, last), (4, early)], [(1, batch)])
    assert list(found) == [(batch, 1), early, first, (batch, 0), last]
    assert found.findings()[3] == Finding(
        "same",
        Severity.WARNING,
        "the same words",
        found.findings()[3].observations,
        location=Location("a.csv", 3),
    )


def test_a_report_of_rows_equals_the_report_of_their_objects() -> None:
    """Equality, hash and representation do not depend on how the findings are kept."""
    batch = _batch(("a.csv", 3), ("b.csv", 1))
    kept = ordered([], [(0, batch)])
    as_rows = Report(findings=kept, created="now")
    as_objects = Report(findings=kept.findings(), created="now")
    assert as_rows == as_objects
    assert hash(as_rows) == hash(as_objects)
    assert repr(as_rows) == repr(as_objects)
    assert repr(as_rows).startswith("Report(findings=(Finding(")
    assert as_rows.warnings == as_objects.warnings == 2
    assert as_rows.failed(Severity.WARNING)
    assert not as_rows.failed(Severity.ERROR)


def _one_by_one_derived(run: Run, usable: pl.DataFrame) -> pl.DataFrame:
    """The derived-value rows built one by one from citation objects (the reference)."""
    rows = []
    for row in usable.iter_rows(named=True):
        (target,) = run.refs([row[ID]])
        texts, cited = partition._ways(run, row)
        stated = _as_stated(row["low"], row["high"])
        rows.append(
            {
                "code": "derived-value",
                "severity": "info",
                "message": f"{target.label()} is not stated; {'; '.join(texts)}",
                "rule": f"partition.{row['how'][0]['dimension']}",
                "expected": None if isinstance(stated, str) else stated,
                "expected_text": stated if isinstance(stated, str) else None,
                "located_at": row[ID],
                "cited": [*cited, row[ID]],
            }
        )
    return pl.DataFrame(rows, schema=ROW_SCHEMA)


def _as_stated(low: float, high: float) -> float | str:
    return low if low == high else interval(low, high)


def _one_by_one_sums(run: Run, rules: list[Rule], failures: pl.DataFrame) -> pl.DataFrame:
    """The rows of failed sums built one by one from citation objects (the reference)."""
    rows = []
    for row in failures.iter_rows(named=True):
        rule = rules[row["rule"]]
        dimension = rule.dimension
        assert dimension is not None
        refs = run.refs([row["p_id"], *row["child_ids"]])
        parts = " + ".join(
            f"{ref.dimensions.get(dimension, '_T')} {ref.value or '?'}" for ref in refs[1:]
        )
        label = group_label(row, run.dimensions, skip=dimension)
        total = interval(row["p_low"], row["p_high"])
        summed = interval(row["sum_low"], row["sum_high"])
        reason = row["reason"]
        said = f"{label}: the {dimension} parts of {row['parent']} add up to {summed} ({parts}), "
        if reason in {"partition-exceeds", "derived-negative"}:
            gap = row["sum_low"] - row["p_high"]
            message = said + f"more than the total {total} by {number(gap)}"
            if reason == "derived-negative":
                message += "; the remainder with status L would be negative"
            code, severity = reason, "error"
        else:
            gap = row["sum_high"] - row["p_low"]
            short = number(-gap)
            message = said + f"{short} short of the total {total}"
            if reason == "partition-shortfall-closed":
                message += "; the breakdown is closed, so every category should be given"
                code, severity = "partition-shortfall", "error"
            elif reason == "partition-incomplete":
                message += "; the breakdown covers less than half of the total"
                code, severity = "partition-incomplete", "info"
            else:
                message += f"; {short} may be in categories not given"
                code, severity = "partition-shortfall", "warning"
        expected = _as_stated(row["p_low"], row["p_high"])
        actual = _as_stated(row["sum_low"], row["sum_high"])
        rows.append(
            {
                "code": code,
                "severity": severity,
                "message": message,
                "rule": rule.name,
                "expected": None if isinstance(expected, str) else expected,
                "expected_text": expected if isinstance(expected, str) else None,
                "actual": None if isinstance(actual, str) else actual,
                "actual_text": actual if isinstance(actual, str) else None,
                "imbalance": gap,
                "tolerance": row["tol"],
                "located_at": row["p_id"],
                "cited": [row["p_id"], *row["child_ids"]],
            }
        )
    return pl.DataFrame(rows, schema=ROW_SCHEMA)


@settings(max_examples=60)
@given(consistent_cases(), defects(equality_only=False))
def test_rows_written_column_wise_are_the_findings_made_one_by_one(
    case: Case, defect: Defect
) -> None:
    """Messages, numbers, rules and citations of derived values and failed sums written
    column-wise are those written from citation objects, one finding at a time."""
    broken = defect.case.text({defect.index: str(defect.value)})
    text = case.text() + broken.split("\n", 1)[1]
    column_wise = check_text(text)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(partition, "_derived_rows", _one_by_one_derived)
        patch.setattr(partition, "_sum_rows", _one_by_one_sums)
        one_by_one = check_text(text)
    assert column_wise.findings == one_by_one.findings
    assert [f.message for f in column_wise.findings] == [f.message for f in one_by_one.findings]


def test_a_batch_keeps_only_the_figures_it_cites() -> None:
    """A report may outlive the checked frame: a batch keeps the rows it cites, renumbered,
    and its findings still cite and are located at the same figures."""
    frame = pl.DataFrame(
        {"indicator": [f"i{n}" for n in range(10)], "path": "f.csv", "line": range(2, 12)},
        schema_overrides={"line": pl.Int64},
    )
    rows = pl.DataFrame(
        {"code": ["a", "b"], "severity": "info", "message": ["m", "n"], "located_at": [7, None]},
        schema_overrides={"located_at": pl.Int64},
    ).with_columns(pl.Series("cited", [[7, 3, 7], []], dtype=pl.List(pl.Int64)))
    batch = FindingRows.citing(rows, frame, ())
    assert batch.figures.get_column("indicator").to_list() == ["i3", "i7"]
    first, second = batch.findings()
    assert [ref.indicator for ref in first.observations] == ["i7", "i3", "i7"]
    assert first.location == Location("f.csv", 9)
    assert second.observations == ()
    assert second.location is None


def _keyed_batch(keys: list[tuple[str, int | None, Severity, str, str]]) -> FindingRows:
    """A batch whose rows have the given (path, line, severity, code, message)."""
    figures = pl.DataFrame(
        {"path": [k[0] for k in keys], "line": [k[1] for k in keys]},
        schema={"path": pl.String, "line": pl.Int64},
    )
    rows = pl.DataFrame(
        {
            "code": [k[3] for k in keys],
            "severity": [k[2].value for k in keys],
            "message": [k[4] for k in keys],
            "located_at": list(range(len(keys))),
            "cited": [[n] for n in range(len(keys))],
        },
        schema_overrides={"cited": pl.List(pl.Int64)},
    )
    rows = rows.with_columns(
        pl.lit(None, dtype).alias(name) for name, dtype in ROW_SCHEMA.items() if name not in rows
    ).select(list(ROW_SCHEMA))
    return FindingRows(rows, figures, ())


_KEYS_REST = (
    st.none() | st.integers(1, 4),
    st.sampled_from(list(Severity)),
    st.sampled_from(["x", "y"]),
    st.sampled_from(["m", "M", "é", "ក", "m2"]),
)
_KEYS = st.tuples(st.sampled_from(["", "a.csv", "b.csv", "é.csv", "ក.csv", "Z.csv"]), *_KEYS_REST)


_OBJECT_KEYS = st.tuples(
    # A file name with a byte that is not UTF-8 reaches Python as a lone surrogate.
    st.sampled_from(["", "a.csv", "é.csv", "g\udcff.csv", "\ud7ff.csv", "\ue000.csv"]),
    *_KEYS_REST,
)


@settings(max_examples=150)
@given(
    objects=st.lists(_OBJECT_KEYS, max_size=8),
    batches=st.lists(st.lists(_KEYS, min_size=1, max_size=8), max_size=3),
    data=st.data(),
)
def test_report_order_is_a_stable_sort_of_every_finding(
    objects: list[tuple[str, int | None, Severity, str, str]],
    batches: list[list[tuple[str, int | None, Severity, str, str]]],
    data: st.DataObject,
) -> None:
    """Objects and rows of batches, recorded in any interleaving, come out as a stable sort of
    all of them as objects by their sort key (text in code-point order)."""
    made = [
        Finding(code, severity, message, location=Location(path, line))
        for path, line, severity, code, message in objects
    ]
    kept = [_keyed_batch(keys) for keys in batches]
    # Each object takes one number, each batch a run of numbers, in a drawn order.
    blocks: list[tuple[str, int]] = [("object", n) for n in range(len(made))]
    blocks += [("batch", n) for n in range(len(kept))]
    blocks = data.draw(st.permutations(blocks))
    keyed: list[tuple[int, Finding]] = []
    starts: list[tuple[int, FindingRows]] = []
    numbered: list[tuple[int, Finding, object]] = []
    number_ = 0
    for kind, n in blocks:
        if kind == "object":
            keyed.append((number_, made[n]))
            numbered.append((number_, made[n], made[n]))
            number_ += 1
        else:
            starts.append((number_, kept[n]))
            for row, finding in enumerate(kept[n].findings()):
                numbered.append((number_ + row, finding, (kept[n], row)))
            number_ += kept[n].rows.height
    expected = [entry for _, _, entry in sorted(numbered, key=lambda e: (e[1].sort_key, e[0]))]
    found = list(ordered(keyed, starts))
    assert len(found) == len(expected)
    for got, want in zip(found, expected, strict=True):
        if isinstance(want, Finding):
            assert got is want
        else:
            assert isinstance(got, tuple)
            assert isinstance(want, tuple)
            assert got[0] is want[0]
            assert got[1] == want[1]
