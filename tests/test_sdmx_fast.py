"""The column-wise path of the SDMX-CSV reader agrees with the record-by-record reader."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from support import assert_datasets_agree, read_both_ways
from tip_indicators._private import csvcolumns
from tip_indicators.io.sdmx import read_sdmx_csv

LEAD = {"STRUCTURE": st.just("dataflow"), "STRUCTURE_ID": st.just("TIP:TIP_INDICATORS(1.0)")}
CELLS = {
    **LEAD,
    "ACTION": st.sampled_from(["I", "I", "A", "D", "x", " M "]),
    "INDICATOR": st.sampled_from(["victims_identified", "VICTIMS_IDENTIFIED", "victim", ""]),
    "REPORTER": st.sampled_from(["GOV.MOSVY", "KH", ""]),
    "SEX": st.sampled_from(["_T", "F", "M", "X", ""]),
    "TIME_PERIOD": st.sampled_from(["2010", "2010-A1", "2010-M01", "2010-Q5"]),
    "OBS_VALUE": st.sampled_from(["1234", "1.5E3", "1e400", "NaN", "", "abc", "-3", "7"]),
    "OBS_VALUE_TEXT": st.sampled_from(["", "1,234", "<5", "999", "1500", '"1,234.0"']),
    "OBS_STATUS": st.sampled_from(["", "A", "M", "Q"]),
    "SOURCE": st.sampled_from(["", "report", '"p. 4, table 2"', '"he said ""459"""']),
    "DERIVED": st.sampled_from(["", "true", "FALSE", "yes", " True "]),
}


def _text(rows: list[dict[str, str]], columns: list[str], short: int | None) -> str:
    header = ",".join(f" {name}" if name == "SEX" else name for name in columns)
    lines = [header] + [",".join(row[c] for c in columns) for row in rows]
    if short is not None:
        # one row a field short: it is a row-shape problem on either path
        row = short % len(rows) + 1
        lines[row] = lines[row].rsplit(",", 1)[0]
    return "\n".join(lines) + "\n"


@given(
    rows=st.lists(st.fixed_dictionaries(CELLS), min_size=1, max_size=25),
    dropped=st.sets(st.sampled_from(["OBS_VALUE_TEXT", "DERIVED", "ACTION", "SOURCE"])),
    short=st.none() | st.integers(min_value=0, max_value=24),
    encoding=st.sampled_from(["utf-8", "utf-8-sig", "crlf"]),
)
def test_fast_and_exact_sdmx_readers_agree(
    rows: list[dict[str, str]],
    dropped: set[str],
    short: int | None,
    encoding: str,
) -> None:
    """Observations, derived flags, findings (codes, places, messages, in order) and inputs,
    or the input error, are the same on either path: with quoted cells, a padded header name,
    a row too short, a byte-order mark or CRLF line ends, with or without the optional
    columns."""
    columns = [name for name in CELLS if name not in dropped]
    text = _text(rows, columns, short)
    data = text.replace("\n", "\r\n").encode() if encoding == "crlf" else text.encode(encoding)
    assert_datasets_agree(*read_both_ways(read_sdmx_csv, data))


def test_large_regular_file_is_read_column_wise(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A regular file over the threshold never goes record by record."""
    row = "dataflow,TIP:TIP_INDICATORS(1.0),I,victims_identified,GOV.MOSVY,F,2010,7"
    header = "STRUCTURE,STRUCTURE_ID,ACTION,INDICATOR,REPORTER,SEX,TIME_PERIOD,OBS_VALUE"
    path = tmp_path / "large.csv"
    path.write_text("\n".join([header, *[row.replace("2010", str(y)) for y in range(1900, 2100)]]))

    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("read record by record")

    monkeypatch.setattr(csvcolumns, "REGULAR_BYTES", 0)
    monkeypatch.setattr("tip_indicators.io.sdmx._record_cells", refuse)
    dataset = read_sdmx_csv(path)
    assert dataset.observations.height == 200
    assert dataset.problems == ()
