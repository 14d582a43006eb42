"""Tests of tip_indicators.io.glotip on a real slice of the UNODC GLOTIP export.

The expected figures are counted here from the CSV with the csv module and plain Python, not with
the library: which rows are questionnaire cell names, which keys repeat with different values,
and which sex breakdowns certainly exceed or fall short of their total (``<5`` is 0..4).
"""

from __future__ import annotations

import csv
import re
from collections import defaultdict
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from polars.testing import assert_frame_equal

from spellings import assert_joined_as_resolved, texts
from support import WriteFile
from tip_indicators import check, nationalities
from tip_indicators.datasets import Dataset
from tip_indicators.errors import InputError
from tip_indicators.findings import Finding
from tip_indicators.io import glotip
from tip_indicators.io.glotip import is_glotip_csv, read_glotip

SLICE = Path(__file__).parent / "fixtures" / "glotip" / "slices.csv"
_QUESTIONNAIRE = re.compile(r"^Q[0-9]+\.[0-9]+_")
_SEX_PARTS = ("Female", "Male", "Other", "Unknown")
_KEY = ("Iso3_code", "Indicator", "Dimension", "Category", "Age", "Year")

Source = list[tuple[int, dict[str, str]]]


def _source() -> Source:
    """Each data row of the slice with its physical line (no field of the slice spans lines)."""
    with SLICE.open(newline="", encoding="utf-8") as handle:
        reader = csv.DictReader(handle)
        return [(reader.line_num, row) for row in reader]


def _interval(text: str) -> tuple[int, int]:
    text = text.strip()
    if text.startswith("<"):
        return 0, int(text[1:]) - 1
    number = int(text.replace(",", ""))
    return number, number


def _usable(source: Source) -> dict[tuple[str, ...], tuple[int, tuple[int, int]]]:
    """Key (with Sex) to (line, interval), leaving out questionnaire rows and conflicting keys."""
    copies: dict[tuple[str, ...], list[tuple[int, tuple[int, int]]]] = defaultdict(list)
    for line, row in source:
        if _QUESTIONNAIRE.match(row["Category"]):
            continue
        key = (*(row[c] for c in _KEY), row["Sex"])
        copies[key].append((line, _interval(row["txtVALUE"])))
    return {
        key: found[0] for key, found in copies.items() if len({value for _, value in found}) == 1
    }


def _sex_failures(source: Source) -> tuple[set[int], set[int]]:
    """Lines of the totals whose sex parts certainly exceed them, and of those certainly short.

    A single part short of its total is no failure: the rest may be in sexes not given.
    """
    slices: dict[tuple[str, ...], dict[str, tuple[int, tuple[int, int]]]] = defaultdict(dict)
    for key, found in _usable(source).items():
        slices[key[:-1]][key[-1]] = found
    exceed: set[int] = set()
    short: set[int] = set()
    for cells in slices.values():
        parts = [cells[sex][1] for sex in _SEX_PARTS if sex in cells]
        if "Total" not in cells or not parts:
            continue
        line, (low, high) = cells["Total"]
        if sum(part[0] for part in parts) > high:
            exceed.add(line)
        elif sum(part[1] for part in parts) < low and len(parts) > 1:
            short.add(line)
    return exceed, short


def _lines(findings: list[Finding], *codes: str) -> set[int]:
    return {
        f.observations[0].location.line or 0
        for f in findings
        if f.code in codes and f.rule == "partition.sex"
    }


@pytest.fixture(scope="module")
def dataset() -> Dataset:
    """The slice as read by the library."""
    return read_glotip(SLICE)


def test_every_row_is_an_observation_or_cited(dataset: Dataset) -> None:
    """Each of the 479 rows becomes a figure or is cited by a finding, never both, never neither."""
    lines = {line for line, _ in _source()}
    assert len(lines) == 479
    read = set(dataset.observations.get_column("line").to_list())
    cited = {p.location.line for p in dataset.problems if p.location is not None}
    cited |= {ref.location.line for p in dataset.problems for ref in p.observations}
    assert read | cited == lines
    errors = {p.location.line for p in dataset.problems if p.location and p.code == "unknown-code"}
    assert not read & errors
    assert len(dataset) + len(lines - read) == 479


def test_questionnaire_cell_names_are_reported_with_their_lines(dataset: Dataset) -> None:
    """Every citizenship given as a questionnaire cell name is an unknown code at its line."""
    expected = {line for line, row in _source() if _QUESTIONNAIRE.match(row["Category"])}
    assert len(expected) == 20
    reported = {
        (p.location.line, p.location.field)
        for p in dataset.problems
        if p.code == "unknown-code" and p.location is not None
    }
    assert reported == {(line, "Category") for line in expected}


def test_the_conflicting_duplicate_key_is_found(dataset: Dataset) -> None:
    """The key given as 27, <5, 5 and 20 is one conflicting-duplicate finding citing four lines."""
    lines = [
        line
        for line, row in _source()
        if (row["Iso3_code"], row["Year"], row["Category"], row["Sex"], row["Age"])
        == ("ALB", "2017", "Other forms of exploitation", "Total", "Total")
        and row["Indicator"] == "Detected trafficking victims"
    ]
    (finding,) = [
        p
        for p in dataset.problems
        if p.code == "duplicate-conflict" and p.observations[0].location.line == lines[0]
    ]
    assert [ref.location.line for ref in finding.observations] == lines
    assert [ref.value for ref in finding.observations] == ["27", "<5", "5", "20"]
    assert finding.location is not None
    assert finding.location.field == "txtVALUE"


def test_mapped_figures_keep_the_export_words(dataset: Dataset) -> None:
    """A figure carries its codes, and the export's own words in note and source."""
    frame = dataset.observations
    row = frame.filter(frame.get_column("line") == 2).row(0, named=True)
    assert (row["indicator"], row["reporter"], row["period"], row["sex"], row["age"]) == (
        "victims_identified",
        "NPL",
        "2020",
        "F",
        "Y_LT18",
    )
    assert row["value"] == "111"
    assert row["source"] == "GLOTIP export: GLOTIP"
    assert row["note"] == (
        "Indicator=Detected trafficking victims; Dimension=Total; Category=Total; Sex=Female; "
        "Age=0 to 17 years"
    )
    nationals = frame.filter(frame.get_column("nationality") == "NATIONAL")
    assert nationals.height == 2
    assert set(frame.get_column("country").to_list()) == {"_T", "VN", "MD"}


def test_sex_findings_agree_with_an_independent_count(dataset: Dataset) -> None:
    """Sex parts that certainly exceed or fall short of their total are exactly those counted."""
    exceed, short = _sex_failures(_source())
    assert (len(exceed), len(short)) == (11, 16)
    findings = list(check(dataset).findings)
    assert _lines(findings, "partition-exceeds", "derived-negative") == exceed
    assert _lines(findings, "partition-shortfall", "partition-incomplete") == short


def _shifted(dataset: Dataset, by: int) -> Dataset:
    frame = dataset.observations
    return Dataset(frame.with_columns(frame.get_column("line") + by), dataset.dimensions)


def test_csv_with_banner_rows_reads_the_same(dataset: Dataset, write_file: WriteFile) -> None:
    """The two banner rows of the original export are skipped; lines stay physical."""
    text = SLICE.read_text(encoding="utf-8")
    path = write_file("banner.csv", "UNODC,mailto:dataunodc@un.org\n14/04/2025\n" + text)
    banner = read_glotip(path)
    expected = _shifted(dataset, 2).observations.drop("path")
    assert_frame_equal(banner.observations.drop("path"), expected)
    moved = [p.location.line for p in banner.problems if p.location and p.location.line]
    assert sorted(moved) == sorted(
        p.location.line + 2 for p in dataset.problems if p.location and p.location.line
    )


def test_workbook_reads_the_same_and_cites_cells(dataset: Dataset, tmp_path: Path) -> None:
    """The export as a workbook (banner, numeric years) reads as the CSV and cites sheet cells."""
    import openpyxl

    workbook = openpyxl.Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = "data_glotip_1"
    sheet.append(["UNODC", "dataunodc@un.org"])
    sheet.append(["14/04/2025"])
    with SLICE.open(newline="", encoding="utf-8") as handle:
        for number, row in enumerate(csv.reader(handle)):
            sheet.append(
                [int(cell) if number and index == 9 else cell for index, cell in enumerate(row)]
            )
    workbook.create_sheet("notes").append(["not the data"])
    path = tmp_path / "glotip.xlsx"
    workbook.save(path)
    book = read_glotip(path)
    assert_frame_equal(
        book.observations.drop("path"), _shifted(dataset, 2).observations.drop("path")
    )
    questionnaire = sorted(
        p.location.field or "" for p in book.problems if p.code == "unknown-code" and p.location
    )
    assert questionnaire[0] == "data_glotip_1!G375"
    duplicates = [p for p in book.problems if p.code == "duplicate-conflict" and p.location]
    assert {p.location.field[:15] for p in duplicates if p.location and p.location.field} == {
        "data_glotip_1!L"
    }
    assert book.inputs[0].format == "glotip"


_HEADER = ",".join(
    [
        "Iso3_code,Country,Region,Subregion,Indicator,Dimension,Category,Sex,Age,Year",
        "Unit of measurement,txtVALUE,Source",
    ]
)


def test_unmapped_cells_are_findings_with_suggestions(write_file: WriteFile) -> None:
    """Unknown countries, indicators, sexes and categories are errors naming column and text."""
    rows = [
        "XKX,Kosovo,Europe,S Europe,Persons convicted,Total,Total,Total,Total,2020,Counts,3,X",
        "KHM,Cambodia,Asia,SE Asia,Persons convicted,Total,Total,Femal,Total,2020,Counts,3,X",
        "KHM,Cambodia,Asia,SE Asia,Persons convictd,Total,Total,Total,Total,2020,Counts,3,X",
        "KHM,Cambodia,Asia,SE Asia,Persons convicted,Total,Sexual,Total,Total,2020,,3,X",
        "KHM,Cambodia,Asia,SE Asia,Persons convicted,by sex,Total,Total,Total,2020,Counts,3,X",
        "kh,Cambodia,Asia,SE Asia,Persons convicted,Total,Total,Total,Total,2021,Counts,3,X",
        "KHM,Cambodia,Asia,SE Asia,Persons convicted,Total,Total,Total,Total,2022,Counts,4,X",
    ]
    path = write_file("bad.csv", "\n".join([_HEADER, *rows]) + "\n")
    dataset = read_glotip(path)
    found = {(p.location.line, p.location.field): p for p in dataset.problems if p.location}
    assert sorted(found) == [
        (2, "Iso3_code"),
        (3, "Sex"),
        (4, "Indicator"),
        (5, "Category"),
        (6, "Dimension"),
        (7, "Iso3_code"),
    ]
    assert "did you mean 'F'?" in found[(3, "Sex")].message
    assert found[(4, "Indicator")].suggestions[0].value == "Persons convicted"
    assert found[(7, "Iso3_code")].suggestions[0].value == "KHM"
    assert dataset.observations.get_column("line").to_list() == [8]


@pytest.mark.parametrize("extra", [1, 5_000])
def test_a_row_wider_than_the_header_is_counted_as_written(
    write_file: WriteFile, extra: int
) -> None:
    """A row with more fields than the header is a row-shape error giving its own count of
    fields, also when the line is too wide to be split; the other rows are still read."""
    good = "KHM,Cambodia,Asia,SE Asia,Persons convicted,Total,Total,Total,Total,2020,Counts,3,X"
    wide = good + "," * extra
    path = write_file("wide.csv", "\n".join([_HEADER, wide, good]) + "\n")
    dataset = read_glotip(path)
    (problem,) = [p for p in dataset.problems if p.code == "row-shape"]
    assert problem.location is not None
    assert problem.location.line == 2
    assert problem.message == f"row has {13 + extra} fields, the header has 13"
    assert dataset.observations.get_column("line").to_list() == [3]


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("indicator,period,reporter,value\n", "no GLOTIP header"),
        ("Iso3_code,Indicator,Dimension,Category,Sex,Age,Year\n", "txtVALUE"),
        (_HEADER + ",Extra\n", "unknown GLOTIP column 'Extra'"),
    ],
)
def test_unusable_exports_are_input_errors(write_file: WriteFile, text: str, reason: str) -> None:
    """A file without the GLOTIP header, or with a column missing or unknown, is not read."""
    with pytest.raises(InputError, match=reason):
        read_glotip(write_file("bad.csv", text))


def test_the_export_is_told_by_its_header() -> None:
    """The GLOTIP header is recognised with or without banner rows; a long CSV's is not."""
    text = SLICE.read_text(encoding="utf-8")[:4096]
    assert is_glotip_csv(text)
    assert is_glotip_csv("UNODC,mailto:dataunodc@un.org\n14/04/2025\n" + text)
    assert not is_glotip_csv("indicator,period,reporter,value\n")


@pytest.mark.parametrize("name", sorted(glotip._vocabularies()))
@given(data=st.data())
def test_columns_map_by_join_as_cell_by_cell(name: str, data: st.DataObject) -> None:
    """Joining a column's texts with the alias tables maps each as mapping it alone does."""
    vocabulary = glotip._vocabularies()[name]
    known = [*vocabulary.exact.get_column("text"), *vocabulary.folded.get_column("_key")]
    spellings = [*known, "Q6.1_10s_2019", "Nationals", "Ciudadanos de su pa\ufffds", "by sex"]
    assert_joined_as_resolved(data.draw(texts(spellings)), vocabulary)


def test_an_unknown_text_is_hinted_once(
    write_file: WriteFile, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A misspelt citizenship on many rows gets its hint worked out once; each row is cited."""
    seen: list[str] = []

    def counting(key: str) -> str | None:
        seen.append(key)
        return suggest(key)

    suggest = nationalities._suggest_spelling
    monkeypatch.setattr(nationalities, "_suggest_spelling", counting)
    row = "KHM,Cambodia,Asia,SE Asia,Persons convicted,by citizenship,{},Total,Total,{},Counts,3,X"
    rows = [row.format(c, 2000 + n) for n in range(40) for c in ("Vietnamise", "Viet Nam", "Thai")]
    dataset = read_glotip(write_file("many.csv", "\n".join([_HEADER, *rows]) + "\n"))
    assert seen == ["vietnamise"]
    cited = [p for p in dataset.problems if p.code == "unknown-code"]
    assert len(cited) == 40
    assert {p.suggestions[0].value for p in cited} == {"Vietnamese"}
    assert len(dataset) == 80
