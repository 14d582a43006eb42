"""The column-wise fast path of the long-CSV reader agrees with the record-by-record reader."""

from __future__ import annotations

import codecs
from pathlib import Path

import polars as pl
import pytest
from hypothesis import given
from hypothesis import strategies as st

from support import assert_datasets_agree, read_both_ways
from tip_indicators._private import csvcolumns
from tip_indicators.datasets import Dataset
from tip_indicators.errors import InputError
from tip_indicators.io import ReadLimits, longcsv
from tip_indicators.io.longcsv import parse_long_csv, read_long_csv

CELLS = {
    "indicator": st.sampled_from(["victims_received", "victims_recieved", "persons_convicted", ""]),
    "period": st.sampled_from(["2010", "2011", "2010-Q5", ""]),
    "reporter": st.sampled_from(["KH", "GOV.MOSVY", ""]),
    "sex": st.sampled_from(["", "F", "M", "_U", "f", "Female "]),
    "value": st.sampled_from(["1", "25", "<5", "", "1.5", "abc", "-3", "10..14"]),
    "status": st.sampled_from(["", "L", "Q", "X"]),
    "source": st.sampled_from(
        [
            "",
            "report",
            "p. 4, table 2",
            '"p. 4, table 2"',
            '"he said ""459"""',
            '""',
            'a"b',
            '"x"y',
            'n"',
            '"a,b",',
        ]
    ),
}


def _text(
    rows: list[dict[str, str]],
    trailing_newline: bool,
    short: int | None = None,
    blank: int | None = None,
) -> str:
    lines = [",".join(CELLS)] + [",".join(row[c] for c in CELLS) for row in rows]
    if short is not None:
        # One row a field short: with or without quotes elsewhere, it must be found.
        row = short % len(rows) + 1
        lines[row] = lines[row].rsplit(",", 1)[0]
    if blank is not None:
        # A blank line anywhere after the header, the very end included.
        lines.insert(blank % len(lines) + 1, "")
    return "\n".join(lines) + ("\n" if trailing_newline else "")


def _read(text: str, threshold: int) -> Dataset | str:
    saved = csvcolumns.REGULAR_BYTES
    csvcolumns.REGULAR_BYTES = threshold
    try:
        return parse_long_csv(text, path="t.csv")
    except InputError as error:
        return str(error)
    finally:
        csvcolumns.REGULAR_BYTES = saved


@given(
    rows=st.lists(st.fixed_dictionaries(CELLS), min_size=1, max_size=30),
    newline=st.booleans(),
    short=st.none() | st.integers(min_value=0, max_value=29),
    blank=st.none() | st.integers(min_value=0, max_value=30),
)
def test_fast_and_exact_readers_agree(
    rows: list[dict[str, str]], newline: bool, short: int | None, blank: int | None
) -> None:
    """Observations and findings (codes, lines, messages), or the input error, are the same on
    either path, with quotes or none, rows too wide or too short, and blank lines."""
    text = _text(rows, newline, short, blank)
    fast, slow = _read(text, 0), _read(text, 10**12)
    if isinstance(slow, str) or isinstance(fast, str):
        assert fast == slow
        return
    assert fast.observations.equals(slow.observations)
    assert fast.problems == slow.problems


def _damaged(text: str, damage: str, where: int) -> bytes:
    data = text.encode("utf-8")
    at = where % (len(data) + 1)
    if damage == "utf-8 bom":
        return codecs.BOM_UTF8 + data
    if damage == "utf-16":
        return text.encode("utf-16")
    if damage == "crlf":
        return data.replace(b"\n", b"\r\n")
    inserted = {"invalid byte": b"\xff", "cut character": "é".encode()[:1], "nul": b"\x00"}
    return data[:at] + inserted.get(damage, b"") + data[at:]


@given(
    rows=st.lists(st.fixed_dictionaries(CELLS), min_size=1, max_size=20),
    damage=st.sampled_from(
        ["none", "utf-8 bom", "utf-16", "crlf", "invalid byte", "cut character", "nul"]
    ),
    where=st.integers(min_value=0),
)
def test_fast_and_exact_file_readers_agree(
    rows: list[dict[str, str]], damage: str, where: int
) -> None:
    """Read from a file's bytes, both paths give the same dataset, or the same error, whatever
    the encoding: a byte-order mark, UTF-16, CRLF line ends, bytes that are not UTF-8, NUL."""
    assert_datasets_agree(
        *read_both_ways(read_long_csv, _damaged(_text(rows, True), damage, where))
    )


def test_ragged_rows_leave_the_fast_path(monkeypatch: pytest.MonkeyPatch) -> None:
    """A row with a field too many is still reported at its physical line."""
    text = (
        "indicator,period,reporter,value\n"
        "victims_received,2010,KH,5\nvictims_received,2010,KH,5,9\n"
    )
    monkeypatch.setattr(csvcolumns, "REGULAR_BYTES", 0)
    dataset = parse_long_csv(text, path="t.csv")
    assert [(f.code, f.location.line if f.location else None) for f in dataset.problems] == [
        ("row-shape", 3)
    ]
    assert dataset.observations.get_column("line").to_list() == [2]
    assert isinstance(dataset.observations, pl.DataFrame)


def test_a_short_row_without_quotes_leaves_the_fast_path(monkeypatch: pytest.MonkeyPatch) -> None:
    """A row a field short in a file with no quotes at all is reported at its physical line."""
    text = (
        "indicator,period,reporter,value,source\n"
        "victims_received,2010,KH,5,report\nvictims_received,2011,KH,5\n"
        "victims_received,2012,KH,5,report\n"
    )
    monkeypatch.setattr(csvcolumns, "REGULAR_BYTES", 0)
    dataset = parse_long_csv(text, path="t.csv")
    assert [(f.code, f.location.line if f.location else None) for f in dataset.problems] == [
        ("row-shape", 3)
    ]
    assert dataset.observations.get_column("line").to_list() == [2, 4]


@pytest.mark.parametrize("ending", ["", "\n"])
def test_a_last_row_with_an_extra_empty_field_is_reported(
    monkeypatch: pytest.MonkeyPatch, ending: str
) -> None:
    """A separator at the very end of the file is one field too many, with or without a line
    break after it (a CSV parser may take it for the end of the row)."""
    text = (
        "indicator,period,reporter,value,source\nvictims_received,2010,KH,5,a\n"
        "victims_received,2011,KH,5,b," + ending
    )
    monkeypatch.setattr(csvcolumns, "REGULAR_BYTES", 0)
    dataset = parse_long_csv(text, path="t.csv")
    assert [(f.code, f.location.line if f.location else None) for f in dataset.problems] == [
        ("row-shape", 3)
    ]
    assert dataset.observations.get_column("line").to_list() == [2]


def test_a_short_row_and_a_wide_row_do_not_cancel_out(monkeypatch: pytest.MonkeyPatch) -> None:
    """A row a field short and another ending in an extra empty field are both reported."""
    text = (
        'indicator,period,reporter,value,source\nvictims_received,2010,KH,5,"p. 4"\n'
        'victims_received,2011,KH,5\nvictims_received,2012,KH,5,"a,b",\n'
    )
    monkeypatch.setattr(csvcolumns, "REGULAR_BYTES", 0)
    dataset = parse_long_csv(text, path="t.csv")
    assert [(f.code, f.location.line if f.location else None) for f in dataset.problems] == [
        ("row-shape", 3),
        ("row-shape", 4),
    ]
    assert dataset.observations.get_column("line").to_list() == [2]


@pytest.mark.parametrize("length", [100, 101])
def test_the_field_limit_holds_on_the_fast_path(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, length: int
) -> None:
    """A field of max_field_bytes is read column-wise; a longer one leaves the fast path and is
    refused naming its line, as the exact reader does."""
    path = tmp_path / "long.csv"
    path.write_text(
        "indicator,period,reporter,value,source\n"
        f'victims_received,2010,KH,5,"{"a" * length}"\nvictims_received,2011,KH,6,b\n',
        encoding="utf-8",
    )
    monkeypatch.setattr(csvcolumns, "REGULAR_BYTES", 0)
    limits = ReadLimits(max_field_bytes=100)
    if length <= 100:
        assert len(read_long_csv(path, limits=limits)) == 2
        return
    with pytest.raises(InputError) as caught:
        read_long_csv(path, limits=limits)
    assert caught.value.line == 2


@pytest.mark.parametrize("newline", ["\n", "\r\n"])
@pytest.mark.parametrize("last", ["source", "value", "status"])
def test_a_regular_file_is_read_column_wise(
    monkeypatch: pytest.MonkeyPatch, last: str, newline: str
) -> None:
    """A file of rows as wide as the header, commas inside quoted values, every last field
    filled or not, and LF or CRLF line ends (as spreadsheet programs write) is read by the fast
    path (the record-by-record reader is never called)."""
    columns = ["indicator", "period", "reporter", "value", "status", "source"]
    columns.remove(last)
    columns.append(last)
    cells = [
        {"value": "5", "status": "", "source": '"p. 4, table 2"'},
        {"value": "", "status": "Q", "source": '"a,b,c"'},
    ]
    rows = [
        ",".join(
            ({"indicator": "victims_received", "period": period, "reporter": "KH"} | row)[c]
            for c in columns
        )
        for period, row in zip(["2010", "2011"], cells, strict=True)
    ]
    text = (",".join(columns) + "\n" + "\n".join(rows) + "\n").replace("\n", newline)

    def exact_reader(*args: object) -> None:
        raise AssertionError("the record-by-record reader was called")

    monkeypatch.setattr(csvcolumns, "REGULAR_BYTES", 0)
    monkeypatch.setattr(longcsv, "_split", exact_reader)
    dataset = parse_long_csv(text, path="t.csv")
    assert dataset.problems == ()
    assert dataset.observations.get_column("source").to_list() == ["p. 4, table 2", "a,b,c"]
    assert dataset.observations.get_column("line").to_list() == [2, 3]
