"""Tests of the cross-tab forms of the template (tip_indicators.io.crosstab and io.template) and
of reading them back with tip_indicators.io.excel."""

from __future__ import annotations

import io
import tempfile
from pathlib import Path
from typing import Any

import openpyxl
from hypothesis import given, settings
from hypothesis import strategies as st

from tip_indicators.check import check
from tip_indicators.io.crosstab import AGE_ROWS, head_code
from tip_indicators.io.excel import read_excel
from tip_indicators.io.template import write_template
from tip_indicators.profiles import builtin_profile, load_profile
from tip_indicators.render.text import report_text

ROOT = Path(__file__).resolve().parent.parent
PROFILE = load_profile(ROOT / "examples" / "coalition" / "profile.yaml")
SHEET = "victims_received"
SEXES = ("F", "M", "_O", "_U", "_T")
AGES = (*(code for code, _ in AGE_ROWS), "_T")
LETTERS = "BCDEF"


def _template() -> bytes:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "template.xlsx"
        write_template(PROFILE, path)
        return path.read_bytes()


TEMPLATE = _template()


def _filled(path: Path, cells: dict[str, dict[str, Any]], key: bool = True) -> Path:
    """The coalition's template with ``cells`` (by sheet, then reference) filled in."""
    workbook = openpyxl.load_workbook(io.BytesIO(TEMPLATE))
    for sheet, values in cells.items():
        if key:
            workbook[sheet]["B2"] = "2024"
            workbook[sheet]["B3"] = "GOV.DOSVY_SRP"
        for reference, value in values.items():
            workbook[sheet][reference] = value
    workbook.save(path)
    return path


def _reference(age: str, sex: str) -> tuple[int, str]:
    row = 6 + AGES.index(age)
    return row, f"{LETTERS[SEXES.index(sex)]}{row}"


@st.composite
def _grids(draw: st.DrawFn) -> dict[tuple[str, str], int]:
    """Consistent sex-by-age counts (totals the sums of their parts), some cells left empty."""
    parts = {(age, sex): draw(st.integers(0, 10**6)) for age in AGES[:-1] for sex in SEXES[:-1]}
    grid = dict(parts)
    for age in AGES[:-1]:
        grid[(age, "_T")] = sum(parts[(age, sex)] for sex in SEXES[:-1])
    for sex in SEXES:
        grid[("_T", sex)] = sum(grid[(age, sex)] for age in AGES[:-1])
    kept = draw(st.sets(st.sampled_from(sorted(grid)), min_size=1))
    return {cell: value for cell, value in grid.items() if cell in kept}


@settings(max_examples=25, deadline=None)
@given(_grids())
def test_filled_form_reads_back_to_its_figures_and_cells(grid: dict[tuple[str, str], int]) -> None:
    """Every filled cell of a sex-by-age form reads back as its figure, with its codes, its
    cell reference and its row as line; empty cells give no figure."""
    cells = {_reference(age, sex)[1]: value for (age, sex), value in grid.items()}
    with tempfile.TemporaryDirectory() as folder:
        dataset = read_excel(_filled(Path(folder) / "form.xlsx", {SHEET: cells}))
    assert dataset.problems == ()
    got = sorted(
        dataset.observations.select(
            "indicator", "period", "reporter", "age", "sex", "destination", "value", "cell", "line"
        ).rows()
    )
    expected = sorted(
        (
            SHEET,
            "2024",
            "GOV.DOSVY_SRP",
            age,
            sex,
            "_T",
            str(value),
            f"{SHEET}!{_reference(age, sex)[1]}",
            _reference(age, sex)[0],
        )
        for (age, sex), value in grid.items()
    )
    assert got == expected


def test_a_consistent_full_form_passes_the_checks(tmp_path: Path) -> None:
    """Totals read from the Total row and column are checked against their parts: a form whose
    parts add up has no error."""
    grid = {(age, sex): 1 for age in AGES[:-1] for sex in SEXES[:-1]}
    grid |= {(age, "_T"): 4 for age in AGES[:-1]} | {("_T", sex): 6 for sex in SEXES[:-1]}
    grid[("_T", "_T")] = 24
    cells = {_reference(age, sex)[1]: value for (age, sex), value in grid.items()}
    report = check(read_excel(_filled(tmp_path / "form.xlsx", {SHEET: cells})), PROFILE)
    assert report.errors == 0
    assert report.rules_evaluated > 0


def test_parts_over_their_total_are_a_partition_finding(tmp_path: Path) -> None:
    """A Total cell smaller than its row's parts is found by the usual partition check, which
    cites each figure at its cell."""
    cells = {"B6": 4, "C6": 3, "F6": 6}
    report = check(read_excel(_filled(tmp_path / "form.xlsx", {SHEET: cells})), PROFILE)
    (finding,) = [f for f in report.findings if f.code == "partition-exceeds"]
    assert finding.location is not None
    assert (finding.location.line, finding.location.field) == (6, f"{SHEET}!F6")
    cited = sorted(str(o.location.field) for o in finding.observations)
    assert cited == [f"{SHEET}!B6", f"{SHEET}!C6", f"{SHEET}!F6"]
    assert {str(s.location.field) for s in finding.suggestions} <= set(cited)
    assert f"line 6: {SHEET}!F6: " in report_text(report)


def test_bad_cells_are_errors_at_their_cell_and_the_rest_is_read(tmp_path: Path) -> None:
    """Text, a negative count and a fraction are errors naming file, sheet and cell; the other
    cells still give their figures."""
    path = _filled(tmp_path / "form.xlsx", {SHEET: {"B6": "many", "C6": -2, "D7": 2.5, "B7": 3}})
    dataset = read_excel(path)
    problems = sorted(
        (p.code, p.location.line, p.location.field, p.location.path)
        for p in dataset.problems
        if p.location
    )
    assert problems == [
        ("invalid-count", 6, f"{SHEET}!C6", str(path)),
        ("invalid-count", 7, f"{SHEET}!D7", str(path)),
        ("unreadable-value", 6, f"{SHEET}!B6", str(path)),
    ]
    assert dataset.observations.select("age", "sex", "value").rows() == [("Y15T17", "F", "3")]
    shown = str(next(p.location for p in dataset.problems if p.code == "unreadable-value"))
    assert shown == f"{path}:6 {SHEET}!B6"


def test_an_empty_form_gives_no_figure_and_no_problem(tmp_path: Path) -> None:
    """A template whose forms are left empty (period and reporter too) reads as no figures."""
    dataset = read_excel(_filled(tmp_path / "form.xlsx", {SHEET: {}}, key=False))
    assert dataset.problems == ()
    assert len(dataset) == 0


def test_figures_without_period_or_reporter_are_one_error_each(tmp_path: Path) -> None:
    """A form with figures but no period is one error at its period cell, not one per figure."""
    path = tmp_path / "form.xlsx"
    _filled(path, {SHEET: {"B6": 1, "C6": 2}}, key=False)
    workbook = openpyxl.load_workbook(path)
    workbook[SHEET]["B3"] = "GOV.DOSVY_SRP"
    workbook.save(path)
    dataset = read_excel(path)
    assert [(p.code, p.location.field if p.location else None) for p in dataset.problems] == [
        ("missing-field", f"{SHEET}!B2")
    ]
    assert len(dataset) == 0


def test_cells_outside_the_form_and_bad_heads_are_errors(tmp_path: Path) -> None:
    """A figure below the Total row, or under a head whose code was deleted, is an error at
    its cell, never dropped in silence."""
    path = _filled(tmp_path / "form.xlsx", {SHEET: {"B14": 5, "C5": "Men", "C6": 1, "B6": 2}})
    dataset = read_excel(path)
    found = sorted((p.code, p.location.field if p.location else None) for p in dataset.problems)
    assert found == [("row-shape", f"{SHEET}!B14"), ("row-shape", f"{SHEET}!C5")]
    assert dataset.observations.select("sex", "value").rows() == [("F", "2")]


def test_a_date_cell_is_an_error(tmp_path: Path) -> None:
    """A date typed where a count belongs is an error at its cell."""
    import datetime

    path = _filled(tmp_path / "form.xlsx", {SHEET: {"B6": datetime.date(2024, 1, 5)}})
    assert [
        (p.code, p.location.field if p.location else None) for p in read_excel(path).problems
    ] == [("unreadable-value", f"{SHEET}!B6")]


def test_referral_form_gives_figures_by_destination(tmp_path: Path) -> None:
    """The referral form's rows are destinations, the profile's organisations among them."""
    sheet = f"{SHEET} by destination"
    workbook = openpyxl.load_workbook(io.BytesIO(TEMPLATE))
    rows = {
        head_code(str(workbook[sheet].cell(row=r, column=1).value)): r
        for r in range(6, workbook[sheet].max_row + 1)
    }
    assert "_T" not in rows  # the grand total is the sex-by-age form's
    cells = {f"B{rows['FAMILY']}": 7, f"B{rows['NGO.AFESIP']}": 2}
    dataset = read_excel(_filled(tmp_path / "form.xlsx", {sheet: cells}), sheet=sheet)
    assert dataset.problems == ()
    assert sorted(dataset.observations.select("destination", "sex", "value").rows()) == [
        ("FAMILY", "_T", "7"),
        ("NGO.AFESIP", "_T", "2"),
    ]


def test_cells_survive_combining_with_a_long_table(tmp_path: Path) -> None:
    """Checked with a CSV file, a form's figures keep their cells and the CSV's have none."""
    from tip_indicators.datasets import Dataset
    from tip_indicators.io.longcsv import read_long_csv

    csv = tmp_path / "other.csv"
    csv.write_text("indicator,period,reporter,value\nvictims_received,2024,KH,3\n")
    form = read_excel(_filled(tmp_path / "form.xlsx", {SHEET: {"B6": 1}}))
    both = Dataset.combine([read_long_csv(csv), form])
    assert both.observations.select("reporter", "cell").rows() == [
        ("KH", None),
        ("GOV.DOSVY_SRP", f"{SHEET}!B6"),
    ]


def test_a_form_combined_twice_names_the_cell_of_the_repeated_figure(tmp_path: Path) -> None:
    """The same form sent twice repeats each of its figures: the finding stands at the cell of
    the last copy, as every finding about a figure of a form does."""
    from tip_indicators.datasets import Dataset

    form = read_excel(_filled(tmp_path / "form.xlsx", {SHEET: {"B6": 1}}))
    (finding,) = Dataset.combine([form, form]).problems
    assert finding.code == "duplicate-identical"
    assert finding.location is not None
    assert finding.location.field == f"{SHEET}!B6"


def test_the_default_template_has_a_form_per_broken_down_indicator(tmp_path: Path) -> None:
    """Without a profile, every indicator with sex and age, or a destination, has its form;
    sheet names are unique and within the spreadsheet limit of 31 characters."""
    profile = builtin_profile()
    write_template(profile, tmp_path / "template.xlsx")
    names = openpyxl.load_workbook(tmp_path / "template.xlsx").sheetnames
    forms = names[3:]
    both = [i for i in profile.catalogue if {"sex", "age"} <= set(i.dimensions)]
    referral = [i for i in profile.catalogue if "destination" in i.dimensions]
    assert len(forms) == len(both) + len(referral)
    assert len(set(forms)) == len(forms)
    assert all(len(name) <= 31 for name in forms)
    dataset = read_excel(tmp_path / "template.xlsx")
    assert dataset.problems == ()
    assert len(dataset) == 0
