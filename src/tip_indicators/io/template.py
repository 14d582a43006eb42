"""The data-entry template: an xlsx workbook a member fills and the Excel reader reads back.

It holds a long ``data`` sheet with drop-downs, a ``codes`` sheet, a ``README``, and one
cross-tab form per indicator broken down by sex and age or by destination
(:mod:`tip_indicators.io.crosstab`). Made from a profile, it offers what the profile accepts.
Needs the ``excel`` extra (openpyxl).
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Sequence
from typing import Any

from tip_indicators._private.workbook import escape_text, require_openpyxl, save_workbook, set_cell
from tip_indicators.codelists import codelist
from tip_indicators.indicators import Catalogue, Indicator, builtin_catalogue
from tip_indicators.io.crosstab import AGE_ROWS, FIRST_ROW, CrossTab, crosstabs
from tip_indicators.observations import REQUIRED_COLUMNS, long_columns
from tip_indicators.profiles import Profile

__all__ = ["write_template"]


def write_template(
    standard: Profile | Catalogue | None,
    path: str | os.PathLike[str],
    *,
    inputs: Iterable[str | os.PathLike[str] | None] = (),
) -> None:
    """Write a data-entry workbook: a ``data`` sheet with drop-downs, ``codes`` and ``README``
    (whole or not at all, never over one of ``inputs``).

    Made from a profile, the drop-downs offer what the profile accepts: its indicators (those it
    requires or adds to the built-in catalogue, when it names any), its reporters, its
    organisations and the destination types as destinations and referrers, and the common age
    bands; the README says to check with the profile.

    Long because it lays out the workbook's three sheets cell by cell, a declaration rather than
    logic.
    """
    openpyxl = require_openpyxl(os.fspath(path))
    from openpyxl.worksheet.datavalidation import DataValidation

    catalogue = standard.catalogue if isinstance(standard, Profile) else standard
    catalogue = catalogue or builtin_catalogue()
    profile = standard if isinstance(standard, Profile) else None
    dimensions = list(catalogue.dimensions)
    header = long_columns(dimensions)
    lists = {
        "indicator": [(i.code, i.name) for i in _indicators_of(catalogue, profile)],
        "sex": [(c.code, c.name) for c in codelist("sex")],
        "age": [(code, name) for code, name in _AGE_BANDS],
        "exploitation": [(c.code, c.name) for c in codelist("exploitation")],
        "measure": [(c.code, c.name) for c in codelist("measure")],
        "status": [(c.code, c.name) for c in codelist("obs_status")],
        "conf_status": [(c.code, c.name) for c in codelist("conf_status")],
    }
    if profile is not None and profile.reporters:
        lists["reporter"] = [
            (code, profile.organisations.get(code, "")) for code in sorted(profile.reporters)
        ]
    if profile is not None:
        places = [(c.code, c.name) for c in codelist("destination_type") if c.code != "_T"]
        places += sorted(profile.organisations.items())
        lists["destination"] = places
        lists["referrer"] = places
    lists = {column: entries for column, entries in lists.items() if column in header}
    workbook = openpyxl.Workbook()
    data = workbook.active
    data.title = "data"
    data.append(header)
    data.freeze_panes = "A2"
    codes = workbook.create_sheet("codes")
    for offset, (column, entries) in enumerate(lists.items()):
        code_col, name_col = 2 * offset + 1, 2 * offset + 2
        codes.cell(row=1, column=code_col, value=column)
        codes.cell(row=1, column=name_col, value=f"{column} (meaning)")
        for row, (code, label) in enumerate(entries, start=2):
            set_cell(codes.cell(row=row, column=code_col), code, numeric=False)
            set_cell(codes.cell(row=row, column=name_col), label, numeric=False)
        letter = openpyxl.utils.get_column_letter(code_col)
        validation = DataValidation(
            type="list",
            formula1=f"=codes!${letter}$2:${letter}${len(entries) + 1}",
            allow_blank=True,
            showErrorMessage=True,
            # Any age band may be written: the list offers the common ones and only warns.
            errorStyle="warning" if column == "age" else "stop",
            errorTitle=f"Unknown {column}",
            error=f"Choose a {column} code from the list (sheet codes, column {letter}).",
        )
        target = openpyxl.utils.get_column_letter(header.index(column) + 1)
        validation.add(f"{target}2:{target}1048576")
        data.add_data_validation(validation)
    readme = workbook.create_sheet("README")
    places = lists.get("destination") or [
        (c.code, c.name) for c in codelist("destination_type") if c.code != "_T"
    ]
    forms = crosstabs(_indicators_of(catalogue, profile), places)
    for line in [*_readme(header, catalogue, profile), *_forms_readme(forms)]:
        readme.append([escape_text(line)])
    readme.column_dimensions["A"].width = 110
    reporters = None
    if "reporter" in lists:
        letter = openpyxl.utils.get_column_letter(2 * list(lists).index("reporter") + 1)
        reporters = f"=codes!${letter}$2:${letter}${len(lists['reporter']) + 1}"
    for form in forms:
        _write_form(workbook.create_sheet(form.sheet), form, reporters)
    save_workbook(workbook, path, inputs)


def _write_form(sheet: Any, form: CrossTab, reporters: str | None) -> None:
    """Write a blank cross-tab form; ``reporters`` is the range of reporter codes, if any."""
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    for row, column, text in form.cells():
        set_cell(sheet.cell(row=row, column=column), text, numeric=False)
    sheet.column_dimensions["A"].width = 34
    for column in range(2, len(form.columns) + 2):
        sheet.column_dimensions[get_column_letter(column)].width = 16
    sheet.freeze_panes = f"B{FIRST_ROW}"
    if reporters is not None:
        validation = DataValidation(
            type="list",
            formula1=reporters,
            allow_blank=True,
            showErrorMessage=True,
            errorTitle="Unknown reporter",
            error="Choose a reporter code from the list (sheet codes).",
        )
        validation.add("B3")
        sheet.add_data_validation(validation)


_AGE_BANDS = (
    ("Y_LT18", "Children (under 18)"),
    ("Y_GE18", "Adults (18 and over)"),
    *AGE_ROWS,
)
"""The age bands the template offers (any other band may be typed: the validation warns)."""


def _indicators_of(catalogue: Catalogue, profile: Profile | None) -> list[Indicator]:
    """The indicators a template offers: those a profile requires or adds, else all."""
    if profile is None:
        return list(catalogue)
    builtin = builtin_catalogue()
    own = [i for i in catalogue if i.code in profile.required or i.code not in builtin]
    return own or list(catalogue)


def _forms_readme(forms: Sequence[CrossTab]) -> list[str]:
    if not forms:
        return []
    return [
        "",
        "Cross-tab sheets: one form per indicator, filled like a paper form instead of the sheet "
        "'data' (both may be used).",
        "Type the period in B2 and the reporter in B3, then a count in each cell you know; leave "
        "a cell empty when the figure is not known (an empty cell is no figure, not zero).",
        "Rows and columns are labelled with their code in brackets (Female [F]); keep the "
        "brackets as they are. The Total row and column are figures too: type them, the check "
        "compares them with their parts.",
        "Sheets: " + ", ".join(form.sheet for form in forms),
    ]


def _readme(header: Sequence[str], catalogue: Catalogue, profile: Profile | None) -> list[str]:
    required = ", ".join(REQUIRED_COLUMNS)
    check = "tip-indicators validate FILE.xlsx"
    if profile is not None:
        check += f" --profile PROFILE.yaml   (the profile {profile.label})"
    lines = [
        "tip-indicators data-entry template",
        "",
        "Enter one figure per row on the sheet 'data'; keep row 1 (the column names) as it is.",
        f"Required in every row: {required}. Leave a breakdown empty for the total (_T).",
        "period: 2010, 2010-S1, 2010-Q1 or 2010-01 (type it as text, not as a date).",
        "value: a number, a censored count such as <5, or empty with a status saying why "
        "(L not stated, M cannot exist, O missing, Q suppressed).",
        "measure: N level (default), CHG change, PCH percentage change, PCT share; a change "
        "compares with base_period (default: one year earlier).",
        "Drop-down lists offer the codes of the sheet 'codes'; do not merge cells, and type "
        "figures rather than formulas.",
        f"Check the filled workbook with: {check}",
        "",
        "Columns:",
    ]
    for column in header:
        if column in catalogue.dimensions:
            dimension = catalogue.dimension(column)
            lines.append(f"  {column}: {dimension.name}. {dimension.description}".rstrip())
        else:
            lines.append(f"  {column}")
    return lines
