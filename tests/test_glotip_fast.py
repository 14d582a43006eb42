"""The column-wise path of the GLOTIP reader agrees with the record-by-record reader."""

from __future__ import annotations

import codecs
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from support import assert_datasets_agree, read_both_ways
from tip_indicators._private import csvcolumns
from tip_indicators.io import ReadLimits, glotip
from tip_indicators.io.glotip import GLOTIP_COLUMNS as COLUMNS
from tip_indicators.io.glotip import read_glotip

CELLS = {
    "Iso3_code": st.sampled_from(["KHM", "NPL", "XKX", "kh", ""]),
    "Country": st.sampled_from(["Cambodia", '"Korea, Republic of"', ""]),
    "Region": st.just("Asia"),
    "Subregion": st.sampled_from(["South-eastern Asia", '"Asia, South"']),
    "Indicator": st.sampled_from(
        ["Detected trafficking victims", "Persons convicted", "Persons convictd", ""]
    ),
    "Dimension": st.sampled_from(["Total", "by form of exploitation", "by citizenship", "x"]),
    "Category": st.sampled_from(
        ["Total", "Sexual exploitation", "Forced labour", "Cambodia", "Q6.1_10s_2019"]
    ),
    "Sex": st.sampled_from(["Total", "Female", "Male", "Femal"]),
    "Age": st.sampled_from(["Total", "0 to 17 years", "18 years or over", "adult"]),
    "Year": st.sampled_from(["2019", "2020", "20x0", ""]),
    "Unit of measurement": st.sampled_from(["Counts", ""]),
    "txtVALUE": st.sampled_from(["3", "<5", "1,234", '"1,234"', "", "abc", "-2"]),
    "Source": st.sampled_from(["GLOTIP", "", '"a ""quoted"" source"', 'x"y', '"a,b"']),
}
BANNER = "UNODC,mailto:dataunodc@un.org\n14/04/2025\n"


def _text(rows: list[dict[str, str]], banner: bool, short: int | None, blank: int | None) -> str:
    lines = [",".join(COLUMNS)] + [",".join(row[c] for c in COLUMNS) for row in rows]
    if short is not None:
        row = short % len(rows) + 1
        lines[row] = lines[row].rsplit(",", 1)[0]
    if blank is not None:
        lines.insert(blank % len(lines) + 1, "")
    return (BANNER if banner else "") + "\n".join(lines) + "\n"


def _damaged(text: str, damage: str) -> bytes:
    data = text.encode("utf-8")
    if damage == "utf-8 bom":
        return codecs.BOM_UTF8 + data
    if damage == "crlf":
        return data.replace(b"\n", b"\r\n")
    if damage == "invalid byte":
        return data[:-3] + b"\xff" + data[-3:]
    return data


@given(
    rows=st.lists(st.fixed_dictionaries(CELLS), min_size=1, max_size=12),
    banner=st.booleans(),
    short=st.none() | st.integers(min_value=0, max_value=11),
    blank=st.none() | st.integers(min_value=0, max_value=12),
    damage=st.sampled_from(["none", "utf-8 bom", "crlf", "invalid byte"]),
)
def test_fast_and_exact_readers_agree(
    rows: list[dict[str, str]],
    banner: bool,
    short: int | None,
    blank: int | None,
    damage: str,
) -> None:
    """Observations, findings (codes, lines, fields, messages, suggestions) and the input
    record, or the input error, are the same on either path: banner rows or none, quoted
    fields with commas and doubled quotes, a row a field short, a blank line, a byte-order
    mark, CRLF line ends, a byte that is not UTF-8."""
    data = _damaged(_text(rows, banner, short, blank), damage)
    assert_datasets_agree(*read_both_ways(read_glotip, data, "export.csv"))


def test_a_regular_export_is_read_column_wise(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """A regular export takes the column-wise path, a ragged one the record-by-record path:
    the test above would pass if every file went one way."""
    row = "KHM,Cambodia,Asia,SE Asia,Persons convicted,Total,Total,Total,Total,2020,Counts,3,X"
    taken: list[bool] = []
    regular = glotip._regular_cells

    def spy(data: bytes, name: str, limits: ReadLimits) -> object:
        found = regular(data, name, limits)
        taken.append(found is not None)
        return found

    monkeypatch.setattr(csvcolumns, "REGULAR_BYTES", 0)
    monkeypatch.setattr(glotip, "_regular_cells", spy)
    path = tmp_path / "export.csv"
    for text in (f"{BANNER}{','.join(COLUMNS)}\n{row}\n", f"{','.join(COLUMNS)}\n{row},\n"):
        path.write_text(text, encoding="utf-8")
        read_glotip(path)
    assert taken == [True, False]
