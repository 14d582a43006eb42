"""Tests of tip_indicators.io.sdmx: SDMX-CSV 1.0 and 2.x read, SDMX-CSV 2.x written."""

from __future__ import annotations

import io
import tempfile
from pathlib import Path

import polars as pl
import pytest
from hypothesis import given
from hypothesis import strategies as st
from polars.testing import assert_frame_equal

from spellings import noisy
from support import HEADER, Row, WriteFile, csv_text, datasets
from tip_indicators.datasets import Dataset
from tip_indicators.errors import InputError
from tip_indicators.indicators import builtin_catalogue
from tip_indicators.io import sdmx
from tip_indicators.io.longcsv import parse_long_csv
from tip_indicators.io.sdmx import STRUCTURE_ID, is_sdmx_csv, read_sdmx_csv, write_sdmx_csv

_LEAD = "STRUCTURE,STRUCTURE_ID,ACTION"
_ROW = f"dataflow,{STRUCTURE_ID},I"


def _long(text: str) -> Dataset:
    dataset = parse_long_csv(text)
    assert dataset.problems == ()
    return dataset


def _round_trip(dataset: Dataset) -> Dataset:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "out.csv"
        write_sdmx_csv(dataset, path)
        return read_sdmx_csv(path)


def _same(left: Dataset, right: Dataset) -> None:
    assert left.dimensions == right.dimensions
    assert_frame_equal(
        left.observations.drop("path", "line"), right.observations.drop("path", "line")
    )


@given(datasets(age_and_geography=True))
def test_round_trip_is_the_identity(table: list[Row]) -> None:
    """Writing SDMX-CSV and reading it back gives every column of every figure unchanged."""
    dataset = _long(csv_text(table)[0])
    back = _round_trip(dataset)
    assert back.problems == ()
    _same(dataset, back)


def test_round_trip_keeps_the_derived_mark() -> None:
    """A figure marked derived is written with DERIVED true and read back as derived."""
    dataset = _long(
        f"{HEADER},sex\nvictims_identified,2010,KHM,10,_T\nvictims_identified,2010,KHM,4,F\n"
    )
    frame = dataset.observations.with_columns(pl.col("sex").eq("F").alias("derived"))
    marked = Dataset(frame, dataset.dimensions)
    back = _round_trip(marked)
    assert back.observations.get_column("derived").to_list() == [False, True]
    _same(marked, back)


def test_writer_writes_sdmx_csv_2() -> None:
    """The writer names the structure, keeps plain numbers in OBS_VALUE and other text beside it."""
    dataset = _long(
        f"{HEADER},age,status\n"
        'victims_identified,2010,KHM,"1,234",_T,\n'
        "victims_identified,2010,KHM,<5,Y_LT18,\n"
        "victims_identified,2010,KHM,12,Y_GE18,E\n"
        "victims_identified,2011,KHM,,_T,Q\n"
    )
    out = io.StringIO()
    write_sdmx_csv(dataset, out)
    lines = out.getvalue().splitlines()
    assert lines[0] == (
        f"{_LEAD},INDICATOR,REPORTER,SEX,AGE,DESTINATION,REFERRER,NATIONALITY,COUNTERPART_AREA,"
        "EXPLOITATION,MEASURE,TIME_PERIOD,OBS_VALUE,OBS_VALUE_TEXT,OBS_STATUS"
    )
    assert lines[1] == f'{_ROW},victims_identified,KHM,_T,_T,_T,_T,_T,_T,_T,N,2010,1234,"1,234",'
    assert lines[2] == f"{_ROW},victims_identified,KHM,_T,Y_LT18,_T,_T,_T,_T,_T,N,2010,,<5,"
    assert lines[3] == f"{_ROW},victims_identified,KHM,_T,Y_GE18,_T,_T,_T,_T,_T,N,2010,12,,E"
    assert lines[4] == f"{_ROW},victims_identified,KHM,_T,_T,_T,_T,_T,_T,_T,N,2011,,,Q"


def test_reads_sdmx_csv_1(fixtures: Path) -> None:
    """SDMX-CSV 1.0 maps REF_AREA to reporter, NaN and #N/A to no value, SDMX periods to ours."""
    dataset = read_sdmx_csv(fixtures / "sdmx" / "sdmx-1.0.csv")
    frame = dataset.observations
    assert frame.select("indicator", "period", "reporter", "sex", "value", "status").rows() == [
        ("victims_identified", "2010", "KHM", "_T", "686", "A"),
        ("victims_identified", "2010", "KHM", "F", "459", None),
        ("victims_identified", "2010", "KHM", "M", "", "L"),
        ("persons_convicted", "2010-03", "KHM", "_T", "12", None),
    ]
    assert frame.get_column("line").to_list() == [2, 3, 5, 7]
    assert frame.get_column("note").to_list()[1] == "stated as 459,\non page 12"
    assert frame.get_column("unit").to_list()[0] == "person"
    (problem,) = dataset.problems
    assert (problem.code, str(problem.location)) == (
        "missing-value-status",
        f"{fixtures / 'sdmx' / 'sdmx-1.0.csv'}:6 OBS_VALUE",
    )
    assert dataset.inputs[0].format == "sdmx-csv"


def test_reads_sdmx_csv_2_and_reports_bad_rows(fixtures: Path) -> None:
    """SDMX-CSV 2.x rows that delete, contradict OBS_VALUE or mark derived vaguely are reported."""
    dataset = read_sdmx_csv(fixtures / "sdmx" / "sdmx-2.0.csv")
    frame = dataset.observations
    assert frame.select("age", "value", "conf_status", "source", "id", "derived").rows() == [
        ("_T", "1,234", None, "Annual report p. 3", "r1", False),
        ("Y_LT18", "<5", "A", "Annual report p. 3", "r2", False),
        ("Y_GE18", "1230", None, None, "r3", True),
    ]
    found = sorted(
        (p.location.line, p.location.field, p.code) for p in dataset.problems if p.location
    )
    assert found == [
        (5, "ACTION", "unknown-code"),
        (6, "OBS_VALUE_TEXT", "unreadable-value"),
        (7, "DERIVED", "unknown-code"),
    ]


def test_code_findings_name_the_sdmx_column(write_file: WriteFile) -> None:
    """A bad code is reported at its physical line under the SDMX column that holds it."""
    path = write_file(
        "codes.csv",
        f"{_LEAD},INDICATOR,REF_AREA,SEX,TIME_PERIOD,OBS_VALUE,COMMENT\n"
        f'{_ROW},victims_identified,KHM,_T,2010,5,"two\nlines"\n'
        f"{_ROW},victims_identified,KHM,Female,2010,3,\n",
    )
    (problem,) = read_sdmx_csv(path).problems
    assert problem.code == "unknown-code"
    assert problem.location is not None
    assert (problem.location.line, problem.location.field) == (4, "SEX")
    assert "did you mean 'F'?" in problem.message


@pytest.mark.parametrize(
    ("header", "reason"),
    [
        ("indicator,period,reporter,value", "not SDMX-CSV"),
        (f"{_LEAD},INDICATOR,REF_AREA,TIME_PERIOD,OBS_VALUES", "did you mean 'OBS_VALUE'?"),
        (f"{_LEAD},INDICATOR,REF_AREA,REPORTER,TIME_PERIOD,OBS_VALUE", "both give the reporter"),
        (f"{_LEAD},INDICATOR,TIME_PERIOD,OBS_VALUE", "REPORTER or REF_AREA"),
        (f"{_LEAD},INDICATOR,SEX,SEX,REF_AREA,TIME_PERIOD,OBS_VALUE", "appears twice"),
    ],
)
def test_unusable_headers_are_input_errors(write_file: WriteFile, header: str, reason: str) -> None:
    """A header that is not SDMX-CSV or lacks a required column cannot be read at all."""
    path = write_file("bad.csv", header + "\n")
    with pytest.raises(InputError, match=reason):
        read_sdmx_csv(path)


def test_row_of_another_width_is_a_finding(write_file: WriteFile) -> None:
    """A row with more fields than the header is reported at its line; the others are read."""
    path = write_file(
        "short.csv",
        "DATAFLOW,INDICATOR,REF_AREA,TIME_PERIOD,OBS_VALUE\n"
        "F,victims_identified,KHM,2010,5,extra\n"
        "F,victims_identified,KHM,2011,6\n",
    )
    dataset = read_sdmx_csv(path)
    assert [p.code for p in dataset.problems] == ["row-shape"]
    assert dataset.observations.get_column("line").to_list() == [3]


def test_sdmx_csv_is_told_by_its_first_column(fixtures: Path) -> None:
    """SDMX-CSV 1.0 and 2.x headers are recognised; a long CSV's header is not."""
    for name in ("sdmx-1.0.csv", "sdmx-2.0.csv"):
        assert is_sdmx_csv((fixtures / "sdmx" / name).read_text(encoding="utf-8"))
    assert is_sdmx_csv('\ufeff"STRUCTURE","STRUCTURE_ID","ACTION"\n')
    assert not is_sdmx_csv("indicator,period,reporter,value\n")
    assert not is_sdmx_csv("STRUCTURE_ID,STRUCTURE\n")


def test_every_column_has_one_sdmx_id_to_write() -> None:
    """The column table gives each long-CSV column one id to write; only the value has two."""
    from collections import Counter

    from tip_indicators._private.resources import read_table

    rows = read_table("sdmx_columns.tsv")
    written = Counter(row["column"] for row in rows if row["write"] == "yes")
    assert written.pop("value") == 2
    assert set(written.values()) == {1}
    assert {row["column"] for row in rows} - set(written) == {"value", "-"}
    assert all(row["write"] == "no" for row in rows if row["column"] == "-")


_CODES = [indicator.code for indicator in builtin_catalogue()]
_PERIODS = ["2010", "2010-A1", "2010-M01", "2010-M1", "2010-A2", "2010-Q1", "2010-m01", "201-A1"]
_NUMBERS = ["12", "1.2E3", ".5e1", "5.e+2", "1e-2", "NaN", "#N/A", "", "<5", "1,234", "1e", "e5"]


@given(st.lists(noisy([*_CODES, *(code.upper() for code in _CODES), "NOT_A_CODE"]), max_size=20))
def test_indicators_map_by_join_as_one_by_one(texts: list[str]) -> None:
    """Joining INDICATOR with the catalogue reads each text as reading it alone does."""
    column = pl.Series("INDICATOR", texts, dtype=pl.String)
    joined = pl.DataFrame([column]).select(sdmx._indicators(column, builtin_catalogue()))
    assert joined.to_series().to_list() == [sdmx._indicator(text) for text in texts]


@given(st.lists(noisy(_PERIODS) | noisy(_NUMBERS), max_size=20))
def test_periods_and_values_read_column_wise_as_one_by_one(texts: list[str]) -> None:
    """TIME_PERIOD and OBS_VALUE read as a column give what each cell read alone gives."""
    cells = pl.DataFrame({"OBS_VALUE": texts}, schema={"OBS_VALUE": pl.String})
    periods = cells.select(sdmx._periods(pl.col("OBS_VALUE"))).to_series().to_list()
    assert periods == [sdmx._period(text) for text in texts]
    value, _ = sdmx._values(cells)
    assert cells.select(value).to_series().to_list() == [sdmx._number(text) for text in texts]
