"""Tests of tip_indicators.io.excel: long tables in xlsx workbooks and the data-entry template.

Workbooks are made here with openpyxl; cells a writer cannot make (a formula with a cached
value) are made by editing the sheet's XML inside the archive.
"""

from __future__ import annotations

import datetime
import sys
import tempfile
import zipfile
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from hypothesis import given
from openpyxl.utils.cell import column_index_from_string
from polars.testing import assert_frame_equal

from support import HEADER, Row, csv_text, datasets
from tip_indicators.datasets import Dataset
from tip_indicators.errors import InputError
from tip_indicators.io import ReadLimits
from tip_indicators.io.excel import read_excel, write_excel
from tip_indicators.io.longcsv import parse_long_csv
from tip_indicators.io.template import write_template
from tip_indicators.profiles import builtin_profile

_COLUMNS = ["indicator", "period", "reporter", "sex", "value", "status", "note"]


def _workbook(rows: list[list[Any]], *, title: str = "data") -> tuple[Any, Any]:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = title
    sheet.append(_COLUMNS)
    for row in rows:
        sheet.append(row)
    return workbook, sheet


def _problems(dataset: Dataset) -> list[tuple[int | None, str | None, str]]:
    return sorted(
        (p.location.line, p.location.field, p.code) for p in dataset.problems if p.location
    )


def _same(left: Dataset, right: Dataset) -> None:
    assert left.dimensions == right.dimensions
    assert_frame_equal(
        left.observations.drop("path", "line"), right.observations.drop("path", "line")
    )


@given(datasets(age_and_geography=True))
def test_round_trip_is_the_identity(table: list[Row]) -> None:
    """Writing a workbook and reading it back gives every column of every figure unchanged."""
    dataset = parse_long_csv(csv_text(table)[0])
    assert dataset.problems == ()
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "out.xlsx"
        write_excel(dataset, path)
        back = read_excel(path)
    assert back.problems == ()
    _same(dataset, back)


def test_awkward_text_survives_a_round_trip(tmp_path: Path) -> None:
    """Text like a formula, with a carriage return, control characters or an OOXML escape stays."""
    notes = ["=SUM(A1:A3)", "line\r\nbreak\rend", "bell\x07 and tab\t", "_x000D_ literal", " pad "]
    body = "".join(
        f'victims_identified,{2000 + i},KHM,{i},"{note}"\n' for i, note in enumerate(notes)
    )
    dataset = parse_long_csv(f"{HEADER},note\n{body}")
    write_excel(dataset, tmp_path / "text.xlsx")
    back = read_excel(tmp_path / "text.xlsx")
    assert back.observations.get_column("note").to_list() == notes
    _same(dataset, back)


def test_values_keep_their_written_form(tmp_path: Path) -> None:
    """Plain numbers become numeric cells; 12.50, 1,234 and <5 stay text and read back alike."""
    values = ["459", "12.5", "12.50", "1,234", "<5", "-0", "9007199254740992"]
    body = "".join(
        f'persons_convicted,{2000 + i},KHM,"{v}",{"PCT" if "." in v else "N"}\n'
        for i, v in enumerate(values)
    )
    dataset = parse_long_csv(f"{HEADER},measure\n{body}")
    assert dataset.problems == ()
    write_excel(dataset, tmp_path / "values.xlsx")
    sheet = openpyxl.load_workbook(tmp_path / "values.xlsx")["data"]
    column = [cell.value for cell in sheet[1]].index("value") + 1
    assert [sheet.cell(row=r, column=column).value for r in range(2, 9)] == [
        459,
        12.5,
        "12.50",
        "1,234",
        "<5",
        "-0",
        "9007199254740992",
    ]
    back = read_excel(tmp_path / "values.xlsx")
    assert back.observations.get_column("value").to_list() == values


def test_numeric_cells_read_without_float_noise(tmp_path: Path) -> None:
    """459.0 reads as 459 and 0.1 + 0.2 as 0.3, the figures a spreadsheet shows."""
    workbook, _ = _workbook(
        [
            ["victims_identified", 2010, "KHM", None, 459.0, None, 7],
            ["victims_identified", 2011, "KHM", None, 0.1 + 0.2],
        ]
    )
    workbook.save(tmp_path / "numbers.xlsx")
    dataset = read_excel(tmp_path / "numbers.xlsx")
    assert dataset.observations.select("period", "value", "note").rows() == [("2010", "459", "7")]
    assert _problems(dataset) == [(3, "data!E3", "invalid-count")]
    assert dataset.problems[0].observations[0].value == "0.3"


def test_dates_in_value_or_period_are_findings(tmp_path: Path) -> None:
    """A date cell is not a number nor a period: an error at the cell; the row is not read."""
    day = datetime.datetime(2010, 1, 1)
    workbook, _ = _workbook(
        [
            ["victims_identified", "2010", "KHM", None, day],
            ["victims_identified", day, "KHM", None, 5],
            ["victims_identified", "2012", "KHM", None, 5, None, day],
        ]
    )
    workbook.save(tmp_path / "dates.xlsx")
    dataset = read_excel(tmp_path / "dates.xlsx")
    assert _problems(dataset) == [
        (2, "data!E2", "unreadable-value"),
        (3, "data!B3", "invalid-period"),
    ]
    assert dataset.observations.select("line", "note").rows() == [(4, "2010-01-01")]
    message = next(p.message for p in dataset.problems if p.code == "unreadable-value")
    assert message == "value: a date cell (2010-01-01), not a number"


def _edit_sheet(path: Path, old: str, new: str) -> None:
    """Replace ``old`` by ``new`` in the XML of the first sheet of a saved workbook."""
    with zipfile.ZipFile(path) as archive:
        members = {info.filename: archive.read(info.filename) for info in archive.infolist()}
    sheet = members["xl/worksheets/sheet1.xml"].decode("utf-8")
    assert old in sheet
    members["xl/worksheets/sheet1.xml"] = sheet.replace(old, new).encode("utf-8")
    with zipfile.ZipFile(path, "w") as archive:
        for name, data in members.items():
            archive.writestr(name, data)


def _set_cached(path: Path, formula: str, cached: str) -> None:
    """Give the formula ``formula`` a cached value, as a spreadsheet program does on saving."""
    with zipfile.ZipFile(path) as archive:
        sheet = archive.read("xl/worksheets/sheet1.xml").decode("utf-8")
    # openpyxl writes the empty value as <v /> with the standard library, <v></v> with lxml.
    empty = next(v for v in ("<v />", "<v/>", "<v></v>") if f"<f>{formula}</f>{v}" in sheet)
    _edit_sheet(path, f"<f>{formula}</f>{empty}", f"<f>{formula}</f><v>{cached}</v>")


def test_formulas_read_their_cached_value(tmp_path: Path) -> None:
    """A formula is read by its cached value; one without a cached value is a finding."""
    workbook, _ = _workbook(
        [
            ["victims_identified", "2010", "KHM", None, "=2+3"],
            ["victims_identified", "2011", "KHM", None, "=4+4"],
        ]
    )
    path = tmp_path / "formulas.xlsx"
    workbook.save(path)
    _set_cached(path, "2+3", "5")
    dataset = read_excel(path)
    assert dataset.observations.select("period", "value").rows() == [("2010", "5")]
    assert _problems(dataset) == [(3, "data!E3", "unreadable-value")]
    (problem,) = dataset.problems
    assert "=4+4 has no cached value" in problem.message


def test_merged_cells_are_findings_at_every_cell(tmp_path: Path) -> None:
    """Cells merged across rows are reported at each cell they cover; those rows are not read."""
    workbook, sheet = _workbook(
        [
            ["victims_identified", "2010", "KHM", "F", 5],
            ["victims_identified", "2010", "KHM", None, 6],
            ["victims_identified", "2011", "KHM", "M", 7],
        ]
    )
    sheet.merge_cells("D2:D3")
    workbook.save(tmp_path / "merged.xlsx")
    dataset = read_excel(tmp_path / "merged.xlsx")
    assert _problems(dataset) == [(2, "data!D2", "row-shape"), (3, "data!D3", "row-shape")]
    assert dataset.observations.get_column("line").to_list() == [4]


def test_a_merge_over_the_whole_sheet_is_reported_per_row(tmp_path: Path) -> None:
    """A merged range a million rows long is reported at the cells of rows that exist, quickly."""
    workbook, _ = _workbook(
        [
            ["victims_identified", "2010", "KHM", "F", 5],
            ["victims_identified", "2011", "KHM", None, 6],
        ]
    )
    path = tmp_path / "huge.xlsx"
    workbook.save(path)
    _edit_sheet(
        path,
        "</sheetData>",
        '</sheetData><mergeCells count="1"><mergeCell ref="D3:XFD1048576" /></mergeCells>',
    )
    dataset = read_excel(path)
    assert _problems(dataset) == [(3, "data!D3", "row-shape"), (3, "data!E3", "row-shape")]
    assert dataset.observations.get_column("line").to_list() == [2]


def test_a_damaged_sheet_is_an_input_error(tmp_path: Path) -> None:
    """Sheet XML that does not parse is an input error, not a traceback."""
    workbook, _ = _workbook([["victims_identified", "2010", "KHM", "F", 5]])
    path = tmp_path / "damaged.xlsx"
    workbook.save(path)
    _edit_sheet(path, "</sheetData>", "<row><c r=")
    with pytest.raises(InputError, match="not readable"):
        read_excel(path)


def test_codes_and_extra_cells_are_cited_by_cell(tmp_path: Path) -> None:
    """A bad code is cited at its cell; a value beyond the named columns is a row-shape finding."""
    workbook, sheet = _workbook(
        [
            ["victims_identified", "2010", "KHM", "Female", 5],
            ["victims_identified", "2011", "KHM", "F", 5],
        ]
    )
    sheet["J3"] = "stray"
    workbook.save(tmp_path / "cells.xlsx")
    dataset = read_excel(tmp_path / "cells.xlsx")
    assert _problems(dataset) == [(2, "data!D2", "unknown-code"), (3, "data!J3", "row-shape")]


def test_hidden_sheets_are_read_only_when_named(tmp_path: Path) -> None:
    """Without a sheet name the first visible sheet is read; a hidden sheet only when named."""
    workbook, sheet = _workbook([["victims_identified", "2010", "KHM", None, 1]], title="old")
    sheet.sheet_state = "hidden"
    other = workbook.create_sheet("My sheet")
    other.append(_COLUMNS)
    other.append(["victims_identified", "2011", "KHM", "Female", 2])
    workbook.save(tmp_path / "hidden.xlsx")
    visible = read_excel(tmp_path / "hidden.xlsx")
    assert _problems(visible) == [(2, "'My sheet'!D2", "unknown-code")]
    hidden = read_excel(tmp_path / "hidden.xlsx", sheet="old")
    assert hidden.observations.get_column("period").to_list() == ["2010"]
    with pytest.raises(InputError, match="no worksheet 'new'"):
        read_excel(tmp_path / "hidden.xlsx", sheet="new")


def test_unusable_workbooks_are_input_errors(tmp_path: Path) -> None:
    """A file that is no workbook, an empty sheet and an unknown column cannot be read at all."""
    (tmp_path / "text.xlsx").write_text("indicator,period\n", encoding="utf-8")
    with pytest.raises(InputError, match="not a zip archive"):
        read_excel(tmp_path / "text.xlsx")
    workbook = openpyxl.Workbook()
    workbook.save(tmp_path / "empty.xlsx")
    with pytest.raises(InputError, match="empty"):
        read_excel(tmp_path / "empty.xlsx")
    workbook, sheet = _workbook([])
    sheet["H1"] = "colour"
    workbook.save(tmp_path / "unknown.xlsx")
    with pytest.raises(InputError, match=r"unknown column .colour."):
        read_excel(tmp_path / "unknown.xlsx")


def _bomb(path: Path, size: int) -> None:
    chunk = b"\0" * 1024**2
    with (
        zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive,
        archive.open("xl/worksheets/sheet1.xml", "w") as member,
    ):
        for _ in range(size // len(chunk)):
            member.write(chunk)


def test_zip_bombs_are_refused_before_opening(tmp_path: Path) -> None:
    """One expanding past 200 MB and 100 times its size, or past the file limit, is refused."""
    _bomb(tmp_path / "bomb.xlsx", 201 * 1024**2)
    assert (tmp_path / "bomb.xlsx").stat().st_size * 100 < 201 * 1024**2
    with pytest.raises(InputError, match="zip bomb"):
        read_excel(tmp_path / "bomb.xlsx")
    _bomb(tmp_path / "small.xlsx", 2 * 1024**2)
    with pytest.raises(InputError, match="zip bomb"):
        read_excel(tmp_path / "small.xlsx", limits=ReadLimits(max_file_bytes=1024**2))


def test_missing_openpyxl_says_how_to_install(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Without openpyxl, reading a workbook is an input error naming the extra to install."""
    workbook, _ = _workbook([])
    workbook.save(tmp_path / "any.xlsx")
    monkeypatch.setitem(sys.modules, "openpyxl", None)
    with pytest.raises(InputError, match=r"pip install tip-indicators\[excel\]"):
        read_excel(tmp_path / "any.xlsx")


def test_template_offers_codes_and_reads_back_filled(tmp_path: Path) -> None:
    """The template has the header, drop-downs, a codes sheet and a README; filled in, it reads."""
    path = tmp_path / "template.xlsx"
    write_template(builtin_profile(), path)
    workbook = openpyxl.load_workbook(path)
    assert workbook.sheetnames[:3] == ["data", "codes", "README"]
    data = workbook["data"]
    header = [cell.value for cell in data[1]]
    assert header[:4] == ["indicator", "period", "reporter", "sex"]
    assert {"measure", "value", "status", "conf_status", "note"} <= set(header)
    lists = {
        header[column_index_from_string(str(v.sqref).split(":")[0][:-1]) - 1]: v
        for v in data.data_validations.dataValidation
    }
    assert set(lists) == {
        "indicator",
        "sex",
        "age",
        "destination",
        "referrer",
        "exploitation",
        "measure",
        "status",
        "conf_status",
    }
    assert lists["age"].errorStyle == "warning"  # any age band may be typed
    codes = workbook["codes"]
    sex_column = [codes.cell(row=r, column=3).value for r in range(1, 9)]
    assert sex_column == ["sex", "_T", "F", "M", "_O", "_U", "_N", "_Z"]
    assert lists["sex"].formula1 == "=codes!$C$2:$C$8"
    assert any("tip-indicators validate" in str(row[0]) for row in workbook["README"].values)
    position = {name: index + 1 for index, name in enumerate(header)}
    entries: dict[str, str | int] = {
        "indicator": "victims_identified",
        "period": "2010",
        "reporter": "KHM",
        "sex": "F",
        "value": 5,
    }
    for column, value in entries.items():
        data.cell(row=2, column=position[column], value=value)
    workbook.save(path)
    dataset = read_excel(path)
    assert dataset.problems == ()
    assert dataset.observations.select("indicator", "sex", "value").rows() == [
        ("victims_identified", "F", "5")
    ]


def test_a_template_made_from_a_profile_offers_what_the_profile_accepts(tmp_path: Path) -> None:
    """The coalition's template lists its indicator, its reporters and its organisations, and
    its README says to check with the profile."""
    from tip_indicators.profiles import load_profile

    root = Path(__file__).resolve().parent.parent
    profile = load_profile(root / "examples" / "coalition" / "profile.yaml")
    path = tmp_path / "template.xlsx"
    write_template(profile, path)
    workbook = openpyxl.load_workbook(path)
    codes = workbook["codes"]
    columns = {
        codes.cell(row=1, column=c).value: [
            codes.cell(row=r, column=c).value
            for r in range(2, codes.max_row + 1)
            if codes.cell(row=r, column=c).value is not None
        ]
        for c in range(1, codes.max_column + 1, 2)
    }
    assert columns["indicator"] == ["victims_received"]
    assert columns["reporter"] == sorted(profile.reporters)
    assert set(profile.organisations) <= set(columns["destination"])
    assert "FAMILY" in columns["destination"]
    readme = [str(row[0]) for row in workbook["README"].values if row[0]]
    assert any("--profile" in line and profile.label in line for line in readme)
