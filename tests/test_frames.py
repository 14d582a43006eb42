"""Frames in and out: a data frame is checked like its CSV, and findings come back as a frame.

Checking a pandas, polars or pyarrow frame gives the findings its long CSV gives, with each
figure located by its 0-based row instead of its physical line; numbers keep their written
form. ``Report.to_polars()`` has one row per finding with the JSON report's fields, and its
exploded forms join back to the input rows.
"""

from __future__ import annotations

import json
import re
from typing import Any

import pandas as pd
import polars as pl
import pyarrow as pa
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import tip_indicators as ti
from strategies import COLUMNS, Case, Defect, consistent_cases, defects
from tip_indicators.errors import ArgumentError, InputError
from tip_indicators.findings import Finding, Location
from tip_indicators.render.json import report_json

WORKED = "examples/cambodia-2010/report-2010.csv"


def _frame(case: Case, values: dict[int, str] | None = None) -> pl.DataFrame:
    """The case's rows as a polars frame of text, as its CSV would hold them."""
    rows = [
        {
            column: (values or {}).get(index, row.get(column, ""))
            if column == "value"
            else row.get(column, "")
            for column in COLUMNS
        }
        for index, row in enumerate(case.rows)
    ]
    return pl.DataFrame(rows, schema=dict.fromkeys(COLUMNS, pl.String))


def _in_library(frame: pl.DataFrame, library: str) -> Any:
    if library == "pandas":
        return frame.to_pandas()
    if library == "pyarrow":
        return frame.to_arrow()
    return frame


def _numbers_where_plain(frame: pl.DataFrame, library: str) -> Any:
    """The frame with its value column as numbers when every value is a plain whole number
    (or empty): how a pipeline holds counts. pandas gets floats with NaN for the gaps."""
    plain = frame.get_column("value").str.contains(r"^(\d+)?$").all()
    if not plain:
        return _in_library(frame, library)
    numbers = frame.with_columns(pl.col("value").replace("", None).cast(pl.Int64))
    if library == "pandas":
        converted = numbers.to_pandas()
        converted["value"] = converted["value"].astype("float64")
        return converted
    return _in_library(numbers, library)


def _place(location: Location | None, frame_rows: bool) -> tuple[str, int | None] | None:
    """A location as (path, CSV line): a frame's row is the line its CSV would have."""
    if location is None:
        return None
    if frame_rows:
        assert location.line is None
        return ("case.csv", None if location.row is None else location.row + 2)
    assert location.row is None
    return (location.path, location.line)


def _essence(finding: Finding, frame_rows: bool) -> tuple[object, ...]:
    # A frame has no physical lines: messages naming a CSV line are compared without it.
    message = re.sub(r"(line|row) \d+", "", finding.message)
    return (
        finding.code,
        finding.severity,
        message,
        finding.expected,
        finding.actual,
        _place(finding.location, frame_rows),
        tuple(
            (ref.indicator, ref.reporter, ref.value, _place(ref.location, frame_rows))
            for ref in finding.observations
        ),
        tuple((s.value, _place(s.location, frame_rows)) for s in finding.suggestions),
    )


def _same_findings(case: Case, text: str, frame: Any) -> None:
    from_csv = ti.check(ti.parse_long_csv(text, path="case.csv"))
    from_frame = ti.check(frame)
    assert [_essence(f, False) for f in from_csv.findings] == [
        _essence(f, True) for f in from_frame.findings
    ]
    assert from_frame.observations == from_csv.observations


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(consistent_cases(), st.sampled_from(["polars", "pandas", "pyarrow"]))
def test_a_frame_is_checked_as_its_csv(case: Case, library: str) -> None:
    _same_findings(case, case.text(), _in_library(_frame(case), library))


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(defects(equality_only=False), st.sampled_from(["polars", "pandas", "pyarrow"]))
def test_a_frame_with_a_wrong_figure_gives_the_csv_findings(defect: Defect, library: str) -> None:
    frame = _frame(defect.case, {defect.index: str(defect.value)})
    _same_findings(defect.case, defect.text(), _in_library(frame, library))


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(defects(), st.sampled_from(["polars", "pandas", "pyarrow"]))
def test_numbers_in_a_numeric_column_keep_their_written_form(defect: Defect, library: str) -> None:
    frame = _frame(defect.case, {defect.index: str(defect.value)})
    _same_findings(defect.case, defect.text(), _numbers_where_plain(frame, library))


def test_the_worked_example_as_a_pandas_frame_gives_its_findings_by_row() -> None:
    table = pd.read_csv(WORKED, dtype=str, keep_default_na=False)
    report = ti.check(table)
    from_file = ti.check(ti.read_dataset(WORKED))
    assert [f.code for f in report.findings] == [f.code for f in from_file.findings]
    for by_row, by_line in zip(report.findings, from_file.findings, strict=True):
        assert by_row.location is not None
        assert by_line.location is not None
        assert by_line.location.line is not None
        assert by_row.location.row == by_line.location.line - 2
        assert str(by_row.location).startswith("<frame> row ")
    # The cited figure is the frame's row: it joins back to the input.
    first = report.findings[1].observations[0]
    assert first.location.row is not None
    assert table.iloc[first.location.row]["value"] == first.value


def test_the_json_report_of_a_frame_names_rows_and_follows_its_schema() -> None:
    import jsonschema

    table = pl.read_csv(WORKED, infer_schema=False)
    data = json.loads(report_json(ti.check(table)))
    jsonschema.validate(data, ti.render.json.report_schema())  # type: ignore[attr-defined]
    location = data["findings"][0]["observations"][0]["location"]
    assert location["line"] is None
    assert isinstance(location["row"], int)
    assert data["inputs"][0]["path"] == "<frame>"


def test_an_integer_column_is_read_without_a_decimal_point() -> None:
    frame = pd.DataFrame(
        {
            "indicator": ["victims_received"] * 3,
            "period": ["2010"] * 3,
            "reporter": ["GOV.MOSVY"] * 3,
            "sex": ["_T", "F", "M"],
            "value": [10, 4, None],
        }
    )
    dataset = ti.from_frame(frame)
    assert dataset.observations.get_column("value").to_list()[:2] == ["10", "4"]
    # A gap is a missing value that needs a status, never a zero.
    (problem,) = dataset.problems
    assert problem.code == "missing-value-status"
    assert problem.location == Location("<frame>", None, "value", 2)


def test_a_float_that_is_not_whole_is_refused_as_a_count() -> None:
    frame = pl.DataFrame(
        {"indicator": ["victims_received"], "period": ["2010"], "reporter": ["A"], "value": [2.5]}
    )
    (problem,) = ti.from_frame(frame).problems
    assert problem.location is not None
    assert problem.location.row == 0
    assert "2.5" in problem.message


def test_a_frame_with_an_unknown_column_is_refused_with_a_hint() -> None:
    frame = pl.DataFrame({"indicator": ["x"], "period": ["2010"], "reporter": ["A"], "valeu": [1]})
    with pytest.raises(InputError, match=r"unknown column 'valeu'.*'value'"):
        ti.from_frame(frame, name="submission")


def test_something_that_is_not_a_frame_is_an_argument_error() -> None:
    with pytest.raises(ArgumentError, match="frame"):
        ti.check([{"indicator": "victims_received"}])


def test_a_lazy_polars_frame_and_an_arrow_table_are_read() -> None:
    table = pl.read_csv(WORKED, infer_schema=False)
    expected = ti.check(table).to_polars()
    assert ti.check(table.lazy()).to_polars().equals(expected)
    assert ti.check(pa.Table.from_pandas(table.to_pandas())).to_polars().equals(expected)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(defects(equality_only=False))
def test_to_polars_has_one_row_per_finding_with_the_json_fields(defect: Defect) -> None:
    report = ti.check(ti.parse_long_csv(defect.text(), path="case.csv"))
    frame = report.to_polars()
    data = json.loads(report_json(report))["findings"]
    assert frame.height == len(data)
    for row, finding in zip(frame.iter_rows(named=True), data, strict=True):
        for field in ("code", "severity", "message", "rule"):
            assert row[field] == finding[field]
        for field in ("expected", "actual", "imbalance", "tolerance"):
            number = row[field] if row[field] is not None else row[f"{field}_text"]
            assert number == finding[field]
        location = finding["location"] or {"path": None, "line": None}
        assert (row["path"], row["line"], row["row"]) == (location["path"], location["line"], None)
        assert [o["value"] for o in row["observations"]] == [
            o["value"] for o in finding["observations"]
        ]
        assert [(s["line"], s["value"]) for s in row["suggestions"]] == [
            (s["location"]["line"], s["value"]) for s in finding["suggestions"]
        ]


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(defects(equality_only=False))
def test_exploded_findings_join_back_to_the_input_rows(defect: Defect) -> None:
    frame = _frame(defect.case, {defect.index: str(defect.value)})
    report = ti.check(frame)
    cited = report.to_polars("observations")
    assert cited.height == sum(len(f.observations) for f in report.findings)
    joined = cited.join(
        frame.with_row_index("observation_row").with_columns(
            pl.col("observation_row").cast(pl.Int64)
        ),
        on="observation_row",
        how="left",
    )
    assert joined.get_column("observation_value").to_list() == joined.get_column("value").to_list()
    offered = report.to_polars("suggestions")
    assert offered.height == sum(len(f.suggestions) for f in report.findings)
    assert offered.get_column("suggestion_line").null_count() == offered.height


def test_explode_must_name_observations_or_suggestions() -> None:
    report = ti.check(ti.read_dataset(WORKED))
    with pytest.raises(ArgumentError, match="explode"):
        report.to_polars("figures")  # type: ignore[arg-type]


def test_to_pandas_has_the_same_findings() -> None:
    report = ti.check(ti.read_dataset(WORKED))
    table = report.to_pandas()
    assert list(table["code"]) == [f.code for f in report.findings]


def test_a_report_shows_counts_and_its_first_findings_briefly() -> None:
    rows = [
        f"victims_received,2010,GOV.R{n},{sex},{value}"
        for n in range(200)
        for sex, value in (("_T", 10), ("F", 6), ("M", 6))
    ]
    text = "indicator,period,reporter,sex,value\n" + "\n".join(rows) + "\n"
    report = ti.check(ti.parse_long_csv(text, path="many.csv"))
    shown = repr(report)
    assert report.errors == 200
    assert "200 errors" in shown
    assert "… and 197 more" in shown
    assert len(shown.splitlines()) == 5
    assert len(shown) < 1000
    page = report._repr_html_()
    assert page.count("<tr>") == 21  # the header and the first 20 findings
    assert "180 more findings" in page
    assert len(repr(report.findings[0])) < 140


def test_display_escapes_text_from_the_data() -> None:
    text = "indicator,period,reporter,sex,value\nvictims_received,2010,<b>X</b>,_T,10\n"
    text += "victims_received,2010,<b>X</b>,F,6\nvictims_received,2010,<b>X</b>,M,6\n"
    page = ti.check(ti.parse_long_csv(text, path="x.csv"))._repr_html_()
    assert "<b>X</b>" not in page
    assert "&lt;b&gt;X&lt;/b&gt;" in page


def test_dataset_and_profile_show_themselves_briefly() -> None:
    dataset = ti.read_dataset("tests/fixtures/invalid.csv")
    shown = repr(dataset)
    assert shown.startswith(f"<Dataset: {len(dataset)} observations from 1 input(s)")
    assert f"{len(dataset.problems)} reading problems" in shown
    assert len(shown.splitlines()) == 5
    assert repr(ti.builtin_profile()).startswith("<Profile builtin@1: ")
