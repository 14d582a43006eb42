"""Tests for tip_indicators.io.longcsv: the long-CSV contract, its error paths and round trips."""

from __future__ import annotations

import codecs
import csv
import io
import re
from collections.abc import Sequence
from pathlib import Path

import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from polars.testing import assert_frame_equal

from strategies import COLUMNS, Case, consistent_cases
from support import (
    HEADER,
    Row,
    WriteFile,
    columns_of,
    csv_records,
    csv_text,
    datasets,
    free_text,
)
from tip_indicators._private import csvrecords
from tip_indicators.check import check
from tip_indicators.datasets import Dataset
from tip_indicators.errors import InputError
from tip_indicators.findings import Finding, Severity, finding_codes
from tip_indicators.io.longcsv import ReadLimits, parse_long_csv, read_long_csv, write_long_csv

ROW = "victims_identified,2010,GOV.MOSVY"


def parse(*lines: str) -> Dataset:
    """Parse long-CSV lines (joined by LF) as the file ``t.csv``."""
    return parse_long_csv("\n".join(lines) + "\n", path="t.csv")


def where(dataset: Dataset) -> list[tuple[int | None, str | None, str]]:
    """Each reading problem as (line, field, code), in line order."""
    problems = [
        (p.location.line if p.location else None, p.location.field if p.location else None, p.code)
        for p in dataset.problems
    ]
    return sorted(problems, key=lambda item: (item[0] or 0, item[2]))


def only(dataset: Dataset) -> Finding:
    """The dataset's single reading problem."""
    assert len(dataset.problems) == 1, dataset.problems
    return dataset.problems[0]


def lines(dataset: Dataset) -> list[int]:
    """The physical lines of the dataset's observations."""
    return dataset.observations.get_column("line").to_list()


def comparable(frame: pl.DataFrame) -> pl.DataFrame:
    """An observation frame without provenance, ordered by its text columns."""
    return frame.drop("path", "line")


# ---------------------------------------------------------------- files that cannot be read


def test_empty_file_is_an_input_error(write_file: WriteFile) -> None:
    """An empty file cannot be read: it has no header."""
    path = write_file("empty.csv", b"")
    with pytest.raises(InputError, match="empty file") as error:
        read_long_csv(path)
    assert error.value.path == str(path)


def test_file_of_blank_lines_is_an_input_error() -> None:
    """A file holding only blank lines has no header either."""
    with pytest.raises(InputError, match="no header"):
        parse_long_csv("\n\r\n\n", path="t.csv")


def test_header_only_gives_no_observations_and_no_problem() -> None:
    """A header without rows reads as an empty dataset, not an error."""
    dataset = parse(HEADER)
    assert len(dataset) == 0
    assert dataset.problems == ()
    assert dataset.inputs[0].observations == 0


def test_missing_required_column_is_an_input_error() -> None:
    """A header without a required column is an input error naming the column at line 1."""
    with pytest.raises(InputError, match="reporter") as error:
        parse("indicator,period,value", f"{ROW},5")
    assert error.value.line == 1
    assert "missing" in error.value.reason


def test_duplicate_column_is_an_input_error() -> None:
    """A column named twice in the header is an input error."""
    with pytest.raises(InputError, match="'sex' appears twice") as error:
        parse(f"{HEADER},sex,sex")
    assert error.value.line == 1


def test_unknown_column_is_an_input_error_with_a_hint() -> None:
    """An unknown column is an input error that suggests the column meant."""
    with pytest.raises(InputError) as error:
        parse(f"{HEADER},nationalty", f"{ROW},5,KH")
    assert error.value.line == 1
    assert "unknown column 'nationalty'" in error.value.reason
    assert "did you mean 'nationality'?" in error.value.reason


def test_column_with_stray_space_is_unknown_with_a_hint() -> None:
    """A header cell with a stray space is not the column it resembles, and says so."""
    with pytest.raises(InputError, match=r"unknown column ' value' \(did you mean 'value'\?\)"):
        parse("indicator,period,reporter, value")


def test_catalogue_dimension_column_is_known() -> None:
    """A dimension the catalogue defines (case_status) is a valid column."""
    dataset = parse(
        "indicator,period,reporter,case_status,value", "victims_monitored,2010,GOV,CLOSED,4"
    )
    assert dataset.problems == ()
    assert "case_status" in dataset.dimensions
    assert dataset.observations.get_column("case_status").to_list() == ["CLOSED"]


@pytest.mark.parametrize(
    ("separator", "name", "last"), [(";", ";", "valeur"), ("\t", "tab", "value")]
)
def test_header_split_by_another_delimiter_is_an_input_error(
    separator: str, name: str, last: str
) -> None:
    """A tab-separated file, or a semicolon-separated one whose header is not a long-CSV
    header even split by semicolons, is refused with the delimiter named."""
    header = separator.join(["indicator", "period", "reporter", last])
    with pytest.raises(InputError, match=f"split by {name}") as error:
        parse(header, separator.join(["victims_identified", "2010", "GOV", "5"]))
    assert error.value.line == 1


def test_utf8_bom_is_read(write_file: WriteFile) -> None:
    """A UTF-8 byte-order mark does not become part of the first column name."""
    path = write_file("bom.csv", codecs.BOM_UTF8 + f"{HEADER}\n{ROW},5\n".encode())
    dataset = read_long_csv(path)
    assert dataset.problems == ()
    assert dataset.observations.get_column("indicator").to_list() == ["victims_identified"]


@pytest.mark.parametrize("encoding", ["utf-16-le", "utf-16-be"])
def test_utf16_with_bom_is_read(write_file: WriteFile, encoding: str) -> None:
    """UTF-16 text that starts with a byte-order mark is decoded."""
    text = f"\ufeff{HEADER},source\n{ROW},5,Phnom Penh ភ្នំពេញ\n"
    dataset = read_long_csv(write_file("u16.csv", text.encode(encoding)))
    assert dataset.problems == ()
    assert dataset.observations.get_column("source").to_list() == ["Phnom Penh ភ្នំពេញ"]


def test_latin1_is_refused_naming_the_line(write_file: WriteFile) -> None:
    """A Latin-1 file is an input error that names the line of the first non-UTF-8 byte."""
    text = f"{HEADER},source\n{ROW},5,Phnom Penh\nvictims_identified,2011,GOV.MOSVY,6,Café\n"
    path = write_file("latin1.csv", text.encode("latin-1"))
    with pytest.raises(InputError, match="not UTF-8") as error:
        read_long_csv(path)
    assert error.value.line == 3
    assert "0xe9" in error.value.reason


def test_nul_bytes_are_refused(write_file: WriteFile) -> None:
    """A file with NUL bytes is binary, not text."""
    with pytest.raises(InputError, match="binary"):
        read_long_csv(write_file("nul.csv", f"{HEADER}\n{ROW},5\x00\n".encode()))


def test_missing_file_is_an_input_error(tmp_path: Path) -> None:
    """A path that does not exist is an input error naming it."""
    path = tmp_path / "absent.csv"
    with pytest.raises(InputError, match="cannot open") as error:
        read_long_csv(path)
    assert error.value.path == str(path)


def test_folder_is_an_input_error(tmp_path: Path) -> None:
    """A folder is not a file to read."""
    with pytest.raises(InputError, match="not a regular file"):
        read_long_csv(tmp_path)


def test_file_over_the_size_limit_is_refused(write_file: WriteFile) -> None:
    """A file larger than ReadLimits.max_file_bytes is refused before it is read."""
    path = write_file("big.csv", f"{HEADER}\n{ROW},5\n")
    with pytest.raises(InputError, match="over the limit"):
        read_long_csv(path, limits=ReadLimits(max_file_bytes=10))


def test_field_over_the_size_limit_is_refused(write_file: WriteFile) -> None:
    """A field larger than ReadLimits.max_field_bytes is an input error, not a hang."""
    path = write_file("field.csv", f"{HEADER},note\n{ROW},5,{'x' * 200}\n")
    with pytest.raises(InputError, match=r"note: .*longer than the limit of 100 bytes"):
        read_long_csv(path, limits=ReadLimits(max_field_bytes=100))


def test_an_unfinished_read_leaves_the_field_limit_to_the_next() -> None:
    """A read stopped part-way (a reader that raised at a bad header keeps its records
    unfinished) neither keeps its field limit set nor takes it back from a later read."""
    before = csv.field_size_limit()
    unfinished = csvrecords.csv_records(
        "a,b\n1,2\n3,4\n", "t.csv", ReadLimits(max_field_bytes=1000)
    )
    assert next(unfinished) == (1, ["a", "b"])
    assert csv.field_size_limit() == before
    later = csvrecords.csv_records("a\n" + "x" * 50 + "\n", "u.csv", ReadLimits(max_field_bytes=10))
    assert next(later) == (1, ["a"])
    del unfinished  # finalised at once: its end must not touch the later read
    with pytest.raises(InputError, match="longer than the limit of 10 bytes"):
        next(later)
    assert csv.field_size_limit() == before


def test_unterminated_quote_names_the_line_where_the_row_starts() -> None:
    """A quote never closed is an input error at the row where it opens, not at the end."""
    with pytest.raises(InputError, match="not readable as CSV") as error:
        parse(f"{HEADER},note", f"{ROW},5,ok", f'{ROW},6,"never closed', f"{ROW},7,x", f"{ROW},8,y")
    assert error.value.line == 3
    assert "runs to line" in error.value.reason


def test_text_after_a_closing_quote_is_an_input_error() -> None:
    """A quoted field followed by more text is malformed CSV, reported at its line."""
    with pytest.raises(InputError, match="not readable as CSV") as error:
        parse(f"{HEADER},note", f"{ROW},5,ok", f'{ROW},6,"ab"c')
    assert error.value.line == 3


# ---------------------------------------------------------------- line numbers


def test_ragged_rows_are_findings_at_their_physical_line() -> None:
    """Rows with too many or too few fields are row-shape errors; the other rows are read."""
    dataset = parse(HEADER, f"{ROW},5", f"{ROW},6,7", "victims_identified,2011", f"{ROW}-01,8")
    assert where(dataset) == [(3, None, "row-shape"), (4, None, "row-shape")]
    assert lines(dataset) == [2, 5]
    assert "row has 5 fields, the header has 4" in dataset.problems[0].message
    assert "row has 2 fields, the header has 4" in dataset.problems[1].message


def test_embedded_newline_keeps_later_lines_physical() -> None:
    """A quoted field spanning lines moves the line numbers of later rows by its extra lines."""
    dataset = parse(
        f"{HEADER},note",
        f'{ROW},5,"first',
        "second",
        'third"',
        "victims_identified,2011,GOV.MOSVY,x,",
    )
    assert lines(dataset) == [2]
    assert dataset.observations.get_column("note").to_list() == ["first\nsecond\nthird"]
    assert where(dataset) == [(5, "value", "unreadable-value")]


def test_blank_lines_and_crlf_keep_physical_lines() -> None:
    """Blank lines are not rows but count as lines, with CR LF line ends too."""
    text = f"{HEADER}\r\n\r\n{ROW},5\r\n\r\n\r\nvictims_identified,2011,GOV.MOSVY,x\r\n"
    dataset = parse_long_csv(text, path="t.csv")
    assert lines(dataset) == [3]
    assert where(dataset) == [(6, "value", "unreadable-value")]


def test_golden_valid_file_reads_without_problems(fixtures: Path) -> None:
    """The golden valid file reads every row as an observation with no problem."""
    dataset = read_long_csv(fixtures / "valid.csv")
    assert dataset.problems == ()
    assert lines(dataset) == list(range(2, 11))


def test_golden_invalid_file_reports_each_defect_at_its_line(fixtures: Path) -> None:
    """Each row of the golden invalid file is reported at its line and column with its code."""
    dataset = read_long_csv(fixtures / "invalid.csv")
    assert where(dataset) == [
        (3, "sex", "unknown-code"),
        (4, "indicator", "unknown-indicator"),
        (5, "period", "invalid-period"),
        (6, "destination", "unknown-code"),
        (7, "value", "unreadable-value"),
        (8, "value", "missing-value-status"),
        (9, "value", "censoring-not-allowed"),
        (10, "value", "invalid-count"),
        (11, "value", "invalid-count"),
        (12, "base_period", "invalid-period"),
        (13, "unit", "unit-mismatch"),
        (14, "sex", "dimension-not-allowed"),
        (15, None, "row-shape"),
        (17, None, "duplicate-identical"),
        (19, "value", "duplicate-conflict"),
        (20, "reporter", "missing-field"),
    ]
    assert lines(dataset) == [2, 16]
    assert all(
        p.location and p.location.path == str(fixtures / "invalid.csv") for p in dataset.problems
    )


# ---------------------------------------------------------------- rows


def test_dimensions_default_to_total_and_measure_to_level() -> None:
    """Absent or empty dimension cells are _T; an empty measure is N."""
    dataset = parse(f"{HEADER},sex,measure", f"{ROW},5,,")
    row = dataset.observations.row(0, named=True)
    assert {d: row[d] for d in dataset.dimensions} == dict.fromkeys(dataset.dimensions, "_T")
    assert row["measure"] == "N"
    assert row["base_period"] is None


def test_values_are_read_as_intervals() -> None:
    """Exact, grouped and censored values become low/high bounds; decimals are counted."""
    dataset = parse(
        f"{HEADER},sex,measure",
        f"{ROW},<5,F,N",
        f'{ROW},"1,041",M,N',
        f"{ROW},68.04,_T,PCT",
    )
    frame = dataset.observations.select("value", "low", "high", "decimals")
    assert frame.rows() == [
        ("<5", 0.0, 4.0, None),
        ("1,041", 1041.0, 1041.0, 0),
        ("68.04", 68.04, 68.04, 2),
    ]


@pytest.mark.parametrize(
    "value",
    ["1,04", "NaN", "inf", "1e308", "12 345", "<0", "five", "1" * 400],
)
def test_unreadable_value_is_a_finding_never_a_zero(value: str) -> None:
    """A value that is not a number or censored count is an error at its line and column."""
    dataset = parse(f"{HEADER}", f'{ROW},"{value}"')
    finding = only(dataset)
    assert (finding.code, finding.severity) == ("unreadable-value", Severity.ERROR)
    assert finding.location is not None
    assert (finding.location.path, finding.location.line, finding.location.field) == (
        "t.csv",
        2,
        "value",
    )
    assert repr(value) in finding.message
    assert len(dataset) == 0


def test_value_with_very_many_decimals_is_read() -> None:
    """A value with hundreds of decimals is read (decimals saturate), not a crash."""
    dataset = parse(f"{HEADER},measure", f"{ROW},0.{'1' * 200},PCT")
    assert dataset.problems == ()
    assert dataset.observations.get_column("decimals").to_list() == [127]


def test_missing_value_needs_a_status() -> None:
    """An empty value needs a missing-value status; with one it is read as a missing figure."""
    dataset = parse(
        f"{HEADER},status",
        f"{ROW},,",
        "victims_identified,2011,GOV.MOSVY,,Q",
        "victims_identified,2012,GOV.MOSVY,,E",
    )
    assert where(dataset) == [
        (2, "value", "missing-value-status"),
        (4, "value", "missing-value-status"),
    ]
    assert lines(dataset) == [3]
    assert dataset.observations.select("low", "high", "status").rows() == [(None, None, "Q")]


def test_censored_value_in_a_percentage_change_is_refused() -> None:
    """A censored value where a measure needs an exact figure is censoring-not-allowed."""
    dataset = parse(f"{HEADER},measure", f"{ROW},<5,PCH", "victims_identified,2011,GOV.MOSVY,<5,N")
    assert where(dataset) == [(2, "value", "censoring-not-allowed")]
    assert "'<5' is censored" in dataset.problems[0].message
    assert lines(dataset) == [3]


@pytest.mark.parametrize(
    ("value", "reason"), [("-3", "negative"), ("2.5", "fractional"), ("0.5", "fractional")]
)
def test_negative_or_fractional_count_is_invalid(value: str, reason: str) -> None:
    """A level count below zero or with a fraction is an invalid-count error."""
    finding = only(parse(HEADER, f"{ROW},{value}"))
    assert finding.code == "invalid-count"
    assert reason in finding.message


def test_change_may_be_negative_and_percentages_fractional() -> None:
    """Negative changes and fractional percentages are valid figures."""
    dataset = parse(f"{HEADER},measure", f"{ROW},-3,CHG", f"{ROW},-2.5,PCH", f"{ROW},12.5,PCT")
    assert dataset.problems == ()
    assert len(dataset) == 3


def test_fractional_change_of_a_count_is_invalid() -> None:
    """An absolute change of a count cannot be fractional."""
    assert only(parse(f"{HEADER},measure", f"{ROW},1.5,CHG")).code == "invalid-count"


def test_negative_percentage_share_is_invalid() -> None:
    """A percentage share cannot be negative."""
    finding = only(parse(f"{HEADER},measure", f"{ROW},-1,PCT"))
    assert (finding.code, "share" in finding.message) == ("invalid-count", True)


def test_change_defaults_to_the_previous_year_as_base() -> None:
    """A change without a base period is measured against the same period a year earlier."""
    dataset = parse(
        f"{HEADER},measure",
        "victims_identified,2010-Q3,GOV.MOSVY,4,CHG",
        "victims_identified,2010-05,GOV.MOSVY,4,PCH",
        "victims_identified,2010,GOV.MOSVY,4,N",
    )
    assert dataset.observations.get_column("base_period").to_list() == ["2009-Q3", "2009-05", None]


@pytest.mark.parametrize(
    ("measure", "base", "message"),
    [
        ("CHG", "2011", "'2011' is not before period '2010'"),
        ("PCH", "2010", "'2010' is not before period '2010'"),
        ("CHG", "2009-Q1", "not of the same frequency"),
        ("CHG", "2009-Q7", "'2009-Q7' is not a period"),
        ("N", "2009", "only a change (CHG, PCH) has a base period"),
    ],
)
def test_bad_base_period_is_an_invalid_period(measure: str, base: str, message: str) -> None:
    """A base period after the period, of another frequency, malformed or on a level is refused."""
    finding = only(parse(f"{HEADER},measure,base_period", f"{ROW},4,{measure},{base}"))
    assert (finding.code, finding.location and finding.location.field) == (
        "invalid-period",
        "base_period",
    )
    assert message in finding.message


@pytest.mark.parametrize("period", ["2010-Q5", "2010-13", "2010-00", "10", "2010 ", "2010-S3"])
def test_impossible_period_is_an_invalid_period(period: str) -> None:
    """An impossible period is an invalid-period error in the period column."""
    finding = only(parse(HEADER, f"victims_identified,{period},GOV,4"))
    assert (finding.code, finding.location and finding.location.field) == (
        "invalid-period",
        "period",
    )


def test_unit_must_match_the_indicator() -> None:
    """A stated unit other than the indicator's is a unit-mismatch; plurals and % are accepted."""
    dataset = parse(
        f"{HEADER},measure,unit",
        f"{ROW},4,N,persons",
        "victims_identified,2011,GOV.MOSVY,4,N,person",
        "victims_identified,2012,GOV.MOSVY,4,PCT,%",
        "victims_identified,2013,GOV.MOSVY,4,N,cases",
        "victims_identified,2014,GOV.MOSVY,4,PCH,persons",
    )
    assert where(dataset) == [(5, "unit", "unit-mismatch"), (6, "unit", "unit-mismatch")]
    assert (
        "'cases' given, but victims_identified N figures are in 'person'"
        in dataset.problems[0].message
    )


def test_dimension_not_allowed_for_the_indicator() -> None:
    """A breakdown the catalogue does not allow for an indicator is an error in that column."""
    dataset = parse(
        f"{HEADER},sex", "cases_investigated,2010,GOV,4,F", "cases_investigated,2011,GOV,4,"
    )
    assert where(dataset) == [(2, "sex", "dimension-not-allowed")]
    assert "has no breakdown by sex" in dataset.problems[0].message


@pytest.mark.parametrize(("code", "hint"), [("Female ", "F"), ("f", "F"), ("female", "F")])
def test_sex_near_miss_is_an_unknown_code_with_a_hint(code: str, hint: str) -> None:
    """A near-miss sex code is an unknown-code error suggesting the code meant; the code is
    quoted as read (trimmed), and the error is its only finding."""
    finding = only(parse(f"{HEADER},sex", f'{ROW},4,"{code}"'))
    assert finding.code == "unknown-code"
    assert finding.location is not None
    assert finding.location.field == "sex"
    assert f"unknown code {code.strip()!r} (did you mean {hint!r}?)" in finding.message


def test_destination_codes_are_checked() -> None:
    """Destination codes are types with optional organisations; a lower-case one gets a hint."""
    dataset = parse(
        f"{HEADER},destination",
        f"{ROW},4,NGO.AFESIP",
        f"{ROW},4,GOV.PPDOSVY",
        f"{ROW},4,ngo.afesip",
        f"{ROW},4,XYZ.A",
    )
    assert where(dataset) == [
        (4, "destination", "unknown-code"),
        (5, "destination", "unknown-code"),
    ]
    assert "did you mean 'NGO.AFESIP'?" in dataset.problems[0].message
    assert "did you mean" not in dataset.problems[1].message
    assert lines(dataset) == [2, 3]


def test_unknown_indicator_suggests_the_closest() -> None:
    """An unknown indicator is an error suggesting the nearest catalogue code."""
    finding = only(parse(HEADER, "victim_identified,2010,GOV,4"))
    assert finding.code == "unknown-indicator"
    assert "did you mean 'victims_identified'?" in finding.message


@pytest.mark.parametrize("column", ["measure", "status", "conf_status"])
def test_attribute_codes_are_checked(column: str) -> None:
    """Measure, status and confidentiality codes must be in their codelists."""
    finding = only(parse(f"{HEADER},{column}", f"{ROW},4,ZZ"))
    assert (finding.code, finding.location and finding.location.field) == ("unknown-code", column)


def test_empty_required_field_is_a_finding() -> None:
    """An empty indicator, period or reporter is a missing-field error in that column."""
    dataset = parse(
        HEADER, ",2010,GOV,4", "victims_identified,,GOV,4", "victims_identified,2010, ,4"
    )
    assert where(dataset) == [
        (2, "indicator", "missing-field"),
        (3, "period", "missing-field"),
        (4, "reporter", "missing-field"),
    ]


def test_one_row_with_several_problems_gets_a_finding_for_each() -> None:
    """Every problem of a row is reported, not only the first."""
    dataset = parse(f"{HEADER},sex", f"{ROW},x,f")
    assert where(dataset) == [(2, "sex", "unknown-code"), (2, "value", "unreadable-value")]


def test_identical_duplicates_warn_and_keep_one() -> None:
    """A key given twice with the same value is a warning and one copy is kept."""
    dataset = parse(
        f"{HEADER},note", f"{ROW},4,a", f"{ROW},4.0,b", "victims_identified,2011,GOV.MOSVY,4,"
    )
    finding = only(dataset)
    assert (finding.code, finding.severity) == ("duplicate-identical", Severity.WARNING)
    assert [o.location.line for o in finding.observations] == [2, 3]
    assert lines(dataset) == [2, 4]


def test_conflicting_duplicates_are_an_error_and_both_excluded() -> None:
    """A key given twice with different values is an error and neither copy is used."""
    dataset = parse(HEADER, f"{ROW},4", "victims_identified,2011,GOV.MOSVY,4", f"{ROW},5")
    finding = only(dataset)
    assert (finding.code, finding.severity) == ("duplicate-conflict", Severity.ERROR)
    assert [o.location.line for o in finding.observations] == [2, 4]
    assert finding.location is not None
    assert (finding.location.path, finding.location.line, finding.location.field) == (
        "t.csv",
        4,
        "value",
    )
    assert "'4', '5'" in finding.message
    assert lines(dataset) == [3]


def test_rows_differing_by_a_dimension_are_not_duplicates() -> None:
    """Rows whose keys differ in any dimension or the measure are distinct figures."""
    dataset = parse(f"{HEADER},sex,measure", f"{ROW},4,F,N", f"{ROW},5,M,N", f"{ROW},6,F,CHG")
    assert dataset.problems == ()
    assert len(dataset) == 3


def test_dataset_records_its_input(write_file: WriteFile) -> None:
    """The dataset names its input with the SHA-256 of its bytes and the observations read."""
    import hashlib

    content = f"{HEADER}\n{ROW},4\nvictims_identified,2011,GOV,x\n".encode()
    path = write_file("in.csv", content)
    dataset = read_long_csv(path)
    (source,) = dataset.inputs
    assert (source.path, source.sha256, source.observations, source.format) == (
        str(path),
        hashlib.sha256(content).hexdigest(),
        1,
        "long-csv",
    )


# ---------------------------------------------------------------- nothing is dropped silently


@st.composite
def damaged_files(draw: st.DrawFn) -> tuple[str, list[int]]:
    """A long CSV whose valid rows are damaged at random: bad cells, ragged rows, duplicates."""
    table = draw(datasets())
    header = columns_of(table)
    records: list[list[str]] = []
    for row in table:
        record = [row.get(column, "") for column in header]
        damage = draw(st.sampled_from(["none", "cell", "empty", "ragged", "twice", "conflict"]))
        if damage == "cell":
            record[draw(st.integers(0, len(record) - 1))] = draw(free_text)
        elif damage == "empty":
            record[draw(st.integers(0, len(record) - 1))] = ""
        elif damage == "ragged":
            size = draw(st.integers(1, len(record) + 2).filter(lambda n: n != len(header)))
            record = [*record, "x", "y"][:size]
        records.append(record)
        if damage in {"twice", "conflict"}:
            copy = list(record)
            if damage == "conflict":
                copy[header.index("value")] = str(draw(st.integers(0, 99)))
            records.insert(draw(st.integers(0, len(records))), copy)
    return csv_records(header, records, crlf=draw(st.booleans()))


@given(damaged_files())
def test_every_row_is_an_observation_or_cited_by_a_finding(damaged: tuple[str, list[int]]) -> None:
    """Reading never drops a row silently: each is read or cited, and errors are never read."""
    text, row_lines = damaged
    dataset = parse_long_csv(text, path="t.csv")
    read = lines(dataset)
    cited: set[int | None] = set()
    for problem in dataset.problems:
        assert problem.code in finding_codes()
        cited |= {problem.location.line if problem.location else None}
        cited |= {o.location.line for o in problem.observations}
    assert len(set(read)) == len(read)
    assert set(read) <= set(row_lines)
    assert set(row_lines) <= set(read) | cited
    for problem in dataset.problems:
        if problem.severity is Severity.ERROR:
            blamed = {o.location.line for o in problem.observations}
            blamed |= {problem.location.line if problem.location else None}
            assert not blamed & set(read), problem


# ---------------------------------------------------------------- writing and round trips


def written(dataset: Dataset) -> str:
    """The dataset as long-CSV text."""
    out = io.StringIO()
    write_long_csv(dataset, out)
    return out.getvalue()


def check_read_as_written(table: Sequence[Row], text: str, row_lines: list[int]) -> Dataset:
    """Parse ``text`` and check each generated row was read unchanged at its line."""
    dataset = parse_long_csv(text, path="t.csv")
    assert dataset.problems == ()
    frame = dataset.observations
    assert lines(dataset) == row_lines
    defaults = {"value": "", "measure": "N", **dict.fromkeys(dataset.dimensions, "_T")}
    for column in ("indicator", "period", "reporter", *defaults, "source", "note", "id", "status"):
        expected = [row.get(column) or defaults.get(column) for row in table]
        assert frame.get_column(column).to_list() == expected, column
    return dataset


@given(datasets(), st.booleans(), st.data())
def test_long_csv_round_trip_is_the_identity(
    table: list[Row], crlf: bool, data: st.DataObject
) -> None:
    """Reading, writing and reading again gives the same observations, in any column order."""
    columns = data.draw(st.permutations(columns_of(table)), label="columns")
    text, row_lines = csv_text(table, columns, crlf=crlf)
    first = check_read_as_written(table, text, row_lines)
    second = parse_long_csv(written(first), path="u.csv")
    assert second.problems == ()
    assert second.dimensions == first.dimensions
    assert_frame_equal(comparable(first.observations), comparable(second.observations))


@given(datasets(age_and_geography=True))
def test_long_csv_round_trip_with_age_and_nationality_codes(table: list[Row]) -> None:
    """Round trips keep age bands, nationalities and countries of exploitation too."""
    text, row_lines = csv_text(table)
    first = check_read_as_written(table, text, row_lines)
    second = parse_long_csv(written(first), path="u.csv")
    assert second.problems == ()
    assert_frame_equal(comparable(first.observations), comparable(second.observations))


def test_write_to_a_path_uses_utf8_and_lf(tmp_path: Path, fixtures: Path) -> None:
    """Writing to a path gives UTF-8 text with LF line ends that reads back the same."""
    first = read_long_csv(fixtures / "valid.csv")
    target = tmp_path / "out.csv"
    write_long_csv(first, target)
    data = target.read_bytes()
    assert b"\r\n" not in data
    second = read_long_csv(target)
    assert_frame_equal(comparable(first.observations), comparable(second.observations))


def test_writer_leaves_out_dimensions_that_are_all_total() -> None:
    """Columns of dimensions that are _T in every row, and empty attributes, are not written."""
    dataset = parse(f"{HEADER},sex,age,note,case_status", f"{ROW},4,F,,,")
    assert written(dataset).splitlines()[0] == "indicator,period,reporter,sex,measure,value"


def test_writer_quotes_a_lone_carriage_return() -> None:
    """A source holding a lone CR is quoted, so it does not split the row when read back."""
    dataset = parse_long_csv(f'{HEADER},source\n{ROW},4,"a\rb"\n', path="t.csv")
    again = parse_long_csv(written(dataset), path="u.csv")
    assert again.problems == ()
    assert again.observations.get_column("source").to_list() == ["a\rb"]


def test_writer_writes_the_base_period_of_changes_only() -> None:
    """The defaulted base period of a change is written; a level has none."""
    dataset = parse(f"{HEADER},measure", f"{ROW},4,CHG", "victims_identified,2011,GOV.MOSVY,4,N")
    assert written(dataset).splitlines()[1:] == [
        "victims_identified,2010,GOV.MOSVY,CHG,2009,4",
        "victims_identified,2011,GOV.MOSVY,N,,4",
    ]


def test_reading_problem_rows_are_not_written(fixtures: Path) -> None:
    """Only observations are written: rows with errors stay out of the output."""
    dataset = read_long_csv(fixtures / "invalid.csv")
    out = written(dataset).splitlines()
    assert len(out) == 1 + len(dataset)
    assert all("Female" not in line for line in out)


def test_writing_does_not_change_the_dataset(fixtures: Path) -> None:
    """Writing a dataset leaves its observations as they were."""
    dataset = read_long_csv(fixtures / "invalid.csv")
    before = dataset.observations.clone()
    written(dataset)
    assert_frame_equal(before, dataset.observations)


def test_empty_dataset_writes_a_header_only() -> None:
    """A dataset with no observations writes the required header and nothing else."""
    out = written(parse(HEADER))
    assert parse_long_csv(out, path="u.csv").problems == ()
    assert out.count("\n") == 1


_FLAWS: dict[str, list[str]] = {
    "indicator": ["", " ", "victims_identifed"],
    "period": ["", "2010-13", "20x0", " "],
    "reporter": ["", "  "],
    "sex": ["Q", "_T", "F"],
    "destination": ["NGO.", "GOV"],
    "measure": ["X", "CHG", "PCT"],
    "base_period": ["2011", "2009-Q1", "20", "2009"],
    "value": ["abc", "1.5", "-3", "<0", "<3", ""],
    "status": ["Z", "L"],
    "unit": ["cases", "persons", "%"],
}


@st.composite
def flawed_tables(draw: st.DrawFn) -> list[Row]:
    """Valid rows, some with one or two cells replaced by values that may be wrong."""
    table = draw(datasets())
    for row in table:
        for _ in range(draw(st.integers(0, 2))):
            column = draw(st.sampled_from(sorted(_FLAWS)))
            row[column] = draw(st.sampled_from(_FLAWS[column]))
    return table


@settings(max_examples=150)
@given(flawed_tables())
def test_rows_are_judged_alone(table: list[Row]) -> None:
    """What the reader says of a row does not depend on the other rows: a file's findings about
    single rows are those of each row read on its own, and each row's observation is the same.
    (Rows are judged by their distinct values, with shortcuts when none is wrong.)"""
    columns = columns_of(table)
    text, lines = csv_text(table, columns)
    whole = parse_long_csv(text)
    alone: list[tuple[object, ...]] = []
    kept: list[tuple[object, ...]] = []
    for line, row in zip(lines, table, strict=True):
        single = parse_long_csv(csv_text([row], columns)[0])
        for finding in single.problems:
            if finding.code.startswith("duplicate"):
                continue
            assert finding.location is not None
            # Alone, the row starts at line 2.
            alone.append((line, finding.location.field, finding.code, finding.message))
        kept += single.observations.drop("line").rows()
    together = [
        (f.location.line, f.location.field, f.code, f.message)
        for f in whole.problems
        if not f.code.startswith("duplicate") and f.location is not None
    ]
    assert sorted(together, key=repr) == sorted(alone, key=repr)
    if not any(f.code.startswith("duplicate") for f in whole.problems):
        observed = whole.observations.drop("line").rows()
        assert sorted(map(repr, observed)) == sorted(map(repr, kept))


# --------------------------------------------------------------------------- code variants

_PADDING = st.sampled_from(["", " ", "  ", "\t", "\u200b", "\ufeff", "\u00ad", "\u2060"])


@settings(max_examples=40, deadline=None)
@given(
    before=_PADDING,
    inside=_PADDING,
    after=_PADDING,
    decomposed=st.booleans(),
)
def test_code_variants_read_as_one_code(
    before: str, inside: str, after: str, decomposed: bool
) -> None:
    """A reporter with spaces, invisible characters or NFD accents is read as its NFC, trimmed
    form with a code-variant warning at its line, so a repeated figure is a duplicate."""
    import unicodedata

    code = "NGO.CAFÉ"
    written = before + code[:4] + inside.strip() + code[4:] + after
    if decomposed:
        written = unicodedata.normalize("NFD", written)
    text = f"{HEADER}\nvictims_identified,2010,{code},4\nvictims_identified,2010,{written},5\n"
    dataset = parse_long_csv(text)
    variants = [p for p in dataset.problems if p.code == "code-variant"]
    conflicts = [p for p in dataset.problems if p.code == "duplicate-conflict"]
    assert len(conflicts) == 1
    if written == code:
        assert variants == []
    else:
        [variant] = variants
        assert variant.severity is Severity.WARNING
        assert variant.location is not None
        assert (variant.location.line, variant.location.field) == (3, "reporter")
        assert f"read as {code!r}" in variant.message


def test_case_variant_is_counted_apart_with_a_warning() -> None:
    """gov.police beside GOV.POLICE is not folded: a warning at the less used spelling."""
    text = (
        f"{HEADER}\nvictims_identified,2010,GOV.POLICE,4\nvictims_identified,2011,GOV.POLICE,5\n"
        "victims_identified,2012,gov.police,6\n"
    )
    dataset = parse_long_csv(text)
    assert sorted(set(dataset.observations.get_column("reporter"))) == ["GOV.POLICE", "gov.police"]
    [variant] = dataset.problems
    assert variant.code == "code-variant"
    assert variant.location is not None
    assert variant.location.line == 4
    assert "only in case" in variant.message


@pytest.mark.parametrize("status", ["L", "M", "O", "Q"])
@pytest.mark.parametrize("value", ["5", "0", "<5", "2..4"])
def test_figure_under_a_missing_status_is_an_error(status: str, value: str) -> None:
    """A figure given with a status saying there is none is an error, left out of the sums."""
    good = "victims_identified,2010,KHM,4,"
    text = f"{HEADER},status\n{good}\nvictims_identified,2011,KHM,{value},{status}\n"
    dataset = parse_long_csv(text)
    assert len(dataset) == 1
    [problem] = dataset.problems
    assert (problem.code, problem.severity) == ("missing-value-status", Severity.ERROR)
    assert problem.location is not None
    assert problem.location.line == 3
    assert f"status {status} says there is no figure" in problem.message


def test_integers_beyond_two_to_the_53_are_refused() -> None:
    """9007199254740993 cannot be summed exactly in a float: it is unreadable, not rounded."""
    text = (
        f"{HEADER},sex\nvictims_identified,2010,KHM,9007199254740993,_T\n"
        "victims_identified,2010,KHM,9007199254740992,F\nvictims_identified,2010,KHM,0,M\n"
    )
    dataset = parse_long_csv(text)
    [problem] = [p for p in dataset.problems if p.severity is Severity.ERROR]
    assert problem.code == "unreadable-value"
    assert problem.location is not None
    assert problem.location.line == 2
    assert "2^53" in problem.message
    assert sorted(dataset.observations.get_column("value")) == ["0", "9007199254740992"]


def _semicolon_text(case: Case) -> str:
    """The case as a spreadsheet in a decimal-comma locale writes it: fields separated by
    semicolons, decimals with a comma."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\n")
    writer.writerow(COLUMNS)
    for row in case.rows:
        cells = dict(row)
        value = cells.get("value", "")
        if re.fullmatch(r"-?[0-9]+\.[0-9]+", value):
            cells["value"] = value.replace(".", ",")
        writer.writerow([cells.get(column, "") for column in COLUMNS])
    return out.getvalue()


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(consistent_cases())
def test_a_semicolon_file_with_decimal_commas_reads_as_its_comma_file(case: Case) -> None:
    """Semicolon-separated text with decimal commas gives the figures and findings of the same
    rows written with commas."""
    plain = parse_long_csv(case.text(), path="case.csv")
    semicolons = parse_long_csv(_semicolon_text(case), path="case.csv")
    columns = ["indicator", "period", "reporter", "low", "high", "line"]
    assert semicolons.observations.select(columns).equals(plain.observations.select(columns))
    assert semicolons.problems == plain.problems
    assert [f.message for f in check(semicolons).findings] == [
        f.message for f in check(plain).findings
    ]


def test_a_semicolon_header_that_is_not_a_long_csv_header_is_still_refused() -> None:
    with pytest.raises(InputError, match="split by ;"):
        parse_long_csv("indicator;period;reporter;valeur\nvictims_received;2024;X;4\n")
